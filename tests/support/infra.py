"""Finds the broker and the database the tests use: the environment first, then testcontainers
(where a Docker engine answers), then the local default. Nothing reachable: the test fails, naming
what it tried. It never skips."""
from __future__ import annotations

import contextlib
import os
import random
import string

import pytest

LOCAL_AMQP = "amqp://guest:guest@127.0.0.1:5672//"
LOCAL_PG = "postgresql://postgres@127.0.0.1:5432/test"
RABBITMQ_IMAGE = "rabbitmq:3.13.7-management"
POSTGRES_IMAGE = "postgres:16.4"
_containers: list = []


def rand(n: int = 8) -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=n))


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:  # noqa: BLE001 - no engine here
        return False


def _amqp_ok(url: str) -> str | None:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=3) as c:
            c.ensure_connection(max_retries=1)
        return None
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {e}"


def _pg_ok(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return None
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {e}"


def find_amqp() -> str:
    tried = []
    if os.environ.get("AMQP_URL"):
        url = os.environ["AMQP_URL"]
        err = _amqp_ok(url)
        if not err:
            return url
        tried.append(f"AMQP_URL={url} ({err})")
    elif _docker_answers():
        from testcontainers.rabbitmq import RabbitMqContainer

        c = RabbitMqContainer(RABBITMQ_IMAGE).start()
        _containers.append(c)
        return f"amqp://guest:guest@{c.get_container_host_ip()}:{c.get_exposed_port(5672)}//"
    else:
        tried.append("testcontainers (no Docker engine answers)")
    err = _amqp_ok(LOCAL_AMQP)
    if not err:
        return LOCAL_AMQP
    tried.append(f"{LOCAL_AMQP} ({err})")
    pytest.fail("RabbitMQ is needed and none answers; tried: " + "; ".join(tried), pytrace=False)


def find_postgres() -> str:
    tried = []
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        err = _pg_ok(url)
        if not err:
            return url
        tried.append(f"DATABASE_URL={url} ({err})")
    elif _docker_answers():
        from testcontainers.postgres import PostgresContainer

        c = PostgresContainer(POSTGRES_IMAGE, driver=None).start()
        _containers.append(c)
        return c.get_connection_url()
    else:
        tried.append("testcontainers (no Docker engine answers)")
    err = _pg_ok(LOCAL_PG)
    if not err:
        return LOCAL_PG
    tried.append(f"{LOCAL_PG} ({err})")
    pytest.fail("PostgreSQL is needed and none answers; tried: " + "; ".join(tried), pytrace=False)


def wants_postgres() -> bool:
    """The suite runs on SQLite unless DATABASE_URL names PostgreSQL (`.ci/run` does both)."""
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


def drop_schema(pg_url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def delete_broker_objects(amqp_url: str, exchange: str, queues: list[str]) -> None:
    from kombu import Connection

    with Connection(amqp_url) as conn:
        ch = conn.channel()
        replays = {q.rsplit(".", 1)[0] + ".replay" for q in queues}  # each service's relay's replay requests
        for q in [*queues, *replays]:
            for name in (q, q + ".dlq"):
                try:
                    ch.queue_delete(name)
                except Exception:  # noqa: BLE001 - already gone
                    ch = conn.channel()
        for ex in (exchange, exchange + ".dlx", exchange + ".replay"):
            try:
                ch.exchange_delete(ex)
            except Exception:  # noqa: BLE001
                ch = conn.channel()


def stop_containers() -> None:
    for c in _containers:
        c.stop()


def service_queues(service: str, env: dict) -> list[str]:
    """The names of a service's work queues, as its bootstrap declares them."""
    import importlib

    from shared import config

    settings = config.load(service, {**env, f"{service.upper()}_DATABASE_URL": "sqlite://"})
    container = importlib.import_module(f"services.{service}.bootstrap").bootstrap(settings=settings)
    container.db.engine.dispose()
    return [f"{settings.queue_prefix}{service}.{sub.purpose}" for sub in container.subscriptions]


def delete_system_queues(amqp_url: str, exchange: str, services, env: dict) -> None:
    """Leaves the shared broker as the test found it."""
    with contextlib.suppress(Exception):  # the broker may be down at the end of a failed test
        queues = [q for s in services for q in service_queues(s, env)]
        delete_broker_objects(amqp_url, exchange, queues)
