"""``Idempotency-Key`` on POST /analyze_call: one key (per caller) means one analysis and one record.

The first request with a key claims it in PostgreSQL (``idempotency_keys``) together with a fresh
event id and a lease; the record it stores is found by that event id, so every later request with
the key gets the same record without another LLM call. A request that arrives while the first is
still running waits for it; one whose owner failed or died (lease over) takes the key over with the
same event id. Keys expire after ``IDEMPOTENCY_TTL_HOURS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

import asyncpg

from consumer.db.insights import StoredInsight
from consumer.db.pool import TRANSIENT_DB_ERRORS, unreachable_message
from consumer.errors import InsightsError, StoreUnavailableError

log = logging.getLogger(__name__)

MAX_KEY_LENGTH: Final = 255
_PURGE_EVERY_S: Final = 600.0

_CLAIM = """
INSERT INTO idempotency_keys AS k (principal, idempotency_key, request_hash, event_id, locked_until)
VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
ON CONFLICT (principal, idempotency_key) DO UPDATE
    SET request_hash = EXCLUDED.request_hash, event_id = EXCLUDED.event_id, record_id = NULL,
        locked_until = EXCLUDED.locked_until, created_at = now()
    WHERE k.created_at < now() - make_interval(secs => $6)
RETURNING event_id
"""

_TAKE_OVER = """
UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => $4)
WHERE principal = $1 AND idempotency_key = $2 AND request_hash = $3 AND record_id IS NULL
  AND (locked_until IS NULL OR locked_until < now())
RETURNING event_id
"""

_STATE = """
SELECT request_hash, event_id, record_id FROM idempotency_keys
WHERE principal = $1 AND idempotency_key = $2
"""

_FINISH = """
UPDATE idempotency_keys SET record_id = $4, locked_until = NULL
WHERE principal = $1 AND idempotency_key = $2 AND event_id = $3
"""

_RELEASE = """
UPDATE idempotency_keys SET locked_until = NULL
WHERE principal = $1 AND idempotency_key = $2 AND event_id = $3 AND record_id IS NULL
"""

_PURGE = "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)"


class IdempotencyKeyReusedError(InsightsError):
    """The key was used before with a different request body."""

    reason = "idempotency_key_reused"


def valid_key(key: str) -> bool:
    """Whether an ``Idempotency-Key`` value is acceptable: 1..255 printable ASCII characters."""
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


def request_hash(body: dict[str, Any]) -> str:
    """A fingerprint of a request body, the same for the same content in any key order."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """The stored insight for a key, and whether an earlier request had produced it."""

    stored: StoredInsight
    replayed: bool


class IdempotencyKeys:
    """Claims, waits for and completes idempotency keys in PostgreSQL."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        ttl_s: float,
        lease_s: float,
        poll_initial_s: float = 0.05,
        poll_max_s: float = 0.5,
        unreachable: Callable[[BaseException], str] = unreachable_message,
    ) -> None:
        """``unreachable``: the message for connection trouble (``Store.unreachable`` masks the
        DSN's secrets in it)."""
        self._pool = pool
        self._unreachable = unreachable
        self._ttl_s = ttl_s
        self._lease_s = lease_s
        self._poll_initial_s = poll_initial_s
        self._poll_max_s = poll_max_s
        self._done: dict[tuple[str, str], asyncio.Event] = {}
        self._purged_at = 0.0

    async def run(
        self,
        principal: str,
        key: str,
        fingerprint: str,
        work: Callable[[uuid.UUID], Awaitable[StoredInsight]],
    ) -> Outcome:
        """Run ``work(event_id)`` once for the key, or return what it stored for an earlier request.

        Raises IdempotencyKeyReusedError when the key came with another body, StoreUnavailableError
        when PostgreSQL is down, and whatever ``work`` raises (the key is then free for a retry).
        """
        await self._purge_now_and_then()
        poll_s = self._poll_initial_s
        while True:
            event_id = await self._claim(principal, key, fingerprint)
            if event_id is not None:
                return Outcome(await self._work(principal, key, event_id, work), replayed=False)
            state = await self._fetch(_STATE, principal, key)
            if state is None:
                continue  # expired and purged in between: claim again
            if state["request_hash"] != fingerprint:
                msg = "this Idempotency-Key was used with a different request body"
                raise IdempotencyKeyReusedError(msg)
            if state["record_id"] is not None:
                # The record is stored under the key's event id: the pipeline finds it, no analysis.
                return Outcome(await work(state["event_id"]), replayed=True)
            await self._wait(principal, key, poll_s)
            poll_s = min(self._poll_max_s, poll_s * 2)

    async def _claim(self, principal: str, key: str, fingerprint: str) -> uuid.UUID | None:
        row = await self._fetch(_CLAIM, principal, key, fingerprint, uuid.uuid4(), self._lease_s, self._ttl_s)
        if row is None:
            row = await self._fetch(_TAKE_OVER, principal, key, fingerprint, self._lease_s)
        return row["event_id"] if row is not None else None

    async def _work(
        self,
        principal: str,
        key: str,
        event_id: uuid.UUID,
        work: Callable[[uuid.UUID], Awaitable[StoredInsight]],
    ) -> StoredInsight:
        done = self._done.setdefault((principal, key), asyncio.Event())
        try:
            try:
                stored = await work(event_id)
            except BaseException:
                # Free the key for a retry, even when this request is being cancelled.
                await asyncio.shield(self._release(principal, key, event_id))
                raise
            await self._execute(_FINISH, principal, key, event_id, stored.record_id)
            return stored
        finally:
            done.set()
            if self._done.get((principal, key)) is done:
                del self._done[(principal, key)]

    async def _wait(self, principal: str, key: str, poll_s: float) -> None:
        """Until a request of this process with the key ends, or ``poll_s`` for one of another process."""
        done = self._done.get((principal, key))
        if done is None:
            await asyncio.sleep(poll_s)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=self._poll_max_s)

    async def _release(self, principal: str, key: str, event_id: uuid.UUID) -> None:
        try:
            await self._execute(_RELEASE, principal, key, event_id)
        except StoreUnavailableError as exc:
            log.warning("could not release an idempotency key (its lease will run out): %s", exc)

    async def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._purged_at < _PURGE_EVERY_S:
            return
        self._purged_at = now
        try:
            await self._execute(_PURGE, self._ttl_s)
        except StoreUnavailableError as exc:
            log.warning("could not purge expired idempotency keys: %s", exc)

    async def _fetch(self, query: str, *args: Any) -> asyncpg.Record | None:
        try:
            row: asyncpg.Record | None = await self._pool.fetchrow(query, *args)
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(self._unreachable(exc)) from exc
        return row

    async def _execute(self, query: str, *args: Any) -> None:
        try:
            await self._pool.execute(query, *args)
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(self._unreachable(exc)) from exc
