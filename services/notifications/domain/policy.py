"""Retry policies: exponential backoff with jitter, give-up ages, webhook disablement thresholds."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float
    cap_seconds: float
    give_up_after: timedelta

    def delay(self, attempts: int, rand=random.random) -> timedelta:
        """Equal jitter: half the doubled delay fixed, half random, so retries never bunch up."""
        nominal = min(self.cap_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=nominal / 2 + rand() * nominal / 2)

    def gives_up(self, age: timedelta) -> bool:
        return age >= self.give_up_after


@dataclass(frozen=True)
class WebhookPolicy:
    retry: RetryPolicy = RetryPolicy(5, 3600, timedelta(hours=24))
    timeout_seconds: float = 5.0
    disable_after_failures: int = 15
    disable_after_failing_for: timedelta = timedelta(hours=24)
    in_flight_per_subscription: int = 4
    lease: timedelta = timedelta(seconds=60)

    def should_disable(self, consecutive_failures: int, failing_for: timedelta) -> bool:
        """Many failures in a row, for as long as a delivery is retried: the endpoint is gone."""
        return (consecutive_failures >= self.disable_after_failures
                and failing_for >= self.disable_after_failing_for)


EMAIL_RETRY = RetryPolicy(30, 1800, timedelta(days=3))
# A batch is leased for EMAIL_LEASE; the sender starts no new send after EMAIL_SEND_WINDOW of it and
# gives the rest back, so a row is never sent after its lease ran out (one SMTP send is bounded by
# the mailer's timeout), and a killed worker's batch is picked up by another within a minute.
EMAIL_LEASE = timedelta(seconds=60)
EMAIL_SEND_WINDOW = timedelta(seconds=25)
