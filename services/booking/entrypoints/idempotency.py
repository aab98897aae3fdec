"""`Idempotency-Key` on every POST: the same key and request get the first answer back."""
from __future__ import annotations

import hashlib
import json
import logging

from flask import Response, current_app, g, request

from services.booking.service_layer import idempotency as guard
from shared.web import ProblemError

log = logging.getLogger("attune.booking")
HEADER = "Idempotency-Key"


def _fingerprint() -> str:
    try:
        body = json.dumps(request.get_json(silent=False), sort_keys=True, separators=(",", ":"))
    except Exception:  # noqa: BLE001 - not JSON: compare the raw bytes
        body = request.get_data(as_text=True)
    parts = (request.method, request.path, request.query_string.decode(), body,
             hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest(),
             request.headers.get("X-Hold-Session", ""))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def claim():
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None or not request.path.startswith("/v1/"):
        return None
    if not 1 <= len(key) <= 255:
        raise ProblemError(422, "Unprocessable Entity", f"{HEADER} must be 1 to 255 characters.",
                           {HEADER: ["Must be 1 to 255 characters."]})
    container = current_app.extensions["attune"]
    replay = guard.begin(container.extra["uow"], key, _fingerprint())
    if replay is not None:
        resp = Response(replay.body, status=replay.status, content_type=replay.content_type)
        resp.headers["Idempotent-Replayed"] = "true"
        return resp
    g.idempotency_key = key
    return None


def store(resp):
    key = g.pop("idempotency_key", None)
    if key is None:
        return resp
    container = current_app.extensions["attune"]
    try:
        if resp.status_code >= 500 or resp.status_code == 429:
            guard.abandon(container.extra["uow"], key)
        else:
            guard.finish(container.extra["uow"], key, resp.status_code, resp.content_type,
                         resp.get_data(as_text=True))
    except Exception:
        log.exception("idempotency key not stored")
    return resp


def install(app) -> None:
    app.before_request(claim)
    app.after_request(store)
