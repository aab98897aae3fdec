"""Guarded views: the credential is checked before anything else is looked at."""
from __future__ import annotations

import functools

from shared.access import authorize
from shared.auth import ROLES
from shared.web import require_reader


def _guarded(check):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            check()
            return view(*args, **kwargs)
        return wrapper
    return decorate


def _signed_in() -> None:
    authorize(*ROLES)


staff_only = _guarded(_signed_in)  # any staff role; the view narrows a clinician to their own
reader_only = _guarded(require_reader)  # read-only feeds: the admin or an integrator credential (staff: 403)
