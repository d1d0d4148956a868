"""The service with LLM_PROVIDER=gemini: the real SDK against a fake Gemini server, real Kafka and DB."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import aiohttp
import asyncpg
import pytest

from producer_tools.fake_gemini import FakeGemini, Status, Text, Valid
from schemas import InsightEvent
from tests.conftest import Stack
from tests.integration.helpers import consume, event, gemini_settings, publish_events, running_service

pytestmark = pytest.mark.integration


@pytest.fixture
async def gemini() -> AsyncIterator[FakeGemini]:
    async with FakeGemini() as fake:
        yield fake


async def record_count(dsn: str, call_id: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM call_records WHERE call_id = $1", call_id))
    finally:
        await conn.close()


async def test_events_analyzed_by_gemini(
    stack: Stack, topics: dict[str, str], free_port: int, gemini: FakeGemini
) -> None:
    events = [event(f"Customer: Wednesday ko pakka {n}000 rupaye bhar dunga.") for n in range(1, 6)]
    settings = gemini_settings(stack, topics, free_port, gemini)
    async with running_service(settings):
        await publish_events(stack.bootstrap, settings.kafka_input_topic, events)
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=5, timeout=60)
    insights = [InsightEvent.model_validate_json(r.value) for r in out]
    assert len(insights) == 5
    assert {i.analyzer.provider for i in insights} == {"gemini"}
    assert {i.analyzer.model for i in insights} == {settings.gemini_model}
    assert gemini.count == 5
    config = gemini.last.generation_config
    assert config.get("responseMimeType") == "application/json"


async def test_http_503_then_success_and_invalid_then_valid(
    stack: Stack, topics: dict[str, str], free_port: int, gemini: FakeGemini
) -> None:
    settings = gemini_settings(stack, topics, free_port, gemini)
    async with running_service(settings) as base, aiohttp.ClientSession() as http:
        gemini.reset()
        gemini.script([Status(503)])
        async with http.post(f"{base}/analyze_call", json={"transcript": "Kal tak pay karunga"}) as resp:
            assert resp.status == 201, await resp.text()
            body = await resp.json()
        assert gemini.count == 2
        assert body["analyzer"]["provider"] == "gemini"

        gemini.reset()
        gemini.script([Text("{this is not json"), Valid()])
        async with http.post(f"{base}/analyze_call", json={"transcript": "Salary pe dunga"}) as resp:
            assert resp.status == 201, await resp.text()
        assert gemini.count == 2
        assert "previous answer was invalid" in gemini.last.texts[-1]


async def test_persistent_failure_is_clear_and_stores_nothing(
    stack: Stack, topics: dict[str, str], free_port: int, gemini: FakeGemini
) -> None:
    settings = gemini_settings(stack, topics, free_port, gemini)
    async with running_service(settings) as base, aiohttp.ClientSession() as http:
        gemini.reset()
        gemini.fail_always(503)
        async with http.post(
            f"{base}/analyze_call", json={"transcript": "Parso pakka", "call_id": "fail-503"}
        ) as resp:
            assert resp.status == 503
            body = await resp.json()
        assert body["error"] == "llm_unavailable"
        assert "test-key-not-real" not in body["detail"]
        assert gemini.count == settings.llm_attempts

        gemini.reset()
        gemini.script([Text('{"sentiment": "Happy"}')] * settings.llm_attempts)
        async with http.post(
            f"{base}/analyze_call", json={"transcript": "Parso pakka", "call_id": "fail-invalid"}
        ) as resp:
            assert resp.status == 502
            assert (await resp.json())["error"] == "llm_invalid_output"
        gemini.recover()
    assert await record_count(stack.dsn, "fail-503") == 0
    assert await record_count(stack.dsn, "fail-invalid") == 0


async def test_invalid_llm_output_dead_letters_event(
    stack: Stack, topics: dict[str, str], free_port: int, gemini: FakeGemini
) -> None:
    bad = event("Customer: Dekhte hain.")
    good = event("Customer: Haan kal bhar dunga.")
    settings = gemini_settings(stack, topics, free_port, gemini)
    gemini.script([Text("[]")] * settings.llm_attempts)
    async with running_service(settings):
        await publish_events(stack.bootstrap, settings.kafka_input_topic, [bad])
        dead = await consume(stack.bootstrap, settings.kafka_dlq_topic, expect=1, timeout=60)
        await publish_events(stack.bootstrap, settings.kafka_input_topic, [good])
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=1, timeout=60)
    assert dict(dead[0].headers)["x-dlq-reason"] == b"llm_invalid_output"
    assert dict(dead[0].headers)["x-dlq-attempts"] == b"1"
    assert [InsightEvent.model_validate_json(r.value).call_id for r in out] == [good["call_id"]]


async def test_transient_llm_outage_waits_and_resumes(
    stack: Stack, topics: dict[str, str], free_port: int, gemini: FakeGemini
) -> None:
    """While Gemini answers 503 events wait (no dead letters); when it recovers they all land."""
    events = [event(f"Customer: {n} tareekh ko pay karunga.") for n in range(1, 9)]
    settings = gemini_settings(stack, topics, free_port, gemini)
    async with running_service(settings):
        gemini.fail_for(4.0)
        await publish_events(stack.bootstrap, settings.kafka_input_topic, events)
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=8, timeout=90)
        dead = await consume(stack.bootstrap, settings.kafka_dlq_topic, expect=1, timeout=1)
    assert len({InsightEvent.model_validate_json(r.value).source_event_id for r in out}) == 8
    assert dead == []


async def test_concurrent_http_callers_with_slow_llm(
    stack: Stack, topics: dict[str, str], free_port: int, gemini: FakeGemini
) -> None:
    """32 callers with a 1 s LLM are served together, not one after another."""
    gemini.latency = 1.0
    settings = gemini_settings(stack, topics, free_port, gemini, max_in_flight=64)
    async with running_service(settings) as base, aiohttp.ClientSession() as http:

        async def call(n: int) -> int:
            payload = {"transcript": f"Customer: {n} tareekh tak pakka bhar dunga."}
            async with http.post(f"{base}/analyze_call", json=payload) as resp:
                return resp.status

        statuses = await asyncio.gather(*(call(n) for n in range(32)))
    assert statuses == [201] * 32
    assert gemini.max_in_flight == 32  # all 32 reached the LLM together; a serial server peaks at 1


async def test_same_call_in_order_other_calls_concurrently(
    stack: Stack, topics: dict[str, str], free_port: int, gemini: FakeGemini
) -> None:
    """Events of one call_id are analysed one after another, in offset order; other calls overlap."""
    gemini.latency = 0.05
    calls = [f"order-{n}-{uuid.uuid4().hex[:6]}" for n in range(4)]
    events = [
        event(f"Customer: {turn} tareekh ko {n}000 bhar dunga.", call_id=call_id)
        for turn in range(1, 9)
        for n, call_id in enumerate(calls)
    ]
    settings = gemini_settings(stack, topics, free_port, gemini, max_in_flight=32)
    async with running_service(settings):
        await publish_events(stack.bootstrap, settings.kafka_input_topic, events)
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=len(events), timeout=60)
    insights = [InsightEvent.model_validate_json(r.value) for r in out]
    assert len(insights) == len(events)
    position = {e["event_id"]: i for i, e in enumerate(events)}
    for call_id in calls:
        mine = sorted((i for i in insights if i.call_id == call_id), key=lambda i: i.record_id)
        assert [position[str(i.source_event_id)] for i in mine] == sorted(
            position[str(i.source_event_id)] for i in mine
        )
    assert gemini.max_in_flight > 1  # different calls were analysed at the same time
    assert gemini.max_in_flight <= len(calls)  # but never two of the same call


async def test_rich_fields_end_to_end(
    stack: Stack, topics: dict[str, str], free_port: int, gemini: FakeGemini
) -> None:
    """Gemini's words for the promise are resolved against the call time; details reach every output."""
    answer = {
        "customer_intent": "Promise to Pay - day after tomorrow",
        "intent_category": "promise_to_pay",
        "sentiment": "Neutral",
        "action_required": True,
        "summary": "Customer will pay one and a half lakh the day after tomorrow.",
        "contact_status": "right_party",
        "promise_to_pay": {"amount_text": "dedh lakh", "due_text": "parso", "due_date": "1999-01-01"},
        "distress": ["job_loss"],
        "distress_quote": "naukri chali gayi",
        "compliance_flags": [
            {
                "rule": "threat_or_intimidation",
                "severity": "high",
                "quote": "ghar aa jayenge",
                "speaker": "agent",
            }
        ],
        "confidence": {
            "intent_category": 0.9,
            "sentiment": 0.4,
            "action_required": 0.9,
            "contact_status": 0.9,
        },
    }
    night_call = event(
        "Agent: Paisa do warna ghar aa jayenge.\nCustomer: Naukri chali gayi, parso dedh lakh dunga.",
        call_started_at="2026-11-20T21:30:00+05:30",
    )
    settings = gemini_settings(stack, topics, free_port, gemini)
    gemini.script([Valid(answer)])
    async with running_service(settings) as base, aiohttp.ClientSession() as http:
        await publish_events(stack.bootstrap, settings.kafka_input_topic, [night_call])
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=1, timeout=60)
        gemini.script([Valid(answer)])
        async with http.post(f"{base}/analyze_call", json={"transcript": night_call["transcript"]}) as resp:
            assert resp.status == 201
            body = await resp.json()
    insight = InsightEvent.model_validate_json(out[0].value)
    promise = insight.promise_to_pay
    assert promise is not None
    assert promise.amount_inr == 150_000
    assert promise.due_date is not None
    assert promise.due_date.isoformat() == "2026-11-22"  # parso from the call date, not the model's guess
    assert insight.distress is not None
    assert [k.value for k in insight.distress.kinds] == ["job_loss"]
    rules = [f.rule.value for f in insight.compliance_flags]
    assert rules == ["outside_calling_hours", "threat_or_intimidation"]  # 21:30 IST is after 19:00
    assert insight.priority.value == "high"
    assert insight.needs_review is True  # sentiment confidence 0.4
    assert body["promise_to_pay"]["amount_inr"] == 150_000
    assert body["contact_status"] == "right_party"
    assert body["priority"] == "high"
    conn = await asyncpg.connect(stack.dsn)
    try:
        row = await conn.fetchrow(
            "SELECT ptp_amount_inr, ptp_due_date, compliance_rules, distress, priority FROM call_records "
            "WHERE call_id = $1",
            night_call["call_id"],
        )
    finally:
        await conn.close()
    assert row["ptp_amount_inr"] == 150_000
    assert row["ptp_due_date"].isoformat() == "2026-11-22"
    assert row["compliance_rules"] == ["outside_calling_hours", "threat_or_intimidation"]
    assert row["distress"] == ["job_loss"]
    assert row["priority"] == "high"


async def test_pii_never_reaches_the_llm_and_is_redacted_in_storage(
    stack: Stack, topics: dict[str, str], free_port: int, gemini: FakeGemini
) -> None:
    phone, pan, upi = "98765 43210", "ABCPK1234F", "ramesh.k@okaxis"
    transcript = (
        f"Agent: Kripya apna PAN batayein.\nCustomer: {pan}. Mera number {phone} hai,"
        f" UPI {upi} se kal 5000 bhej dunga."
    )
    settings = gemini_settings(stack, topics, free_port, gemini, redact_stored=True)
    async with (
        running_service(settings) as base,
        aiohttp.ClientSession() as http,
        http.post(f"{base}/analyze_call", json={"transcript": transcript}) as resp,
    ):
        assert resp.status == 201
        body = await resp.json()
    sent = "\n".join(gemini.last.texts)
    for secret in (phone, pan, upi, "9876543210"):
        assert secret not in sent
        assert secret not in body["raw_transcript"]
    assert "[PHONE]" in sent
    assert "[PAN]" in body["raw_transcript"]
    assert "kal 5000 bhej dunga" in body["raw_transcript"]  # the rest is untouched
    conn = await asyncpg.connect(stack.dsn)
    try:
        stored = await conn.fetchval("SELECT transcript FROM call_records WHERE id = $1", body["id"])
    finally:
        await conn.close()
    assert phone not in stored
    assert "[UPI]" in stored
