"""JSON logs: request ids ride along, personal data passed as fields never gets written."""
from __future__ import annotations

import io
import json
import logging

import pytest

from shared import logging as attune_logging


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    attune_logging.configure("booking", "INFO", stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def test_every_line_is_json_with_service_level_logger_and_request_id(log_lines):
    token = attune_logging.request_id.set("req-7")
    try:
        logging.getLogger("attune.test").info("hold placed", extra={"event_id": "ev-1", "booking_id": "bk-1"})
    finally:
        attune_logging.request_id.reset(token)

    [line] = log_lines()
    assert line["message"] == "hold placed"
    assert (line["service"], line["level"], line["name"]) == ("booking", "INFO", "attune.test")
    assert (line["request_id"], line["event_id"], line["booking_id"]) == ("req-7", "ev-1", "bk-1")


def test_personal_data_passed_as_fields_is_redacted(log_lines):
    logging.getLogger("attune.test").info("confirmed", extra={
        "email": "alex@example.org", "phone": "+1 555 0100", "client": {"name": "Alex"}, "notes": "anxious",
        "manage_token": "mt_secret", "booking_id": "bk-1"})

    [line] = log_lines()
    raw = json.dumps(line)
    for secret in ("alex@example.org", "555 0100", "Alex", "anxious", "mt_secret"):
        assert secret not in raw
    assert line["email"] == line["client"] == line["notes"] == "[redacted]"
    assert line["booking_id"] == "bk-1"


def test_the_logger_name_is_kept(log_lines):
    logging.getLogger("attune.consumer").warning("event dead-lettered")

    assert log_lines()[0]["name"] == "attune.consumer"


def test_without_a_request_the_request_id_is_null(log_lines):
    logging.getLogger("attune.test").info("tick")

    assert log_lines()[0]["request_id"] is None
