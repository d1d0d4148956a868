"""A journal of dead letters in PostgreSQL, for the dashboard and GET /dead_letters.

Best effort by design: the dead-letter topic is the source of truth, so writing here never delays or
fails dead-lettering. Each entry is written in the background with a timeout; when the database is
slow or down, entries beyond a small backlog are dropped with a warning.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import asyncpg

log = logging.getLogger(__name__)

_INSERT = """
INSERT INTO dead_letters (reason, error, original_topic, original_partition, original_offset, key, attempts,
                          failed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (original_topic, original_partition, original_offset) DO UPDATE
SET reason = EXCLUDED.reason, error = EXCLUDED.error, key = EXCLUDED.key, attempts = EXCLUDED.attempts,
    failed_at = EXCLUDED.failed_at
"""

MAX_KEY_CHARS = 256
MAX_ERROR_CHARS = 1000


@dataclass(frozen=True, slots=True)
class DeadLetterEntry:
    """What is kept of a dead letter: why, where it came from, its key; never its value."""

    reason: str
    error: str
    original_topic: str
    original_partition: int
    original_offset: int
    key: bytes | None
    attempts: int
    failed_at: datetime

    def row(self) -> tuple[object, ...]:
        """The INSERT parameters; text without NUL characters, which PostgreSQL cannot store."""
        key = self.key.decode("utf-8", "replace")[:MAX_KEY_CHARS] if self.key is not None else None
        return (
            self.reason.replace("\x00", ""),
            self.error[:MAX_ERROR_CHARS].replace("\x00", ""),
            self.original_topic,
            self.original_partition,
            self.original_offset,
            key.replace("\x00", "") if key is not None else None,
            self.attempts,
            self.failed_at,
        )


class DeadLetterJournal:
    """Writes DeadLetterEntry rows in the background; ``record`` never waits and never raises."""

    def __init__(self, pool: asyncpg.Pool, *, timeout_s: float = 5.0, max_pending: int = 100) -> None:
        self._pool = pool
        self._timeout_s = timeout_s
        self._max_pending = max_pending
        self._pending: set[asyncio.Task[None]] = set()
        self.written = 0
        self.dropped = 0

    def record(self, entry: DeadLetterEntry) -> None:
        """Schedule the write of one entry, or drop it when too many writes are already waiting."""
        if len(self._pending) >= self._max_pending:
            self.dropped += 1
            log.warning("dead-letter journal backlog full; not recording %s", _where(entry))
            return
        task = asyncio.create_task(self._write(entry), name="dead-letter-journal")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _write(self, entry: DeadLetterEntry) -> None:
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._pool.execute(_INSERT, *entry.row())
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.dropped += 1
            # The error text may quote the row (its key); only its type at WARNING.
            where, kind = _where(entry), type(exc).__name__
            log.warning("could not record dead letter %s in the journal: %s", where, kind)
            log.debug("journal write failed: %s", exc)
        else:
            self.written += 1

    async def aclose(self, timeout_s: float = 5.0) -> None:
        """Give pending writes a moment to finish, then cancel the rest."""
        if not self._pending:
            return
        _, late = await asyncio.wait(set(self._pending), timeout=timeout_s)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)


def _where(entry: DeadLetterEntry) -> str:
    return f"{entry.original_topic}[{entry.original_partition}]@{entry.original_offset}"
