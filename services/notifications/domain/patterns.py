"""Event-type patterns of webhook subscriptions: `booking.confirmed`, `booking.*` or `*`."""
from __future__ import annotations

from shared.events import EVENT_TYPES

FAMILIES = frozenset(t.split(".", 1)[0] for t in EVENT_TYPES)


def invalid(pattern: str) -> str | None:
    """Why a pattern can never match a contract event type, or None when it is fine."""
    if pattern == "*" or pattern in EVENT_TYPES:
        return None
    family, _, rest = pattern.partition(".")
    if rest == "*" and family in FAMILIES:
        return None
    return f"unknown event type or pattern {pattern!r}; use a type, '<family>.*' or '*'"


def matches(patterns: list[str], event_type: str) -> bool:
    for pattern in patterns:
        if pattern in ("*", event_type):
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False
