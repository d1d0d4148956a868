"""The pure parts of ``tail`` and ``replay-dlq``: filters, blocks, the replay decision."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from consumer.http.asyncapi import build_asyncapi
from producer_tools.pretty import (
    InsightFilter,
    Painter,
    dead_letter_json,
    format_dead_letter,
    format_insight,
    inr,
)
from producer_tools.replay import Selection, parse_since
from schemas.dead_letter import ReplayHeaders, header_text

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def example_insight() -> dict[str, Any]:
    message = build_asyncapi()["components"]["messages"]["InsightEvent"]
    payload: dict[str, Any] = message["examples"][0]["payload"]
    return payload


def example_dead_letter() -> dict[str, str]:
    headers: dict[str, str] = build_asyncapi()["components"]["messages"]["DeadLetter"]["examples"][0][
        "headers"
    ]
    return headers


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "₹0"),
        (999, "₹999"),
        (5000, "₹5,000"),
        (150000, "₹1,50,000"),
        (12345678, "₹1,23,45,678"),
        (-5000, "-₹5,000"),
    ],
)
def test_inr_groups_digits_the_indian_way(amount: int, text: str) -> None:
    assert inr(amount) == text


def test_filter() -> None:
    event = example_insight()  # promise_to_pay, Positive, action required, priority normal
    assert InsightFilter().accepts(event)
    assert InsightFilter(sentiments=frozenset({"Positive", "Neutral"})).accepts(event)
    assert not InsightFilter(sentiments=frozenset({"Negative"})).accepts(event)
    assert not InsightFilter(intents=frozenset({"dispute"})).accepts(event)
    assert InsightFilter(intents=frozenset({"dispute", "promise_to_pay"}), action_required=True).accepts(
        event
    )
    assert not InsightFilter(action_required=True).accepts({**event, "action_required": False})
    assert not InsightFilter(priorities=frozenset({"high"})).accepts(event)


def test_insight_block_plain_and_coloured() -> None:
    event = example_insight()
    event["distress"] = {"kinds": ["job_loss"], "quote": "naukri chali gayi"}
    event["compliance_flags"] = [
        {"rule": "abusive_language", "severity": "high", "quote": "", "speaker": "agent"}
    ]
    plain = format_insight(event, Painter(enabled=False))
    lines = plain.splitlines()
    assert len(lines) == 4
    assert lines[0] == f"● 05:01:02 {event['call_id']} · promise_to_pay · Positive · ACTION · priority normal"
    assert lines[1] == '  PTP ₹5,000 due 2026-11-18 ("Wednesday")'
    assert lines[2] == "  flags: distress: job_loss · abusive_language/high"
    assert lines[3] == f"  {event['summary']}"
    assert "\033[" not in plain
    coloured = format_insight(event, Painter(enabled=True))
    assert "\033[32mPositive\033[0m" in coloured
    quiet = format_insight(
        {**event, "promise_to_pay": None, "distress": None, "compliance_flags": []}, Painter(enabled=False)
    )
    assert len(quiet.splitlines()) == 2


def test_dead_letter_block_and_json() -> None:
    headers = example_dead_letter()
    block = format_dead_letter(headers, b"call-9", b"\xff\xfe", Painter(enabled=False))
    assert block.splitlines()[0] == (
        "✗ DEAD LETTER schema_invalid · from telephony.transcripts[2]@1187 · attempts 1 · "
        "2026-11-16T05:01:03Z"
    )
    assert "not UTF-8" in block
    line = json.loads(dead_letter_json("dlq", 1, 7, headers.items(), b"call-9", b"\xff\xfe"))
    assert line["headers"] == headers
    assert line["value"] is None
    assert base64.b64decode(line["value_base64"]) == b"\xff\xfe"
    assert json.loads(dead_letter_json("dlq", 1, 7, [], None, b"{}"))["value"] == "{}"


def test_parse_since() -> None:
    assert parse_since("6h", NOW) == NOW - timedelta(hours=6)
    assert parse_since("90m", NOW) == NOW - timedelta(minutes=90)
    assert parse_since("2d", NOW) == NOW - timedelta(days=2)
    assert parse_since("2026-11-19", NOW) == datetime(2026, 11, 19, tzinfo=UTC)
    assert parse_since("2026-11-19T10:00:00+05:30", NOW) == datetime(2026, 11, 19, 4, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="Invalid isoformat"):
        parse_since("yesterday", NOW)


def test_selection_decides_per_letter() -> None:
    headers = example_dead_letter()  # schema_invalid, failed 2026-11-16T05:01:03Z, from telephony.transcripts
    stamp = 0
    assert Selection().decide(headers, stamp) == ("replay", "telephony.transcripts")
    assert Selection(to="elsewhere").decide(headers, stamp) == ("replay", "elsewhere")
    assert Selection(reasons=frozenset({"llm_error"})).decide(headers, stamp) == ("skip_reason", None)
    assert Selection(reasons=frozenset({"schema_invalid"})).decide(headers, stamp)[0] == "replay"
    after = datetime(2026, 11, 16, 6, tzinfo=UTC)
    assert Selection(since=after).decide(headers, stamp) == ("skip_older", None)
    assert Selection(since=after - timedelta(hours=2)).decide(headers, stamp)[0] == "replay"
    assert Selection().decide({}, stamp) == ("unroutable", None)
    no_stamp = {k: v for k, v in headers.items() if k != "x-dlq-failed-at"}
    record_time = int(after.timestamp() * 1000)  # falls back to the record's timestamp
    assert Selection(since=after).decide(no_stamp, record_time)[0] == "replay"


def test_replay_headers_round_trip() -> None:
    stamp = ReplayHeaders(replayed_from="dlq:2:17", replayed_at=NOW)
    as_text = header_text(stamp.to_kafka())
    assert as_text == {"x-dlq-replayed-from": "dlq:2:17", "x-dlq-replayed-at": "2026-11-20T12:00:00Z"}
    assert ReplayHeaders.model_validate(as_text) == stamp
