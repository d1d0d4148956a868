"""Unit tests of consumer/analyzer/text: the one text layer."""
