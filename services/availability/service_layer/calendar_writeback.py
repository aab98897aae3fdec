"""Write-back: confirmed consultations into the clinician's CalDAV calendar, moved on reschedule, removed on cancel.

Exactly once, even when the worker dies mid-way: the consumer records the consultation's new state
(marked pending) in the transaction that also records the event as processed, and acks after the
commit; the push job PUTs the event at a URL named after its UID (the same PUT twice is still one
event) or DELETEs it, and only then marks that state written. A crash between the two repeats an
idempotent request, never a second event.
"""
from __future__ import annotations

import logging
import uuid

from services.availability.adapters import calendar_store as store
from services.availability.adapters.caldav_client import CalendarError, Remote
from services.availability.service_layer import calendar_sync
from services.availability.service_layer.feed import calendar_of, client_label, consultation_event
from shared import process_owner
from shared.clock import SystemClock
from shared.ical import booking_uid
from shared.messaging.topology import Subscription
from shared.runtime import Container, Job

log = logging.getLogger("attune.calendar")
ROUTING_KEYS = ("booking.confirmed", "booking.rescheduled", "booking.cancelled")
JOB_SECONDS = 5
BATCH = 100


def on_booking(settings, clock, session, event: dict, data: dict) -> None:
    """Records the consultation's state for the feed and the write-back (client label only, no contacts)."""
    values = {"clinician_id": data["clinician_id"], "start": data["start"], "end": data["end"],
              "status": "cancelled" if event["type"] == "booking.cancelled" else data.get("status", "confirmed")}
    if event["type"] == "booking.confirmed":
        values["client_label"] = client_label((data.get("client") or {}).get("name"), settings.calendar_feed_full_names)
    elif store.booking(session, data["booking_id"]) is None:
        values["client_label"] = "client"  # confirmed before this service kept consultations
    store.put_booking(session, data["booking_id"], values, event["sequence"], clock.now())


def subscription(container: Container) -> Subscription:
    clock = container.clock or SystemClock()
    handler = lambda session, event, data: on_booking(container.settings, clock, session, event, data)
    return Subscription("calendar-writeback", ROUTING_KEYS, {t: handler for t in ROUTING_KEYS})


def jobs() -> list[Job]:
    return [Job("calendar-writeback", push_pending, JOB_SECONDS)]


def push_pending(container: Container) -> int:
    """The worker's job: writes every pending consultation state to its clinician's calendar.

    Each clinician's writes happen under the calendar's lease (the one its sync takes): without it, a
    replica's PUT of a confirmed state read before a cancellation could land after another replica's
    DELETE of the cancelled state, leaving a cancelled consultation in the calendar for good."""
    with container.db.read() as session:
        clinicians = list(dict.fromkeys(r.clinician_id for r in store.pending(session, BATCH)))
        connections = {cid: store.get_connection(session, cid) for cid in clinicians}
    remotes: dict[str, Remote | None] = {}
    done = 0
    try:
        for clinician_id in clinicians:
            done += _push_clinician(container, clinician_id, connections[clinician_id], remotes)
    finally:
        for remote in remotes.values():
            if remote:
                remote.client.close()
    return done


def _push_clinician(container: Container, clinician_id: str, connection, remotes: dict) -> int:
    if connection is None:  # no calendar to talk to: no lease needed
        with container.db.read() as session:
            rows = store.pending(session, BATCH, clinician_id)
        return sum(_push(container, row, None, remotes) for row in rows)
    owner, now = f"{uuid.uuid4().hex[:8]}/{process_owner.current(short=True)}", container.clock.now()
    with container.db.write() as session:
        if not store.claim(session, clinician_id, owner, now, now + calendar_sync.LEASE, due_only=False):
            return 0  # another replica syncs or writes this calendar now; the next run writes the rest
    try:
        with container.db.read() as session:  # read under the lease: the newest state of each
            rows = store.pending(session, BATCH, clinician_id)
        return sum(_push(container, row, connection, remotes) for row in rows)
    finally:
        with container.db.write() as session:
            store.release(session, clinician_id, owner)


def _push(container: Container, row, connection, remotes: dict) -> bool:
    now = container.clock.now()
    if connection is None:  # no calendar connected: nothing to write (the feed still shows it)
        with container.db.write() as session:
            store.written(session, row.booking_id, row.sequence, row.written_url, now)
        return True
    if row.clinician_id in remotes and remotes[row.clinician_id] is None:
        return False  # this clinician's server failed earlier in this run
    try:
        remote = remotes.get(row.clinician_id) or calendar_sync.open_remote(container, connection)
        remotes[row.clinician_id] = remote
        if row.status == "confirmed":
            ics = calendar_of([consultation_event(row, now, container.settings.practice_name)]).to_ical().decode()
            url = remote.put(booking_uid(row.booking_id), ics)
        else:
            remote.delete(row.written_url or remote.resource_url(booking_uid(row.booking_id)))
            url = None
    except CalendarError as exc:
        remotes[row.clinician_id] = None
        log.warning("calendar write-back failed", extra={"clinician_id": row.clinician_id,
                                                         "booking_id": row.booking_id, "reason": str(exc)})
        return False
    with container.db.write() as session:
        store.written(session, row.booking_id, row.sequence, url, now)
    log.info("calendar write-back done", extra={"clinician_id": row.clinician_id, "booking_id": row.booking_id,
                                                "status": row.status})
    return True

