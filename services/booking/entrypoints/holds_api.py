"""/v1/holds: hold a slot, release it, confirm it into a booking."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from flask import abort, current_app, request
from flask_smorest import Blueprint

from services.booking.domain import challenge
from services.booking.domain.errors import ChallengeRequired
from services.booking.domain.model import Client
from services.booking.entrypoints import idempotency
from services.booking.entrypoints.schemas import BookingOut, ConfirmIn, HoldIn, HoldOut
from services.booking.entrypoints.views import booking_view, with_call
from services.booking.service_layer import holds, rate_limit
from shared.web import bearer_token, problem_response

blp = Blueprint("holds", __name__, url_prefix="/v1", description="A slot kept for a client while they type.")
TOKEN = [{"bearer": []}]


def _container():
    return current_app.extensions["attune"]


def client_address() -> str:
    """The client's address, hashed (addresses are personal data too)."""
    return hashlib.sha256((request.remote_addr or "-").encode()).hexdigest()[:40]


def client_quota(kind: str, per_period: int | None = None, period: int = 60) -> rate_limit.Quota:
    """Per client address; HOLDS_PER_MINUTE_PER_ADDRESS unless another quota is given."""
    limit = per_period if per_period is not None else _container().settings.holds_per_minute
    return rate_limit.Quota(f"{kind}:{client_address()}", limit, period)


def hold_limits() -> holds.HoldLimits:
    """The address's live-hold cap and proof-of-work threshold, with the request's solution if any."""
    c = _container()
    s = c.settings
    return holds.HoldLimits(client_address(), s.hold_max_live_per_address, s.hold_challenge_after,
                            timedelta(minutes=s.hold_challenge_window_minutes),
                            challenge.verified(s.secret_key, request.headers.get(challenge.HEADER), c.clock.now()))


@blp.route("/holds", methods=["POST"])
@blp.arguments(HoldIn())
@blp.response(201, HoldOut)
@blp.alt_response(428, description="A proof of work is needed first: solve `challenge` (ALTCHA, SHA-256) and "
                                   "send the base64 JSON solution in the X-Proof-Of-Work header.")
def place(body):
    """Hold a slot (201), or 409 taken, 422 not bookable, 428 a proof of work first, 429 too many holds
    (or too many live ones) from this address."""
    c = _container()
    session = body.get("session") or request.headers.get("X-Hold-Session")
    idempotency.admitted()
    try:
        hold, token = holds.place_hold(c.extra["uow"], body["clinician_id"], body["start"], session,
                                       client_quota("holds"), hold_limits())
    except ChallengeRequired as e:
        return _challenge_response(e.detail)
    return {"id": hold.id, "status": hold.status, "clinician_id": hold.clinician_id, "start": hold.start,
            "end": hold.end, "expires_at": hold.expires_at, "token": token}


def _challenge_response(detail: str):
    c = _container()
    resp = problem_response(428, "Proof Of Work Required", detail, slug="proof-of-work-required")
    body = resp.get_json()
    body["challenge"] = challenge.new(c.settings.secret_key, c.clock.now(), c.settings.hold_challenge_max_number)
    resp.set_data(json.dumps(body))
    abort(resp)


@blp.route("/holds/<hold_id>", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=TOKEN)
def release(hold_id):
    """Release the hold (Authorization: Bearer <hold token>)."""
    holds.release_hold(_container().extra["uow"], hold_id, bearer_token())


@blp.route("/holds/<hold_id>/confirm", methods=["POST"])
@blp.arguments(ConfirmIn())
@blp.response(201, BookingOut)
@blp.doc(security=TOKEN)
def confirm(body, hold_id):
    """Confirm the hold with the client's details (Bearer <hold token>); 410 once it expired or was released."""
    given = body["client"]
    client = Client(given["name"].strip(), given["email"], given.get("phone"), given.get("time_zone"))
    rate_limit.limit(_container().extra["uow"], client_quota("confirm", _container().settings.confirms_per_minute))
    holds.authorise(_container().extra["uow"], hold_id, bearer_token())  # a read: no key kept for a wrong token
    idempotency.admitted()
    booking, manage_token = holds.confirm(_container().extra["uow"], hold_id, bearer_token(), client,
                                          body.get("notes"))
    return {**with_call(booking_view(booking)), "manage_token": manage_token}


idempotency.admits_itself("holds.place")
idempotency.admits_itself("holds.confirm")
