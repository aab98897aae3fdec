"""What the booking rules can refuse; the web layer maps each to one HTTP answer in one table."""
from __future__ import annotations


class BookingError(Exception):
    """A rule said no; `field` names the input at fault, if one is."""

    def __init__(self, detail: str, field: str | None = None):
        super().__init__(detail)
        self.detail, self.field = detail, field


class NotBookable(BookingError):
    """The slot is not one a client may take (grid, notice, lookahead, schedule, clinician)."""


class SlotTaken(BookingError):
    """Another active hold or booking has the slot."""


class HoldGone(BookingError):
    """The hold expired or was released; it can no longer be confirmed."""


class NotFound(BookingError):
    pass


class Unauthorized(BookingError):
    """No credential, or not the one this hold or booking needs."""


class Forbidden(BookingError):
    """A signed-in caller whose role (or clinician) this resource is not for."""


class Conflict(BookingError):
    """The request does not fit the current state (e.g. rescheduling a cancelled booking)."""


class RateLimited(BookingError):
    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


class IdempotencyMismatch(BookingError):
    """The Idempotency-Key was used before with a different request."""


class IdempotencyInProgress(BookingError):
    """The first request with this Idempotency-Key is still running."""


class TooManyHolds(RateLimited):
    """The client's address keeps as many live holds as it may (HOLD_MAX_LIVE_PER_ADDRESS)."""


class AlreadyConsulted(BookingError):
    """One free consultation per person: this client has an upcoming or recent one (ONE_CONSULTATION_DAYS)."""


class ChallengeRequired(BookingError):
    """The address placed many holds lately: the next one needs a solved proof-of-work challenge."""
