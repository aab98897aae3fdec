"""Sends due webhook deliveries from a thread pool: the job only claims and hands out work, so one
slow or dead integrator (at most a few requests of it at once, each with a timeout) never holds up
another one, nor the email jobs."""
from __future__ import annotations

import logging
import threading
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor, wait

from services.notifications.adapters import webhook_sender
from services.notifications.service_layer import deliveries
from shared import tracing

log = logging.getLogger("attune.notifications.webhooks")


class Dispatcher:
    def __init__(self, container, workers: int = 16, send=webhook_sender.send):
        self.container, self.workers, self.send = container, workers, send
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._in_flight: Counter = Counter()

    @property
    def policy(self):
        return self.container.extra["webhook_policy"]

    def dispatch_once(self, wait_for_answers: bool = False) -> int:
        """Claims what is due and sends it in the pool; returns how many deliveries went out."""
        with self._lock:
            busy = {k: v for k, v in self._in_flight.items() if v}
        rows = deliveries.claim(self.container.db, self.container.clock.now(), self.policy, busy)
        futures: list[Future] = []
        for row in rows:
            with self._lock:
                self._in_flight[row.subscription_id] += 1
            futures.append(self._executor().submit(self._deliver, row))
        if wait_for_answers:
            wait(futures)
        return len(rows)

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="webhook")
        return self._pool

    def _deliver(self, row) -> None:
        policy, settings = self.policy, self.container.settings
        try:
            with tracing.span("deliver webhook", tracing.parent_of(row.body), kind="client"):
                outcome = self.send(row.url, row.secret, row.event_id, row.body, policy.timeout_seconds,
                                    settings.webhook_allowed_hosts)
            deliveries.record_outcome(self.container, row, outcome, policy)
            log.info("webhook attempt", extra={"delivery_id": row.id, "status_code": outcome.status_code,
                                               "latency_ms": outcome.latency_ms})
        except Exception:
            log.exception("webhook attempt not recorded", extra={"delivery_id": row.id})
        finally:
            with self._lock:
                self._in_flight[row.subscription_id] -= 1

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
