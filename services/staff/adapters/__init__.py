"""The staff service's tables."""
