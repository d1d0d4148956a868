"""PostgreSQL over TLS: ``sslmode`` and ``sslrootcert`` in DATABASE_URL, on the devstack cluster
(``ssl = on`` with a certificate for localhost and 127.0.0.1 from the devstack CA)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from consumer.db.store import Store
from consumer.errors import StoreUnavailableError
from tests.conftest import ROOT, Stack

pytestmark = pytest.mark.integration

_IS_TLS = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"


def with_params(url: str, **params: str) -> str:
    """``url`` with these query parameters (and no others)."""
    return urlunsplit(urlsplit(url)._replace(query=urlencode(params)))


@pytest.fixture
def root_cert(stack_env: dict[str, str]) -> str:
    """The CA file that signed the devstack cluster's certificate."""
    path = stack_env.get("DEVSTACK_PG_SSLROOTCERT")
    if not path:
        pytest.skip("DEVSTACK_PG_SSLROOTCERT not set: PostgreSQL is not this checkout's devstack")
    return path


async def run_migrate(database_url: str) -> tuple[int, str, str]:
    """``python -m consumer migrate`` with this DATABASE_URL: (status, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"DATABASE_URL": database_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "consumer",
        "migrate",
        env=env,
        cwd=ROOT / "tests",  # away from a developer's .env
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode or 0, out.decode(), err.decode()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_store_verifies_the_server_certificate(stack: Stack, root_cert: str, host: str) -> None:
    """With ``sslmode=verify-full`` every pooled connection is encrypted and the server proved its
    name with a certificate from the given CA; migrations run over it."""
    url = urlsplit(with_params(stack.dsn, sslmode="verify-full", sslrootcert=root_cert))
    url = url._replace(netloc=url.netloc.replace(url.hostname or "", host))
    async with Store.connect(urlunsplit(url), output_topic="t", min_size=2, max_size=2) as store:
        await store.migrate()
        async with store.pool.acquire() as first, store.pool.acquire() as second:
            assert await first.fetchval(_IS_TLS) is True
            assert await second.fetchval(_IS_TLS) is True


async def test_plain_connections_still_work(stack: Stack, root_cert: str) -> None:
    """A URL without TLS (``sslmode=disable``) still connects, unencrypted."""
    async with Store.connect(
        with_params(stack.dsn, sslmode="disable"), output_topic="t", min_size=1
    ) as store:
        assert await store.pool.fetchval(_IS_TLS) is False


async def test_wrong_root_certificate_is_refused(
    stack: Stack, root_cert: str, stack_env: dict[str, str]
) -> None:
    """A server certificate the given CA did not sign is refused: verification really happens."""
    stranger = stack_env.get("DEVSTACK_KAFKA_CLIENT_CERTFILE")  # a certificate, but not the CA
    if not stranger:
        pytest.skip("no second certificate to trust instead of the CA")
    url = with_params(stack.dsn, sslmode="verify-full", sslrootcert=stranger)
    with pytest.raises(StoreUnavailableError, match="certificate verify failed"):
        async with Store.connect(url, output_topic="t", min_size=1):
            pass


async def test_migrate_command_over_tls(stack: Stack, root_cert: str, stack_env: dict[str, str]) -> None:
    """``python -m consumer migrate`` honours sslmode/sslrootcert in DATABASE_URL: it succeeds with
    the right CA and fails, saying why, with a certificate that does not vouch for the server."""
    status, out, err = await run_migrate(with_params(stack.dsn, sslmode="verify-full", sslrootcert=root_cert))
    assert status == 0, err
    assert "applied" in json.loads(out.strip().splitlines()[-1])

    stranger = stack_env.get("DEVSTACK_KAFKA_CLIENT_CERTFILE")
    if stranger:
        status, _, err = await run_migrate(
            with_params(stack.dsn, sslmode="verify-full", sslrootcert=stranger)
        )
        assert status == 1
        assert "certificate verify failed" in err
