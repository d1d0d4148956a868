"""``POST /analyze_call``: analyze, store and publish one transcript (the original API)."""

from __future__ import annotations

import asyncio
import uuid

from aiohttp import web

from consumer.db.idempotency import IdempotencyKeyReusedError, request_hash, valid_key
from consumer.db.insights import StoredInsight, analyze_response
from consumer.errors import InsightsError, InvalidEventError
from consumer.events import event_from_request, parse_request
from consumer.http.access import principal
from consumer.http.deps import DEPS
from consumer.http.errors import json_error
from consumer.observability.logs import log_context

# How an intake refusal answers: status and error code, by ``InvalidEventError.reason``.
_REFUSALS: dict[str, tuple[int, str]] = {
    "not_utf8": (400, "invalid_json"),
    "not_json": (400, "invalid_json"),
    "not_object": (400, "invalid_body"),
    "schema_invalid": (422, "validation_error"),
    "empty_transcript": (422, "validation_error"),
    "oversized": (413, "transcript_too_large"),
}


def refusal(exc: InvalidEventError) -> web.Response:
    """The answer to a body the intake refused: the schema's complaints as a list, else the reason."""
    status, code = _REFUSALS.get(exc.reason, (400, "invalid_body"))
    return json_error(status, code, exc.errors if exc.errors else str(exc))


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
        body = parse_request(raw, max_transcript_bytes=deps.security.max_transcript_bytes)
    except InvalidEventError as exc:
        return refusal(exc)

    async def process(event_id: uuid.UUID) -> StoredInsight:
        event = event_from_request(body, event_id)
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
    response = analyze_response(stored)
    return web.Response(
        status=201,
        text=response.model_dump_json(),
        content_type="application/json",
        charset="utf-8",
        headers={"Idempotent-Replayed": "true"} if replayed else None,
    )
