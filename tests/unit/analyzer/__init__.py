"""Unit tests of consumer/analyzer: the offline rules, the learned model, Gemini, evaluation."""
