"""API keys, CORS, rate limits and request limits of the sidecar, on a test server with a fake pipeline."""

from __future__ import annotations

import asyncio
import gzip
import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from pydantic import SecretStr

from consumer.http.access import CallerRateLimiter, KeyRing, SecurityConfig, principal_of_key, split_list
from consumer.settings import Settings
from tests.fakes.pipeline import FakePipeline
from tests.unit.sidecar import make_app, sidecar

KEY = "k-3f9a1c0e7b5d4a2c9e8f1b6d0a7c5e3f"
OTHER_KEY = "k-0d4e2b9c7a1f3e5d8c6b0a9f2e4d1c7b"
AUTH = SecurityConfig(api_keys=(SecretStr(KEY), SecretStr(OTHER_KEY)))
BODY = {"transcript": "Customer: kal pay karunga"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_split_list() -> None:
    assert split_list(" a, b ,,c ") == ("a", "b", "c")
    assert split_list("") == ()
    assert split_list(None) == ()


def test_settings_read_keys_as_secrets() -> None:
    settings = Settings(_env_file=None, api_keys=f"{KEY}, {OTHER_KEY},", cors_origins="https://a.example")  # type: ignore[call-arg]
    config = SecurityConfig.from_settings(settings)
    assert [k.get_secret_value() for k in config.api_keys] == [KEY, OTHER_KEY]
    assert config.cors_origins == ("https://a.example",)
    assert KEY not in repr(settings)
    assert KEY not in repr(config)


def test_key_ring_names_the_matching_key_only() -> None:
    ring = KeyRing([SecretStr(KEY), SecretStr(OTHER_KEY)])
    assert ring.identify(KEY) == principal_of_key(SecretStr(KEY))
    assert ring.identify(OTHER_KEY) == principal_of_key(SecretStr(OTHER_KEY))
    assert ring.identify(KEY) != ring.identify(OTHER_KEY)
    for wrong in ("", KEY[:-1], KEY + "x", KEY.upper(), "x" * 10_000):
        assert ring.identify(wrong) is None
    assert KEY not in principal_of_key(SecretStr(KEY))


def test_rate_limiter_allows_burst_then_refills() -> None:
    clock = Clock()
    limiter = CallerRateLimiter(rpm=60, burst=3, clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire("a")
    assert wait == pytest.approx(1.0)
    assert limiter.acquire("b") == 0.0  # another caller has its own bucket
    clock.now += 1.0
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0


def test_rate_limiter_memory_is_bounded() -> None:
    clock = Clock()
    limiter = CallerRateLimiter(rpm=60, burst=2, max_buckets=100, clock=clock)
    for n in range(1000):
        limiter.acquire(f"ip:{n}")
    assert len(limiter) <= 100
    clock.now += 10  # every bucket has refilled: idle callers are forgotten
    limiter.acquire("new")
    assert len(limiter) == 1


async def test_missing_key_is_401_with_challenge() -> None:
    async with sidecar(AUTH) as client:
        resp = await client.post("/analyze_call", json=BODY)
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await resp.json())["error"] == "unauthorized"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": "wrong"},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {KEY}"},
        {"X-API-Key": KEY[:-1]},
    ],
)
async def test_wrong_key_is_401(headers: dict[str, str]) -> None:
    pipeline = FakePipeline()
    async with sidecar(AUTH, pipeline) as client:
        resp = await client.post("/analyze_call", json=BODY, headers=headers)
        assert resp.status == 401
        body = await resp.json()
    assert body["error"] in {"unauthorized", "invalid_api_key"}
    assert "WWW-Authenticate" in resp.headers
    assert pipeline.analyses == 0


@pytest.mark.parametrize("headers", [{"X-API-Key": KEY}, {"Authorization": f"Bearer {OTHER_KEY}"}])
async def test_valid_key_is_accepted(headers: dict[str, str]) -> None:
    async with sidecar(AUTH) as client:
        resp = await client.post("/analyze_call", json=BODY, headers=headers)
        assert resp.status == 201, await resp.text()


async def test_docs_and_ops_are_open_and_the_rest_is_protected() -> None:
    app = make_app(AUTH)

    async def reports(_: web.Request) -> web.Response:
        return web.json_response([])

    app.router.add_get("/reports", reports)  # a route added later is protected without asking
    open_paths = ["/", "/docs", "/openapi.json", "/asyncapi.yaml", "/health", "/docs/static/swagger-ui.css"]
    open_paths += ["/dashboard/dashboard.js", "/dashboard/dashboard.css"]
    async with sidecar(app=app) as client:
        for path in open_paths:
            resp = await client.get(path)
            assert resp.status == 200, path
        for path in ("/reports", "/calls", "/calls/abc", "/stats", "/dead_letters", "/no-such-route"):
            resp = await client.get(path)
            assert resp.status == 401, path
        for path in ("/analyze_call", "/dashboard/../calls"):
            resp = await client.get(path)
            assert resp.status == 401, path
        resp = await client.get("/reports", headers={"X-API-Key": KEY})
        assert resp.status == 200


async def test_ops_protected_when_asked() -> None:
    config = SecurityConfig(api_keys=(SecretStr(KEY),), protect_ops=True)
    async with sidecar(config) as client:
        assert (await client.get("/health")).status == 401
        assert (await client.get("/health", headers={"X-API-Key": KEY})).status == 200
        assert (await client.get("/openapi.json")).status == 200


async def test_openapi_documents_what_is_enforced() -> None:
    config = SecurityConfig(api_keys=(SecretStr(KEY),), rate_limit_rpm=60)
    async with sidecar(config) as client:
        doc = await (await client.get("/openapi.json")).json()
    operation = doc["paths"]["/analyze_call"]["post"]
    assert {"ApiKeyHeader": []} in operation["security"]
    assert {"401", "429"} <= set(operation["responses"])
    assert "security" not in doc["paths"]["/health"]["get"]
    assert doc["components"]["securitySchemes"]["ApiKeyHeader"]["name"] == "X-API-Key"
    assert KEY not in str(doc)


async def test_open_service_warns_and_keys_are_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        make_app(SecurityConfig())
        assert "API_KEYS is not set" in caplog.text
        caplog.clear()
        async with sidecar(AUTH) as client:
            await client.post("/analyze_call", json=BODY, headers={"X-API-Key": KEY})
            await client.post("/analyze_call", json=BODY, headers={"X-API-Key": KEY + "x"})
    assert "API_KEYS is not set" not in caplog.text
    assert KEY not in caplog.text


async def test_rate_limit_per_key_with_retry_after() -> None:
    config = SecurityConfig(
        api_keys=(SecretStr(KEY), SecretStr(OTHER_KEY)), rate_limit_rpm=6, rate_limit_burst=2
    )
    async with sidecar(config) as client:
        statuses = [
            (await client.post("/analyze_call", json=BODY, headers={"X-API-Key": KEY})).status
            for _ in range(2)
        ]
        assert statuses == [201, 201]
        resp = await client.post("/analyze_call", json=BODY, headers={"X-API-Key": KEY})
        assert resp.status == 429
        assert (await resp.json())["error"] == "rate_limited"
        assert 1 <= int(resp.headers["Retry-After"]) <= 10
        other = await client.post("/analyze_call", json=BODY, headers={"X-API-Key": OTHER_KEY})
        assert other.status == 201
        assert (await client.get("/health")).status == 200  # open routes are not counted


async def test_wrong_keys_are_throttled_per_address() -> None:
    config = SecurityConfig(api_keys=(SecretStr(KEY),), rate_limit_rpm=6, rate_limit_burst=3)
    async with sidecar(config) as client:
        statuses = [
            (await client.post("/analyze_call", json=BODY, headers={"X-API-Key": f"guess-{n}"})).status
            for n in range(5)
        ]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]


async def test_open_service_is_rate_limited_per_address() -> None:
    async with sidecar(SecurityConfig(rate_limit_rpm=6, rate_limit_burst=1)) as client:
        assert (await client.post("/analyze_call", json=BODY)).status == 201
        assert (await client.post("/analyze_call", json=BODY)).status == 429


CORS = SecurityConfig(api_keys=(SecretStr(KEY),), cors_origins=("https://ops.example",))
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key"}


async def test_cors_preflight_for_listed_origin() -> None:
    async with sidecar(CORS) as client:
        resp = await client.options("/analyze_call", headers={"Origin": "https://ops.example", **PREFLIGHT})
        assert resp.status == 204
        assert resp.headers["Access-Control-Allow-Origin"] == "https://ops.example"
        allowed = {h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")}
        assert {"x-api-key", "authorization", "content-type", "idempotency-key"} <= allowed
        assert "POST" in resp.headers["Access-Control-Allow-Methods"]


async def test_cors_refuses_other_origins() -> None:
    async with sidecar(CORS) as client:
        resp = await client.options("/analyze_call", headers={"Origin": "https://evil.example", **PREFLIGHT})
        assert resp.status == 403
        assert "Access-Control-Allow-Origin" not in resp.headers
        resp = await client.get("/", headers={"Origin": "https://evil.example"})
        assert resp.status == 200
        assert "Access-Control-Allow-Origin" not in resp.headers


async def test_cors_headers_on_answers_and_errors() -> None:
    async with sidecar(CORS) as client:
        resp = await client.post("/analyze_call", json=BODY, headers={"Origin": "https://ops.example"})
        assert resp.status == 401  # the page can read why
        assert resp.headers["Access-Control-Allow-Origin"] == "https://ops.example"
        assert "Origin" in resp.headers["Vary"]
        resp = await client.post(
            "/analyze_call", json=BODY, headers={"Origin": "https://ops.example", "X-API-Key": KEY}
        )
        assert resp.status == 201
        assert resp.headers["Access-Control-Allow-Origin"] == "https://ops.example"


async def test_cors_any_origin_and_none_configured() -> None:
    async with sidecar(SecurityConfig(cors_origins=("*",))) as client:
        resp = await client.get("/health", headers={"Origin": "https://any.example"})
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
    async with sidecar(SecurityConfig()) as client:
        resp = await client.get("/health", headers={"Origin": "https://any.example"})
        assert "Access-Control-Allow-Origin" not in resp.headers
        resp = await client.options("/analyze_call", headers={"Origin": "https://any.example", **PREFLIGHT})
        assert "Access-Control-Allow-Origin" not in resp.headers


FIVE_MIB = 5 * 1024 * 1024


async def test_five_mib_body_is_413_json() -> None:
    pipeline = FakePipeline()
    async with sidecar(pipeline=pipeline) as client:
        resp = await client.post(
            "/analyze_call", data=b"{" + b" " * FIVE_MIB + b"}", headers={"Content-Type": "application/json"}
        )
        assert resp.status == 413
        assert (await resp.json())["error"] == "payload_too_large"
    assert pipeline.analyses == 0


async def test_five_mib_chunked_body_is_413_json() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"transcript": "'
        for _ in range(80):
            yield b"a" * 65_536
        yield b'"}'

    async with sidecar() as client:
        resp = await client.post("/analyze_call", data=chunks(), headers={"Content-Type": "application/json"})
        assert resp.request_info.headers.get("Transfer-Encoding") == "chunked"
        assert resp.status == 413
        assert (await resp.json())["error"] == "payload_too_large"


async def test_transcript_over_the_limit_is_413() -> None:
    async with sidecar(SecurityConfig(max_transcript_bytes=100)) as client:
        resp = await client.post("/analyze_call", json={"transcript": "क" * 40})  # 120 bytes of UTF-8
        assert resp.status == 413
        assert (await resp.json())["error"] == "transcript_too_large"
        resp = await client.post("/analyze_call", json={"transcript": "a" * 100})
        assert resp.status == 201


async def test_request_deadline_is_504() -> None:
    never = asyncio.Event()
    async with sidecar(SecurityConfig(request_timeout_s=0.05), FakePipeline(hold=never)) as client:
        resp = await client.post("/analyze_call", json=BODY)
        assert resp.status == 504
        assert (await resp.json())["error"] == "timeout"


@pytest.mark.parametrize("key", ["", "x" * 256, "schlüssel", "tab\there"])
async def test_malformed_idempotency_key_is_400(key: str) -> None:
    async with sidecar() as client:
        resp = await client.post("/analyze_call", json=BODY, headers={"Idempotency-Key": key})
        assert resp.status == 400
        assert (await resp.json())["error"] == "invalid_idempotency_key"


async def test_method_not_allowed_keeps_allow_header() -> None:
    async with sidecar() as client:
        resp = await client.get("/analyze_call")
        assert resp.status == 405
        assert "POST" in resp.headers["Allow"]
        assert (await resp.json())["error"] == "method_not_allowed"


async def test_compressed_body_is_limited_after_decompression() -> None:
    """A small gzip body that inflates to 10 MiB is refused like any other large body."""
    bomb = gzip.compress(b'{"transcript": "' + b"a" * (10 * 1024 * 1024) + b'"}')
    assert len(bomb) < 64 * 1024
    pipeline = FakePipeline()
    async with sidecar(pipeline=pipeline) as client:
        resp = await client.post(
            "/analyze_call",
            data=bomb,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
        assert resp.status == 413
        assert (await resp.json())["error"] == "payload_too_large"
    assert pipeline.analyses == 0
