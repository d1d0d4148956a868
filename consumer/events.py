"""One intake: whatever brings a transcript in (a Kafka record, an HTTP body, a line of a file)
becomes a ``TranscriptEvent``, or an ``InvalidEventError`` whose ``reason`` says why not. Pure: no I/O.

Every source goes through the same steps, so a transcript one source accepts the others accept too:

1. ``decode_object``: UTF-8, JSON without NaN or Infinity (PostgreSQL's JSONB has neither), an
   object, no lone surrogates (``\\ud800`` escapes no database or encoder accepts);
2. validation against the source's model (``TranscriptEvent``; the original API's
   ``AnalyzeCallRequest``), its errors kept for the caller;
3. the transcript: NUL characters removed (PostgreSQL's text cannot hold them; other fields refuse
   them in their schema), at most ``max_transcript_bytes`` of UTF-8, not blank.

Reasons: ``not_utf8``, ``not_json``, ``not_object``, ``schema_invalid``, ``oversized``,
``empty_transcript``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from consumer.errors import InvalidEventError
from schemas import AnalyzeCallRequest, TranscriptEvent

Model = TypeVar("Model", bound=BaseModel)


def parse_event(value: bytes | None, *, max_transcript_bytes: int) -> TranscriptEvent:
    """A Kafka record's value as a TranscriptEvent.

    The common case, a valid event, is read in one step; anything refused is read again step by
    step to name the reason. A value far beyond the transcript limit is refused before decoding.
    """
    if value is None:
        raise InvalidEventError("record has no value (tombstone)", reason="not_object")
    _refuse_huge(value, max_transcript_bytes)
    if not _uses_non_standard_numbers(value):
        try:
            event = TranscriptEvent.model_validate_json(value)
        except ValidationError:
            pass
        else:
            return _checked(event, max_transcript_bytes)
    return _checked(validated(TranscriptEvent, decode_object(value)), max_transcript_bytes)


def parse_request(value: bytes, *, max_transcript_bytes: int) -> AnalyzeCallRequest:
    """An ``/analyze_call`` body (the original API's request)."""
    _refuse_huge(value, max_transcript_bytes)
    return _checked(validated(AnalyzeCallRequest, decode_object(value)), max_transcript_bytes)


def parse_line(value: bytes, *, max_transcript_bytes: int) -> TranscriptEvent | AnalyzeCallRequest:
    """A line of a JSONL file: a TranscriptEvent (it has an ``event_id``), else the original API's
    request (``transcript``, optional ``call_id`` and ``metadata``)."""
    _refuse_huge(value, max_transcript_bytes)
    data = decode_object(value)
    if "event_id" in data:
        return _checked(validated(TranscriptEvent, data), max_transcript_bytes)
    return _checked(validated(AnalyzeCallRequest, data), max_transcript_bytes)


def event_from_request(request: AnalyzeCallRequest, event_id: uuid.UUID) -> TranscriptEvent:
    """The event an ``/analyze_call`` request stands for (its call id made up when it has none)."""
    return TranscriptEvent(
        event_id=event_id,
        call_id=request.call_id or f"http-{event_id}",
        transcript=request.transcript,
        metadata=request.metadata or {},
    )


def decode_object(value: bytes) -> dict[str, Any]:
    """Bytes as a JSON object; InvalidEventError with the reason when they are not one."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEventError(f"value is not UTF-8: {exc}", reason="not_utf8") from exc
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except _NonStandardNumberError as exc:
        raise InvalidEventError(
            "value uses NaN or Infinity, which JSON does not have", reason="not_json"
        ) from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InvalidEventError(f"value is not JSON: {exc}", reason="not_json") from exc
    if not isinstance(data, dict):
        raise InvalidEventError(f"value is JSON {type(data).__name__}, not an object", reason="not_object")
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidEventError(
            f"value holds text that is not valid Unicode: {exc}", reason="not_utf8"
        ) from exc
    return data


def validated(model: type[Model], data: dict[str, Any]) -> Model:
    """``data`` as ``model``; InvalidEventError (``schema_invalid``) naming the first problems, with
    all of them in its ``errors``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        raise InvalidEventError(_describe(errors), reason="schema_invalid", errors=errors) from exc


def _checked(item: Model, max_transcript_bytes: int) -> Model:
    """``item`` (an event or a request) without NULs in its transcript, which must fit and not be blank."""
    item = _without_nul(item)
    text = item.text() if isinstance(item, TranscriptEvent) else str(getattr(item, "transcript", ""))
    _check_text(text, max_transcript_bytes)
    return item


def _check_text(text: str, max_transcript_bytes: int) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_transcript_bytes:
        raise InvalidEventError(
            f"transcript of {size} bytes exceeds MAX_TRANSCRIPT_BYTES={max_transcript_bytes}",
            reason="oversized",
        )
    if not text.strip():
        raise InvalidEventError("transcript is empty", reason="empty_transcript")


def _refuse_huge(value: bytes, max_transcript_bytes: int) -> None:
    """A value far beyond the transcript limit (escapes may quadruple a text) is refused unread."""
    if len(value) > 4 * max_transcript_bytes + 65_536:
        raise InvalidEventError(f"value of {len(value)} bytes exceeds the size limit", reason="oversized")


def _without_nul(item: Model) -> Model:
    """``item`` with NUL characters removed from its transcript and its turns' text (other fields
    that cannot hold one say so in their schema, and were refused)."""
    update: dict[str, Any] = {}
    transcript = getattr(item, "transcript", None)
    if transcript is not None and "\x00" in transcript:
        update["transcript"] = transcript.replace("\x00", "")
    turns = getattr(item, "turns", None)
    if turns and any("\x00" in turn.text for turn in turns):
        update["turns"] = [turn.model_copy(update={"text": turn.text.replace("\x00", "")}) for turn in turns]
    return item.model_copy(update=update) if update else item


class _NonStandardNumberError(Exception):
    pass


def _refuse_constant(name: str) -> float:
    raise _NonStandardNumberError(name)


def _uses_non_standard_numbers(value: bytes) -> bool:
    """Whether the JSON may hold NaN or Infinity, which pydantic accepts but PostgreSQL's JSONB
    refuses (then the slow path reads it step by step)."""
    return b"NaN" in value or b"Infinity" in value


def _describe(errors: list[Any]) -> str:
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)
