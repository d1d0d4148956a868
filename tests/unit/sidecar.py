"""The HTTP sidecar on a test server with an in-memory pipeline (no Kafka, no database, no LLM)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from consumer.db.insights import StoredInsight
from consumer.http.access import SecurityConfig
from consumer.http.app import create_app
from consumer.http.deps import SidecarDeps
from schemas import AnalyzerInfo, CallAnalysis, TranscriptEvent


class FakePipeline:
    """Stores every new event in memory; ``hold`` makes analyses wait until it is set."""

    def __init__(self, hold: asyncio.Event | None = None) -> None:
        self.analyses = 0
        self.stored: dict[uuid.UUID, StoredInsight] = {}
        self.hold = hold

    async def process(self, event: TranscriptEvent, *, source: str) -> StoredInsight:
        """Return the stored insight for the event, 'analysing' it only the first time."""
        existing = self.stored.get(event.event_id)
        if existing is not None:
            return replace(existing, created=False)
        self.analyses += 1
        if self.hold is not None:
            await self.hold.wait()
        stored = StoredInsight(
            record_id=len(self.stored) + 1,
            unique_id=uuid.uuid4().hex,
            event_id=event.event_id,
            call_id=event.call_id,
            transcript=event.text(),
            analysis=CallAnalysis(
                customer_intent="Other",
                intent_category="other",
                sentiment="Neutral",
                action_required=False,
                summary="Nothing to do.",
            ),
            analyzer=AnalyzerInfo(provider="offline", model="fake"),
            processed_at=datetime.now(UTC),
            processing_time_ms=1.0,
            created=True,
        )
        self.stored[event.event_id] = stored
        return stored


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
