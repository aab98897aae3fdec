"""deploy/: the Prometheus scrape config, alert rules and Grafana dashboard name only metrics Attune serves."""
from __future__ import annotations

import json
import re

import yaml
from prometheus_client import Counter, Histogram

from shared import metrics
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def served_names() -> set[str]:
    names = set()
    for obj in vars(metrics).values():
        if isinstance(obj, Counter):
            names.add(obj._name + "_total")
        elif isinstance(obj, Histogram):
            names |= {obj._name + suffix for suffix in ("_bucket", "_sum", "_count")}
    names |= set(re.findall(r'GaugeMetricFamily\("(\w+)"', (ROOT / "shared" / "metrics.py").read_text()))
    return names


def referenced(text: str) -> set[str]:
    return set(re.findall(r"\battune_[a-z_]+\b", text)) - {"attune_service"}


def test_every_metric_the_alerts_and_the_dashboard_use_is_one_attune_serves():
    alerts = (DEPLOY / "alerts.yml").read_text()
    dashboard = (DEPLOY / "grafana" / "attune-dashboard.json").read_text()
    exprs = [p["targets"][i]["expr"] for p in json.loads(dashboard)["panels"] for i in range(len(p["targets"]))]

    assert referenced(alerts) - served_names() == set()
    assert referenced(" ".join(exprs)) - served_names() == set()
    assert len(referenced(" ".join(exprs))) >= 12, "the dashboard shows most of what is served"


def test_the_alerts_cover_a_stuck_outbox_a_growing_dead_letter_queue_and_failing_webhooks():
    rules = {r["alert"]: r["expr"] for g in yaml.safe_load((DEPLOY / "alerts.yml").read_text())["groups"]
             for r in g["rules"]}

    assert any("attune_outbox_oldest_unpublished_age_seconds" in e and "> 60" in e for e in rules.values())
    assert any("attune_dead_letter_messages" in e for e in rules.values())
    assert any("attune_webhook_deliveries_total" in e and "failed" in e for e in rules.values())


def test_prometheus_scrapes_metrics_of_every_web_app():
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    [job] = config["scrape_configs"]
    targets = {t for group in job["static_configs"] for t in group["targets"]}

    assert job["metrics_path"] == "/metrics"
    assert {t.split(":")[0] for t in targets} >= {"availability-web", "booking-web", "notifications-web"}
    assert config["rule_files"] == ["alerts.yml"]
