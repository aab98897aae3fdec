"""/docs in Chromium with every request beyond the service refused: Swagger UI still renders the API
(its assets come from the service), and the page's CSP reports no violation."""
from __future__ import annotations

import threading
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(make_container):
    from services.notifications.entrypoints.flask_app import create_app

    server = make_server("127.0.0.1", 0, create_app(make_container("notifications")), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_api_docs_render_offline_under_their_content_security_policy(browser, served):
    context = browser.new_context()
    page = context.new_page()
    refused, problems = [], []

    def only_the_service(route):
        if urlparse(route.request.url).netloc == urlparse(served).netloc:
            return route.continue_()
        refused.append(route.request.url)
        return route.abort()

    context.route("**/*", only_the_service)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(f"{served}/docs")
        page.wait_for_selector(".opblock", timeout=15000)
        operations = page.locator(".opblock").count()
        title = page.locator(".info .title").inner_text()
    finally:
        context.close()

    assert operations >= 4, "the operations of the document are listed"
    assert "Notifications" in title
    assert refused == [], "nothing outside the service was even asked for"
    assert problems == [], problems
