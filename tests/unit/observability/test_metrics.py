"""The Prometheus instruments: registry per instance, cached children, scrape-time values, and the
counts each component records."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiokafka import TopicPartition
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from consumer.analyzer.gemini import GeminiAnalyzer
from consumer.analyzer.guard import CircuitBreaker, GuardedAnalyzer
from consumer.analyzer.offline import OfflineAnalyzer
from consumer.errors import AnalyzerUnavailableError, StoreUnavailableError
from consumer.http.app import create_app
from consumer.http.deps import SidecarDeps
from consumer.kafka.stream import StreamProcessor
from consumer.observability.metrics import Metrics
from consumer.pipeline import Pipeline
from consumer.readiness import NotReadyError
from consumer.settings import Settings
from producer_tools.fake_gemini import FakeGemini, Status, Text
from schemas import AnalyzerInfo, CallAnalysis, TranscriptEvent
from tests.fakes.store import FakeStore


def samples(
    metrics: Metrics, accept: str | None = None
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape, keyed by (name, labels)."""
    body, _ = metrics.render(accept)
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return samples(metrics).get((name, frozenset(labels.items())))


# --- the Metrics class ---------------------------------------------------------------------------


def test_each_instance_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.events_consumed.inc(3)
    first.dead_letters("not_json").inc()

    assert value(first, "insights_events_consumed_total") == 3
    assert value(second, "insights_events_consumed_total") == 0
    assert value(second, "insights_dead_letters_total", reason="not_json") is None


def test_children_are_created_once_per_label_combination() -> None:
    metrics = Metrics()
    child = metrics.events_processed("kafka", "stored")

    assert metrics.events_processed("kafka", "stored") is child
    assert metrics.events_processed("http", "stored") is not child
    child.inc()
    child.inc()
    metrics.events_processed("http", "stored").inc()
    assert value(metrics, "insights_events_processed_total", source="kafka", outcome="stored") == 2
    assert value(metrics, "insights_events_processed_total", source="http", outcome="stored") == 1


def test_lag_snapshot_is_replaced_whole() -> None:
    metrics = Metrics()
    metrics.set_lag({("in", 0): 5, ("in", 1): 0})
    assert value(metrics, "insights_consumer_lag", topic="in", partition="0") == 5
    assert value(metrics, "insights_consumer_lag", topic="in", partition="1") == 0

    metrics.set_lag({("in", 1): 7})  # partition 0 was revoked
    assert value(metrics, "insights_consumer_lag", topic="in", partition="0") is None
    assert value(metrics, "insights_consumer_lag", topic="in", partition="1") == 7


def test_unknown_http_methods_share_one_label() -> None:
    metrics = Metrics()
    metrics.observe_http("unmatched", "BREW", 405, 0.001)
    metrics.observe_http("unmatched", "PROPFIND", 405, 0.001)
    metrics.observe_http("/health", "GET", 200, 0.002)

    assert (
        value(metrics, "insights_http_requests_total", route="unmatched", method="other", status="405") == 2
    )
    assert value(metrics, "insights_http_requests_total", route="/health", method="GET", status="200") == 1
    assert value(metrics, "insights_http_request_duration_seconds_count", route="/health", method="GET") == 1


def test_openmetrics_when_the_scraper_asks() -> None:
    metrics = Metrics()
    plain, plain_type = metrics.render(None)
    open_body, open_type = metrics.render("application/openmetrics-text; version=1.0.0")

    assert plain_type.startswith("text/plain")
    assert open_type.startswith("application/openmetrics-text")
    assert open_body.rstrip().endswith(b"# EOF")
    assert not plain.rstrip().endswith(b"# EOF")


def test_process_metrics_only_when_asked() -> None:
    assert not any(name.startswith("process_") for name, _ in samples(Metrics()))
    assert any(name.startswith("process_") for name, _ in samples(Metrics(process=True)))


async def test_refresh_keeps_old_values_when_a_refresher_fails_or_hangs() -> None:
    metrics = Metrics()
    metrics.outbox_backlog.set(11)
    backlog = iter([4])

    async def good() -> None:
        metrics.set_lag({("in", 0): next(backlog)})

    async def failing() -> None:
        raise StoreUnavailableError("PostgreSQL unreachable")

    async def hanging() -> None:
        await asyncio.Event().wait()

    metrics.add_refresher("lag", good)
    metrics.add_refresher("backlog", failing)
    metrics.add_refresher("stuck", hanging)
    await metrics.refresh(timeout_s=0.05)

    assert value(metrics, "insights_consumer_lag", topic="in", partition="0") == 4
    assert value(metrics, "insights_outbox_backlog") == 11


async def test_circuit_state_is_read_at_scrape_time() -> None:
    class Clock:
        now = 0.0

        def __call__(self) -> float:
            return self.now

    class Down:
        info = AnalyzerInfo(provider="gemini", model="m")

        async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
            raise AnalyzerUnavailableError("down")

        async def check(self) -> None: ...

        async def aclose(self) -> None: ...

    clock = Clock()
    metrics = Metrics()
    guard = GuardedAnalyzer(Down(), CircuitBreaker(threshold=2, reset_s=10, clock=clock), metrics=metrics)
    assert value(metrics, "insights_llm_circuit_state") == 0
    for _ in range(2):
        with pytest.raises(AnalyzerUnavailableError):
            await guard.analyze("x")
    assert value(metrics, "insights_llm_circuit_state") == 2
    clock.now = 11
    assert value(metrics, "insights_llm_circuit_state") == 1


# --- what the pipeline records --------------------------------------------------------------------


class GatedAnalyzer(OfflineAnalyzer):
    """The offline analyzer, held until ``gate`` opens."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        self.entered.set()
        await self.gate.wait()
        return await super().analyze(transcript, call_started_at=call_started_at)


def transcript_event(text: str = "Customer: kal 5000 bhar dunga.") -> TranscriptEvent:
    return TranscriptEvent(event_id=uuid.uuid4(), call_id=f"c-{uuid.uuid4().hex[:6]}", transcript=text)


async def test_pipeline_counts_outcomes_and_in_flight() -> None:
    metrics = Metrics()
    store = FakeStore()
    analyzer = GatedAnalyzer()
    pipeline = Pipeline(analyzer, store, max_in_flight=4, metrics=metrics)  # type: ignore[arg-type]
    first = transcript_event()

    task = asyncio.create_task(pipeline.process(first, source="kafka"))
    await analyzer.entered.wait()
    assert value(metrics, "insights_analyses_in_flight") == 1
    analyzer.gate.set()
    await task
    assert value(metrics, "insights_analyses_in_flight") == 0

    await pipeline.process(first, source="kafka")  # a redelivery
    await pipeline.process(transcript_event(), source="http")
    store.fail = True
    with pytest.raises(StoreUnavailableError):
        await pipeline.process(transcript_event(), source="kafka")

    def processed(source: str, outcome: str) -> float | None:
        return value(metrics, "insights_events_processed_total", source=source, outcome=outcome)

    assert processed("kafka", "stored") == 1
    assert processed("kafka", "duplicate") == 1
    assert processed("http", "stored") == 1
    assert processed("kafka", "error") == 1
    assert value(metrics, "insights_analysis_duration_seconds_count", provider="offline") == 2


# --- what the Gemini analyzer records --------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeGemini]:
    async with FakeGemini() as server:
        yield server


async def test_gemini_requests_retries_and_tokens(fake: FakeGemini) -> None:
    metrics = Metrics()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        gemini_api_key=SecretStr("test-key"),
        gemini_base_url=fake.url,
        llm_backoff_initial_s=0.01,
        llm_backoff_max_s=0.02,
    )
    answer = json.dumps(
        {
            "customer_intent": "Promise to Pay",
            "intent_category": "promise_to_pay",
            "sentiment": "Positive",
            "action_required": True,
            "summary": "The customer will pay on Wednesday.",
        }
    )
    fake.script([Status(503), Text(answer)])
    analyzer = GeminiAnalyzer(settings, metrics=metrics)
    try:
        await analyzer.analyze("Customer: Wednesday ko pay kar dunga.")
    finally:
        await analyzer.aclose()

    def tokens(kind: str) -> float | None:
        model = settings.gemini_model
        return value(metrics, "insights_llm_tokens_total", provider="gemini", model=model, kind=kind)

    def requests(outcome: str) -> float | None:
        return value(
            metrics, "insights_llm_request_duration_seconds_count", provider="gemini", outcome=outcome
        )

    assert requests("http_503") == 1
    assert requests("ok") == 1
    assert value(metrics, "insights_llm_retries_total", provider="gemini") == 1
    reported = fake.stats()["tokens"]  # what the fake's usageMetadata said, over the answered requests
    assert tokens("prompt") == reported["prompt"] > 0
    assert tokens("candidates") == reported["candidates"] > 0
    assert tokens("total") == reported["total"]
    spend = value(
        metrics, "insights_llm_estimated_cost_usd_total", provider="gemini", model=settings.gemini_model
    )
    assert spend is not None
    assert spend > 0


# --- the sidecar: request metrics, /metrics and /ready -------------------------------------------


def sidecar(metrics: Metrics, checks: dict[str, Any]) -> TestClient[Any, Any]:
    pipeline = Pipeline(OfflineAnalyzer(), FakeStore(), max_in_flight=2, metrics=metrics)  # type: ignore[arg-type]
    deps = SidecarDeps(pipeline=pipeline, health_checks={}, readiness_checks=checks, metrics=metrics)
    return TestClient(TestServer(create_app(deps)))


async def test_requests_are_counted_by_route_template_and_status() -> None:
    metrics = Metrics()
    async with sidecar(metrics, {}) as client:
        for _ in range(2):
            assert (await client.get("/health")).status == 200
        assert (await client.post("/analyze_call", json={"transcript": ""})).status == 422
        created = await client.post("/analyze_call", json={"transcript": "Customer: kal pay karunga."})
        assert created.status == 201
        assert (await client.get("/no/such/page")).status == 404
        assert (await client.get("/docs/static/swagger-ui.css")).status == 200
        scrape = await client.get("/metrics")
        assert scrape.status == 200
        assert scrape.content_type == "text/plain"
        text = await scrape.text()

    found = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }

    def count(route: str, method: str, status: str) -> float | None:
        labels = frozenset({"route": route, "method": method, "status": status}.items())
        return found.get(("insights_http_requests_total", labels))

    assert count("/health", "GET", "200") == 2
    assert count("/analyze_call", "POST", "422") == 1
    assert count("/analyze_call", "POST", "201") == 1
    assert count("unmatched", "GET", "404") == 1
    assert count("/docs/static/{name}", "GET", "200") == 1  # the template, not the file path
    http_stored = frozenset({"source": "http", "outcome": "stored"}.items())
    assert found[("insights_events_processed_total", http_stored)] == 1


async def test_ready_reports_every_check() -> None:
    async def up() -> dict[str, Any]:
        return {"applied": 3}

    async def not_yet() -> dict[str, Any]:
        raise NotReadyError("the consumer has not joined its group yet")

    async with sidecar(Metrics(), {"migrations": up, "consumer": not_yet}) as client:
        response = await client.get("/ready")
        body = await response.json()
    assert response.status == 503
    assert body["status"] == "not_ready"
    assert body["failing"] == ["consumer"]
    assert body["checks"]["migrations"] == {"ok": True, "applied": 3}
    assert body["checks"]["consumer"] == {"ok": False, "error": "the consumer has not joined its group yet"}

    async with sidecar(Metrics(), {"migrations": up}) as client:
        response = await client.get("/ready")
        body = await response.json()
    assert response.status == 200
    assert body == {"status": "ready", "checks": {"migrations": {"ok": True, "applied": 3}}, "failing": []}


# --- consumer lag -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Rec:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp: int = -1


class LagConsumer:
    """Three assigned partitions: one with records, one fetched but empty, one never fetched."""

    def __init__(self, records: list[Rec]) -> None:
        self.tps = [TopicPartition("in", p) for p in range(3)]
        self.records = records
        self.high = {self.tps[0]: 50, self.tps[1]: 35, self.tps[2]: None}
        self.positions = {self.tps[0]: 13, self.tps[1]: 30, self.tps[2]: 0}

    def subscribe(self, topics: list[str], listener: Any) -> None: ...

    def assignment(self) -> set[TopicPartition]:
        return set(self.tps)

    def highwater(self, tp: TopicPartition) -> int | None:
        return self.high[tp]

    async def position(self, tp: TopicPartition) -> int:
        return self.positions[tp]

    async def getmany(self, *, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[Rec]]:
        if self.records:
            out, self.records = self.records, []
            return {self.tps[0]: out}
        await asyncio.sleep(0.01)
        return {}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None: ...

    def pause(self, *tps: TopicPartition) -> None: ...

    def resume(self, *tps: TopicPartition) -> None: ...

    def paused(self) -> set[TopicPartition]:
        return set()


async def test_lag_counts_unfinished_and_unfetched_records() -> None:
    events = [transcript_event() for _ in range(3)]
    records = [
        Rec("in", 0, 10 + i, e.call_id.encode(), e.model_dump_json().encode()) for i, e in enumerate(events)
    ]
    consumer = LagConsumer(records)
    analyzer = GatedAnalyzer()
    metrics = Metrics()
    pipeline = Pipeline(analyzer, FakeStore(), max_in_flight=8, metrics=metrics)  # type: ignore[arg-type]
    stream = StreamProcessor(
        consumer,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        pipeline,
        topic="in",
        max_transcript_bytes=10_000,
        max_buffered=100,
        metrics=metrics,
    )
    stop = asyncio.Event()
    runner = asyncio.create_task(stream.run(stop))
    await analyzer.entered.wait()

    def lags() -> dict[str, float]:
        return {
            dict(labels)["partition"]: v
            for (name, labels), v in samples(metrics).items()
            if name == "insights_consumer_lag"
        }

    await metrics.refresh()
    assert lags() == {"0": 40, "1": 5}  # 50 - 10 (offset 10 not finished); 35 - 30; partition 2 not fetched
    assert value(metrics, "insights_records_buffered") == 3
    analyzer.gate.set()
    stop.set()
    await runner  # drains: all three finish
    await metrics.refresh()
    assert lags() == {"0": 37, "1": 5}
    assert value(metrics, "insights_records_buffered") == 0
