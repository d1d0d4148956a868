"""Readiness: may this instance take traffic now? (``GET /ready``; ``GET /health`` says whether it is
alive and how each part is doing.)

An instance is ready when

- **database**: PostgreSQL answers;
- **migrations**: every file in ``sql/`` is recorded in ``schema_migrations`` (an instance of a newer
  version waiting for its migrations is not ready to serve);
- **consumer**: the Kafka consumer has completed a join of its group. A member that was given no
  partition (more instances than partitions) is ready too: it is a standby that takes partitions
  over at the next rebalance, its HTTP API works, and holding it back would stall a rolling deploy
  with more replicas than partitions. It stays ready through later rebalances, so that one
  group-wide rebalance does not take every instance out of the load balancer at once;
- **llm_configuration**: the LLM accepts the configuration (the model exists, the key or the
  credentials are accepted); always true for the offline analyzer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer

from consumer.analyzer.base import Analyzer
from consumer.db.store import MIGRATIONS_DIR, Store, read_migrations
from consumer.errors import InsightsError
from consumer.kafka.stream import StreamProcessor

Check = Callable[[], Awaitable[Mapping[str, Any]]]
"""Returns detail when the condition holds; raises (``NotReadyError`` or any error) when not."""

CHECK_TIMEOUT_S = 2.0


class NotReadyError(InsightsError):
    """A readiness condition does not hold (yet)."""

    retriable = True
    reason = "not_ready"


class MigrationsCheck:
    """Every migration file is recorded as applied."""

    def __init__(self, pool: asyncpg.Pool, directory: Path = MIGRATIONS_DIR) -> None:
        self._pool = pool
        self._names = [name for name, _ in read_migrations(directory)]

    async def __call__(self) -> Mapping[str, Any]:
        """Detail: how many are applied; raises NotReadyError naming the missing ones."""
        try:
            rows = await self._pool.fetch("SELECT name FROM schema_migrations")
        except asyncpg.exceptions.UndefinedTableError:
            rows = []
        applied = {row["name"] for row in rows}
        missing = [name for name in self._names if name not in applied]
        if missing:
            msg = f"migrations not applied: {', '.join(missing)}"
            raise NotReadyError(msg)
        return {"applied": len(self._names)}


def service_checks(
    store: Store, stream: StreamProcessor, consumer: AIOKafkaConsumer, analyzer: Analyzer
) -> dict[str, Check]:
    """The readiness checks of a running service."""

    async def database() -> Mapping[str, Any]:
        await store.ping()
        return {}

    async def kafka_consumer() -> Mapping[str, Any]:
        if not stream.joined:
            msg = "the consumer has not joined its group yet"
            raise NotReadyError(msg)
        return {"assigned_partitions": len(consumer.assignment())}

    async def llm_configuration() -> Mapping[str, Any]:
        if not getattr(analyzer, "configuration_ok", True):
            try:
                await analyzer.check()
            except InsightsError as exc:
                raise NotReadyError(str(exc)) from None
            msg = "the LLM refuses the configuration"
            raise NotReadyError(msg)
        return {"provider": analyzer.info.provider}

    return {
        "database": database,
        "migrations": MigrationsCheck(store.pool),
        "consumer": kafka_consumer,
        "llm_configuration": llm_configuration,
    }


async def run_checks(
    checks: Mapping[str, Check], timeout_s: float = CHECK_TIMEOUT_S
) -> tuple[bool, dict[str, dict[str, Any]]]:
    """Run the checks at once; (all passed, ``{name: {"ok": bool, "error"?: str, ...detail}}``)."""

    async def run(name: str, check: Check) -> tuple[str, dict[str, Any]]:
        try:
            detail = await asyncio.wait_for(check(), timeout=timeout_s)
        except TimeoutError:
            return name, {"ok": False, "error": f"no answer within {timeout_s:g}s"}
        except Exception as exc:
            return name, {"ok": False, "error": (str(exc) or type(exc).__name__)[:300]}
        return name, {"ok": True, **detail}

    results = dict(await asyncio.gather(*(run(n, c) for n, c in checks.items())))
    return all(r["ok"] for r in results.values()), results
