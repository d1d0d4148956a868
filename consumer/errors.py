"""One error root. The consumer decides retry, dead-letter or commit from the type."""

from __future__ import annotations

from typing import Any


class InsightsError(Exception):
    """Base of every error the service raises on purpose.

    ``retriable`` says whether the same work may succeed later (wait and retry, holding the
    partition) or never will (dead-letter and move on).
    """

    retriable: bool = False
    reason: str = "error"
    # What the failing component can still say about itself (its /health detail), if anything.
    detail: dict[str, object] | None = None

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class InvalidEventError(InsightsError):
    """An input (a Kafka record, an HTTP body, a line of a file) is not a usable transcript: bad
    bytes, JSON or schema, or a transcript too large or blank. ``errors``: the schema's complaints,
    one dict each (pydantic's), when the schema refused it."""

    retriable = False
    reason = "schema_invalid"

    def __init__(self, message: str, *, reason: str | None = None, errors: list[Any] | None = None) -> None:
        super().__init__(message, reason=reason)
        self.errors: list[Any] = errors or []


class AnalyzerError(InsightsError):
    """The analyzer failed and retrying the same input will not help."""

    retriable = False
    reason = "llm_error"


class AnalyzerOutputError(AnalyzerError):
    """The LLM's answer still failed validation after the retries."""

    reason = "llm_invalid_output"


class AnalyzerUnavailableError(InsightsError):
    """The LLM is overloaded, rate-limited, timing out or unreachable: try again later."""

    retriable = True
    reason = "llm_unavailable"


class StoreUnavailableError(InsightsError):
    """PostgreSQL cannot be reached: try again later."""

    retriable = True
    reason = "db_unavailable"


class StoreRejectedError(InsightsError):
    """PostgreSQL refused this record's data (not a connection problem): retrying will not help."""

    retriable = False
    reason = "db_rejected"


class ConfigurationError(InsightsError):
    """The settings cannot work (unreadable TLS files, credentials refused, untrusted certificate):
    retrying will not help; fix the configuration and start again."""

    retriable = False
    reason = "configuration"
