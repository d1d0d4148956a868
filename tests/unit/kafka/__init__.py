"""Unit tests of consumer/kafka on in-memory fakes."""
