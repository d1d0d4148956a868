"""The read API's pure parts: cursors, SQL building, parameter models, statistics folding."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from consumer.queries import (
    MAX_BUCKETS,
    InvalidCursorError,
    Position,
    StatsWindow,
    WindowTooLongError,
    calls_sql,
    dead_letters_sql,
    decode_cursor,
    encode_cursor,
    series_buckets,
    severity_path,
    stats_window,
    summarize,
)
from schemas import IntentCategory, Sentiment, Severity
from schemas.query import CallsQuery, DeadLettersQuery, StatsQuery

NOW = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)


@given(
    at=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)),
    row_id=st.integers(min_value=0, max_value=2**63 - 1),
)
def test_cursor_round_trip(at: datetime, row_id: int) -> None:
    cursor = encode_cursor(Position(at=at, id=row_id))
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    assert decode_cursor(cursor) == Position(at=at, id=row_id)


def _b64(obj: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "!!!!",
        _b64({"a": 1}),
        _b64(["2026-11-20T10:00:00+00:00"]),
        _b64(["2026-11-20T10:00:00", 5]),  # no offset
        _b64(["2026-11-20T10:00:00+00:00", -1]),
        _b64(["2026-11-20T10:00:00+00:00", True]),
        _b64(["2026-11-20T10:00:00+00:00", 1.5]),
        _b64(["2026-11-20T10:00:00+00:00", 2**63]),
        _b64(["yesterday", 5]),
        _b64([5, 5]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_foreign_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursorError):
        decode_cursor(cursor)


@given(st.text(max_size=60))
def test_any_text_decodes_or_is_refused_cleanly(text: str) -> None:
    try:
        position = decode_cursor(text)
    except InvalidCursorError:
        return
    assert position.at.tzinfo is not None
    assert position.id >= 0


def _placeholders(sql: str) -> list[int]:
    return sorted({int(n) for n in re.findall(r"\$(\d+)", sql)})


def test_no_filter_lists_everything_newest_first() -> None:
    sql, args = calls_sql(CallsQuery(), None)
    assert "WHERE" not in sql
    assert "ORDER BY created_at DESC, id DESC" in sql
    assert args == [51]  # one row more than the default page, to tell whether more follow


def test_every_filter_travels_as_a_parameter() -> None:
    hostile = "x' OR '1'='1"
    query = CallsQuery.model_validate(
        {
            "sentiment": "Negative",
            "action_required": "true",
            "intent_category": "dispute",
            "priority": "high",
            "contact_status": "right_party",
            "call_id": hostile,
            "has_promise": "false",
            "has_distress": "true",
            "compliance_rule": "threat_or_intimidation",
            "compliance_severity": "medium",
            "needs_review": "false",
            "since": "2026-11-01T00:00:00Z",
            "until": "2026-11-02T00:00:00Z",
            "limit": "7",
        }
    )
    after = Position(at=NOW, id=42)
    sql, args = calls_sql(query, after)
    assert hostile not in sql
    assert _placeholders(sql) == list(range(1, len(args) + 1))
    assert hostile in args
    assert args[-1] == 8
    assert {"Negative", "dispute", "high", "right_party", "threat_or_intimidation", True, False} <= set(args)
    assert NOW in args
    assert 42 in args
    assert "NOT COALESCE(jsonb_typeof(insight->'promise_to_pay') = 'object', FALSE)" in sql
    assert "distress <> '{}'" in sql
    assert "(created_at, id) <" in sql


def test_dead_letter_filters() -> None:
    sql, args = dead_letters_sql(DeadLettersQuery(reason="not_json", limit=3), Position(at=NOW, id=9))
    assert _placeholders(sql) == [1, 2, 3, 4]
    assert args == ["not_json", NOW, 9, 4]
    assert "ORDER BY failed_at DESC, id DESC" in sql


def test_severity_path_includes_the_more_severe() -> None:
    assert '"low"' in severity_path(Severity.LOW)
    assert '"high"' in severity_path(Severity.LOW)
    medium = severity_path(Severity.MEDIUM)
    assert '"medium"' in medium
    assert '"high"' in medium
    assert '"low"' not in medium
    assert severity_path(Severity.HIGH) == '$.compliance_flags[*] ? (@.severity == "high")'


def test_timestamps_are_read_as_utc_and_unencoded_plus_is_restored() -> None:
    query = CallsQuery.model_validate({"since": "2026-11-20T10:00:00 05:30", "until": "2026-11-21"})
    assert query.since == datetime(2026, 11, 20, 4, 30, tzinfo=UTC)
    assert query.until == datetime(2026, 11, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"sentiment": "happy"}, "sentiment"),
        ({"intent_category": "promise"}, "intent_category"),
        ({"action_required": "maybe"}, "action_required"),
        ({"since": "last tuesday"}, "since"),
        ({"since": "2026-11-02T00:00:00Z", "until": "2026-11-01T00:00:00Z"}, "until"),
        ({"since": "0001-01-01T00:00:00+05:00"}, "since"),
        ({"cursor": ""}, "cursor"),
        ({"call_id": "x" * 129}, "call_id"),
        ({"sentimnet": "Positive"}, "sentimnet"),
    ],
)
def test_bad_call_parameters_name_themselves(params: dict[str, str], parameter: str) -> None:
    with pytest.raises(ValidationError) as info:
        CallsQuery.model_validate(params)
    assert [e["loc"][0] for e in info.value.errors()] == [parameter]


def test_limit_defaults_to_50_and_caps_at_500() -> None:
    assert CallsQuery().limit == 50
    assert CallsQuery(limit=500).limit == 500


def test_stats_window_defaults_to_the_last_day_hourly() -> None:
    window = stats_window(StatsQuery(), NOW)
    assert window == StatsWindow(since=NOW - timedelta(hours=24), until=NOW, bucket="hour", tz="UTC")


def test_stats_window_picks_daily_buckets_for_long_windows() -> None:
    window = stats_window(StatsQuery(since=NOW - timedelta(days=10)), NOW)
    assert window.bucket == "day"
    assert stats_window(StatsQuery(since=NOW - timedelta(days=3)), NOW).bucket == "hour"


def test_stats_window_refuses_too_many_buckets() -> None:
    hours = MAX_BUCKETS + 5
    with pytest.raises(WindowTooLongError):
        stats_window(StatsQuery(since=NOW - timedelta(hours=hours), bucket="hour"), NOW)
    assert stats_window(StatsQuery(since=NOW - timedelta(hours=hours), bucket="day"), NOW).bucket == "day"


def test_stats_time_zone_must_exist() -> None:
    assert StatsQuery(tz="Asia/Kolkata").tz == "Asia/Kolkata"
    with pytest.raises(ValidationError) as info:
        StatsQuery(tz="Mars/Olympus")
    assert info.value.errors()[0]["loc"] == ("tz",)


def _row(
    start: datetime, sentiment: str | None, intent: str | None, action: bool | None, n: int
) -> dict[str, Any]:
    return {
        "start": start,
        "sentiment": sentiment,
        "intent_category": intent,
        "action_required": action,
        "n": n,
    }


def test_series_folds_rows_into_zero_filled_buckets() -> None:
    t0 = datetime(2026, 11, 20, 10, tzinfo=UTC)
    t1 = t0 + timedelta(hours=1)
    t2 = t1 + timedelta(hours=1)
    rows = [
        _row(t0, "Positive", "promise_to_pay", False, 2),
        _row(t0, "Negative", "dispute", True, 3),
        _row(t1, None, None, None, 0),  # an hour with no calls
        _row(t2, None, "other", True, 1),  # a row of the original app: no sentiment
    ]
    series = series_buckets(rows)
    assert [b.start for b in series] == [t0, t1, t2]
    first, empty, last = series
    assert first.total == 5
    assert first.sentiment == {Sentiment.POSITIVE: 2, Sentiment.NEUTRAL: 0, Sentiment.NEGATIVE: 3}
    assert first.intent_category[IntentCategory.DISPUTE] == 3
    assert first.action_required == 3
    assert empty.total == 0
    assert set(empty.intent_category) == set(IntentCategory)
    assert not any(empty.intent_category.values())
    assert last.sentiment[Sentiment.NEUTRAL] == 1

    window = StatsWindow(since=t0, until=t2 + timedelta(hours=1), bucket="hour", tz="UTC")
    totals = {
        "promises_to_pay": 2,
        "promised_amount_inr": 9000,
        "distress": 1,
        "compliance_high": 0,
        "needs_review": 0,
    }
    stats = summarize(window, series, totals, dead=4)
    assert stats.total == 6
    assert stats.sentiment[Sentiment.NEGATIVE] == 3
    assert stats.action_required == {"true": 4, "false": 2}
    assert stats.dead_letters == 4
    assert stats.promised_amount_inr == 9000
    dumped = json.loads(stats.model_dump_json())
    assert dumped["sentiment"] == {"Positive": 2, "Neutral": 1, "Negative": 3}


def test_offsets_other_than_utc_are_normalised() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    query = StatsQuery(since=datetime(2026, 11, 20, 5, 30, tzinfo=ist))
    assert query.since == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
