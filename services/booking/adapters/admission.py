"""A hold's first round trip on PostgreSQL: one statement counts the request against its address's
quota (committing on its own, see requests_log), reads the clinician the hold is for, tells
whether the client's hold session holds a slot already and what the address holds and held lately.
The round trip costs more than any part, and a hold is the busiest request there is."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, text

from services.booking.adapters import clinicians
from services.booking.adapters.orm import HELD_SQL
from services.booking.adapters.orm import appointments as a
from services.booking.adapters.orm import clinicians as c
from services.booking.adapters.orm import rate_limits as r
from services.booking.adapters.requests_log import HIT_ASYNC_COMMIT_SQL
from services.booking.adapters.sql import Runner
from services.booking.domain.rules import Clinician
from shared.clock import naive_utc

_COUNT_AND_READ = text(
    f"WITH hit AS ({HIT_ASYNC_COMMIT_SQL}) "
    f"SELECT hit.hits, (SELECT p.hits FROM rate_limits p WHERE p.bucket = :bucket "
    f"AND p.window_start = :previous_start) AS previous_hits, "
    f"EXISTS (SELECT 1 FROM appointments a WHERE a.hold_session = :hold_session "
    f"AND a.{HELD_SQL}) AS session_holds, "
    f"(SELECT count(*) FROM appointments a WHERE a.hold_address = :hold_address "
    f"AND a.created_at > :since) AS recent_holds, "
    f"ARRAY(SELECT a.hold_rank FROM appointments a WHERE a.hold_address = :hold_address "
    f"AND a.{HELD_SQL}) AS ranks, {', '.join('c.' + col.name for col in c.c)} "
    f"FROM hit LEFT JOIN clinicians c ON c.id = :clinician_id"
).bindparams(bindparam("bucket", type_=r.c.bucket.type), bindparam("window_start", type_=r.c.window_start.type),
             bindparam("previous_start", type_=r.c.window_start.type),
             bindparam("clinician_id", type_=c.c.id.type), bindparam("hold_session", type_=a.c.hold_session.type),
             bindparam("hold_address", type_=a.c.hold_address.type), bindparam("since", type_=a.c.created_at.type))


@dataclass(frozen=True)
class Admission:
    hits: int  # the bucket's count so far, this request included
    previous_hits: int  # the bucket's count in the window before (for the sliding estimate)
    clinician: Clinician | None  # if the projection knows them
    session_holds: bool  # the hold session has a held row (maybe a lapsed one)
    recent_holds: int  # holds the address placed since `since`
    ranks: tuple[int, ...]  # live-hold ranks the address's held rows take (lapsed ones included)


def count_and_read(session: Runner, bucket: str, window_start: datetime, clinician_id: str,
                   hold_session: str | None, previous_start: datetime | None = None,
                   hold_address: str | None = None, since: datetime | None = None) -> Admission:
    """PostgreSQL, outside any transaction."""
    row = session.execute(_COUNT_AND_READ, {
        "bucket": bucket, "window_start": naive_utc(window_start),
        "previous_start": naive_utc(previous_start or window_start), "clinician_id": clinician_id,
        "hold_session": hold_session, "hold_address": hold_address, "since": naive_utc(since or window_start)}).one()
    return Admission(row.hits, row.previous_hits or 0 if previous_start else 0, clinicians.from_row(row),
                     bool(row.session_holds), row.recent_holds, tuple(r for r in row.ranks or () if r is not None))
