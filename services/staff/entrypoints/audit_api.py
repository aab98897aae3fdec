"""`GET /v1/audit`: who read or changed what, in any service (admin)."""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.staff.entrypoints import schemas as sc
from services.staff.entrypoints.errors import documented
from services.staff.service_layer import audit
from shared.access import authorize
from shared.web import ProblemError

blp = Blueprint("audit", __name__, url_prefix="/v1/audit",
                description="The practice's audit log: staff reads of client details and staff changes.")


@blp.before_request
def _admin_first():
    """The caller is checked before the query is validated."""
    if request.method != "OPTIONS":
        authorize("admin")


@blp.route("")
class Audit(MethodView):
    @documented(blp, 401, 403, 422)
    @blp.arguments(sc.AuditQuery(), location="query")
    @blp.response(200, sc.AuditPage)
    def get(self, query):
        """Entries in the order the log received them; pass `next_cursor` back as `after` for more."""
        authorize("admin")
        after = audit.parse_after(query.get("after"))
        if after and after[0] == "invalid":
            raise ProblemError(422, "Unprocessable Entity", "after: a next_cursor or an RFC 3339 time.",
                               {"after": ["A next_cursor or an RFC 3339 time."]})
        c = current_app.extensions["attune"]
        with c.db.read() as conn:
            return audit.page(conn, query.get("account_id"), query.get("subject"), after, query["limit"],
                              query.get("service"))
