"""Who may call the sidecar, from where, and how often: API keys, CORS and per-key rate limits.

Every route needs a key (when ``API_KEYS`` is set) unless it is on the explicit allow-list below, so
a route added later is protected without anyone remembering to protect it. ``document_security``
writes the same decisions into the OpenAPI document.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from pydantic import SecretStr

from consumer.settings import Settings

log = logging.getLogger(__name__)

OPEN_PATHS: Final = frozenset(
    {"/", "/dashboard/{name}", "/docs", "/docs/static/{name}", "/openapi.json", "/asyncapi.yaml"}
)
"""Routes anyone may read: service information, the dashboard's page and assets, the API documents.
They carry no call data (the dashboard asks for a key before it reads any)."""

OPS_PATHS: Final = frozenset({"/live", "/health", "/ready", "/metrics"})
"""Routes for orchestrators and scrapers: open unless ``AUTH_PROTECT_OPS=true``."""

ALLOWED_METHODS: Final = "GET, POST, OPTIONS"
ALLOWED_HEADERS: Final = "X-API-Key, Authorization, Content-Type, Idempotency-Key"
EXPOSED_HEADERS: Final = "Retry-After, Idempotent-Replayed, WWW-Authenticate"
PREFLIGHT_MAX_AGE_S: Final = 600

SERVER_OPTIONS: Final[dict[str, Any]] = {
    "keepalive_timeout": 75.0,  # idle keep-alive connections close (aiohttp's default is an hour)
    "lingering_time": 5.0,  # at most this long spent draining a body the sidecar has refused
    "max_line_size": 8190,  # request line and each header: bounded sizes and count
    "max_field_size": 8190,
    "max_headers": 100,
}
"""aiohttp server settings against slow or oversized clients, for ``web.AppRunner``."""

ANONYMOUS: Final = "anonymous"
PRINCIPAL: Final = web.RequestKey("principal", str)
"""Where the middleware leaves the caller's principal for the handlers."""


def split_list(raw: str | None) -> tuple[str, ...]:
    """The non-empty, stripped items of a comma-separated setting."""
    if not raw:
        return ()
    return tuple(item.strip() for item in raw.split(",") if item.strip())


@dataclass(frozen=True)
class SecurityConfig:
    """The sidecar's access policy and request limits; the defaults are an open service without CORS."""

    api_keys: tuple[SecretStr, ...] = ()
    protect_ops: bool = False
    cors_origins: tuple[str, ...] = ()
    rate_limit_rpm: float = 0.0
    rate_limit_burst: int = 10
    request_timeout_s: float = 120.0
    max_transcript_bytes: int = 1_048_576

    @classmethod
    def from_settings(cls, settings: Settings) -> SecurityConfig:
        """The policy the settings describe (``API_KEYS``, ``CORS_ORIGINS``, ``HTTP_RATE_LIMIT_*``...)."""
        raw_keys = settings.api_keys.get_secret_value() if settings.api_keys is not None else ""
        return cls(
            api_keys=tuple(SecretStr(key) for key in split_list(raw_keys)),
            protect_ops=settings.auth_protect_ops,
            cors_origins=split_list(settings.cors_origins),
            rate_limit_rpm=settings.http_rate_limit_rpm,
            rate_limit_burst=settings.http_rate_limit_burst,
            request_timeout_s=settings.http_request_timeout_s,
            max_transcript_bytes=settings.max_transcript_bytes,
        )

    @property
    def auth_enabled(self) -> bool:
        """Whether callers must present a key."""
        return bool(self.api_keys)

    def is_open(self, route: str | None) -> bool:
        """Whether a route (its canonical path, None when nothing matched) needs no key."""
        if route is None:
            return False
        return route in OPEN_PATHS or (route in OPS_PATHS and not self.protect_ops)


class KeyRing:
    """The configured API keys, kept only as SHA-256 digests and compared in constant time.

    Comparing digests of fixed length hides the keys' lengths, and every configured key is compared
    on every check, so the time taken tells neither whether nor which key matched.
    """

    def __init__(self, keys: Iterable[SecretStr]) -> None:
        self._keys = [(_digest(key.get_secret_value()), principal_of_key(key)) for key in keys]

    def __len__(self) -> int:
        return len(self._keys)

    def identify(self, presented: str) -> str | None:
        """The principal of the matching key, or None."""
        digest = _digest(presented)
        found: str | None = None
        for expected, principal in self._keys:
            if hmac.compare_digest(digest, expected):
                found = principal
        return found


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


def principal_of_key(key: SecretStr) -> str:
    """A stable, non-reversible name for a key, for rate-limit buckets and idempotency records."""
    return "key:" + hashlib.sha256(key.get_secret_value().encode()).hexdigest()[:16]


def presented_key(request: web.Request) -> str | None:
    """The key in ``X-API-Key``, else in ``Authorization: Bearer``; None when neither carries one."""
    key = request.headers.get("X-API-Key", "").strip()
    if key:
        return key
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def principal(request: web.Request) -> str:
    """Who is calling: the key's principal, or ``anonymous`` when the service is open."""
    caller: str = request.get(PRINCIPAL, ANONYMOUS)
    return caller


class CallerRateLimiter:
    """Token buckets per principal: ``rpm`` requests a minute on average, ``burst`` at once.

    Memory is bounded: a bucket that has refilled is the same as no bucket, so idle callers' buckets
    are dropped, and no more than ``max_buckets`` are kept (least recently used go first).
    """

    def __init__(
        self,
        rpm: float,
        burst: int,
        *,
        max_buckets: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rpm / 60.0
        self._burst = float(max(1, burst))
        self._max_buckets = max_buckets
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # name -> (tokens, at)

    def __len__(self) -> int:
        return len(self._buckets)

    def acquire(self, name: str) -> float:
        """Take one token for ``name``: 0.0 when allowed, else the seconds until one is available."""
        now = self._clock()
        self._evict(now)
        tokens, at = self._buckets.pop(name, (self._burst, now))
        tokens = min(self._burst, tokens + (now - at) * self._rate)
        if tokens >= 1.0:
            self._buckets[name] = (tokens - 1.0, now)
            return 0.0
        self._buckets[name] = (tokens, now)
        return (1.0 - tokens) / self._rate

    def _evict(self, now: float) -> None:
        while self._buckets:
            name, (tokens, at) = next(iter(self._buckets.items()))
            refilled = tokens + (now - at) * self._rate >= self._burst
            if not refilled and len(self._buckets) < self._max_buckets:
                return
            del self._buckets[name]


def _error(status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": error, "detail": detail}, status=status, headers=headers)


def _route_of(request: web.Request) -> str | None:
    """The canonical path of the matched route (never a raw path a client could dress up)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else None


def access_middleware(config: SecurityConfig) -> Middleware:
    """API-key authentication and per-principal rate limiting for every route not on the allow-list.

    A missing key gets 401 ``unauthorized``, a wrong one 401 ``invalid_api_key`` (both with
    ``WWW-Authenticate: Bearer``). Rate limiting counts per key; per client address when the service
    is open, and for requests whose key is missing or wrong (so guessing keys is throttled too).
    """
    keys = KeyRing(config.api_keys)
    limiter = (
        CallerRateLimiter(config.rate_limit_rpm, config.rate_limit_burst) if config.rate_limit_rpm else None
    )

    @web.middleware
    async def access(request: web.Request, handler: Handler) -> web.StreamResponse:
        if config.is_open(_route_of(request)):
            return await handler(request)
        caller: str | None = ANONYMOUS
        failure: web.Response | None = None
        if len(keys):
            presented = presented_key(request)
            caller = keys.identify(presented) if presented is not None else None
            if caller is None:
                failure = _unauthorized(missing=presented is None)
        if limiter is not None:
            bucket = caller if caller not in (None, ANONYMOUS) else f"ip:{request.remote}"
            wait_s = limiter.acquire(str(bucket))
            if wait_s > 0:
                retry_after = str(max(1, math.ceil(wait_s)))
                return _error(
                    429,
                    "rate_limited",
                    f"more than {config.rate_limit_rpm:g} requests per minute; retry in {retry_after} s",
                    {"Retry-After": retry_after},
                )
        if failure is not None:
            return failure
        request[PRINCIPAL] = caller or ANONYMOUS
        return await handler(request)

    return access


def _unauthorized(*, missing: bool) -> web.Response:
    if missing:
        return _error(
            401,
            "unauthorized",
            "an API key is required: send X-API-Key: <key> or Authorization: Bearer <key>",
            {"WWW-Authenticate": 'Bearer realm="call-insights"'},
        )
    return _error(
        401,
        "invalid_api_key",
        "the API key is not valid",
        {"WWW-Authenticate": 'Bearer realm="call-insights", error="invalid_token"'},
    )


def cors_middleware(origins: tuple[str, ...]) -> Middleware:
    """CORS for the listed origins (``*`` = any): preflights answered here, headers on every answer.

    Requests from other origins get no ``Access-Control-Allow-Origin`` header, so browsers keep the
    answer from the page; their preflights are refused with 403.
    """
    any_origin = "*" in origins
    listed = frozenset(origins)

    def allow_headers(origin: str) -> dict[str, str]:
        if any_origin:
            return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": EXPOSED_HEADERS}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Expose-Headers": EXPOSED_HEADERS,
            "Vary": "Origin",
        }

    @web.middleware
    async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is None:
            return await handler(request)
        allowed = any_origin or origin in listed
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            if not allowed:
                return _error(403, "cors_origin_not_allowed", "this origin may not call the API")
            headers = allow_headers(origin)
            headers.pop("Access-Control-Expose-Headers")
            headers |= {
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_S),
            }
            return web.Response(status=204, headers=headers)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if allowed:
                exc.headers.update(allow_headers(origin))
            raise
        if allowed:
            response.headers.update(allow_headers(origin))
        elif not any_origin:
            response.headers["Vary"] = "Origin"
        return response

    return cors


def security_middlewares(config: SecurityConfig) -> list[Middleware]:
    """The middlewares enforcing ``config``, outermost first; warns once when the service is open."""
    if not config.auth_enabled:
        log.warning("API_KEYS is not set: the HTTP sidecar accepts requests without authentication")
    middlewares: list[Middleware] = []
    if config.cors_origins:
        middlewares.append(cors_middleware(config.cors_origins))
    middlewares.append(access_middleware(config))
    return middlewares


_SCHEMES: Final[dict[str, Any]] = {
    "ApiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "BearerAuth": {"type": "http", "scheme": "bearer"},
}


def document_security(document: dict[str, Any], config: SecurityConfig) -> dict[str, Any]:
    """The OpenAPI document with the key requirement and the 401/429 answers of protected routes."""
    error = {"$ref": "#/components/schemas/ErrorBody"}
    for path, operations in document.get("paths", {}).items():
        if config.is_open(path):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if config.auth_enabled:
                operation["security"] = [{name: []} for name in _SCHEMES]
                responses.setdefault(
                    "401",
                    {
                        "description": "API key missing or not valid",
                        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": error}},
                    },
                )
            if config.rate_limit_rpm:
                responses.setdefault(
                    "429",
                    {
                        "description": "Rate limit exceeded; retry after the given seconds",
                        "headers": {"Retry-After": {"schema": {"type": "integer"}, "required": True}},
                        "content": {"application/json": {"schema": error}},
                    },
                )
    if config.auth_enabled:
        document.setdefault("components", {}).setdefault("securitySchemes", {}).update(_SCHEMES)
    return document
