"""The `licet` command (installed as `licensing.cli`)."""
