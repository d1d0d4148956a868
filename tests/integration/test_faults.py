"""Fault tests: the service as a subprocess on the real broker and database, while things break.

Each test publishes a stream of TranscriptEvents, breaks something mid-stream (SIGKILL, the broker or
PostgreSQL stopped and restarted, the LLM failing, a second consumer joining, SIGTERM) and then checks
the service's promise: every event ends up as exactly one ``call_records`` row and one outbox entry,
its InsightEvent is on the output topic (a re-publish is allowed, carrying the same ``event_id``), and
nothing was dead-lettered.

Processing is stretched over several seconds by a fake Gemini subprocess with some latency, so that
the faults land while records are in flight. Waits are on conditions with generous deadlines; the
fixed sleeps are only the length of an outage. Tests that stop Kafka or PostgreSQL restore them in a
``finally`` and skip unless the stack in use is this checkout's own ``scripts/devstack``.

``FAULTS_SEED=<n>`` replays the random kill moments of a failed run (the seed is printed).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from producer_tools.samples import load_rows, to_event
from schemas import InsightEvent
from tests.conftest import Stack, fresh_topics
from tests.integration.helpers import publish_events
from tests.integration.service_process import Devstack, Processes, ServiceProcess, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.faults]

# What asyncpg raises while PostgreSQL is stopped, starting or stopping.
DATABASE_DOWN: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
)

# A short consumer-group session: a SIGKILLed member is noticed after 6 s rather than 30 s, so each
# restart after a kill waits that long for its partitions (6 s is the broker's minimum).
SESSION_TIMEOUT_MS = 6000


@pytest.fixture
def processes(
    stack: Stack, topics: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Processes]:
    """This test's subprocesses, stopped at the end; their logs are shown when the test fails."""
    group = Processes(stack, topics, tmp_path, {"kafka_session_timeout_ms": SESSION_TIMEOUT_MS})
    request.node.stash[Processes.stash_key] = group
    try:
        yield group
    finally:
        group.stop_all()


def make_events(count: int, *, per_call: int = 3) -> list[dict[str, Any]]:
    """``count`` TranscriptEvents from the bundled samples; ``per_call`` consecutive ones share a
    ``call_id`` (the Kafka key), so per-call ordering is exercised as well."""
    rows = load_rows()
    events = [to_event(rows[n % len(rows)]) for n in range(count)]
    for n, event in enumerate(events):
        event["call_id"] = events[n - n % per_call]["call_id"]
    return events


async def create_topics(bootstrap: str, topics: dict[str, str], partitions: int) -> None:
    """Create the test's input, output and dead-letter topics with ``partitions`` partitions each."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [topics[k] for k in ("KAFKA_INPUT_TOPIC", "KAFKA_OUTPUT_TOPIC", "KAFKA_DLQ_TOPIC")]
        await admin.create_topics(
            [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in names]
        )
    finally:
        await admin.close()


@dataclass
class Flow:
    """A batch of events pushed through the service, and the checks of what came out."""

    stack: Stack
    topics: dict[str, str]
    events: list[dict[str, Any]]
    partitions: int

    @property
    def event_ids(self) -> list[uuid.UUID]:
        """The source events' ids."""
        return [uuid.UUID(e["event_id"]) for e in self.events]

    async def publish(self) -> None:
        """Publish every event to the input topic (acknowledged by the broker)."""
        await publish_events(self.stack.bootstrap, self.topics["KAFKA_INPUT_TOPIC"], self.events)

    async def stored(self) -> int | None:
        """How many of the events have a row; None while the database does not answer."""
        try:
            conn = await asyncpg.connect(self.stack.dsn, timeout=5)
            try:
                count = await conn.fetchval(
                    "SELECT count(*) FROM call_records WHERE event_id = ANY($1::uuid[])", self.event_ids
                )
            finally:
                with contextlib.suppress(*DATABASE_DOWN):
                    await conn.close(timeout=5)
        except DATABASE_DOWN:
            return None
        return int(count)

    async def wait_stored(self, at_least: int, *, timeout: float) -> int:
        """Wait until at least ``at_least`` events are stored; return how many are."""
        seen = 0

        async def enough() -> bool:
            nonlocal seen
            seen = await self.stored() or seen
            return seen >= at_least

        await wait_for(enough, timeout=timeout, what=f"{at_least} stored events (last count {seen})")
        return seen

    async def assert_exactly_once(self, *, timeout: float = 120.0) -> None:
        """Every event stored once and its outbox entry published (gone); every InsightEvent on the
        output topic, duplicates carrying the same ids; nothing dead-lettered."""
        total = len(self.events)
        await self.wait_stored(total, timeout=timeout)
        conn = await asyncpg.connect(self.stack.dsn)
        try:
            outbox: dict[str, int] = {}

            async def all_published() -> bool:
                row = await conn.fetchrow(
                    "SELECT count(o.id) AS unpublished, count(DISTINCT r.event_id) AS events"
                    " FROM call_records r LEFT JOIN insight_outbox o ON o.record_id = r.id"
                    " WHERE r.event_id = ANY($1::uuid[])",
                    self.event_ids,
                )
                outbox.update(dict(row))
                return bool(row["unpublished"] == 0 and row["events"] == total)

            await wait_for(all_published, timeout=timeout, what=f"the outbox to be published ({outbox})")
            assert outbox == {"unpublished": 0, "events": total}
            rows = await conn.fetch(
                "SELECT event_id, id FROM call_records WHERE event_id = ANY($1::uuid[])", self.event_ids
            )
        finally:
            await conn.close()
        record_ids = {r["event_id"]: r["id"] for r in rows}
        assert len(rows) == total == len(record_ids)

        insights = await self.read_insights(timeout=timeout)
        assert set(insights) == set(self.event_ids)
        for source, copies in insights.items():
            for insight in copies:
                assert insight.event_id == InsightEvent.id_for(source), insight
                assert insight.record_id == record_ids[source], insight
            assert len({i.model_dump_json() for i in copies}) == 1, copies  # re-publishes are equal
        assert await self.dead_letters() == 0

    async def read_insights(self, *, timeout: float) -> dict[uuid.UUID, list[InsightEvent]]:
        """The output topic from the start, until every event's InsightEvent was seen."""
        consumer = AIOKafkaConsumer(
            self.topics["KAFKA_OUTPUT_TOPIC"],
            bootstrap_servers=self.stack.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        found: dict[uuid.UUID, list[InsightEvent]] = {}
        wanted = set(self.event_ids)
        deadline = time.monotonic() + timeout
        try:
            while not wanted <= found.keys() and time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=500, max_records=5000)
                for records in batch.values():
                    for record in records:
                        insight = InsightEvent.model_validate_json(record.value)
                        found.setdefault(insight.source_event_id, []).append(insight)
        finally:
            await consumer.stop()
        missing = len(wanted - found.keys())
        assert missing == 0, f"{missing} of {len(wanted)} InsightEvents not on the output topic"
        return found

    async def dead_letters(self) -> int:
        """Records on the dead-letter topic."""
        topic = self.topics["KAFKA_DLQ_TOPIC"]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.stack.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            ends = await consumer.end_offsets([TopicPartition(topic, p) for p in range(self.partitions)])
        finally:
            await consumer.stop()
        return sum(ends.values())


async def new_flow(stack: Stack, topics: dict[str, str], count: int, *, partitions: int = 3) -> Flow:
    """Topics created, events made (not yet published)."""
    await create_topics(stack.bootstrap, topics, partitions)
    return Flow(stack, topics, make_events(count), partitions)


def rng_for(test: str) -> random.Random:
    """A random generator with a printed seed (``FAULTS_SEED`` replays one)."""
    seed = int(os.environ.get("FAULTS_SEED") or random.SystemRandom().randrange(2**32))
    print(f"{test}: FAULTS_SEED={seed}")
    return random.Random(seed)


async def health_while(service: ServiceProcess, component: str, *, timeout: float) -> dict[str, Any] | None:
    """Wait for a 503 /health naming ``component`` as down; its body, or None if no 503 came."""
    degraded: dict[str, Any] | None = None

    async def reports_down() -> bool:
        nonlocal degraded
        answer = await service.health()
        if answer is not None and answer[0] == 503 and component in answer[1].get("down", []):
            degraded = answer[1]
        return degraded is not None

    try:
        await wait_for(reports_down, timeout=timeout, what=f"/health to report {component} down")
    except TimeoutError:
        return None
    return degraded


@pytest.mark.timeout(240)
async def test_sigkill_at_random_moments_loses_and_duplicates_nothing(
    stack: Stack, topics: dict[str, str], processes: Processes
) -> None:
    """SIGKILL at 2-3 random moments while 3000 events flow; after the last restart every event is
    stored exactly once and published."""
    rng = rng_for("sigkill")
    flow = await new_flow(stack, topics, 3000)
    await flow.publish()
    fake = await processes.fake_gemini(latency=0.03)
    service = processes.service(fake.service_settings(max_in_flight=16))
    kills = rng.randint(2, 3)
    for kill in range(1, kills + 1):
        service.start()
        before = await flow.stored() or 0
        target = before + int(rng.uniform(0.05, 0.25) * len(flow.events))
        reached = await flow.wait_stored(target, timeout=90)
        await asyncio.sleep(rng.uniform(0.0, 0.5))
        await service.kill()
        print(f"kill {kill}/{kills}: at >= {reached} stored (target {target})")
    service.start()
    await flow.assert_exactly_once(timeout=150)


@pytest.mark.timeout(240)
async def test_broker_stopped_and_restarted_mid_stream(
    stack: Stack, topics: dict[str, str], processes: Processes
) -> None:
    """Kafka goes away mid-stream for longer than the producer's request timeout (30 s), so that
    publishes fail rather than wait, then comes back. Two services are busy on separate topics: the
    survivor rides the outage out and carries on when the broker is back; the quitter gets SIGTERM
    during the outage and must still exit 0 in bounded time. In the end every event of both streams is
    stored once and published."""
    devstack = Devstack.controlling(stack)
    quitter_topics = fresh_topics()
    survivor_flow = await new_flow(stack, topics, 1500)
    quitter_flow = await new_flow(stack, quitter_topics, 600)
    fake = await processes.fake_gemini(latency=0.05)
    survivor = processes.service(fake.service_settings(max_in_flight=16), name="survivor")
    quitter_timeout = 3.0
    quitter = processes.service(
        fake.service_settings(max_in_flight=16, shutdown_timeout_s=quitter_timeout),
        name="quitter",
        topics=quitter_topics,
    )
    for service, flow in ((survivor, survivor_flow), (quitter, quitter_flow)):
        service.start()
        await service.wait_ready()
        await flow.publish()
    await survivor_flow.wait_stored(200, timeout=90)
    await quitter_flow.wait_stored(100, timeout=90)
    try:
        await devstack.run("kafka-stop")
        degraded = await health_while(survivor, "kafka", timeout=30)
        print(f"during the outage /health said: {degraded and degraded['components']['kafka']}")

        quitter.send_signal(signal.SIGTERM)
        started = time.monotonic()
        # drain, a final commit given up after 10 s, publishes in flight failing after the 30 s
        # request timeout, and closing: bounded, though the broker stays away
        code = await quitter.wait_exit(timeout=quitter_timeout + 10 + 30 + 30)
        print(f"quitter: exit {code} after {time.monotonic() - started:.1f}s with the broker down")
        assert code == 0

        async def publish_failed() -> bool:
            return bool(survivor.log_matches("outbox relay cannot publish yet"))

        # the survivor still stores what it fetched before the outage; its InsightEvents must wait
        await wait_for(publish_failed, timeout=90, what="the survivor's outbox relay to give up a publish")
    finally:
        await devstack.run("kafka-start")
    assert survivor.running, "the survivor exited while the broker was down"
    quitter.start()
    await survivor_flow.assert_exactly_once(timeout=150)
    await quitter_flow.assert_exactly_once(timeout=150)
    assert survivor.running


@pytest.mark.timeout(240)
async def test_database_stopped_and_restarted_mid_stream(
    stack: Stack, topics: dict[str, str], processes: Processes
) -> None:
    """PostgreSQL goes away for a few seconds mid-stream: /health says so, events wait, none is lost
    or dead-lettered (a database outage is transient)."""
    devstack = Devstack.controlling(stack)
    flow = await new_flow(stack, topics, 1500)
    fake = await processes.fake_gemini(latency=0.05)
    service = processes.service(fake.service_settings(max_in_flight=16))
    service.start()
    await service.wait_ready()
    await flow.publish()
    await flow.wait_stored(200, timeout=90)
    try:
        await devstack.run("pg-stop")
        degraded = await health_while(service, "database", timeout=30)
        print(f"during the outage /health said: {degraded}")
        answer = await service.health()
        assert degraded is not None or answer is None, f"/health did not report the database down: {answer}"
        if degraded is not None:
            assert "kafka" not in degraded["down"], "/health blamed Kafka for the database outage"
        await asyncio.sleep(3)
    finally:
        await devstack.run("pg-start")
    assert service.running, "the service exited while the database was down"
    await flow.assert_exactly_once(timeout=150)
    assert service.running


@pytest.mark.timeout(240)
async def test_llm_failing_for_30s_then_recovering(
    stack: Stack, topics: dict[str, str], processes: Processes
) -> None:
    """Gemini answers 503 for 30 s: events wait (nothing stored, nothing dead-lettered), the circuit
    opens so the service stops calling the failing LLM, /health reports it, and after recovery a
    probe closes it and every event is processed exactly once."""
    flow = await new_flow(stack, topics, 300)
    fake = await processes.fake_gemini(latency=0.01)
    service = processes.service(
        fake.service_settings(
            max_in_flight=32,
            llm_attempts=2,
            llm_backoff_max_s=0.5,
            circuit_failure_threshold=5,
            circuit_reset_s=3,
        )
    )
    service.start()
    await service.wait_ready()
    await fake.set_mode(fail_for_s=30)
    await flow.publish()

    degraded = await health_while(service, "analyzer", timeout=20)
    assert degraded is not None, "/health never reported the analyzer down during the outage"
    assert "circuit open" in degraded["components"]["analyzer"]["error"]
    calls_then = int((await fake.stats())["outcomes"].get("http_503", 0))
    await asyncio.sleep(6)  # two cool-downs: a probe each, plus the calls in flight when it opened
    calls_later = int((await fake.stats())["outcomes"].get("http_503", 0))
    stats = await fake.stats()
    if stats["failing"]:  # still in the outage, so nothing can have been analyzed
        assert await flow.stored() == 0
        # An open circuit stops the calls: without it, 300 events x 2 attempts would keep failing.
        assert calls_later - calls_then <= 2 * 32 + 10, (calls_then, calls_later)
    await flow.assert_exactly_once(timeout=150)
    assert (await fake.stats())["outcomes"].get("valid", 0) >= len(flow.events)


@pytest.mark.timeout(240)
async def test_second_consumer_joins_mid_stream(
    stack: Stack, topics: dict[str, str], processes: Processes
) -> None:
    """A second service process joins the group while the first is busy: the partitions are shared
    and every event is still stored once and published."""
    flow = await new_flow(stack, topics, 1200, partitions=4)
    fake = await processes.fake_gemini(latency=0.3)  # slow until the second one has joined
    first = processes.service(fake.service_settings(max_in_flight=8), name="service-a")
    second = processes.service(fake.service_settings(max_in_flight=8), name="service-b")
    first.start()
    await first.wait_ready()
    await flow.publish()
    await flow.wait_stored(50, timeout=90)
    second.start()

    async def shared() -> bool:
        return await first.assigned_partitions() > 0 and await second.assigned_partitions() > 0

    await wait_for(shared, timeout=90, what="both services to hold partitions")
    stored = await flow.stored()
    assert stored is not None
    assert stored < len(flow.events), "the second consumer joined after the stream was over"
    await fake.set_mode(latency=0.01)
    await flow.assert_exactly_once(timeout=150)
    assert first.running
    assert second.running
    assert await first.assigned_partitions() + await second.assigned_partitions() == 4
    assert second.log_matches(r"assigned partitions: \[.+\]")


@pytest.mark.timeout(240)
async def test_sigterm_drains_and_exits_zero(
    stack: Stack, topics: dict[str, str], processes: Processes
) -> None:
    """SIGTERM mid-stream: the service drains and exits 0 within SHUTDOWN_TIMEOUT_S (plus closing
    time); a restart completes the stream exactly once."""
    shutdown_timeout = 5.0
    flow = await new_flow(stack, topics, 1500)
    fake = await processes.fake_gemini(latency=0.05)
    service = processes.service(fake.service_settings(max_in_flight=16, shutdown_timeout_s=shutdown_timeout))
    service.start()
    await service.wait_ready()
    await flow.publish()
    await flow.wait_stored(200, timeout=90)
    stored = await flow.stored()
    service.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert stored is not None
    assert stored < len(flow.events), "the stream was over before SIGTERM"
    code = await service.wait_exit(timeout=shutdown_timeout + 30)
    took = time.monotonic() - started
    assert code == 0
    assert took < shutdown_timeout + 15, f"exit took {took:.1f}s"
    assert service.log_matches("draining")
    print(f"SIGTERM at {stored} stored: exit 0 after {took:.1f}s, {await flow.stored()} stored by then")
    service.start()
    await flow.assert_exactly_once(timeout=150)


@pytest.mark.timeout(240)
async def test_second_sigterm_during_drain_exits_at_once(
    stack: Stack, topics: dict[str, str], processes: Processes
) -> None:
    """A second SIGTERM while the service drains slow work exits at once; nothing is lost after a
    restart (unfinished records were not committed, stored ones are published)."""
    flow = await new_flow(stack, topics, 300)
    fake = await processes.fake_gemini(latency=2.0)  # a drain of 300 events would take a minute
    service = processes.service(fake.service_settings(max_in_flight=8, shutdown_timeout_s=120))
    service.start()
    await service.wait_ready()
    await flow.publish()
    await flow.wait_stored(8, timeout=60)
    service.send_signal(signal.SIGTERM)

    async def draining() -> bool:
        return bool(service.log_matches("draining"))

    await wait_for(draining, timeout=30, what="the service to start draining")
    service.send_signal(signal.SIGTERM)
    started = time.monotonic()
    code = await service.wait_exit(timeout=10)
    assert code != 0
    assert time.monotonic() - started < 5
    await fake.set_mode(latency=0.01)
    service.start()
    await flow.assert_exactly_once(timeout=150)
