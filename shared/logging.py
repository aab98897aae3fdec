"""Structured JSON logs with request and event ids; client personal data never gets written."""
from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

from shared import privacy

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # what a client's X-Request-ID may be to be kept
PII_KEYS = privacy.redacted_log_keys()  # the one policy: client details and secrets


def safe_request_id(value: str | None) -> str | None:
    """A client-given request id, kept only in a bounded, inert form: it is copied into events, the
    feed, webhooks and logs, and echoed back in a header."""
    return value if value and SAFE_REQUEST_ID.fullmatch(value) else None


class ContextFilter(logging.Filter):
    """Adds the request id and drops personal-data fields someone passed as `extra`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        for key in [k for k in record.__dict__ if k in PII_KEYS or privacy.is_secret(k)]:
            if key != "name":  # LogRecord.name is the logger's name
                setattr(record, key, "[redacted]")
        return True


def configure(service: str, level: str = "INFO", stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                       rename_fields={"levelname": "level", "asctime": "time"},
                                       static_fields={"service": service}))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("amqp", "kombu", "pika", "apscheduler", "urllib3"):
        logging.getLogger(noisy).setLevel("WARNING")
