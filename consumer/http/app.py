"""The HTTP sidecar: the original ``/analyze_call`` API, health, readiness, metrics, service info,
Swagger UI, and (from their own modules) the read API and the dashboard."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from consumer import __version__
from consumer.db.idempotency import IdempotencyKeyReusedError, IdempotencyKeys, request_hash, valid_key
from consumer.db.store import StoredInsight
from consumer.errors import InsightsError
from consumer.http.access import SecurityConfig, document_security, principal, security_middlewares
from consumer.http.asyncapi import asyncapi_yaml
from consumer.http.dashboard import add_dashboard_routes, dashboard_page, prefers_html
from consumer.http.docs import add_docs_routes
from consumer.http.openapi import build_openapi
from consumer.http.ops import add_probe_routes, metrics_middleware
from consumer.observability.logs import log_context
from consumer.observability.metrics import Metrics
from consumer.pipeline import Pipeline
from consumer.readiness import Check
from schemas import AnalyzeCallRequest, AnalyzeCallResponse, TranscriptEvent

log = logging.getLogger(__name__)

HealthCheck = Callable[[], Awaitable[Mapping[str, Any]]]
"""Returns component detail; raises when the component is down."""

MAX_BODY_BYTES = 2 * 1024 * 1024
HEALTH_TIMEOUT_S = 3.0


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


DEPS = web.AppKey("deps", SidecarDeps)
OPENAPI = web.AppKey("openapi", dict)


def json_error(status: int, error: str, detail: Any = None, **extra: Any) -> web.Response:
    """A JSON error body: ``{"error": code, "detail": ...}``."""
    body = {"error": error, "detail": detail, **extra}
    return web.json_response(body, status=status, dumps=_dumps)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


_STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every error leaves as JSON; nothing unexpected leaves as an HTML page or a stack trace."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        code = _STATUS_CODES.get(exc.status, "http_error")
        response = json_error(exc.status, code, exc.reason if exc.status != 413 else exc.text)
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return json_error(500, "internal_error", "unexpected server error")


def _refuse_constant(name: str) -> float:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)


async def analyze_call(request: web.Request) -> web.Response:
    """POST /analyze_call: analyze, store and publish one transcript (the original API).

    The whole request, reading the body included, has ``HTTP_REQUEST_TIMEOUT_S`` (504 after it).
    """
    timeout_s = request.app[DEPS].security.request_timeout_s
    deadline = asyncio.timeout(timeout_s)
    try:
        async with deadline:
            return await _analyze_call(request)
    except TimeoutError:
        if not deadline.expired():
            raise
        return json_error(504, "timeout", f"no answer within {timeout_s:g} s")


async def _analyze_call(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    if request.content_type not in ("application/json", "application/octet-stream", ""):
        return json_error(415, "unsupported_media_type", "send the body as application/json")
    if request.content_length is not None and request.content_length > request.client_max_size:
        return json_error(413, "payload_too_large", f"bodies over {request.client_max_size} bytes")
    idempotency_key = request.headers.get("Idempotency-Key")
    if idempotency_key is not None and not valid_key(idempotency_key):
        return json_error(400, "invalid_idempotency_key", "use 1 to 255 printable ASCII characters")
    raw = await request.read()
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        return json_error(400, "invalid_json", f"body is not valid JSON: {exc}")
    if not isinstance(data, dict):
        return json_error(400, "invalid_body", "body must be a JSON object")
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        # \ud800-style escapes decode to lone surrogates, which PostgreSQL cannot store
        return json_error(400, "invalid_json", "body holds text that is not valid Unicode")
    try:
        body = AnalyzeCallRequest.model_validate(data)
    except ValidationError as exc:
        return json_error(422, "validation_error", exc.errors(include_url=False, include_input=False))
    size = len(body.transcript.encode("utf-8", "surrogatepass"))
    if size > deps.security.max_transcript_bytes:
        limit = deps.security.max_transcript_bytes
        return json_error(413, "transcript_too_large", f"transcript of {size} bytes exceeds {limit}")

    async def process(event_id: uuid.UUID) -> StoredInsight:
        event = TranscriptEvent(
            event_id=event_id,
            call_id=body.call_id or f"http-{event_id}",
            transcript=body.transcript,
            metadata=body.metadata or {},
        )
        with log_context(event_id=event.event_id, call_id=event.call_id, source="http"):
            return await deps.pipeline.process(event, source="http")

    replayed = False
    try:
        if idempotency_key is None or deps.idempotency is None:
            stored = await process(uuid.uuid4())
        else:
            fingerprint = request_hash(body.model_dump(mode="json"))
            outcome = await deps.idempotency.run(principal(request), idempotency_key, fingerprint, process)
            stored, replayed = outcome.stored, outcome.replayed
    except IdempotencyKeyReusedError as exc:
        return json_error(409, exc.reason, str(exc))
    except InsightsError as exc:
        status = 503 if exc.retriable else 502
        return json_error(status, exc.reason, str(exc))
    analysis = stored.analysis
    response = AnalyzeCallResponse(
        **analysis.details(),
        id=stored.record_id,
        unique_id=stored.unique_id,
        customer_intent=analysis.customer_intent,
        intent_category=analysis.intent_category,
        sentiment=analysis.sentiment,
        action_required=analysis.action_required,
        summary=analysis.summary,
        raw_transcript=stored.transcript,
        processed_at=stored.processed_at,
        processing_time_ms=stored.processing_time_ms,
        call_id=stored.call_id,
        event_id=stored.event_id,
        analyzer=stored.analyzer,
    )
    return web.Response(
        status=201,
        text=response.model_dump_json(),
        content_type="application/json",
        charset="utf-8",
        headers={"Idempotent-Replayed": "true"} if replayed else None,
    )


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
    return web.json_response(body, status=503 if down else 200, dumps=_dumps)


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
    return web.json_response(body, dumps=_dumps, headers={"Vary": "Accept"})


async def openapi(request: web.Request) -> web.Response:
    """GET /openapi.json."""
    return web.json_response(request.app[OPENAPI], dumps=_dumps)


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
    from consumer.http.query import add_query_routes  # it imports this module's DEPS and json_error

    add_query_routes(app)
    add_dashboard_routes(app)
    return app
