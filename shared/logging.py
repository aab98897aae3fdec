"""Structured JSON logs with request and event ids; client personal data never gets written."""
from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
PII_KEYS = frozenset({"name", "email", "phone", "notes", "client", "message", "token", "manage_token"})


class ContextFilter(logging.Filter):
    """Adds the request id and drops personal-data fields someone passed as `extra`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        for key in PII_KEYS & record.__dict__.keys():
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
