"""What the booking worker consumes: availability's clinician and schedule events (its projection)."""
from __future__ import annotations

from services.booking.service_layer import projection
from shared.messaging.topology import Subscription


def subscriptions(uow) -> list[Subscription]:
    return [Subscription("availability-events", ("clinician.created", "clinician.updated", "availability.changed"),
                         handlers=projection.handlers(uow))]
