"""The sidecar's operational endpoints, ``GET /live``, ``GET /ready`` and ``GET /metrics``, and the
middleware that counts and times every request by route."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from consumer.observability.metrics import Metrics
from consumer.readiness import Check, run_checks
from schemas.probes import Liveness, Readiness

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

METRICS = web.AppKey("metrics", Metrics)
READINESS: web.AppKey[Mapping[str, Check]] = web.AppKey("readiness")

UNMATCHED_ROUTE = "unmatched"


def route_of(request: web.Request) -> str:
    """The route's path template (``/calls/{unique_id}``), never the raw path, to bound the labels."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED_ROUTE


def metrics_middleware(metrics: Metrics) -> Any:
    """Counts and times each request; place it outermost so it sees the final status."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        except asyncio.CancelledError:
            status = 499  # the client went away
            raise
        finally:
            metrics.observe_http(route_of(request), request.method, status, time.perf_counter() - started)

    return middleware


_ALIVE = Liveness(status="alive").model_dump(mode="json")


async def live(request: web.Request) -> web.Response:
    """GET /live: 200 ``{"status": "alive"}`` whenever the event loop answers.

    It checks no dependency on purpose: a liveness probe that failed during a database, broker or
    Gemini outage would restart every instance at once and fix nothing (``/ready`` and ``/health``
    say how the dependencies are doing).
    """
    return web.json_response(_ALIVE)


async def ready(request: web.Request) -> web.Response:
    """GET /ready: 200 ``{"status": "ready"}`` or 503 ``{"status": "not_ready"}``, with each check."""
    ok, checks = await run_checks(request.app[READINESS])
    body = Readiness.model_validate(
        {
            "status": "ready" if ok else "not_ready",
            "checks": checks,
            "failing": [name for name, result in checks.items() if not result["ok"]],
        }
    )
    return web.json_response(body.model_dump(mode="json", exclude_none=True), status=200 if ok else 503)


async def metrics_endpoint(request: web.Request) -> web.Response:
    """GET /metrics: the Prometheus exposition (OpenMetrics when the scraper asks for it)."""
    metrics = request.app[METRICS]
    await metrics.refresh()
    body, content_type = metrics.render(request.headers.get("Accept"))
    return web.Response(body=body, headers={"Content-Type": content_type})


def add_probe_routes(app: web.Application, metrics: Metrics, checks: Mapping[str, Check]) -> None:
    """Serve ``/live``, ``/ready`` and ``/metrics`` from ``app``."""
    app[METRICS] = metrics
    app[READINESS] = dict(checks)
    app.router.add_get("/live", live)
    app.router.add_get("/ready", ready)
    app.router.add_get("/metrics", metrics_endpoint)
