"""One intake: a Kafka record, an HTTP body and a line of a file are read by the same steps, so
they accept and refuse the same transcripts for the same reasons."""

from __future__ import annotations

import json
import uuid

import pytest

from consumer.errors import InvalidEventError
from consumer.events import event_from_request, parse_event, parse_line, parse_request
from schemas import AnalyzeCallRequest, TranscriptEvent

LIMIT = 200


def _as_event(transcript: object) -> bytes:
    return json.dumps({"event_id": str(uuid.uuid4()), "call_id": "c-1", "transcript": transcript}).encode()


def _as_request(transcript: object) -> bytes:
    return json.dumps({"transcript": transcript, "call_id": "c-1"}).encode()


def _reason(parse: object, value: bytes) -> str | None:
    try:
        parse(value, max_transcript_bytes=LIMIT)  # type: ignore[operator]
    except InvalidEventError as exc:
        return exc.reason
    return None


@pytest.mark.parametrize(
    ("transcript", "reason"),
    [
        ("Customer: kal 5000 bhar dunga", None),
        ("x" * (LIMIT + 1), "oversized"),
        ("क" * (LIMIT // 3 + 1), "oversized"),  # bytes of UTF-8, not characters
        ("\x00\x00", "empty_transcript"),
        (12, "schema_invalid"),
    ],
)
def test_every_source_gives_the_same_answer(transcript: object, reason: str | None) -> None:
    assert _reason(parse_event, _as_event(transcript)) == reason
    assert _reason(parse_request, _as_request(transcript)) == reason
    assert _reason(parse_line, _as_event(transcript)) == reason
    assert _reason(parse_line, _as_request(transcript)) == reason


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"\xff\xfe{}", "not_utf8"),
        (b"{not json", "not_json"),
        (b'{"transcript": NaN}', "not_json"),
        (b'["a list"]', "not_object"),
        (b'{"transcript": "\\ud800 lone"}', "not_utf8"),
    ],
)
def test_bad_bytes_are_refused_alike(value: bytes, reason: str) -> None:
    assert _reason(parse_event, value) == reason
    assert _reason(parse_request, value) == reason
    assert _reason(parse_line, value) == reason


def test_nul_characters_leave_the_transcript_everywhere() -> None:
    text = "Customer: kal\x00 paisa\x00 dunga"
    event = parse_event(_as_event(text), max_transcript_bytes=LIMIT)
    request = parse_request(_as_request(text), max_transcript_bytes=LIMIT)
    line = parse_line(_as_event(text), max_transcript_bytes=LIMIT)
    assert isinstance(line, TranscriptEvent)
    assert event.text() == request.transcript == line.text() == "Customer: kal paisa dunga"
    turns = {
        "event_id": str(uuid.uuid4()),
        "call_id": "c",
        "turns": [{"speaker": "customer", "text": "ha\x00an"}],
    }
    assert parse_event(json.dumps(turns).encode(), max_transcript_bytes=LIMIT).text() == "Customer: haan"


def test_a_nul_in_a_call_id_is_refused_not_stripped() -> None:
    value = json.dumps({"transcript": "Customer: haan", "call_id": "c\x00"}).encode()
    with pytest.raises(InvalidEventError) as refused:
        parse_request(value, max_transcript_bytes=LIMIT)
    assert refused.value.reason == "schema_invalid"
    assert refused.value.errors[0]["loc"] == ("call_id",)


def test_schema_errors_are_kept_for_the_caller() -> None:
    with pytest.raises(InvalidEventError) as refused:
        parse_request(b'{"call_id": ""}', max_transcript_bytes=LIMIT)
    locations = {e["loc"] for e in refused.value.errors}
    assert locations == {("transcript",), ("call_id",)}
    assert "transcript" in str(refused.value)


def test_a_line_without_an_event_id_is_a_request() -> None:
    line = parse_line(b'{"transcript": "Customer: haan", "metadata": {"k": 1}}', max_transcript_bytes=LIMIT)
    assert isinstance(line, AnalyzeCallRequest)
    assert line.call_id is None
    event = event_from_request(line, uuid.UUID(int=7))
    assert (event.call_id, event.metadata, event.text()) == (
        f"http-{uuid.UUID(int=7)}",
        {"k": 1},
        "Customer: haan",
    )
