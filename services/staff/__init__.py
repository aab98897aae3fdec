"""The staff service: accounts, roles, sign-in, sessions and the audit trail of the practice."""
