"""Which offset may be committed: per partition, everything below the lowest unfinished offset.

Records finish out of order (concurrency beyond partitions), so a partition's commit point is the
first offset still in progress, never the highest one finished. Pure: no I/O.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

TP = TypeVar("TP", bound=Hashable)


@dataclass
class _Partition:
    in_order: deque[int] = field(default_factory=deque)
    finished: set[int] = field(default_factory=set)
    next_offset: int | None = None  # one past the highest offset handed out
    committed: int | None = None


class OffsetTracker(Generic[TP]):
    """Tracks offsets handed out and finished, per partition."""

    def __init__(self) -> None:
        self._parts: dict[TP, _Partition] = {}

    def add(self, tp: TP, offset: int) -> None:
        """An offset was handed out for processing (offsets arrive in increasing order per partition)."""
        part = self._parts.setdefault(tp, _Partition())
        if part.next_offset is not None and offset < part.next_offset:
            return  # already tracked: a re-fetch after a seek
        part.in_order.append(offset)
        part.next_offset = offset + 1

    def done(self, tp: TP, offset: int) -> bool:
        """An offset finished (stored, dead-lettered or skipped). False when the partition is not ours."""
        part = self._parts.get(tp)
        if part is None:
            return False
        part.finished.add(offset)
        while part.in_order and part.in_order[0] in part.finished:
            part.finished.discard(part.in_order.popleft())
        return True

    def commit_point(self, tp: TP) -> int | None:
        """The offset to commit (the next one to consume), or None when nothing was handed out."""
        part = self._parts.get(tp)
        if part is None or part.next_offset is None:
            return None
        return part.in_order[0] if part.in_order else part.next_offset

    def to_commit(self) -> dict[TP, int]:
        """Commit points that moved since they were last marked committed."""
        out: dict[TP, int] = {}
        for tp, part in self._parts.items():
            point = self.commit_point(tp)
            if point is not None and point != part.committed:
                out[tp] = point
        return out

    def mark_committed(self, offsets: dict[TP, int]) -> None:
        """Record that these commit points were accepted by the broker."""
        for tp, offset in offsets.items():
            part = self._parts.get(tp)
            if part is not None:
                part.committed = offset

    def pending(self, tp: TP | None = None) -> int:
        """Offsets handed out and not yet finished, for one partition or all."""
        if tp is not None:
            part = self._parts.get(tp)
            return len(part.in_order) if part else 0
        return sum(len(p.in_order) for p in self._parts.values())

    def partitions(self) -> list[TP]:
        """Partitions being tracked."""
        return list(self._parts)

    def forget(self, tp: TP) -> None:
        """Stop tracking a partition (revoked or lost): later ``done`` calls for it are ignored."""
        self._parts.pop(tp, None)
