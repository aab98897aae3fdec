"""The audit log: every service's audit.recorded events and the staff service's own changes, filtered and paged."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from shared.events import new_event
from tests.integration.staff.conftest import NOW, apply, outbox_events

pytestmark = pytest.mark.integration


def recorded(service: str, action: str, subject: str, account_id: str = "ac-9", at=NOW, session_id="s-1") -> dict:
    data = {"account_id": account_id, "role": "staff", "owner_token": False, "session_id": session_id,
            "action": action, "service": service, "subject": subject, "at": at}
    return new_event("audit.recorded", f"/attune/{service}", f"audit-{uuid.uuid4().hex}", 1, data, at)


def entries(api, headers, **query) -> dict:
    r = api.get("/v1/audit", query_string=query, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_an_audit_event_of_another_service_becomes_one_entry_even_when_delivered_twice(api, staff, admin_headers):
    event = recorded("booking", "bookings.read", "b-1")

    apply(staff, event)
    apply(staff, event)

    assert entries(api, admin_headers, service="booking")["entries"] == [{
        "at": "2026-03-02T09:00:10Z", "account_id": "ac-9", "role": "staff", "owner_token": False,
        "session_id": "s-1", "action": "bookings.read", "service": "booking", "subject": "b-1"}]


def test_list_reads_of_a_record_by_one_session_within_five_minutes_are_one_entry_across_replicas(
        api, staff, admin_headers):
    """Each booking replica folds its own repeats; the log folds what two replicas both sent."""
    for event in (recorded("booking", "booking.listed", "b-7"),  # replica 1
                  recorded("booking", "booking.listed", "b-7", at=NOW + timedelta(seconds=20)),  # replica 2
                  recorded("booking", "booking.listed", "b-8", at=NOW + timedelta(seconds=20)),
                  recorded("booking", "booking.listed", "b-7", at=NOW + timedelta(seconds=30), session_id="s-2"),
                  recorded("booking", "booking.listed", "b-7", at=NOW + timedelta(minutes=6)),
                  recorded("booking", "booking.read", "b-7", at=NOW + timedelta(minutes=6, seconds=5)),
                  recorded("booking", "booking.read", "b-7", at=NOW + timedelta(minutes=6, seconds=9))):
        apply(staff, event)

    seen = [(e["action"], e["subject"], e["session_id"], e["at"])
            for e in entries(api, admin_headers, service="booking")["entries"]]
    assert seen == [("booking.listed", "b-7", "s-1", "2026-03-02T09:00:10Z"),
                    ("booking.listed", "b-8", "s-1", "2026-03-02T09:00:30Z"),
                    ("booking.listed", "b-7", "s-2", "2026-03-02T09:00:40Z"),
                    ("booking.listed", "b-7", "s-1", "2026-03-02T09:06:10Z"),
                    ("booking.read", "b-7", "s-1", "2026-03-02T09:06:15Z"),
                    ("booking.read", "b-7", "s-1", "2026-03-02T09:06:19Z")], "single reads are never folded"


def test_the_staff_services_own_changes_and_sign_ins_are_entries_and_audit_events(api, accounts, staff,
                                                                                  admin_headers):
    account = accounts.create("staff")
    session = accounts.sign_in(account)
    api.delete("/v1/sessions/current", headers=accounts.bearer(session))
    api.patch(f"/v1/accounts/{account['id']}", json={"active": False}, headers=admin_headers)

    log = entries(api, admin_headers)["entries"]

    assert [(e["account_id"], e["action"], e["subject"]) for e in log] == [
        ("owner", "account.created", account["id"]),
        (account["id"], "session.signed_in", account["id"]),
        (account["id"], "session.signed_out", account["id"]),
        ("owner", "account.deactivated", account["id"])]
    assert all(e["service"] == "staff" for e in log) and log[0]["owner_token"] is True
    events = outbox_events(staff, "audit.recorded")
    assert [e["data"]["action"] for e in events] == [e["action"] for e in log]
    for event in events:  # hearing its own events back adds nothing
        apply(staff, event)
    assert len(entries(api, admin_headers)["entries"]) == 4


def test_entries_filter_by_account_and_subject_and_page_with_the_cursor_or_after_a_time(api, staff, admin_headers):
    for i in range(5):
        apply(staff, recorded("availability", "schedule.changed", f"cl-{i % 2}", at=NOW + timedelta(minutes=i)))
    apply(staff, recorded("booking", "booking.read", "b-1", account_id="ac-other"))

    assert [e["subject"] for e in entries(api, admin_headers, subject="cl-1")["entries"]] == ["cl-1", "cl-1"]
    assert [e["account_id"] for e in entries(api, admin_headers, account_id="ac-other")["entries"]] == ["ac-other"]
    first = entries(api, admin_headers, limit=4)
    rest = entries(api, admin_headers, limit=4, after=first["next_cursor"])
    assert len(first["entries"]) == 4 and len(rest["entries"]) == 2 and rest["next_cursor"] is None
    assert first["entries"] + rest["entries"] == entries(api, admin_headers)["entries"]
    later = entries(api, admin_headers, after="2026-03-02T09:02:10Z")["entries"]
    assert [e["at"] for e in later] == ["2026-03-02T09:03:10Z", "2026-03-02T09:04:10Z"]


def test_the_log_is_for_admins_and_a_bad_after_is_named(api, accounts, admin_headers):
    staff_member = accounts.sign_in(accounts.create("staff"))

    assert api.get("/v1/audit", headers=accounts.bearer(staff_member)).status_code == 403
    assert api.get("/v1/audit").status_code == 401
    bad = api.get("/v1/audit", query_string={"after": "yesterday"}, headers=admin_headers)
    assert bad.status_code == 422 and "after" in bad.get_json()["errors"]
    assert api.get("/v1/audit", query_string={"limit": 0}, headers=admin_headers).status_code == 422
