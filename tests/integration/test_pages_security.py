"""HTML pages of every service: Swagger UI from the installed package (no third-party URL), a
Content-Security-Policy on each, nosniff and no referrer on every answer; the booking page framable
only by BOOKING_EMBED_ORIGINS."""
from __future__ import annotations

import importlib
import re

import pytest

from shared import config

pytestmark = pytest.mark.integration
SERVICES = ("availability", "booking", "notifications", "staff")


def client(make_container, service: str, **env):
    container = make_container(service, **env)
    return importlib.import_module(f"services.{service}.entrypoints.flask_app").create_app(container).test_client()


def directives(res) -> dict[str, str]:
    policy = res.headers.get("Content-Security-Policy", "")
    return {d.split(" ", 1)[0]: d.split(" ", 1)[-1] for d in (p.strip() for p in policy.split(";")) if d}


@pytest.mark.parametrize("service", SERVICES)
def test_docs_load_swagger_ui_from_the_service_itself_under_a_strict_policy(make_container, service):
    http = client(make_container, service)

    page = http.get("/docs")
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)

    assert page.status_code == 200 and page.mimetype == "text/html"
    assert not re.search(r"https?://", html), "no external URL: the page works offline and trusts no CDN"
    assert "<script>" not in html, "no inline script, so script-src needs no 'unsafe-inline'"
    assert len(assets) == 5 and all(a.startswith("/docs/assets/") for a in assets)
    for asset in assets:
        res = http.get(asset)
        assert res.status_code == 200 and len(res.data) > 100, asset
        assert res.headers["X-Content-Type-Options"] == "nosniff"
    csp = directives(page)
    assert csp["script-src"] == "'self'" and csp["default-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert http.get("/docs/assets/index.html").status_code == 404, "only the assets the page needs"
    assert http.get("/openapi.json").headers["X-Content-Type-Options"] == "nosniff"


def test_the_booking_page_may_be_framed_by_itself_and_the_configured_practice_site_only(make_container):
    default = client(make_container, "booking").get("/")
    embedded = client(make_container, "booking",
                      BOOKING_EMBED_ORIGINS="https://www.example-practice.org, 'self'").get("/")

    assert directives(default)["frame-ancestors"] == "'self'"
    assert directives(embedded)["frame-ancestors"] == "https://www.example-practice.org 'self'"
    assert directives(embedded)["script-src"] == "'self'"
    assert default.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("value", ["https://x.org; script-src *", "https://x.org/path", "javascript:alert(1)", "*"])
def test_an_embed_origin_that_would_change_the_policy_is_refused_at_start(value):
    with pytest.raises(config.ConfigError, match="BOOKING_EMBED_ORIGINS"):
        config.load("booking", {"BOOKING_EMBED_ORIGINS": value, "ATTUNE_ADMIN_TOKEN": "x" * 8 + "Vq8xK2pLm9RzW4nY7c"})


def test_an_html_page_without_a_policy_of_its_own_gets_the_strict_default(make_container):
    from services.notifications.entrypoints.flask_app import create_app

    app = create_app(make_container("notifications"))
    app.add_url_rule("/a-page", "a_page", lambda: "<!doctype html><p>hello</p>")  # sets no policy itself
    page = app.test_client().get("/a-page")

    assert page.status_code == 200 and page.mimetype == "text/html"
    csp = directives(page)
    assert csp["default-src"] == "'none'" and csp["script-src"] == "'self'" and csp["frame-ancestors"] == "'none'"
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["Referrer-Policy"] == "no-referrer"
