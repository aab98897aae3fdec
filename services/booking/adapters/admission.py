"""A hold's first round trip on PostgreSQL: one statement counts the request against its address's
quota (committing on its own, see requests_log) and reads the clinician the hold is for. The round
trip costs more than either part, and a hold is the busiest request there is."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, text

from services.booking.adapters import clinicians
from services.booking.adapters.orm import clinicians as c
from services.booking.adapters.orm import rate_limits as r
from services.booking.adapters.requests_log import HIT_ASYNC_COMMIT_SQL
from services.booking.adapters.sql import Runner
from services.booking.domain.rules import Clinician
from shared.clock import naive_utc

_COUNT_AND_READ = text(
    f"WITH hit AS ({HIT_ASYNC_COMMIT_SQL}) "
    f"SELECT hit.hits, {', '.join('c.' + col.name for col in c.c)} FROM hit LEFT JOIN clinicians c ON c.id = :clinician_id"
).bindparams(bindparam("bucket", type_=r.c.bucket.type), bindparam("window_start", type_=r.c.window_start.type),
             bindparam("clinician_id", type_=c.c.id.type))


def count_and_read(session: Runner, bucket: str, window_start: datetime, clinician_id: str
                   ) -> tuple[int, Clinician | None]:
    """PostgreSQL, outside any transaction: the bucket's count so far (this request included) and
    the clinician, if the projection knows them."""
    row = session.execute(_COUNT_AND_READ, {"bucket": bucket, "window_start": naive_utc(window_start),
                                            "clinician_id": clinician_id}).one()
    return row.hits, clinicians.from_row(row)
