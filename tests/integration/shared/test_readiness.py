"""/v1/health/ready: ready only while the database and broker answer and a worker consumes every queue."""
from __future__ import annotations

import threading

from services.booking.entrypoints.flask_app import create_app
from shared import readiness
from shared.runtime import declare_queues, run_worker
from tests.support.system import wait_until


def _ready(client):
    resp = client.get("/v1/health/ready")
    return resp.status_code, resp.get_json()


def test_ready_waits_for_a_worker_on_every_queue_and_health_keeps_its_meaning(make_container, monkeypatch):
    monkeypatch.setattr(readiness, "CACHE_SECONDS", 0)
    container = make_container("booking")
    client = create_app(container).test_client()
    declare_queues(container)
    queues = readiness.service_queues(container)

    status, body = _ready(client)
    assert status == 503 and body["type"].endswith("/not-ready")
    assert body["checks"]["database"] == "ok" and body["checks"]["broker"] == "ok"
    assert body["checks"]["consumers"] == {q: 0 for q in queues}
    assert "no consumer on" in body["detail"]
    assert client.get("/v1/health").status_code == 200, "liveness does not depend on the worker"

    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(container, stop), daemon=True)
    worker.start()
    try:
        assert wait_until(lambda: _ready(client)[0] == 200, 20)
        status, body = _ready(client)
        assert body["status"] == "ready" and set(body["checks"]["consumers"]) == set(queues)
        assert all(n >= 1 for n in body["checks"]["consumers"].values())
    finally:
        stop.set()
        worker.join(15)
    assert wait_until(lambda: _ready(client)[0] == 503, 20), "a stopped worker makes the service not ready"


def test_ready_names_an_unreachable_broker(make_container, monkeypatch):
    monkeypatch.setattr(readiness, "CACHE_SECONDS", 0)
    container = make_container("booking", AMQP_URL="amqp://guest:guest@127.0.0.1:1//")
    client = create_app(container).test_client()

    status, body = _ready(client)

    assert status == 503 and body["checks"]["broker"].startswith("unreachable")
    assert body["checks"]["database"] == "ok"
