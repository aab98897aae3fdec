"""The staff service's use cases: accounts, sessions, TOTP enrolment and the audit log."""
