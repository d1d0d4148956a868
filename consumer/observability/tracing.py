"""Tracing: one event's journey as OpenTelemetry spans, Kafka → analysis → PostgreSQL → Kafka.

Off unless an exporter is configured with the standard variables (``OTEL_EXPORTER_OTLP_ENDPOINT``,
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or ``OTEL_TRACES_EXPORTER``; ``OTEL_SDK_DISABLED=true`` wins).
When on, each Kafka record gets a ``process`` span continuing the producer's W3C ``traceparent``
(a new trace when the record has none) with ``parse``, ``analyze`` and ``store`` children; the
outbox row keeps the span's ``traceparent`` so the relay's ``publish`` span, in another task and
maybe another instance, joins the same trace. The official instrumentations of aiokafka (which
writes ``traceparent`` into every record the service publishes), asyncpg, the aiohttp server and
client, and google-genai add their spans beneath ours.

When off, nothing is imported or recorded: the helpers below return a shared no-op, and a
``traceparent`` that came in on a record is passed on unchanged (stored with the outbox row, written
on the InsightEvent and on a dead letter), so the producer's trace still continues downstream.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from consumer.errors import ConfigurationError

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span, Tracer

log = logging.getLogger(__name__)

TRACEPARENT: Final = "traceparent"
SERVICE_NAME: Final = "call-insights"

# W3C Trace Context, version 00: version-traceid-parentid-flags, lowercase hex, ids not all zero
_TRACEPARENT = re.compile(r"00-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-[0-9a-f]{2}")
_NO_SPAN: Final = contextlib.nullcontext()

_tracer: Tracer | None = None  # None: tracing is off
_inherited: contextvars.ContextVar[str | None] = contextvars.ContextVar("traceparent", default=None)


class TracingConfigurationError(ConfigurationError):
    """The ``OTEL_*`` variables ask for something this service cannot do."""


def enabled() -> bool:
    """Whether spans are being recorded."""
    return _tracer is not None


def valid_traceparent(value: str | bytes | None) -> str | None:
    """``value`` as a W3C ``traceparent`` (version 00), or None when it is not one."""
    if value is None:
        return None
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return None
    value = value.strip()
    return value if _TRACEPARENT.fullmatch(value) else None


def header_traceparent(headers: Sequence[tuple[str, bytes | None]] | None) -> str | None:
    """The valid ``traceparent`` among Kafka record headers, if any."""
    for key, value in headers or ():
        if key == TRACEPARENT:
            return valid_traceparent(value)
    return None


# --- configuration -------------------------------------------------------------------------------


def wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the ``OTEL_*`` variables ask for traces to be exported."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = _exporter_names(environ)
    if exporters is not None:
        return bool(exporters)
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    )


def _exporter_names(environ: Mapping[str, str]) -> list[str] | None:
    raw = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if not raw:
        return None
    return [name.strip() for name in raw.split(",") if name.strip() and name.strip() != "none"]


def _exporters(environ: Mapping[str, str]) -> list[Any]:
    names = _exporter_names(environ) or ["otlp"]
    exporters: list[Any] = []
    for name in names:
        if name == "otlp":
            protocol = (
                environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
                or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
                or "http/protobuf"
            ).strip()
            if protocol != "http/protobuf":
                msg = (
                    f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol} is not supported: this service exports "
                    "OTLP over HTTP (http/protobuf, the collector's port 4318)"
                )
                raise TracingConfigurationError(msg)
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporters.append(OTLPSpanExporter())  # endpoint, headers, timeout: from OTEL_EXPORTER_OTLP_*
        elif name == "console":
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter

            exporters.append(ConsoleSpanExporter())
        else:
            msg = f"OTEL_TRACES_EXPORTER={name} is not supported (otlp, console or none)"
            raise TracingConfigurationError(msg)
    return exporters


def provider_from_environment(environ: Mapping[str, str] = os.environ) -> TracerProvider:
    """A tracer provider exporting in batches to what the ``OTEL_*`` variables name.

    The resource reads ``OTEL_SERVICE_NAME`` and ``OTEL_RESOURCE_ATTRIBUTES`` (service name
    ``call-insights`` when neither names one), the sampler ``OTEL_TRACES_SAMPLER[_ARG]``, the batch
    processor ``OTEL_BSP_*``.
    """
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    exporters = _exporters(environ)
    resource = Resource.create({} if environ.get("OTEL_SERVICE_NAME") else {"service.name": SERVICE_NAME})
    provider = TracerProvider(resource=resource)
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _instrumentors() -> list[tuple[Any, bool]]:
    """The official instrumentations, each with whether to skip its check of the library's version."""
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
    from opentelemetry.instrumentation.aiohttp_server import AioHttpServerInstrumentor
    from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.google_genai import GoogleGenAiSdkInstrumentor

    return [
        (AIOKafkaInstrumentor(), False),
        (AsyncPGInstrumentor(), False),  # type: ignore[no-untyped-call]
        (AioHttpServerInstrumentor(), False),
        (AioHttpClientInstrumentor(), False),
        # declared for google-genai < 3; the requests this service makes (generate_content, with a
        # cached content) are traced by it on the SDK it pins, which the integration tests check
        (GoogleGenAiSdkInstrumentor(), True),
    ]


@contextlib.contextmanager
def installed(provider: TracerProvider) -> Iterator[TracerProvider]:
    """Record spans with ``provider`` (and instrument the clients) until the block ends.

    The aiohttp server is traced in applications created inside the block. On exit the
    instrumentations are removed and the provider flushed and shut down.
    """
    global _tracer  # the process's one switch, read on the hot path
    if _tracer is not None:
        msg = "tracing is already installed"
        raise RuntimeError(msg)
    from consumer import __version__

    instrumentors = _instrumentors()
    with warnings.catch_warnings():
        # the aiohttp server's instrumentor subclasses web.Application, which aiohttp discourages
        warnings.filterwarnings("ignore", "Inheritance class _InstrumentedApplication", DeprecationWarning)
        for instrumentor, skip_dep_check in instrumentors:
            instrumentor.instrument(tracer_provider=provider, skip_dep_check=skip_dep_check)
    _tracer = provider.get_tracer("call_insights", __version__)
    try:
        yield provider
    finally:
        _tracer = None
        for instrumentor, _ in reversed(instrumentors):
            instrumentor.uninstrument()
        provider.shutdown()


@contextlib.contextmanager
def from_environment(environ: Mapping[str, str] = os.environ) -> Iterator[bool]:
    """Trace while the block runs when the ``OTEL_*`` variables ask for it; yields whether it does.

    Does nothing when tracing is already installed (a test installed its own provider).
    """
    if _tracer is not None or not wanted(environ):
        yield enabled()
        return
    provider = provider_from_environment(environ)
    with installed(provider):
        log.info("tracing on: exporting spans (%s)", ", ".join(_exporter_names(environ) or ["otlp"]))
        yield True


# --- spans ---------------------------------------------------------------------------------------


def _parent(traceparent: str | None) -> Any:
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, set_span_in_context

    if traceparent is None:
        return None
    match = _TRACEPARENT.fullmatch(traceparent)
    if match is None:
        return None
    span_context = SpanContext(
        trace_id=int(match[1], 16),
        span_id=int(match[2], 16),
        is_remote=True,
        trace_flags=TraceFlags(int(traceparent[-2:], 16)),
    )
    return set_span_in_context(NonRecordingSpan(span_context))


def span(name: str, attributes: Mapping[str, Any] | None = None) -> contextlib.AbstractContextManager[Any]:
    """A child span of the current one for the block (a shared no-op when tracing is off)."""
    if _tracer is None:
        return _NO_SPAN
    return _tracer.start_as_current_span(name, attributes=attributes)


def process_span(
    headers: Sequence[tuple[str, bytes | None]] | None, topic: str, partition: int, offset: int
) -> contextlib.AbstractContextManager[Any]:
    """The span of one Kafka record's processing, continuing the record's ``traceparent``.

    When tracing is off, the record's ``traceparent`` is remembered for the current task instead,
    so what the task stores and publishes passes it on (``outgoing_traceparent``).
    """
    parent = header_traceparent(headers)
    if _tracer is None:
        _inherited.set(parent)
        return _NO_SPAN
    from opentelemetry.trace import SpanKind

    attributes: dict[str, str | int] = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": topic,
        "messaging.destination.partition.id": str(partition),
        "messaging.kafka.offset": offset,
    }
    return _tracer.start_as_current_span(
        "process", context=_parent(parent), kind=SpanKind.CONSUMER, attributes=attributes
    )


def set_attributes(attributes: Mapping[str, Any]) -> None:
    """Add attributes to the current span (nothing when tracing is off)."""
    if _tracer is None:
        return
    from opentelemetry.trace import get_current_span

    get_current_span().set_attributes({k: v for k, v in attributes.items() if v is not None})


def _current_span_context() -> Any:
    from opentelemetry.trace import get_current_span

    span_context = get_current_span().get_span_context()
    return span_context if span_context.is_valid else None


def outgoing_traceparent() -> str | None:
    """The ``traceparent`` that work started now should continue: the current span's when tracing is
    on, else the one that came in with the record being processed (None when there is neither)."""
    if _tracer is None:
        return _inherited.get()
    span_context = _current_span_context()
    if span_context is None:
        return None
    return f"00-{span_context.trace_id:032x}-{span_context.span_id:016x}-{span_context.trace_flags:02x}"


def passthrough_headers(traceparent: str | None) -> list[tuple[str, bytes]]:
    """The ``traceparent`` header a record published now carries when tracing is off (when it is
    on, the aiokafka instrumentation writes the publishing span's own)."""
    if _tracer is not None or traceparent is None:
        return []
    return [(TRACEPARENT, traceparent.encode("ascii"))]


def start_publish(traceparent: str | None, topic: str) -> Span | None:
    """Start the ``publish`` span of one outbox row, a child of the span that stored it; None when
    tracing is off. End it with ``end_publish`` once the broker has answered."""
    if _tracer is None:
        return None
    from opentelemetry.trace import SpanKind

    attributes = {
        "messaging.system": "kafka",
        "messaging.operation.type": "send",
        "messaging.destination.name": topic,
    }
    return _tracer.start_span(
        "publish", context=_parent(traceparent), kind=SpanKind.PRODUCER, attributes=attributes
    )


def activated(current: Span | None) -> contextlib.AbstractContextManager[Any]:
    """Make ``current`` the current span for the block, without ending it."""
    if current is None:
        return _NO_SPAN
    from opentelemetry.trace import use_span

    return use_span(current, end_on_exit=False)


def end_publish(spans: Iterable[Span | None], error: BaseException | None = None) -> None:
    """End ``publish`` spans, marking them failed with ``error`` when the broker refused."""
    for current in spans:
        if current is None:
            continue
        if error is not None:
            from opentelemetry.trace import Status, StatusCode

            current.record_exception(error)
            current.set_status(Status(StatusCode.ERROR, type(error).__name__))
        current.end()


def detach(context: contextvars.Context) -> None:
    """Leave no trace in ``context``: work serving many events belongs to none of them."""
    context.run(_inherited.set, None)
    if _tracer is None:
        return
    from opentelemetry import context as otel_context

    context.run(otel_context.attach, otel_context.Context())


def log_ids() -> dict[str, str] | None:
    """``trace_id`` and ``span_id`` for a log line of the current work, or None outside a trace."""
    if _tracer is None:
        inherited = _inherited.get()
        return None if inherited is None else {"trace_id": inherited[3:35]}
    span_context = _current_span_context()
    if span_context is None:
        return None
    return {"trace_id": f"{span_context.trace_id:032x}", "span_id": f"{span_context.span_id:016x}"}
