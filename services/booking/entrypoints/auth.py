"""Staff-only views: the admin credential is checked before anything else is looked at."""
from __future__ import annotations

import functools

from shared.web import require_admin


def admin_only(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        require_admin()
        return view(*args, **kwargs)
    return wrapper
