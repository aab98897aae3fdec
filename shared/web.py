"""Web plumbing shared by the three Flask apps: OpenAPI, problem+json errors, admin auth, health."""
from __future__ import annotations

import hmac
import json
import logging
import math
import time
import uuid
from http import HTTPStatus

import marshmallow as ma
from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask_smorest import Api
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from shared import logging as attune_logging

log = logging.getLogger("attune.web")
PROBLEM = "application/problem+json"


class ProblemError(Exception):
    """An RFC 9457 problem: raised by views and domain error mapping, answered in one place."""

    def __init__(self, status: int, title: str, detail: str = "", errors: dict | None = None, slug: str = ""):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.errors = status, title, detail or title, errors
        self.slug = slug or _own_slug(status, title)


def _own_slug(status: int, title: str) -> str:
    """A title of its own names its problem ("Calendar not connected"); a status's phrase does not."""
    try:
        generic = title == HTTPStatus(status).phrase
    except ValueError:
        generic = False
    return "" if generic else title.lower().replace(" ", "-")


PROBLEM_BASE = "https://attune.dev/problems/"
# One scheme in every service: `type` is PROBLEM_BASE + a slug naming the problem; a refusal with no
# problem of its own gets its status's slug (so a 422 of any service's input checks is `invalid-input`).
STATUS_SLUGS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
                405: "method-not-allowed", 406: "not-acceptable", 409: "conflict", 410: "gone",
                413: "content-too-large", 415: "unsupported-media-type", 422: "invalid-input",
                429: "rate-limited", 500: "internal-error", 503: "unavailable"}


def problem_type(status: int, slug: str = "") -> str:
    if not slug:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "error"
        slug = STATUS_SLUGS.get(status) or phrase.lower().replace(" ", "-").replace("'", "")
    return PROBLEM_BASE + slug


def problem_response(status: int, title: str, detail: str, errors: dict | None = None, slug: str = ""):
    body = {"type": problem_type(status, slug), "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = PROBLEM
    return resp


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow/webargs messages ({"json": {"client": {"email": [...]}}}) as {"client.email": [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not prefix and key in ("json", "query", "headers", "path", "form"):
                out.update(flatten_errors(value, ""))
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
                out.update(flatten_errors(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_schema"] = messages
    elif isinstance(messages, list):
        for i, m in enumerate(messages):
            out.update(flatten_errors(m, f"{prefix}.{i}"))
    else:
        out[prefix or "_schema"] = [str(messages)]
    return out


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as every error answer carries them."""

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))


class ProblemApi(Api):
    """flask-smorest Api whose every error answer is application/problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = flatten_errors(data["messages"]) if "messages" in data else None
        detail = error.description or error.name
        if errors:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        return problem_response(error.code or 500, error.name, detail, errors)


MAX_JSON_DEPTH = 64  # no Attune request nests deeper than a handful of levels


def unusable_json(raw: bytes) -> str | None:
    """Why a JSON body cannot be used as-is (else None): not UTF-8 or not JSON, nested past
    MAX_JSON_DEPTH (Python's parser would hit its recursion limit), an integer too long to convert,
    NaN/Infinity (also 1e309), or a lone surrogate escape (no database or mail can store it). Every service checks
    each JSON body with this once, before any view or schema reads it, so none meets these at all."""
    def constant(name):
        raise ValueError(f"{name} is not JSON")

    try:
        found = json.loads(raw.decode("utf-8"), parse_constant=constant)
    except RecursionError:
        return f"JSON nested deeper than {MAX_JSON_DEPTH} levels."
    except (UnicodeDecodeError, ValueError) as e:  # JSONDecodeError, and ints past the 4300-digit limit
        return f"Not valid JSON: {str(e)[:120]}"
    stack = [(found, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return f"JSON nested deeper than {MAX_JSON_DEPTH} levels."
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((v, depth + 1) for v in items)
        elif isinstance(value, float) and not math.isfinite(value):  # 1e309 parses as infinity
            return "A number out of range."
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "Text holds a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape)."
    return None


def _check_json_body():
    if request.is_json and request.content_length != 0:
        raw = request.get_data(cache=True)
        reason = unusable_json(raw) if raw else None
        if reason:
            raise ProblemError(400, "Bad Request", reason, slug="malformed-json")


def _on_problem(error: ProblemError):
    return problem_response(error.status, error.title, error.detail, error.errors, error.slug)


def _on_unstorable(error: DataError):
    """Input the database cannot hold (a NUL character in an id of the path, say) is the client's."""
    return problem_response(422, "Unprocessable Entity", "The request holds a value that cannot be stored "
                            "or looked up (e.g. a NUL character).", slug="unprocessable-value")


def _on_database_busy(error: OperationalError):
    """A locked, restarting or lost database is a moment's wait for the client, never a 500."""
    log.warning("database busy", extra={"error": type(error.orig).__name__ if error.orig else "OperationalError"})
    resp = problem_response(503, "Service Unavailable", "The database is busy; please retry.",
                            slug="database-busy")
    resp.headers["Retry-After"] = "1"
    return resp


def too_large(_error=None):
    """413 as problem+json; the connection is closed, as the unread body is not worth draining."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    resp = problem_response(413, "Content Too Large", f"The request body may be at most {limit} bytes.",
                            slug="content-too-large")
    resp.headers["Connection"] = "close"
    return resp


def _on_unexpected(error: Exception):
    log.exception("unhandled error", extra={"path": request.path})
    return problem_response(500, "Internal Server Error", "Something went wrong on our side; it is logged.")


def _bearer_is_one_of(*tokens: str | None) -> bool:
    """The request's bearer token equals one of the configured ones (compared in constant time)."""
    given = bearer_token() or ""
    return any(hmac.compare_digest(given, t) for t in tokens if t)


def require_admin() -> None:
    """Admin-only calls: `Authorization: Bearer <ATTUNE_ADMIN_TOKEN or an admin's session token>`."""
    from shared.access import authorize

    authorize("admin")


def require_reader() -> None:
    """Read-only feeds for integrators: an admin credential, one of ATTUNE_INTEGRATOR_TOKENS, or an
    unrevoked integrator token the staff service issued. A signed-in staff member or clinician gets
    403 (the feed is not theirs); any other credential, or none, 401."""
    from shared.access import current_principal
    from shared.auth import INTEGRATOR

    settings = current_app.extensions["attune"].settings
    if _bearer_is_one_of(*settings.integrator_tokens):
        return
    principal = current_principal()
    if principal is not None and principal.role in ("admin", INTEGRATOR):
        return
    if principal is not None:
        raise ProblemError(403, "Forbidden", f"The {principal.role} role may not read this feed.", slug="forbidden")
    raise ProblemError(401, "Unauthorized",
                       "This feed needs the admin or an integrator credential (Authorization: Bearer).",
                       slug="unauthorized")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def health_blueprint(check_broker) -> Blueprint:
    bp = Blueprint("health", __name__)
    state = {"ok_until": 0.0}

    @bp.get("/v1/health")
    def health():
        container = current_app.extensions["attune"]
        try:
            container.db.ping()
            if time.monotonic() > state["ok_until"]:
                check_broker(container.settings.amqp_url)
                state["ok_until"] = time.monotonic() + 5
        except Exception as e:  # noqa: BLE001 - any failure means not healthy
            return problem_response(503, "Service Unavailable", f"dependency not answering: {type(e).__name__}")
        return {"status": "ok", "service": container.settings.service}

    return bp


def check_broker(amqp_url: str) -> None:
    from kombu import Connection

    with Connection(amqp_url, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1)


# Every HTML page of every service gets a strict policy unless it sets its own (the booking page does).
DEFAULT_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
               "font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
# Swagger UI sets style attributes as it renders, and draws its icons from data: URIs.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
DOCS_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png")
DOCS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{root}/docs/assets/swagger-ui.css">
<link rel="icon" href="{root}/docs/assets/favicon-32x32.png"></head>
<body><div id="swagger-ui" data-spec-url="{root}/openapi.json"></div>
<script src="{root}/docs/assets/swagger-ui-bundle.js"></script>
<script src="{root}/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="{root}/docs/assets/attune-docs.js"></script></body></html>
"""
DOCS_SCRIPT = """window.addEventListener("load", function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({url: el.dataset.specUrl, dom_id: "#swagger-ui", validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "BaseLayout"});
});
"""


def docs_blueprint() -> Blueprint:
    """/docs: Swagger UI served from the swagger-ui-bundle package (pinned with it, works offline),
    with no inline script, so its CSP allows scripts from this origin only."""
    from flask import Response, send_from_directory
    from markupsafe import escape
    from swagger_ui_bundle import swagger_ui_path

    bp = Blueprint("attune_docs", __name__)

    @bp.get("/docs")
    def docs():
        title = escape(current_app.config.get("API_TITLE", "API"))
        html = DOCS_PAGE.format(title=title, root=escape(request.script_root))
        return Response(html, mimetype="text/html", headers={"Content-Security-Policy": DOCS_CSP,
                                                             "Cache-Control": "no-cache"})

    @bp.get("/docs/assets/<name>")
    def docs_asset(name: str):
        if name == "attune-docs.js":
            return Response(DOCS_SCRIPT, mimetype="text/javascript")
        if name not in DOCS_ASSETS:
            raise ProblemError(404, "Not Found", "No such documentation asset.")
        return send_from_directory(swagger_ui_path, name, max_age=86400)

    return bp


def _security_headers(resp):
    """Headers every answer carries; HTML without a policy of its own gets DEFAULT_CSP."""
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "no-referrer")
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
    return resp


def create_flask_app(container, title: str, description: str) -> tuple[Flask, ProblemApi]:
    """The common app frame: config, JSON logs, request ids, problem+json, OpenAPI at /openapi.json."""
    from flask_cors import CORS

    app = Flask(title.lower().replace(" ", "_"))
    app.config.update(
        API_TITLE=title, API_VERSION="1", OPENAPI_VERSION="3.0.3", OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",  # /docs is docs_blueprint's: Swagger UI from the package, no CDN
        API_SPEC_OPTIONS={"info": {"description": description},
                          "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}},
        JSON_SORT_KEYS=False,
        # Bodies past this are refused (413) before anything reads them: no view takes more than a few KB.
        MAX_CONTENT_LENGTH=getattr(container.settings, "max_body_bytes", 64 * 1024),
    )
    app.extensions["attune"] = container
    hops = getattr(container.settings, "trusted_proxy_hops", 0)
    if hops:  # behind that many reverse proxies, the client is who they say (X-Forwarded-*)
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    attune_logging.configure(container.settings.service, container.settings.log_level)
    CORS(app, resources={r"/v1/*": {"origins": "*"}}, expose_headers=["Retry-After"])
    api = ProblemApi(app)
    app.register_error_handler(ProblemError, _on_problem)
    app.register_error_handler(DataError, _on_unstorable)
    app.register_error_handler(OperationalError, _on_database_busy)
    app.register_error_handler(413, too_large)
    app.register_error_handler(Exception, _on_unexpected)
    app.register_blueprint(health_blueprint(check_broker))
    app.register_blueprint(docs_blueprint())
    app.after_request(_security_headers)
    from shared import metrics, readiness, tracing

    app.register_blueprint(readiness.blueprint(container))
    metrics.install(app, container)
    tracing.install(app, container.settings.service)

    @app.before_request
    def _request_id():
        g.request_id = attune_logging.safe_request_id(request.headers.get("X-Request-ID")) or uuid.uuid4().hex
        g.request_id_token = attune_logging.request_id.set(g.request_id)

    @app.before_request
    def _refuse_large_bodies():
        """A declared length past the limit is refused before any byte of the body is read; a chunked
        body is cut off by Werkzeug's own limit as it is read (also a 413)."""
        limit = app.config["MAX_CONTENT_LENGTH"]
        if limit is not None and (request.content_length or 0) > limit:
            return too_large()

    app.before_request(_check_json_body)  # after the request id (its answer carries it) and the size limit

    @app.after_request
    def _echo_request_id(resp):
        resp.headers["X-Request-ID"] = g.get("request_id", "")
        return resp

    @app.teardown_request
    def _forget_request_id(_exc):
        # gthread workers reuse threads: a stale id must not label the next request's early logs
        token = g.pop("request_id_token", None)
        if token is not None:
            try:
                attune_logging.request_id.reset(token)
            except ValueError:  # set in another context (e.g. a copied one); nothing to undo here
                attune_logging.request_id.set(None)

    return app, api
