"""Prometheus metrics: what every process counts, and GET /metrics on each web app.

Under gunicorn and `attune up` several processes count at once: with PROMETHEUS_MULTIPROC_DIR set,
prometheus-client keeps each process's values in files there, and /metrics sums those of the web
app's own service (each service counts into its own sub-folder, so one service's /metrics never shows
another's). What only the database or the broker knows (outbox backlog and age, queue depths, dead
letters) is asked at scrape time. Labels are endpoints (the URL rule, never the path), statuses,
queue names and outcomes: never client data.
"""
from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from shared.clock import utc

_service: str | None = None
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter("attune_http_requests_total", "HTTP requests answered, by endpoint (URL rule) and status",
                        ["service", "endpoint", "method", "status"])
HTTP_LATENCY = Histogram("attune_http_request_duration_seconds", "Time to answer an HTTP request, by endpoint",
                         ["service", "endpoint", "method"],
                         buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
EVENTS_PUBLISHED = Counter("attune_events_published_total", "Outbox events the relay published (confirmed)",
                           ["service"])
EVENTS_CONSUMED = Counter("attune_events_consumed_total",
                          "Messages the consumer settled, by queue and outcome "
                          "(applied, duplicate, stale, requeued, dead_lettered)", ["service", "queue", "outcome"])
EVENTS_REDELIVERED = Counter("attune_events_redelivered_total",
                             "Messages the broker delivered again (a consumer died or requeued them)",
                             ["service", "queue"])
DEAD_LETTERED = Counter("attune_events_dead_lettered_total", "Messages this service dead-lettered, by queue",
                        ["service", "queue"])
UNROUTABLE = Counter("attune_events_unroutable_total",
                     "Published messages no queue took (basic.return): an event went nowhere, e.g. while a "
                     "consumer's queue was deleted", ["service", "routing_key"])
QUEUE_LOSSES = Counter("attune_queue_losses_total",
                       "Queues a consumer found deleted (what they held was lost) and re-declared, asking for "
                       "a replay", ["service", "queue"])
REPLAYED = Counter("attune_events_replayed_total",
                   "Events the relay sent again into a queue whose consumer lost it and asked for a replay",
                   ["service", "queue"])
HOLDS_EXPIRED = Counter("attune_holds_expired_total", "Holds the sweeper expired", ["service"])
HOLD_EXPIRY_LAG = Histogram("attune_hold_expiry_lag_seconds", "How late after its expiry time a hold was expired",
                            ["service"], buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300))
EMAILS = Counter("attune_emails_total", "Email send attempts by notification kind and outcome "
                 "(sent, failed, retrying)", ["service", "kind", "outcome"])
WEBHOOKS = Counter("attune_webhook_deliveries_total", "Webhook delivery attempts by outcome (sent, failed, retrying)",
                   ["service", "outcome"])


def init(service: str) -> None:
    """Names the process's service; with PROMETHEUS_MULTIPROC_DIR, counts go to its sub-folder.
    Call before anything is counted (create_flask_app and run_worker do)."""
    global _service
    _service = service
    base = os.environ.get("ATTUNE_METRICS_BASE") or os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if base:
        os.environ["ATTUNE_METRICS_BASE"] = base
        folder = Path(base) / service
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
        from prometheus_client import values

        # Files are named by process; containers sharing the folder (a volume) reuse pids, so the
        # host name is part of the name.
        values.ValueClass = values.MultiProcessValue(lambda: f"{socket.gethostname()}-{os.getpid()}")


def service() -> str:
    return _service or "unknown"


# Each call names its service when it knows it (tests hold several services in one process).
def observe_request(svc: str, endpoint: str, method: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "OTHER"
    HTTP_REQUESTS.labels(svc, endpoint, method, str(status)).inc()
    HTTP_LATENCY.labels(svc, endpoint, method).observe(seconds)


def consumed(svc: str, queue: str, outcome: str) -> None:
    EVENTS_CONSUMED.labels(svc, queue, outcome).inc()


def redelivered(svc: str, queue: str) -> None:
    EVENTS_REDELIVERED.labels(svc, queue).inc()


def dead_lettered(svc: str, queue: str) -> None:
    DEAD_LETTERED.labels(svc, queue).inc()
    consumed(svc, queue, "dead_lettered")


def published(n: int, svc: str | None = None) -> None:
    if n:
        EVENTS_PUBLISHED.labels(svc or service()).inc(n)


def unroutable(routing_key: str, svc: str | None = None) -> None:
    UNROUTABLE.labels(svc or service(), routing_key).inc()


def queue_lost(svc: str, queue: str) -> None:
    QUEUE_LOSSES.labels(svc, queue).inc()


def replayed(queue: str, n: int, svc: str | None = None) -> None:
    REPLAYED.labels(svc or service(), queue).inc(n)  # inc(0) too: the series shows a replay was asked


def hold_expired(lag_seconds: float, svc: str = "booking") -> None:
    HOLDS_EXPIRED.labels(svc).inc()
    HOLD_EXPIRY_LAG.labels(svc).observe(max(0.0, lag_seconds))


def email(svc: str, kind: str, outcome: str) -> None:
    EMAILS.labels(svc, kind, outcome).inc()


def webhook(svc: str, outcome: str) -> None:
    WEBHOOKS.labels(svc, outcome).inc()


class StateCollector:
    """Asked at scrape time: the outbox (backlog, age of the oldest unpublished event) from the
    database, and each queue's ready messages, consumers and dead letters from the broker."""

    def __init__(self, container):
        self.container = container

    def collect(self):
        from shared import readiness

        s = self.container.settings
        backlog = GaugeMetricFamily("attune_outbox_backlog", "Outbox events not yet published", labels=["service"])
        age = GaugeMetricFamily("attune_outbox_oldest_unpublished_age_seconds",
                                "Age of the oldest unpublished outbox event (0 when none)", labels=["service"])
        try:
            count, oldest = self._outbox()
            backlog.add_metric([s.service], count)
            age.add_metric([s.service], max(0.0, (self.container.clock.now() - utc(oldest)).total_seconds())
                           if oldest else 0.0)
        except Exception:  # noqa: BLE001, S110 - no figure is better than a failed scrape
            pass
        yield backlog
        yield age
        ready = GaugeMetricFamily("attune_queue_messages", "Messages waiting in a queue (consumer lag)",
                                  labels=["service", "queue"])
        consumers = GaugeMetricFamily("attune_queue_consumers", "Consumers attached to a queue",
                                      labels=["service", "queue"])
        dead = GaugeMetricFamily("attune_dead_letter_messages", "Messages in a queue's dead-letter twin",
                                 labels=["service", "queue"])
        up = GaugeMetricFamily("attune_broker_up", "1 when the broker answered this scrape", labels=["service"])
        queues = readiness.service_queues(self.container)
        try:
            stats = readiness.queue_stats(s.amqp_url, queues + [q + ".dlq" for q in queues])
            up.add_metric([s.service], 1)
            for q in queues:
                ready.add_metric([s.service, q], max(0, stats[q][0]))
                consumers.add_metric([s.service, q], stats[q][1])
                dead.add_metric([s.service, q], max(0, stats[q + ".dlq"][0]))
        except Exception:  # noqa: BLE001
            up.add_metric([s.service], 0)
        yield from (ready, consumers, dead, up)

    def _outbox(self):
        from sqlalchemy import func, select

        t = self.container.tables["outbox"]
        with self.container.db.read() as session:
            return session.execute(select(func.count(), func.min(t.c.created_at))
                                   .where(t.c.published_at.is_(None))).one()


def exposition(container) -> tuple[bytes, str]:
    """The text of GET /metrics: this service's counters (of every process, in multiprocess mode)
    and the state asked at scrape time."""
    registry = CollectorRegistry()
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        text = _only_service(generate_latest(REGISTRY), container.settings.service)
    state = CollectorRegistry()
    state.register(StateCollector(container))
    return text + generate_latest(state), CONTENT_TYPE_LATEST


def _only_service(text: bytes, name: str) -> bytes:
    """One process holding several services (tests): keep this service's samples and the headers."""
    keep = []
    for line in text.decode().splitlines():
        if line.startswith("#") or 'service="' not in line or f'service="{name}"' in line:
            keep.append(line)
    return ("\n".join(keep) + "\n").encode()


def install(app, container) -> None:
    """Counts every request by its URL rule and status, and serves GET /metrics."""
    from flask import Response, g, request

    name = container.settings.service
    init(name)

    @app.get("/metrics")
    def metrics_view():
        body, content_type = exposition(container)
        return Response(body, content_type=content_type)

    if os.environ.get("ATTUNE_METRICS") == "off":  # bench/observability.py's baseline only
        return

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(resp):
        started = g.get("metrics_started")
        if started is not None:
            rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
            observe_request(name, rule, request.method, resp.status_code, time.perf_counter() - started)
        return resp
