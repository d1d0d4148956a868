"""``producer_tools tail`` and ``replay-dlq`` against the real broker."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from consumer.http.asyncapi import build_asyncapi
from producer_tools.replay import partitions_of
from schemas import InsightEvent
from tests.conftest import ROOT, Stack
from tests.integration.helpers import consume

pytestmark = pytest.mark.integration


def tool(python: str, bootstrap: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "-m", "producer_tools", *args],
        cwd=ROOT,
        env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def last_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


async def produce(
    bootstrap: str, topic: str, records: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]
) -> None:
    """Publish (key, value, headers) records in order and wait for every acknowledgement."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def record_count(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in await partitions_of(bootstrap, topic)]
        return sum((await consumer.end_offsets(parts)).values())
    finally:
        await consumer.stop()


def insights() -> list[dict[str, Any]]:
    """Three valid InsightEvents; only the last one is Negative."""
    example = build_asyncapi()["components"]["messages"]["InsightEvent"]["examples"][0]["payload"]
    events = []
    for n, sentiment in enumerate(["Positive", "Neutral", "Negative"]):
        source = uuid.uuid4()
        event = {**example, "call_id": f"call-{n}-{source.hex[:6]}", "sentiment": sentiment}
        event |= {"source_event_id": str(source), "event_id": str(InsightEvent.id_for(source))}
        events.append(InsightEvent.model_validate(event).model_dump(mode="json"))
    return events


def dlq_headers(reason: str, original_topic: str) -> list[tuple[str, bytes]]:
    return [
        ("x-dlq-reason", reason.encode()),
        ("x-dlq-error", b"something failed"),
        ("x-dlq-original-topic", original_topic.encode()),
        ("x-dlq-original-partition", b"0"),
        ("x-dlq-original-offset", b"5"),
        ("x-dlq-attempts", b"1"),
        ("x-dlq-failed-at", b"2026-11-20T05:00:00+00:00"),
    ]


async def test_tail_prints_insights_and_dead_letters(
    stack: Stack, topics: dict[str, str], python: str
) -> None:
    out, dlq = topics["KAFKA_OUTPUT_TOPIC"], topics["KAFKA_DLQ_TOPIC"]
    events = insights()
    # one key, so one partition and this order: a filter that lets everything through shows the first
    await produce(stack.bootstrap, out, [(b"k", json.dumps(e).encode(), []) for e in events])
    letter = (b"call-x", b"\xffnot utf-8", dlq_headers("not_utf8", topics["KAFKA_INPUT_TOPIC"]))
    await produce(stack.bootstrap, dlq, [letter])

    raw = tool(python, stack.bootstrap, "tail", "--topic", out, "--dlq", dlq, "--from-beginning", "--json",
               "--max", "4")  # fmt: skip
    assert raw.returncode == 0, raw.stderr
    lines = [json.loads(line) for line in raw.stdout.splitlines()]
    assert len(lines) == 4
    dead = [line for line in lines if "headers" in line]
    assert sorted((line for line in lines if "headers" not in line), key=lambda e: e["call_id"]) == events
    assert len(dead) == 1
    assert dead[0]["headers"] == {k: v.decode() for k, v in letter[2]}
    assert base64.b64decode(dead[0]["value_base64"]) == letter[1]
    assert dead[0]["key"] == "call-x"

    only_negative = ["--sentiment", "Negative", "--max", "1"]
    negative = tool(python, stack.bootstrap, "tail", "--topic", out, "--from-beginning", *only_negative)
    assert negative.returncode == 0, negative.stderr
    assert events[2]["call_id"] in negative.stdout
    assert events[0]["call_id"] not in negative.stdout
    assert "Negative" in negative.stdout
    assert "\033[" not in negative.stdout  # no colours when stdout is not a terminal


def test_tail_stops_cleanly_on_ctrl_c(stack: Stack, topics: dict[str, str], python: str) -> None:
    # as from a terminal: a suite started in the background of a script ignores SIGINT, and a child
    # inherits that (a Python handler is not inherited, so the child starts with the default)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(
            [python, "-m", "producer_tools", "tail", "--topic", topics["KAFKA_OUTPUT_TOPIC"]],
            cwd=ROOT,
            env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        assert proc.stderr is not None
        seen = [proc.stderr.readline()]
        while not seen[-1].startswith("tailing") and seen[-1] and len(seen) < 20:  # aiokafka may warn first
            seen.append(proc.stderr.readline())
        assert seen[-1].startswith("tailing"), seen
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err


async def test_replay_dlq_republishes_matching_letters_once(
    stack: Stack, topics: dict[str, str], python: str
) -> None:
    dlq, original = topics["KAFKA_DLQ_TOPIC"], topics["KAFKA_INPUT_TOPIC"]
    letters = [
        (
            b"call-1",
            b'{"call_id": "call-1", "transcript": "Parso 5000 dunga"}',
            dlq_headers("llm_error", original),
        ),
        (b"call-2", b"\xff\x00 raw bytes", dlq_headers("llm_error", original)),
        (b"call-3", b"{}", dlq_headers("schema_invalid", original)),
    ]
    await produce(stack.bootstrap, dlq, letters)
    group = f"replay-{uuid.uuid4().hex[:8]}"
    args = ["replay-dlq", "--topic", dlq, "--reason", "llm_error", "--group", group]

    dry = last_json(tool(python, stack.bootstrap, *args, "--dry-run"))
    assert (dry["read"], dry["matched"], dry["replayed"]) == (3, 2, 0)
    assert dry["skipped_by_reason"] == {"schema_invalid": 1}

    first = tool(python, stack.bootstrap, *args)
    summary = last_json(first)
    assert (summary["read"], summary["matched"], summary["replayed"]) == (3, 2, 2)
    assert summary["skipped_by_reason"] == {"schema_invalid": 1}
    assert "%" in first.stderr  # the progress bar

    replayed = await consume(stack.bootstrap, original, expect=2, timeout=30)
    assert sorted((r.key, r.value) for r in replayed) == sorted((k, v) for k, v, _ in letters[:2])
    for record in replayed:
        headers = dict(record.headers)
        assert headers["x-dlq-replayed-from"].decode().startswith(f"{dlq}:")
        assert "x-dlq-replayed-at" in headers

    again = last_json(tool(python, stack.bootstrap, *args))
    assert (again["read"], again["matched"], again["replayed"]) == (0, 0, 0)
    assert await record_count(stack.bootstrap, original) == 2

    # into the dead-letter topic itself: it stops at the end it saw at start instead of looping
    loop = last_json(tool(python, stack.bootstrap, *args[:-1], f"{group}-loop", "--to", dlq))
    assert (loop["read"], loop["replayed"]) == (3, 2)
    assert await record_count(stack.bootstrap, dlq) == 5
