"""MicroBatcher: batches of concurrent calls, and at most ``max_concurrent`` of them at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from consumer.batching import MicroBatcher


class Recorder:
    """A batch handler that records each batch and holds it until released."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.running = 0
        self.most_running = 0
        self.release = asyncio.Event()

    async def __call__(self, items: Sequence[int]) -> list[int | BaseException]:
        self.batches.append(list(items))
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await self.release.wait()
        finally:
            self.running -= 1
        return [i * 10 if i >= 0 else ValueError(f"negative {i}") for i in items]


async def test_calls_arriving_during_a_batch_wait_and_go_together() -> None:
    handler = Recorder()
    batcher: MicroBatcher[int, int] = MicroBatcher(handler, max_size=100, linger_s=0.001, max_concurrent=1)
    first = asyncio.ensure_future(batcher.submit(0))
    await asyncio.sleep(0.01)
    assert handler.batches == [[0]]
    later = [asyncio.ensure_future(batcher.submit(i)) for i in range(1, 21)]
    await asyncio.sleep(0.01)  # far past the linger: still waiting for the running batch
    assert handler.batches == [[0]]
    handler.release.set()
    assert await first == 0
    assert await asyncio.gather(*later) == [i * 10 for i in range(1, 21)]
    assert handler.batches == [[0], list(range(1, 21))]
    assert handler.most_running == 1


async def test_waiting_calls_beyond_max_size_are_split() -> None:
    handler = Recorder()
    batcher: MicroBatcher[int, int] = MicroBatcher(handler, max_size=8, linger_s=0.001, max_concurrent=2)
    calls = [asyncio.ensure_future(batcher.submit(i)) for i in range(30)]
    await asyncio.sleep(0.01)
    assert [len(b) for b in handler.batches] == [8, 8]  # two running, the rest waiting
    handler.release.set()
    assert await asyncio.gather(*calls) == [i * 10 for i in range(30)]
    assert sorted(i for b in handler.batches for i in b) == list(range(30))
    assert all(len(b) <= 8 for b in handler.batches)
    assert handler.most_running == 2


async def test_unlimited_batches_run_side_by_side() -> None:
    handler = Recorder()
    batcher: MicroBatcher[int, int] = MicroBatcher(handler, max_size=4, linger_s=0.001)
    calls = [asyncio.ensure_future(batcher.submit(i)) for i in range(12)]
    await asyncio.sleep(0.01)
    assert handler.running == 3
    handler.release.set()
    await asyncio.gather(*calls)


async def test_an_item_error_reaches_its_caller_alone() -> None:
    handler = Recorder()
    handler.release.set()
    batcher: MicroBatcher[int, int] = MicroBatcher(handler, max_size=8, linger_s=0.001, max_concurrent=1)
    results = await asyncio.gather(*(batcher.submit(i) for i in (1, -1, 2)), return_exceptions=True)
    assert results[::2] == [10, 20]
    assert isinstance(results[1], ValueError)
