"""Alembic environment of the booking service."""
from shared.alembic_env import run

from services.booking.adapters.orm import metadata

run(metadata)
