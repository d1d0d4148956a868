"""Tracing on, with spans kept in memory for a test to read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from consumer.observability import tracing


@contextmanager
def recorded_spans() -> Iterator[InMemorySpanExporter]:
    """Install tracing (every instrumentation too) with an in-memory exporter until the block ends."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with tracing.installed(provider):
        yield exporter
