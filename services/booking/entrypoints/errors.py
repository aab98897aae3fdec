"""Every refusal of the booking domain as application/problem+json, from one table."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from services.booking.domain import errors as e
from shared.web import problem_response

PROBLEMS = {
    e.NotBookable: (422, "Not Bookable", "not-bookable"),
    e.SlotTaken: (409, "Slot Taken", "slot-taken"),
    e.HoldGone: (410, "Hold Gone", "hold-gone"),
    e.NotFound: (404, "Not Found", "not-found"),
    e.Unauthorized: (401, "Unauthorized", "unauthorized"),
    e.Forbidden: (403, "Forbidden", "forbidden"),
    e.Conflict: (409, "Conflict", "conflict"),
    e.RateLimited: (429, "Too Many Requests", "rate-limited"),
    e.IdempotencyMismatch: (422, "Idempotency Key Reused", "idempotency-key-reused"),
    e.TooManyHolds: (429, "Too Many Holds", "too-many-holds"),
    e.IdempotencyInProgress: (409, "Request In Progress", "idempotency-in-progress"),
    e.AlreadyConsulted: (409, "You Have A Consultation With Us Already", "one-consultation-per-person"),
}


def on_booking_error(error: e.BookingError):
    status, title, slug = PROBLEMS.get(type(error), (400, "Bad Request", "bad-request"))
    errors = {error.field: [error.detail]} if error.field else None
    resp = problem_response(status, title, error.detail, errors, slug)
    if isinstance(error, e.RateLimited):
        resp.headers["Retry-After"] = str(error.retry_after)
    elif isinstance(error, e.IdempotencyInProgress):
        resp.headers["Retry-After"] = "1"
    if status == 401:
        resp.headers["WWW-Authenticate"] = "Bearer"
    return resp


def on_race_lost(error: IntegrityError):
    return problem_response(409, "Conflict", "A concurrent change got there first; please retry.", slug="conflict")


def register(app) -> None:
    app.register_error_handler(e.BookingError, on_booking_error)
    app.register_error_handler(IntegrityError, on_race_lost)
