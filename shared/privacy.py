"""The one privacy policy: which event data may reach which outlet (feed, webhook, log, trace, audit).

Every data field of every event type is classified here, and an outlet sees only what its class allows:
public fields everywhere, client details only on a webhook whose subscription asked for them, a staff
member's own address (an invitation's) on none, secrets
(bearer tokens, links holding one, values sealed for Attune's own services) on no outlet at all. A
field nobody classified yet (an event type added without a decision) reaches no outlet either.
"""
from __future__ import annotations

OUTLETS = ("feed", "webhook", "log", "trace", "audit")

# Who a client is, how to reach them, and free text a client (or staff about a client) wrote.
CLIENT_DETAILS = frozenset({
    "client", "notes", "message", "reason", "note", "client_name", "client_email", "client_phone",
})
# The client record's own fields (inside `data.client`), and other ways a log may name a person.
CLIENT_CONTACT = frozenset({"name", "email", "phone"})
# A staff member's own contact details outside a clinician's profile (whom an invitation is for): the
# broker carries them to the notifications service, which mails the link; no outlet carries them.
STAFF_CONTACT = frozenset({"invitee"})
# Bearer secrets, links carrying one, and values sealed for one of Attune's own services.
SECRETS = frozenset({"manage_token", "manage_url", "sealed_manage_token", "token", "hold_token", "secret",
                     "password", "verify_token", "verify_url", "sealed_verify_token", "verification"})
# Fields that identify things, never people: any outlet may carry them.
PUBLIC = frozenset({
    # clinicians and their schedules (staff, not clients: `name`, `email` here are a clinician's;
    # a client's sit inside `data.client`, which is a client detail as a whole)
    "clinician_id", "name", "email", "time_zone", "modalities", "populations", "languages",
    "accepting_new_clients", "active", "credentials", "version", "weekly", "overrides", "time_off",
    # how a clinician's consultations happen and the practice's rules for them (issue 15)
    "call", "max_per_day", "buffer_minutes",
    # bookings
    "booking_id", "start", "end", "status", "expires_at", "cancelled_by", "previous_start", "previous_end",
    # contact requests
    "contact_request_id", "modality", "population", "preferred_times",
    # notifications
    "notification_id", "kind", "channel", "recipient_role", "attempts", "error",
    # a clinician's own calendar: busy intervals only, never what the busy time is
    "busy", "synced_at",
    # erasure of client details (issue 15): which records, and why; never whose
    "erasure_id", "basis", "booking_ids", "contact_request_ids",
    # staff accounts, sessions and the audit trail
    "session_id", "account_id", "role", "owner_token", "action", "service", "subject", "at", "invitation_id",
})


def is_secret(key: str) -> bool:
    """A bearer secret by name: the listed ones and anything (not listed public, as the boolean
    `owner_token`) that calls itself a token, secret or password, or sealed."""
    k = key.lower()
    return k in SECRETS or (k not in PUBLIC and (k.endswith(("_token", "_secret", "_password"))
                                                  or k.startswith("sealed_")))


def classify(key: str) -> str:
    """`secret`, `client`, `staff` or `public` for a top-level data field; `unknown` when nobody decided yet."""
    if is_secret(key):
        return "secret"
    if key in STAFF_CONTACT:
        return "staff"
    if key in CLIENT_DETAILS:
        return "client"
    return "public" if key in PUBLIC else "unknown"


def for_outlet(event: dict, outlet: str, include_client_details: bool = False) -> dict:
    """The event as `outlet` may see it: a copy, the envelope kept, `data` filtered by the policy.

    Only a webhook may carry client details, and only when its subscription asked for them
    (`include_client_details`); the feed, logs, traces and the audit trail never do."""
    from shared.logging import safe_request_id  # shared.logging redacts by this policy: imported late

    if outlet not in OUTLETS:
        raise ValueError(f"unknown outlet {outlet!r}; one of {', '.join(OUTLETS)}")
    with_client = include_client_details and outlet == "webhook"
    data = {}
    for key, value in (event.get("data") or {}).items():
        kind = classify(key)
        if kind == "public" or (kind == "client" and with_client):
            data[key] = _without_secrets(value)
    view = {**event, "data": data}
    if "requestid" in view and not safe_request_id(view["requestid"]):  # stored before ids were checked
        del view["requestid"]
    return view


def _without_secrets(value):
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if not is_secret(k)}
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def redacted_log_keys() -> frozenset[str]:
    """Keys a log record may not carry as they are (shared.logging replaces their values)."""
    return CLIENT_DETAILS | CLIENT_CONTACT | STAFF_CONTACT | SECRETS


def redact(mapping: dict) -> dict:
    """A log's or trace's attributes with client details and secrets replaced by `[redacted]`."""
    hidden = redacted_log_keys()
    return {k: "[redacted]" if (k in hidden or is_secret(k)) else v for k, v in mapping.items()}
