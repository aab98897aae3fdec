"""/v1/erasures: an admin erases one person's client details in every service now (issue 15)."""
from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.booking.service_layer import erasure
from shared.access import authorize
from shared.web import ProblemSchema

blp = Blueprint("erasures", __name__, url_prefix="/v1",
                description="Erasure of one person's client details, on their request (admin).")
ADMIN = [{"bearer": []}]


class ErasureIn(Schema):
    email = fields.String(validate=validate.Length(min=1, max=320), metadata={"description": "as the person gave it"})
    phone = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "any format; compared "
                                                                                         "in E.164"})

    @validates_schema
    def _one_of_them(self, data, **kwargs):
        if not (data.get("email") or "").strip() and not (data.get("phone") or "").strip():
            raise ValidationError("give the person's email or phone (or both)", "email")


class ErasureOut(Schema):
    erasure_id = fields.String(allow_none=True, metadata={
        "description": "the id in the client_data.erased event every service applies; null when nothing was kept"})
    bookings = fields.Integer(metadata={"description": "bookings and holds whose client details were erased "
                                                       "(upcoming ones cancelled first)"})
    contact_requests = fields.Integer()


@blp.route("/erasures", methods=["POST"])
@blp.arguments(ErasureIn())
@blp.response(200, ErasureOut)
@blp.alt_response(401, schema=ProblemSchema, content_type="application/problem+json",
                  description="Missing, expired, revoked or forged credential")
@blp.alt_response(403, schema=ProblemSchema, content_type="application/problem+json", description="Not an admin")
@blp.doc(security=ADMIN)
def erase(body):
    """Erase a person's client details everywhere (admin, audited): their upcoming bookings are cancelled, then
    every booking, hold and contact request of theirs forgets them; publishes client_data.erased (ids only)."""
    who = authorize("admin")
    done = erasure.erase_person(current_app.extensions["attune"].extra["uow"], who, body.get("email"),
                                body.get("phone"))
    return {"erasure_id": done.erasure_id, "bookings": done.bookings, "contact_requests": done.contact_requests}
