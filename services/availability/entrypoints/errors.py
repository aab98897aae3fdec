"""The one table from domain errors to problem+json answers."""
from __future__ import annotations

from flask import Flask

from services.availability.domain.model import Invalid, UnknownClinician
from shared.web import problem_response


def _unknown_clinician(error: UnknownClinician):
    return problem_response(404, "Not Found", f"No clinician has the id {error.args[0]!r}.",
                            {"clinician_id": ["no such clinician"]}, slug="unknown-clinician")


def _invalid(error: Invalid):
    return problem_response(422, "Unprocessable Entity", str(error), error.errors)  # shared/web: invalid-input


def register(app: Flask) -> None:
    app.register_error_handler(UnknownClinician, _unknown_clinician)
    app.register_error_handler(Invalid, _invalid)
