"""`attune`: start the whole system, one web app or worker, migrations, generated documents."""
from __future__ import annotations

import argparse
import importlib
import os
import secrets
import shlex
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
    from shared.runtime import run_worker

    run_worker(bootstrap(args.service))


def web_command(service: str, port: int) -> list[str]:
    host = os.environ.get("ATTUNE_BIND_HOST", "127.0.0.1")
    return [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
            "--workers", os.environ.get("WEB_CONCURRENCY", "2"), "--worker-class", "gthread",
            "--threads", os.environ.get("WEB_THREADS", "8"), "--graceful-timeout", "5",
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
        if manager.returncode is not None:
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


def cmd_up(args) -> None:
    from honcho.manager import Manager
    from honcho.printer import Printer

    token, generated = os.environ.get("ATTUNE_ADMIN_TOKEN"), False
    if not token:
        token, generated = "adm_" + secrets.token_urlsafe(24), True
    env = {**os.environ, "ATTUNE_ADMIN_TOKEN": token, "PYTHONUNBUFFERED": "1"}
    env["ATTUNE_SECRET_KEY"] = ensure_secret_key(env)
    settings = {s: config.load(s, env) for s in SERVICES}  # validates every variable before we start
    from shared.runtime import declare_queues, migrate

    for service in SERVICES:
        container = bootstrap(service, settings=settings[service])
        migrate(container)
        declare_queues(container)
    manager = Manager(Printer(sys.stdout))
    for service in SERVICES:
        manager.add_process(f"{service}-web", "exec " + shlex.join(web_command(service, settings[service].port)), env=env)
        manager.add_process(f"{service}-worker", "exec " + shlex.join([sys.executable, "-m", "attune.cli", "worker", service]),
                            env=env)
    threading.Thread(target=_announce, args=(settings, token, manager, generated), daemon=True).start()
    manager.loop()
    sys.exit(manager.returncode)


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
    sub.add_parser("up", help="start every service (web + worker) against RabbitMQ").set_defaults(func=cmd_up)
    p = sub.add_parser("web", help="one service's web app under gunicorn")
    p.add_argument("service", choices=SERVICES)
    p.set_defaults(func=cmd_web)
    p = sub.add_parser("worker", help="one service's worker: consumer, outbox relay, scheduled jobs")
    p.add_argument("service", choices=SERVICES)
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("migrate", help="apply database migrations")
    p.add_argument("services", nargs="*", choices=[[], *SERVICES], default=[])
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("asyncapi", help="write the AsyncAPI document generated from the event schemas")
    p.add_argument("--output", "-o", default="docs/asyncapi.yaml")
    p.set_defaults(func=cmd_asyncapi)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
