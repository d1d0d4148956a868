"""The HTTP sidecar: the original ``/analyze_call`` API, health, readiness, metrics, service info,
Swagger UI, and (from their own modules) the read API and the dashboard."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

from consumer import __version__
from consumer.http.access import document_security, security_middlewares
from consumer.http.analyze import analyze_call
from consumer.http.asyncapi import asyncapi_yaml
from consumer.http.dashboard import add_dashboard_routes, dashboard_page, prefers_html
from consumer.http.deps import DEPS, OPENAPI, HealthCheck, SidecarDeps
from consumer.http.docs import add_docs_routes
from consumer.http.errors import error_middleware, json_dumps
from consumer.http.openapi import build_openapi
from consumer.http.ops import add_probe_routes, metrics_middleware
from consumer.http.query import add_query_routes

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 2 * 1024 * 1024
HEALTH_TIMEOUT_S = 3.0


async def health(request: web.Request) -> web.Response:
    """GET /health: 200 when every component answers, else 503 naming what is down."""
    checks = request.app[DEPS].health_checks

    async def run(name: str, check: HealthCheck) -> tuple[str, dict[str, Any]]:
        started = time.perf_counter()
        try:
            detail = await asyncio.wait_for(check(), timeout=HEALTH_TIMEOUT_S)
        except Exception as exc:
            message = str(exc) or type(exc).__name__
            extra = getattr(exc, "detail", None)  # what the component can still say about itself
            known = extra if isinstance(extra, dict) else {}
            return name, {"status": "down", "error": message[:500], **known}
        latency = round((time.perf_counter() - started) * 1000, 1)
        return name, {"status": "up", "latency_ms": latency, **detail}

    results = dict(await asyncio.gather(*(run(n, c) for n, c in checks.items())))
    down = [name for name, r in results.items() if r["status"] != "up"]
    body: dict[str, Any] = {"status": "degraded" if down else "healthy", "components": results}
    if down:
        body["down"] = down
    return web.json_response(body, status=503 if down else 200, dumps=json_dumps)


async def root(request: web.Request) -> web.Response:
    """GET /: the dashboard for a browser (Accept: text/html), else what this service is, as JSON."""
    if prefers_html(request.headers.get("Accept", "")):
        return dashboard_page(request)
    deps = request.app[DEPS]
    body = {
        "service": "call-insights",
        "version": __version__,
        "description": "Structured insights from Hinglish debt-collection call transcripts.",
        "endpoints": {
            "analyze": "POST /analyze_call",
            "live": "GET /live",
            "health": "GET /health",
            "ready": "GET /ready",
            "metrics": "GET /metrics",
            "docs": "GET /docs",
            "openapi": "GET /openapi.json",
            "asyncapi": "GET /asyncapi.yaml",
            "calls": "GET /calls",
            "call": "GET /calls/{unique_id}",
            "stats": "GET /stats",
            "dead_letters": "GET /dead_letters",
            "dashboard": "GET / with Accept: text/html",
        },
        **deps.info,
    }
    return web.json_response(body, dumps=json_dumps, headers={"Vary": "Accept"})


async def openapi(request: web.Request) -> web.Response:
    """GET /openapi.json."""
    return web.json_response(request.app[OPENAPI], dumps=json_dumps)


def create_app(deps: SidecarDeps) -> web.Application:
    """The sidecar application; run it with AppRunner inside the service's loop."""
    app = web.Application(
        middlewares=[
            metrics_middleware(deps.metrics),
            *security_middlewares(deps.security),
            error_middleware,
        ],
        client_max_size=MAX_BODY_BYTES,
    )
    app[DEPS] = deps
    app[OPENAPI] = document_security(build_openapi(__version__), deps.security)
    app.router.add_post("/analyze_call", analyze_call)
    app.router.add_get("/health", health)
    add_probe_routes(app, deps.metrics, deps.readiness_checks)
    app.router.add_get("/", root)
    app.router.add_get("/openapi.json", openapi)
    app.router.add_get("/asyncapi.yaml", asyncapi_yaml)
    add_docs_routes(app)
    add_query_routes(app)
    add_dashboard_routes(app)
    return app
