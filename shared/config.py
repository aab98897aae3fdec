"""Configuration from the environment, read and validated in one place."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from shared import taxonomy

SERVICES = ("availability", "booking", "notifications", "staff")
DEFAULT_PORTS = {"availability": 8001, "booking": 8002, "notifications": 8003, "staff": 8004}


class ConfigError(SystemExit):
    """A bad environment value: stops the process with a message naming the variable."""

    def __init__(self, variable: str, reason: str):
        super().__init__(f"attune: configuration error: {variable} {reason}")
        self.variable = variable


def _int(env, name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {value}")
    return value


def _bool(env, name: str, default: bool = False) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(name, f"must be true or false, got {raw!r}")
    return raw in ("true", "1", "yes")


def _url(env, name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
    raw = env.get(name) or default
    if raw is None:
        return None
    scheme = urlparse(raw).scheme.split("+")[0]
    if scheme not in schemes:
        raise ConfigError(name, f"must be a URL with scheme {' or '.join(schemes)}, got {raw!r}")
    return raw


def _mailbox(env, name: str, default: str) -> str:
    """An address the mailer can write (shared.validation's rule), or a configuration error now rather
    than every mail to it failing later."""
    from shared.validation import mailbox

    raw = (env.get(name) or default).strip()
    try:
        mailbox(raw)
    except ValueError as e:
        raise ConfigError(name, f"is not an address mail can go to: {e}") from None
    return raw


def var_dir(env=None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("ATTUNE_VAR_DIR") or "var").resolve()


def database_url(service: str, env=None) -> str:
    env = os.environ if env is None else env
    name = f"{service.upper()}_DATABASE_URL"
    url = _url(env, name, None, ("sqlite", "postgresql", "postgres"))
    if url is None:
        url = _url(env, "DATABASE_URL", None, ("sqlite", "postgresql", "postgres"))
    return url or f"sqlite:///{var_dir(env) / (service + '.db')}"


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672//"
    port: int = 8000
    admin_token: str | None = None
    integrator_tokens: tuple[str, ...] = ()
    exchange: str = "attune.events"
    hold_ttl_seconds: int = 600
    min_notice_minutes: int = 120
    lookahead_days: int = 7
    slot_minutes: int = 15
    smtp_url: str | None = None
    practice_inbox: str = "practice@localhost"
    webhook_allowed_hosts: tuple[str, ...] = ()
    public_url: dict[str, str] = field(default_factory=dict)
    mail_dir: Path = Path("var/mail")
    log_level: str = "INFO"
    practice_name: str = "Attune Practice"
    # How clients reach the practice (PRACTICE_PHONE, PRACTICE_ADDRESS): the SMART Scheduling Links files carry them.
    practice_phone: str | None = None
    practice_address: str | None = None
    crisis_notice: str = ("If you are in crisis or thinking of harming yourself, call or text 988 in the US, "
                          "or your local emergency number, now. This page books a consultation call; "
                          "it is not an emergency service.")
    brand_color: str = "#2f6f62"
    holds_per_minute: int = 30
    # Abuse limits of the booking service (issue 11): live holds one client address may keep, and
    # after how many holds in HOLD_CHALLENGE_WINDOW_MINUTES a hold needs a proof of work.
    hold_max_live_per_address: int = 3
    hold_challenge_after: int = 10
    hold_challenge_window_minutes: int = 60
    hold_challenge_max_number: int = 50_000
    confirms_per_minute: int = 20
    contact_requests_per_hour: int = 5
    contact_offers_per_request: int = 3
    contact_offers_per_recipient_per_day: int = 3
    contact_request_ttl_days: int = 30
    max_body_bytes: int = 64 * 1024  # every web app refuses larger request bodies (413) unread
    # Who may frame the booking page (CSP frame-ancestors): 'self' and the practice's own site origins.
    booking_embed_origins: tuple[str, ...] = ("'self'",)
    trusted_proxy_hops: int = 0
    # Connections each process keeps open: as many as its threads that use them at once (a web
    # worker's WEB_THREADS), or each request beyond the pool opens and closes a connection of its own.
    db_pool_size: int = 8
    # What the services seal or sign (calendar credentials, staff session tokens, secrets sealed for
    # one service inside an event). None only in unit tests; `attune up` generates one into var/.
    secret_key: str | None = None
    # Clinicians' own calendars (availability): how often each is synced, and whether the ICS feed and
    # the write-back show the client's full name instead of the first name only.
    calendar_sync_seconds: int = 20
    bulk_publish_fresh_seconds: int = 60  # a $bulk-publish file is rebuilt at most this often per process
    calendar_feed_full_names: bool = False
    # Admin accounts must sign in with a TOTP code (STAFF_REQUIRE_TOTP); the staff service reads it.
    staff_require_totp: bool = False
    staff_session_minutes: int = 480  # how long a staff session token lasts before it must be renewed
    # Issue 15: the per-booking video link of clinicians without their own (CALL_VIDEO_URL_TEMPLATE, with
    # {room}: a room name derived from the booking id and ATTUNE_SECRET_KEY, or {booking_id}); how long
    # client details of ended holds, cancelled bookings and closed requests are kept (RETENTION_DAYS);
    # how far back a confirmed consultation makes a person's next one a second (ONE_CONSULTATION_DAYS).
    call_video_url_template: str = "https://meet.jit.si/attune-{room}"
    retention_days: int = 90
    one_consultation_days: int = 90
    # Issue 15, clarity: how clients reach the practice by email (PRACTICE_EMAIL; PRACTICE_PHONE above), the
    # one locale of the booking page's dates and of the emails' clock (PRACTICE_LOCALE), and the practice's
    # modalities and populations (ATTUNE_TAXONOMY, shared.taxonomy).
    practice_email: str | None = None
    practice_locale: str = "en-US"
    taxonomy: object = None  # shared.taxonomy.Taxonomy (the seeds' list when None)

    @property
    def queue_prefix(self) -> str:
        """Queues of a non-default exchange get its name, so parallel systems never share a queue."""
        return "" if self.exchange == "attune.events" else f"{self.exchange}:"


def _tokens(env, name: str) -> tuple[str, ...]:
    """A comma list of secrets; short ones are refused, as a guessable token is no credential."""
    tokens = tuple(t.strip() for t in (env.get(name) or "").split(",") if t.strip())
    if any(len(t) < 16 for t in tokens):
        raise ConfigError(name, "each token must be at least 16 characters")
    return tokens


# Strings that appear in examples, old defaults and first guesses: refused whatever their length.
WELL_KNOWN_TOKENS = frozenset({
    "changeme", "change-me", "change_me", "admin", "administrator", "secret", "password", "token",
    "admin-token", "admintoken", "test", "default", "letmein", "attune", "change-me-admin-token",
    "changeme-admin-token", "your-admin-token", "replace-me", "set-it", "adm_xxx",
})
ADMIN_TOKEN_MIN = 24


def admin_token(env) -> str | None:
    """ATTUNE_ADMIN_TOKEN: the owner's credential, so at least 24 characters and none of the well-known
    strings (a guessable token is no credential, as for integrator tokens)."""
    token = env.get("ATTUNE_ADMIN_TOKEN") or None
    if token is None:
        return None
    advice = "; choose a random one (python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
    if token.strip().lower() in WELL_KNOWN_TOKENS:
        raise ConfigError("ATTUNE_ADMIN_TOKEN", "is a well-known string" + advice)
    if len(token) < ADMIN_TOKEN_MIN:
        raise ConfigError("ATTUNE_ADMIN_TOKEN", f"must be at least {ADMIN_TOKEN_MIN} characters, got {len(token)}"
                          + advice)
    if len(set(token)) < 6:
        raise ConfigError("ATTUNE_ADMIN_TOKEN", "is repetitive (fewer than 6 distinct characters)" + advice)
    return token


def secret_key(env=None) -> str | None:
    """ATTUNE_SECRET_KEY, or the key `attune up` generated into var/secret.key."""
    env = os.environ if env is None else env
    key = env.get("ATTUNE_SECRET_KEY") or None
    if key is None:
        path = var_dir(env) / "secret.key"
        key = path.read_text().strip() if path.is_file() else None
    if key is not None and len(key) < 32:
        raise ConfigError("ATTUNE_SECRET_KEY", "must be at least 32 characters")
    return key


_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?|https?://\*\.[A-Za-z0-9.-]+(:\d{1,5})?")


def embed_origins(env) -> tuple[str, ...]:
    """BOOKING_EMBED_ORIGINS: space- or comma-separated origins (https://www.example-practice.org) or
    'self' or 'none'; the booking page's CSP frame-ancestors. Nothing else: a path, a quote or a ';'
    would change the policy itself."""
    words = [w.strip() for w in re.split(r"[\s,]+", env.get("BOOKING_EMBED_ORIGINS") or "") if w.strip()]
    out = []
    for word in words or ["'self'"]:
        keyword = f"'{word.strip(chr(39)).lower()}'"
        if keyword in ("'self'", "'none'"):
            out.append(keyword)
        elif _ORIGIN.fullmatch(word.rstrip("/")):
            out.append(word.rstrip("/"))
        else:
            raise ConfigError("BOOKING_EMBED_ORIGINS", f"{word!r} is not an origin like https://www.example.org")
    return ("'none'",) if "'none'" in out else tuple(dict.fromkeys(out))


def video_url_template(env) -> str:
    """CALL_VIDEO_URL_TEMPLATE: an https link with {room} or {booking_id} (each booking its own call)."""
    template = (env.get("CALL_VIDEO_URL_TEMPLATE") or "").strip() or Settings.call_video_url_template
    if not template.startswith("https://") or not ("{room}" in template or "{booking_id}" in template):
        raise ConfigError("CALL_VIDEO_URL_TEMPLATE", "must be an https:// link containing {room} or {booking_id}")
    try:
        template.format(room="r", booking_id="b")
    except (KeyError, IndexError, ValueError):
        raise ConfigError("CALL_VIDEO_URL_TEMPLATE", "may hold only the placeholders {room} and {booking_id}") from None
    return template


_LOCALE = re.compile(r"[a-zA-Z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?")


def practice_locale(env) -> str:
    """PRACTICE_LOCALE: a BCP 47 tag such as en-US or en-GB (the page's dates; the emails' 12 or 24 h clock)."""
    raw = (env.get("PRACTICE_LOCALE") or "").strip() or Settings.practice_locale
    if not _LOCALE.fullmatch(raw):
        raise ConfigError("PRACTICE_LOCALE", f"must be a language tag such as en-US or en-GB, got {raw!r}")
    return raw


def practice_email(env) -> str | None:
    if not (env.get("PRACTICE_EMAIL") or "").strip():
        return None
    return _mailbox(env, "PRACTICE_EMAIL", "")


def load(service: str, env=None) -> Settings:
    env = os.environ if env is None else env
    if service not in SERVICES:
        raise ConfigError("service", f"must be one of {', '.join(SERVICES)}")
    exchange = env.get("ATTUNE_EXCHANGE") or "attune.events"
    level = (env.get("LOG_LEVEL") or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("LOG_LEVEL", f"must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
    hosts = tuple(h.strip() for h in (env.get("WEBHOOK_ALLOWED_HOSTS") or "").split(",") if h.strip())
    ports = {s: _int(env, f"{s.upper()}_PORT", p, 1) for s, p in DEFAULT_PORTS.items()}
    public = {s: (env.get(f"{s.upper()}_PUBLIC_URL") or f"http://127.0.0.1:{ports[s]}").rstrip("/")
              for s in SERVICES}
    return Settings(
        service=service,
        database_url=database_url(service, env),
        amqp_url=_url(env, "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//", ("amqp", "amqps")),
        port=ports[service],
        admin_token=admin_token(env),
        integrator_tokens=_tokens(env, "ATTUNE_INTEGRATOR_TOKENS"),
        exchange=exchange,
        hold_ttl_seconds=_int(env, "HOLD_TTL_SECONDS", 600, 1),
        min_notice_minutes=_int(env, "MIN_NOTICE_MINUTES", 120, 0),
        lookahead_days=_int(env, "LOOKAHEAD_DAYS", 7, 1),
        smtp_url=_url(env, "SMTP_URL", None, ("smtp", "smtps")),
        practice_inbox=_mailbox(env, "PRACTICE_INBOX", "practice@localhost"),
        webhook_allowed_hosts=hosts,
        public_url=public,
        mail_dir=var_dir(env) / "mail",
        log_level=level,
        practice_name=env.get("PRACTICE_NAME") or Settings.practice_name,
        practice_phone=(env.get("PRACTICE_PHONE") or "").strip() or None,
        practice_address=(env.get("PRACTICE_ADDRESS") or "").strip() or None,
        crisis_notice=env.get("CRISIS_NOTICE") or Settings.crisis_notice,
        brand_color=env.get("BRAND_COLOR") or Settings.brand_color,
        holds_per_minute=_int(env, "HOLDS_PER_MINUTE_PER_ADDRESS", 30, 1),
        hold_max_live_per_address=_int(env, "HOLD_MAX_LIVE_PER_ADDRESS", 3, 1),
        hold_challenge_after=_int(env, "HOLD_CHALLENGE_AFTER", 10, 0),
        hold_challenge_window_minutes=_int(env, "HOLD_CHALLENGE_WINDOW_MINUTES", 60, 1),
        hold_challenge_max_number=_int(env, "HOLD_CHALLENGE_MAX_NUMBER", 50_000, 1),
        confirms_per_minute=_int(env, "CONFIRMS_PER_MINUTE_PER_ADDRESS", 20, 1),
        contact_requests_per_hour=_int(env, "CONTACT_REQUESTS_PER_HOUR_PER_ADDRESS", 5, 1),
        contact_offers_per_request=_int(env, "CONTACT_OFFERS_PER_REQUEST", 3, 0),
        contact_offers_per_recipient_per_day=_int(env, "CONTACT_OFFERS_PER_RECIPIENT_PER_DAY", 3, 0),
        contact_request_ttl_days=_int(env, "CONTACT_REQUEST_TTL_DAYS", 30, 1),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 64 * 1024, 1024),
        booking_embed_origins=embed_origins(env),
        trusted_proxy_hops=_int(env, "TRUSTED_PROXY_HOPS", 0, 0),
        db_pool_size=_int(env, "DB_POOL_SIZE", _int(env, "WEB_THREADS", 8, 1), 1),
        secret_key=secret_key(env),
        calendar_sync_seconds=_int(env, "CALENDAR_SYNC_SECONDS", 20, 1),
        bulk_publish_fresh_seconds=_int(env, "BULK_PUBLISH_FRESH_SECONDS", 60, 0),
        calendar_feed_full_names=_bool(env, "CALENDAR_FEED_FULL_NAMES"),
        staff_require_totp=_bool(env, "STAFF_REQUIRE_TOTP"),
        staff_session_minutes=_int(env, "STAFF_SESSION_MINUTES", 480, 1),
        call_video_url_template=video_url_template(env),
        retention_days=_int(env, "RETENTION_DAYS", 90, 1),
        one_consultation_days=_int(env, "ONE_CONSULTATION_DAYS", 90, 0),
        practice_email=practice_email(env),
        practice_locale=practice_locale(env),
        taxonomy=taxonomy.load(env),
    )
