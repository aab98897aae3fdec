"""The booking service's Flask app factory (served by gunicorn)."""
from __future__ import annotations

from shared.web import create_flask_app

from services.booking.bootstrap import bootstrap


def create_app(container=None):
    container = container or bootstrap()
    app, api = create_flask_app(container, "Attune Booking", "The booking service of Attune.")
    from services.booking.ui import blueprint as ui

    app.register_blueprint(ui)
    return app
