"""/v1/contact-requests: "contact me when a time like this is free"; staff list and close them."""
from __future__ import annotations

from flask import Response, current_app, render_template, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from services.booking.domain.model import Client
from services.booking.entrypoints import idempotency
from services.booking.entrypoints.auth import admin_only
from services.booking.entrypoints.holds_api import client_quota
from services.booking.entrypoints.schemas import ContactIn, ContactListOut, ContactListQuery, IdOut
from services.booking.service_layer import contact_requests, rate_limit

blp = Blueprint("contact_requests", __name__, url_prefix="/v1", description="Contact requests with time wishes.")
TOKEN = [{"bearer": []}]
WISHES = ("clinician_id", "modality", "population", "message")


class VerifyQuery(Schema):
    token = fields.String(required=True, validate=validate.Length(1, 200))


@blp.route("/contact-requests", methods=["POST"])
@blp.arguments(ContactIn())
@blp.response(201, IdOut)
def create(body):
    """Ask to be contacted; at least one of email and phone."""
    c = current_app.extensions["attune"]
    rate_limit.limit(c.extra["uow"], client_quota("contact"))
    rate_limit.limit(c.extra["uow"], client_quota("contact-hour", c.settings.contact_requests_per_hour, 3600))
    idempotency.admitted()
    client = Client(body["name"].strip(), body.get("email"), body.get("phone"))
    request = contact_requests.create(c.extra["uow"], client, body["time_zone"], body["preferred_times"],
                                      **{k: body.get(k) for k in WISHES})
    return {"id": request.id, "status": request.status}


@blp.route("/contact-requests", methods=["GET"])
@admin_only
@blp.arguments(ContactListQuery(), location="query")
@blp.response(200, ContactListOut)
@blp.doc(security=TOKEN)
def listing(query):
    """Contact requests, newest first, with the slots each was offered (admin)."""
    found = contact_requests.listing(current_app.extensions["attune"].extra["uow"], query.get("status"),
                                     query["limit"])
    return {"contact_requests": found}


@blp.route("/contact-requests/<request_id>/close", methods=["POST"])
@admin_only
@blp.response(200, IdOut)
@blp.doc(security=TOKEN)
def close(request_id):
    """Close a contact request (admin): it is offered no more slots."""
    request = contact_requests.close(current_app.extensions["attune"].extra["uow"], request_id)
    return {"id": request.id, "status": request.status}


@blp.route("/contact-requests/<request_id>/verify", methods=["GET", "POST"])
@blp.arguments(VerifyQuery(), location="query")
@blp.response(200, IdOut)
def verify(query, request_id):
    """The link mailed to the client: confirms their email, so their request is open and may be offered
    slots (HTML for a browser, JSON otherwise); 404 for a wrong or unknown link."""
    found = contact_requests.verify(current_app.extensions["attune"].extra["uow"], request_id, query["token"])
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":  # a browser
        return Response(render_template("booking_ui/verified.html",
                                        practice=current_app.extensions["attune"].settings.practice_name),
                        mimetype="text/html")
    return {"id": found.id, "status": found.status}


idempotency.admits_itself("contact_requests.create")
