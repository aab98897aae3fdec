"""The appointments repository: rows ↔ Appointment, and the few statements that guard the slot."""
from __future__ import annotations

import contextlib
import hashlib
from dataclasses import replace
from datetime import datetime

from sqlalchemy import bindparam, exists, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from services.booking.adapters.orm import ACTIVE_SQL, MESSAGING
from services.booking.adapters.orm import appointments as t
from services.booking.adapters.sql import Runner, aware, is_postgres, prepared
from services.booking.domain.model import ACTIVE, CONFIRMED, EXPIRED, HELD, Appointment, Client
from shared.clock import naive_utc


def _from_row(r) -> Appointment:
    client = Client(r.client_name, r.client_email, r.client_phone, r.client_time_zone) if r.client_name else None
    return Appointment(id=r.id, clinician_id=r.clinician_id, start=aware(r.start_at), end=aware(r.end_at),
                       status=r.status, expires_at=aware(r.expires_at), hold_token_hash=r.hold_token_hash,
                       hold_session=r.hold_session, manage_token_hash=r.manage_token_hash, client=client,
                       notes=r.notes, cancel_reason=r.cancel_reason, cancelled_by=r.cancelled_by,
                       sequence=r.sequence, hold_address=r.hold_address, hold_rank=r.hold_rank,
                       email_key=r.client_email_key, phone_key=r.client_phone_key, erased_at=aware(r.erased_at))


def _values(a: Appointment, now: datetime) -> dict:
    c = a.client
    return {"clinician_id": a.clinician_id, "start_at": naive_utc(a.start), "end_at": naive_utc(a.end), "status": a.status,
            "expires_at": naive_utc(a.expires_at), "hold_token_hash": a.hold_token_hash, "hold_session": a.hold_session,
            "manage_token_hash": a.manage_token_hash, "client_name": c and c.name, "client_email": c and c.email,
            "client_phone": c and c.phone, "client_time_zone": c and c.time_zone, "notes": a.notes, "cancel_reason": a.cancel_reason,
            "cancelled_by": a.cancelled_by, "sequence": a.sequence, "updated_at": naive_utc(now),
            "hold_address": a.hold_address, "hold_rank": a.hold_rank, "client_email_key": a.email_key,
            "client_phone_key": a.phone_key, "erased_at": naive_utc(a.erased_at)}


SESSION_INDEX = "uq_appointments_held_session"
COLUMNS = [c.name for c in t.c if c.name not in ("id", "created_at")]
# The same SQL on SQLite and PostgreSQL; as text it is compiled once (SQLAlchemy caches no upsert).
_ADD_IF_FREE_SQL = (
    f"INSERT INTO appointments ({', '.join(c.name for c in t.c)}) VALUES ({', '.join(':' + c.name for c in t.c)}) "
    f"ON CONFLICT (clinician_id, start_at) WHERE {ACTIVE_SQL} DO NOTHING RETURNING id")
_ROW_BINDS = [bindparam(c.name, type_=c.type) for c in t.c]
_ADD_IF_FREE = text(_ADD_IF_FREE_SQL).bindparams(*_ROW_BINDS)


class SessionTaken(Exception):
    """The hold's session holds another slot, placed since this transaction looked: it must end."""


class RankTaken(Exception):
    """Another hold from the same address took the live-hold rank this one was given: try again."""


RANK_INDEX = "uq_appointments_held_address_rank"


_EVENT_COLUMNS = ("event_id", "type", "subject", "sequence", "body", "created_at")


def add_if_free_with_events(session: Runner, a: Appointment, now: datetime, events: list[dict]) -> bool:
    """PostgreSQL, outside a transaction: inserts the hold and the outbox rows of its events in one
    statement (a data-modifying CTE), atomic on its own; neither when the slot is taken. Raises
    SessionTaken when the hold's session holds another slot (which a transaction must release)."""
    stmt = prepared(session, f"add-with-{len(events)}-events",
                    lambda _: _with_events(_ADD_IF_FREE_SQL, _ROW_BINDS, len(events)))
    params = {"id": a.id, "created_at": naive_utc(now), **_values(a, now), **_event_params(events)}
    with _refusing_session_rivals():
        return session.execute(stmt, params).first() is not None


_SAVE_IF_UNCHANGED_SQL = (f"UPDATE appointments SET {', '.join(f'{c} = :{c}' for c in COLUMNS)} "
                          "WHERE id = :b_id AND sequence = :b_expected RETURNING id")
_SAVE_BINDS = [*(b for b in _ROW_BINDS if b.key in COLUMNS), bindparam("b_id", type_=t.c.id.type),
               bindparam("b_expected", type_=t.c.sequence.type)]


def save_if_unchanged(session: Runner, a: Appointment, now: datetime, expected: int, events: list[dict]) -> bool:
    """PostgreSQL, outside a transaction: saves the appointment and the outbox rows of its events
    in one statement, provided its row still has the sequence it was read with (optimistic
    concurrency: the sequence counts every change). False, and nothing written, otherwise."""
    stmt = prepared(session, f"save-with-{len(events)}-events",
                    lambda _: _with_events(_SAVE_IF_UNCHANGED_SQL, _SAVE_BINDS, len(events)))
    params = {"b_id": a.id, "b_expected": expected, **_values(a, now), **_event_params(events)}
    return session.execute(stmt, params).first() is not None


def _with_events(write_sql: str, binds: list, n: int):
    """`write_sql` (which returns a row when it wrote) and n outbox rows, as one data-modifying CTE."""
    outbox = MESSAGING["outbox"]
    rows = ", ".join("(" + ", ".join(f":e{i}_{c}" for c in _EVENT_COLUMNS) + ")" for i in range(n))
    columns = ", ".join(_EVENT_COLUMNS)
    event_binds = [bindparam(f"e{i}_{c}", type_=outbox.c[c].type) for i in range(n) for c in _EVENT_COLUMNS]
    return text(f"WITH written AS ({write_sql}) INSERT INTO outbox ({columns}) "
                f"SELECT {columns} FROM written, (VALUES {rows}) AS e({columns}) RETURNING outbox.id"
                ).bindparams(*binds, *event_binds)


def _event_params(events: list[dict]) -> dict:
    return {f"e{i}_{c}": row[c] for i, row in enumerate(events) for c in _EVENT_COLUMNS}


def get(session: Runner, id: str, for_update: bool = False) -> Appointment | None:
    stmt = prepared(session, "get-for-update" if for_update else "get", lambda _: _get(for_update))
    row = session.execute(stmt, {"b_id": id}).first()
    return _from_row(row) if row else None


def _get(for_update: bool):
    q = select(t).where(t.c.id == bindparam("b_id"))
    return q.with_for_update() if for_update else q


def add_if_free(session: Runner, a: Appointment, now: datetime) -> bool:
    """Inserts the hold unless an active row has its slot (the unique index decides, also in a race)."""
    with _refusing_session_rivals():
        return session.execute(_ADD_IF_FREE, {"id": a.id, "created_at": naive_utc(now), **_values(a, now)}
                               ).first() is not None


@contextlib.contextmanager
def _refusing_session_rivals():
    """The session index's refusal as SessionTaken; any other integrity error as it is."""
    try:
        yield
    except IntegrityError as e:
        name = getattr(getattr(e.orig, "diag", None), "constraint_name", None)
        if name == SESSION_INDEX:
            raise SessionTaken() from None
        if name == RANK_INDEX or "appointments.hold_rank" in str(e.orig):  # SQLite names the columns
            raise RankTaken() from None
        raise


def save(session: Runner, a: Appointment, now: datetime) -> None:
    stmt = prepared(session, "save", lambda _: update(t).where(t.c.id == bindparam("b_id")).values(
        {c: bindparam(c) for c in COLUMNS}))
    session.execute(stmt, {"b_id": a.id, **_values(a, now)})


def move(session: Runner, a: Appointment, now: datetime) -> bool:
    """Saves a rescheduled booking; False when its new slot is taken (the transaction must then end)."""
    try:
        with session.begin_nested():
            save(session, a, now)
    except IntegrityError:
        return False
    return True


def taken(session: Runner, clinician_id: str, start: datetime, now: datetime) -> bool:
    """An active row has the slot; a hold past its expiry does not count, swept or not."""
    live = (t.c.status != HELD) | (t.c.expires_at > naive_utc(now))
    q = select(exists().where(t.c.clinician_id == clinician_id, t.c.start_at == naive_utc(start),
                              t.c.status.in_(ACTIVE), live))
    return bool(session.execute(q).scalar())


def taken_starts(session: Runner, clinician_id: str, start: datetime, end: datetime, now: datetime) -> set:
    live = (t.c.status != HELD) | (t.c.expires_at > naive_utc(now))
    q = select(t.c.start_at).where(t.c.clinician_id == clinician_id, t.c.start_at >= naive_utc(start),
                                   t.c.start_at < naive_utc(end), t.c.status.in_(ACTIVE), live)
    return {aware(s) for s in session.scalars(q)}


def expire_due(session: Runner, now: datetime, limit: int = 500, clinician_id: str | None = None,
               start: datetime | None = None, hold_address: str | None = None) -> list[Appointment]:
    """Flips held rows past their expiry to expired and returns them as they were before, for the
    domain to record the change: one conditional UPDATE, so two sweepers (or a sweeper and a new
    hold on the slot) never expire one hold twice. The row's sequence counts the event to come."""
    due = select(t.c.id).where(t.c.status == HELD, t.c.expires_at <= naive_utc(now))
    if clinician_id is not None:
        due = due.where(t.c.clinician_id == clinician_id, t.c.start_at == naive_utc(start))
    if hold_address is not None:
        due = due.where(t.c.hold_address == hold_address)
    due = due.order_by(t.c.expires_at).limit(limit)
    if is_postgres(session):
        due = due.with_for_update(skip_locked=True)
    stmt = (update(t).where(t.c.id.in_(due.scalar_subquery()), t.c.status == HELD)
            .values(status=EXPIRED, sequence=t.c.sequence + 1, updated_at=naive_utc(now)).returning(*t.c))
    return [replace(_from_row(r), status=HELD, sequence=r.sequence - 1) for r in session.execute(stmt)]


def any_due(session: Runner, now: datetime) -> bool:
    return bool(session.execute(select(exists().where(t.c.status == HELD, t.c.expires_at <= naive_utc(now)))).scalar())


def held_in_session(session: Runner, hold_session: str) -> list[Appointment]:
    stmt = prepared(session, "held-in-session", lambda _: select(t).where(
        t.c.status == HELD, t.c.hold_session == bindparam("b_session")).with_for_update())
    return [_from_row(r) for r in session.execute(stmt, {"b_session": hold_session})]


def address_ranks(session: Runner, hold_address: str) -> dict[int, datetime]:
    """The live-hold ranks an address's held rows take, with each one's expiry (lapsed ones too)."""
    q = select(t.c.hold_rank, t.c.expires_at).where(t.c.status == HELD, t.c.hold_address == hold_address)
    return {r.hold_rank: aware(r.expires_at) for r in session.execute(q) if r.hold_rank is not None}


def placed_since(session: Runner, hold_address: str, since: datetime) -> int:
    """How many holds the address placed since then (whatever became of them)."""
    q = select(func.count()).select_from(t).where(t.c.hold_address == hold_address,
                                                  t.c.created_at > naive_utc(since))
    return session.execute(q).scalar_one()


def in_range(session: Runner, clinician_id: str | None, start: datetime, end: datetime, statuses
             ) -> list[Appointment]:
    """Rows starting in [start, end) with one of `statuses`, of one clinician or of all, by start."""
    q = select(t).where(t.c.start_at >= naive_utc(start), t.c.start_at < naive_utc(end), t.c.status.in_(statuses))
    if clinician_id is not None:
        q = q.where(t.c.clinician_id == clinician_id)
    return [_from_row(r) for r in session.execute(q.order_by(t.c.start_at, t.c.clinician_id, t.c.created_at))]


def lock_hold_session(session: Runner, hold_session: str) -> None:
    """Serialises holds of one hold session on PostgreSQL (SQLite writers are serial already)."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": int(hold_session[:15], 16)})


RULES_LOCK = 15  # the first key of the two-key advisory lock that serialises a capped clinician's holds


def lock_clinician_days(session: Runner, clinician_id: str) -> None:
    """Serialises holds of one clinician with a cap or buffer on PostgreSQL (SQLite writers are serial):
    per clinician, not per local day, as a buffer reaches across midnight into the next day."""
    if is_postgres(session):
        key = int.from_bytes(hashlib.sha256(clinician_id.encode()).digest()[:4], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": RULES_LOCK, "b": key})


def consultations(session: Runner, clinician_id: str, start: datetime, end: datetime, now: datetime,
                  excluding: str | None = None) -> list[tuple[datetime, datetime]]:
    """(start, end) of the clinician's live holds and confirmed bookings starting in [start, end)."""
    live = (t.c.status != HELD) | (t.c.expires_at > naive_utc(now))
    q = select(t.c.start_at, t.c.end_at).where(t.c.clinician_id == clinician_id, t.c.start_at >= naive_utc(start),
                                               t.c.start_at < naive_utc(end), t.c.status.in_(ACTIVE), live)
    if excluding is not None:
        q = q.where(t.c.id != excluding)
    return [(aware(r.start_at), aware(r.end_at)) for r in session.execute(q)]


def earlier_consultation(session: Runner, email_key: str | None, phone_key: str | None, since: datetime,
                         excluding: str) -> str | None:
    """The id of a confirmed consultation of the same person (email or phone key) starting since then, if any."""
    same = [c == k for c, k in ((t.c.client_email_key, email_key), (t.c.client_phone_key, phone_key)) if k]
    if not same:
        return None
    q = select(t.c.id).where(or_(*same), t.c.status == CONFIRMED, t.c.start_at >= naive_utc(since),
                             t.c.id != excluding).order_by(t.c.start_at.desc()).limit(1)
    return session.execute(q).scalar()
