"""The notifications service's Flask app factory (served by gunicorn)."""
from __future__ import annotations

from shared.web import create_flask_app

from services.notifications.bootstrap import bootstrap


def create_app(container=None):
    container = container or bootstrap()
    app, api = create_flask_app(container, "Attune Notifications", "The notifications service of Attune.")
    return app
