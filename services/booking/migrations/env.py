"""Alembic environment of the booking service."""
from services.booking.adapters.orm import metadata
from shared.alembic_env import run

run(metadata)
