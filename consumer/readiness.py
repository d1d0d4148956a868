"""Readiness: may this instance take traffic now? (``GET /ready``; ``GET /health`` says whether it is
alive and how each part is doing.)

An instance is ready when

- **database**: PostgreSQL answers;
- **migrations**: every shipped migration (``sql/``) is recorded in ``schema_migrations`` (an
  instance of a newer version waiting for its migrations is not ready to serve);
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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from consumer.errors import InsightsError

Check = Callable[[], Awaitable[Mapping[str, Any]]]
"""Returns detail when the condition holds; raises (``NotReadyError`` or any error) when not."""

CHECK_TIMEOUT_S = 2.0


class NotReadyError(InsightsError):
    """A readiness condition does not hold (yet)."""

    retriable = True
    reason = "not_ready"


class Database(Protocol):
    """What readiness asks of the database (``consumer.db.store.Store``)."""

    async def ping(self) -> None:
        """Raise when the database does not answer."""

    async def missing_migrations(self) -> Sequence[str]:
        """The shipped migrations not applied yet."""


class GroupMember(Protocol):
    """What readiness asks of the Kafka side (``consumer.kafka.stream.StreamProcessor``)."""

    @property
    def joined(self) -> bool:
        """A join of the consumer group has completed (possibly with no partition)."""

    def assigned_partitions(self) -> int:
        """How many partitions this member holds now."""


class LLMConfiguration(Protocol):
    """What readiness asks of the analyzer (``consumer.analyzer.base.Analyzer``)."""

    async def check(self) -> None:
        """Raise when the analyzer cannot serve."""


def migrations_check(database: Database, shipped: int) -> Check:
    """Every shipped migration (``shipped`` of them) is recorded as applied."""

    async def migrations() -> Mapping[str, Any]:
        missing = await database.missing_migrations()
        if missing:
            msg = f"migrations not applied: {', '.join(missing)}"
            raise NotReadyError(msg)
        return {"applied": shipped}

    return migrations


def service_checks(
    database: Database, member: GroupMember, analyzer: LLMConfiguration, *, provider: str, migrations: int
) -> dict[str, Check]:
    """The readiness checks of a running service (``migrations``: how many the service ships)."""

    async def database_up() -> Mapping[str, Any]:
        await database.ping()
        return {}

    async def kafka_consumer() -> Mapping[str, Any]:
        if not member.joined:
            msg = "the consumer has not joined its group yet"
            raise NotReadyError(msg)
        return {"assigned_partitions": member.assigned_partitions()}

    async def llm_configuration() -> Mapping[str, Any]:
        if not getattr(analyzer, "configuration_ok", True):
            try:
                await analyzer.check()
            except InsightsError as exc:
                raise NotReadyError(str(exc)) from None
            msg = "the LLM refuses the configuration"
            raise NotReadyError(msg)
        return {"provider": provider}

    return {
        "database": database_up,
        "migrations": migrations_check(database, migrations),
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
