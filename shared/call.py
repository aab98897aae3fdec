"""How a consultation call happens: the clinician's phone call, or a video link (theirs, or one per booking)."""
from __future__ import annotations

import hashlib
import hmac

DEFAULT_TEMPLATE = "https://meet.jit.si/attune-{room}"


def room(secret_key: str | None, booking_id: str) -> str:
    """A room name nobody guesses from the booking id (integrators see ids): keyed by ATTUNE_SECRET_KEY."""
    key = (secret_key or "attune").encode()
    return hmac.new(key, b"video-room:" + booking_id.encode(), hashlib.sha256).hexdigest()[:20]


def for_booking(method: str | None, video_url: str | None, booking_id: str, template: str = DEFAULT_TEMPLATE,
                secret_key: str | None = None) -> dict:
    """{"method": "phone"} or {"method": "video", "video_url"}: the clinician's own link, else the
    template's link for this booking."""
    if method == "phone":
        return {"method": "phone"}
    url = video_url or template.format(room=room(secret_key, booking_id), booking_id=booking_id)
    return {"method": "video", "video_url": url}
