"""What an integrator's webhook may carry: shared.privacy decides (client details only if asked, never a secret)."""
from __future__ import annotations

from shared.privacy import for_outlet


def webhook_view(event: dict, include_client_details: bool) -> dict:
    return for_outlet(event, "webhook", include_client_details)
