"""`/v1/invitations`: an admin invites someone by email, resends or revokes; the person accepts with a password."""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.staff.entrypoints import schemas as sc
from services.staff.entrypoints.errors import documented
from services.staff.service_layer import invitations
from shared.access import authorize

blp = Blueprint("invitations", __name__, url_prefix="/v1/invitations",
                description="Invitations (admin only): the person gets an email with a link, valid 72 hours and "
                            "once, and chooses their own password.")


def _c():
    return current_app.extensions["attune"]


@blp.before_request
def _admin_first():
    """The caller is checked before the body is validated; accepting is for the invited person (no credential)."""
    if request.method != "OPTIONS" and not request.path.endswith("/accept"):
        authorize("admin")


@blp.route("")
class Invitations(MethodView):
    @documented(blp, 401, 403, 409, 422)
    @blp.arguments(sc.InvitationIn())
    @blp.response(201, sc.InvitationOut)
    def post(self, body):
        """Invite someone: their account is `invited` (no password) and an email with their link goes out."""
        c = _c()
        return invitations.invite(c, authorize("admin"), body, c.clock.now())

    @documented(blp, 401, 403)
    @blp.response(200, sc.InvitationList)
    def get(self):
        """Invitations not yet accepted nor revoked, newest first (expired ones too: resend them)."""
        authorize("admin")
        return {"invitations": invitations.listing(_c(), _c().clock.now())}


@blp.route("/<invitation_id>")
class Invitation(MethodView):
    @documented(blp, 401, 403, 404, 409)
    @blp.response(204)
    def delete(self, invitation_id):
        """Revoke: the link stops working and the invited account is removed (revoking twice is fine)."""
        c = _c()
        invitations.revoke(c, authorize("admin"), invitation_id, c.clock.now())


@blp.route("/<invitation_id>/resend")
class Resend(MethodView):
    @documented(blp, 401, 403, 404, 409)
    @blp.response(201, sc.InvitationOut)
    def post(self, invitation_id):
        """Mail a new link, valid 72 hours from now; the earlier link stops working."""
        c = _c()
        return invitations.resend(c, authorize("admin"), invitation_id, c.clock.now())


@blp.route("/accept")
class Accept(MethodView):
    @documented(blp, 403, 404, 410, 422, 429, secured=False)
    @blp.arguments(sc.InvitationAcceptIn())
    @blp.response(201, sc.SessionOut)
    def post(self, body):
        """Choose a password with the link's token: the account is active and signed in (a session, as
        POST /v1/sessions answers). A link works once; wrong links from one address lock it (429)."""
        c = _c()
        return invitations.accept(c, body["token"], body["password"], request.remote_addr or "", c.clock.now())
