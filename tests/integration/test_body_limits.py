"""Every web app refuses a body past MAX_BODY_BYTES with a 413 problem before reading it; gunicorn
bounds the request line and headers."""
from __future__ import annotations

import importlib

import pytest

from attune.cli import web_command

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service, path", [("booking", "/v1/holds"), ("availability", "/v1/clinicians"),
                                           ("notifications", "/v1/webhooks")])
def test_a_body_past_the_limit_is_a_413_problem_and_a_small_one_is_parsed(make_container, service, path):
    app = importlib.import_module(f"services.{service}.entrypoints.flask_app").create_app(
        make_container(service, MAX_BODY_BYTES="4096"))
    client = app.test_client()
    big = b"[" + b"1," * 40_000 + b"1]"

    refused = client.post(path, data=big, content_type="application/json", headers={"Idempotency-Key": "k-big"})
    small = client.post(path, json={}, headers={"Idempotency-Key": "k-small"})

    assert refused.status_code == 413 and refused.mimetype == "application/problem+json"
    assert refused.json["status"] == 413 and "4096" in refused.json["detail"]
    assert small.status_code in (401, 422)  # parsed and judged, not refused for its size


def test_gunicorn_bounds_the_request_line_and_headers():
    command = web_command("booking", 8002)

    for flag in ("--limit-request-line", "--limit-request-fields", "--limit-request-field_size"):
        assert flag in command and int(command[command.index(flag) + 1]) > 0
