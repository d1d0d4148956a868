"""``send``: publish TranscriptEvents to Kafka at a chosen rate, with a progress bar."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from collections.abc import Mapping
from typing import Any

from aiokafka import AIOKafkaProducer

from consumer.kafka.clients import start_client
from producer_tools.progress import tqdm
from producer_tools.samples import SAMPLES_PATH, load_rows, to_event


async def send(
    *,
    bootstrap: str,
    topic: str,
    rows: list[dict[str, Any]],
    count: int,
    rate: float,
    progress: bool = True,
    security: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Publish ``count`` events (cycling through ``rows``); return a summary.

    ``security``: TLS/SASL client options, as ``consumer.kafka.clients.kafka_client_options`` makes.
    """
    options = {**(security or {}), "bootstrap_servers": bootstrap}
    producer = AIOKafkaProducer(**options, acks="all", enable_idempotence=True, linger_ms=5)
    await start_client(producer, options)
    sent = failed = 0
    started = time.perf_counter()
    bar = tqdm(total=count, unit="ev", file=sys.stderr, disable=not progress, desc=f"→ {topic}")
    flush_every = 500 if rate <= 0 else max(1, min(500, int(rate // 10)))
    try:
        pending: list[asyncio.Future[Any]] = []
        for index, row in enumerate(itertools.islice(itertools.cycle(rows), count)):
            if rate > 0:
                due = started + index / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            event = to_event(row)
            value = json.dumps(event, ensure_ascii=False).encode()
            pending.append(await producer.send(topic, value=value, key=event["call_id"].encode()))
            if len(pending) >= flush_every:
                ok, bad = await _settle(pending)
                sent, failed = sent + ok, failed + bad
                bar.update(ok + bad)
                pending = []
        ok, bad = await _settle(pending)
        sent, failed = sent + ok, failed + bad
        bar.update(ok + bad)
    finally:
        bar.close()
        await producer.stop()
    elapsed = time.perf_counter() - started
    return {
        "sent": sent,
        "failed": failed,
        "topic": topic,
        "elapsed_s": round(elapsed, 3),
        "rate_per_s": round(sent / elapsed, 1) if elapsed > 0 else None,
    }


async def _settle(futures: list[asyncio.Future[Any]]) -> tuple[int, int]:
    results = await asyncio.gather(*futures, return_exceptions=True)
    bad = sum(isinstance(r, BaseException) for r in results)
    return len(results) - bad, bad


def load_source(path: str | None) -> list[dict[str, Any]]:
    """Rows from a JSONL file, or the bundled samples."""
    return load_rows(path or SAMPLES_PATH)
