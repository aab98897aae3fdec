"""schemathesis against each running service's OpenAPI document: no 500, no answer that breaks it."""
from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("service", ["availability", "booking", "notifications"])
def test_fuzzing_the_documented_api_finds_no_server_error_and_no_undocumented_answer(system, service, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", system.url(service, "/openapi.json"),
         "--checks", "not_a_server_error,response_schema_conformance", "--hypothesis-max-examples", "25",
         "--hypothesis-deadline", "none", "--hypothesis-derandomize", "--workers", "2",
         "-H", f"Authorization: Bearer {system.token}", "--request-timeout", "10000",
         f"--cassette-path={tmp_path / 'cassette.yaml'}"],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout.lower()
