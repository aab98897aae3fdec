"""Every documented operation of every service, fed the malformed inputs that once caused 500s, in every
field it takes: each answer is a 4xx problem+json (or an ordinary success), never a server error.

The classes: JSON nested past Python's recursion limit, integers past the 4300-digit conversion limit,
instants whose offset or arithmetic leaves datetime's range, lone surrogates, tzdata folder names as
zones, odd digits and 64-bit overflows in integer parameters. Each value goes into each path, query
and body field the OpenAPI document lists (nested objects too), so a sibling endpoint is found as soon
as it exists."""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.integration
SERVICES = ("availability", "booking", "notifications", "staff")
ADMIN = {"Authorization": "Bearer test-admin-Vq8xK2pLm9RzW4nY7c"}
DEEP = "[" * 5000 + "]" * 5000
HUGE = "9" * 5000
# Raw JSON texts (so that an integer too long to convert and a lone surrogate escape reach the server).
VALUES = {
    "deep nesting": DEEP,
    "huge integer": HUGE,
    "64-bit overflow": "9223372036854775808",
    "float overflow": "1e309",
    "first instant, east offset": '"0001-01-01T00:00:00+14:00"',
    "last instant, west offset": '"9999-12-31T23:59:59-14:00"',
    "last slot of time": '"9999-12-31T23:45:00Z"',
    "last day": '"9999-12-31"',
    "first day": '"0001-01-01"',
    "lone high surrogate": '"a\\ud800b"',
    "lone low surrogate": '"\\udfff"',
    "tzdata folder America": '"America"',
    "tzdata folder Pacific": '"Pacific"',
    "zone path": '"../../../etc/passwd"',
    "superscript digit": '"\u00b2"',
    "arabic-indic digits": '"\u0661\u0662"',
}
# The same classes as query or path text.
TEXTS = ["\u00b2", "\u0661\u0662", HUGE, "9223372036854775808", "-9223372036854775809", "0001-01-01T00:00:00+14:00",
         "9999-12-31T23:45:00Z", "9999-12-31", "0001-01-01", "America", "Europe", "Pacific", "posix/Etc",
         "%ED%A0%80", "1e309", "NaN"]


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def body_fields(spec: dict, schema: dict, prefix=(), depth=0) -> list[tuple[str, ...]]:
    """Paths of every property of a request body, nested objects and list items included."""
    schema = _resolve(spec, schema or {})
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        path = (*prefix, name)
        out.append(path)
        prop = _resolve(spec, prop)
        if depth < 3 and prop.get("type") == "object":
            out += body_fields(spec, prop, path, depth + 1)
        if depth < 3 and prop.get("type") == "array" and prop.get("items"):
            item = _resolve(spec, prop["items"])
            if item.get("properties"):
                out += body_fields(spec, item, (*path, 0), depth + 1)
    return out


def sample(spec: dict, schema: dict, depth=0):
    """A plausible value of a schema, so that the one malformed field is not the only thing wrong."""
    schema = _resolve(spec, schema or {})
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or schema.get("properties"):
        return {k: sample(spec, v, depth + 1) for k, v in (schema.get("properties") or {}).items()} if depth < 4 else {}
    if kind == "array":
        return [sample(spec, schema.get("items") or {}, depth + 1)] if depth < 4 else []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return {"date-time": "2026-03-03T10:00:00Z", "date": "2026-03-03", "email": "a@example.org"}.get(
        schema.get("format"), "UTC" if "zone" in str(schema.get("description", "")).lower() else "x")


def with_raw(value, path: tuple, raw: str) -> str:
    """The JSON text of `value` with the field at `path` replaced by the raw JSON text `raw`."""
    marker = "\u0000RAW\u0000"
    target = value
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = marker
    return json.dumps(value).replace(json.dumps(marker), raw)


def operations(spec: dict) -> list[tuple[str, str, dict]]:
    return [(path, method.upper(), op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in ("get", "post", "put", "patch", "delete")]


def cases(spec: dict) -> list[tuple[str, str, str, dict, str | None]]:
    """(method, url, what, headers, body) for every operation x field x malformed value."""
    out = []
    for path, method, op in operations(spec):
        params = op.get("parameters", [])
        query = {p["name"]: sample(spec, p.get("schema")) for p in params if p["in"] == "query" and p.get("required")}
        concrete = re.sub(r"{[^}]+}", "x1", path)
        for p in params:
            for text in TEXTS:
                if p["in"] == "query":  # percent-encoded, so "+14:00" arrives as an offset, not a space
                    url = concrete + "?" + urlencode({**query, p["name"]: text}, safe="%")
                elif p["in"] == "path":
                    url = path.replace("{" + p["name"] + "}", text.replace("/", "%2F"))
                    url = re.sub(r"{[^}]+}", "x1", url)
                else:
                    continue
                out.append((method, url, f"{p['in']} {p['name']}={text[:20]!r}", {}, None))
        content = (op.get("requestBody") or {}).get("content", {})
        if "application/json" not in content:
            continue
        schema = content["application/json"].get("schema")
        url = concrete + ("?" + urlencode(query) if query else "")
        for what, raw in VALUES.items():
            out.append((method, url, f"whole body {what}", {}, raw))
        for field in body_fields(spec, schema):
            for what, raw in VALUES.items():
                body = with_raw(sample(spec, schema), field, raw)
                out.append((method, url, f"{'.'.join(map(str, field))} {what}", {}, body))
    return out


def send(client, case):
    method, url, _what, headers, body = case
    return client.open(url, method=method, data=body, headers={**ADMIN, **headers},
                       content_type="application/json" if body is not None else None)


@pytest.fixture(params=SERVICES)
def service_client(request, make_container):
    import importlib

    container = make_container(request.param)
    app = importlib.import_module(f"services.{request.param}.entrypoints.flask_app").create_app(container)
    app.testing = False  # errors answer as in production, through the handlers
    return request.param, app.test_client()


def test_no_documented_field_of_any_service_answers_a_malformed_value_with_a_server_error(service_client):
    service, client = service_client
    spec = client.get("/openapi.json").json
    found = cases(spec)
    assert len(found) > 100, "the generator reached the service's fields"
    failures = []
    for case in found:
        res = send(client, case)
        if res.status_code >= 500 or (res.status_code >= 400 and res.mimetype != "application/problem+json"):
            failures.append(f"{case[0]} {case[1][:80]} [{case[2]}] -> {res.status_code} {res.mimetype}")
    assert not failures, f"{service}: {len(failures)} of {len(found)}:\n" + "\n".join(failures[:40])


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_combinations_of_malformed_values_never_answer_500(service_client, data):
    """Several malformed fields at once, chosen by hypothesis (the single-field pass above is exhaustive)."""
    _service, client = service_client
    spec = client.get("/openapi.json").json
    bodies = [(path, method, op) for path, method, op in operations(spec)
              if "application/json" in ((op.get("requestBody") or {}).get("content") or {})]
    path, method, op = data.draw(st.sampled_from(bodies))
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    fields = body_fields(spec, schema)
    chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=4, unique=True))
    body = sample(spec, schema)
    for field in chosen:  # each malformed value written into the JSON text, as a client could send it
        raw = data.draw(st.sampled_from([v for v in VALUES.values() if len(v) < 100]))
        try:
            body = json.loads(with_raw(body, field, raw))
        except (ValueError, TypeError, KeyError, IndexError):  # a parent field already replaced
            continue
    res = client.open(re.sub(r"{[^}]+}", "x1", path), method=method, data=json.dumps(body),
                      headers=ADMIN, content_type="application/json")
    assert res.status_code < 500, (method, path, chosen, res.status_code, res.get_data(as_text=True)[:300])
