"""A real CalDAV server for tests: Radicale on a free port, a throwaway storage folder, plain htpasswd users."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import niquests

from tests.support.staff_tokens import KEY as STAFF_KEY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Radicale:
    """One Radicale process; `users` maps user names to passwords (plain htpasswd)."""
    folder: Path
    users: dict[str, str] = field(default_factory=lambda: {"ada": "ada-secret-pw"})
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> Radicale:
        self.folder.mkdir(parents=True, exist_ok=True)
        users = self.folder / "users"
        users.write_text("".join(f"{u}:{p}\n" for u, p in self.users.items()))
        self.port = self.port or free_port()
        log = open(self.folder / "radicale.log", "ab")  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{self.port}",
             "--storage-filesystem-folder", str(self.folder / "collections"),
             "--auth-type", "htpasswd", "--auth-htpasswd-filename", str(users),
             "--auth-htpasswd-encryption", "plain", "--auth-delay", "0", "--logging-level", "warning"],
            stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"radicale exited: {(self.folder / 'radicale.log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("radicale did not start within 20 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def make_calendar(self, user: str = "ada", name: str | None = None) -> str:
        """Creates a calendar collection of the user; returns its URL."""
        url = f"{self.url}{user}/{name or uuid.uuid4().hex[:8]}/"
        body = ('<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Work</D:displayname>'
                '</D:prop></D:set></C:mkcalendar>')
        resp = niquests.request("MKCALENDAR", url, data=body, auth=(user, self.users[user]), timeout=10)
        assert resp.status_code == 201, resp.text
        return url

    def put_event(self, calendar_url: str, ics: str, name: str | None = None, user: str = "ada") -> str:
        url = f"{calendar_url}{name or uuid.uuid4().hex}.ics"
        resp = niquests.put(url, data=ics.encode(), auth=(user, self.users[user]), timeout=10,
                            headers={"Content-Type": "text/calendar; charset=utf-8"})
        assert resp.status_code in (201, 204), resp.text
        return url

    def delete(self, url: str, user: str = "ada") -> None:
        resp = niquests.delete(url, auth=(user, self.users[user]), timeout=10)
        assert resp.status_code in (200, 204), resp.text

    def events(self, calendar_url: str, user: str = "ada") -> dict[str, str]:
        """{href name: ics text} of every object in the calendar (read straight from the storage folder)."""
        path = self.folder / "collections" / "collection-root" / calendar_url.split("/", 3)[3].rstrip("/")
        return {p.name: p.read_text() for p in sorted(path.glob("*.ics"))}


KEY = STAFF_KEY  # ATTUNE_SECRET_KEY of the calendar tests: seals the passwords, verifies staff tokens
PASSWORD = "ada-secret-pw"


def vevent(uid: str, body: str) -> str:
    """A VCALENDAR around one or more VEVENT bodies (lines joined with CRLF)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Attune tests//EN", *body.strip().splitlines(),
             "END:VCALENDAR"]
    return "\r\n".join(line.strip() for line in lines) + "\r\n"

