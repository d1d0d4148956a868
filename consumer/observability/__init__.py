"""Logs, metrics and keeping secrets out of both."""
