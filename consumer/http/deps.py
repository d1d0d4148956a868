"""What the sidecar needs from the service, as typed application state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from consumer.db.idempotency import IdempotencyKeys
from consumer.db.queries import InsightReader
from consumer.http.access import SecurityConfig
from consumer.observability.metrics import Metrics
from consumer.pipeline import Pipeline
from consumer.readiness import Check

HealthCheck = Callable[[], Awaitable[Mapping[str, Any]]]
"""Returns component detail; raises when the component is down."""


@dataclass
class SidecarDeps:
    """What the sidecar needs from the service."""

    pipeline: Pipeline
    health_checks: Mapping[str, HealthCheck]
    info: Mapping[str, Any] = field(default_factory=dict)
    readiness_checks: Mapping[str, Check] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    idempotency: IdempotencyKeys | None = None
    reader: InsightReader | None = None  # the read API (GET /calls, /stats, /dead_letters)


DEPS = web.AppKey("deps", SidecarDeps)
OPENAPI = web.AppKey("openapi", dict)
