"""`attune`: start the whole system, one web app or worker, migrations, generated documents."""
from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import secrets
import sys
import threading
import time
import urllib.request

from shared import config

SERVICES = config.SERVICES


def bootstrap(service: str, **kw):
    return importlib.import_module(f"services.{service}.bootstrap").bootstrap(**kw)


def cmd_migrate(args) -> None:
    from shared.runtime import declare_queues, migrate

    for service in args.services or SERVICES:
        container = bootstrap(service)
        migrate(container)
        declare_queues(container)
        print(f"migrated {service}; its queues are declared")


def cmd_worker(args) -> None:
    from attune.preflight import require_reachable
    from shared.runtime import run_worker

    settings = config.load(args.service)
    # a worker started while the broker restarts waits for it a while (its supervisor restarts it after)
    require_reachable([settings], wait=float(os.environ.get("ATTUNE_CONNECT_WAIT") or 30))
    run_worker(bootstrap(args.service, settings=settings))


def web_command(service: str, port: int) -> list[str]:
    host = os.environ.get("ATTUNE_BIND_HOST", "127.0.0.1")
    return [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
            "--workers", os.environ.get("WEB_CONCURRENCY", "2"), "--worker-class", "gthread",
            "--threads", os.environ.get("WEB_THREADS", "8"), "--graceful-timeout", "5",
            # request line, header count and header size bounded (the body: MAX_BODY_BYTES in the app)
            "--limit-request-line", "4094", "--limit-request-fields", "64", "--limit-request-field_size", "8190",
            "--log-level", "warning", f"services.{service}.entrypoints.flask_app:create_app()"]


def cmd_web(args) -> None:
    settings = config.load(args.service)
    os.execv(sys.executable, web_command(args.service, settings.port))


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/v1/health", timeout=2) as r:
            return r.status == 200
    except Exception:  # noqa: BLE001 - not up yet
        return False


def _announce(settings: dict, token: str, manager, generated: bool) -> None:
    urls = {s: f"http://127.0.0.1:{settings[s].port}" for s in SERVICES}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not all(_healthy(u) for u in urls.values()):
        if not manager.alive():
            return
        time.sleep(0.5)
    if not all(_healthy(u) for u in urls.values()):
        print("attune: not every service answered its health check within 120 s", flush=True)
        return
    lines = ["", "Attune is up.", f"  booking page:   {urls['booking']}/"]
    lines += [f"  {s + ':':15} {u}  (OpenAPI: {u}/openapi.json)" for s, u in urls.items()]
    lines.append(f"  admin token:    {token}" + ("  (generated; set ATTUNE_ADMIN_TOKEN to choose)" if generated else ""))
    lines.append("  Ctrl-C stops everything.")
    print("\n".join(lines), flush=True)


def ensure_secret_key(env) -> str:
    """ATTUNE_SECRET_KEY, or the one generated into var/secret.key on the first `attune up` (kept, so
    sealed calendar passwords and signed sessions survive a restart)."""
    key = config.secret_key(env)
    if key:
        return key
    path = config.var_dir(env) / "secret.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def metrics_dir(env) -> str:
    """A fresh folder per run for prometheus-client's multiprocess files (shared by every process)."""
    import shutil

    path = config.var_dir(env) / "metrics"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return str(path)


def programs(settings: dict, replicas: int = 0) -> list[tuple[str, list[str]]]:
    """What `attune up` runs: each service's web app, and `replicas` workers of each (one by default)."""
    workers = replicas or 1
    out = []
    for service in SERVICES:
        out.append((f"{service}-web", web_command(service, settings[service].port)))
        out += [(f"{service}-worker" + (f".{n}" if workers > 1 else ""),
                 [sys.executable, "-m", "attune.cli", "worker", service]) for n in range(1, workers + 1)]
    return out


def cmd_up(args) -> None:
    from attune.preflight import require_reachable
    from attune.supervise import Supervisor

    token, generated = os.environ.get("ATTUNE_ADMIN_TOKEN"), False
    if not token:
        token, generated = "adm_" + secrets.token_urlsafe(24), True
    env = {**os.environ, "ATTUNE_ADMIN_TOKEN": token, "PYTHONUNBUFFERED": "1"}
    env["ATTUNE_SECRET_KEY"] = ensure_secret_key(env)
    if args.replicas:  # gunicorn's --workers is built from this process's environment
        env["WEB_CONCURRENCY"] = os.environ["WEB_CONCURRENCY"] = str(args.replicas)
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir(env))
    settings = {s: config.load(s, env) for s in SERVICES}  # validates every variable before we start
    require_reachable(settings.values())
    from shared.runtime import declare_queues, migrate

    for service in SERVICES:
        container = bootstrap(service, settings=settings[service])
        migrate(container)
        declare_queues(container)
    manager = Supervisor()
    for name, command in programs(settings, args.replicas):
        manager.add(name, command, env)
    threading.Thread(target=_announce, args=(settings, token, manager, generated), daemon=True).start()
    sys.exit(manager.run())


def _delete(conn, kind: str, name: str) -> bool:
    """Deletes one queue or exchange if it is there (a passive declare tells; deleting is idempotent)."""
    channel = conn.channel()
    try:
        if kind == "queue":
            channel.queue_declare(name, passive=True)
            channel.queue_delete(name)
        else:
            channel.exchange_declare(name, "topic", passive=True)
            channel.exchange_delete(name)
        return True
    except conn.channel_errors:  # 404: not there, and the broker closed the channel
        return False
    finally:
        with contextlib.suppress(Exception):
            channel.close()


def cmd_down(args) -> None:
    """Deletes what one ATTUNE_EXCHANGE declared on the broker: the exchange, its dead-letter and replay
    exchanges, every service's queues, their dead-letter twins and its relay's replay-request queue
    (messages in them are lost)."""
    from kombu import Connection

    from attune.preflight import broker_problem, redact
    from shared.messaging.topology import dead_letter_exchange, queue_name, replay_exchange, replay_queue_name

    settings = {s: config.load(s, {**os.environ, f"{s.upper()}_DATABASE_URL": "sqlite://"}) for s in SERVICES}
    first = settings[SERVICES[0]]
    if first.exchange == "attune.events" and not args.force:
        sys.exit("attune: ATTUNE_EXCHANGE is the default `attune.events`, a live system's; "
                 "`attune down --force` deletes it and its queues with every message in them")
    problem = broker_problem(first.amqp_url)
    if problem:
        sys.exit(f"attune: {problem}")
    names = []
    for service, s in settings.items():
        container = bootstrap(service, settings=s)
        container.db.engine.dispose()
        names += [queue_name(s.queue_prefix, service, sub.purpose) for sub in container.subscriptions]
        names.append(replay_queue_name(s.queue_prefix, service))
    exchanges = (first.exchange, dead_letter_exchange(first.exchange).name, replay_exchange(first.exchange).name)
    with Connection(first.amqp_url, connect_timeout=5) as conn:
        deleted = [q for n in names for q in (n, n + ".dlq") if _delete(conn, "queue", q)]
        deleted += [x for x in exchanges if _delete(conn, "exchange", x)]
    print(f"deleted from {redact(first.amqp_url)}: " + (", ".join(deleted) or "nothing (none was there)"))


def cmd_asyncapi(args) -> None:
    from shared.asyncapi import render

    text = render()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="attune", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("up", help="start every service (web + worker) against RabbitMQ, restarting what dies")
    p.add_argument("--replicas", type=int, default=0, metavar="N",
                   help="N gunicorn web workers and N worker processes per service (default: WEB_CONCURRENCY, 1)")
    p.set_defaults(func=cmd_up)
    p = sub.add_parser("down", help="delete the exchange, queues and dead-letter queues of ATTUNE_EXCHANGE")
    p.add_argument("--force", action="store_true", help="also for the default exchange attune.events")
    p.set_defaults(func=cmd_down)
    p = sub.add_parser("web", help="one service's web app under gunicorn")
    p.add_argument("service", choices=SERVICES)
    p.set_defaults(func=cmd_web)
    p = sub.add_parser("worker", help="one service's worker: consumer, outbox relay, scheduled jobs")
    p.add_argument("service", choices=SERVICES)
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("migrate", help="apply database migrations")
    p.add_argument("services", nargs="*", choices=[[], *SERVICES], default=[])
    p.set_defaults(func=cmd_migrate)
    importlib.import_module("services.staff.entrypoints.cli").add_accounts_parser(sub)  # attune accounts create
    p = sub.add_parser("asyncapi", help="write the AsyncAPI document generated from the event schemas")
    p.add_argument("--output", "-o", default="docs/asyncapi.yaml")
    p.set_defaults(func=cmd_asyncapi)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
