"""Shared fixtures. Integration tests use the real Kafka broker and PostgreSQL.

``make test`` exports KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL from ``scripts/devstack up``; when they
are missing the session starts the devstack itself. Every test gets topics of its own, and the session
gets a database of its own, dropped at the end.
"""

from __future__ import annotations

import os
import random
import re
import shlex
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from producer_tools.databases import scratch_database

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Stack:
    """Where the real services are."""

    bootstrap: str
    admin_dsn: str  # the server's default database
    dsn: str  # this test session's own database


def _devstack_env() -> dict[str, str]:
    out = subprocess.run(
        [str(ROOT / "scripts" / "devstack"), "up"], check=True, capture_output=True, text=True, timeout=600
    ).stdout
    # the values are shell-quoted (``insights_db\\?sslmode=disable``): read them as the shell would
    return {k: shlex.split(v)[0] for k, v in re.findall(r"^export (\w+)=(.*)$", out, flags=re.MULTILINE)}


@pytest.fixture(scope="session")
def stack_env() -> dict[str, str]:
    """KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL of the running stack (started when needed), and the
    devstack's DEVSTACK_* TLS/SASL endpoints when the local services are the ones in use."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL") or k.startswith("DEVSTACK_")
    }
    if "KAFKA_BOOTSTRAP_SERVERS" not in env or "DATABASE_URL" not in env:
        env = {**_devstack_env(), **env}
    return env


_TOPICS_HANDED_OUT: set[str] = set()


@pytest.fixture(scope="session")
async def stack(stack_env: dict[str, str]) -> AsyncIterator[Stack]:
    """A fresh database for this session on the real server, dropped afterwards, as are the
    session's topics (a developer's broker would otherwise keep every test run's events)."""
    admin_dsn = stack_env["DATABASE_URL"]
    bootstrap = stack_env["KAFKA_BOOTSTRAP_SERVERS"]
    async with scratch_database(admin_dsn, "insights_test") as dsn:
        yield Stack(bootstrap=bootstrap, admin_dsn=admin_dsn, dsn=dsn)
    await _delete_topics(bootstrap, _TOPICS_HANDED_OUT)


async def _delete_topics(bootstrap: str, names: set[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
        existing = sorted(names & set(await admin.list_topics()))
        for start in range(0, len(existing), 100):
            await admin.delete_topics(existing[start : start + 100])
    except KafkaError as exc:  # the tests' results stand; the topics are only left behind
        print(f"could not delete the test topics: {exc}", file=sys.stderr)
    finally:
        await admin.close()


def fresh_topics() -> dict[str, str]:
    """Topic names and a group id used by nothing else (the topics go when the session ends)."""
    suffix = uuid.uuid4().hex[:8]
    names = {
        "KAFKA_INPUT_TOPIC": f"test.transcripts.{suffix}",
        "KAFKA_OUTPUT_TOPIC": f"test.insights.{suffix}",
        "KAFKA_DLQ_TOPIC": f"test.transcripts.dlq.{suffix}",
    }
    _TOPICS_HANDED_OUT.update(names.values())
    return {**names, "KAFKA_GROUP_ID": f"test-group-{suffix}"}


@pytest.fixture
def topics() -> dict[str, str]:
    """Topic names of this test only, so tests never see each other's events."""
    return fresh_topics()


@pytest.fixture
def python() -> str:
    """The interpreter running the tests (the project's venv under `make test`)."""
    return sys.executable


def unused_port() -> int:
    """A TCP port free on 127.0.0.1 right now, for a server a test starts.

    It is taken below the kernel's range of ephemeral ports, so that no outgoing connection
    (a Kafka or PostgreSQL client's) can take it before the server binds it.
    """
    try:
        ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral = 32768
    pick = random.SystemRandom()
    for _ in range(100):
        port = pick.randrange(min(20000, ephemeral - 1000), ephemeral)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    with socket.socket() as sock:  # every one tried was taken: any free port
        sock.bind(("127.0.0.1", 0))
        found: int = sock.getsockname()[1]
    return found


@pytest.fixture
def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (see ``unused_port``)."""
    return unused_port()
