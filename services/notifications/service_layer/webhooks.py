"""Webhook subscriptions: create (the secret shown once), list, change, pause, resume, delete."""
from __future__ import annotations

import base64
import json
import secrets
import uuid

from sqlalchemy import delete, insert, select, update

from services.notifications.adapters.orm import webhook_attempts, webhook_deliveries
from services.notifications.adapters.orm import webhook_subscriptions as subs
from services.notifications.adapters.webhook_sender import target_refusal
from services.notifications.domain.patterns import invalid
from shared.clock import naive_utc


class Invalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class NotFound(Exception):
    pass


def new_secret() -> str:
    """`whsec_` + base64 of 32 random bytes, the form the standardwebhooks libraries read."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def validate(settings, url: str | None, events: list[str] | None) -> None:
    errors = {}
    if url is not None:
        refused = target_refusal(url, settings.webhook_allowed_hosts)
        if refused:
            errors["url"] = [f"not allowed: {refused}"]
    for i, pattern in enumerate(events or []):
        reason = invalid(pattern)
        if reason:
            errors[f"events.{i}"] = [reason]
    if errors:
        raise Invalid(errors)


def create(session, settings, body: dict, now) -> dict:
    validate(settings, body["url"], body["events"])
    row = {"id": str(uuid.uuid4()), "url": body["url"], "events": json.dumps(list(dict.fromkeys(body["events"]))),
           "include_client_details": body.get("include_client_details", False),
           "description": body.get("description"), "secret": new_secret(), "status": "active",
           "consecutive_failures": 0, "created_at": naive_utc(now), "updated_at": naive_utc(now)}
    session.execute(insert(subs).values(**row))
    return {**view(get_row(session, row["id"])), "secret": row["secret"]}


def get_row(session, sub_id: str):
    row = session.execute(select(subs).where(subs.c.id == sub_id)).first()
    if row is None:
        raise NotFound(sub_id)
    return row


def view(row) -> dict:
    """A subscription as the API shows it: never its secret."""
    return {"id": row.id, "url": row.url, "events": json.loads(row.events),
            "include_client_details": row.include_client_details, "description": row.description,
            "status": row.status, "disabled_reason": row.disabled_reason,
            "consecutive_failures": row.consecutive_failures, "created_at": row.created_at,
            "updated_at": row.updated_at}


def listing(session) -> list[dict]:
    return [view(r) for r in session.execute(select(subs).order_by(subs.c.created_at, subs.c.id))]


def change(session, settings, sub_id: str, body: dict, now) -> dict:
    """PATCH: url, events, description, include_client_details; status `paused` or `active` (resume)."""
    row = get_row(session, sub_id)
    validate(settings, body.get("url"), body.get("events"))
    values = {k: body[k] for k in ("url", "description", "include_client_details") if k in body}
    if "events" in body:
        values["events"] = json.dumps(list(dict.fromkeys(body["events"])))
    if body.get("status") == "paused":
        values["status"] = "paused"
    elif body.get("status") == "active" and row.status != "active":
        values.update(status="active", disabled_reason=None, consecutive_failures=0, failing_since=None)
    session.execute(update(subs).where(subs.c.id == sub_id).values(**values, updated_at=naive_utc(now)))
    return view(get_row(session, sub_id))


def remove(session, sub_id: str) -> None:
    get_row(session, sub_id)
    ids = select(webhook_deliveries.c.id).where(webhook_deliveries.c.subscription_id == sub_id)
    session.execute(delete(webhook_attempts).where(webhook_attempts.c.delivery_id.in_(ids)))
    session.execute(delete(webhook_deliveries).where(webhook_deliveries.c.subscription_id == sub_id))
    session.execute(delete(subs).where(subs.c.id == sub_id))
