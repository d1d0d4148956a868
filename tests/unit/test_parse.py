"""parse_event: every record becomes an event or a dead-letter reason, never a crash."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consumer.errors import InvalidEventError
from consumer.events import parse_event

LIMIT = 1000


def _event(**overrides: object) -> bytes:
    body = {"event_id": str(uuid.uuid4()), "call_id": "c-1", "transcript": "Customer: kal pay karunga"}
    body.update(overrides)
    return json.dumps({k: v for k, v in body.items() if v is not None}).encode()


def test_valid_event() -> None:
    event = parse_event(_event(language="hi-en"), max_transcript_bytes=LIMIT)
    assert event.call_id == "c-1"
    assert event.text() == "Customer: kal pay karunga"


def test_turns_only_event_renders_text() -> None:
    turns = [{"speaker": "agent", "text": "EMI kab bharenge?"}, {"speaker": "customer", "text": "Parso."}]
    event = parse_event(_event(transcript=None, turns=turns), max_transcript_bytes=LIMIT)
    assert event.text() == "Agent: EMI kab bharenge?\nCustomer: Parso."


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "not_object"),
        (b"\xff\xfe", "not_utf8"),
        (b"{oops", "not_json"),
        (b"", "not_json"),
        (b'"text"', "not_object"),
        (b"[]", "not_object"),
        (b"{}", "schema_invalid"),
        (_event(event_id="not-a-uuid"), "schema_invalid"),
        (_event(call_id=""), "schema_invalid"),
        (_event(call_id="x" * 129), "schema_invalid"),
        (_event(transcript=None), "schema_invalid"),
        (_event(transcript=None, turns=[]), "schema_invalid"),
        (_event(turns=[{"speaker": "robot", "text": "hi"}], transcript=None), "schema_invalid"),
        (_event(transcript="  \n "), "empty_transcript"),
        (_event(transcript="क" * 400), "oversized"),  # 1200 bytes of UTF-8 > 1000
        (b" " * (5 * LIMIT + 70_000), "oversized"),
        (_event(call_started_at="0001-01-01T00:00:00+14:00"), "schema_invalid"),  # year 0 in UTC
        (_event(transcript="ab\ud800cd"), "not_utf8"),  # a lone surrogate, escaped
        (_event(metadata={"k": "\udfff"}), "not_utf8"),
    ],
)
def test_invalid_records_have_reasons(value: bytes | None, reason: str) -> None:
    with pytest.raises(InvalidEventError) as info:
        parse_event(value, max_transcript_bytes=LIMIT)
    assert info.value.reason == reason
    assert info.value.retriable is False


def test_deeply_nested_json_is_not_a_crash() -> None:
    with pytest.raises(InvalidEventError):
        parse_event(b"[" * 100_000, max_transcript_bytes=10**7)


@given(st.binary(max_size=300))
def test_random_bytes_always_decide(value: bytes) -> None:
    try:
        parse_event(value, max_transcript_bytes=LIMIT)
    except InvalidEventError as exc:
        outcome = exc.reason
    else:
        outcome = "valid"
    assert outcome in {
        "valid",
        "not_utf8",
        "not_json",
        "not_object",
        "schema_invalid",
        "oversized",
        "empty_transcript",
    }


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@given(
    transcript=st.text(),
    call_id=st.text(max_size=140),
    metadata=st.dictionaries(st.text(max_size=8), _JSON_VALUES, max_size=4),
    turns=st.none()
    | st.lists(st.fixed_dictionaries({"speaker": st.sampled_from(["agent", "x"]), "text": st.text()})),
)
def test_any_json_event_decides_and_valid_ones_encode(
    transcript: str, call_id: str, metadata: dict[str, object], turns: list[dict[str, str]] | None
) -> None:
    """Arbitrary text (surrogates included) becomes an event that encodes as UTF-8, or a reason."""
    body = {"event_id": str(uuid.uuid4()), "call_id": call_id, "transcript": transcript, "metadata": metadata}
    if turns is not None:
        body["turns"] = turns
    try:
        event = parse_event(json.dumps(body).encode(), max_transcript_bytes=10_000)
    except InvalidEventError as exc:
        outcome = exc.reason
    else:
        event.model_dump_json().encode("utf-8")
        event.text().encode("utf-8")
        outcome = "valid"
    # not_json: json.dumps writes infinite floats as Infinity, which JSON does not have
    assert outcome in {"valid", "not_utf8", "not_json", "schema_invalid", "oversized", "empty_transcript"}
