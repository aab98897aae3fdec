"""The availability service's Flask app factory (served by gunicorn)."""
from __future__ import annotations

from services.availability.bootstrap import bootstrap
from services.availability.entrypoints import (
    bulk_publish_api,
    calendar_api,
    clinicians_api,
    directory_api,
    errors,
    practice_api,
    preview_api,
    slots_api,
)
from shared.web import create_flask_app

DESCRIPTION = ("Clinicians of the practice, their weekly windows, date overrides and time off, and the open "
               "15-minute consultation slots of the coming week. "
               "Writes need `Authorization: Bearer <admin token>`.")
HEALTH = {"get": {"summary": "Health: 200 once the database and the broker answer", "tags": ["health"],
                  "responses": {"200": {"description": "healthy"},
                                "503": {"description": "a dependency is down"}}}}


def create_app(container=None):
    container = container or bootstrap()
    app, api = create_flask_app(container, "Attune Availability", DESCRIPTION)
    app.extensions["attune.slot_renderer"] = slots_api.SlotRenderer()
    errors.register(app)
    api.register_blueprint(clinicians_api.blp)
    api.register_blueprint(slots_api.blp)
    api.register_blueprint(practice_api.blp)
    api.register_blueprint(directory_api.blp)
    api.register_blueprint(bulk_publish_api.blp)
    api.register_blueprint(calendar_api.blp)
    api.register_blueprint(preview_api.blp)
    health = next(rule for rule in app.url_map.iter_rules() if rule.rule == "/v1/health")
    api.spec.path(rule=health, operations=HEALTH)  # a plain Flask route: flask-smorest would not list it
    return app
