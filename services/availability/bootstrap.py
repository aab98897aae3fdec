"""Wires the availability service's real adapters; the web app, the worker and the tests all start here."""
from __future__ import annotations

from pathlib import Path

from shared.runtime import Container, build

from services.availability.adapters import orm


def bootstrap(settings=None, clock=None, schema=None) -> Container:
    container = build("availability", orm.metadata, Path(__file__).parent / "migrations", settings, clock, schema)
    return container
