"""GET /$bulk-publish and its NDJSON files: the SMART Scheduling Links publisher of open consultation slots."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

from flask import Response, current_app, request
from flask_smorest import Blueprint
from marshmallow import ValidationError

from services.availability.domain.model import Invalid
from services.availability.service_layer import bulk_publish
from shared.events import UtcDateTime
from shared.web import ProblemError

blp = Blueprint("bulk_publish", __name__, url_prefix="/$bulk-publish",
                description="SMART Scheduling Links: where slot finders read the practice's open consultation times.")
NDJSON = "application/fhir+ndjson"
SLOT_FILE = re.compile(r"slots-(\d{4}-\d\d-\d\d)\.ndjson")
SINCE = {"name": "_since", "in": "query", "required": False, "schema": {"type": "string", "format": "date-time"},
         "description": "only what changed after this instant (`since` is accepted too)"}
CONDITIONAL = {"304": {"description": "unchanged since the ETag (If-None-Match) or date (If-Modified-Since)"}}


def _container():
    return current_app.extensions["attune"]


def _files() -> bulk_publish.Files:
    fresh = timedelta(seconds=current_app.extensions["attune"].settings.bulk_publish_fresh_seconds)
    return current_app.extensions.setdefault("attune.bulk_publish", bulk_publish.Files(fresh=fresh))


def _since() -> datetime | None:
    raw = request.args.get("_since") or request.args.get("since")
    if not raw:
        return None
    try:  # the shared field: an offset required, within the range every service takes (no OverflowError)
        return UtcDateTime().deserialize(raw.strip().replace(" ", "+"))
    except ValidationError:
        raise Invalid({"_since": ["must be an ISO 8601 instant with its offset, e.g. 2026-03-04T12:00:00Z"]}) from None


def _conditional(etag: str, modified: datetime, body_of, mimetype: str) -> Response:
    """304 when the client's copy is current (ETag first, then the date); otherwise the body, cacheable."""
    last = modified.replace(microsecond=0)
    fresh = request.if_none_match.contains_weak(etag) if request.if_none_match else (
        request.if_modified_since is not None and request.if_modified_since >= last)
    resp = Response(status=304) if fresh else Response(body_of(), mimetype=mimetype)
    resp.set_etag(etag)
    resp.last_modified = last
    resp.headers["Cache-Control"] = "public, max-age=60"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


@blp.route("")
@blp.doc(parameters=[SINCE], responses={"200": {"description": "the manifest: transactionTime, request, output "
                                                               "(Location, Schedule and Slot NDJSON URLs)"},
                                        **CONDITIONAL})
def manifest():
    """The bulk publication manifest (poll it every minute or so; it answers 304 while nothing changed)"""
    container, since = _container(), _since()
    base = container.settings.public_url["availability"] + "/$bulk-publish"
    version = bulk_publish.version(container)
    url = base + (f"?{request.query_string.decode()}" if request.query_string else "")
    body = lambda: json.dumps(bulk_publish.manifest(container, base, url, since))
    return _conditional(version.etag("manifest", since), version.transaction_time, body, "application/json")


@blp.route("/<name>")
@blp.doc(parameters=[SINCE], responses={"200": {"description": "one FHIR R4 resource per line",
                                                "content": {NDJSON: {}}},
                                        "404": {"description": "no such file"}, **CONDITIONAL})
def ndjson(name: str):
    """A file the manifest lists: locations.ndjson, schedules.ndjson, or slots-YYYY-MM-DD.ndjson (UTC day)"""
    container, since = _container(), _since()
    build = _builder(container, name, since)
    version, body = _files().get((name, since), bulk_publish.version(container), container.clock.now(), build)
    return _conditional(version.etag(name, since), version.transaction_time, lambda: body, NDJSON)


def _builder(container, name: str, since: datetime | None):
    if name == "locations.ndjson":
        return lambda: bulk_publish.location(container)
    if name == "schedules.ndjson":
        return lambda: bulk_publish.schedules(container, since)
    day = _day(name)
    if day is not None and day in bulk_publish.days(container):
        return lambda: bulk_publish.slots(container, day, since)
    raise ProblemError(404, "Not Found", f"No file {name!r} is published; the manifest lists those that are.")


def _day(name: str) -> date | None:
    match = SLOT_FILE.fullmatch(name)
    try:
        return date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None
