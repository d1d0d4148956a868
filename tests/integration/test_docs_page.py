"""/docs in a real browser (headless Chromium): the vendored Swagger UI draws the sidecar's OpenAPI
document. It needs no broker and no database: the sidecar runs in-process around a fake pipeline."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.integration.test_dashboard import chromium, run_chromium
from tests.unit.sidecar import make_app

__all__ = ["chromium"]  # the fixture, shared with the dashboard test

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


@pytest.fixture
async def base() -> AsyncIterator[str]:
    runner = web.AppRunner(make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


async def test_swagger_ui_draws_the_openapi_document(chromium: str, base: str, tmp_path: Path) -> None:
    dom = (
        await run_chromium(
            chromium, tmp_path / "profile", "--virtual-time-budget=8000", "--dump-dom", base + "/docs"
        )
    ).decode()
    assert 'class="swagger-ui"' in dom, "Swagger UI did not start (its script or style sheet failed)"
    operations = set(re.findall(r'data-path="([^"]+)"', dom))
    assert {"/analyze_call", "/health", "/calls"} <= operations, sorted(operations)
    assert "Failed to load API definition" not in dom
