"""Connection trouble reported by the idempotency keys and the migrations never quotes the DSN's
password, even when the driver's message does."""

from __future__ import annotations

from typing import Any

import pytest

from consumer.db.idempotency import IdempotencyKeys
from consumer.db.migrations import apply_migrations
from consumer.db.store import Store
from consumer.errors import StoreUnavailableError
from consumer.observability.secrets import Scrubber, url_secrets

DSN = "postgresql://app:s3cret-pw@db.internal:5432/insights"


class DownPool:
    """A pool whose every call fails the way a driver may word it: quoting the DSN."""

    def __init__(self) -> None:
        self.calls = 0

    def _fail(self) -> None:
        self.calls += 1
        raise ConnectionRefusedError(f"could not connect to {DSN}")

    async def fetchrow(self, *args: Any) -> None:
        self._fail()

    async def execute(self, *args: Any) -> None:
        self._fail()

    def acquire(self) -> Any:
        self._fail()


async def _never(event_id: Any) -> Any:
    raise AssertionError("work must not run without the database")


async def test_idempotency_keys_mask_the_password() -> None:
    pool = DownPool()
    store = Store(pool, "insights", Scrubber(url_secrets(DSN)))  # type: ignore[arg-type]
    keys = IdempotencyKeys(pool, ttl_s=3600, lease_s=30, unreachable=store.unreachable)  # type: ignore[arg-type]
    with pytest.raises(StoreUnavailableError) as caught:
        await keys.run("principal", "key-1", "fingerprint", _never)
    assert pool.calls >= 1
    assert "PostgreSQL unreachable" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)


async def test_migrations_mask_the_password() -> None:
    pool = DownPool()
    store = Store(pool, "insights", Scrubber(url_secrets(DSN)))  # type: ignore[arg-type]
    with pytest.raises(StoreUnavailableError) as caught:
        await store.migrate()
    assert "s3cret-pw" not in str(caught.value)
    with pytest.raises(StoreUnavailableError) as unmasked:  # what the store's masking prevents
        await apply_migrations(pool)  # type: ignore[arg-type]
    assert "s3cret-pw" in str(unmasked.value)
