"""JSON log lines, the per-event log context, and no transcript text or PII at INFO and above."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from aiokafka import TopicPartition

from consumer.analyzer.offline import OfflineAnalyzer
from consumer.batching import MicroBatcher
from consumer.db.insights import StoredInsight
from consumer.db.store import NewInsight
from consumer.errors import InsightsError, StoreRejectedError
from consumer.kafka.stream import StreamProcessor
from consumer.observability.logs import (
    ContextFilter,
    JsonFormatter,
    TextFormatter,
    configure_logging,
    current_context,
    detached_context,
    log_context,
)
from consumer.observability.metrics import Metrics
from consumer.pipeline import Pipeline
from schemas import CallAnalysis
from tests.fakes.kafka import FakeConsumer, FakeDeadLetters, Rec

log = logging.getLogger("tests.logs")


def record(message: str, *args: object, level: int = logging.INFO, **extra: Any) -> logging.LogRecord:
    rec = logging.LogRecord("consumer.test", level, __file__, 1, message, args, None)
    rec.__dict__.update(extra)
    return rec


# --- formatters ---------------------------------------------------------------------------------


def test_json_line_has_the_standard_fields_and_the_extras() -> None:
    event_id = uuid.uuid4()
    line = JsonFormatter().format(record("stored %d rows\nin one go", 3, event_id=event_id, partition=2))

    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "INFO"
    assert data["logger"] == "consumer.test"
    assert data["message"] == "stored 3 rows\nin one go"
    assert data["event_id"] == str(event_id)
    assert data["partition"] == 2
    assert datetime.fromisoformat(data["ts"]).utcoffset() is not None
    assert set(data) == {"ts", "level", "logger", "message", "event_id", "partition"}


def test_json_line_carries_the_exception() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    data = json.loads(JsonFormatter().format(rec))
    assert data["message"] == "failed"
    assert "ValueError: boom" in data["exc"]
    assert "Traceback" in data["exc"]


def test_text_line_appends_the_context() -> None:
    line = TextFormatter().format(record("dead-lettering", call_id="c-1", offset=7))
    assert line.endswith("INFO consumer.test: dead-lettering call_id=c-1 offset=7")


def test_configure_logging_installs_one_json_handler() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    try:
        configure_logging("debug", "json")
        assert root.level == logging.DEBUG
        (handler,) = root.handlers
        assert isinstance(handler.formatter, JsonFormatter)
        assert any(isinstance(f, ContextFilter) for f in handler.filters)
        assert logging.getLogger("aiokafka").level == logging.WARNING
        configure_logging("INFO", "text")
        (handler,) = root.handlers
        assert isinstance(handler.formatter, TextFormatter)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        logging.getLogger("aiokafka").setLevel(logging.NOTSET)
        logging.getLogger("google_genai").setLevel(logging.NOTSET)


# --- context ------------------------------------------------------------------------------------


class Collect(logging.Handler):
    """Keeps every record it handles."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured() -> Iterator[list[logging.LogRecord]]:
    """Records at DEBUG and above, with the log context attached as on the service's handler."""
    handler = Collect()
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_context_nests_and_unwinds(captured: list[logging.LogRecord]) -> None:
    with log_context(call_id="c-1"):
        with log_context(event_id="e-1"):
            log.info("inner")
            assert dict(current_context()) == {"call_id": "c-1", "event_id": "e-1"}
        log.info("outer")
    log.info("none")

    inner, outer, none = [r for r in captured if r.name == log.name]
    assert (inner.call_id, inner.event_id) == ("c-1", "e-1")  # type: ignore[attr-defined]
    assert outer.call_id == "c-1"  # type: ignore[attr-defined]
    assert not hasattr(outer, "event_id")
    assert not hasattr(none, "call_id")


def test_explicit_extra_wins_over_the_context(captured: list[logging.LogRecord]) -> None:
    with log_context(offset=1):
        log.info("x", extra={"offset": 2})
    assert [r.offset for r in captured if r.name == log.name] == [2]  # type: ignore[attr-defined]


async def test_concurrent_tasks_keep_their_own_context(captured: list[logging.LogRecord]) -> None:
    both_bound = asyncio.Barrier(2)

    async def work(call_id: str) -> None:
        with log_context(call_id=call_id):
            await both_bound.wait()
            log.info("working")

    await asyncio.gather(work("a"), work("b"))
    assert sorted(r.call_id for r in captured if r.name == log.name) == ["a", "b"]  # type: ignore[attr-defined]


async def test_micro_batches_are_not_labelled_with_one_caller(captured: list[logging.LogRecord]) -> None:
    async def handler(items: Sequence[int]) -> list[int]:
        log.info("batch of %d", len(items))
        return [i * 2 for i in items]

    batcher: MicroBatcher[int, int] = MicroBatcher(handler, max_size=3, linger_s=0.001)

    async def submit(i: int) -> int:
        with log_context(call_id=f"c-{i}"):
            return await batcher.submit(i)

    assert await asyncio.gather(*(submit(i) for i in range(3))) == [0, 2, 4]
    (batch,) = [r for r in captured if r.getMessage() == "batch of 3"]
    assert not hasattr(batch, "call_id")
    with log_context(call_id="outer"):
        assert "call_id" not in detached_context().run(current_context)
        assert current_context()["call_id"] == "outer"


# --- nothing sensitive at INFO and above ----------------------------------------------------------

PHONE = "9876543210"
NAME = "Rahul Sharma"
TRANSCRIPT = (
    f"Agent: Namaste, kya main {NAME} se baat kar raha hoon? Customer: Haan. Mera number {PHONE} hai."
)
REFUSED = f"Customer: {NAME} bol raha hoon, {PHONE} pe call karo, main 5000 Friday ko dunga."


class ChattyAnalyzer(OfflineAnalyzer):
    """The offline analyzer, logging from deep inside like a real one might."""

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        logging.getLogger("consumer.analyzer.test").warning("analysis slower than usual")
        logging.getLogger("consumer.analyzer.test").debug("analyzing: %s", transcript)
        return await super().analyze(transcript, call_started_at=call_started_at)


class RefusingStore:
    """Stores everything except REFUSED, which it refuses quoting the value, as a database driver does."""

    def __init__(self) -> None:
        self.stored: list[NewInsight] = []

    async def find_many(self, event_ids: Sequence[uuid.UUID]) -> list[StoredInsight | None]:
        return [None] * len(event_ids)

    async def save_many(self, items: Sequence[NewInsight]) -> list[StoredInsight | InsightsError]:
        out: list[StoredInsight | InsightsError] = []
        for item in items:
            if item.transcript == REFUSED:
                out.append(
                    StoreRejectedError(f"record refused: DataError: invalid input {item.transcript!r}")
                )
                continue
            self.stored.append(item)
            out.append(item.stored(record_id=len(self.stored), unique_id=uuid.uuid4().hex))
        return out


def event_bytes(transcript: str, call_id: str) -> tuple[bytes, str]:
    event_id = str(uuid.uuid4())
    value = {"event_id": event_id, "call_id": call_id, "transcript": transcript, "metadata": {"phone": PHONE}}
    return json.dumps(value).encode(), event_id


async def test_no_transcript_or_pii_at_info_and_above(captured: list[logging.LogRecord]) -> None:
    tp = TopicPartition("telephony.transcripts", 0)
    good, good_id = event_bytes(TRANSCRIPT, "call-good")
    refused, refused_id = event_bytes(REFUSED, "call-refused")
    not_json = f"{NAME} {PHONE} {{not json".encode()
    records = [
        Rec(tp.topic, 0, 10, b"call-good", good),
        Rec(tp.topic, 0, 11, b"call-refused", refused),
        Rec(tp.topic, 0, 12, None, not_json),
    ]
    consumer = FakeConsumer(records, tp)
    dead_letters = FakeDeadLetters()
    dead_letters.expect = 2
    store = RefusingStore()
    metrics = Metrics()
    pipeline = Pipeline(ChattyAnalyzer(), store, max_in_flight=4, metrics=metrics)  # type: ignore[arg-type]
    stream = StreamProcessor(
        consumer,  # type: ignore[arg-type]
        dead_letters,  # type: ignore[arg-type]
        pipeline,
        topic=tp.topic,
        max_transcript_bytes=100_000,
        max_buffered=100,
        commit_interval_s=0.01,
        metrics=metrics,
    )
    stop = asyncio.Event()
    runner = asyncio.create_task(stream.run(stop))
    await asyncio.wait_for(dead_letters.all_sent.wait(), timeout=30)
    stop.set()
    await runner
    assert consumer.committed[tp] == 13  # all three finished (the final commit at stop)

    assert [r.transcript for r in store.stored] == [TRANSCRIPT]
    assert sorted(error.reason for _, error, _ in dead_letters.sent) == ["db_rejected", "not_json"]

    formatter, text = JsonFormatter(), TextFormatter()
    loud = [r for r in captured if r.levelno >= logging.INFO]
    assert loud, "the run logged nothing at INFO or above"
    for rec in loud:
        for line in (formatter.format(rec), text.format(rec)):
            for secret in (PHONE, NAME, TRANSCRIPT, REFUSED):
                assert secret not in line, f"{secret!r} logged at {rec.levelname}: {line}"
    # the details were there to leak: they reached DEBUG
    quiet = "\n".join(formatter.format(r) for r in captured if r.levelno < logging.INFO)
    assert TRANSCRIPT in quiet
    assert PHONE in quiet

    # every line about an event carries its ids, however deep it was logged
    deep = [r for r in loud if r.name == "consumer.analyzer.test"]
    assert {str(r.event_id) for r in deep} == {good_id, refused_id}  # type: ignore[attr-defined]
    assert {(r.topic, r.partition) for r in deep} == {(tp.topic, 0)}  # type: ignore[attr-defined]
    (refusal,) = [r for r in loud if "db_rejected" in r.getMessage()]
    assert (str(refusal.event_id), refusal.call_id, refusal.offset) == (  # type: ignore[attr-defined]
        refused_id,
        "call-refused",
        11,
    )
    (unparsed,) = [r for r in loud if "not_json" in r.getMessage()]
    assert unparsed.offset == 12  # type: ignore[attr-defined]
    assert not hasattr(unparsed, "event_id")
