"""`/v1/webhooks`: staff manage integrators' subscriptions and read their delivery logs."""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.notifications.entrypoints import schemas as sc
from services.notifications.service_layer import deliveries, webhooks
from shared.access import authorize, current_principal, record_audit
from shared.web import PROBLEM, ProblemError, ProblemSchema

blp = Blueprint("webhooks", __name__, url_prefix="/v1/webhooks",
                description="Signed webhooks (Standard Webhooks) for integrators; admin only.")
ERRORS = {401: "admin credential missing or wrong", 403: "not an admin (staff and clinicians may not manage webhooks)",
          404: "no such webhook or delivery",
          422: "invalid input; `errors` names the field"}


def _documented(*codes):
    def decorate(view):
        for code in codes:
            view = blp.alt_response(code, schema=ProblemSchema, content_type=PROBLEM, description=ERRORS[code])(view)
        view = blp.alt_response(403, schema=ProblemSchema, content_type=PROBLEM, description=ERRORS[403])(view)
        return blp.doc(security=[{"bearer": []}])(view)
    return decorate


@blp.before_request
def _admins_only():
    """Webhooks are the admin's (owner token or admin session); staff and clinicians get 403. Checked
    before the body is read, so a stranger learns nothing about our input rules. A CORS preflight
    carries no credential and is answered by flask-cors (the practice console calls from its origin)."""
    if request.method != "OPTIONS":
        authorize("admin")


def _container():
    return current_app.extensions["attune"]


def _call(write: bool, fn, *args, audit: str | None = None, subject: str | None = None):
    """Runs a service function in a transaction, mapping its errors to problems; a change named by
    `audit` is recorded (who, which webhook: `subject`, else the result's id) in the same transaction."""
    c = _container()
    try:
        with (c.db.write() if write else c.db.read()) as session:
            result = fn(session, *args)
            if audit:
                record_audit(session, c.outbox, current_principal(), audit, subject or result["id"], c.clock.now())
            return result
    except webhooks.Invalid as e:
        raise ProblemError(422, "Unprocessable Entity", str(e), e.errors) from None
    except webhooks.NotFound:
        raise ProblemError(404, "Not Found", "No such webhook or delivery.", slug="not-found") from None


@blp.route("")
class Webhooks(MethodView):
    @_documented(401, 422)
    @blp.arguments(sc.WebhookIn())
    @blp.response(201, sc.WebhookCreated)
    def post(self, body):
        """Subscribe a URL to event types; the answer shows the signing secret, once."""
        c = _container()
        return _call(True, lambda s: webhooks.create(s, c.settings, body, c.clock.now()), audit="webhook.created")

    @_documented(401)
    @blp.response(200, sc.WebhookList)
    def get(self):
        return {"webhooks": _call(False, webhooks.listing)}


@blp.route("/<sub_id>")
class Webhook(MethodView):
    @_documented(401, 404)
    @blp.response(200, sc.WebhookOut)
    def get(self, sub_id):
        return _call(False, lambda s: webhooks.view(webhooks.get_row(s, sub_id)))

    @_documented(401, 404, 422)
    @blp.arguments(sc.WebhookPatch())
    @blp.response(200, sc.WebhookOut)
    def patch(self, body, sub_id):
        """Change URL, types or description; pause (`status: paused`) or resume (`status: active`)."""
        c = _container()
        return _call(True, lambda s: webhooks.change(s, c.settings, sub_id, body, c.clock.now()),
                     audit="webhook.changed", subject=sub_id)

    @_documented(401, 404)
    @blp.response(204)
    def delete(self, sub_id):
        _call(True, webhooks.remove, sub_id, audit="webhook.deleted", subject=sub_id)


@blp.route("/<sub_id>/deliveries")
class Deliveries(MethodView):
    @_documented(401, 404, 422)
    @blp.arguments(sc.DeliveryQuery(), location="query")
    @blp.response(200, sc.DeliveryList)
    def get(self, query, sub_id):
        """Newest first: each delivery's attempts with status codes and latency."""
        return {"deliveries": _call(False, deliveries.listing, sub_id, query.get("status"), query["limit"])}


@blp.route("/<sub_id>/deliveries/<delivery_id>/resend")
class Resend(MethodView):
    @_documented(401, 404)
    @blp.response(202, sc.DeliveryOut)
    def post(self, sub_id, delivery_id):
        """Sends the delivery again (same `webhook-id`), whatever became of it before."""
        c = _container()
        return _call(True, lambda s: deliveries.resend(s, sub_id, delivery_id, c.clock.now()),
                     audit="webhook.delivery_resent", subject=sub_id)
