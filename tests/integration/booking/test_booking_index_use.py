"""The sweeper's and the hold session's lookups use the partial indexes over held rows, so they cost
the same with a hundred appointments as with a practice's whole history (the sweeper asks every
half second). SQLite shows the plan it takes for the very statement the repository runs, with its
bound values: a lookup no index covers would scan the table."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from services.booking.adapters import appointments

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def plans(make_container, tmp_path):
    container = make_container("booking", db_url=f"sqlite:///{tmp_path / 'plans.db'}")
    seen: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "appointments" in statement and not statement.startswith("EXPLAIN"):
            seen.append((statement, parameters))

    event.listen(container.db.engine, "before_cursor_execute", capture)

    def plans_of(call) -> list[str]:
        seen.clear()
        with container.db.engine.begin() as conn:
            call(conn)
            found = [" ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
                     for sql, params in list(seen)]
        assert found, "the call ran a statement on appointments"
        return found
    return plans_of


@pytest.mark.parametrize("name, call", [
    ("any_due", lambda conn: appointments.any_due(conn, NOW)),
    ("expire_due", lambda conn: appointments.expire_due(conn, NOW)),
    ("held_in_session", lambda conn: appointments.held_in_session(conn, "a" * 64)),
])
def test_lookups_of_held_rows_search_an_index_and_never_scan_the_table(plans, name, call):
    for plan in plans(call):
        assert "SCAN appointments" not in plan, f"{name}: {plan}"
