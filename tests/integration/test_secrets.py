"""Secrets never leave the service: the DATABASE_URL and SASL passwords appear in no log line, no
error message and no /health answer, whatever fails."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg
import pytest

from producer_tools.databases import with_database
from tests.conftest import ROOT, Stack
from tests.integration.service_process import Processes, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def processes(
    stack: Stack, topics: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Processes]:
    """This test's subprocesses, stopped at the end; their logs are shown when the test fails."""
    group = Processes(stack, topics, tmp_path)
    request.node.stash[Processes.stash_key] = group
    try:
        yield group
    finally:
        group.stop_all()


@pytest.fixture
async def own_role(stack: Stack) -> AsyncIterator[tuple[str, str, str]]:
    """A login role with a password of its own and a database it owns: (role, password, url)."""
    role = f"leak_test_{uuid.uuid4().hex[:8]}"
    password = f"Pw-{uuid.uuid4().hex}"
    admin = await asyncpg.connect(stack.admin_dsn)
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        await admin.execute(f"CREATE DATABASE {role} OWNER {role}")
        parts = urlsplit(with_database(stack.admin_dsn, role))
        netloc = f"{role}:{password}@{parts.netloc.rpartition('@')[2]}"
        yield role, password, urlunsplit(parts._replace(netloc=netloc))
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {role} WITH (FORCE)")
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()


async def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """``python -m consumer ARGS`` with only ``env``'s settings: (status, stdout + stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "consumer",
        *args,
        env={k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "DATABASE_"))} | env,
        cwd=ROOT / "tests",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=90)
    return proc.returncode or 0, out.decode()


async def test_database_password_stays_out_of_logs_and_health(
    stack: Stack, processes: Processes, own_role: tuple[str, str, str]
) -> None:
    """The database refuses the service's role while it runs: /health says the database is down and
    why, and neither that answer nor the service's log (at DEBUG) contains the password."""
    role, password, url = own_role
    service = processes.service({"database_url": url, "log_level": "DEBUG"})
    service.start()
    await service.wait_ready()
    assert service.log_matches(rf"PostgreSQL at postgresql://{role}:\*\*\*@"), "start line shows the URL"

    admin = await asyncpg.connect(stack.admin_dsn)
    try:
        await admin.execute(f"ALTER ROLE {role} NOLOGIN")
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role)
    finally:
        await admin.close()

    answers: list[tuple[int, dict[str, object]]] = []

    def refused(answer: tuple[int, dict[str, object]]) -> bool:
        database = answer[1].get("components", {}).get("database", {})  # type: ignore[attr-defined]
        return answer[0] == 503 and database.get("status") == "down" and role in database.get("error", "")

    async def login_refused() -> bool:
        # The first 503 may come from a pooled connection the termination broke mid-use; the
        # reconnections after it are refused, and that error names the role.
        answer = await service.health()
        if answer is not None:
            answers.append(answer)
        return answer is not None and refused(answer)

    await wait_for(login_refused, timeout=60, what="/health to report the database refusing the role")
    assert password not in str(answers)  # the error says what went wrong, never with the password
    async with aiohttp.ClientSession() as http, http.get(f"{service.base_url}/calls") as resp:
        assert resp.status == 503
        assert password not in await resp.text()
    assert password not in service.log_text()


async def test_startup_errors_do_not_show_the_password(stack: Stack, own_role: tuple[str, str, str]) -> None:
    """Refused logins, unusable URLs and refused Kafka credentials end the start with an error that
    names the problem and not the password, also at LOG_LEVEL=DEBUG."""
    _, password, url = own_role
    wrong = f"Wrong-{uuid.uuid4().hex}"
    cases = {
        "password authentication failed": url.replace(password, wrong),
        "not usable": url.replace(urlsplit(url).netloc.rpartition(":")[2], "port"),
    }
    for expected, bad_url in cases.items():
        status, output = await run_cli("migrate", env={"DATABASE_URL": bad_url, "LOG_LEVEL": "DEBUG"})
        assert status != 0
        assert expected in output
        assert wrong not in output
        assert password not in output

    status, output = await run_cli(
        "migrate", env={"DATABASE_URL": url, "KAFKA_SASL_PASSWORD": wrong, "LOG_LEVEL": "DEBUG"}
    )
    assert status == 2
    assert "KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use SASL" in output
    assert wrong not in output
