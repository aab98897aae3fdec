"""Guarded views: the credential is checked before anything else is looked at."""
from __future__ import annotations

import functools

from shared.web import require_admin, require_reader


def _guarded(check):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            check()
            return view(*args, **kwargs)
        return wrapper
    return decorate


admin_only = _guarded(require_admin)  # staff views
reader_only = _guarded(require_reader)  # read-only feeds: the admin or an integrator credential
