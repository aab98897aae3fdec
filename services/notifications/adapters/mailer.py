"""Sends email over SMTP (`SMTP_URL`), or writes each message as an `.eml` file when none is set."""
from __future__ import annotations

import contextlib
import smtplib
import ssl
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from icalendar.parser import foldline

from shared.validation import mailbox

UTF8 = policy.default.clone(utf8=True)  # RFC 6532 headers, for an internationalised recipient only


class TransientMailError(Exception):
    """The server is away or said 4xx: try again later."""


class PermanentMailError(Exception):
    """The server refused this message for good (5xx): retrying cannot help."""


def build_message(row, sender: tuple[str, str], now, reveal=lambda text: text) -> EmailMessage:
    """An RFC 5322 message from an `emails` row: text and HTML alternatives, the invite attached.

    `reveal` opens what the stored row keeps sealed (the manage link's token) in the bodies and invite.
    ValueError when an address cannot be written into a valid header (nothing is sent then). The
    domain goes out in IDNA form; a non-ASCII local part needs RFC 6532 headers (and an SMTPUTF8
    server), so only such a message is written with them."""
    to, sender_box = mailbox(row.recipient), mailbox(sender[1])
    msg = EmailMessage(policy=UTF8 if to.international or sender_box.international else policy.default)
    msg["Subject"] = " ".join(row.subject.split())
    msg["From"] = Address(" ".join(sender[0].split()), sender_box.local, sender_box.domain)
    msg["To"] = Address(username=to.local, domain=to.domain)
    msg["Reply-To"] = Address(username=sender_box.local, domain=sender_box.domain)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<{row.id}@attune>"
    msg["X-Attune-Notification"] = row.kind
    msg.set_content(reveal(row.text_body))
    msg.add_alternative(reveal(row.html_body), subtype="html")
    if row.ics:
        msg.add_attachment(_refolded(reveal(_unfolded(row.ics))), subtype="calendar", filename="invite.ics",
                           params={"method": row.ics_method or "REQUEST"})
    return msg


def _unfolded(ics: str) -> str:
    """RFC 5545 content lines as one line each (a placeholder may have been folded across two)."""
    return ics.replace("\r\n ", "").replace("\r\n\t", "")


def _refolded(ics: str) -> str:
    return "\r\n".join(foldline(line) if line else line for line in ics.split("\r\n"))


class SmtpMailer:
    def __init__(self, url: str, timeout: float = 15):
        parts = urlparse(url)
        self.ssl, self.host = parts.scheme == "smtps", parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if self.ssl else 25)
        self.user, self.password = unquote(parts.username or ""), unquote(parts.password or "")
        self.timeout = timeout

    @contextlib.contextmanager
    def connection(self):
        try:
            smtp = (smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
                    if self.ssl else smtplib.SMTP(self.host, self.port, timeout=self.timeout))
            if self.user:
                smtp.login(self.user, self.password)
        except (OSError, smtplib.SMTPException) as e:
            raise TransientMailError(describe(e)) from None
        try:
            yield _SmtpConnection(smtp)
        finally:
            with contextlib.suppress(Exception):
                smtp.quit()


class _SmtpConnection:
    def __init__(self, smtp: smtplib.SMTP):
        self.smtp = smtp

    def send(self, msg: EmailMessage) -> None:
        try:
            self.smtp.send_message(msg)
        except smtplib.SMTPNotSupportedError as e:  # an internationalised address, a server without SMTPUTF8
            raise PermanentMailError(describe(e)) from None
        except smtplib.SMTPRecipientsRefused as e:
            codes = [code for code, _ in e.recipients.values()]
            raise (PermanentMailError if all(c >= 500 for c in codes) else TransientMailError)(
                f"recipient refused ({', '.join(map(str, codes))})") from None
        except smtplib.SMTPResponseException as e:
            raise (PermanentMailError if e.smtp_code >= 500 else TransientMailError)(describe(e)) from None
        except (OSError, smtplib.SMTPException) as e:
            raise TransientMailError(describe(e)) from None


def describe(error: Exception) -> str:
    """The error without the server's text, which may quote the recipient's address."""
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}" + (f" {code}" if code else "")


class FileMailer:
    """Development without an SMTP server: `var/mail/<message id>.eml`, one file per message."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @contextlib.contextmanager
    def connection(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        yield self

    def send(self, msg: EmailMessage) -> None:
        name = msg["Message-ID"].strip("<>").split("@", 1)[0]
        tmp = self.directory / f".{name}.eml.tmp"
        try:
            data = msg.as_bytes()
        except (ValueError, TypeError, UnicodeError) as e:  # a header that cannot be written validly
            raise PermanentMailError(f"unwritable message: {type(e).__name__}") from None
        tmp.write_bytes(data)
        tmp.replace(self.directory / f"{name}.eml")


def mailer_for(settings):
    return SmtpMailer(settings.smtp_url) if settings.smtp_url else FileMailer(settings.mail_dir)
