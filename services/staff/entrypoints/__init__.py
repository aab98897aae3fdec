"""HTTP and message entrypoints of the staff service."""
