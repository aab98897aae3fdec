"""What the staff service's use cases refuse; the entrypoints turn each into a problem+json answer."""
from __future__ import annotations


class StaffError(Exception):
    status = 400
    title = "Bad Request"
    slug = "bad-request"

    def __init__(self, detail: str, errors: dict | None = None):
        super().__init__(detail)
        self.detail, self.errors = detail, errors


class Invalid(StaffError):
    status, title, slug = 422, "Unprocessable Entity", "invalid-account"


class InvalidTokenName(Invalid):
    slug = "invalid-integrator-token"


class NotFound(StaffError):
    status, title, slug = 404, "Not Found", "not-found"


class Conflict(StaffError):
    status, title, slug = 409, "Conflict", "conflict"


class SignInRefused(StaffError):
    """The one answer for an unknown email, a wrong password, a wrong code or an inactive account."""
    status, title, slug = 401, "Unauthorized", "sign-in-refused"

    def __init__(self, detail: str = "The email, password or code is not right.", errors: dict | None = None,
                 slug: str | None = None):
        super().__init__(detail, errors)
        self.slug = slug or self.slug


class Forbidden(StaffError):
    status, title, slug = 403, "Forbidden", "forbidden"

    def __init__(self, detail: str, errors: dict | None = None, slug: str | None = None):
        super().__init__(detail, errors)
        self.slug = slug or self.slug


class TotpEnrolmentRequired(StaffError):
    """An admin without TOTP while STAFF_REQUIRE_TOTP holds: no session, only a token to enrol with."""
    status, title, slug = 403, "Forbidden", "totp-enrolment-required"

    def __init__(self, account_id: str, enrolment_token: str):
        super().__init__("Admins must use a second factor here: enrol TOTP with POST "
                         f"/v1/accounts/{account_id}/totp (Authorization: Bearer <enrolment_token>), "
                         "then sign in with the code.")
        self.account_id, self.enrolment_token = account_id, enrolment_token


class TooManyAttempts(StaffError):
    status, title, slug = 429, "Too Many Requests", "too-many-sign-in-attempts"

    def __init__(self, retry_after: int):
        super().__init__(f"Too many failed sign-ins; try again in {retry_after} seconds.")
        self.retry_after = retry_after


class InvitationRefused(StaffError):
    """An invitation link that is unknown (404), or used, withdrawn or expired (410): said kindly."""
    title = "Invitation not usable"

    def __init__(self, state: str, detail: str):
        super().__init__(detail)
        self.status = 404 if state == "unknown" else 410
        self.title = "Not Found" if state == "unknown" else "Gone"
        self.slug = f"invitation-{state}"
