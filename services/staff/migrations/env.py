"""Alembic environment of the staff service."""
from services.staff.adapters.orm import metadata
from shared.alembic_env import run

run(metadata)
