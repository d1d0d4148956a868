"""Errors as JSON: the body every refusal of the sidecar carries, and the middleware that turns any
other failure into one."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)


def json_error(status: int, error: str, detail: Any = None, **extra: Any) -> web.Response:
    """A JSON error body: ``{"error": code, "detail": ...}``."""
    body = {"error": error, "detail": detail, **extra}
    return web.json_response(body, status=status, dumps=json_dumps)


def json_dumps(obj: Any) -> str:
    """JSON as the sidecar writes it: UTF-8 text as is, anything else by ``str``."""
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
