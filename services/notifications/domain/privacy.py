"""What an integrator's webhook may carry: no client details unless asked, never a secret."""
from __future__ import annotations

from shared.events import without_client

PERSONAL = ("notes", "message")  # free text a client wrote: personal data like the contact details
SECRETS = ("manage_url", "manage_token")


def webhook_view(event: dict, include_client_details: bool) -> dict:
    view = event if include_client_details else without_client(event)
    data = {k: v for k, v in view["data"].items()
            if k not in SECRETS and (include_client_details or k not in PERSONAL)}
    if isinstance(data.get("client"), dict):
        data["client"] = {k: v for k, v in data["client"].items() if k not in SECRETS}
    return {**view, "data": data}
