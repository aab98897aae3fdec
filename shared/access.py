"""Role checks and the audit trail for Flask views, the same in every service.

`authorize("admin", "staff", "clinician", clinician_id=cid)` answers 401 for a missing, forged,
expired or revoked credential and 403 for a role (or another clinician) the call does not allow.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid

from flask import current_app, g

from shared import auth, revocations
from shared.web import ProblemError, bearer_token

log = logging.getLogger("attune.access")
_UNSET = object()


def current_principal() -> auth.Principal | None:
    """The verified caller of this request (cached on `g`), or None."""
    cached = g.get("attune_principal", _UNSET)
    if cached is not _UNSET:
        return cached
    g.attune_principal = _resolve(bearer_token())
    return g.attune_principal


def _resolve(token: str | None) -> auth.Principal | None:
    if not token:
        return None
    container = current_app.extensions["attune"]
    settings = container.settings
    if auth.is_owner_token(token, settings.admin_token):
        return auth.OWNER
    if token.count(".") != 2:  # hold, manage and integrator tokens are not JWTs
        return None
    try:
        principal = auth.verify(settings.secret_key, token, container.clock.now())
    except auth.InvalidSession as e:
        log.info("session token refused", extra={"reason": str(e)})
        return None
    with container.db.read() as conn:
        if revocations.is_revoked(conn, container.tables["revocations"], principal.session_id,
                                  principal.account_id):
            log.info("session token refused", extra={"reason": "revoked"})
            return None
    return principal


def authorize(*roles: str, clinician_id: str | None = None) -> auth.Principal:
    """The caller, when their role is one of `roles` (and, for a clinician, `clinician_id` is theirs)."""
    principal = current_principal()
    if principal is None:
        raise ProblemError(401, "Unauthorized", "This call needs a staff sign-in or the admin credential "
                           "(Authorization: Bearer).", slug="unauthorized")
    if principal.role not in roles:
        raise ProblemError(403, "Forbidden", f"The {principal.role} role may not make this call.",
                           slug="forbidden")
    if clinician_id is not None and not principal.may_act_for(clinician_id):
        raise ProblemError(403, "Forbidden", "This belongs to another clinician.", slug="forbidden")
    return principal


def audit_data(principal: auth.Principal, action: str, service: str, subject: str | None, now) -> dict:
    """What an `audit.recorded` event says: who, what, when, where, about which subject; never client details."""
    return {"account_id": principal.account_id, "role": principal.role, "owner_token": principal.owner,
            "session_id": principal.session_id, "action": action, "service": service, "subject": subject,
            "at": now}


def record_audit(conn, outbox, principal: auth.Principal, action: str, subject: str | None, now) -> None:
    """Writes an `audit.recorded` event in the caller's transaction (the staff service keeps the log)."""
    service = outbox.source.rsplit("/", 1)[-1]
    outbox.add(conn, "audit.recorded", f"audit-{uuid.uuid4().hex}",
               audit_data(principal, action, service, subject, now), now, after=0)


class _RecentReads:
    """Which (caller, action, subject) this process audited lately: a console that polls a list every few
    seconds is one entry per record per window, not one per poll, and each record stays findable by id."""

    def __init__(self, window: float):
        self.window, self._seen, self._lock = window, {}, threading.Lock()

    def fresh(self, keys: list[tuple]) -> list[tuple]:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 50_000:
                self._seen = {k: t for k, t in self._seen.items() if now - t < self.window}
            new = [k for k in keys if now - self._seen.get(k, -self.window) >= self.window]
            self._seen.update((k, now) for k in new)
        return new


# A list read by the same session of the same record within this many seconds is one audit entry: each
# process folds its own repeats, and the staff service folds those of other processes and replicas.
LIST_READ_WINDOW_SECONDS = 300
LIST_READ_SUFFIX = ".listed"
_recent_reads = _RecentReads(window=LIST_READ_WINDOW_SECONDS)


def record_list_read(conn, outbox, principal: auth.Principal, action: str, subjects, now) -> int:
    """Audits a staff list read record by record (`booking.listed` of each booking shown), so the log
    answers "who saw this client's details"; repeats by the same session within 5 minutes are one entry."""
    who = principal.session_id or principal.account_id
    fresh = _recent_reads.fresh([(who, action, s) for s in dict.fromkeys(subjects)])
    for _, _, subject in fresh:
        record_audit(conn, outbox, principal, action, subject, now)
    return len(fresh)
