"""Receives Attune webhooks and verifies their Standard Webhooks signature before trusting them.

    WEBHOOK_SECRET=whsec_... python examples/webhook_receiver.py --port 9000

Register it with the notifications service (admin token from `attune up`; a loopback URL needs
WEBHOOK_ALLOWED_HOSTS=127.0.0.1 on the service):

    curl -X POST http://127.0.0.1:8003/v1/webhooks -H "Authorization: Bearer $ATTUNE_ADMIN_TOKEN" \
         -H 'Content-Type: application/json' \
         -d '{"url": "http://127.0.0.1:9000/", "events": ["booking.*"]}'

and put the `secret` it answers (shown once) in WEBHOOK_SECRET. A delivery is retried with the same
`webhook-id`, so the receiver answers 2xx to a repeat without acting on it twice.
"""
from __future__ import annotations

import argparse
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def make_handler(webhook: Webhook, seen: set[str]):
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                event = webhook.verify(body, dict(self.headers))
            except WebhookVerificationError as e:
                return self.answer(400, f"signature not valid: {e}")
            webhook_id = self.headers["webhook-id"]
            if webhook_id in seen:
                return self.answer(204)
            seen.add(webhook_id)
            print(f"{event['type']:24} {event['subject']} #{event['sequence']}  id={webhook_id}", flush=True)
            self.answer(204)

        def answer(self, status: int, text: str = "") -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(text.encode())))
            self.end_headers()
            self.wfile.write(text.encode())

        def log_message(self, *args):  # quiet: the verified events are printed instead
            pass

    return Receiver


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Verify and print Attune webhook deliveries.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args(argv)
    secret = os.environ.get("WEBHOOK_SECRET")
    if not secret:
        raise SystemExit("set WEBHOOK_SECRET to the secret POST /v1/webhooks answered (whsec_...)")
    server = ThreadingHTTPServer((args.host, args.port), make_handler(Webhook(secret), set()))
    print(f"receiving webhooks on http://{args.host}:{args.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
