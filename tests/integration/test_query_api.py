"""The read API on the real broker and database: keyset pages, filters, statistics, dead letters."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg
import pytest

from consumer.db.queries import _STATS_LLM
from producer_tools.databases import scratch_database
from producer_tools.samples import load_rows, to_event
from schemas import AnalyzerInfo, TokenUsage
from tests.conftest import Stack, fresh_topics, unused_port
from tests.integration.helpers import (
    consume,
    make_settings,
    publish,
    publish_events,
    running_service,
    store_history,
)

pytestmark = pytest.mark.integration

HISTORY_START = datetime(2001, 3, 4, 6, tzinfo=UTC)
HISTORY = {"since": "2001-01-01T00:00:00Z", "until": "2002-01-01T00:00:00Z"}
OUTPUT_TOPIC = "unused.insights"


@dataclass
class Api:
    """The running service, its database and what was fed to it."""

    base: str
    dsn: str
    bootstrap: str
    dlq_topic: str
    live_events: list[dict[str, Any]]
    history: Callable[[list[datetime]], Any]


async def get(http: aiohttp.ClientSession, url: str, **params: Any) -> tuple[int, Any]:
    async with http.get(url, params={k: str(v) for k, v in params.items()}) as resp:
        return resp.status, await resp.json()


@pytest.fixture(scope="module")
async def api(stack: Stack) -> AsyncIterator[Api]:
    """One service on a database of its own, with 16 historic records (2001) and a few live ones."""
    samples = load_rows()
    picks = [samples[i] for i in range(0, 160, 10)]
    async with scratch_database(stack.admin_dsn, "insights_query") as dsn:
        topics = fresh_topics()
        settings = make_settings(stack, topics, unused_port(), database_url=dsn)
        async with running_service(settings) as base:
            times = [HISTORY_START + timedelta(hours=7 * i) for i in range(len(picks))]
            times[5] = times[4]  # two records stored in the same microsecond: the id breaks the tie
            await store_history(dsn, picks, times, output_topic=OUTPUT_TOPIC)

            live = [to_event(samples[i]) for i in (7, 40, 119, 147)]
            await publish_events(stack.bootstrap, settings.kafka_input_topic, live)
            await publish(
                stack.bootstrap,
                settings.kafka_input_topic,
                [b"not json at all", json.dumps({"call_id": "no-event-id"}).encode()],
                [b"broken-1", b"broken-2"],
            )
            async with aiohttp.ClientSession() as http:
                deadline = asyncio.get_running_loop().time() + 60
                while True:
                    _, calls = await get(http, f"{base}/calls", since="2020-01-01T00:00:00Z")
                    _, dead = await get(http, f"{base}/dead_letters")
                    if len(calls["items"]) >= len(live) and len(dead["items"]) >= 2:
                        break
                    assert asyncio.get_running_loop().time() < deadline, (calls, dead)
                    await asyncio.sleep(0.3)

            def history(at: list[datetime]) -> Any:
                return store_history(dsn, [samples[1] for _ in at], at, output_topic=OUTPUT_TOPIC)

            yield Api(
                base=base,
                dsn=dsn,
                bootstrap=stack.bootstrap,
                dlq_topic=settings.kafka_dlq_topic,
                live_events=live,
                history=history,
            )


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _order_key(item: dict[str, Any]) -> tuple[datetime, int]:
    return datetime.fromisoformat(item["created_at"]), item["id"]


async def all_history(http: aiohttp.ClientSession, api: Api, **filters: Any) -> list[dict[str, Any]]:
    status, body = await get(http, f"{api.base}/calls", limit=500, **HISTORY, **filters)
    assert status == 200, body
    assert body["next_cursor"] is None
    items: list[dict[str, Any]] = body["items"]
    return items


async def test_pages_walk_every_record_once_while_new_ones_arrive(
    api: Api, http: aiohttp.ClientSession
) -> None:
    before = await all_history(http, api)
    assert len(before) >= 16
    keys = [_order_key(i) for i in before]
    assert keys == sorted(keys, reverse=True), "newest first, ties broken by id"
    assert len(set(keys)) == len(keys)

    seen: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, **HISTORY}
        if cursor:
            params["cursor"] = cursor
        status, page = await get(http, f"{api.base}/calls", **params)
        assert status == 200, page
        assert len(page["items"]) <= 3
        seen.extend(page["items"])
        pages += 1
        if pages == 1:  # newer records arrive while the client pages: they must not shift the pages
            await api.history([HISTORY_START + timedelta(days=200), HISTORY_START + timedelta(days=201)])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [i["id"] for i in seen]
    assert len(ids) == len(set(ids)), "a record was listed twice"
    assert ids == [i["id"] for i in before], "pages skipped or reordered records"
    assert pages == -(-len(before) // 3)


async def test_filters_select_exactly_the_matching_records(api: Api, http: aiohttp.ClientSession) -> None:
    everything = await all_history(http, api)

    def has_promise(i: dict[str, Any]) -> bool:
        return i["promise_to_pay"] is not None

    def flagged(severity: str) -> Callable[[dict[str, Any]], bool]:
        order = ["low", "medium", "high"]
        return lambda i: any(
            order.index(f["severity"]) >= order.index(severity) for f in i["compliance_flags"]
        )

    some = everything[3]
    cases: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
        ({"sentiment": "Negative"}, lambda i: i["sentiment"] == "Negative"),
        ({"sentiment": "Positive"}, lambda i: i["sentiment"] == "Positive"),
        ({"action_required": "true"}, lambda i: i["action_required"]),
        ({"action_required": "false"}, lambda i: not i["action_required"]),
        ({"intent_category": "promise_to_pay"}, lambda i: i["intent_category"] == "promise_to_pay"),
        ({"priority": "high"}, lambda i: i["priority"] == "high"),
        ({"contact_status": "right_party"}, lambda i: i["contact_status"] == "right_party"),
        ({"has_promise": "true"}, has_promise),
        ({"has_promise": "false"}, lambda i: not has_promise(i)),
        ({"has_distress": "true"}, lambda i: i["distress"] is not None),
        ({"compliance_severity": "high"}, flagged("high")),
        ({"compliance_severity": "medium"}, flagged("medium")),
        (
            {"compliance_rule": "no_identification"},
            lambda i: any(f["rule"] == "no_identification" for f in i["compliance_flags"]),
        ),
        ({"call_id": some["call_id"]}, lambda i: i["call_id"] == some["call_id"]),
        (
            {"sentiment": "Negative", "action_required": "true"},
            lambda i: i["sentiment"] == "Negative" and i["action_required"],
        ),
        (
            {"since": some["created_at"]},
            lambda i: datetime.fromisoformat(i["created_at"]) >= datetime.fromisoformat(some["created_at"]),
        ),
    ]
    selective = 0
    for params, matches in cases:
        merged = {**HISTORY, **params}
        status, body = await get(http, f"{api.base}/calls", limit=500, **merged)
        assert status == 200, (params, body)
        expected = [i["id"] for i in everything if matches(i)]
        assert [i["id"] for i in body["items"]] == expected, params
        selective += 0 < len(expected) < len(everything)
    assert selective >= 12, "the fixture data should exercise the filters"


async def test_list_items_leave_out_the_transcript_the_record_has_it(
    api: Api, http: aiohttp.ClientSession
) -> None:
    items = await all_history(http, api)
    assert all("raw_transcript" not in i and "transcript" not in i and "metadata" not in i for i in items)
    item = items[0]
    fields = {"id", "unique_id", "event_id", "call_id", "customer_intent", "intent_category", "sentiment",
              "action_required", "summary", "created_at", "priority", "compliance_flags",
              "promise_to_pay"}  # fmt: skip
    assert fields <= set(item)
    status, record = await get(http, f"{api.base}/calls/{item['unique_id']}")
    assert status == 200
    assert record["raw_transcript"].strip()
    assert {k: v for k, v in record.items() if k in item} == item
    status, upper = await get(http, f"{api.base}/calls/{item['unique_id'].upper()}")
    assert status == 200
    assert upper["id"] == item["id"]


async def test_stats_count_what_the_list_shows(api: Api, http: aiohttp.ClientSession) -> None:
    since, until = "2001-03-01T00:00:00Z", "2001-03-15T00:00:00Z"
    window = [
        i
        for i in await all_history(http, api)
        if datetime.fromisoformat(since) <= _order_key(i)[0] < datetime.fromisoformat(until)
    ]
    assert window
    status, stats = await get(http, f"{api.base}/stats", since=since, until=until, bucket="day")
    assert status == 200, stats
    assert stats["total"] == len(window)
    for sentiment in ("Positive", "Neutral", "Negative"):
        assert stats["sentiment"][sentiment] == sum(i["sentiment"] == sentiment for i in window)
    assert stats["intent_category"]["promise_to_pay"] == sum(
        i["intent_category"] == "promise_to_pay" for i in window
    )
    assert stats["action_required"]["true"] == sum(i["action_required"] for i in window)
    assert stats["promises_to_pay"] == sum(i["promise_to_pay"] is not None for i in window)
    assert stats["promised_amount_inr"] == sum(
        (i["promise_to_pay"] or {}).get("amount_inr") or 0 for i in window
    )
    assert stats["distress"] == sum(i["distress"] is not None for i in window)
    assert stats["dead_letters"] == 0
    series = stats["series"]
    assert len(series) == 14
    assert series[0]["start"] == "2001-03-01T00:00:00Z"
    assert sum(b["total"] for b in series) == stats["total"]
    per_day = {b["start"][:10]: b["total"] for b in series}
    for item in window:
        assert per_day[item["created_at"][:10]] > 0

    status, india = await get(
        http, f"{api.base}/stats", since=since, until=until, bucket="day", tz="Asia/Kolkata"
    )
    assert status == 200
    assert india["total"] == stats["total"]
    assert india["series"][0]["start"] == "2001-02-28T18:30:00Z"  # midnight in India

    status, hourly = await get(http, f"{api.base}/stats", since=since, until="2001-03-02T00:00:00Z")
    assert status == 200
    assert hourly["bucket"] == "hour"
    assert len(hourly["series"]) == 24


async def test_live_events_and_dead_letters_are_listed(api: Api, http: aiohttp.ClientSession) -> None:
    for event in api.live_events:
        status, body = await get(http, f"{api.base}/calls", call_id=event["call_id"])
        assert status == 200
        assert [i["event_id"] for i in body["items"]] == [event["event_id"]]

    status, first = await get(http, f"{api.base}/dead_letters", limit=1)
    assert status == 200
    assert len(first["items"]) == 1
    assert first["next_cursor"]
    status, second = await get(http, f"{api.base}/dead_letters", limit=1, cursor=first["next_cursor"])
    assert status == 200
    letters = first["items"] + second["items"]
    assert {d["key"] for d in letters} == {"broken-1", "broken-2"}
    assert second["next_cursor"] is None
    by_key = {d["key"]: d for d in letters}
    status, not_json = await get(http, f"{api.base}/dead_letters", reason=by_key["broken-1"]["reason"])
    assert [d["key"] for d in not_json["items"]] == ["broken-1"]

    dlq = await consume(api.bootstrap, api.dlq_topic, expect=2)
    by_origin = {
        (
            dict(r.headers)["x-dlq-original-partition"].decode(),
            dict(r.headers)["x-dlq-original-offset"].decode(),
        ): r
        for r in dlq
    }
    for letter in letters:
        record = by_origin[(str(letter["original_partition"]), str(letter["original_offset"]))]
        assert dict(record.headers)["x-dlq-reason"].decode() == letter["reason"]
        assert record.key.decode() == letter["key"]

    conn = await asyncpg.connect(api.dsn)
    try:
        rows = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $1", "dead_letters"
        )
        columns = {r["column_name"] for r in rows}
        stored = await conn.fetch("SELECT * FROM dead_letters")
    finally:
        await conn.close()
    assert "value" not in columns
    assert all("not json at all" not in json.dumps(dict(r), default=str) for r in stored), (
        "the value was kept"
    )


USAGE_START = datetime(2003, 5, 1, 9, tzinfo=UTC)


def _gemini(model: str, cost: float | None, **tokens: int) -> AnalyzerInfo:
    return AnalyzerInfo(provider="gemini", model=model, usage=TokenUsage(**tokens), estimated_cost_usd=cost)


async def test_stats_and_records_show_the_llm_usage_of_the_window(
    api: Api, http: aiohttp.ClientSession
) -> None:
    samples = load_rows()
    analyzers = [
        _gemini("gemini-2.5-flash", 0.0004, prompt_tokens=1000, cached_tokens=600, thought_tokens=50,
                output_tokens=120, requests=1),
        _gemini("gemini-2.5-flash", 0.0011, prompt_tokens=2000, cached_tokens=0, thought_tokens=0,
                output_tokens=300, requests=2),
        _gemini("gemini-2.5-pro", 0.021, prompt_tokens=5000, cached_tokens=4000, thought_tokens=900,
                output_tokens=400, requests=1),
        _gemini("gemini-next", None, prompt_tokens=700, cached_tokens=0, thought_tokens=10,
                output_tokens=90, requests=1),  # a model without a price
        AnalyzerInfo(provider="offline", model="rules"),
        _gemini("gemini-2.5-pro", 9.0, prompt_tokens=99999, output_tokens=9999),  # just before the window
    ]  # fmt: skip
    times = [USAGE_START + timedelta(minutes=10 * i) for i in range(5)] + [USAGE_START - timedelta(seconds=1)]
    stored = await store_history(
        api.dsn, [samples[i] for i in range(20, 26)], times, analyzers, output_topic=OUTPUT_TOPIC
    )
    assert len(stored) == len(analyzers)
    window = {"since": USAGE_START.isoformat(), "until": (USAGE_START + timedelta(days=1)).isoformat()}

    status, stats = await get(http, f"{api.base}/stats", **window)
    assert status == 200, stats
    assert stats["total"] == 5
    llm = stats["llm"]
    assert {k: v for k, v in llm.items() if k not in ("by_model", "estimated_cost_usd")} == {
        "calls": 4,
        "requests": 5,
        "prompt_tokens": 8700,
        "cached_tokens": 4600,
        "thought_tokens": 960,
        "output_tokens": 910,
        "priced_calls": 3,
    }
    assert llm["estimated_cost_usd"] == pytest.approx(0.0225)
    by_model = {m["model"]: m for m in llm["by_model"]}
    assert [m["model"] for m in llm["by_model"]] == ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-next"]
    assert by_model["gemini-2.5-flash"]["calls"] == 2
    assert by_model["gemini-2.5-flash"]["requests"] == 3
    assert by_model["gemini-2.5-flash"]["prompt_tokens"] == 3000
    assert by_model["gemini-2.5-flash"]["estimated_cost_usd"] == pytest.approx(0.0015)
    assert by_model["gemini-2.5-pro"]["thought_tokens"] == 900
    assert by_model["gemini-next"]["estimated_cost_usd"] is None
    assert by_model["gemini-next"]["priced_calls"] == 0
    for field in ("calls", "requests", "prompt_tokens", "cached_tokens", "thought_tokens", "output_tokens"):
        assert sum(m[field] for m in llm["by_model"]) == llm[field], field

    status, calls = await get(http, f"{api.base}/calls", **window)
    assert status == 200, calls
    by_call = {i["call_id"]: i for i in calls["items"]}
    assert set(by_call) == set(stored[:5])
    for call_id, info in zip(stored[:5], analyzers, strict=False):
        assert by_call[call_id]["analyzer"] == info.model_dump(mode="json"), call_id
    status, record = await get(http, f"{api.base}/calls/{by_call[stored[2]]['unique_id']}")
    assert status == 200
    assert record["analyzer"]["usage"]["cached_tokens"] == 4000
    assert record["analyzer"]["estimated_cost_usd"] == pytest.approx(0.021)

    # a window of offline records only: zeros, and no cost rather than a cost of 0
    status, offline = await get(http, f"{api.base}/stats", **HISTORY)
    assert status == 200
    assert offline["total"] > 0
    assert offline["llm"] == {
        "calls": 0,
        "requests": 0,
        "prompt_tokens": 0,
        "cached_tokens": 0,
        "thought_tokens": 0,
        "output_tokens": 0,
        "estimated_cost_usd": None,
        "priced_calls": 0,
        "by_model": [],
    }


async def test_llm_stats_query_reads_the_window_through_the_created_at_index(api: Api) -> None:
    conn = await asyncpg.connect(api.dsn)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL enable_seqscan = off")
            plan = "\n".join(
                r[0]
                for r in await conn.fetch(
                    f"EXPLAIN {_STATS_LLM}", USAGE_START, USAGE_START + timedelta(days=1)
                )
            )
    finally:
        await conn.close()
    assert "idx_call_records_created_id" in plan, plan
    assert "Index Cond: ((created_at >= " in plan, plan


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/calls?limit=0", "limit"),
        ("/calls?limit=501", "limit"),
        ("/calls?limit=many", "limit"),
        ("/calls?sentiment=angry", "sentiment"),
        ("/calls?intent_category=pay", "intent_category"),
        ("/calls?action_required=perhaps", "action_required"),
        ("/calls?since=yesterday", "since"),
        ("/calls?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", "until"),
        ("/calls?cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("/calls?limit=1&limit=2", "limit"),
        ("/calls?colour=blue", "colour"),
        ("/calls/not-a-uuid", "unique_id"),
        ("/stats?bucket=week", "bucket"),
        ("/stats?tz=Atlantis/Capital", "tz"),
        ("/stats?since=1990-01-01T00:00:00Z&bucket=hour", "since"),
        ("/dead_letters?limit=-1", "limit"),
        ("/dead_letters?cursor=%25%25", "cursor"),
        ("/dead_letters?reason=a%00b", "reason"),  # NUL: found by schemathesis as a 500
        ("/calls?call_id=a%00b", "call_id"),
    ],
)
async def test_bad_parameters_get_400_naming_them(
    api: Api, http: aiohttp.ClientSession, path: str, parameter: str
) -> None:
    async with http.get(api.base + path) as resp:
        assert resp.status == 400
        assert resp.content_type == "application/json"
        body = await resp.json()
    assert body["error"] == "invalid_parameter"
    assert body["parameter"] == parameter


async def test_unknown_record_is_404(api: Api, http: aiohttp.ClientSession) -> None:
    status, body = await get(http, f"{api.base}/calls/{uuid.uuid4()}")
    assert status == 404
    assert body["error"] == "not_found"


async def test_root_answers_browsers_with_the_page_and_clients_with_json(
    api: Api, http: aiohttp.ClientSession
) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    async with http.get(api.base + "/", headers={"Accept": browser}) as resp:
        assert resp.status == 200
        assert resp.content_type == "text/html"
        assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
        assert resp.headers["Vary"] == "Accept"
        page = await resp.text()
    assert "/dashboard/dashboard.js" in page
    for accept in ("application/json", "*/*"):
        async with http.get(api.base + "/", headers={"Accept": accept}) as resp:
            assert resp.content_type == "application/json"
            assert (await resp.json())["service"] == "call-insights"
    async with http.get(api.base + "/", skip_auto_headers=["Accept"]) as resp:
        assert resp.content_type == "application/json"
    for name, content_type in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        async with http.get(f"{api.base}/dashboard/{name}") as resp:
            assert resp.status == 200
            assert resp.content_type == content_type
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
    async with http.get(f"{api.base}/dashboard/secrets.txt") as resp:
        assert resp.status == 404
        assert resp.content_type == "application/json"
