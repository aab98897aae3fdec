"""`Idempotency-Key` on every POST: the same key and request get the first answer back.

A key is claimed (a row written) only for a request that was routed, passed its schema and its
credential check and was admitted by its rate limits: views that check those themselves claim at
that point (`admitted()`); the others claim before they run, once routed. Refusals (401, 403, 404,
422, 428, 429) and 5xx keep no row: a retry may succeed."""
from __future__ import annotations

import hashlib
import json
import logging

from flask import Response, abort, current_app, g, request

from services.booking.service_layer import idempotency as guard
from shared.web import ProblemError

log = logging.getLogger("attune.booking")
HEADER = "Idempotency-Key"
SELF_ADMITTING: set[str] = set()  # endpoints whose views call admitted() once they admit the request
KEPT_REFUSALS = (409, 410)  # answers about the state of things, the same on a retry


def admits_itself(endpoint: str) -> None:
    SELF_ADMITTING.add(endpoint)


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
    if request.url_rule is None or request.routing_exception is not None:  # 404/405: nothing to remember
        return None
    if not 1 <= len(key) <= 255:
        raise ProblemError(422, "Unprocessable Entity", f"{HEADER} must be 1 to 255 characters.",
                           {HEADER: ["Must be 1 to 255 characters."]})
    g.idempotency_pending = key
    if request.endpoint in SELF_ADMITTING:
        return None
    return _claim_pending()


def admitted() -> None:
    """The view admitted its request: claim its key now, or answer with the stored first answer."""
    replay = _claim_pending()
    if replay is not None:
        abort(replay)


def _claim_pending():
    key = g.pop("idempotency_pending", None)
    if key is None:
        return None
    container = current_app.extensions["attune"]
    replay = guard.begin(container.extra["uow"], key, _fingerprint())
    if replay is not None:
        resp = Response(replay.body, status=replay.status, content_type=replay.content_type)
        resp.headers["Idempotent-Replayed"] = "true"
        return resp
    g.idempotency_key = key
    return None


def store(resp):
    g.pop("idempotency_pending", None)
    key = g.pop("idempotency_key", None)
    if key is None:
        return resp
    container = current_app.extensions["attune"]
    try:
        if resp.status_code >= 500 or (resp.status_code >= 400 and resp.status_code not in KEPT_REFUSALS):
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
