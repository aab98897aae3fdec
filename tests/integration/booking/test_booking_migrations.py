"""Booking's data migrations: rows from before an upgrade come out right.

Each appointment's last event sequence comes from the outbox, so a booking made before the upgrade
goes on with the next number; a hold session holding two slots keeps only its newest."""
from __future__ import annotations

import json

from alembic import command
from alembic.config import Config
from booking_support import at, bearer
from sqlalchemy import text

from shared.clock import naive_utc
from shared.events import new_event

BEFORE = "dd308f485916"  # the revision before appointments carried their sequence


def alembic(container) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(container.migrations))
    cfg.attributes["engine"] = container.db.engine
    return cfg


def test_an_upgrade_backfills_each_appointments_sequence_from_the_outbox(booking, clock):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))  # booking.held 1, booking.confirmed 2
    plain = booking.hold(cid, at(0, "11:00")).json  # booking.held 1
    cfg = alembic(booking.container)

    command.downgrade(cfg, BEFORE)
    data = {"booking_id": made["id"], "clinician_id": cid, "start": at(0, "10:15"), "end": at(0, "10:30"),
            "status": "confirmed", "previous_start": at(0, "10:00"), "previous_end": at(0, "10:15")}
    old = new_event("booking.rescheduled", "/attune/booking", made["id"], 3, data, clock.now())
    with booking.container.db.engine.begin() as conn:  # an event the old code wrote: its 3rd
        conn.execute(text("INSERT INTO outbox (event_id, type, subject, sequence, body, created_at) "
                          "VALUES (:i, :y, :s, 3, :b, :t)"),
                     {"i": old["id"], "y": old["type"], "s": made["id"], "b": json.dumps(old),
                      "t": naive_utc(clock.now())})
    command.upgrade(cfg, "head")

    with booking.container.db.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, sequence FROM appointments")).all())
    assert stored == {made["id"]: 3, plain["id"]: 1}
    cancel = booking.http.post(f"/v1/bookings/{made['id']}/cancel", json={}, headers=bearer(made["manage_token"]))
    assert cancel.status_code == 200
    assert [e["sequence"] for e in booking.events("booking.cancelled")] == [4]


def test_the_row_keeps_the_sequence_of_its_last_event_through_every_change(booking):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))
    token = bearer(made["manage_token"])
    booking.http.post(f"/v1/bookings/{made['id']}/reschedule", json={"start": at(0, "11:00").isoformat()},
                      headers=token)
    booking.http.post(f"/v1/bookings/{made['id']}/cancel", json={}, headers=token)

    with booking.container.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT sequence FROM appointments WHERE id = :i"), {"i": made["id"]}).scalar()
    written = [e["sequence"] for e in booking.events() if e["subject"] == made["id"]]
    assert written == [1, 2, 3, 4] and stored == 4


def test_an_upgrade_keeps_the_session_tag_only_on_a_sessions_newest_held_row(booking, clock):
    cid = booking.clinician()
    cfg = alembic(booking.container)
    older = booking.hold(cid, at(0, "10:00")).json  # placed by today's code, then the schema goes back
    clock.advance(seconds=5)
    newer = booking.hold(cid, at(0, "10:15")).json
    command.downgrade(cfg, "5c1e7a9b2f40")  # before the database held one live hold per session
    with booking.container.db.engine.begin() as conn:  # as a session could end up before the rule
        conn.execute(text("UPDATE appointments SET hold_session = 'tab-1'"))

    command.upgrade(cfg, "head")

    with booking.container.db.engine.connect() as conn:
        tags = dict(conn.execute(text("SELECT id, hold_session FROM appointments")).all())
    assert tags == {older["id"]: None, newer["id"]: "tab-1"}
