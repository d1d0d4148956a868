"""A configuration Gemini refuses (a retired model, a refused key): the service says so and holds the
events until it is fixed, then recovers by itself; ``python -m consumer check`` says what to change.
Real Kafka and PostgreSQL, the real SDK against the fake Gemini."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from producer_tools.fake_gemini import FakeGemini
from schemas import InsightEvent
from tests.conftest import Stack
from tests.integration.helpers import consume, event, make_settings, publish_events, running_service

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def gemini() -> AsyncIterator[FakeGemini]:
    async with FakeGemini() as fake:
        yield fake


async def stored_rows(dsn: str, call_ids: list[str]) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(
            await conn.fetch(
                "SELECT call_id, analyzer_model, analyzer_usage FROM call_records WHERE call_id = ANY($1)",
                call_ids,
            )
        )
    finally:
        await conn.close()


async def get_json(http: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, object]]:
    async with http.get(url) as resp:
        return resp.status, await resp.json()


async def test_a_retired_model_holds_events_until_it_is_served_again(
    stack: Stack, topics: dict[str, str], free_port: int, gemini: FakeGemini
) -> None:
    gemini.retire_model("gemini-3.5-flash-lite")
    settings = make_settings(
        stack,
        topics,
        free_port,
        llm_provider="gemini",
        gemini_api_key="test-key-not-real",
        gemini_base_url=gemini.url,
        gemini_check_interval_s=0.5,
        llm_backoff_initial_s=0.01,
        llm_backoff_max_s=0.05,
    )
    events = [event(f"Customer: Friday ko {n}000 bhar dunga.") for n in range(1, 4)]
    call_ids = [str(e["call_id"]) for e in events]
    async with running_service(settings) as base, aiohttp.ClientSession() as http:
        status, health = await get_json(http, f"{base}/health")
        assert status == 503
        assert health["status"] == "degraded"
        analyzer = health["components"]["analyzer"]  # type: ignore[index]
        assert analyzer["status"] == "down"
        assert "gemini-3.5-flash-lite" in analyzer["error"]
        assert analyzer["reason"] == "llm_misconfigured"
        assert analyzer["configuration"]["state"] == "model_not_found"
        assert analyzer["configuration"]["suggested_models"]
        ready_status, ready = await get_json(http, f"{base}/ready")
        assert ready_status == 503
        assert ready["checks"]["llm_configuration"]["ok"] is False  # type: ignore[index]

        await publish_events(stack.bootstrap, settings.kafka_input_topic, events)
        await asyncio.sleep(2.0)
        assert await stored_rows(stack.dsn, call_ids) == []  # waiting, not dead-lettered
        assert gemini.count == 0

        gemini.restore_model("gemini-3.5-flash-lite")
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=3, timeout=60)
        status, health = await get_json(http, f"{base}/health")
        assert status == 200, health
        ready_status, _ = await get_json(http, f"{base}/ready")
        assert ready_status == 200
    insights = [InsightEvent.model_validate_json(r.value) for r in out]
    assert sorted(i.call_id for i in insights) == sorted(call_ids)
    for insight in insights:
        assert insight.analyzer.usage is not None
        assert insight.analyzer.usage.cached_tokens > 0  # the explicit cache, created once it could be
        assert insight.analyzer.estimated_cost_usd is not None
    rows = await stored_rows(stack.dsn, call_ids)
    assert len(rows) == 3
    for row in rows:
        usage = json.loads(row["analyzer_usage"])
        assert usage["prompt_tokens"] > usage["cached_tokens"] > 0
        assert usage["estimated_cost_usd"] > 0
    dlq = await consume(stack.bootstrap, settings.kafka_dlq_topic, expect=1, timeout=1.0)
    assert dlq == []


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "consumer", "check"],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "CRITICAL", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_check_says_what_is_wrong_and_how_to_fix_it(stack: Stack, gemini: FakeGemini) -> None:
    base = {
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap,
        "DATABASE_URL": stack.dsn,
        "GEMINI_API_KEY": "check-key-SECRET",
        "GEMINI_BASE_URL": gemini.url,
    }
    good = await asyncio.to_thread(run_check, base)
    assert good.returncode == 0, good.stdout + good.stderr
    lines = good.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["kafka", "postgresql", "llm"]
    assert all(line.split()[1] == "ok" for line in lines)
    assert "gemini-3.5-flash-lite via gemini_api: model found" in lines[2]
    assert gemini.stats()["caches"]["live"] == 0  # check deletes what it created

    retired = await asyncio.to_thread(run_check, {**base, "GEMINI_MODEL": "gemini-2.0-flash"})
    assert retired.returncode == 1
    llm = retired.stdout.splitlines()[2]
    assert llm.startswith("llm         FAIL")
    assert "gemini-2.0-flash" in llm
    assert "fix: set GEMINI_MODEL" in llm
    assert "check-key-SECRET" not in retired.stdout + retired.stderr

    gemini.set_api_keys({"another-key"})
    refused = await asyncio.to_thread(run_check, base)
    assert refused.returncode == 1
    assert "API key" in refused.stdout.splitlines()[2]
    gemini.set_api_keys(None)

    down = await asyncio.to_thread(
        run_check,
        {**base, "DATABASE_URL": "postgresql://postgres:pw@127.0.0.1:1/none", "LLM_PROVIDER": "offline"},
    )
    assert down.returncode == 1
    pg = down.stdout.splitlines()[1]
    assert pg.startswith("postgresql  FAIL")
    assert "fix: start PostgreSQL" in pg
    assert "pw@" not in down.stdout
    assert down.stdout.splitlines()[2].startswith("llm         ok    offline analyzer")


async def test_vertex_backend_is_named_by_check(stack: Stack, gemini: FakeGemini) -> None:
    done = await asyncio.to_thread(
        run_check,
        {
            "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap,
            "DATABASE_URL": stack.dsn,
            "GOOGLE_GENAI_USE_VERTEXAI": "true",
            "GOOGLE_CLOUD_PROJECT": "lender-prod",
            "GEMINI_BASE_URL": gemini.url,
        },
    )
    assert done.returncode == 1
    llm = done.stdout.splitlines()[2]
    assert "GOOGLE_CLOUD_LOCATION" in llm
