"""Alembic environment of the notifications service."""
from shared.alembic_env import run

from services.notifications.adapters.orm import metadata

run(metadata)
