"""/v1/holds: hold a slot, release it, confirm it into a booking."""
from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_smorest import Blueprint

from services.booking.domain.model import Client
from services.booking.entrypoints.schemas import BookingOut, ConfirmIn, HoldIn, HoldOut
from services.booking.entrypoints.views import booking_view
from services.booking.service_layer import holds, rate_limit
from shared.web import bearer_token

blp = Blueprint("holds", __name__, url_prefix="/v1", description="A slot kept for a client while they type.")
TOKEN = [{"bearer": []}]


def _container():
    return current_app.extensions["attune"]


def client_quota(kind: str) -> rate_limit.Quota:
    """Per client address (hashed: addresses are personal data too), HOLDS_PER_MINUTE_PER_ADDRESS."""
    address = hashlib.sha256((request.remote_addr or "-").encode()).hexdigest()[:40]
    return rate_limit.Quota(f"{kind}:{address}", _container().settings.holds_per_minute)


@blp.route("/holds", methods=["POST"])
@blp.arguments(HoldIn())
@blp.response(201, HoldOut)
def place(body):
    """Hold a slot (201), or 409 taken, 422 not bookable, 429 too many holds from this address."""
    c = _container()
    session = body.get("session") or request.headers.get("X-Hold-Session")
    hold, token = holds.place_hold(c.extra["uow"], body["clinician_id"], body["start"], session,
                                   client_quota("holds"))
    return {"id": hold.id, "status": hold.status, "clinician_id": hold.clinician_id, "start": hold.start,
            "end": hold.end, "expires_at": hold.expires_at, "token": token}


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
    booking, manage_token = holds.confirm(_container().extra["uow"], hold_id, bearer_token(), client,
                                          body.get("notes"))
    return {**booking_view(booking), "manage_token": manage_token}
