"""The practice's audit log: entries from every service's `audit.recorded` events and the staff service's own."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from marshmallow import ValidationError
from sqlalchemy import insert, select

from services.staff.adapters.orm import audit_entries as t
from shared.access import LIST_READ_SUFFIX, LIST_READ_WINDOW_SECONDS, audit_data
from shared.auth import Principal
from shared.clock import naive_utc, utc
from shared.events import UtcDateTime

SERVICE = "staff"


def record_own(conn, container, principal: Principal, action: str, subject: str | None, now: datetime) -> None:
    """A staff-service change or sign-in: an `audit.recorded` event for everyone, and the entry at once."""
    data = audit_data(principal, action, SERVICE, subject, now)
    event = container.outbox.add(conn, "audit.recorded", f"audit-{uuid.uuid4().hex}", data, now, after=0)
    store(conn, event["id"], data)


def store(conn, event_id: str, data: dict) -> None:
    """Keeps one entry per event (the staff service also hears its own events back), and one per
    list read of a record by a session within the window, whichever replica served the reads."""
    if conn.execute(select(t.c.id).where(t.c.event_id == event_id)).first():
        return
    if data["action"].endswith(LIST_READ_SUFFIX) and _read_lately(conn, data):
        return
    conn.execute(insert(t).values(
        event_id=event_id, at=naive_utc(data["at"]), account_id=data["account_id"], role=data["role"],
        owner_token=bool(data.get("owner_token")), session_id=data.get("session_id"), action=data["action"],
        service=data["service"], subject=data.get("subject")))


def _read_lately(conn, data: dict) -> bool:
    """The same session (or account, for the owner's token) listed this record within the window."""
    at, window = naive_utc(data["at"]), timedelta(seconds=LIST_READ_WINDOW_SECONDS)
    who = (t.c.session_id == data["session_id"]) if data.get("session_id") else (
        (t.c.account_id == data["account_id"]) & t.c.session_id.is_(None))
    q = select(t.c.id).where(t.c.subject == data.get("subject"), t.c.action == data["action"], who,
                             t.c.at > at - window, t.c.at < at + window).limit(1)
    return conn.execute(q).first() is not None


def on_recorded(session, envelope: dict, data: dict) -> None:
    """Consumer handler for `audit.recorded` from any service."""
    store(session, envelope["id"], data)


def parse_after(after: str | None) -> tuple[str, object] | None:
    """`after` is a cursor from `next_cursor` (digits) or an RFC 3339 time; None when absent."""
    if not after:
        return None
    if after.isascii() and after.isdigit():  # str.isdigit alone takes "²"; ids are 64-bit
        return ("cursor", int(after)) if len(after) <= 19 and int(after) < 2**63 else ("invalid", after)
    try:  # the shared field: an offset required, a year within range (no OverflowError)
        return "time", UtcDateTime().deserialize(after)
    except ValidationError:
        return "invalid", after


def page(conn, account_id: str | None = None, subject: str | None = None, after: tuple | None = None,
         limit: int = 100, service: str | None = None) -> dict:
    """Entries oldest first (in the order the log received them), `limit` at a time."""
    q = select(t).order_by(t.c.id).limit(limit + 1)
    for column, value in ((t.c.account_id, account_id), (t.c.subject, subject), (t.c.service, service)):
        if value:
            q = q.where(column == value)
    if after and after[0] == "cursor":
        q = q.where(t.c.id > after[1])
    elif after and after[0] == "time":
        q = q.where(t.c.at > naive_utc(after[1]))
    rows = conn.execute(q).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"entries": [_view(r) for r in rows], "next_cursor": str(rows[-1].id) if more else None}


def _view(r) -> dict:
    return {"at": utc(r.at), "account_id": r.account_id, "role": r.role, "owner_token": r.owner_token,
            "session_id": r.session_id, "action": r.action, "service": r.service, "subject": r.subject}
