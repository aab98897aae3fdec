"""Abuse figures of issue 11, measured against real gunicorn processes (figures, never assertions).

    python bench/abuse.py [--body-mb 65]

  1. the peak memory (VmHWM) of a booking web worker that is sent a JSON body of --body-mb MB, with
     the body limit off (MAX_BODY_BYTES huge: as before the limit) and at its default (64 KB);
  2. how many live holds one address keeps when it tries 100 holds on distinct slots, each with a
     fresh hold session, at the default limits (and with the per-address limits off, for comparison);
  3. how many emails one address makes the practice send when it asks for 90 contact requests, each
     naming a stranger's address, and 5 matching slots are then freed.
"""
from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from booking import Client, seed, slots

from shared.clock import isoformat
from tests.support import infra
from tests.support.system import System, wait_until


def workers_of(master: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    out.append(int(p.name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def send_body(port: int, mb: int) -> str:
    """POSTs `[1,1,...]` of `mb` MB on a raw socket, reads what comes back (the server may answer early)."""
    body = b"[" + b"1," * (mb * 1024 * 1024 // 2 - 1) + b"1]"
    head = (f"POST /v1/holds HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(head)
        try:
            s.sendall(body)
        except OSError:
            pass  # refused before it was all sent
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except OSError:
            pass
    return answer.split(b"\r\n", 1)[0].decode(errors="replace")


def body_figure(amqp: str, mb: int, limit: str | None) -> tuple[str, int, int]:
    env = {"LOG_LEVEL": "WARNING"} | ({"MAX_BODY_BYTES": limit} if limit else {})
    system = System(Path(tempfile.mkdtemp(prefix="bench-abuse-")), amqp, None, services=("booking",), web_workers=1,
                    env=env).start()
    try:
        master = system.procs["booking-web"].pid
        workers = workers_of(master)
        before = max(peak_kb(w) for w in workers)
        status = send_body(system.ports["booking"], mb)
        time.sleep(0.5)
        return status, before, max(peak_kb(w) for w in workers_of(master) or workers)
    finally:
        system.stop()


def holds_figure(amqp: str, env: dict) -> tuple[dict, int]:
    system = System(Path(tempfile.mkdtemp(prefix="bench-abuse-")), amqp, None, services=("booking",),
                    env={"LOG_LEVEL": "WARNING", **env}).start()
    try:
        [cid] = seed(system, 1)
        client, answers = Client(system.ports["booking"]), {}
        for i, start in enumerate(slots(200)[8:108]):
            status, _, _ = client.call_with("POST", "/v1/holds", {"clinician_id": cid, "start": isoformat(start)},
                                            {"X-Hold-Session": f"s-{i}-{infra.rand(6)}"}) \
                if hasattr(client, "call_with") else _call(system, cid, start, i)
            answers[status] = answers.get(status, 0) + 1
        live = answers.get(201, 0)
        return answers, live
    finally:
        system.stop()


def _call(system, cid, start, i):
    from tests.support.system import http

    return http("POST", system.url("booking", "/v1/holds"), {"clinician_id": cid, "start": isoformat(start)},
                headers={"X-Hold-Session": f"s-{i}-{infra.rand(6)}"})


def mails_figure(amqp: str) -> dict:
    from tests.support.system import http

    workdir = Path(tempfile.mkdtemp(prefix="bench-abuse-"))
    system = System(workdir, amqp, None, services=("booking", "notifications"),
                    env={"LOG_LEVEL": "WARNING", "PRACTICE_INBOX": "practice@bench.test"}).start()
    try:
        [cid] = seed(system, 1)
        everyday = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in ("mon", "tue", "wed", "thu", "fri",
                                                                              "sat", "sun")]
        asked = {}
        for i in range(90):
            st, _, _ = http("POST", system.url("booking", "/v1/contact-requests"), {
                "name": "Stranger", "email": f"stranger{i}@victim.test", "time_zone": "UTC", "clinician_id": cid,
                "preferred_times": everyday, "consent": True})
            asked[st] = asked.get(st, 0) + 1
        for start in slots(40)[10:15]:
            st, held, _ = http("POST", system.url("booking", "/v1/holds"), {"clinician_id": cid, "start": isoformat(start)})
            if st == 201:
                http("DELETE", system.url("booking", f"/v1/holds/{held['id']}"), token=held["token"])
        mail = workdir / "var" / "mail"
        wait_until(lambda: mail.is_dir() and len(list(mail.glob("*.eml"))) >= 1, 20)
        time.sleep(5)
        files = [p.read_text(errors="replace") for p in mail.glob("*.eml")] if mail.is_dir() else []
        to = [next((line for line in f.split("\n\n", 1)[0].splitlines() if line.lower().startswith("to:")), "")
              for f in files]
        to_practice = sum(1 for line in to if "practice@bench.test" in line)
        return {"requests": asked, "emails": len(files), "to_practice": to_practice,
                "to_strangers": len(files) - to_practice}
    finally:
        system.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--body-mb", type=int, default=65)
    parser.add_argument("--skip", default="")
    args = parser.parse_args()
    amqp = infra.find_amqp()
    if "body" not in args.skip:
        for label, limit in (("limit off (as before)", str(10**10)), ("default limit (64 KB)", None)):
            status, before, peak = body_figure(amqp, args.body_mb, limit)
            print(f"{args.body_mb} MB body, {label}: {status!r}; worker peak RSS {before / 1024:.0f} MB before, "
                  f"{peak / 1024:.0f} MB after", flush=True)
    if "holds" not in args.skip:
        for label, env in (("default limits", {}),
                           ("per-address limits off", {"HOLD_MAX_LIVE_PER_ADDRESS": 10**6, "HOLD_CHALLENGE_AFTER": 0})):
            answers, live = holds_figure(amqp, env)
            print(f"100 holds from one address, fresh session each, {label}: answers {answers}; live holds {live}",
                  flush=True)
    if "mails" not in args.skip:
        print(f"one address, 90 contact requests naming strangers + 5 freed slots: {mails_figure(amqp)}", flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
