"""The kinds of notification this service sends, and who each one is for."""
from __future__ import annotations

BOOKING_KINDS = {
    "booking.confirmed": "booking_confirmed",
    "booking.rescheduled": "booking_rescheduled",
    "booking.cancelled": "booking_cancelled",
}
ICS_METHODS = {"booking_confirmed": "REQUEST", "booking_rescheduled": "REQUEST", "booking_cancelled": "CANCEL"}
CONTACT_REQUEST_PRACTICE = "contact_request_practice"
CONTACT_REQUEST_ACK_CLIENT = "contact_request_ack_client"  # the request is verified: we have it, what next
SLOT_OFFER_CLIENT = "slot_offer_client"
SLOT_OFFER_PRACTICE = "slot_offer_practice"
WEBHOOK_DISABLED_PRACTICE = "webhook_disabled_practice"


def role_kind(kind: str, role: str) -> str:
    """The notification kind as published: `booking_confirmed_client`, `reminder_1h`..."""
    return kind if kind.startswith("reminder_") or kind.endswith(f"_{role}") else f"{kind}_{role}"
