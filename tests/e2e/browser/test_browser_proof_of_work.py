"""Past the hold threshold the booking page solves the proof-of-work challenge itself (Web Crypto),
so a real client is never stuck; a contact request with an email tells the client to check it."""
from __future__ import annotations

import pytest

from tests.e2e.browser.conftest import _start
from tests.e2e.browser.pageutil import bookable_clinician
from tests.support import api

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def challenging_site(tmp_path_factory):
    """Every hold after the first from this address needs a proof of work."""
    system = _start(tmp_path_factory, "browser-pow", {"HOLD_CHALLENGE_AFTER": "1", "HOLD_MAX_LIVE_PER_ADDRESS": "10",
                                                      "HOLD_CHALLENGE_MAX_NUMBER": "20000"},
                    services=("availability", "booking"))
    yield system
    system.stop()


def test_the_booking_page_answers_a_challenge_by_itself_and_holds_the_slot(challenging_site, page_factory):
    site = challenging_site
    clinician = bookable_clinician(site)  # its probe hold was this address's first
    start = sorted(api.slot_starts(site, clinician_id=clinician["id"]))[0]
    page, _ = page_factory()
    answers = []
    page.on("response", lambda r: answers.append(r.status) if r.url.endswith("/v1/holds") else None)
    page.goto(site.url("booking", "/"))

    held = page.evaluate("""async ([cid, start]) => {
        const api = await import("/ui/static/js/api.js");
        const hold = await api.placeHold(cid, start);
        return { id: hold.id, status: hold.status };
    }""", [clinician["id"], start])

    assert held["status"] == "held" and held["id"]
    assert answers == [428, 201]
