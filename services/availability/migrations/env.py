"""Alembic environment of the availability service."""
from shared.alembic_env import run

from services.availability.adapters.orm import metadata

run(metadata)
