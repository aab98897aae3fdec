"""The client's booking page, served by the booking service at `/` (static files, no build step)."""
from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlparse

from flask import Blueprint, current_app, render_template, send_from_directory

from services.booking.ui import colors
from shared import taxonomy

blueprint = Blueprint("ui", __name__, static_folder="static", static_url_path="/ui/static",
                      template_folder="templates")


def page_config(settings) -> dict:
    """What the page needs to know, as the JSON island the scripts read."""
    return {
        "practiceName": settings.practice_name,
        "crisisNotice": settings.crisis_notice,
        "availabilityUrl": settings.public_url.get("availability", ""),
        "bookingUrl": "",
        "slotMinutes": settings.slot_minutes,
        "lookaheadDays": settings.lookahead_days,
        # How clients reach the practice (footer, error notices), the page's one locale (its texts are
        # English; dates and times follow PRACTICE_LOCALE, never the browser's), the practice's labels.
        "practicePhone": settings.practice_phone,
        "practiceEmail": getattr(settings, "practice_email", None),
        "locale": getattr(settings, "practice_locale", None) or "en-US",
        "taxonomy": taxonomy.of(settings).as_json(),
    }


def _origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _security_headers(nonce: str, availability_url: str, embed_origins=("'self'",)) -> dict[str, str]:
    """The page's CSP; frame-ancestors lets the practice's own site embed it (BOOKING_EMBED_ORIGINS)."""
    connect = " ".join(filter(None, ["'self'", _origin(availability_url)]))
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data: blob:; "
            f"connect-src {connect}; frame-ancestors {' '.join(embed_origins)}; base-uri 'none'; "
            "form-action 'self'"),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }


@blueprint.get("/")
def index():
    settings = current_app.extensions["attune"].settings
    config = page_config(settings)
    nonce = secrets.token_urlsafe(16)
    html = render_template("booking_ui/index.html", config=config, palette=colors.palette(settings.brand_color),
                           practice_name=settings.practice_name, crisis_notice=settings.crisis_notice, nonce=nonce,
                           practice_phone=config["practicePhone"], practice_email=config["practiceEmail"])
    return html, 200, _security_headers(nonce, config["availabilityUrl"], settings.booking_embed_origins)


@blueprint.get("/embed.js")
def embed_script():
    """The embedding snippet's script (see the top of static/js/embed.js, and the README): it frames this page."""
    folder = Path(blueprint.static_folder) / "js"
    resp = send_from_directory(folder, "embed.js", mimetype="text/javascript", max_age=3600)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
