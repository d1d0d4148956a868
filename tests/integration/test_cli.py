"""The command-line tools against the real broker and database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from producer_tools.databases import scratch_database
from producer_tools.samples import SAMPLES_PATH, load_rows
from tests.conftest import ROOT, Stack
from tests.integration.helpers import consume

pytestmark = pytest.mark.integration


async def bench_topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {t for t in await admin.list_topics() if t.startswith("bench.")}
    finally:
        await admin.close()


def run(
    python: str, *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_migrate_applies_once(stack: Stack, python: str) -> None:
    async with scratch_database(stack.admin_dsn, "insights_migrate") as dsn:
        first = run(python, "-m", "consumer", "migrate", env={"DATABASE_URL": dsn})
        second = run(python, "-m", "consumer", "migrate", env={"DATABASE_URL": dsn})
        assert first.returncode == 0, first.stderr
        assert second.returncode == 0, second.stderr
        applied = json.loads(first.stdout)["applied"]
        assert applied[0] == "0001_call_records.sql"
        assert json.loads(second.stdout)["applied"] == []
        conn = await asyncpg.connect(dsn)
        try:
            columns = {
                r["column_name"]
                for r in await conn.fetch(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'call_records'"
                )
            }
            indexes = {r["indexname"] for r in await conn.fetch("SELECT indexname FROM pg_indexes")}
            with pytest.raises(asyncpg.CheckViolationError):
                await conn.execute(
                    "INSERT INTO call_records (unique_id, transcript, sentiment, event_id, call_id, "
                    "intent_category) VALUES ('u', 't', 'Happy', gen_random_uuid(), 'c', 'other')"
                )
        finally:
            await conn.close()
        original = {"id", "unique_id", "transcript", "intent", "sentiment", "action_required", "summary",
                    "metadata", "created_at", "updated_at"}  # fmt: skip
        assert original | {"event_id", "call_id", "intent_category"} <= columns
        assert {
            "idx_call_records_unique_id",
            "idx_call_records_sentiment",
            "idx_call_records_created_at",
        } <= indexes


async def test_migration_upgrades_original_table(stack: Stack, python: str) -> None:
    """A database of the original FastAPI app keeps its rows and gains the new columns."""
    async with scratch_database(stack.admin_dsn, "insights_upgrade") as dsn:
        conn = await asyncpg.connect(dsn)
        await conn.execute(
            """CREATE TABLE call_records (
                id SERIAL PRIMARY KEY, unique_id VARCHAR(255) UNIQUE NOT NULL, transcript TEXT NOT NULL,
                intent VARCHAR(255),
                sentiment VARCHAR(20) CHECK (sentiment IN ('Positive', 'Neutral', 'Negative')),
                action_required BOOLEAN DEFAULT FALSE, summary TEXT, metadata JSONB,
                created_at TIMESTAMPTZ DEFAULT NOW(), updated_at TIMESTAMPTZ DEFAULT NOW());
            INSERT INTO call_records (unique_id, transcript, intent, sentiment, action_required, summary)
            VALUES ('old-1', 'Yes, will pay on time!', 'Promise to Pay', 'Positive', false, 'Will pay.');"""
        )
        await conn.close()
        result = run(python, "-m", "consumer", "migrate", env={"DATABASE_URL": dsn})
        assert result.returncode == 0, result.stderr
        conn = await asyncpg.connect(dsn)
        try:
            row = await conn.fetchrow("SELECT * FROM call_records WHERE unique_id = 'old-1'")
        finally:
            await conn.close()
        assert row["event_id"] is not None
        assert row["call_id"] == "old-1"
        assert row["intent_category"] == "other"
        assert row["intent"] == "Promise to Pay"


async def test_send_publishes_fresh_events(stack: Stack, topics: dict[str, str], python: str) -> None:
    topic = topics["KAFKA_INPUT_TOPIC"]
    env = {"KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap}
    rows = len(load_rows(SAMPLES_PATH))
    count = rows + 5  # cycles past the end of the samples
    result = run(python, "-m", "producer_tools", "send", "--count", str(count), "--topic", topic, env=env)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["sent"] == count
    assert summary["failed"] == 0
    records = await consume(stack.bootstrap, topic, expect=count, timeout=30)
    assert len(records) == count
    events = [json.loads(r.value) for r in records]
    assert len({e["event_id"] for e in events}) == count
    assert len({e["call_id"] for e in events}) == count
    assert all(r.key.decode() == json.loads(r.value)["call_id"] for r in records)
    assert "%" in result.stderr  # the progress bar


def test_send_reports_bad_file(python: str) -> None:
    result = run(python, "-m", "producer_tools", "send", "--file", "/nonexistent.jsonl", env={})
    assert result.returncode == 2
    assert "cannot read events" in result.stderr


@pytest.mark.parametrize(
    ("options", "efficiency"),
    [
        (["--provider", "offline", "--partitions", "2", "--preload", "--offline-workers", "1"], False),
        (["--latency", "0.05", "--max-in-flight", "8", "--partitions", "1"], True),
    ],
    ids=["offline-preloaded", "gemini-fake"],
)
async def test_bench_runs_the_service_and_reports_exactly_once(
    stack: Stack, python: str, tmp_path: object, options: list[str], efficiency: bool
) -> None:
    topics_before = await bench_topics(stack.bootstrap)
    done = run(
        python,
        "-m",
        "producer_tools",
        "bench",
        "--events",
        "60",
        *options,
        "--bootstrap",
        stack.bootstrap,
        "--database-url",
        stack.admin_dsn,
        "--no-progress",
        "--logs",
        str(tmp_path),
        env={},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert (result["events"], result["insights"], result["rows"]) == (60, 60, 60)
    assert result["exactly_once"] is True
    assert result["duplicate_insights"] == 0
    assert result["events_per_s"] > 0
    assert result["cpu_ms_per_event"] > 0
    assert ("littles_law_efficiency" in result) is efficiency
    assert ("latency_ms_p50" in result) is not result["preloaded"]
    assert result["analysis_ms_mean"] > 0  # from the service's /metrics
    assert ("llm_request_ms_mean" in result) is efficiency
    if efficiency:  # every request waited for the fake's 50 ms
        assert result["llm_request_ms_mean"] >= 50
    for _ in range(50):  # its topics went with the run (the broker's metadata may lag a moment)
        left = await bench_topics(stack.bootstrap) - topics_before
        if not left:
            break
        await asyncio.sleep(0.2)
    assert not left
