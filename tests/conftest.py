"""Fixtures for every layer: broker and database discovery, isolated service containers."""
from __future__ import annotations

import contextlib
import importlib
from pathlib import Path

import pytest

from tests.support import infra

TEST_SECRET_KEY = "test-secret-key-7Qm2Xv9Lp4Rz8Wn3Kc6Bt"  # ATTUNE_SECRET_KEY of every test container


@pytest.fixture(scope="session")
def amqp_url() -> str:
    return infra.find_amqp()


@pytest.fixture(scope="session")
def pg_url() -> str:
    return infra.find_postgres()


@pytest.fixture
def exchange_name() -> str:
    """Each test has its own exchange (and so its own queue names): tests never see each other's events."""
    return f"attune.test.{infra.rand()}"


@pytest.fixture
def database_url(request, tmp_path):
    """SQLite file per test, or PostgreSQL when DATABASE_URL names it."""
    if infra.wants_postgres():
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'attune.db'}"


@pytest.fixture
def make_container(request, tmp_path, exchange_name, database_url):
    """Factory: a migrated service container on its own schema/file and exchange; cleaned up after.

    make_container("booking", clock=FrozenClock(...), HOLD_TTL_SECONDS="5")
    """
    made = []

    def make(service: str, clock=None, db_url: str | None = None, **env):
        from shared import config
        from shared.runtime import migrate

        url = db_url or database_url
        if url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / (service + '-' + infra.rand(4) + '.db')}"
        amqp = request.getfixturevalue("amqp_url")
        environ = {"AMQP_URL": amqp, "ATTUNE_EXCHANGE": exchange_name, f"{service.upper()}_DATABASE_URL": url,
                   "ATTUNE_ADMIN_TOKEN": "test-admin-Vq8xK2pLm9RzW4nY7c", "ATTUNE_VAR_DIR": str(tmp_path / "var"),
                   "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1,localhost", "ATTUNE_SECRET_KEY": TEST_SECRET_KEY,
                   **{k: str(v) for k, v in env.items()}}
        settings = config.load(service, environ)
        schema = f"{service}_t{infra.rand(6)}"
        module = importlib.import_module(f"services.{service}.bootstrap")
        container = module.bootstrap(settings=settings, clock=clock, schema=schema)
        migrate(container)
        made.append((container, schema, url))
        return container

    yield make
    for container, schema, url in made:
        container.db.engine.dispose()
        if url.startswith("postgres"):
            infra.drop_schema(url, schema)
        queues = [f"{container.settings.queue_prefix}{container.settings.service}.{s.purpose}"
                  for s in container.subscriptions]
        with contextlib.suppress(Exception):  # the broker may have been stopped by the test itself
            infra.delete_broker_objects(container.settings.amqp_url, container.settings.exchange, queues)


@pytest.fixture(scope="session")
def own_broker():
    """A RabbitMQ node of the session's own (started on first use), for the tests that stop a broker:
    they never stop, restart or reconfigure the machine's. Its data lives in a folder of its own, not
    under pytest's base folder, which another pytest session on this machine may prune meanwhile."""
    from tests.support.own_broker import OwnBroker

    broker = OwnBroker().start()
    yield broker
    broker.stop()


@pytest.fixture
def admin_headers():
    return {"Authorization": "Bearer test-admin-Vq8xK2pLm9RzW4nY7c"}


BROWSER_TESTS = Path(__file__).parent / "e2e" / "browser"


def pytest_collection_modifyitems(config, items):
    """Marks the Chromium tests `browser`, so a run can select them (-m browser) or leave them out."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


def pytest_sessionfinish(session, exitstatus):
    infra.stop_containers()


ROOT = Path(__file__).resolve().parent.parent
