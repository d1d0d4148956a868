"""End to end on the real broker and database: events in, rows and insight events out."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit

import aiohttp
import asyncpg
import pytest

from producer_tools.databases import drop_database, scratch_database
from producer_tools.samples import load_rows, to_event
from schemas import InsightEvent
from schemas.cloudevents import DEAD_LETTER_TYPE, INSIGHT_TYPE, CloudEventHeaders, dead_letter_id
from schemas.dead_letter import header_text
from tests.conftest import Stack
from tests.integration.helpers import consume, event, make_settings, publish, publish_events, running_service

pytestmark = pytest.mark.integration

ORIGINAL_SAMPLES = [
    "Yes, will pay on time!",
    "Emergency tha, Wednesday ko pakka karunga.",
    "Financial hardship hai, restructuring chahiye.",
]
ORIGINAL_FIELDS = {
    "id",
    "unique_id",
    "customer_intent",
    "sentiment",
    "action_required",
    "summary",
    "raw_transcript",
    "processed_at",
    "processing_time_ms",
    "intent_category",
}


async def rows_for(dsn: str, event_ids: list[str]) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(
            "SELECT * FROM call_records WHERE event_id = ANY($1::uuid[])", [uuid.UUID(e) for e in event_ids]
        )
    finally:
        await conn.close()


async def test_events_become_rows_and_insight_events(
    stack: Stack, topics: dict[str, str], free_port: int
) -> None:
    samples = load_rows()
    events = [to_event(row) for row in samples[:40]]
    settings = make_settings(stack, topics, free_port, max_in_flight=16)
    async with running_service(settings):
        await publish_events(stack.bootstrap, settings.kafka_input_topic, events)
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=len(events), timeout=90)

    ids = [e["event_id"] for e in events]
    rows = await rows_for(stack.dsn, ids)
    assert len(rows) == len(events)
    insights = [InsightEvent.model_validate_json(r.value) for r in out]
    assert sorted(str(i.source_event_id) for i in insights) == sorted(ids)
    by_source = {str(i.source_event_id): i for i in insights}
    for row in rows:
        insight = by_source[str(row["event_id"])]
        assert insight.record_id == row["id"]
        assert insight.unique_id == row["unique_id"]
        assert insight.event_id == InsightEvent.id_for(row["event_id"])
        assert insight.intent_category.value == row["intent_category"]
        assert insight.sentiment.value == row["sentiment"]
        assert insight.analyzer.provider == "offline"
    # the Kafka key is the call_id
    assert {r.key.decode() for r in out if r.key} == {e["call_id"] for e in events}
    # CloudEvents binary mode: ce_id is the InsightEvent's event_id
    for r in out:
        cloud = CloudEventHeaders.model_validate(header_text(r.headers))
        insight = InsightEvent.model_validate_json(r.value)
        assert (cloud.id, cloud.type, cloud.specversion) == (str(insight.event_id), INSIGHT_TYPE, "1.0")
        assert cloud.content_type == "application/json"
        assert abs((cloud.time - insight.processed_at).total_seconds()) < 60


async def test_redelivered_event_is_stored_once(stack: Stack, topics: dict[str, str], free_port: int) -> None:
    ev = event("Customer: Haan ji, kal tak 5000 bhej dunga UPI se.")
    settings = make_settings(stack, topics, free_port)
    async with running_service(settings):
        await publish_events(stack.bootstrap, settings.kafka_input_topic, [ev, ev, ev])
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=1, timeout=60, linger=3)
    rows = await rows_for(stack.dsn, [ev["event_id"]])
    assert len(rows) == 1
    assert len(out) == 1
    assert InsightEvent.model_validate_json(out[0].value).record_id == rows[0]["id"]


async def test_a_transcript_with_nul_characters_is_stored_without_them(
    stack: Stack, topics: dict[str, str], free_port: int
) -> None:
    """PostgreSQL refuses NUL in text and jsonb; the characters go, the event is stored and announced."""
    ev = event("Agent: Paisa nahi diya to police\x00 lekar ghar aa jayenge.\nCustomer: Theek hai\x00.")
    settings = make_settings(stack, topics, free_port)
    async with running_service(settings):
        await publish_events(stack.bootstrap, settings.kafka_input_topic, [ev])
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=1, timeout=60)
    rows = await rows_for(stack.dsn, [ev["event_id"]])
    assert len(rows) == 1
    assert "\x00" not in rows[0]["transcript"]
    insight = InsightEvent.model_validate_json(out[0].value)
    assert insight.record_id == rows[0]["id"]
    assert any(f.rule.value == "threat_or_intimidation" for f in insight.compliance_flags)
    assert all("\x00" not in f.quote for f in insight.compliance_flags)


async def test_restart_redelivery_does_not_duplicate(
    stack: Stack, topics: dict[str, str], free_port: int
) -> None:
    """A second service generation re-reading the topic from the start stores nothing new."""
    events = [event(f"Customer: Main {n} tareekh ko payment kar dunga.") for n in range(1, 11)]
    settings = make_settings(stack, topics, free_port)
    async with running_service(settings):
        await publish_events(stack.bootstrap, settings.kafka_input_topic, events)
        await consume(stack.bootstrap, settings.kafka_output_topic, expect=10, timeout=60)
    fresh_group = make_settings(
        stack, {**topics, "KAFKA_GROUP_ID": topics["KAFKA_GROUP_ID"] + "-b"}, free_port
    )
    async with running_service(fresh_group):
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=10, timeout=30, linger=3)
    assert len(await rows_for(stack.dsn, [e["event_id"] for e in events])) == 10
    assert len(out) == 10


async def test_poison_records_are_dead_lettered_and_do_not_block(
    stack: Stack, topics: dict[str, str], free_port: int
) -> None:
    good = [event("Customer: Salary aate hi 10 tareekh ko pura bhar dunga.") for _ in range(3)]
    poison = [
        (b"\xff\xfe not utf-8", "not_utf8"),
        (b"{not json", "not_json"),
        (b"[1, 2, 3]", "not_object"),
        (json.dumps({"event_id": "nope", "call_id": "c"}).encode(), "schema_invalid"),
        (json.dumps(event("   ")).encode(), "empty_transcript"),
    ]
    settings = make_settings(stack, topics, free_port)
    key = b"shared-key"
    values = [
        json.dumps(good[0]).encode(),
        *[p for p, _ in poison],
        *[json.dumps(g).encode() for g in good[1:]],
    ]
    async with running_service(settings):
        await publish(stack.bootstrap, settings.kafka_input_topic, values, [key] * len(values))
        dead = await consume(stack.bootstrap, settings.kafka_dlq_topic, expect=len(poison), timeout=60)
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=3, timeout=60)

    assert len(out) == 3
    assert len(await rows_for(stack.dsn, [g["event_id"] for g in good])) == 3
    assert len(dead) == len(poison)
    by_value = {r.value: dict(r.headers) for r in dead}
    for value, reason in poison:
        headers = by_value[value]  # the original bytes, unchanged
        assert headers["x-dlq-reason"].decode() == reason
        assert headers["x-dlq-original-topic"].decode() == settings.kafka_input_topic
        assert int(headers["x-dlq-original-offset"]) >= 0
        assert int(headers["x-dlq-original-partition"]) >= 0
        assert headers["x-dlq-attempts"] == b"1"
        assert headers["x-dlq-error"]
        assert headers["x-dlq-failed-at"]
        cloud = CloudEventHeaders.model_validate(header_text(headers.items()))
        position = (settings.kafka_input_topic, int(headers["x-dlq-original-partition"]))
        assert cloud.id == str(dead_letter_id(*position, int(headers["x-dlq-original-offset"])))
        assert cloud.type == DEAD_LETTER_TYPE
    assert all(r.key == key for r in dead)


async def test_analyze_call_round_trip(stack: Stack, topics: dict[str, str], free_port: int) -> None:
    settings = make_settings(stack, topics, free_port)
    async with running_service(settings) as base, aiohttp.ClientSession() as http:
        answers = []
        for text in ORIGINAL_SAMPLES:
            async with http.post(
                f"{base}/analyze_call", json={"transcript": text, "metadata": {"agent": "A-7"}}
            ) as resp:
                assert resp.status == 201, await resp.text()
                answers.append(await resp.json())
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=3, timeout=60)

    for text, body in zip(ORIGINAL_SAMPLES, answers, strict=True):
        assert body.keys() >= ORIGINAL_FIELDS
        assert body["raw_transcript"] == text
        assert body["sentiment"] in {"Positive", "Neutral", "Negative"}
        assert isinstance(body["action_required"], bool)
        assert body["processing_time_ms"] >= 0
    assert answers[1]["intent_category"] == "promise_to_pay"
    assert answers[2]["intent_category"] == "hardship"
    published = {InsightEvent.model_validate_json(r.value).record_id for r in out}
    assert published == {a["id"] for a in answers}
    rows = await rows_for(stack.dsn, [a["event_id"] for a in answers])
    assert {r["id"] for r in rows} == {a["id"] for a in answers}
    assert json.loads(next(r for r in rows if r["id"] == answers[0]["id"])["metadata"])["agent"] == "A-7"


async def test_bad_http_input_gets_json_4xx(stack: Stack, topics: dict[str, str], free_port: int) -> None:
    settings = make_settings(stack, topics, free_port)
    cases = [
        (b"{not json", "application/json", 400),
        (b"[1]", "application/json", 400),
        (b"{}", "application/json", 422),
        (json.dumps({"transcript": ""}).encode(), "application/json", 422),
        (json.dumps({"transcript": "   "}).encode(), "application/json", 422),
        (json.dumps({"transcript": 5}).encode(), "application/json", 422),
        (b"transcript=hi", "application/x-www-form-urlencoded", 415),
        (b"x" * (3 * 1024 * 1024), "application/json", 413),
    ]
    async with running_service(settings) as base, aiohttp.ClientSession() as http:
        for body, ctype, status in cases:
            async with http.post(f"{base}/analyze_call", data=body, headers={"Content-Type": ctype}) as resp:
                assert resp.status == status, (body[:40], await resp.text())
                payload = await resp.json()
                assert payload["error"]
        async with http.get(f"{base}/nope") as resp:
            assert resp.status == 404
            assert (await resp.json())["error"] == "not_found"
        async with http.get(f"{base}/analyze_call") as resp:
            assert resp.status == 405
            assert (await resp.json())["error"] == "method_not_allowed"


async def test_health_info_docs_and_openapi(stack: Stack, topics: dict[str, str], free_port: int) -> None:
    settings = make_settings(stack, topics, free_port)
    async with running_service(settings) as base, aiohttp.ClientSession() as http:
        async with http.get(f"{base}/health") as resp:
            body = await resp.json()
            assert resp.status == 200
            assert body["status"] == "healthy"
            assert set(body["components"]) == {"database", "kafka", "analyzer"}
            assert all(c["status"] == "up" for c in body["components"].values())
        async with http.get(f"{base}/") as resp:
            info = await resp.json()
            assert info["service"] == "call-insights"
            assert info["analyzer"]["provider"] == "offline"
        async with http.get(f"{base}/openapi.json") as resp:
            spec = await resp.json()
            assert "/analyze_call" in spec["paths"]
            assert "AnalyzeCallResponse" in spec["components"]["schemas"]
        async with http.get(f"{base}/docs") as resp:
            page = await resp.text()
            assert resp.status == 200
            assert "swagger-ui-bundle.js" in page
            assert "/openapi.json" in page
        async with http.get(f"{base}/docs/static/swagger-ui-bundle.js") as resp:
            assert resp.status == 200
            assert len(await resp.read()) > 100_000


async def test_health_reports_database_down(stack: Stack, topics: dict[str, str], free_port: int) -> None:
    """With its database gone, the service answers 503 degraded and names the database."""
    async with scratch_database(stack.admin_dsn, "insights_gone") as dsn:
        settings = make_settings(stack, topics, free_port, database_url=dsn)
        async with running_service(settings) as base, aiohttp.ClientSession() as http:
            await drop_database(stack.admin_dsn, urlsplit(dsn).path.lstrip("/"))
            async with http.get(f"{base}/health") as resp:
                body = await resp.json()
            assert resp.status == 503
            assert body["status"] == "degraded"
            assert "database" in body["down"]
            async with http.post(f"{base}/analyze_call", json={"transcript": "Kal pay karunga"}) as resp:
                assert resp.status == 503
                assert (await resp.json())["error"] == "db_unavailable"


async def test_record_the_database_refuses_fails_alone(
    stack: Stack, topics: dict[str, str], free_port: int
) -> None:
    """A record whose data PostgreSQL refuses is dead-lettered without taking its batch with it."""
    good = [event(f"Customer: {n} tareekh ko bhar dunga.") for n in range(1, 21)]
    bad = event("Customer: Kal pay karunga.", call_id="refused-by-the-database")
    settings = make_settings(stack, topics, free_port)
    async with running_service(settings):
        conn = await asyncpg.connect(stack.dsn)
        try:  # a rule of the database's own that this one record breaks
            await conn.execute(
                "ALTER TABLE call_records ADD CONSTRAINT test_refuse"
                " CHECK (call_id <> 'refused-by-the-database')"
            )
            await publish_events(stack.bootstrap, settings.kafka_input_topic, [*good[:10], bad, *good[10:]])
            out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=20, timeout=60)
            dead = await consume(stack.bootstrap, settings.kafka_dlq_topic, expect=1, timeout=30)
        finally:
            await conn.execute("ALTER TABLE call_records DROP CONSTRAINT IF EXISTS test_refuse")
            await conn.close()
    assert len(out) == 20
    assert len(await rows_for(stack.dsn, [g["event_id"] for g in good])) == 20
    assert [dict(r.headers)["x-dlq-reason"] for r in dead] == [b"db_rejected"]
