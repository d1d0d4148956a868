"""Fuzzing the two doors hostile input comes through: Kafka records (the TranscriptEvent parser) and
POST /analyze_call bodies. Every input gets a decision; nothing crashes and nothing answers 5xx."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumer.errors import InvalidEventError
from consumer.events import parse_event
from schemas import TranscriptEvent
from tests.fakes.pipeline import FakePipeline
from tests.unit.sidecar import sidecar

LIMIT = 2000
REASONS = {"not_utf8", "not_json", "not_object", "schema_invalid", "oversized", "empty_transcript"}

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)

VALID = {
    "schema_version": 1,
    "event_id": "0b8f6c1e-3c1a-4d55-9a43-6f1f1f7b2a10",
    "call_id": "CALL-1",
    "transcript": "Agent: EMI overdue hai.\nCustomer: Wednesday ko pakka.",
    "turns": [{"speaker": "customer", "text": "Wednesday ko pakka.", "start_ms": 0, "end_ms": 900}],
    "language": "hi-en",
    "call_started_at": "2026-11-20T10:30:00+05:30",
    "agent_id": "AG-17",
    "account_ref": "LN-1",
    "metadata": {"campaign": "x"},
}


def decide(value: bytes) -> str:
    """The parser's decision: ``valid`` or the dead-letter reason; checks what each promises."""
    try:
        event = parse_event(value, max_transcript_bytes=LIMIT)
    except InvalidEventError as exc:
        reason = exc.reason
        assert reason in REASONS
        return reason
    assert isinstance(event, TranscriptEvent)
    text = event.text()
    assert text.strip()
    assert len(text.encode("utf-8")) <= LIMIT
    event.model_dump_json().encode("utf-8")  # storable and publishable as it is
    return "valid"


@given(st.binary(max_size=2000))
def test_random_bytes(value: bytes) -> None:
    assert decide(value) == decide(value)


@given(JSON)
def test_random_json(value: Any) -> None:
    decide(json.dumps(value).encode())


@st.composite
def near_valid(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event with a few fields dropped, replaced by random JSON, or added."""
    event: dict[str, Any] = dict(VALID)
    for name in draw(st.lists(st.sampled_from(sorted(VALID)), max_size=4, unique=True)):
        if draw(st.booleans()):
            del event[name]
        else:
            event[name] = draw(JSON)
    event.update(draw(st.dictionaries(st.text(max_size=8), JSON, max_size=3)))
    return event


@given(near_valid())
def test_near_valid_events(event: dict[str, Any]) -> None:
    decide(json.dumps(event).encode())


@given(st.data())
def test_corrupted_valid_records(data: st.DataObject) -> None:
    raw = bytearray(json.dumps(VALID).encode())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        if action == "flip":
            raw[at] = data.draw(st.integers(0, 255))
        elif action == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=4))
        elif len(raw) > 1:
            del raw[at]
    decide(bytes(raw))


def test_event_ids_are_uuids_whatever_the_input() -> None:
    event = parse_event(json.dumps(VALID).encode(), max_transcript_bytes=LIMIT)
    assert isinstance(event.event_id, uuid.UUID)


@pytest.fixture(scope="module")
def http() -> Iterator[tuple[asyncio.AbstractEventLoop, TestClient[web.Request, web.Application]]]:
    """A sidecar with a fake pipeline on a loop of its own, for synchronous hypothesis tests."""
    loop = asyncio.new_event_loop()
    context = sidecar(pipeline=FakePipeline())
    client = loop.run_until_complete(context.__aenter__())
    try:
        yield loop, client
    finally:
        loop.run_until_complete(context.__aexit__(None, None, None))
        loop.close()


def post(
    http: tuple[asyncio.AbstractEventLoop, TestClient[web.Request, web.Application]],
    body: bytes,
    content_type: str = "application/json",
) -> tuple[int, Any]:
    loop, client = http

    async def call() -> tuple[int, Any]:
        resp = await client.post("/analyze_call", data=body, headers={"Content-Type": content_type})
        return resp.status, await resp.json()

    return loop.run_until_complete(call())


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.binary(max_size=3000))
def test_junk_bodies_get_4xx_json(http: Any, body: bytes) -> None:
    status, answer = post(http, body)
    if status != 201:
        assert 400 <= status < 500
        assert isinstance(answer["error"], str)


@FUZZ
@given(JSON)
def test_random_json_bodies_get_201_or_4xx(http: Any, value: Any) -> None:
    status, answer = post(http, json.dumps(value).encode())
    assert status == 201 or 400 <= status < 500
    if status != 201:
        assert isinstance(answer["error"], str)


@FUZZ
@given(
    transcript=st.text(max_size=200) | JSON,
    metadata=JSON,
    call_id=st.text(max_size=140) | JSON,
    content_type=st.sampled_from(["application/json", "text/plain", "application/octet-stream", "x/y"]),
)
def test_near_valid_bodies(
    http: Any, transcript: Any, metadata: Any, call_id: Any, content_type: str
) -> None:
    body = json.dumps({"transcript": transcript, "metadata": metadata, "call_id": call_id}).encode()
    status, answer = post(http, body, content_type)
    assert status == 201 or 400 <= status < 500, answer
    if status == 201:  # the intake drops NULs from a transcript (PostgreSQL text cannot hold them)
        assert answer["raw_transcript"] == transcript.replace("\x00", "")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_standard_numbers_are_refused(http: Any, constant: str) -> None:
    """pydantic accepts NaN and Infinity; PostgreSQL's JSONB does not, so they stop at the door."""
    event = json.dumps({**VALID, "metadata": {"x": 1}}).replace('"x": 1', f'"x": {constant}')
    assert decide(event.encode()) == "not_json"
    status, answer = post(http, f'{{"transcript": "hi", "metadata": {{"x": {constant}}}}}'.encode())
    assert (status, answer["error"]) == (400, "invalid_json")


def test_nul_leaves_the_transcript_at_the_door(http: Any) -> None:
    status, answer = post(http, json.dumps({"transcript": "0\x00 kal dunga\x00"}).encode())
    assert (status, answer["raw_transcript"]) == (201, "0 kal dunga")


def test_nan_inside_text_is_fine(http: Any) -> None:
    assert decide(json.dumps({**VALID, "transcript": "NaN Infinity"}).encode()) == "valid"
    assert post(http, b'{"transcript": "NaN Infinity"}')[0] == 201


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"transcript": "ab\\ud800cd"}', 400),  # a lone surrogate: PostgreSQL cannot store it
        (b'{"transcript": "ok", "metadata": {"k\\udfff": 1}}', 400),
        (b'{"transcript": "ok", "call_id": "a\\u0000b"}', 422),  # NUL: no text column takes it
    ],
)
def test_text_the_database_cannot_store_is_refused(http: Any, body: bytes, status: int) -> None:
    assert post(http, body)[0] == status


def test_nul_in_call_id_is_dead_lettered() -> None:
    assert decide(json.dumps({**VALID, "call_id": "a\x00b"}).encode()) == "schema_invalid"
