"""`/v1/sessions`: sign in for a session token every service accepts; sign out; renew; who am I."""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.staff.entrypoints import schemas as sc
from services.staff.entrypoints.errors import documented
from services.staff.service_layer import sessions
from shared.access import authorize
from shared.auth import ROLES
from shared.web import ProblemError

blp = Blueprint("sessions", __name__, url_prefix="/v1/sessions",
                description="Staff sign-in: 8-hour signed session tokens, revoked everywhere on sign-out.")


def _c():
    return current_app.extensions["attune"]


def _session_principal():
    principal = authorize(*ROLES)
    if principal.session_id is None:
        raise ProblemError(400, "Bad Request", "The admin token is no session; there is nothing to end or renew.",
                           slug="not-a-session")
    return principal


@blp.route("")
class Sessions(MethodView):
    @documented(blp, 401, 403, 422, 429, secured=False)
    @blp.arguments(sc.SessionIn())
    @blp.response(201, sc.SessionOut)
    def post(self, body):
        """Sign in. A wrong email, password or code all answer the same 401; 5 failures in 15 minutes
        lock the email for 15 minutes (429, Retry-After), 20 lock the client's address."""
        c = _c()
        return sessions.sign_in(c, body["email"], body["password"], body.get("otp"), request.remote_addr or "",
                                c.clock.now(), body.get("totp_setup_token"))


@blp.route("/current")
class Current(MethodView):
    @documented(blp, 401)
    @blp.response(200, sc.CurrentOut)
    def get(self):
        """The signed-in account (the console's "who am I")."""
        principal = authorize(*ROLES)
        return {"account": sessions.current(_c(), principal)}

    @documented(blp, 401)
    @blp.response(204)
    def delete(self):
        """Sign out: this token is refused here at once and by every service within seconds."""
        c = _c()
        sessions.sign_out(c, _session_principal(), c.clock.now())


@blp.route("/current/renew")
class Renew(MethodView):
    @documented(blp, 401)
    @blp.response(201, sc.SessionOut)
    def post(self):
        """A fresh 8-hour token for the same account; the one presented is revoked."""
        c = _c()
        return sessions.renew(c, _session_principal(), c.clock.now())
