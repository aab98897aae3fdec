"""Alembic environment of the notifications service."""
from services.notifications.adapters.orm import metadata
from shared.alembic_env import run

run(metadata)
