"""The body of every service's Alembic env.py: migrate the engine the caller handed over."""
from __future__ import annotations

from sqlalchemy import MetaData


def run(metadata: MetaData) -> None:
    from alembic import context

    engine = context.config.attributes.get("engine")
    if engine is None:  # `alembic` run by hand: build it from the environment
        from shared import config, db

        service = context.config.get_main_option("service")
        engine = db.make_engine(config.database_url(service), db.schema_for(service))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
