"""Prometheus instruments of the service, on a registry of their own.

One ``Metrics`` per service instance, handed to each component through its constructor; a component
built without one makes its own, so nothing is global and tests (or several services in one process)
never see each other's counts. The hot path only increments cached children; label strings are built
once per label combination. Gauges that describe state (in-flight analyses, buffered records, the
circuit, the database pool) are read when scraped, and values that cost I/O or a wait (consumer lag,
outbox backlog, the analyzer's health) are refreshed by ``refresh()`` just before a scrape is
rendered, each under a short timeout.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Final, Generic, Protocol, TypeVar

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

M = TypeVar("M", Counter, Gauge, Histogram)

CIRCUIT_STATES: Final = {"closed": 0, "half_open": 1, "open": 2}
"""Values of ``insights_llm_circuit_state``."""

HTTP_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_ANALYSIS_BUCKETS: Final = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)
_LLM_BUCKETS: Final = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0)
_HTTP_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_END_TO_END_BUCKETS: Final = (
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    1800.0,
    3600.0,
)
_OUTBOX_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
_DB_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Refresher = Callable[[], Awaitable[None]]
"""Updates some gauges from the outside world; run before each scrape."""


class Children(Generic[M]):
    """A labelled metric whose children are created once per label combination and then reused.

    ``metric.labels(...)`` validates and converts its arguments and takes a lock on every call; the
    hot path calls this instead: one dict look-up.
    """

    __slots__ = ("_cache", "metric")

    def __init__(self, metric: M) -> None:
        self.metric: M = metric
        self._cache: dict[tuple[str, ...], M] = {}

    def __call__(self, *values: str) -> M:
        """The child for these label values."""
        child = self._cache.get(values)
        if child is None:
            child = self._cache[values] = self.metric.labels(*values)
        return child


class _LagCollector(Collector):
    """``insights_consumer_lag``: a snapshot replaced as a whole, so revoked partitions disappear."""

    def __init__(self) -> None:
        self.lags: Mapping[tuple[str, int], int] = {}

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "insights_consumer_lag",
            "Records on the broker that this instance has not finished yet, per assigned partition "
            "(highwater minus the partition's commit point, as of the last fetch).",
            labels=["topic", "partition"],
        )
        for (topic, partition), lag in sorted(self.lags.items()):
            family.add_metric([topic, str(partition)], lag)
        yield family


class PoolSizes(Protocol):
    """What the pool gauges read from a connection pool (``asyncpg.Pool`` has these)."""

    def get_size(self) -> int:
        """Connections open now, in use or idle."""
        ...

    def get_idle_size(self) -> int:
        """Open connections nobody holds."""
        ...

    def get_max_size(self) -> int:
        """The most connections the pool opens."""
        ...


class _PoolCollector(Collector):
    """``insights_db_pool_connections`` and ``insights_db_pool_max_connections``, read when scraped."""

    def __init__(self) -> None:
        self.pool: PoolSizes | None = None

    def collect(self) -> Iterable[Metric]:
        connections = GaugeMetricFamily(
            "insights_db_pool_connections",
            "Open PostgreSQL connections of the pool, by state (in_use, idle).",
            labels=["state"],
        )
        most = GaugeMetricFamily(
            "insights_db_pool_max_connections", "The most connections the pool opens (DB_POOL_MAX)."
        )
        pool = self.pool
        if pool is not None:
            size, idle = pool.get_size(), pool.get_idle_size()
            connections.add_metric(["in_use"], max(0, size - idle))
            connections.add_metric(["idle"], idle)
            most.add_metric([], pool.get_max_size())
        yield connections
        yield most


class Metrics:
    """Every instrument of the service. Pass one instance to every component of a service."""

    def __init__(self, registry: CollectorRegistry | None = None, *, process: bool = False) -> None:
        """Register the instruments on ``registry`` (a fresh one by default).

        ``process`` adds the process, platform and garbage-collector metrics (CPU, memory, file
        descriptors, Python version); the service turns it on, tests need not.
        """
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        if process:
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
            GCCollector(registry=r)

        # Kafka side
        self.events_consumed = Counter(
            "insights_events_consumed", "Records taken from the input topic for processing.", registry=r
        )
        self.events_processed = Children(
            Counter(
                "insights_events_processed",
                "Pipeline runs by source (kafka|http) and outcome: stored (a new insight), duplicate "
                "(stored before, nothing written) or error (the attempt raised; Kafka events are then "
                "retried or dead-lettered).",
                ["source", "outcome"],
                registry=r,
            )
        )
        self.dead_letters = Children(
            Counter(
                "insights_dead_letters",
                "Records published to the dead-letter topic, by x-dlq-reason.",
                ["reason"],
                registry=r,
            )
        )
        self.event_retries = Children(
            Counter(
                "insights_event_retries",
                "Transient failures after which an event waits and is processed again, by reason.",
                ["reason"],
                registry=r,
            )
        )
        self.analyses_in_flight = Gauge(
            "insights_analyses_in_flight", "Analyses running now (at most MAX_IN_FLIGHT).", registry=r
        )
        self.records_buffered = Gauge(
            "insights_records_buffered",
            "Records handed out by the consumer and not finished (fetching pauses at MAX_BUFFERED).",
            registry=r,
        )
        self.consumer_paused = Gauge(
            "insights_consumer_paused", "1 while fetching is paused because the buffer is full.", registry=r
        )
        self._lag = _LagCollector()
        r.register(self._lag)
        self.end_to_end_seconds = Histogram(
            "insights_end_to_end_seconds",
            "From a record's Kafka timestamp to its insight being stored (row and outbox entry "
            "committed); new insights from Kafka only.",
            buckets=_END_TO_END_BUCKETS,
            registry=r,
        )
        self.analysis_seconds = Children(
            Histogram(
                "insights_analysis_duration_seconds",
                "Time to analyze one transcript, retries included, by provider.",
                ["provider"],
                buckets=_ANALYSIS_BUCKETS,
                registry=r,
            )
        )

        # LLM
        self.llm_request_seconds = Children(
            Histogram(
                "insights_llm_request_duration_seconds",
                "One request to the LLM, by provider and outcome (ok, invalid_output, timeout, "
                "connection_error, http_<code>, ...).",
                ["provider", "outcome"],
                buckets=_LLM_BUCKETS,
                registry=r,
            )
        )
        self.llm_retries = Children(
            Counter(
                "insights_llm_retries",
                "LLM requests repeated within one analysis after a transient failure or invalid answer.",
                ["provider"],
                registry=r,
            )
        )
        self.llm_tokens = Children(
            Counter(
                "insights_llm_tokens",
                "Tokens the LLM reported using, by model and kind (prompt, cached, thoughts, candidates, "
                "total); prompt includes cached.",
                ["provider", "model", "kind"],
                registry=r,
            )
        )
        self.llm_cost = Children(
            Counter(
                "insights_llm_estimated_cost_usd",
                "Estimated LLM spend in US dollars, from the reported tokens and the price table.",
                ["provider", "model"],
                registry=r,
            )
        )
        self.llm_config_ok = Gauge(
            "insights_llm_config_ok",
            "1 while the LLM configuration (key, model, endpoint) was accepted at the last check, else 0 "
            "(always 1 for the offline analyzer).",
            registry=r,
        )
        self.llm_config_ok.set(1)  # refused only once a check says so
        self.llm_circuit_state = Gauge(
            "insights_llm_circuit_state",
            "The LLM circuit breaker: 0 closed, 1 half-open (probing), 2 open (calls fail fast).",
            registry=r,
        )

        self.analyzer_up = Gauge(
            "insights_analyzer_up",
            "1 while the analyzer can serve (its health check, as in /health, passes when scraped), else 0.",
            registry=r,
        )

        # Outbox
        self.outbox_backlog = Gauge(
            "insights_outbox_backlog",
            "Stored InsightEvents not yet published (read from the database at scrape time).",
            registry=r,
        )
        self.outbox_published = Counter(
            "insights_outbox_published", "InsightEvents published from the outbox.", registry=r
        )
        self.outbox_delay_seconds = Histogram(
            "insights_outbox_delay_seconds",
            "From an InsightEvent's outbox entry being stored to the broker acknowledging it.",
            buckets=_OUTBOX_BUCKETS,
            registry=r,
        )

        # Database
        self._pool = _PoolCollector()
        r.register(self._pool)
        self.db_write_seconds = Histogram(
            "insights_db_write_duration_seconds",
            "One write transaction: a micro-batch of insights with their outbox entries.",
            buckets=_DB_BUCKETS,
            registry=r,
        )

        # HTTP sidecar
        self.http_requests = Children(
            Counter(
                "insights_http_requests",
                "Sidecar requests by route (its path template), method and status.",
                ["route", "method", "status"],
                registry=r,
            )
        )
        self.http_request_seconds = Children(
            Histogram(
                "insights_http_request_duration_seconds",
                "Sidecar request latency by route and method.",
                ["route", "method"],
                buckets=_HTTP_BUCKETS,
                registry=r,
            )
        )

        self._refreshers: list[tuple[str, Refresher]] = []

    def set_lag(self, lags: Mapping[tuple[str, int], int]) -> None:
        """Replace the consumer-lag snapshot: ``{(topic, partition): lag}`` for the assigned partitions."""
        self._lag.lags = dict(lags)

    def watch_pool(self, pool: PoolSizes) -> None:
        """Read the connection pool's sizes whenever metrics are scraped."""
        self._pool.pool = pool

    def watch_analyzer(self, check: Callable[[], Awaitable[None]]) -> None:
        """Set ``insights_analyzer_up`` from ``check`` (it raises when the analyzer cannot serve)
        before each scrape."""

        async def refresh() -> None:
            try:
                await check()
            except Exception:
                self.analyzer_up.set(0)
            else:
                self.analyzer_up.set(1)

        self.add_refresher("analyzer_up", refresh)

    def watch_circuit(self, state: Callable[[], str]) -> None:
        """Read the circuit state (``closed``, ``half_open``, ``open``) whenever metrics are scraped."""
        self.llm_circuit_state.set_function(lambda: CIRCUIT_STATES.get(str(state()), 0))

    def add_refresher(self, name: str, refresher: Refresher) -> None:
        """Run ``refresher`` before each scrape (lag, backlog: anything that needs I/O to know)."""
        self._refreshers.append((name, refresher))

    async def refresh(self, timeout_s: float = 1.0) -> None:
        """Run every refresher at once, each bounded by ``timeout_s``; a failure keeps the old values."""

        async def run(name: str, refresher: Refresher) -> None:
            try:
                await asyncio.wait_for(refresher(), timeout=timeout_s)
            except Exception as exc:
                log.debug("metrics refresh %s failed: %s: %s", name, type(exc).__name__, exc)

        await asyncio.gather(*(run(name, refresher) for name, refresher in self._refreshers))

    def observe_http(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one sidecar request (unknown methods are counted as ``other``)."""
        if method not in HTTP_METHODS:
            method = "other"
        self.http_requests(route, method, str(status)).inc()
        self.http_request_seconds(route, method).observe(seconds)

    def render(self, accept: str | None = None) -> tuple[bytes, str]:
        """The exposition for a scrape with this ``Accept`` header, and its content type."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type
