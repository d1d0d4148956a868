"""Traces on the real broker and database: a record's ``traceparent`` comes back on its InsightEvent
(and on a dead letter), tracing off or on; on, one trace runs from the record through the outbox to
the published InsightEvent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from consumer.observability import tracing
from producer_tools.fake_gemini import FakeGemini
from schemas import InsightEvent
from tests.conftest import Stack
from tests.fakes.tracing import recorded_spans
from tests.integration.helpers import consume, event, gemini_settings, make_settings, publish, running_service

pytestmark = pytest.mark.integration

PRODUCER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PRODUCER_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{PRODUCER_TRACE}-{PRODUCER_SPAN}-01"


async def publish_traced(bootstrap: str, topic: str, call: dict[str, Any]) -> None:
    """Publish one TranscriptEvent with the ``traceparent`` a traced producer would write."""
    await publish(
        bootstrap,
        topic,
        [json.dumps(call).encode()],
        [call["call_id"].encode()],
        [[("traceparent", TRACEPARENT.encode())]],
    )


def traceparents(headers: list[tuple[str, bytes]]) -> list[str]:
    return [value.decode() for key, value in headers if key == "traceparent"]


async def test_off_the_producers_traceparent_is_passed_on_to_insight_events_and_dead_letters(
    stack: Stack, topics: dict[str, str], free_port: int
) -> None:
    traced, untraced = event("Customer: kal 5000 bhar dunga."), event("Customer: galat number hai.")
    settings = make_settings(stack, topics, free_port)
    assert not tracing.enabled()
    values = [json.dumps(traced).encode(), json.dumps(untraced).encode(), b"{not json"]
    headers = [[("traceparent", TRACEPARENT.encode())], [], [("traceparent", TRACEPARENT.encode())]]
    async with running_service(settings):
        await publish(stack.bootstrap, settings.kafka_input_topic, values, [b"k1", b"k2", b"k3"], headers)
        out = await consume(stack.bootstrap, settings.kafka_output_topic, expect=2, timeout=60)
        dead = await consume(stack.bootstrap, settings.kafka_dlq_topic, expect=1, timeout=60)

    by_source = {str(InsightEvent.model_validate_json(r.value).source_event_id): r for r in out}
    assert traceparents(list(by_source[traced["event_id"]].headers)) == [TRACEPARENT]
    assert traceparents(list(by_source[untraced["event_id"]].headers)) == []
    assert [traceparents(list(r.headers)) for r in dead] == [[TRACEPARENT]]


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with recorded_spans() as exporter:
        yield exporter


def tree(spans: tuple[ReadableSpan, ...], root_parent: int) -> list[str]:
    """The spans below ``root_parent`` as indented lines with their durations, children in start order."""
    children: dict[int | None, list[ReadableSpan]] = {}
    for span in spans:
        children.setdefault(span.parent.span_id if span.parent else None, []).append(span)
    lines: list[str] = []

    def walk(parent: int, depth: int) -> None:
        for span in sorted(children.get(parent, []), key=lambda s: s.start_time or 0):
            duration_ms = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
            lines.append(f"{'  ' * depth}{span.name} {duration_ms:.2f} ms")
            walk(span.context.span_id, depth + 1)

    walk(root_parent, 0)
    return lines


async def test_on_one_trace_runs_from_the_record_through_the_outbox_to_the_insight_event(
    stack: Stack, topics: dict[str, str], free_port: int, spans: InMemorySpanExporter
) -> None:
    settings = make_settings(stack, topics, free_port)
    call = event("Agent: Namaste, Sugam Finance se Megha. Customer: haan, kal 5000 bhar dunga.")
    # published before the service starts, with the header a traced producer would write
    await publish_traced(stack.bootstrap, settings.kafka_input_topic, call)
    async with running_service(settings):
        (out,) = await consume(stack.bootstrap, settings.kafka_output_topic, expect=1, timeout=60)

    (header,) = traceparents(list(out.headers))
    assert header.split("-")[1] == PRODUCER_TRACE  # the InsightEvent continues the producer's trace
    ours = [s for s in spans.get_finished_spans() if f"{s.context.trace_id:032x}" == PRODUCER_TRACE]
    by_id = {s.context.span_id: s for s in ours}

    def ancestry(span_id: int) -> list[str]:
        names = []
        while span_id in by_id:
            names.append(by_id[span_id].name)
            parent = by_id[span_id].parent
            span_id = parent.span_id if parent else 0
        assert f"{span_id:016x}" == PRODUCER_SPAN  # the chain ends at the producer's span
        return names

    # the InsightEvent's traceparent names the instrumentation's send span, below our publish span,
    # which joined the record's process span although the relay published it from another task
    assert ancestry(int(header.split("-")[2], 16)) == [
        f"{settings.kafka_output_topic} send",
        "publish",
        "process",
    ]
    (process,) = [s for s in ours if s.name == "process"]
    steps = [s.name for s in ours if s.parent and s.parent.span_id == process.context.span_id]
    assert {"parse", "analyze", "store", "publish"} <= set(steps)
    (analyze,) = [s for s in ours if s.name == "analyze"]
    assert analyze.attributes is not None
    assert analyze.attributes["insights.analyzer"] == "offline"
    lines = tree(tuple(ours), int(PRODUCER_SPAN, 16))
    print("\n".join(["one event's trace:", *lines]))


async def test_on_an_analyze_call_requests_trace_reaches_its_insight_event(
    stack: Stack, topics: dict[str, str], free_port: int, spans: InMemorySpanExporter
) -> None:
    settings = make_settings(stack, topics, free_port)
    # the client is instrumented too: it writes the traceparent of its own span, under the producer's
    producer_span = trace.NonRecordingSpan(
        trace.SpanContext(
            int(PRODUCER_TRACE, 16), int(PRODUCER_SPAN, 16), is_remote=True, trace_flags=trace.TraceFlags(1)
        )
    )
    async with running_service(settings) as base, aiohttp.ClientSession() as http:
        with trace.use_span(producer_span):
            async with http.post(
                f"{base}/analyze_call", json={"transcript": "Customer: 10 tareekh ko bhar dunga."}
            ) as resp:
                assert resp.status == 201, await resp.text()
        (out,) = await consume(stack.bootstrap, settings.kafka_output_topic, expect=1, timeout=60)

    (header,) = traceparents(list(out.headers))
    assert header.split("-")[1] == PRODUCER_TRACE
    names = {s.name for s in spans.get_finished_spans() if f"{s.context.trace_id:032x}" == PRODUCER_TRACE}
    assert {"POST /analyze_call", "analyze", "store", "publish"} <= names, names


async def test_on_gemini_analyses_are_traced_by_the_sdk_instrumentation_beneath_analyze(
    stack: Stack, topics: dict[str, str], free_port: int, spans: InMemorySpanExporter
) -> None:
    async with FakeGemini() as fake:
        settings = gemini_settings(stack, topics, free_port, fake)
        call = event("Customer: Wednesday ko pakka 5000 rupaye bhar dunga.")
        async with running_service(settings):
            await publish_traced(stack.bootstrap, settings.kafka_input_topic, call)
            (out,) = await consume(stack.bootstrap, settings.kafka_output_topic, expect=1, timeout=60)

    assert InsightEvent.model_validate_json(out.value).analyzer.provider == "gemini"
    ours = [s for s in spans.get_finished_spans() if f"{s.context.trace_id:032x}" == PRODUCER_TRACE]
    (analyze,) = [s for s in ours if s.name == "analyze"]
    assert analyze.attributes is not None
    assert analyze.attributes["gen_ai.provider.name"] == "gcp.gemini"
    assert analyze.attributes["gen_ai.usage.input_tokens"] > 0  # type: ignore[operator]
    below = [s for s in ours if s.parent is not None and s.parent.span_id == analyze.context.span_id]
    generate = [s for s in below if s.name.startswith("generate_content")]
    assert generate, [s.name for s in below]
    attributes = generate[0].attributes or {}
    assert attributes["gen_ai.request.model"] == settings.gemini_model
    assert attributes["gen_ai.usage.output_tokens"] > 0  # type: ignore[operator]
    # the transcript is personal data: no message content in any span
    assert not any("bhar dunga" in str(v) for s in ours for v in (s.attributes or {}).values())
