"""``producer_tools backfill`` end to end: the CLI against the session's PostgreSQL and Kafka and an
in-process fake Gemini serving the Batch and Files APIs."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from consumer.analyzer.gemini_client import make_client
from consumer.db.insights import insight_event_id
from consumer.db.store import Store
from consumer.settings import Settings
from producer_tools import backfill as bf
from producer_tools.__main__ import main as cli
from producer_tools.fake_gemini import FakeGemini
from schemas import InsightEvent, TranscriptEvent
from tests.conftest import Stack
from tests.integration.helpers import event, publish_events

pytestmark = pytest.mark.integration


@pytest.fixture
async def fake() -> AsyncIterator[FakeGemini]:
    async with FakeGemini(batch_seconds=0.3) as server:
        yield server


@pytest.fixture
async def env(
    stack: Stack, topics: dict[str, str], fake: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The environment the CLI reads its settings from; the session's database migrated."""
    async with Store.connect(stack.dsn, output_topic="t", min_size=1, max_size=1) as store:
        await store.migrate()
    values = {
        "DATABASE_URL": stack.dsn,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap,
        "KAFKA_OUTPUT_TOPIC": topics["KAFKA_OUTPUT_TOPIC"],
        "GEMINI_API_KEY": "k",
        "GEMINI_BASE_URL": fake.url,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


async def backfill(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    """Run the CLI (in a thread: it runs its own event loop); (status, summary, stderr)."""
    status = await asyncio.to_thread(cli, ["backfill", "--poll-s", "0.05", "--no-progress", *args])
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    summary: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return status, summary, err


def write_events(path: Path, events: list[dict[str, Any]], *extra_lines: str) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events) + "".join(f"{x}\n" for x in extra_lines))
    return path


async def rows(dsn: str, events: list[dict[str, Any]]) -> dict[str, asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        found = await conn.fetch(
            "SELECT event_id, source, analyzer_provider, analyzer_usage, analysis_version, created_at,"
            " updated_at, summary, id FROM call_records WHERE event_id = ANY($1::uuid[])",
            [uuid.UUID(e["event_id"]) for e in events],
        )
    finally:
        await conn.close()
    return {str(r["event_id"]): r for r in found}


async def outbox(dsn: str, record_ids: list[int]) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(
            await conn.fetch(
                "SELECT event_id, payload FROM insight_outbox WHERE record_id = ANY($1::int[]) ORDER BY id",
                record_ids,
            )
        )
    finally:
        await conn.close()


async def test_backfill_stores_skips_and_reanalyses(
    stack: Stack, env: dict[str, str], fake: FakeGemini, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = [event(f"Customer: parso {n}000 bhej dunga, pakka.") for n in range(1, 4)]
    source = write_events(tmp_path / "calls.jsonl", calls, json.dumps({"transcript": "Customer: kal dunga"}))

    status, summary, err = await backfill(capsys, str(source), "--inline-max", "2")
    assert status == 0, err
    assert summary["events"] == 3
    assert summary["invalid"] == 1
    assert (summary["submitted"], summary["succeeded"], summary["stored"], summary["jobs"]) == (3, 3, 3, 1)
    assert summary["prompt_tokens"] > 0
    assert summary["estimated_cost_usd"] > 0
    assert "no event_id" in err
    assert fake.endpoint_counts.get("files.upload", 0) >= 1
    stored = await rows(stack.dsn, calls)
    assert len(stored) == 3
    first = stored[calls[0]["event_id"]]
    assert (first["source"], first["analyzer_provider"], first["analysis_version"]) == (
        "backfill",
        "gemini",
        1,
    )
    usage = json.loads(first["analyzer_usage"])
    assert usage["prompt_tokens"] > 0
    assert usage["estimated_cost_usd"] > 0
    [entry] = await outbox(stack.dsn, [first["id"]])
    assert entry["event_id"] == InsightEvent.id_for(uuid.UUID(calls[0]["event_id"]))

    newcomer = event("Customer: abhi paise nahi hain, job chali gayi.")
    more = write_events(tmp_path / "more.jsonl", [calls[0], newcomer])
    status, summary, err = await backfill(capsys, str(more))
    assert status == 0, err
    assert (summary["skipped_stored"], summary["submitted"], summary["stored"]) == (1, 1, 1)
    assert len(fake.batches) == 2

    status, summary, err = await backfill(
        capsys, str(source), "--reanalyze", "--state", str(tmp_path / "re.json")
    )
    assert status == 0, err
    assert (summary["skipped_stored"], summary["submitted"], summary["reanalyzed"], summary["stored"]) == (
        0,
        3,
        3,
        0,
    )
    again = await rows(stack.dsn, calls)
    redone = again[calls[0]["event_id"]]
    assert redone["analysis_version"] == 2
    assert redone["updated_at"] > redone["created_at"]
    assert redone["id"] == first["id"]
    entries = await outbox(stack.dsn, [first["id"]])
    new_id = insight_event_id(uuid.UUID(calls[0]["event_id"]), 2)
    assert [e["event_id"] for e in entries] == [entry["event_id"], new_id]
    assert new_id != entry["event_id"]
    payload = InsightEvent.model_validate_json(entries[1]["payload"])
    assert payload.event_id == new_id
    assert payload.analysis_version == 2
    assert InsightEvent.model_validate_json(entries[0]["payload"]).analysis_version == 1
    assert payload.analyzer.usage is not None


async def test_a_failed_item_is_reported_and_the_rest_stored(
    stack: Stack, env: dict[str, str], fake: FakeGemini, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = f"poison-{uuid.uuid4().hex[:6]}"
    calls = [event("Customer: main kal 5000 de dunga."), event(f"Customer: {marker} nahi dunga.")]
    source = write_events(tmp_path / "calls.jsonl", calls)
    fake.fail_batch_items_containing = marker
    status, summary, err = await backfill(capsys, str(source))
    assert status == 1
    assert (summary["succeeded"], summary["failed"], summary["stored"]) == (1, 1, 1)
    assert f"failed {calls[1]['event_id']}" in err
    failures = tmp_path / "calls.jsonl.backfill-failures.jsonl"
    [line] = [json.loads(x) for x in failures.read_text().splitlines()]
    assert line["event_id"] == calls[1]["event_id"]
    assert "Gemini error" in line["backfill_error"]
    assert set(await rows(stack.dsn, calls)) == {calls[0]["event_id"]}

    fake.fail_batch_items_containing = None
    status, summary, err = await backfill(capsys, str(source))
    assert status == 0, err
    assert (summary["skipped_stored"], summary["submitted"], summary["stored"]) == (1, 1, 1)
    assert not failures.exists()


async def test_a_crashed_run_resumes_its_job_without_submitting_again(
    stack: Stack, env: dict[str, str], fake: FakeGemini, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = [event(f"Customer: {n} tareekh ko pay karunga.") for n in range(1, 3)]
    source = write_events(tmp_path / "calls.jsonl", calls)
    settings = Settings(_env_file=None, gemini_api_key="k", gemini_base_url=fake.url)  # type: ignore[call-arg]
    events = [TranscriptEvent.model_validate(c) for c in calls]
    async with aiohttp.ClientSession() as session:
        client = make_client(settings, session=session)
        job = await client.aio.batches.create(
            model=settings.gemini_model,
            src=[bf.inline_request(bf.build_request(e, settings), str(e.event_id)) for e in events],
            config={"display_name": "crashed"},
        )
    assert job.name is not None
    state = bf.State(
        input=bf.read_file(source).identity,
        reanalyze=False,
        chunks=[bf.Chunk(index=0, event_ids=[c["event_id"] for c in calls], job=job.name)],
    )
    state.save(tmp_path / "calls.jsonl.backfill-state.json")
    assert len(fake.batches) == 1

    status, summary, err = await backfill(capsys, str(source))
    assert status == 0, err
    assert len(fake.batches) == 1
    assert (summary["submitted"], summary["jobs"], summary["stored"]) == (0, 1, 2)
    assert set(await rows(stack.dsn, calls)) == {c["event_id"] for c in calls}
    resumed = bf.State.load(tmp_path / "calls.jsonl.backfill-state.json")
    assert resumed is not None
    assert resumed.chunks[0].stored


async def test_backfill_from_a_topic(
    stack: Stack,
    env: dict[str, str],
    topics: dict[str, str],
    fake: FakeGemini,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    calls = [event("Customer: salary aate hi bhar dunga."), event("Customer: galat number hai.")]
    topic = topics["KAFKA_INPUT_TOPIC"]
    since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    await publish_events(stack.bootstrap, topic, calls)
    status, summary, err = await backfill(
        capsys, "--topic", topic, "--from", since, "--state", str(tmp_path / "topic.json")
    )
    assert status == 0, err
    assert (summary["events"], summary["stored"]) == (2, 2)
    assert set(await rows(stack.dsn, calls)) == {c["event_id"] for c in calls}

    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    status, summary, err = await backfill(
        capsys, "--topic", topic, "--from", later, "--state", str(tmp_path / "later.json")
    )
    assert status == 0, err
    assert (summary["events"], summary["jobs"]) == (0, 0)
