"""The page's HTML shell carries the practice's configuration safely (no browser, no services needed)."""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
from flask import Flask

from services.booking.ui import blueprint, colors
from shared import config


def _client(**env):
    settings = config.load("booking", {"BOOKING_DATABASE_URL": "sqlite://", **env})
    app = Flask("shell-test")
    app.extensions["attune"] = SimpleNamespace(settings=settings)
    app.register_blueprint(blueprint)
    return app.test_client()


def _island(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="attune-config">(.*?)</script>', html, re.DOTALL)
    assert found, "the page carries its configuration"
    return json.loads(found.group(1))


def test_the_page_names_the_practice_shows_its_crisis_notice_and_points_at_the_availability_api():
    resp = _client(PRACTICE_NAME="Secure Base Counselling", CRISIS_NOTICE="Call 116 123 in the UK.",
                   AVAILABILITY_PUBLIC_URL="https://slots.example.org/").get("/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert "<title>Book a free consultation call · Secure Base Counselling</title>" in html
    assert 'data-crisis-notice>Call 116 123 in the UK.</span>' in html
    island = _island(html)
    assert island["availabilityUrl"] == "https://slots.example.org"
    assert island["practiceName"] == "Secure Base Counselling"
    assert "connect-src 'self' https://slots.example.org" in resp.headers["Content-Security-Policy"]
    assert resp.headers["Referrer-Policy"] == "no-referrer"


def test_markup_in_the_practice_settings_is_shown_as_text_never_run():
    resp = _client(PRACTICE_NAME='</script><script>alert(1)</script>', CRISIS_NOTICE="<b>bold</b>",
                   BRAND_COLOR="red;}</style><script>alert(2)</script>").get("/")
    html = resp.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert _island(html)["practiceName"] == "</script><script>alert(1)</script>"
    assert f"--brand: {colors.DEFAULT};" in html, "a colour that is not #rgb or #rrggbb falls back to the default"


@pytest.mark.parametrize("configured", ["#ffd700", "#88ccee", "#2f6f62", "#000", "#ffffff"])
def test_any_brand_colour_is_darkened_until_white_text_on_it_and_it_as_text_pass_wcag_aa(configured):
    palette = colors.palette(configured)
    brand = colors.parse(palette["brand"])
    assert colors.contrast(brand, (255, 255, 255)) >= 4.5
    assert colors.contrast(brand, colors.parse(colors.PAGE_BACKGROUND)) >= 4.5
    assert colors.contrast(colors.parse(palette["brand_strong"]), colors.parse(palette["brand_soft"])) >= 4.5


def test_a_dark_enough_brand_colour_is_kept_as_configured():
    assert colors.palette("#2f6f62")["brand"] == "#2f6f62"


def test_the_scripts_and_styles_are_served_with_their_types():
    client = _client()
    js = client.get("/ui/static/js/app.js")
    css = client.get("/ui/static/css/app.css")
    assert js.status_code == 200 and js.mimetype in ("text/javascript", "application/javascript")
    assert css.status_code == 200 and css.mimetype == "text/css"
