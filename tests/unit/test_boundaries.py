"""Boundaries hold by themselves: import-linter checks the contracts in pyproject.toml."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT

LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def contracts_toml() -> str:
    """The [tool.importlinter] tables of pyproject.toml, as written there."""
    text = (ROOT / "pyproject.toml").read_text()
    tables = re.split(r"(?m)^(?=\[)", text)
    return "".join(t for t in tables if re.match(r"\[+tool\.importlinter", t))


def lint(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([LINT_IMPORTS, "--no-cache"], check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_contracts_say_services_never_import_each_other_and_shared_imports_no_service():
    config = tomllib.loads(contracts_toml())["tool"]["importlinter"]
    kinds = {c["type"]: c for c in config["contracts"]}

    assert set(kinds["independence"]["modules"]) == {"services.availability", "services.booking",
                                                     "services.notifications", "services.staff"}
    assert kinds["forbidden"]["source_modules"] == ["shared"]
    assert "services" in kinds["forbidden"]["forbidden_modules"]


def test_the_code_keeps_every_contract():
    result = lint(ROOT)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def test_the_contracts_catch_a_service_importing_another_and_shared_importing_a_service(tmp_path):
    files = {
        "shared/__init__.py": "", "shared/db.py": "import services.booking.model\n",
        "attune/__init__.py": "",
        "services/__init__.py": "",
        "services/availability/__init__.py": "", "services/availability/slots.py": "from services.booking import model\n",
        "services/booking/__init__.py": "", "services/booking/model.py": "",
        "services/notifications/__init__.py": "", "services/staff/__init__.py": "",
    }
    for name, body in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    (tmp_path / "pyproject.toml").write_text(contracts_toml())

    result = lint(tmp_path)

    assert result.returncode != 0
    assert "services never import each other BROKEN" in result.stdout
    assert "shared imports no service BROKEN" in result.stdout
