"""problem+json: validation messages flattened to field paths, one shape for every error."""
from __future__ import annotations

import marshmallow as ma
from flask import Flask
from flask_smorest import Blueprint

from shared.web import PROBLEM, ProblemApi, ProblemError, flatten_errors, problem_response


def test_webargs_locations_are_dropped_and_nested_fields_joined_with_dots():
    messages = {"json": {"client": {"email": ["Not a valid email address."]}, "consent": ["Must be true."]}}

    assert flatten_errors(messages) == {"client.email": ["Not a valid email address."],
                                        "consent": ["Must be true."]}


def test_list_items_are_named_by_their_index():
    messages = {"json": {"weekly": {0: {"weekday": ["Must be one of: mon."]}, 2: {"end": ["Missing."]}}}}

    assert flatten_errors(messages) == {"weekly.0.weekday": ["Must be one of: mon."], "weekly.2.end": ["Missing."]}


def test_a_list_of_error_dicts_is_flattened_by_position():
    assert flatten_errors({"windows": [{}, {"start": ["Bad."]}]}) == {"windows.1.start": ["Bad."]}


def test_schema_level_and_bare_messages_land_under_schema():
    assert flatten_errors(["Whole thing is wrong."]) == {"_schema": ["Whole thing is wrong."]}
    assert flatten_errors("oops") == {"_schema": ["oops"]}
    assert flatten_errors({"query": {"start": "bad"}}) == {"start": ["bad"]}


class Hold(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    clinician_id = ma.fields.String(required=True)
    start = ma.fields.AwareDateTime(required=True)


def app_with_a_view() -> Flask:
    app = Flask("t")
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    api = ProblemApi(app)
    app.register_error_handler(ProblemError, lambda e: problem_response(e.status, e.title, e.detail, e.errors,
                                                                        e.slug))
    bp = Blueprint("holds", __name__)

    @bp.post("/v1/holds")
    @bp.arguments(Hold)
    def hold(body):
        if body["clinician_id"] == "taken":
            raise ProblemError(409, "Conflict", "That slot is taken.")
        return {"ok": True}

    api.register_blueprint(bp)
    return app


def test_a_schema_failure_answers_422_problem_json_naming_each_field():
    client = app_with_a_view().test_client()

    resp = client.post("/v1/holds", json={"start": "tomorrow", "colour": "red"})

    assert resp.status_code == 422
    assert resp.mimetype == PROBLEM
    body = resp.get_json()
    assert body["status"] == 422 and body["type"].startswith("https://")
    assert set(body["errors"]) == {"clinician_id", "start", "colour"}
    assert "clinician_id" in body["detail"]


def test_a_problem_error_answers_with_its_status_and_title():
    resp = app_with_a_view().test_client().post("/v1/holds", json={"clinician_id": "taken",
                                                                   "start": "2026-03-03T15:00:00Z"})

    assert resp.status_code == 409
    assert resp.mimetype == PROBLEM
    assert resp.get_json() == {"type": "https://attune.dev/problems/conflict", "title": "Conflict", "status": 409,
                               "detail": "That slot is taken."}


def test_an_unknown_path_is_a_problem_too():
    resp = app_with_a_view().test_client().get("/v1/nothing")

    assert resp.status_code == 404 and resp.mimetype == PROBLEM


def test_a_requests_id_is_echoed_and_forgotten_once_the_request_ends():
    from types import SimpleNamespace

    from shared.logging import request_id
    from shared.web import create_flask_app

    container = SimpleNamespace(settings=SimpleNamespace(service="t", log_level="WARNING", amqp_url="amqp://x"))
    app, _api = create_flask_app(container, "T", "t")
    seen = []
    app.add_url_rule("/v1/echo", "echo", lambda: (seen.append(request_id.get()) or {}))

    resp = app.test_client().get("/v1/echo", headers={"X-Request-ID": "req-9"})

    assert resp.headers["X-Request-ID"] == "req-9" and seen == ["req-9"]
    assert request_id.get() is None
