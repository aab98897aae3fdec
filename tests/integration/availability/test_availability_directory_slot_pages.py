"""GET /v1/slots in pages: `limit` and an opaque `cursor`, in the stable order (start, clinician)."""
import pytest

pytestmark = pytest.mark.integration


def get(client, query):
    resp = client.get(f"/v1/slots?{query}")
    assert resp.status_code == 200, resp.json
    return resp.json


def all_pages(client, query, limit):
    slots, cursor, pages = [], None, 0
    while True:
        page = get(client, f"{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        slots += page["slots"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return slots, pages


def test_pages_join_into_exactly_the_whole_list_in_start_then_clinician_order(client, make_clinician, every_day):
    for zone in ("UTC", "Europe/London", "America/New_York"):
        make_clinician(weekly=every_day("14:00", "16:00"), time_zone=zone)
    whole = get(client, "tz=Europe/Berlin&limit=5000")

    paged, pages = all_pages(client, "tz=Europe/Berlin", 7)

    assert whole["next_cursor"] is None and len(whole["slots"]) == 3 * 8 * 7
    assert paged == whole["slots"] and pages == len(paged) // 7 + (1 if len(paged) % 7 else 0)
    assert [(s["start"], s["clinician_id"]) for s in paged] == sorted((s["start"], s["clinician_id"]) for s in paged)


def test_a_slot_taken_between_pages_moves_nothing_else(client, make_clinician, every_day, container):
    from datetime import UTC, datetime, timedelta

    from services.availability.adapters import repository as repo

    clinician_id = make_clinician(weekly=every_day("14:00", "16:00"), time_zone="UTC")
    first = get(client, "limit=4")
    taken = first["slots"][1]["start"]
    with container.db.write() as session:
        at = datetime.fromisoformat(taken)
        repo.put_booking(session, "bk_1", {"clinician_id": clinician_id, "start": at, "end": at + timedelta(minutes=15),
                                           "status": "confirmed", "expires_at": None}, 1, datetime.now(UTC))

    second = get(client, f"limit=4&cursor={first['next_cursor']}")

    assert second["slots"][0]["start"] == "2026-03-04T15:00:00Z"


def test_one_clinicians_week_filters_and_narrowing_page_too(client, make_clinician, every_day):
    wanted = make_clinician(weekly=every_day("14:00", "18:00"), time_zone="UTC", modalities=["ddp"])
    make_clinician(weekly=every_day("14:00", "18:00"), time_zone="UTC", modalities=["eft"])

    mine, _ = all_pages(client, f"clinician_id={wanted}", 50)
    ddp, _ = all_pages(client, "modality=ddp&start=2026-03-06&end=2026-03-07", 5)

    assert len(mine) == 7 * 16 and {s["clinician_id"] for s in mine} == {wanted}
    assert len(ddp) == 2 * 16 and {s["clinician_id"] for s in ddp} == {wanted}


def test_a_large_practice_is_answered_a_thousand_slots_at_a_time_unless_asked_otherwise(
        client, make_clinician, every_day):
    for _ in range(3):
        make_clinician(weekly=every_day("00:00", "24:00"), time_zone="UTC")

    page = get(client, "")

    assert len(page["slots"]) == 1000 and page["next_cursor"]
    rest, _ = all_pages(client, "", 5000)
    assert len(rest) == 3 * (7 * 96 - 8 + 1)


def test_a_limit_out_of_range_or_a_made_up_cursor_is_refused_naming_the_field(client):
    for query, field in (("limit=0", "limit"), ("limit=5001", "limit"), ("cursor=bm8tY29sb24", "cursor"),
                         ("cursor=%%%", "cursor")):
        resp = client.get(f"/v1/slots?{query}")
        assert resp.status_code == 422 and field in resp.json["errors"], (query, resp.json)
