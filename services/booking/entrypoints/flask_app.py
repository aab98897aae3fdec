"""The booking service's Flask app factory (served by gunicorn)."""
from __future__ import annotations

from services.booking.bootstrap import bootstrap
from services.booking.entrypoints import (
    bookings_api,
    contact_api,
    erasure_api,
    errors,
    events_api,
    holds_api,
    idempotency,
)
from shared.web import create_flask_app


def create_app(container=None):
    container = container or bootstrap()
    app, api = create_flask_app(container, "Attune Booking", "The booking service of Attune.")
    errors.register(app)
    idempotency.install(app)
    for blp in (holds_api.blp, bookings_api.blp, contact_api.blp, events_api.blp, erasure_api.blp):
        api.register_blueprint(blp)
    from services.booking.ui import blueprint as ui

    app.register_blueprint(ui)
    return app
