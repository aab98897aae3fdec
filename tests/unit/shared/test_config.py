"""Configuration from the environment: defaults, and errors that name the variable at fault."""
from __future__ import annotations

import pytest

from shared.config import ConfigError, database_url, load


def test_defaults_follow_the_contract(tmp_path):
    s = load("booking", {"ATTUNE_VAR_DIR": str(tmp_path)})

    assert s.amqp_url == "amqp://guest:guest@127.0.0.1:5672//"
    assert s.exchange == "attune.events"
    assert (s.port, s.hold_ttl_seconds, s.min_notice_minutes, s.lookahead_days) == (8002, 600, 120, 7)
    assert s.practice_inbox == "practice@localhost"
    assert s.database_url == f"sqlite:///{tmp_path / 'booking.db'}"
    assert s.queue_prefix == ""
    assert s.staff_session_minutes == 480


@pytest.mark.parametrize("variable, value, says", [
    ("HOLD_TTL_SECONDS", "ten", "must be an integer"),
    ("HOLD_TTL_SECONDS", "0", "at least 1"),
    ("LOOKAHEAD_DAYS", "-1", "at least 1"),
    ("BOOKING_PORT", "http", "must be an integer"),
    ("AMQP_URL", "http://broker", "scheme amqp"),
    ("SMTP_URL", "mail.example.org:25", "scheme smtp"),
    ("DATABASE_URL", "mysql://db/x", "scheme sqlite"),
    ("BOOKING_DATABASE_URL", "redis://x", "scheme sqlite"),
    ("LOG_LEVEL", "chatty", "DEBUG, INFO"),
    ("DB_POOL_SIZE", "0", "at least 1"),
    ("ATTUNE_INTEGRATOR_TOKENS", "long-enough-token-0001,short", "at least 16 characters"),
    ("TRUSTED_PROXY_HOPS", "-1", "at least 0"),
    ("STAFF_SESSION_MINUTES", "0", "at least 1"),
    ("PRACTICE_INBOX", "practice at clinic", "not an address mail can go to"),
    ("PRACTICE_INBOX", '"a\u000bb"@clinic.test', "not an address mail can go to"),
])
def test_a_bad_value_stops_with_an_error_naming_the_variable(variable, value, says):
    with pytest.raises(ConfigError) as caught:
        load("booking", {variable: value})

    assert caught.value.variable == variable
    assert variable in str(caught.value.code) and says in str(caught.value.code)


def test_an_unknown_service_is_refused():
    with pytest.raises(ConfigError, match="must be one of"):
        load("billing", {})


def test_a_service_database_url_wins_over_the_shared_one():
    env = {"DATABASE_URL": "postgresql://pg/shared", "NOTIFICATIONS_DATABASE_URL": "postgresql://pg/own"}

    assert database_url("notifications", env) == "postgresql://pg/own"
    assert database_url("booking", env) == "postgresql://pg/shared"


def test_a_non_default_exchange_prefixes_queue_names_so_parallel_systems_never_share_a_queue():
    s = load("availability", {"ATTUNE_EXCHANGE": "attune.staging"})

    assert s.queue_prefix == "attune.staging:"


def test_webhook_allowed_hosts_are_a_trimmed_comma_list():
    s = load("notifications", {"WEBHOOK_ALLOWED_HOSTS": " 127.0.0.1, localhost ,,"})

    assert s.webhook_allowed_hosts == ("127.0.0.1", "localhost")


def test_the_connection_pool_keeps_one_connection_per_web_thread_unless_told_otherwise():
    assert load("booking", {}).db_pool_size == 8
    assert load("booking", {"WEB_THREADS": "12"}).db_pool_size == 12
    assert load("booking", {"WEB_THREADS": "12", "DB_POOL_SIZE": "4"}).db_pool_size == 4
