"""A clinician's CalDAV calendar (RFC 4791) through the `caldav` library: find it, read its events, write ours.

Every failure becomes `CalendarError` with a reason meant for staff: it never carries the password,
and it names the cause (unreachable, refused credentials, not CalDAV, no calendar).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Self
from urllib.parse import quote, urlparse

import caldav
from caldav.lib import error as dav_error

log = logging.getLogger("attune.calendar")
TIMEOUT_SECONDS = 30  # a big calendar's first report may take the server a while (Radicale builds its cache)


class CalendarError(Exception):
    """The calendar could not be used; `str()` is the reason shown to staff."""


def _host(url: str) -> str:
    parsed = urlparse(url)
    return parsed.hostname or url


def _reason(exc: Exception, url: str) -> str:
    if isinstance(exc, CalendarError):
        return str(exc)
    if isinstance(exc, dav_error.AuthorizationError):
        if "Forbidden" in str(exc) or "403" in str(exc):
            return f"the CalDAV server at {_host(url)} refused this user access to that URL"
        return f"the CalDAV server at {_host(url)} refused the username or password"
    if isinstance(exc, dav_error.NotFoundError):
        return f"nothing is found at that URL on {_host(url)}"
    if isinstance(exc, dav_error.DAVError):
        return f"the server at {_host(url)} does not speak CalDAV at that URL"
    if isinstance(exc, OSError | TimeoutError):  # niquests' ConnectionError and Timeout are OSErrors
        return f"could not reach the CalDAV server at {_host(url)} ({type(exc).__name__})"
    return f"the CalDAV server at {_host(url)} answered something unexpected ({type(exc).__name__})"


def check_url(url: str, field: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise CalendarError(f"{field} must be an http(s) URL")
    if parsed.username or parsed.password:
        raise CalendarError(f"{field} must not carry credentials: give them as username and password")


class Remote:
    """One open connection to one calendar collection."""

    def __init__(self, caldav_url: str, username: str, password: str, calendar_url: str | None = None):
        self.caldav_url = caldav_url
        try:
            self.client = caldav.DAVClient(url=caldav_url, username=username, password=password,
                                           timeout=TIMEOUT_SECONDS)
            self.calendar = self.client.calendar(url=calendar_url) if calendar_url else None
        except Exception as exc:  # noqa: BLE001 - e.g. a calendar URL on another host than the server's
            raise CalendarError(f"the calendar URL does not fit the CalDAV server at {_host(caldav_url)} "
                                f"({type(exc).__name__})") from None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.client.close()

    def find_calendar(self, calendar_url: str | None) -> str:
        """The URL of the calendar to use: `calendar_url` when it is one of the user's, else their first
        calendar that takes events. Raises CalendarError naming the cause."""
        try:
            principal = self.client.principal()
            calendars = principal.calendars()
        except Exception as exc:  # noqa: BLE001 - every failure is reported by cause
            raise CalendarError(_reason(exc, self.caldav_url)) from None
        if not calendars:
            raise CalendarError(f"the CalDAV server at {_host(self.caldav_url)} has no calendar for this user")
        if calendar_url:
            wanted = calendar_url.rstrip("/")
            found = [c for c in calendars if str(c.url).rstrip("/") == wanted]
            if not found:
                raise CalendarError("calendar_url names none of this user's calendars")
            chosen = found[0]
        else:
            chosen = next((c for c in calendars if _takes_events(c)), calendars[0])
        self.calendar = chosen
        return str(chosen.url)

    def sync_token(self, token: str | None) -> tuple[bool, str | None]:
        """(changed since `token`, the new token) from a sync-collection report (RFC 6578): hrefs and
        etags only, so an unchanged calendar costs one small request. (True, None) where the server
        keeps no sync tokens."""
        try:
            found = self.calendar.get_objects_by_sync_token(sync_token=token, load_objects=False,
                                                            disable_fallback=True)
        except dav_error.AuthorizationError as exc:
            if "valid-sync-token" in str(getattr(exc, "preconditions", "")):
                return True, None  # an expired token: read everything again
            raise CalendarError(_reason(exc, self.caldav_url)) from None
        except (dav_error.ReportError, dav_error.DAVError):
            return True, None
        except Exception as exc:  # noqa: BLE001
            raise CalendarError(_reason(exc, self.caldav_url)) from None
        new = str(found.sync_token) if found.sync_token else None
        changed = token is None or new != token or len(found) > 0 or bool(found.deleted_urls)
        return changed, new

    def events_between(self, start: datetime, end: datetime) -> list[str]:
        """The iCalendar text of every event resource overlapping [start, end) (masters of recurring
        series with their exceptions, unexpanded: expansion is ours)."""
        try:
            found = self.calendar.search(start=start, end=end, event=True, expand=False)
            return [obj.data for obj in found if obj.data]
        except Exception as exc:  # noqa: BLE001
            raise CalendarError(_reason(exc, self.caldav_url)) from None

    def resource_url(self, uid: str) -> str:
        return str(self.calendar.url).rstrip("/") + "/" + quote(uid, safe="@.-_") + ".ics"

    def put(self, uid: str, ics: str) -> str:
        """Creates or replaces the event resource named after its UID (the same PUT twice is one event)."""
        url = self.resource_url(uid)
        try:
            resp = self.client.put(url, ics, {"Content-Type": "text/calendar; charset=utf-8"})
        except Exception as exc:  # noqa: BLE001
            raise CalendarError(_reason(exc, self.caldav_url)) from None
        if resp.status not in (200, 201, 204):
            raise CalendarError(f"the CalDAV server at {_host(url)} refused the event (HTTP {resp.status})")
        return url

    def delete(self, url: str) -> None:
        """Removes the event resource; one that is gone already counts as removed."""
        try:
            resp = self.client.delete(url)
        except dav_error.NotFoundError:
            return
        except Exception as exc:  # noqa: BLE001
            raise CalendarError(_reason(exc, self.caldav_url)) from None
        if resp.status not in (200, 204, 404, 410):
            raise CalendarError(f"the CalDAV server at {_host(url)} refused to remove the event (HTTP {resp.status})")


def _takes_events(calendar) -> bool:
    try:
        return "VEVENT" in calendar.get_supported_components()
    except Exception:  # noqa: BLE001 - servers that do not say take everything
        return True


def connect(caldav_url: str, username: str, password: str, calendar_url: str | None) -> str:
    """Checks that the credentials open a calendar; returns its URL (CalendarError names the cause)."""
    check_url(caldav_url, "caldav_url")
    if calendar_url:
        check_url(calendar_url, "calendar_url")
    try:
        with Remote(caldav_url, username, password) as remote:
            return remote.find_calendar(calendar_url)
    except CalendarError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise CalendarError(_reason(exc, caldav_url)) from None
