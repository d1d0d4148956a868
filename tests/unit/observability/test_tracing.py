"""Tracing: off by default and then only passing a producer's ``traceparent`` on; on, one span tree
per record (``process`` → ``parse``, ``analyze``, ``store``) continuing the producer's trace, with
the ids in the log lines. (Across the outbox and the broker: tests/integration/test_tracing.py.)"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from consumer.analyzer.offline import OfflineAnalyzer
from consumer.errors import InvalidEventError
from consumer.kafka.stream import DeadLetters
from consumer.observability import tracing
from consumer.observability.logs import ContextFilter, JsonFormatter, detached_context
from consumer.pipeline import Pipeline
from tests.fakes.kafka import TP, FakeConsumer, FakeDeadLetters, Rec, running, until
from tests.fakes.store import FakeStore
from tests.fakes.tracing import recorded_spans

PRODUCER_TRACE = "0af7651916cd43dd8448eb211c80319c"
PRODUCER_SPAN = "b7ad6b7169203331"
TRACEPARENT = f"00-{PRODUCER_TRACE}-{PRODUCER_SPAN}-01"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with recorded_spans() as exporter:
        yield exporter


def record(offset: int, headers: tuple[tuple[str, bytes], ...] = (), value: bytes | None = None) -> Rec:
    if value is None:
        body = {
            "event_id": str(uuid.uuid4()),
            "call_id": f"c-{offset}",
            "transcript": "Customer: kal 5000 dunga",
        }
        value = json.dumps(body).encode()
    return Rec(TP.topic, TP.partition, offset, f"c-{offset}".encode(), value, headers)


async def run_stream(*records: Rec) -> tuple[FakeStore, FakeDeadLetters]:
    """Process ``records`` through the real stream and pipeline, with in-memory Kafka and store."""
    store = FakeStore()
    dead_letters = FakeDeadLetters()
    pipeline = Pipeline(OfflineAnalyzer(), store, max_in_flight=4, lookup_first=False)  # type: ignore[arg-type]
    async with running(FakeConsumer(list(records)), pipeline, dead_letters) as stream:
        await until(lambda: stream.stats.processed + stream.stats.dead_lettered >= len(records), timeout=10)
    return store, dead_letters


# --- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "on"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "x"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp,console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, False),
    ],
)
def test_tracing_is_on_only_when_an_exporter_is_configured(environ: dict[str, str], on: bool) -> None:
    assert tracing.wanted(environ) is on


def test_grpc_and_unknown_exporters_are_refused_with_what_works() -> None:
    with pytest.raises(tracing.TracingConfigurationError, match="http/protobuf"):
        tracing.provider_from_environment(
            {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
        )
    with pytest.raises(tracing.TracingConfigurationError, match="otlp, console or none"):
        tracing.provider_from_environment({"OTEL_TRACES_EXPORTER": "zipkin"})


def test_the_service_name_defaults_to_call_insights_and_yields_to_the_variable() -> None:
    provider = tracing.provider_from_environment({"OTEL_TRACES_EXPORTER": "console"})
    assert provider.resource.attributes["service.name"] == "call-insights"
    provider.shutdown()


def test_from_environment_does_nothing_when_nothing_is_configured() -> None:
    with tracing.from_environment({}) as on:
        assert on is False
        assert not tracing.enabled()


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (TRACEPARENT, True),
        (TRACEPARENT.encode(), True),
        (f" {TRACEPARENT} ", True),
        (TRACEPARENT.upper(), False),
        (f"00-{'0' * 32}-{PRODUCER_SPAN}-01", False),
        (f"00-{PRODUCER_TRACE}-{'0' * 16}-01", False),
        (f"01-{PRODUCER_TRACE}-{PRODUCER_SPAN}-01", False),
        (TRACEPARENT[:-1], False),
        (b"\xff\xfe", False),
        (None, False),
    ],
)
def test_only_a_w3c_traceparent_is_taken(value: str | bytes | None, valid: bool) -> None:
    assert (tracing.valid_traceparent(value) is not None) is valid


# --- off -----------------------------------------------------------------------------------------


async def test_off_the_records_traceparent_is_stored_for_the_outbox() -> None:
    headers = (("traceparent", TRACEPARENT.encode()),)
    store, _ = await run_stream(record(0, headers), record(1))
    by_call = {item.event.call_id: item.traceparent for item in store.saved}
    assert by_call == {"c-0": TRACEPARENT, "c-1": None}
    assert tracing.passthrough_headers(TRACEPARENT) == [("traceparent", TRACEPARENT.encode())]
    assert tracing.passthrough_headers(None) == []


class HeaderProducer:
    """Keeps the headers of each record sent."""

    def __init__(self) -> None:
        self.headers: list[list[tuple[str, bytes]]] = []

    async def send_and_wait(
        self, topic: str, *, value: bytes, key: bytes, headers: list[tuple[str, bytes]]
    ) -> None:
        self.headers.append(headers)


@pytest.mark.parametrize(
    ("incoming", "passed_on"),
    [(TRACEPARENT.encode(), [TRACEPARENT.encode()]), (b"garbled", []), (None, [])],
)
async def test_off_a_dead_letter_carries_the_records_traceparent(
    incoming: bytes | None, passed_on: list[bytes]
) -> None:
    producer = HeaderProducer()
    rec = record(0, () if incoming is None else (("traceparent", incoming),), value=b"{")
    await DeadLetters(producer, "dlq").send(rec, InvalidEventError("not JSON", reason="not_json"), 1)  # type: ignore[arg-type]
    (headers,) = producer.headers
    assert [value for key, value in headers if key == "traceparent"] == passed_on


async def test_off_a_garbled_traceparent_is_not_passed_on() -> None:
    store, _ = await run_stream(record(0, (("traceparent", b"00-nonsense-01"),)))
    assert store.saved[0].traceparent is None


def test_off_log_lines_of_a_traced_record_carry_its_trace_id_and_batches_none() -> None:
    def line() -> dict[str, object]:
        rec = logging.LogRecord("consumer.test", logging.INFO, __file__, 1, "hello", (), None)
        ContextFilter().filter(rec)
        return json.loads(JsonFormatter().format(rec))  # type: ignore[no-any-return]

    async def in_record_task() -> tuple[dict[str, object], dict[str, object]]:
        tracing.process_span((("traceparent", TRACEPARENT.encode()),), "t", 0, 0)
        return line(), detached_context().run(line)

    inside, batch = asyncio.run(in_record_task())
    assert inside["trace_id"] == PRODUCER_TRACE
    assert "span_id" not in inside
    assert "trace_id" not in batch
    assert "trace_id" not in line()


# --- on ------------------------------------------------------------------------------------------


def by_name(finished: tuple[ReadableSpan, ...]) -> dict[str, list[ReadableSpan]]:
    out: dict[str, list[ReadableSpan]] = {}
    for span in finished:
        out.setdefault(span.name, []).append(span)
    return out


async def test_on_each_record_is_a_process_span_continuing_its_producers_trace(
    spans: InMemorySpanExporter,
) -> None:
    store, _ = await run_stream(record(0, (("traceparent", TRACEPARENT.encode()),)), record(1))
    named = by_name(spans.get_finished_spans())
    processes = {span.attributes["insights.call_id"]: span for span in named["process"]}  # type: ignore[index]
    traced, fresh = processes["c-0"], processes["c-1"]
    assert f"{traced.context.trace_id:032x}" == PRODUCER_TRACE
    assert traced.parent is not None
    assert f"{traced.parent.span_id:016x}" == PRODUCER_SPAN
    assert traced.parent.is_remote
    assert fresh.parent is None  # no traceparent: a trace of its own
    assert f"{fresh.context.trace_id:032x}" != PRODUCER_TRACE
    assert traced.attributes["messaging.destination.name"] == TP.topic  # type: ignore[index]

    for process in (traced, fresh):
        children = sorted(
            s.name
            for s in spans.get_finished_spans()
            if s.parent and s.parent.span_id == process.context.span_id
        )
        assert children == ["analyze", "parse", "store"]
        analyze = next(
            s
            for s in named["analyze"]
            if s.parent is not None and s.parent.span_id == process.context.span_id
        )
        assert analyze.attributes["insights.analyzer"] == "offline"  # type: ignore[index]
        assert analyze.attributes["gen_ai.request.model"]  # type: ignore[index]

    # the outbox row continues the record's process span
    stored = {item.event.call_id: item.traceparent for item in store.saved}
    assert stored["c-0"] == f"00-{PRODUCER_TRACE}-{traced.context.span_id:016x}-01"
    flags = f"{fresh.context.trace_flags:02x}"  # sampled, and (W3C level 2) random
    assert stored["c-1"] == f"00-{fresh.context.trace_id:032x}-{fresh.context.span_id:016x}-{flags}"


async def test_on_a_dead_lettered_record_says_why_and_no_traceparent_is_added_by_hand(
    spans: InMemorySpanExporter,
) -> None:
    _, dead_letters = await run_stream(record(0, (("traceparent", TRACEPARENT.encode()),), value=b"[1]"))
    (process,) = by_name(spans.get_finished_spans())["process"]
    assert process.attributes["insights.dead_letter_reason"] == "not_object"  # type: ignore[index]
    assert f"{process.context.trace_id:032x}" == PRODUCER_TRACE
    assert len(dead_letters.sent) == 1
    # on, the aiokafka instrumentation writes the header of the span that publishes
    assert tracing.passthrough_headers(TRACEPARENT) == []


def test_on_log_lines_carry_the_current_trace_and_span_ids(spans: InMemorySpanExporter) -> None:
    handler_filter = ContextFilter()
    with tracing.span("work") as current:
        rec = logging.LogRecord("consumer.test", logging.INFO, __file__, 1, "hello", (), None)
        handler_filter.filter(rec)
    out = json.loads(JsonFormatter().format(rec))
    assert out["trace_id"] == f"{current.get_span_context().trace_id:032x}"
    assert out["span_id"] == f"{current.get_span_context().span_id:016x}"


def test_installed_tracing_is_removed_on_exit() -> None:
    provider = TracerProvider()
    with tracing.installed(provider):
        assert tracing.enabled()
        with pytest.raises(RuntimeError, match="already installed"), tracing.installed(TracerProvider()):
            pass
    assert not tracing.enabled()
    assert tracing.span("x") is tracing.span("y")  # off: one shared no-op
