"""A real SMTP server (aiosmtpd) that keeps what it receives, for tests that read the mail."""
from __future__ import annotations

import email
from email.message import Message

from tests.support.system import free_port


class SmtpSink:
    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], Message]] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[Message]:
        return [m for rcpts, m in list(self.messages) if address in rcpts]

    def stop(self) -> None:
        self.controller.stop()


def calendar_parts(message: Message) -> list[str]:
    """The text/calendar parts (inline or attached) of a message, decoded."""
    out = []
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            out.append(part.get_payload(decode=True).decode())
    return out
