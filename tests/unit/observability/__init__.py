"""Unit tests of consumer/observability: logs, metrics, secrets."""
