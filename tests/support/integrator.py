"""An independent integrator: a plain pika consumer with its own queue bound to the exchange."""
from __future__ import annotations

import json
import threading
import time

from tests.support import infra


def pika_url(amqp_url: str) -> str:
    """kombu reads `...//` as the default vhost "/"; pika reads it as "" and needs `/%2F`."""
    return amqp_url[:-2] + "/%2F" if amqp_url.endswith("//") else amqp_url


class Integrator:
    def __init__(self, amqp_url: str, exchange: str, pattern: str = "#"):
        import pika

        self.events: list[dict] = []
        self.queue = f"test-integrator-{infra.rand()}"
        self.params = pika.URLParameters(pika_url(amqp_url))
        self._stop = threading.Event()
        conn = self._connect(pika)
        ch = conn.channel()
        ch.exchange_declare(exchange, "topic", durable=True)
        ch.queue_declare(self.queue, durable=True, arguments={"x-expires": 600000})
        ch.queue_bind(self.queue, exchange, routing_key=pattern)
        conn.close()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _connect(self, pika, attempts: int = 20):
        """The broker may still be coming back from a restart an earlier test made."""
        for attempt in range(attempts):
            try:
                return pika.BlockingConnection(self.params)
            except pika.exceptions.AMQPConnectionError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.5)

    def _run(self):
        import pika

        while not self._stop.is_set():
            try:
                conn = pika.BlockingConnection(self.params)
                ch = conn.channel()
                for method, props, body in ch.consume(self.queue, inactivity_timeout=0.2):
                    if self._stop.is_set():
                        break
                    if method is None:
                        continue
                    self.events.append(json.loads(body))
                    ch.basic_ack(method.delivery_tag)
                conn.close()
            except Exception:  # noqa: BLE001 - broker restarting: reconnect
                time.sleep(0.5)

    def of(self, type_: str, **data) -> list[dict]:
        return [e for e in list(self.events) if e.get("type") == type_
                and all(str((e.get("data") or {}).get(k)) == str(v) for k, v in data.items())]

    def stop(self):
        self._stop.set()
        self.thread.join(timeout=5)
