"""Fixtures of the notifications service's integration tests: a real SMTP server (aiosmtpd), a real
local HTTP receiver for webhooks, a frozen clock, and events applied through the real consumer."""
from __future__ import annotations

import email
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from requests.structures import CaseInsensitiveDict  # HTTP header names are case-insensitive

from shared import sealed
from shared.clock import FrozenClock
from shared.events import new_event, parse
from shared.messaging.consumer import EventConsumer
from tests.conftest import TEST_SECRET_KEY
from tests.support.system import free_port

NOW = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # the Friday before Europe's clocks go forward
PRACTICE = "practice@attune.test"


class Mailbox:
    """An aiosmtpd server that keeps what it receives; `refuse` holds addresses it answers 550 for."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[tuple[list[str], email.message.Message]] = []
        self.refuse: set[str] = set()
        self.controller = None

    def start(self) -> Mailbox:
        from aiosmtpd.controller import Controller

        box = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address in box.refuse:
                    return "550 5.1.1 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                box.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[email.message.Message]:
        return [m for rcpts, m in list(self.messages) if address in rcpts]

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


class Receiver:
    """A local HTTP endpoint: records each request, answers the scripted statuses (then `default`),
    and waits for `gate` (when set) before answering."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[int] = []
        self.default = 200
        self.gate: threading.Event | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"headers": CaseInsensitiveDict(self.headers), "body": body, "path": self.path})
                if receiver.gate is not None:
                    receiver.gate.wait(30)
                status = receiver.script.pop(0) if receiver.script else receiver.default
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def stop(self) -> None:
        if self.gate is not None:
            self.gate.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mailbox():
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def notifications(make_container, mailbox, clock):
    # en-GB: these tests read 24-hour times (the en-US default's 12-hour clock has tests of its own)
    container = make_container("notifications", clock=clock, SMTP_URL=mailbox.url, PRACTICE_INBOX=PRACTICE,
                               PRACTICE_LOCALE="en-GB")
    yield container
    container.extra["dispatcher"].close()


def apply(container, event: dict) -> None:
    """Hands one event to the service the way its worker would: the consumer's transaction, de-dup
    and handler, for each of its queues bound to the event's type."""
    consumer = EventConsumer(container.settings, container.db, container.tables, container.subscriptions,
                             container.clock)
    envelope, data = parse(json.dumps(event))
    for sub in container.subscriptions:
        if "#" in sub.routing_keys or event["type"] in sub.routing_keys:
            assert consumer.apply(sub, envelope, data, sub.handlers[event["type"]]) is None


class Events:
    """Builds contract events with rising per-subject sequences, as the other services publish them."""

    def __init__(self, clock):
        self.clock, self.sequences = clock, {}

    def make(self, type_: str, subject: str, data: dict, source: str = "/attune/booking") -> dict:
        self.sequences[subject] = self.sequences.get(subject, 0) + 1
        return new_event(type_, source, subject, self.sequences[subject], data, self.clock.now())

    def clinician(self, tz: str = "Europe/Berlin", **over) -> dict:
        cid = over.pop("clinician_id", str(uuid.uuid4()))
        data = {"clinician_id": cid, "name": "Dr Ada Winter", "email": f"ada-{cid[:8]}@clinic.test", "time_zone": tz,
                "modalities": ["eft"], "populations": ["couples"], "languages": ["en"],
                "accepting_new_clients": True, "active": True, **over}
        return self.make("clinician.created", cid, data, "/attune/availability")

    def confirmed(self, clinician_id: str, start: datetime, client: dict | None = None, **over) -> dict:
        bid = over.pop("booking_id", str(uuid.uuid4()))
        self.make("booking.held", bid, self._booking(bid, clinician_id, start, "held"))
        client = client or {"name": "Robin Example", "email": f"robin-{bid[:8]}@client.test",
                            "phone": "+1 206 555 0100"}
        data = {**self._booking(bid, clinician_id, start, "confirmed"),
                "client": client, "notes": "We keep arguing.",
                "sealed_manage_token": sealed.seal(TEST_SECRET_KEY, sealed.MANAGE_LINK, "mt_secret-token"), **over}
        return self.make("booking.confirmed", bid, data)

    def rescheduled(self, confirmed: dict, start: datetime, previous: datetime) -> dict:
        d = confirmed["data"]
        data = {**self._booking(d["booking_id"], d["clinician_id"], start, "confirmed"),
                "previous_start": previous, "previous_end": previous + timedelta(minutes=15)}
        return self.make("booking.rescheduled", d["booking_id"], data)

    def cancelled(self, confirmed: dict, start: datetime, reason: str | None = "found help") -> dict:
        d = confirmed["data"]
        data = {**self._booking(d["booking_id"], d["clinician_id"], start, "cancelled"), "reason": reason,
                "cancelled_by": "client"}
        return self.make("booking.cancelled", d["booking_id"], data)

    def contact_request(self, tz: str = "America/New_York", email_address: str | None = "sam@client.test",
                        clinician_id: str | None = None) -> dict:
        rid = str(uuid.uuid4())
        data = {"contact_request_id": rid, "clinician_id": clinician_id, "modality": "eft", "population": "couples",
                "time_zone": tz, "preferred_times": [{"weekday": "mon", "start": "17:00", "end": "19:00"}],
                "client": {"name": "Sam Seeker", "email": email_address, "phone": "+1 212 555 0199"},
                "message": "Evenings are hard for us."}
        return self.make("contact_request.created", rid, data)

    def matched(self, request: dict, clinician_id: str, start: datetime) -> dict:
        data = {"contact_request_id": request["data"]["contact_request_id"], "clinician_id": clinician_id,
                "start": start, "end": start + timedelta(minutes=15)}
        return self.make("contact_request.matched", request["subject"], data)

    @staticmethod
    def _booking(bid: str, cid: str, start: datetime, status: str) -> dict:
        return {"booking_id": bid, "clinician_id": cid, "start": start, "end": start + timedelta(minutes=15),
                "status": status}


@pytest.fixture
def events(clock):
    return Events(clock)


def same_database(container):
    """Another worker of the same service on the same database (also: the service after a restart)."""
    from sqlalchemy import text

    from services.notifications.bootstrap import bootstrap

    schema = None
    if not container.db.sqlite:
        with container.db.read() as s:
            schema = s.execute(text("SELECT current_schema()")).scalar()
    return bootstrap(settings=container.settings, clock=container.clock, schema=schema)


@pytest.fixture
def second_worker(notifications):
    made = []

    def make():
        made.append(same_database(notifications))
        return made[-1]

    yield make
    for container in made:
        container.extra["dispatcher"].close()
        container.db.engine.dispose()


def subject(message) -> str:
    """The Subject as a reader sees it: encoded words decoded, folding undone."""
    from email.header import decode_header, make_header

    return " ".join(str(make_header(decode_header(message["Subject"]))).split())
