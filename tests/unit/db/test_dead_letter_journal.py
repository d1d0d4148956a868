"""The dead-letter journal never delays or fails dead-lettering, whatever the database does."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from consumer.db.dead_letters import MAX_KEY_CHARS, DeadLetterEntry, DeadLetterJournal


def entry(offset: int = 7, key: bytes | None = b"call-1") -> DeadLetterEntry:
    return DeadLetterEntry(
        reason="schema_invalid",
        error="bad \x00 event",
        original_topic="telephony.transcripts",
        original_partition=2,
        original_offset=offset,
        key=key,
        attempts=1,
        failed_at=datetime(2026, 11, 20, tzinfo=UTC),
    )


class FakePool:
    """Stands in for asyncpg.Pool: records, fails or hangs on execute."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.rows: list[tuple[Any, ...]] = []
        self.started = asyncio.Event()

    async def execute(self, _sql: str, *args: Any) -> str:
        self.started.set()
        if self.mode == "fail":
            raise ConnectionRefusedError("database down")
        if self.mode == "hang":
            await asyncio.Event().wait()
        self.rows.append(args)
        return "INSERT 0 1"


def test_row_keeps_no_nul_and_decodes_the_key() -> None:
    row = entry(key=b"\xffcall\x00-1" + b"k" * 400).row()
    assert row[1] == "bad  event"
    key = row[5]
    assert isinstance(key, str)
    assert "\x00" not in key
    assert key.startswith("\ufffdcall-1")
    assert len(key) <= MAX_KEY_CHARS
    assert entry(key=None).row()[5] is None


async def test_entries_are_written_in_the_background() -> None:
    pool = FakePool()
    journal = DeadLetterJournal(pool)  # type: ignore[arg-type]
    journal.record(entry(1))
    journal.record(entry(2))
    assert pool.rows == []  # record() returned before anything was written
    await journal.aclose()
    assert [r[4] for r in pool.rows] == [1, 2]
    assert journal.written == 2


async def test_a_failing_database_costs_only_a_warning() -> None:
    pool = FakePool("fail")
    journal = DeadLetterJournal(pool)  # type: ignore[arg-type]
    journal.record(entry())
    await journal.aclose()
    assert journal.written == 0
    assert journal.dropped == 1


async def test_a_hanging_database_is_given_up_on() -> None:
    pool = FakePool("hang")
    journal = DeadLetterJournal(pool, timeout_s=0.05)  # type: ignore[arg-type]
    journal.record(entry())
    await pool.started.wait()
    await journal.aclose(timeout_s=5)
    assert journal.dropped == 1


async def test_backlog_is_bounded_and_close_cancels_what_is_left() -> None:
    pool = FakePool("hang")
    journal = DeadLetterJournal(pool, timeout_s=60, max_pending=3)  # type: ignore[arg-type]
    for offset in range(5):
        journal.record(entry(offset))
    assert journal.dropped == 2
    await journal.aclose(timeout_s=0.01)
    assert journal.written == 0
