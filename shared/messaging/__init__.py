"""Reliable messaging: transactional outbox, confirmed publishing, idempotent consumers."""
