"""`GET /`: the practice console (a placeholder page until the console is built)."""
from __future__ import annotations

from flask import Blueprint, current_app

bp = Blueprint("console", __name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{name} · practice console</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>{name}</h1><p>The practice console is on its way. Sign in through the API for now:
<code>POST /v1/sessions</code> (see <a href="/openapi.json">the OpenAPI document</a>).</p></main></body></html>
"""


@bp.get("/")
def console():
    from markupsafe import escape

    name = escape(current_app.extensions["attune"].settings.practice_name)
    return PAGE.format(name=name), 200, {"Content-Type": "text/html; charset=utf-8"}
