"""The staff service's refusals as problem+json answers (with Retry-After, or the enrolment token)."""
from __future__ import annotations

import json

from flask_smorest import Blueprint

from services.staff.service_layer.errors import StaffError, TooManyAttempts, TotpEnrolmentRequired
from shared.web import PROBLEM, ProblemSchema, problem_response

DESCRIPTIONS = {401: "credential missing, wrong, expired or revoked", 403: "this role may not make this call",
                404: "no such account or token", 409: "the email is taken", 422: "invalid input; `errors` names the field",
                410: "the invitation was already used, withdrawn or has expired",
                429: "too many failed sign-ins (Retry-After)"}


def answer(error: StaffError):
    resp = problem_response(error.status, error.title, error.detail, error.errors, error.slug)
    if isinstance(error, TooManyAttempts):
        resp.headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, TotpEnrolmentRequired):
        body = resp.get_json()
        body.update(account_id=error.account_id, enrolment_token=error.enrolment_token)
        resp.set_data(json.dumps(body))
    return resp


def documented(blp: Blueprint, *codes: int, secured: bool = True):
    def decorate(view):
        for code in codes:
            view = blp.alt_response(code, schema=ProblemSchema, content_type=PROBLEM,
                                    description=DESCRIPTIONS[code])(view)
        return blp.doc(security=[{"bearer": []}])(view) if secured else view
    return decorate
