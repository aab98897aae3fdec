"""The booking page in Debian's headless Chromium (Playwright, no browser download) against the whole
system started as real processes; axe-core on every step; a screenshot of every step for a person to see."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.browser.pageutil import PRACTICE
from tests.support import infra
from tests.support.smtp import SmtpSink
from tests.support.system import System

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("ATTUNE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def _chromium() -> str:
    """Debian's Chromium; installed with apt-get when missing and we may (CI runs as root)."""
    if not Path(CHROMIUM).exists() and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True, timeout=600,
                       check=False)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed at {CHROMIUM} for the browser tests and is missing: "
                    "install Debian's package (`apt-get install -y chromium`) or set ATTUNE_CHROMIUM.", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = _chromium()
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        except Exception as e:  # noqa: BLE001 - name the cause, never skip
            pytest.fail(f"Chromium at {path} did not start: {e}", pytrace=False)
        yield chromium
        chromium.close()


def _start(tmp_path_factory, name: str, env: dict, services=("availability", "booking", "notifications")) -> System:
    amqp = infra.find_amqp()
    pg = infra.find_postgres() if infra.wants_postgres() else None
    system = System(tmp_path_factory.mktemp(name), amqp, pg, services=services,
                    env={"MIN_NOTICE_MINUTES": "0", "HOLDS_PER_MINUTE_PER_ADDRESS": "100000",
                         "HOLD_MAX_LIVE_PER_ADDRESS": "100000", "HOLD_CHALLENGE_AFTER": "0",
                         "BULK_PUBLISH_FRESH_SECONDS": "0", **PRACTICE, **env})
    try:
        system.start()
    except Exception:
        system.stop()
        raise
    return system


@pytest.fixture(scope="session")
def smtp():
    sink = SmtpSink()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def site(tmp_path_factory, smtp):
    """The whole system with a ten-minute hold, mail caught by an SMTP sink."""
    system = _start(tmp_path_factory, "browser", {"HOLD_TTL_SECONDS": "600", "SMTP_URL": smtp.url,
                                                  "PRACTICE_INBOX": "practice@browser.test"})
    yield system
    system.stop()


@pytest.fixture(scope="session")
def practice(tmp_path_factory, smtp):
    """The four services for the practice console's tests, mail caught by the SMTP sink."""
    from tests.e2e.browser.consoleutil import SERVICES

    system = _start(tmp_path_factory, "console", {"SMTP_URL": smtp.url, "PRACTICE_INBOX": "practice@console.test"},
                    services=SERVICES)
    yield system
    system.stop()


@pytest.fixture(scope="module")
def short_hold_site(tmp_path_factory):
    """Availability and booking only, with holds that run out after five seconds."""
    system = _start(tmp_path_factory, "browser-ttl", {"HOLD_TTL_SECONDS": "5"}, services=("availability", "booking"))
    yield system
    system.stop()


class Steps:
    """Saves NN-step.png for each step and asserts axe-core finds no violation at all, of any impact
    (minor and moderate ones are barriers to someone too)."""

    def __init__(self, page, folder: Path):
        from axe_playwright_python.sync_playwright import Axe

        self.page, self.folder, self.n, self.axe = page, folder, 0, Axe()
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def __call__(self, name: str, *, axe: bool = True) -> Path:
        self.n += 1
        self.page.wait_for_timeout(350)  # the step's entrance animation settles before the picture
        path = self.folder / f"{self.n:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if axe:
            self.check(name)
        return path

    def check(self, name: str) -> None:
        results = self.axe.run(self.page)
        bad = results.response["violations"]
        if bad:
            (self.folder / f"{self.n:02d}-{name}-axe.json").write_text(results.generate_report())
        assert not bad, f"axe-core at step {name!r}:\n" + "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}" for v in bad)


@pytest.fixture
def page_factory(browser, request):
    """new_page(width=1280, zone="America/Los_Angeles") -> (page, steps); errors in the page fail the test."""
    contexts, errors = [], []

    def new_page(width: int = 1280, height: int = 900, zone: str = "America/Los_Angeles", mobile: bool = False):
        context = browser.new_context(viewport={"width": width, "height": height}, timezone_id=zone, locale="en-US",
                                      is_mobile=mobile, has_touch=mobile, accept_downloads=True,
                                      reduced_motion="reduce" if mobile else "no-preference")
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not _expected(m.text) else None)
        folder = ARTIFACTS / re.sub(r"[^\w-]+", "_", request.node.name.removeprefix("test_"))[:80]
        if len(contexts) > 1:
            folder = folder.with_name(f"{folder.name}-{len(contexts)}")
        return page, Steps(page, folder)

    yield new_page
    for context in contexts:
        context.close()
    assert not errors, f"the page logged errors: {errors}"


def _expected(text: str) -> bool:
    """A 4xx answer (taken, expired, invalid) is part of the story told to the client, not a page error."""
    return bool(re.search(r"status of 4\d\d", text))
