"""OffsetTracker: commit only below the lowest unfinished offset."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from consumer.kafka.offsets import OffsetTracker


def test_nothing_handed_out_nothing_to_commit() -> None:
    tracker: OffsetTracker[str] = OffsetTracker()
    assert tracker.commit_point("p0") is None
    assert tracker.to_commit() == {}


def test_commit_point_stops_at_first_unfinished() -> None:
    tracker: OffsetTracker[str] = OffsetTracker()
    for offset in range(10, 15):
        tracker.add("p0", offset)
    assert tracker.commit_point("p0") == 10
    tracker.done("p0", 12)
    tracker.done("p0", 11)
    assert tracker.commit_point("p0") == 10
    tracker.done("p0", 10)
    assert tracker.commit_point("p0") == 13
    tracker.done("p0", 14)
    tracker.done("p0", 13)
    assert tracker.commit_point("p0") == 15
    assert tracker.pending("p0") == 0


def test_to_commit_reports_only_moves() -> None:
    tracker: OffsetTracker[str] = OffsetTracker()
    tracker.add("a", 0)
    tracker.add("b", 5)
    tracker.done("a", 0)
    assert tracker.to_commit() == {"a": 1, "b": 5}
    tracker.mark_committed({"a": 1, "b": 5})
    assert tracker.to_commit() == {}
    tracker.done("b", 5)
    assert tracker.to_commit() == {"b": 6}


def test_forgotten_partition_ignores_late_results() -> None:
    tracker: OffsetTracker[str] = OffsetTracker()
    tracker.add("p0", 0)
    tracker.forget("p0")
    assert tracker.done("p0", 0) is False
    assert tracker.to_commit() == {}


def test_refetched_offsets_are_not_tracked_twice() -> None:
    tracker: OffsetTracker[str] = OffsetTracker()
    tracker.add("p0", 0)
    tracker.add("p0", 1)
    tracker.add("p0", 0)
    assert tracker.pending("p0") == 2


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=60), st.randoms())
def test_commit_point_is_lowest_unfinished(gaps: list[int], rnd: random.Random) -> None:
    tracker: OffsetTracker[int] = OffsetTracker()
    offsets = []
    current = 0
    for gap in gaps:  # offsets may skip (compaction, transaction markers)
        current += gap
        offsets.append(current)
        tracker.add(0, current)
    unfinished = set(offsets)
    order = offsets[:]
    rnd.shuffle(order)
    for offset in order:
        tracker.done(0, offset)
        unfinished.discard(offset)
        expected = min(unfinished) if unfinished else offsets[-1] + 1
        assert tracker.commit_point(0) == expected
