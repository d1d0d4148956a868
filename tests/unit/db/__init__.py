"""Unit tests of consumer/db (no database: rows and SQL built in memory)."""
