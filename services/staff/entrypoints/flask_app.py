"""The staff service's Flask app factory (served by gunicorn)."""
from __future__ import annotations

from services.staff.bootstrap import bootstrap
from services.staff.entrypoints.errors import answer
from services.staff.service_layer.errors import StaffError
from shared.web import create_flask_app


def create_app(container=None):
    container = container or bootstrap()
    app, api = create_flask_app(container, "Attune Staff", "The staff service of Attune: accounts and roles, "
                                "sign-in with session tokens every service verifies, TOTP, read-only integrator "
                                "tokens, and the audit log.")
    from services.staff.entrypoints import (
        accounts_api,
        audit_api,
        console,
        integrator_tokens_api,
        invitations_api,
        sessions_api,
    )

    for blp in (accounts_api.blp, sessions_api.blp, audit_api.blp, integrator_tokens_api.blp,
                invitations_api.blp):
        api.register_blueprint(blp)
    app.register_blueprint(console.bp)
    app.register_error_handler(StaffError, answer)
    return app
