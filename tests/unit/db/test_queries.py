"""The read API's pure parts: cursors, SQL building, parameter models, statistics folding."""

from __future__ import annotations

import base64
import json
import logging
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from consumer.db import queries
from consumer.db.insights import call_fields
from consumer.db.queries import (
    MAX_BUCKETS,
    InvalidCursorError,
    Position,
    StatsWindow,
    WindowTooLongError,
    calls_sql,
    dead_letters_sql,
    decode_cursor,
    encode_cursor,
    llm_usage,
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
    llm = llm_usage([_usage_row(None, 2, 0.5, 2), _usage_row("gemini-2.5-flash", 2, 0.5, 2)])
    stats = summarize(window, series, totals, dead=4, llm=llm)
    assert stats.total == 6
    assert stats.sentiment[Sentiment.NEGATIVE] == 3
    assert stats.action_required == {"true": 4, "false": 2}
    assert stats.dead_letters == 4
    assert stats.promised_amount_inr == 9000
    dumped = json.loads(stats.model_dump_json())
    assert dumped["sentiment"] == {"Positive": 2, "Neutral": 1, "Negative": 3}
    assert dumped["llm"]["calls"] == 2
    assert dumped["llm"]["estimated_cost_usd"] == 0.5
    assert [m["model"] for m in dumped["llm"]["by_model"]] == ["gemini-2.5-flash"]


def test_offsets_other_than_utc_are_normalised() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    query = StatsQuery(since=datetime(2026, 11, 20, 5, 30, tzinfo=ist))
    assert query.since == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def _record_row(provider: str | None, model: str | None, usage: str | None) -> dict[str, Any]:
    """A call_records row as the /calls query selects it (asyncpg hands JSONB over as text)."""
    return {
        "id": 7,
        "unique_id": str(uuid.uuid4()),
        "event_id": uuid.uuid4(),
        "call_id": "c-1",
        "intent": "Will pay",
        "intent_category": "promise_to_pay",
        "sentiment": "Positive",
        "action_required": True,
        "summary": "Promised to pay.",
        "insight": None,
        "analyzer_provider": provider,
        "analyzer_model": model,
        "analyzer_usage": usage,
        "source": "kafka",
        "call_started_at": None,
        "created_at": NOW,
    }


def test_call_fields_carry_the_llm_usage_and_cost() -> None:
    usage = {
        "prompt_tokens": 1200,
        "cached_tokens": 1000,
        "thought_tokens": 80,
        "output_tokens": 150,
        "requests": 2,
        "estimated_cost_usd": 0.00042,
    }
    analyzer = call_fields(_record_row("gemini", "gemini-2.5-flash", json.dumps(usage)))["analyzer"]
    assert analyzer.provider == "gemini"
    assert analyzer.model == "gemini-2.5-flash"
    assert analyzer.usage is not None
    assert analyzer.usage.model_dump() == {k: v for k, v in usage.items() if k != "estimated_cost_usd"}
    assert analyzer.estimated_cost_usd == 0.00042

    unpriced = {**usage, "estimated_cost_usd": None}
    analyzer = call_fields(_record_row("gemini", "gemini-x", json.dumps(unpriced)))["analyzer"]
    assert analyzer.usage is not None
    assert analyzer.estimated_cost_usd is None


def test_offline_and_original_rows_have_no_usage() -> None:
    offline = call_fields(_record_row("offline", "rules-v3", None))["analyzer"]
    assert offline.model_dump() == {
        "provider": "offline",
        "model": "rules-v3",
        "usage": None,
        "estimated_cost_usd": None,
    }
    assert call_fields(_record_row(None, None, None))["analyzer"] is None


@pytest.mark.parametrize(
    "usage",
    [
        "not json",
        "[1, 2]",
        json.dumps({"prompt_tokens": -5}),
        json.dumps({"prompt_tokens": "many"}),
        json.dumps({"prompt_tokens": 1, "estimated_cost_usd": -1}),
        json.dumps({"prompt_tokens": 1, "estimated_cost_usd": "a lot"}),
    ],
)
def test_odd_stored_usage_is_left_out_not_a_500(usage: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="consumer.db.insights"):
        analyzer = call_fields(_record_row("gemini", "gemini-2.5-flash", usage))["analyzer"]
    assert analyzer.model_dump() == {
        "provider": "gemini",
        "model": "gemini-2.5-flash",
        "usage": None,
        "estimated_cost_usd": None,
    }
    assert "record 7" in caplog.text


def test_llm_usage_is_read_from_the_selected_column() -> None:
    sql, _ = calls_sql(CallsQuery(), None)
    assert "analyzer_usage" in sql
    assert "analyzer_usage" in queries._SELECT_RECORD


def test_llm_stats_query_is_one_pass_over_the_window() -> None:
    sql = queries._STATS_LLM
    assert _placeholders(sql) == [1, 2]
    # the same index-friendly range as the other window totals
    assert "WHERE created_at >= $1 AND created_at < $2 AND analyzer_usage IS NOT NULL" in sql
    assert "GROUP BY GROUPING SETS ((model), ())" in sql
    for field in ("requests", "prompt_tokens", "cached_tokens", "thought_tokens", "output_tokens"):
        assert f"jsonb_typeof(analyzer_usage->'{field}') = 'number'" in sql


def _usage_row(
    model: str | None, calls: int, cost: float | None, priced: int, scale: int = 1
) -> dict[str, Any]:
    return {
        "total": model is None,
        "model": model,
        "calls": calls,
        "requests": calls + scale,
        "prompt_tokens": 1000 * scale,
        "cached_tokens": 400 * scale,
        "thought_tokens": 30 * scale,
        "output_tokens": 200 * scale,
        "estimated_cost_usd": cost,
        "priced_calls": priced,
    }


def test_llm_usage_folds_the_total_and_per_model_rows() -> None:
    rows = [
        _usage_row(None, 5, 0.0125, 4, scale=3),
        _usage_row("gemini-2.5-pro", 1, 0.01, 1),
        _usage_row("gemini-2.5-flash", 3, 0.0025, 3),
        _usage_row("gemini-next", 1, None, 0),
    ]
    llm = llm_usage(rows)
    assert llm.calls == 5
    assert llm.requests == 8
    assert llm.prompt_tokens == 3000
    assert llm.cached_tokens == 1200
    assert llm.thought_tokens == 90
    assert llm.output_tokens == 600
    assert llm.estimated_cost_usd == 0.0125
    assert llm.priced_calls == 4
    assert [m.model for m in llm.by_model] == ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-next"]
    assert llm.by_model[2].estimated_cost_usd is None
    assert llm.by_model[1].calls == 3
    dumped = json.loads(llm.model_dump_json())
    assert set(dumped) == {
        "calls",
        "requests",
        "prompt_tokens",
        "cached_tokens",
        "thought_tokens",
        "output_tokens",
        "estimated_cost_usd",
        "priced_calls",
        "by_model",
    }
    assert set(dumped["by_model"][0]) == set(dumped) - {"by_model"} | {"model"}


def test_no_llm_usage_reads_as_zeros_and_no_cost() -> None:
    empty_window = [_usage_row(None, 0, None, 0, scale=0)]  # what the query answers for no usage rows
    for rows in (empty_window, []):
        llm = llm_usage(rows)
        assert llm.calls == 0
        assert llm.prompt_tokens == llm.cached_tokens == llm.thought_tokens == llm.output_tokens == 0
        assert llm.estimated_cost_usd is None
        assert llm.by_model == []
    window = StatsWindow(since=NOW - timedelta(hours=1), until=NOW, bucket="hour", tz="UTC")
    totals = dict.fromkeys(
        ("promises_to_pay", "promised_amount_inr", "distress", "compliance_high", "needs_review"), 0
    )
    stats = json.loads(summarize(window, [], totals, dead=0).model_dump_json())
    assert stats["llm"]["calls"] == 0
    assert stats["llm"]["estimated_cost_usd"] is None
    assert stats["llm"]["by_model"] == []
