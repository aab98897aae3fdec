"""Applies `client_data.erased`: the client labels kept for clinicians' calendars and feeds are forgotten."""
from __future__ import annotations

from sqlalchemy import update

from services.availability.adapters.orm import calendar_bookings
from shared.messaging.topology import Subscription


def on_erased(session, event: dict, data: dict) -> None:
    session.execute(update(calendar_bookings).where(calendar_bookings.c.booking_id.in_(list(data["booking_ids"])))
                    .values(client_label="client"))


def subscription() -> Subscription:
    return Subscription("erasures", ("client_data.erased",), {"client_data.erased": on_erased}, ordered=False)
