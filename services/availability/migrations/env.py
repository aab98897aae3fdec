"""Alembic environment of the availability service."""
from services.availability.adapters.orm import metadata
from shared.alembic_env import run

run(metadata)
