"""GET /v1/directory: the public directory, a page at a time, by first open slot, read from its projection."""
from __future__ import annotations

import json

from flask import Response, current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from services.availability.entrypoints import schemas
from services.availability.service_layer import directory
from shared import taxonomy
from shared.clock import isoformat, utc
from shared.web import ProblemSchema

blp = Blueprint("directory", __name__, url_prefix="/v1/directory",
                description="The directory of clinicians, with each one's next open consultation time.")
MAX_PAGE = 100


class DirectoryPageQuery(schemas.DirectoryQuery):
    page = fields.String(validate=validate.Length(max=1000),
                         metadata={"description": "the `next_page` of the previous answer"})
    page_size = fields.Integer(load_default=20, validate=validate.Range(1, MAX_PAGE))


class DirectoryEntry(schemas.ClinicianOut):
    class Meta:
        exclude = ("email", "active")


class DirectoryPage(Schema):
    clinicians = fields.List(fields.Nested(DirectoryEntry))
    next_page = fields.String(allow_none=True, metadata={"description": "pass as `page` for the next page; "
                                                                         "null on the last"})


def _entry(profile: str, next_available, labels) -> str:
    """A stored profile with the practice's labels of its modalities (from ATTUNE_TAXONOMY, read by this
    process, so the projection holds codes only) and its next open time."""
    entry = json.loads(profile)
    entry["modality_labels"] = [labels.modality_label(m) for m in entry.get("modalities", ())]
    entry["next_available"] = None if next_available is None else isoformat(utc(next_available))
    return json.dumps(entry, separators=(",", ":"))


@blp.route("")
@blp.arguments(DirectoryPageQuery(), location="query")
@blp.response(200, DirectoryPage)
@blp.alt_response(422, schema=ProblemSchema, content_type="application/problem+json",
                  description="a filter, page or page_size this service does not accept")
def list_directory(query):
    """Active clinicians matching the filters, soonest next open time first (none last), then by name

    No email. `next_available` is the UTC start of the clinician's first open slot in the bookable week,
    kept up to date as bookings, schedules and calendars change.
    """
    container = current_app.extensions["attune"]
    labels = taxonomy.of(container.settings)
    found = directory.page(container, query.get("modality"), query.get("population"),
                           query.get("language"), query.get("accepting"), query.get("page") or None,
                           query["page_size"])
    body = ('{"clinicians":[' + ",".join(_entry(p, at, labels) for p, at in found.rows) + '],"next_page":'
            + json.dumps(found.next_page) + "}")
    return Response(body, mimetype="application/json")
