"""The HTTP sidecar on a test server with an in-memory pipeline (no Kafka, no database, no LLM)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from consumer.http.access import SecurityConfig
from consumer.http.app import create_app
from consumer.http.deps import SidecarDeps
from tests.fakes.pipeline import FakePipeline


def make_app(security: SecurityConfig | None = None, pipeline: FakePipeline | None = None) -> web.Application:
    """The real sidecar app around a fake pipeline and always-healthy checks."""
    deps = SidecarDeps(
        pipeline=pipeline or FakePipeline(),  # type: ignore[arg-type]
        health_checks={"database": _ok_check},
        security=security or SecurityConfig(),
    )
    return create_app(deps)


async def _ok_check() -> dict[str, Any]:
    return {}


@contextlib.asynccontextmanager
async def sidecar(
    security: SecurityConfig | None = None,
    pipeline: FakePipeline | None = None,
    app: web.Application | None = None,
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """A client of the sidecar served on a free local port."""
    client = TestClient(TestServer(app or make_app(security, pipeline)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
