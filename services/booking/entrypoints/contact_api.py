"""/v1/contact-requests: "contact me when a time like this is free"; staff list and close them."""
from __future__ import annotations

from flask import Response, current_app, render_template, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from services.booking.domain.model import Client
from services.booking.entrypoints import idempotency
from services.booking.entrypoints.auth import staff_only
from services.booking.entrypoints.holds_api import client_quota
from services.booking.entrypoints.schemas import ContactIn, IdOut
from services.booking.entrypoints.staff_schemas import (
    StaffContactListOut,
    StaffContactQuery,
    StaffContactRequestOut,
    TriageIn,
)
from services.booking.service_layer import contact_requests, rate_limit
from services.booking.service_layer.access import list_scope
from shared.access import current_principal

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
@staff_only
@blp.arguments(StaffContactQuery(), location="query")
@blp.response(200, StaffContactListOut)
@blp.doc(security=TOKEN)
def listing(query):
    """Contact requests, newest first, with the slots each was offered (admin, staff; a clinician those
    naming them): a read that is audited."""
    principal = current_principal()
    found = contact_requests.staff_listing(_uow(), principal, query.get("status"),
                                           list_scope(principal, query.get("clinician_id")), query["limit"])
    return {"contact_requests": found}


@blp.route("/contact-requests/<request_id>", methods=["GET"])
@staff_only
@blp.response(200, StaffContactRequestOut)
@blp.doc(security=TOKEN)
def read(request_id):
    """One contact request (admin, staff; a clinician one naming them): audited."""
    return contact_requests.staff_read(_uow(), current_principal(), request_id)


@blp.route("/contact-requests/<request_id>", methods=["PATCH"])
@staff_only
@blp.arguments(TriageIn())
@blp.response(200, StaffContactRequestOut)
@blp.doc(security=TOKEN)
def triage(body, request_id):
    """Triage (admin, staff; a clinician one naming them): `status` open, in_progress or closed (only
    `open` ones are offered freed slots; a booked one can only be closed) and a staff `note`; audited."""
    return contact_requests.triage(_uow(), current_principal(), request_id, body.get("status"), body.get("note"))


@blp.route("/contact-requests/<request_id>/close", methods=["POST"])
@staff_only
@blp.response(200, IdOut)
@blp.doc(security=TOKEN)
def close(request_id):
    """Close a contact request (as PATCH with status closed): it is offered no more slots."""
    return contact_requests.triage(_uow(), current_principal(), request_id, "closed", None)


def _uow():
    return current_app.extensions["attune"].extra["uow"]



@blp.route("/contact-requests/<request_id>/verify", methods=["GET"], endpoint="verify_page")
@blp.arguments(VerifyQuery(), location="query")
def verify_page(query, request_id):
    """The link mailed to the client: a page with one button that confirms (POST). Opening the link
    confirms nothing, so mail scanners that follow every link cannot verify a stranger's request."""
    return _page(confirmed=False)


@blp.route("/contact-requests/<request_id>/verify", methods=["POST"])
@blp.arguments(VerifyQuery(), location="query")
@blp.response(200, IdOut)
def verify(query, request_id):
    """Confirms the client's email, so their request is open and may be offered slots (the page's
    button; JSON for other clients); 404 for a wrong or unknown link."""
    found = contact_requests.verify(current_app.extensions["attune"].extra["uow"], request_id, query["token"])
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":  # the page's form
        return _page(confirmed=True)
    return {"id": found.id, "status": found.status}


def _page(confirmed: bool) -> Response:
    settings = current_app.extensions["attune"].settings
    html = render_template("booking_ui/verified.html", confirmed=confirmed, practice=settings.practice_name,
                           practice_phone=settings.practice_phone, practice_email=settings.practice_email)
    return Response(html, mimetype="text/html")


idempotency.admits_itself("contact_requests.create")
