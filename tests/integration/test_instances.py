"""Three service instances in one consumer group, rolled one at a time while events flow.

A rolling deploy in small: three ``python -m consumer`` processes share a six-partition input topic
and a fake Gemini; a stream of events is published while each instance in turn gets SIGTERM, must
exit 0, is started again and must become ready (holding partitions, ``/ready`` 200) before the next
one goes. Afterwards every published event must have exactly one ``call_records`` row and its
InsightEvent on the output topic (a re-publish is allowed, with the same deterministic id), and
nothing may be dead-lettered. Throughput is measured by ``python -m producer_tools bench --instances``,
not here: timing assertions would be flaky on a shared machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiokafka import AIOKafkaProducer

from tests.conftest import Stack
from tests.integration.service_process import Processes, ServiceProcess, wait_for
from tests.integration.test_faults import Flow, create_topics, make_events

pytestmark = [pytest.mark.integration, pytest.mark.faults]

PARTITIONS = 6
INSTANCES = 3
RATE = 25.0  # events/s published: below what two instances sustain, so a roll never builds a backlog
MIN_EVENTS = 300
MAX_EVENTS = 1500


@pytest.fixture
def processes(
    stack: Stack, topics: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Processes]:
    """This test's subprocesses, stopped at the end; their logs are shown when the test fails."""
    group = Processes(stack, topics, tmp_path, {"kafka_session_timeout_ms": 6000})
    request.node.stash[Processes.stash_key] = group
    try:
        yield group
    finally:
        group.stop_all()


@dataclass
class Stream:
    """Publishes events at ``RATE`` until told to stop (after at least ``MIN_EVENTS``)."""

    bootstrap: str
    topic: str
    events: list[dict[str, Any]] = field(default_factory=lambda: make_events(MAX_EVENTS))
    published: int = 0
    enough: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", linger_ms=5)
        await producer.start()
        started = time.monotonic()
        try:
            for event in self.events:
                if self.enough.is_set() and self.published >= MIN_EVENTS:
                    break
                await producer.send_and_wait(
                    self.topic,
                    json.dumps(event, ensure_ascii=False).encode(),
                    key=str(event["call_id"]).encode(),
                )
                self.published += 1
                ahead = started + self.published / RATE - time.monotonic()
                if ahead > 0:
                    await asyncio.sleep(ahead)
        finally:
            await producer.stop()


async def ready_status(service: ServiceProcess) -> int | None:
    """``GET /ready``'s status, or None when the sidecar does not answer."""
    with contextlib.suppress(aiohttp.ClientError, TimeoutError):
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.get(f"{service.base_url}/ready") as resp,
        ):
            return resp.status
    return None


@pytest.mark.timeout(180)
async def test_three_instances_rolled_one_by_one_process_every_event_exactly_once(
    stack: Stack, topics: dict[str, str], processes: Processes
) -> None:
    await create_topics(stack.bootstrap, topics, PARTITIONS)
    fake = await processes.fake_gemini(latency=0.3)
    services = [
        processes.service(fake.service_settings(max_in_flight=8, max_buffered=16), name=f"instance-{n}")
        for n in range(1, INSTANCES + 1)
    ]
    for service in services:
        service.start()
    await asyncio.gather(*(s.wait_ready() for s in services))

    async def group_holds_every_partition() -> bool:
        held = [await s.assigned_partitions() for s in services]
        return sum(held) == PARTITIONS and all(held)

    await wait_for(group_holds_every_partition, timeout=60, what="the group to share the six partitions")

    stream = Stream(stack.bootstrap, topics["KAFKA_INPUT_TOPIC"])
    publisher = asyncio.create_task(stream.run())
    flow = Flow(stack, topics, stream.events, PARTITIONS)  # narrowed to what was published below
    try:
        await flow.wait_stored(60, timeout=60)
        for service in services:
            stored_before = await flow.stored() or 0
            published_before = stream.published
            service.send_signal(signal.SIGTERM)
            started = time.monotonic()
            code = await service.wait_exit(timeout=60)
            exited = time.monotonic()
            assert code == 0, f"{service.name} exited with {code} on SIGTERM"
            service.start()
            await service.wait_ready(timeout=90)
            assert await ready_status(service) == 200
            print(
                f"{service.name}: SIGTERM at {stored_before} stored of {published_before} published; "
                f"exit 0 after {exited - started:.1f}s, ready again after {time.monotonic() - exited:.1f}s"
            )
            await asyncio.sleep(1.0)  # events flow on the new generation before the next roll
        assert not publisher.done(), "the stream ended before the last roll; the rolls saw no flow"
    finally:
        stream.enough.set()
        await publisher

    flow.events = stream.events[: stream.published]
    print(f"{stream.published} events published during the run")
    await flow.assert_exactly_once(timeout=120)

    await wait_for(group_holds_every_partition, timeout=60, what="the rolled group to hold every partition")
    for service in services:
        assert service.running, f"{service.name} exited after its restart"
        assert service.starts == 2
        assert service.log_matches(r"assigned partitions: \[.+\]")
        service.send_signal(signal.SIGTERM)
    codes = [await s.wait_exit(timeout=60) for s in services]
    assert codes == [0] * INSTANCES
