"""What the booking worker consumes: availability's clinician, schedule and calendar busy-time events (its projection)."""
from __future__ import annotations

from services.booking.service_layer import projection
from shared.messaging.topology import Subscription


def subscriptions(uow) -> list[Subscription]:
    return [Subscription("availability-events", tuple(projection.handlers(uow)), handlers=projection.handlers(uow))]
