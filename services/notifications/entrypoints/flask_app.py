"""The notifications service's Flask app factory (served by gunicorn)."""
from __future__ import annotations

from services.notifications.bootstrap import bootstrap
from shared.web import create_flask_app


def create_app(container=None):
    container = container or bootstrap()
    app, api = create_flask_app(container, "Attune Notifications", "The notifications service of Attune: "
                                "emails with calendar invites, reminders, and signed webhooks for integrators.")
    from services.notifications.entrypoints.webhooks_api import blp

    api.register_blueprint(blp)
    return app
