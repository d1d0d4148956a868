"""/metrics and /ready of the service on the real broker and database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from consumer.app import run_service
from consumer.db.migrations import (
    EditedMigrationError,
    Migration,
    applied_checksums,
    apply_migrations,
    missing_migrations,
    read_migrations,
)
from consumer.db.store import Store
from consumer.readiness import migrations_check
from tests.conftest import Stack
from tests.integration.helpers import event, make_settings, publish, publish_events, running_service
from tests.integration.service_process import free_port

pytestmark = pytest.mark.integration

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(http: aiohttp.ClientSession, base: str) -> Samples:
    """Every sample of one scrape of ``base``/metrics, keyed by (name, labels)."""
    async with http.get(f"{base}/metrics") as resp:
        assert resp.status == 200
        text = await resp.text()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def get(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def series(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: v for (n, labels), v in samples.items() if n == name}


async def wait_until(
    http: aiohttp.ClientSession, base: str, done: Callable[[Samples], bool], *, timeout: float = 60.0
) -> Samples:
    """Scrape until ``done`` holds for a scrape; return that scrape."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        samples = await scrape(http, base)
        if done(samples):
            return samples
        if loop.time() > deadline:
            raise TimeoutError("the metrics never reached the expected values")
        await asyncio.sleep(0.2)


async def test_metrics_move_by_what_was_sent(stack: Stack, topics: dict[str, str], free_port: int) -> None:
    settings = make_settings(stack, topics, free_port)
    valid = [event(f"Customer: kal {n}000 rupaye bhar dunga.") for n in range(1, 6)]
    async with running_service(settings) as base, aiohttp.ClientSession() as http:
        before = await scrape(http, base)
        await publish_events(stack.bootstrap, settings.kafka_input_topic, valid)
        await publish(stack.bootstrap, settings.kafka_input_topic, [b"not json", b"[1, 2]"], [None, None])

        def settled(s: Samples) -> bool:
            lags = series(s, "insights_consumer_lag")
            return (
                get(s, "insights_events_consumed_total") - get(before, "insights_events_consumed_total") >= 7
                and get(s, "insights_outbox_published_total") >= 5
                and sum(series(s, "insights_dead_letters_total").values()) >= 2
                and len(lags) == settings.kafka_topic_partitions
                and not any(lags.values())
                and get(s, "insights_outbox_backlog") == 0
            )

        await wait_until(http, base, settled)
        async with http.post(
            f"{base}/analyze_call", json={"transcript": "Customer: paisa bhej diya."}
        ) as resp:
            assert resp.status == 201
        after = await wait_until(http, base, lambda s: get(s, "insights_outbox_published_total") >= 6)

    def delta(name: str, **labels: str) -> float:
        return get(after, name, **labels) - get(before, name, **labels)

    assert delta("insights_events_consumed_total") == 7
    assert delta("insights_events_processed_total", source="kafka", outcome="stored") == 5
    assert delta("insights_events_processed_total", source="http", outcome="stored") == 1
    assert delta("insights_events_processed_total", source="kafka", outcome="error") == 0
    assert delta("insights_dead_letters_total", reason="not_json") == 1
    assert delta("insights_dead_letters_total", reason="not_object") == 1
    assert delta("insights_outbox_published_total") == 6
    assert delta("insights_analysis_duration_seconds_count", provider="offline") == 6
    assert get(after, "insights_analyses_in_flight") == 0
    assert get(after, "insights_records_buffered") == 0
    assert get(after, "insights_llm_circuit_state") == 0
    assert get(after, "insights_http_requests_total", route="/analyze_call", method="POST", status="201") == 1
    assert get(after, "insights_http_requests_total", route="/metrics", method="GET", status="200") >= 2
    assert get(after, "process_resident_memory_bytes") > 0
    # the latencies behind the dashboard: five Kafka events stored, six InsightEvents published
    assert delta("insights_end_to_end_seconds_count") == 5
    assert 0 < delta("insights_end_to_end_seconds_sum") < 60
    assert delta("insights_outbox_delay_seconds_count") == 6
    assert delta("insights_db_write_duration_seconds_count") >= 1
    in_use = get(after, "insights_db_pool_connections", state="in_use")
    idle = get(after, "insights_db_pool_connections", state="idle")
    assert 1 <= in_use + idle <= get(after, "insights_db_pool_max_connections") == settings.db_pool_max
    assert get(after, "insights_analyzer_up") == 1
    assert get(after, "insights_llm_config_ok") == 1


async def ready(http: aiohttp.ClientSession, base: str) -> tuple[int, dict[str, Any]]:
    async with http.get(f"{base}/ready") as resp:
        return resp.status, await resp.json()


async def test_ready_once_in_the_group_even_without_a_partition(stack: Stack, topics: dict[str, str]) -> None:
    """One partition, two members: both are ready, one of them holds the partition."""
    first = make_settings(stack, topics, free_port(), kafka_topic_partitions=1)
    second = make_settings(stack, topics, free_port(), kafka_topic_partitions=1)
    async with running_service(first) as base_a, aiohttp.ClientSession() as http:
        status, body = await ready(http, base_a)
        assert status == 200, body
        checks = body["checks"]
        assert checks["consumer"] == {"ok": True, "assigned_partitions": 1}
        assert checks["migrations"] == {"ok": True, "applied": len(read_migrations())}
        assert checks["database"] == {"ok": True}

        stop = asyncio.Event()
        task = asyncio.create_task(run_service(second, stop, handle_signals=False))
        base_b = f"http://127.0.0.1:{second.http_port}"
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while True:
                assert not task.done(), "the second service exited"
                assigned: list[int] = []
                with contextlib.suppress(aiohttp.ClientError):
                    for base in (base_a, base_b):
                        status, body = await ready(http, base)
                        if status == 200:
                            assigned.append(body["checks"]["consumer"]["assigned_partitions"])
                if sorted(assigned) == [0, 1]:
                    break
                assert loop.time() < deadline, f"not both ready with one partition between them: {assigned}"
                await asyncio.sleep(0.2)
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=60)


async def test_migrations_check_names_what_is_missing(stack: Stack) -> None:
    async with Store.connect(stack.dsn, output_topic="unused", min_size=1, max_size=2) as store:
        await store.migrate()
        shipped = read_migrations()
        assert await migrations_check(store, len(shipped))() == {"applied": len(shipped)}
        assert await store.missing_migrations() == []
        later = [*shipped, Migration("9999_not_yet.sql", "SELECT 1;\n")]
        assert await missing_migrations(store.pool, later) == ["9999_not_yet.sql"]


async def test_migrations_are_recorded_with_checksums_and_an_edited_one_is_refused(stack: Stack) -> None:
    async with Store.connect(stack.dsn, output_topic="unused", min_size=1, max_size=2) as store:
        await store.migrate()
        shipped = read_migrations()
        recorded = await applied_checksums(store.pool)
        assert {m.name: recorded[m.name] for m in shipped} == {m.name: m.checksum for m in shipped}

        # a database migrated before checksums were kept gets them on the next start
        await store.pool.execute(
            "UPDATE schema_migrations SET checksum = NULL WHERE name = $1", shipped[0].name
        )
        assert await store.migrate() == []
        assert (await applied_checksums(store.pool))[shipped[0].name] == shipped[0].checksum

        edited = Migration(
            shipped[1].name, shipped[1].sql + "\nALTER TABLE call_records ADD COLUMN oops INT;\n"
        )
        with pytest.raises(EditedMigrationError, match=shipped[1].name):
            await apply_migrations(store.pool, [shipped[0], edited, *shipped[2:]])
        columns = await store.pool.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'call_records'"
        )
        assert "oops" not in {row["column_name"] for row in columns}
        # the same text with Windows line endings is the same migration
        crlf = Migration(shipped[1].name, shipped[1].sql.replace("\n", "\r\n"))
        assert await apply_migrations(store.pool, [shipped[0], crlf, *shipped[2:]]) == []
