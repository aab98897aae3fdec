"""`GET /`: the practice console (static HTML, CSS and ES modules from services/staff/ui, no build step)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from flask import Blueprint, current_app, render_template

UI = Path(__file__).resolve().parents[1] / "ui"
bp = Blueprint("console", __name__, static_folder=str(UI / "static"), static_url_path="/console/static",
               template_folder=str(UI / "templates"))
POLL_SECONDS = 4
OTHERS = ("availability", "booking", "notifications")


def _settings():
    return current_app.extensions["attune"].settings


def _origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def console_config(settings) -> dict:
    """What the console's scripts need: where each service answers (the console calls them directly)."""
    return {"practiceName": settings.practice_name,
            "practiceTimeZone": getattr(settings, "practice_time_zone", None),
            "services": {**{s: settings.public_url.get(s, "") for s in OTHERS}, "staff": ""},
            "pollSeconds": POLL_SECONDS, "slotMinutes": settings.slot_minutes}


def csp(settings) -> str:
    """shared.web's strict policy, with the other services' origins the console calls."""
    connect = " ".join(dict.fromkeys(filter(None, ["'self'", *(_origin(settings.public_url.get(s, ""))
                                                               for s in OTHERS)])))
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src {connect}; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


@bp.after_request
def _console_policy(resp):
    """Only the console's own answers get this policy (before shared.web's default, which then keeps it)."""
    if resp.mimetype == "text/html":
        resp.headers["Content-Security-Policy"] = csp(_settings())
        resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/")
def console():
    settings = _settings()
    return render_template("console/index.html", practice_name=settings.practice_name,
                           config=console_config(settings))


@bp.get("/console/config.json")
def config():
    return console_config(_settings())
