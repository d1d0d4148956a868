"""Logging: one JSON object per line, and the event being processed attached to every line.

Lines of work that belongs to a trace carry its ``trace_id`` (and ``span_id`` when tracing is on).
``log_context(call_id=..., event_id=...)`` binds fields for the current task (a ``contextvars``
variable, so every task has its own and lines logged from deep inside the analyzer or the store
carry them too); ``ContextFilter`` copies them onto each record. Work shared by many events (a
micro-batch) runs under ``detached_context()`` so it is not labelled with one of them.

What goes into messages at INFO and above: ids, reason codes, counts, offsets, timings. Never a
transcript, a summary, an event value or an error text that may quote one; those go at DEBUG.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final, Literal

from consumer.observability import tracing

_NO_FIELDS: Final[Mapping[str, Any]] = MappingProxyType({})
_FIELDS: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar("log_fields", default=_NO_FIELDS)

# Attributes every LogRecord has; anything else on a record was passed in ``extra=`` or bound.
_STANDARD: Final = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}

_QUIET_LOGGERS: Final = ("aiokafka", "google_genai")  # per-request chatter at INFO


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Attach ``fields`` to every log line of the current task until the block ends (nestable)."""
    token = _FIELDS.set({**_FIELDS.get(), **fields})
    try:
        yield
    finally:
        _FIELDS.reset(token)


def bind(**fields: Any) -> None:
    """Add ``fields`` to the current task's log context for the rest of the task."""
    _FIELDS.set({**_FIELDS.get(), **fields})


def current_context() -> Mapping[str, Any]:
    """The fields bound in the current task."""
    return _FIELDS.get()


def detached_context() -> contextvars.Context:
    """A copy of the current context without log fields or trace, for tasks serving many events."""
    context = contextvars.copy_context()
    context.run(_FIELDS.set, _NO_FIELDS)
    tracing.detach(context)
    return context


class ContextFilter(logging.Filter):
    """Copies the bound fields and the trace and span ids onto each record (a handler filter; it
    never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the context fields and trace ids that the record does not carry already."""
        fields = _FIELDS.get()
        ids = tracing.log_ids()
        if fields or ids:
            attrs = record.__dict__
            for key, value in fields.items():
                attrs.setdefault(key, value)
            for key, value in (ids or {}).items():
                attrs.setdefault(key, value)
        return True


def extras(record: logging.LogRecord) -> dict[str, Any]:
    """The non-standard attributes of a record: bound context and ``extra=`` fields."""
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", ...context and extras, "exc"?}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (newlines inside values are escaped)."""
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in extras(record).items():
            out.setdefault(key, value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message key=value ...``, for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The classic line, then the context and extras as ``key=value`` pairs."""
        line = super().formatMessage(record)
        fields = extras(record)
        if fields:
            line += " " + " ".join(f"{k}={v}" for k, v in fields.items())
        return line


def configure_logging(level: str, fmt: Literal["json", "text"] = "json") -> None:
    """Log to stderr at ``level`` in ``fmt``, with the context filter; quiet chatty libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    quiet = max(logging.WARNING, root.level)
    for noisy in _QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(quiet)
