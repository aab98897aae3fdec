"""Guarded views: the credential is checked before anything else is looked at."""
from __future__ import annotations

import functools

from shared.access import authorize, current_principal
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


def _admin_or_integrator() -> None:
    """A signed-in staff member or clinician is refused with 403 (the feed is not theirs); without a
    valid credential, or with one that is neither the admin's nor an integrator's, 401."""
    principal = current_principal()
    if principal is not None and principal.role != "admin":
        authorize("admin")
    require_reader()


staff_only = _guarded(_signed_in)  # any staff role; the view narrows a clinician to their own
reader_only = _guarded(_admin_or_integrator)  # read-only feeds: the admin or an integrator credential
