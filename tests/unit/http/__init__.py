"""Unit tests of consumer/http on a test server with an in-memory pipeline."""
