"""The operator's entry point: `attune up`, `attune web`, `attune worker`, `attune migrate`."""
