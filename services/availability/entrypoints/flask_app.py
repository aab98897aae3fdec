"""The availability service's Flask app factory (served by gunicorn)."""
from __future__ import annotations

from shared.web import create_flask_app

from services.availability.bootstrap import bootstrap


def create_app(container=None):
    container = container or bootstrap()
    app, api = create_flask_app(container, "Attune Availability", "The availability service of Attune.")
    return app
