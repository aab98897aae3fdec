"""When reminders are due: 24 hours and 1 hour before the call, only while that moment is ahead."""
from __future__ import annotations

from datetime import datetime, timedelta

LEADS = {"reminder_24h": timedelta(hours=24), "reminder_1h": timedelta(hours=1)}


def due_ahead(start: datetime, now: datetime) -> dict[str, datetime]:
    """The reminders worth scheduling for a call at `start`: kind → due moment, still in the future."""
    return {kind: start - lead for kind, lead in LEADS.items() if start - lead > now}


def outcome(kind: str, start: datetime, now: datetime) -> str:
    """`send` a due reminder, or `skip` it: the call began, or a closer reminder is due already."""
    if now >= start:
        return "skip"
    if kind == "reminder_24h" and now >= start - LEADS["reminder_1h"]:
        return "skip"
    return "send"
