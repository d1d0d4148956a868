"""Idempotency keys on the real PostgreSQL: one analysis per key, whoever asks and however often."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest

from consumer.db.idempotency import IdempotencyKeyReusedError, IdempotencyKeys
from consumer.db.insights import StoredInsight
from consumer.db.migrations import apply_migrations
from consumer.errors import AnalyzerUnavailableError
from schemas import AnalyzerInfo, CallAnalysis
from tests.conftest import Stack

pytestmark = pytest.mark.integration


class Work:
    """Stands in for the pipeline: 'analyses' an event id once, then returns what it stored."""

    def __init__(self) -> None:
        self.analyses: list[uuid.UUID] = []
        self.stored: dict[uuid.UUID, StoredInsight] = {}
        self.gate = asyncio.Event()
        self.gate.set()
        self.started = asyncio.Event()
        self.fail_next = False

    async def __call__(self, event_id: uuid.UUID) -> StoredInsight:
        if event_id in self.stored:
            return self.stored[event_id]
        self.analyses.append(event_id)
        self.started.set()
        await self.gate.wait()
        if self.fail_next:
            self.fail_next = False
            raise AnalyzerUnavailableError("LLM down")
        stored = StoredInsight(
            record_id=len(self.stored) + 1,
            unique_id=uuid.uuid4().hex,
            event_id=event_id,
            call_id=f"http-{event_id}",
            transcript="Customer: kal dunga",
            analysis=CallAnalysis(
                customer_intent="Promise to Pay",
                intent_category="promise_to_pay",
                sentiment="Positive",
                action_required=True,
                summary="Will pay tomorrow.",
            ),
            analyzer=AnalyzerInfo(provider="offline", model="test"),
            processed_at=datetime.now(UTC),
            processing_time_ms=1.0,
            created=True,
        )
        self.stored[event_id] = stored
        return stored


@pytest.fixture
async def pool(stack: Stack) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(stack.dsn, min_size=1, max_size=8) as pool:
        await apply_migrations(pool)
        yield pool


def keys(pool: asyncpg.Pool, **overrides: float) -> IdempotencyKeys:
    options = {"ttl_s": 3600.0, "lease_s": 30.0, "poll_initial_s": 0.01, "poll_max_s": 0.05, **overrides}
    return IdempotencyKeys(pool, **options)


async def test_concurrent_requests_with_one_key_make_one_analysis(pool: asyncpg.Pool) -> None:
    """Eight requests at once, spread over two service instances: one analysis, one record."""
    work = Work()
    work.gate.clear()
    key = f"k-{uuid.uuid4()}"
    instances = [keys(pool), keys(pool)]
    runs = [asyncio.create_task(instances[n % 2].run("key:a", key, "hash-1", work)) for n in range(8)]
    await work.started.wait()
    await asyncio.sleep(0.1)  # the others are waiting now, not analysing
    assert len(work.analyses) == 1
    work.gate.set()
    outcomes = await asyncio.gather(*runs)
    assert len(work.analyses) == 1
    assert {o.stored.record_id for o in outcomes} == {1}
    assert sorted(o.replayed for o in outcomes) == [False] + [True] * 7
    row = await pool.fetchrow(
        "SELECT record_id, locked_until FROM idempotency_keys WHERE idempotency_key = $1", key
    )
    assert row["record_id"] == 1
    assert row["locked_until"] is None


async def test_same_key_with_another_body_is_refused(pool: asyncpg.Pool) -> None:
    work, store, key = Work(), keys(pool), f"k-{uuid.uuid4()}"
    await store.run("key:a", key, "hash-1", work)
    with pytest.raises(IdempotencyKeyReusedError):
        await store.run("key:a", key, "hash-2", work)
    assert len(work.analyses) == 1


async def test_keys_belong_to_their_caller(pool: asyncpg.Pool) -> None:
    work, store, key = Work(), keys(pool), f"k-{uuid.uuid4()}"
    first = await store.run("key:a", key, "hash-1", work)
    second = await store.run("key:b", key, "hash-1", work)
    assert first.stored.event_id != second.stored.event_id
    assert len(work.analyses) == 2


async def test_failed_request_frees_the_key_for_a_retry(pool: asyncpg.Pool) -> None:
    work, store, key = Work(), keys(pool), f"k-{uuid.uuid4()}"
    work.fail_next = True
    with pytest.raises(AnalyzerUnavailableError):
        await store.run("key:a", key, "hash-1", work)
    retry = await store.run("key:a", key, "hash-1", work)
    assert retry.replayed is False
    assert work.analyses == [retry.stored.event_id] * 2  # the same event id, analysed again


async def test_abandoned_key_is_taken_over_after_its_lease(pool: asyncpg.Pool) -> None:
    """A request whose instance died leaves a lease; once it is over, a retry takes the key."""
    work, key = Work(), f"k-{uuid.uuid4()}"
    event_id = uuid.uuid4()
    await pool.execute(
        "INSERT INTO idempotency_keys (principal, idempotency_key, request_hash, event_id, locked_until)"
        " VALUES ('key:a', $1, 'hash-1', $2, now() - interval '1 second')",
        key,
        event_id,
    )
    outcome = await keys(pool).run("key:a", key, "hash-1", work)
    assert outcome.stored.event_id == event_id
    assert work.analyses == [event_id]


async def test_expired_key_starts_afresh(pool: asyncpg.Pool) -> None:
    work, store, key = Work(), keys(pool), f"k-{uuid.uuid4()}"
    first = await store.run("key:a", key, "hash-1", work)
    await pool.execute(
        "UPDATE idempotency_keys SET created_at = now() - interval '2 hours' WHERE idempotency_key = $1", key
    )
    again = await store.run("key:a", key, "hash-2", work)  # another body is fine once expired
    assert again.replayed is False
    assert again.stored.event_id != first.stored.event_id
