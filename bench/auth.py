"""What a staff session token costs each request, next to a trivial endpoint, on SQLite and PostgreSQL.

    python bench/auth.py [--db sqlite,postgresql] [--n 3000]

Measured in one process, in one run (the host's speed varies between runs):
  1. shared.auth.verify alone (EdDSA signature and claims), µs per token;
  2. the revocation lookup every service makes per request (shared.revocations.is_revoked), µs;
  3. a trivial Flask endpoint of the staff app without a credential, and the same endpoint behind
     shared.access.authorize (verify + revocation lookup), µs per request and the difference;
  4. for scale: one argon2id password check, as each sign-in makes it (ms).
Figures, never assertions: speed is reported here, not tested.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Blueprint

from shared import auth, config, revocations
from shared.access import authorize
from shared.runtime import migrate
from tests.support import infra

SECRET = "bench-secret-" + "s" * 32


def per_call_us(fn, n: int, rounds: int = 5) -> float:
    """The median over `rounds` of the mean time of `n` calls, in microseconds."""
    means = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        means.append((time.perf_counter() - started) / n * 1e6)
    return statistics.median(means)


def bench_app(container):
    from services.staff.entrypoints.flask_app import create_app

    app = create_app(container)
    bp = Blueprint("bench", __name__)
    bp.add_url_rule("/bench/open", "open", lambda: {"ok": True})
    bp.add_url_rule("/bench/signed-in", "signed_in", lambda: {"ok": authorize(*auth.ROLES).role})
    app.register_blueprint(bp)
    return app.test_client()


def run(db: str, n: int, tmp: Path) -> dict:
    from services.staff.bootstrap import bootstrap

    url = infra.find_postgres() if db == "postgresql" else f"sqlite:///{tmp / 'staff.db'}"
    env = {"STAFF_DATABASE_URL": url, "ATTUNE_SECRET_KEY": SECRET, "ATTUNE_VAR_DIR": str(tmp),
           "LOG_LEVEL": "WARNING"}
    schema = f"staff_bench{infra.rand(5)}"
    container = bootstrap(settings=config.load("staff", env), schema=schema)
    migrate(container)
    try:
        now = container.clock.now()
        table = container.tables["revocations"]
        with container.db.write() as conn:  # a realistic table: many ended sessions
            for i in range(2000):
                revocations.revoke_session(conn, table, f"old-{i}", now)
        token, sid, _ = auth.issue(SECRET, "ac-bench", "staff", None, now)
        client = bench_app(container)
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/bench/signed-in", headers=headers).status_code == 200

        def lookup():
            with container.db.read() as conn:
                revocations.is_revoked(conn, table, sid, "ac-bench")

        rounds = [(per_call_us(lambda: client.get("/bench/open"), n // 10, 1),
                   per_call_us(lambda: client.get("/bench/signed-in", headers=headers), n // 10, 1))
                  for _ in range(9)]  # interleaved, so a busy moment of the host weighs on both alike
        return {"verify": per_call_us(lambda: auth.verify(SECRET, token, now), n),
                "lookup": per_call_us(lookup, n),
                "open": statistics.median(r[0] for r in rounds),
                "signed_in": statistics.median(r[1] for r in rounds)}
    finally:
        container.db.engine.dispose()
        if db == "postgresql":
            infra.drop_schema(url, schema)


def argon2_ms() -> float:
    from services.staff.domain.passwords import Passwords

    passwords = Passwords()
    stored = passwords.hash("a tidy orchard 42")
    return per_call_us(lambda: passwords.check(stored, "a tidy orchard 42"), 5, rounds=3) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    print(f"{'database':<11} {'verify µs':>10} {'lookup µs':>10} {'trivial µs':>11} {'+token µs':>10} {'token cost':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for db in args.db.split(","):
            r = run(db, args.n, Path(tmp))
            cost = r["signed_in"] - r["open"]
            print(f"{db:<11} {r['verify']:>10.1f} {r['lookup']:>10.1f} {r['open']:>11.1f} {r['signed_in']:>10.1f} "
                  f"{cost:>7.1f} µs ({cost / r['open']:.0%} of the trivial request)")
    print(f"one argon2id password check (each sign-in): {argon2_ms():.0f} ms")


if __name__ == "__main__":
    main()
