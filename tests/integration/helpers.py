"""Running the service in-process and talking to the real broker in tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import aiohttp
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from consumer.analyzer.offline import OfflineAnalyzer
from consumer.app import run_service
from consumer.db.store import NewInsight, Store
from consumer.settings import Settings
from producer_tools.fake_gemini import FakeGemini
from producer_tools.samples import to_event
from schemas import AnalyzerInfo, TranscriptEvent
from tests.conftest import Stack


def make_settings(stack: Stack, topics: dict[str, str], port: int, **overrides: Any) -> Settings:
    """Settings for a service under test: this test's topics, the session's database."""
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": stack.bootstrap,
        "database_url": stack.dsn,
        "kafka_input_topic": topics["KAFKA_INPUT_TOPIC"],
        "kafka_output_topic": topics["KAFKA_OUTPUT_TOPIC"],
        "kafka_dlq_topic": topics["KAFKA_DLQ_TOPIC"],
        "kafka_group_id": topics["KAFKA_GROUP_ID"],
        "http_host": "127.0.0.1",
        "http_port": port,
        "llm_provider": "offline",
        "shutdown_timeout_s": 10.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def gemini_settings(
    stack: Stack, topics: dict[str, str], port: int, fake: FakeGemini, **overrides: object
) -> Settings:
    """Settings for a service analysing with ``fake``, retrying and tripping its circuit quickly."""
    values: dict[str, object] = {
        "llm_provider": "gemini",
        "gemini_api_key": "test-key-not-real",
        "gemini_base_url": fake.url,
        "llm_backoff_initial_s": 0.01,
        "llm_backoff_max_s": 0.05,
        "llm_timeout_s": 5.0,
        "circuit_reset_s": 1.0,
    }
    values.update(overrides)
    return make_settings(stack, topics, port, **values)


@contextlib.asynccontextmanager
async def running_service(settings: Settings, *, timeout: float = 60.0) -> AsyncIterator[str]:
    """Run the whole service in this loop; yield its base URL once it has partitions assigned."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_service(settings, stop, handle_signals=False))
    base = f"http://127.0.0.1:{settings.http_port}"
    try:
        async with aiohttp.ClientSession() as http:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while True:
                if task.done():
                    task.result()
                    raise RuntimeError("service exited during start")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{base}/health") as resp:
                        body = await resp.json()
                        if body["components"]["kafka"].get("assigned_partitions"):
                            break
                if loop.time() > deadline:
                    raise TimeoutError("service did not become ready")
                await asyncio.sleep(0.2)
        yield base
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=60)


def event(transcript: str, **extra: Any) -> dict[str, Any]:
    """A valid TranscriptEvent dict with fresh ids."""
    return {
        "schema_version": 1,
        "event_id": str(uuid.uuid4()),
        "call_id": f"call-{uuid.uuid4().hex[:12]}",
        "transcript": transcript,
        **extra,
    }


async def publish(
    bootstrap: str,
    topic: str,
    values: list[bytes],
    keys: list[bytes | None],
    headers: list[list[tuple[str, bytes]]] | None = None,
) -> None:
    """Publish raw values (with ``headers``, one list per value) and wait for every acknowledgement."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [
            await producer.send(topic, value=v, key=k, headers=h or None)
            for v, k, h in zip(values, keys, headers or [[]] * len(values), strict=True)
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def publish_events(bootstrap: str, topic: str, events: list[dict[str, Any]]) -> None:
    """Publish TranscriptEvents keyed by call_id."""
    await publish(
        bootstrap,
        topic,
        [json.dumps(e, ensure_ascii=False).encode() for e in events],
        [str(e["call_id"]).encode() for e in events],
    )


async def consume(
    bootstrap: str, topic: str, *, expect: int, timeout: float = 60.0, linger: float = 0.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read a topic from the start until ``expect`` records arrived (then ``linger`` seconds more)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and len(records) < expect:
            batch = await consumer.getmany(timeout_ms=500)
            for part in batch.values():
                records.extend(part)
        end = loop.time() + linger
        while loop.time() < end:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
    finally:
        await consumer.stop()
    return records


async def store_history(
    dsn: str,
    rows: list[dict[str, Any]],
    times: list[datetime],
    analyzers: list[AnalyzerInfo] | None = None,
    *,
    output_topic: str,
) -> list[str]:
    """Store analysed samples as if processed at ``times`` (through the store, as the service does),
    each credited to its entry of ``analyzers`` (the offline analyzer when not given)."""
    analyzer = OfflineAnalyzer()
    infos = analyzers or [AnalyzerInfo(provider="offline", model="test")] * len(rows)
    items = []
    for row, at, info in zip(rows, times, infos, strict=False):
        event = TranscriptEvent.model_validate(to_event(row))
        analysis = await analyzer.analyze(event.text(), call_started_at=event.call_started_at)
        items.append(
            NewInsight(
                event=event,
                transcript=event.text(),
                analysis=analysis,
                analyzer=info,
                processed_at=at,
                processing_time_ms=1.0,
                source="kafka",
            )
        )
    async with Store.connect(dsn, output_topic=output_topic, min_size=1, max_size=2) as store:
        stored = await store.save_many(items)
    return [s.call_id for s in stored if not isinstance(s, Exception)]
