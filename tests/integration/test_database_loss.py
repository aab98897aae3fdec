"""A PostgreSQL connection the server dropped (a restart, a failover, an idle timeout) costs one
request a 503 with Retry-After, never a 500, and the next request works on a fresh connection."""
from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.integration


def test_a_dropped_database_connection_is_a_503_once_and_then_the_service_recovers(make_container, pg_url):
    from services.availability.entrypoints.flask_app import create_app

    container = make_container("availability", db_url=pg_url)
    client = create_app(container).test_client()
    assert client.get("/v1/clinicians").status_code == 200
    with container.db.engine.connect() as conn:  # the pooled connection the request just used
        pid = conn.connection.dbapi_connection.info.backend_pid
    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]

    lost = client.get("/v1/clinicians")
    after = client.get("/v1/clinicians")

    assert lost.status_code == 503 and lost.mimetype == "application/problem+json"
    assert lost.headers["Retry-After"] == "1"
    assert after.status_code == 200, "the pool reconnects by itself"
