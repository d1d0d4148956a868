"""Readiness from small protocols: a database, a group member and an analyzer, here in memory."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from consumer.errors import AnalyzerUnavailableError
from consumer.readiness import NotReadyError, run_checks, service_checks


class FakeDatabase:
    def __init__(self, missing: Sequence[str] = (), *, up: bool = True) -> None:
        self.missing = list(missing)
        self.up = up

    async def ping(self) -> None:
        if not self.up:
            msg = "PostgreSQL unreachable: connection refused"
            raise ConnectionError(msg)

    async def missing_migrations(self) -> Sequence[str]:
        return self.missing


class FakeMember:
    def __init__(self, *, joined: bool, partitions: int = 0) -> None:
        self.joined = joined
        self.partitions = partitions

    def assigned_partitions(self) -> int:
        return self.partitions


class FakeAnalyzer:
    def __init__(self, *, configuration_ok: bool = True) -> None:
        self.configuration_ok = configuration_ok

    async def check(self) -> None:
        if not self.configuration_ok:
            msg = "model gemini-x not found"
            raise AnalyzerUnavailableError(msg)


JOINED = FakeMember(joined=True)
READY = FakeAnalyzer()


async def test_ready_when_every_part_is() -> None:
    checks = service_checks(
        FakeDatabase(),
        FakeMember(joined=True, partitions=3),
        FakeAnalyzer(),
        provider="offline",
        migrations=8,
    )
    ok, results = await run_checks(checks)
    assert ok
    assert results == {
        "database": {"ok": True},
        "migrations": {"ok": True, "applied": 8},
        "consumer": {"ok": True, "assigned_partitions": 3},
        "llm_configuration": {"ok": True, "provider": "offline"},
    }


async def test_a_member_without_partitions_is_ready_once_joined() -> None:
    checks = service_checks(
        FakeDatabase(), FakeMember(joined=True), FakeAnalyzer(), provider="x", migrations=1
    )
    ok, results = await run_checks(checks)
    assert ok
    assert results["consumer"] == {"ok": True, "assigned_partitions": 0}


@pytest.mark.parametrize(
    ("database", "member", "analyzer", "failing", "message"),
    [
        (
            FakeDatabase(["9999_not_yet.sql"]),
            FakeMember(joined=True),
            FakeAnalyzer(),
            "migrations",
            "9999_not_yet",
        ),
        (FakeDatabase(up=False), JOINED, READY, "database", "unreachable"),
        (FakeDatabase(), FakeMember(joined=False), READY, "consumer", "not joined"),
        (
            FakeDatabase(),
            FakeMember(joined=True),
            FakeAnalyzer(configuration_ok=False),
            "llm_configuration",
            "not found",
        ),
    ],
)
async def test_not_ready_names_the_part_and_why(
    database: FakeDatabase, member: FakeMember, analyzer: FakeAnalyzer, failing: str, message: str
) -> None:
    ok, results = await run_checks(service_checks(database, member, analyzer, provider="x", migrations=1))
    assert not ok
    assert [name for name, r in results.items() if not r["ok"]] == [failing]
    assert message in results[failing]["error"]


async def test_migrations_check_raises_not_ready() -> None:
    checks = service_checks(
        FakeDatabase(["0009_x.sql"]), FakeMember(joined=True), FakeAnalyzer(), provider="x", migrations=9
    )
    with pytest.raises(NotReadyError, match=r"0009_x\.sql"):
        await checks["migrations"]()
