"""What every service's bootstrap builds: its container, its migrations, and its worker process."""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData

from shared import config
from shared import db as dbmod
from shared.clock import SystemClock
from shared.messaging.outbox import Outbox
from shared.messaging.tables import add_messaging_tables
from shared.messaging.topology import Subscription
from shared.revocations import add_revocations_table
from shared.revocations import subscription as revocations_subscription

log = logging.getLogger("attune.worker")


@dataclass
class Job:
    """An APScheduler interval job; its function takes the container and must be safe to run twice."""
    name: str
    func: Callable
    seconds: float


@dataclass
class Container:
    settings: config.Settings
    db: dbmod.Database
    tables: dict
    outbox: Outbox
    clock: object
    migrations: Path
    subscriptions: list[Subscription] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def build(service: str, metadata: MetaData, migrations: Path, settings=None, clock=None,
          schema: str | None = None) -> Container:
    settings = settings or config.load(service)
    engine = dbmod.make_engine(settings.database_url, schema or dbmod.schema_for(service), settings.db_pool_size)
    tables = messaging_tables(metadata)
    # Every service learns ended sessions and deactivated accounts from the staff service's events.
    return Container(settings=settings, db=dbmod.Database(engine), tables=tables,
                     outbox=Outbox(tables["outbox"], f"/attune/{service}"), clock=clock or SystemClock(),
                     migrations=migrations, subscriptions=[revocations_subscription(tables["revocations"])])


def messaging_tables(metadata: MetaData) -> dict:
    """The tables every service keeps: outbox, processed events, sequences and revoked sessions."""
    if "outbox" not in metadata.tables:
        add_messaging_tables(metadata)
    add_revocations_table(metadata)
    return {n: metadata.tables[n] for n in ("outbox", "processed_events", "subject_sequences", "revocations")}


def migrate(container: Container) -> None:
    """Applies the service's Alembic history to its database."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(container.migrations))
    cfg.attributes["engine"] = container.db.engine
    command.upgrade(cfg, "head")


def declare_queues(container: Container) -> None:
    """Declares the exchange and the service's queues, so events published before its worker first
    starts wait in its queues instead of being dropped by the exchange."""
    from kombu import Connection

    from shared.messaging.topology import declare, queues_for

    s = container.settings
    queues = [q for sub in container.subscriptions for q in queues_for(s.exchange, s.queue_prefix, s.service, sub)]
    with Connection(s.amqp_url, connect_timeout=5) as conn:
        conn.ensure_connection(max_retries=3)
        declare(conn.default_channel, s.exchange, queues)


def run_worker(container: Container, stop: threading.Event | None = None) -> None:
    """The worker process: outbox relay, event consumer and scheduled jobs, until SIGTERM/SIGINT."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from shared import logging as attune_logging
    from shared import metrics, tracing
    from shared.messaging.consumer import EventConsumer
    from shared.messaging.publisher import ConfirmingPublisher
    from shared.messaging.relay import OutboxRelay
    from shared.messaging.topology import replay_queue_name

    s = container.settings
    attune_logging.configure(s.service, s.log_level)
    metrics.init(s.service)
    tracing.init(s.service)
    stop = stop or threading.Event()
    replays = replay_queue_name(s.queue_prefix, s.service)  # consumers that lost their queue ask here
    relay = OutboxRelay(container.db, container.tables["outbox"],
                        ConfirmingPublisher(s.amqp_url, s.exchange, replay_queue=replays), clock=container.clock)
    threads = [threading.Thread(target=relay.run, args=(stop,), name="relay", daemon=True)]
    consumer = None
    if container.subscriptions:
        consumer = EventConsumer(s, container.db, container.tables, container.subscriptions, container.clock)
        threads.append(threading.Thread(target=consumer.run, name="consumer", daemon=True))
    scheduler = BackgroundScheduler(timezone="UTC")
    for job in container.jobs:
        scheduler.add_job(job.func, "interval", args=(container,), seconds=job.seconds, id=job.name,
                          max_instances=1, coalesce=True, misfire_grace_time=None)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    for t in threads:
        t.start()
    scheduler.start()
    for job in container.jobs:  # catch up at start (holds that expired while we were down)
        scheduler.modify_job(job.name, next_run_time=container.clock.now())
    log.info("worker started", extra={"jobs": [j.name for j in container.jobs],
                                      "queues": [sub.purpose for sub in container.subscriptions]})
    stop.wait()
    log.info("worker stopping")
    scheduler.shutdown(wait=False)
    if consumer:
        consumer.should_stop = True
    for t in threads:
        t.join(timeout=10)
