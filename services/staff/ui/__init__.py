"""The practice console: HTML, CSS and ES modules the staff service serves at `/` (no build step)."""
