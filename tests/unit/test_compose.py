"""docker-compose.yml runs the whole system: pinned broker and database, every web and worker,
health checks, and start order by health."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
SERVICES = ("availability", "booking", "notifications", "staff")
PINNED = r"\d+\.\d+"  # a version with at least major.minor, never `latest` or a bare major


def environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: str(v) for k, v in env.items()}


def find(services: dict, svc: str, role: str) -> tuple[str, dict] | tuple[None, None]:
    for name in (f"{svc}-{role}", f"{svc}_{role}"):
        if name in services:
            return name, services[name]
    return None, None


def waits_for_health(service: dict, dependency: str) -> bool:
    depends = service.get("depends_on") or {}
    return isinstance(depends, dict) and (depends.get(dependency) or {}).get("condition") == "service_healthy"


def infrastructure_problems(services: dict) -> list[str]:
    problems = []
    images = {"rabbitmq": rf"^rabbitmq:{PINNED}[\w.]*-management(-alpine)?(@sha256:\w+)?$",
              "postgres": rf"^postgres:{PINNED}[\w.-]*(@sha256:\w+)?$"}
    for name, pattern in images.items():
        service = services.get(name)
        if service is None:
            problems.append(f"no `{name}` service")
            continue
        if not re.match(pattern, str(service.get("image", ""))):
            problems.append(f"{name}: image {service.get('image')!r} is not a pinned {name} image"
                            + (" with the management plugin" if name == "rabbitmq" else ""))
        if not (service.get("healthcheck") or {}).get("test"):
            problems.append(f"{name}: no healthcheck")
    return problems


def app_problems(services: dict) -> list[str]:
    problems = []
    for svc in SERVICES:
        for role in ("web", "worker"):
            name, service = find(services, svc, role)
            if service is None:
                problems.append(f"no `{svc}-{role}` service")
                continue
            for dependency in ("rabbitmq", "postgres"):
                if not waits_for_health(service, dependency):
                    problems.append(f"{name}: does not wait for {dependency} to be healthy (depends_on condition)")
            env = environment(service)
            if "rabbitmq" not in env.get("AMQP_URL", ""):
                problems.append(f"{name}: AMQP_URL does not name the rabbitmq service")
            if not any("postgres" in env.get(k, "") for k in ("DATABASE_URL", f"{svc.upper()}_DATABASE_URL")):
                problems.append(f"{name}: no DATABASE_URL naming the postgres service")
            if role == "web":
                if not (service.get("healthcheck") or {}).get("test"):
                    problems.append(f"{name}: no healthcheck")
                if not service.get("ports"):
                    problems.append(f"{name}: publishes no port")
    return problems


def problems(compose: dict) -> list[str]:
    services = (compose or {}).get("services") or {}
    return infrastructure_problems(services) + app_problems(services)


def test_docker_compose_yml_describes_the_whole_system():
    assert COMPOSE.exists(), "docker-compose.yml is missing at the repository root"

    compose = yaml.safe_load(COMPOSE.read_text())

    assert problems(compose) == []


def test_docker_compose_itself_accepts_the_file_where_it_is_installed():
    binary = shutil.which("docker-compose")
    if binary is None:  # nothing to run here: the structure test above still parsed it with PyYAML
        assert yaml.safe_load(COMPOSE.read_text())["services"]
        return
    secrets = {"ATTUNE_ADMIN_TOKEN": "adm_Xk2v9QpL7rT4mZ8wN3bY6cJ1", "ATTUNE_SECRET_KEY": "k3y_" + "Qz8vN2pX" * 5}
    result = subprocess.run([binary, "-f", str(COMPOSE), "config", "--quiet"], check=False, cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, **secrets})
    assert result.returncode == 0, result.stderr[-2000:]
    bare = {k: v for k, v in os.environ.items() if k not in secrets}
    result = subprocess.run([binary, "-f", str(COMPOSE), "config", "--quiet"], check=False, cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env=bare)
    assert result.returncode != 0 and "ATTUNE_ADMIN_TOKEN" in result.stderr, "compose refuses to start without a token"


def test_compose_requires_the_secrets_and_publishes_only_the_web_apps_to_other_hosts():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    for name, service in services.items():
        env = environment(service)
        for variable in ("ATTUNE_ADMIN_TOKEN", "ATTUNE_SECRET_KEY"):
            if variable in env:
                assert env[variable].startswith("${" + variable + ":?"), f"{name}: {variable} has a default"
        for port in service.get("ports") or []:
            published = str(port).rsplit(":", 2)
            if not name.endswith("-web"):
                assert len(published) == 3 and published[0] == "127.0.0.1", f"{name} publishes {port} to every host"
    assert environment(services["booking-web"])["ATTUNE_ADMIN_TOKEN"].startswith("${ATTUNE_ADMIN_TOKEN:?")
    for svc in SERVICES:
        assert (find(services, svc, "worker")[1].get("deploy") or {}).get("replicas") == 2, f"{svc}: two workers"


GOOD = """
x-app: &app
  image: attune:dev
  environment:
    AMQP_URL: amqp://guest:guest@rabbitmq:5672//
    DATABASE_URL: postgresql://postgres:postgres@postgres:5432/attune
  depends_on:
    rabbitmq: {condition: service_healthy}
    postgres: {condition: service_healthy}
services:
  rabbitmq:
    image: rabbitmq:3.13.7-management
    healthcheck: {test: ["CMD", "rabbitmq-diagnostics", "-q", "ping"]}
  postgres:
    image: postgres:16.4
    healthcheck: {test: ["CMD", "pg_isready", "-U", "postgres"]}
%s
"""
APP = """
  {svc}-web:
    <<: *app
    command: attune web {svc}
    ports: ["{port}:{port}"]
    healthcheck: {{test: ["CMD", "python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:{port}/v1/health')"]}}
  {svc}-worker:
    <<: *app
    command: attune worker {svc}
"""


def sample_text() -> str:
    return GOOD % "".join(APP.format(svc=s, port=8001 + i) for i, s in enumerate(SERVICES))


def test_the_checks_accept_a_complete_file():
    assert problems(yaml.safe_load(sample_text())) == []


@pytest.mark.parametrize("old, new, complaint", [
    ("3.13.7-management", "latest", "rabbitmq: image 'rabbitmq:latest' is not a pinned"),
    ("3.13.7-management", "3.13.7", "with the management plugin"),
    ("postgres:16.4", "postgres:16", "postgres: image 'postgres:16' is not a pinned"),
    ('["CMD", "pg_isready", "-U", "postgres"]', "[]", "postgres: no healthcheck"),
    ("{condition: service_healthy}\n    postgres", "{condition: service_started}\n    postgres",
     "does not wait for rabbitmq"),
    ("@rabbitmq:5672", "@127.0.0.1:5672", "AMQP_URL does not name the rabbitmq service"),
])
def test_the_checks_name_what_is_missing_or_wrong(old, new, complaint):
    found = problems(yaml.safe_load(sample_text().replace(old, new)))

    assert any(complaint in p for p in found), found


def test_a_missing_worker_is_named():
    compose = yaml.safe_load(sample_text())
    del compose["services"]["booking-worker"]

    assert problems(compose) == ["no `booking-worker` service"]
