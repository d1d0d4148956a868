"""Kafka record bytes → TranscriptEvent, or a dead-letter reason. Pure: no I/O."""

from __future__ import annotations

import json

from pydantic import ValidationError

from consumer.errors import InvalidEventError
from schemas import TranscriptEvent


def parse_event(value: bytes | None, *, max_transcript_bytes: int) -> TranscriptEvent:
    """Decode and validate one TranscriptEvent.

    Raises InvalidEventError whose ``reason`` is one of: ``not_utf8``, ``not_json``, ``not_object``,
    ``schema_invalid``, ``oversized``, ``empty_transcript``.
    """
    if value is None:
        raise InvalidEventError("record has no value (tombstone)", reason="not_object")
    # A record far beyond the transcript limit is refused before it is decoded at all.
    if len(value) > 4 * max_transcript_bytes + 65_536:
        raise InvalidEventError(f"record of {len(value)} bytes exceeds the size limit", reason="oversized")
    if _uses_non_standard_numbers(value):
        raise InvalidEventError("value uses NaN or Infinity, which JSON does not have", reason="not_json")
    try:
        event = TranscriptEvent.model_validate_json(value)
    except ValidationError:
        event = _classify(value)
    text = event.text()
    size = len(text.encode("utf-8"))
    if size > max_transcript_bytes:
        raise InvalidEventError(
            f"transcript of {size} bytes exceeds MAX_TRANSCRIPT_BYTES={max_transcript_bytes}",
            reason="oversized",
        )
    if not text.strip():
        raise InvalidEventError("transcript is empty", reason="empty_transcript")
    return event


class _NonStandardNumber(Exception):
    pass


def _refuse_constant(name: str) -> float:
    raise _NonStandardNumber(name)


def _uses_non_standard_numbers(value: bytes) -> bool:
    """Whether the JSON holds NaN or Infinity, which pydantic accepts but PostgreSQL's JSONB refuses."""
    if b"NaN" not in value and b"Infinity" not in value:
        return False
    try:
        json.loads(value, parse_constant=_refuse_constant)
    except _NonStandardNumber:
        return True
    except (ValueError, RecursionError):
        return False  # not JSON at all: classified with the other reasons
    return False


def _classify(value: bytes) -> TranscriptEvent:
    """The slow path, for records the one-step parse refused: say precisely why."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEventError(f"value is not UTF-8: {exc}", reason="not_utf8") from exc
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InvalidEventError(f"value is not JSON: {exc}", reason="not_json") from exc
    if not isinstance(data, dict):
        raise InvalidEventError(f"value is JSON {type(data).__name__}, not an object", reason="not_object")
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        # \ud800-style escapes decode to lone surrogates, which no database or encoder accepts
        raise InvalidEventError(
            f"value holds text that is not valid Unicode: {exc}", reason="not_utf8"
        ) from exc
    try:
        return TranscriptEvent.model_validate(data)
    except ValidationError as exc:
        raise InvalidEventError(_describe(exc), reason="schema_invalid") from exc


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False, include_input=False)[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)
