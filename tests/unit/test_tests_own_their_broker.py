"""The suite must be safe on a machine whose RabbitMQ serves a live system: only the test's own node
(tests/support/own_broker.py) is ever stopped or restarted."""
from __future__ import annotations

import re

from tests.conftest import ROOT

STOPPING = re.compile(r"rabbitmqctl|stop_app|start_app|rabbitmq-server|systemctl\s+\w*\s*rabbitmq|service rabbitmq")


def test_no_test_stops_or_restarts_a_broker_other_than_its_own_node():
    allowed = {ROOT / "tests" / "support" / "own_broker.py", ROOT / "tests" / "unit" / "test_tests_own_their_broker.py"}
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "tests").rglob("*.py") if path not in allowed
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if STOPPING.search(line) and "own_broker." not in line]

    assert offenders == []
