"""GET /v1/health/ready: is this service able to do its work (database, broker, its queues consumed)?

`/v1/health` stays the liveness check (the process answers and reaches its dependencies); readiness adds
whether the service's worker is consuming: every queue of the service has at least one consumer, as the
broker counts them, which holds across hosts (the web app and its workers are separate processes).
"""
from __future__ import annotations

import threading
import time

from flask import Blueprint, current_app

from shared.web import problem_response

CACHE_SECONDS = 2.0  # load balancers probe often; the broker is asked at most this often per process


def queue_stats(amqp_url: str, queues: list[str]) -> dict[str, tuple[int, int]]:
    """{queue: (messages ready, consumers)} by passive declares; a missing queue is (-1, 0)."""
    from kombu import Connection

    stats = {}
    with Connection(amqp_url, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1)
        for name in queues:
            channel = conn.channel()
            try:
                _, messages, consumers = channel.queue_declare(name, passive=True)
                stats[name] = (messages, consumers)
            except conn.channel_errors:
                stats[name] = (-1, 0)
            finally:
                try:
                    channel.close()
                except Exception:  # noqa: BLE001, S110 - closed by the broker already
                    pass
    return stats


def service_queues(container) -> list[str]:
    s = container.settings
    return [f"{s.queue_prefix}{s.service}.{sub.purpose}" for sub in container.subscriptions]


class Readiness:
    def __init__(self, container):
        self.container = container
        self._lock = threading.Lock()
        self._cached: tuple[float, dict] = (0.0, {})

    def checks(self) -> dict:
        with self._lock:
            at, result = self._cached
            if time.monotonic() - at < CACHE_SECONDS:
                return result
            result = self._check()
            self._cached = (time.monotonic(), result)
            return result

    def _check(self) -> dict:
        checks: dict = {}
        try:
            self.container.db.ping()
            checks["database"] = "ok"
        except Exception as e:  # noqa: BLE001 - any failure means not ready
            checks["database"] = f"unreachable: {type(e).__name__}"
        try:
            stats = queue_stats(self.container.settings.amqp_url, service_queues(self.container))
            checks["broker"] = "ok"
            checks["consumers"] = {q: c for q, (_, c) in stats.items()}
        except Exception as e:  # noqa: BLE001
            checks["broker"] = f"unreachable: {type(e).__name__}"
            checks["consumers"] = {}
        return checks


def ready(checks: dict) -> bool:
    return (checks.get("database") == "ok" and checks.get("broker") == "ok"
            and all(c > 0 for c in checks.get("consumers", {}).values()))


def blueprint(container) -> Blueprint:
    bp = Blueprint("ready", __name__)
    readiness = Readiness(container)

    @bp.get("/v1/health/ready")
    def health_ready():
        checks = readiness.checks()
        if ready(checks):
            return {"status": "ready", "service": current_app.extensions["attune"].settings.service, "checks": checks}
        missing = [q for q, c in checks.get("consumers", {}).items() if c == 0]
        why = [k for k in ("database", "broker") if checks.get(k) != "ok"]
        detail = "; ".join([f"{k} {checks[k]}" for k in why] + ([f"no consumer on {', '.join(missing)}"]
                                                                if missing else []))
        resp = problem_response(503, "Service Unavailable", f"not ready: {detail}", slug="not-ready")
        body = resp.get_json()
        body["checks"] = checks
        resp.set_data(current_app.json.dumps(body))
        resp.headers["Retry-After"] = "2"
        return resp

    return bp
