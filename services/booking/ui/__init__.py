"""The client's booking page, served by the booking service at `/` (static files, no build step)."""
from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("ui", __name__, static_folder="static", static_url_path="/ui/static")


@blueprint.get("/")
def index():
    return "Attune booking page: coming soon", 200
