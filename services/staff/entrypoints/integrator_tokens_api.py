"""`/v1/integrator-tokens`: an admin issues, lists and revokes the read-only tokens integrators read feeds with."""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.staff.entrypoints import schemas as sc
from services.staff.entrypoints.errors import documented
from services.staff.service_layer import integrator_tokens
from shared.access import authorize

blp = Blueprint("integrator-tokens", __name__, url_prefix="/v1/integrator-tokens",
                description="Read-only integrator tokens for the event feeds (admin only); valid for a year, "
                            "refused everywhere within seconds once revoked.")


def _c():
    return current_app.extensions["attune"]


@blp.before_request
def _admin_first():
    """The caller is checked before the body is validated."""
    if request.method != "OPTIONS":
        authorize("admin")


@blp.route("")
class IntegratorTokens(MethodView):
    @documented(blp, 401, 403, 422)
    @blp.arguments(sc.IntegratorTokenIn())
    @blp.response(201, sc.IntegratorTokenMade)
    def post(self, body):
        """Issue a token for a year: its value is in this answer only (give it to the integrator now)."""
        c = _c()
        return integrator_tokens.create(c, authorize("admin"), body["name"], c.clock.now())

    @documented(blp, 401, 403)
    @blp.response(200, sc.IntegratorTokenList)
    def get(self):
        """Every token issued, newest first, without its value."""
        authorize("admin")
        return {"integrator_tokens": integrator_tokens.listing(_c(), _c().clock.now())}


@blp.route("/<token_id>")
class IntegratorToken(MethodView):
    @documented(blp, 401, 403, 404)
    @blp.response(204)
    def delete(self, token_id):
        """Revoke: refused here at once and by every service within seconds (revoking twice is fine)."""
        c = _c()
        integrator_tokens.revoke(c, authorize("admin"), token_id, c.clock.now())
