"""What the staff service knows without Flask or SQLAlchemy: passwords, lockouts, TOTP, roles."""
