"""`/v1/accounts`: the owner or an admin creates and changes accounts; each account enrols its own TOTP."""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.staff.entrypoints import schemas as sc
from services.staff.entrypoints.errors import documented
from services.staff.service_layer import accounts, sessions, totp_setup
from shared.access import authorize, current_principal
from shared.auth import ROLES, Principal
from shared.web import ProblemError, bearer_token

blp = Blueprint("accounts", __name__, url_prefix="/v1/accounts",
                description="Staff accounts (admin only; the admin token works too), and TOTP enrolment.")


def _c():
    return current_app.extensions["attune"]


@blp.before_request
def _credential_first():
    """The caller is checked before the body is validated (strangers learn nothing of our input rules)."""
    rule, account_id = request.url_rule.rule, (request.view_args or {}).get("account_id")
    if request.method == "OPTIONS":
        return
    if "/totp" in rule and request.method == "POST":
        _enrolling_principal(account_id)
    elif rule.endswith("/password"):
        _self_or_admin(account_id)
    else:
        authorize("admin")


def _self_or_admin(account_id: str) -> Principal:
    principal = authorize(*ROLES)
    if principal.account_id != account_id and principal.role != "admin":
        raise ProblemError(403, "Forbidden", "Only the account itself or an admin sets its password.",
                           slug="forbidden")
    return principal


def _enrolling_principal(account_id: str) -> Principal:
    """The account itself: by its session, or by the enrolment token a sign-in gave it."""
    c = _c()
    principal = current_principal()
    if principal is None and sessions.enrolment_account(c, bearer_token(), c.clock.now()) == account_id:
        principal = Principal(account_id, "admin")  # the enrolment token: only this call, only this account
    if principal is None:
        raise ProblemError(401, "Unauthorized", "Sign in first (Authorization: Bearer).", slug="unauthorized")
    if principal.account_id != account_id:
        raise ProblemError(403, "Forbidden", "Only the account itself enrols its authenticator.", slug="forbidden")
    return principal


@blp.route("")
class Accounts(MethodView):
    @documented(blp, 401, 403, 409, 422)
    @blp.arguments(sc.AccountIn())
    @blp.response(201, sc.AccountOut)
    def post(self, body):
        """Create an account (admin, staff or clinician with its clinician_id); the password is checked."""
        principal = authorize("admin")
        return accounts.create(_c(), principal, body, _c().clock.now())

    @documented(blp, 401, 403)
    @blp.response(200, sc.AccountList)
    def get(self):
        authorize("admin")
        return {"accounts": accounts.listing(_c())}


@blp.route("/<account_id>")
class Account(MethodView):
    @documented(blp, 401, 403, 404)
    @blp.response(200, sc.AccountOut)
    def get(self, account_id):
        authorize("admin")
        with _c().db.read() as conn:
            return accounts.view(accounts.get_row(conn, account_id))

    @documented(blp, 401, 403, 404, 422)
    @blp.arguments(sc.AccountPatch())
    @blp.response(200, sc.AccountOut)
    def patch(self, body, account_id):
        """Deactivate (`active: false`: every token of the account is refused everywhere), reactivate,
        change the role or clinician (ends the account's sessions) or the name."""
        principal = authorize("admin")
        return accounts.change(_c(), principal, account_id, body, _c().clock.now())


@blp.route("/<account_id>/password")
class Password(MethodView):
    @documented(blp, 401, 403, 404, 422)
    @blp.arguments(sc.PasswordIn())
    @blp.response(204)
    def put(self, body, account_id):
        """Change the account's password: the account itself (with `current_password`; its other
        sessions end) or an admin resetting it (all its sessions end)."""
        principal = _self_or_admin(account_id)
        c = _c()
        accounts.set_password(c, principal, account_id, body["password"], body.get("current_password"),
                              c.clock.now())


@blp.route("/<account_id>/totp")
class Totp(MethodView):
    @documented(blp, 401, 403, 404)
    @blp.response(201, sc.TotpOut)
    def post(self, account_id):
        """Enrol a TOTP authenticator (the account itself, with its session or its enrolment token);
        from then on sign-in needs a code (`otp`). `.../totp/setup` then `.../totp/confirm` is the safer
        way: the key is kept only once a first code proves the app has it."""
        principal = _enrolling_principal(account_id)
        return totp_setup.enrol(_c(), principal, account_id, _c().clock.now())

    @documented(blp, 401, 403, 404)
    @blp.response(200, sc.AccountOut)
    def delete(self, account_id):
        """Remove an account's TOTP (admin: a lost phone); it signs in with its password alone again."""
        principal = authorize("admin")
        return accounts.remove_totp(_c(), principal, account_id, _c().clock.now())


@blp.route("/<account_id>/totp/setup")
class TotpSetup(MethodView):
    @documented(blp, 401, 403, 404)
    @blp.response(201, sc.TotpSetupOut)
    def post(self, account_id):
        """Offer a new key (the account itself, with its session or its enrolment token): nothing changes
        until its first code is confirmed (`.../totp/confirm`, or `POST /v1/sessions` with `totp_setup_token`)."""
        _enrolling_principal(account_id)
        return totp_setup.offer(_c(), account_id, _c().clock.now())


@blp.route("/<account_id>/totp/confirm")
class TotpConfirm(MethodView):
    @documented(blp, 401, 403, 404, 422)
    @blp.arguments(sc.TotpConfirmIn())
    @blp.response(200, sc.AccountOut)
    def post(self, body, account_id):
        """Turn the offered key on with its current code (422 naming `otp` when it is not that code, or
        `setup_token` when it lapsed); from then on sign-in needs a code. It replaces any earlier key."""
        principal = _enrolling_principal(account_id)
        c = _c()
        return totp_setup.confirm(c, principal, account_id, body["setup_token"], body["otp"], c.clock.now())
