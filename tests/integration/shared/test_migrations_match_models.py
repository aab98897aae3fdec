"""Each service's Alembic history builds exactly the schema its models describe (on the database of the run):
a migration that forgets a column, an index or a constraint, or one that a shared helper builds differently
from the model, fails here before it fails in a practice's database."""
from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

SERVICES = ("availability", "booking", "notifications", "staff")


@pytest.mark.parametrize("service", SERVICES)
def test_the_migrated_schema_is_the_models_schema(make_container, service):
    container = make_container(service)
    models = importlib.import_module(f"services.{service}.adapters.orm").metadata
    with container.db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), models)
    assert differences == [], f"{service}: the migrations and the models differ: {differences}"
    assert {"outbox", "processed_events", "subject_sequences", "revocations"} <= set(models.tables)
