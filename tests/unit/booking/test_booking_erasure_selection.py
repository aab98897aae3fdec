"""Which rows retention and an erasure request select, and what erasing leaves (SQLite in memory)."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, insert, select

from services.booking.adapters import erasure as store
from services.booking.adapters.orm import appointments, contact_requests, metadata
from services.booking.domain.persons import keys, normal_phone

NOW = datetime(2026, 6, 1, 12, 0)
OLD, RECENT = NOW - timedelta(days=91), NOW - timedelta(days=89)
SECRET = "s" * 32


@pytest.fixture
def conn():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        yield connection


def booking(conn, id_, status, updated, email=None, phone=None, start=NOW):
    email_key, phone_key = keys(SECRET, email, phone)
    conn.execute(insert(appointments).values(
        id=id_, clinician_id=f"cl-{id_}", start_at=start, end_at=start + timedelta(minutes=15), status=status,
        hold_token_hash="h" * 64, client_name="Ada" if email else None, client_email=email, client_phone=phone,
        notes="private", hold_address="addr", client_email_key=email_key, client_phone_key=phone_key,
        sequence=1, created_at=updated, updated_at=updated))


def request(conn, id_, status, closed, email=None, phone=None):
    conn.execute(insert(contact_requests).values(
        id=id_, status=status, name="Ada", email=email, phone=phone, time_zone="UTC", preferred_times="[]",
        message="hello", created_at=closed - timedelta(days=1), closed_at=closed if status == "closed" else None))


def test_retention_selects_ended_holds_and_cancelled_bookings_past_the_cutoff_only(conn):
    for id_, status, at in [("released-old", "released", OLD), ("expired-old", "expired", OLD),
                            ("cancelled-old", "cancelled", OLD), ("cancelled-new", "cancelled", RECENT),
                            ("confirmed-old", "confirmed", OLD), ("held-old", "held", OLD)]:
        booking(conn, id_, status, at, email="ada@example.org")

    found = store.ended_bookings(conn, NOW - timedelta(days=90), 100)

    assert sorted(found) == ["cancelled-old", "expired-old", "released-old"]


def test_retention_selects_closed_contact_requests_past_the_cutoff_only(conn):
    request(conn, "closed-old", "closed", OLD)
    request(conn, "closed-new", "closed", RECENT)
    request(conn, "open-old", "open", OLD)

    assert store.closed_requests(conn, NOW - timedelta(days=90), 100) == ["closed-old"]


def test_erased_rows_keep_no_client_details_and_are_not_selected_again(conn):
    booking(conn, "b1", "cancelled", OLD, email="ada@example.org", phone="+49 30 1234567")
    request(conn, "r1", "closed", OLD, email="ada@example.org")

    store.erase_bookings(conn, ["b1"], NOW)
    store.erase_requests(conn, ["r1"], NOW)

    row = conn.execute(select(appointments)).one()
    assert (row.client_name, row.client_email, row.client_phone, row.notes, row.client_email_key,
            row.client_phone_key, row.hold_address) == (None,) * 7
    assert row.erased_at == NOW and row.status == "cancelled"
    req = conn.execute(select(contact_requests)).one()
    assert (req.name, req.email, req.message) == ("", None, None)
    assert store.ended_bookings(conn, NOW, 100) == [] and store.closed_requests(conn, NOW, 100) == []


def test_a_persons_rows_are_found_by_email_or_phone_however_typed_and_nobody_elses(conn):
    booking(conn, "mine-mail", "confirmed", RECENT, email="Ada@Example.org")
    booking(conn, "mine-phone", "cancelled", RECENT, email="other@example.org", phone="+49 (0)30 1234567")
    booking(conn, "theirs", "confirmed", RECENT, email="bob@example.org", phone="+49 30 7654321")
    request(conn, "req-mail", "open", RECENT, email="ADA@example.org ")
    request(conn, "req-phone", "closed", RECENT, phone="+49 30 123 4567")
    request(conn, "req-theirs", "open", RECENT, email="bob@example.org")

    email_key, phone_key = keys(SECRET, " ada@example.org", "+49301234567")
    assert sorted(store.person_bookings(conn, email_key, phone_key)) == ["mine-mail", "mine-phone"]
    assert sorted(store.person_requests(conn, "ada@example.org", None, {"+49301234567"}, normal_phone)) == [
        "req-mail", "req-phone"]
    assert store.person_bookings(conn, None, None) == []
