"""Attune's shared kernel: the event contract, messaging, config, database and web plumbing."""
