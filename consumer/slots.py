"""A first-come, first-served limit on concurrent work whose cost does not grow with its queue.

``asyncio.Semaphore`` (Python 3.11) scans its waiters on every release and removes each woken
waiter from the middle of its queue. With a backlog, about a thousand events wait for one of a few
hundred analysis slots and a finished batch releases a hundred slots at once: the scans added up
to thousands of future checks per event. Here a release hands its slot straight to the oldest
waiter still waiting, and a waiter never leaves the queue by search.
"""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType


class Slots:
    """At most ``limit`` holders at once; the others wait in arrival order.

    Use as ``async with slots:``. A waiter cancelled after its slot was handed to it passes the
    slot on, so cancellation never loses one.
    """

    __slots__ = ("_free", "_limit", "_waiters")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            msg = "Slots needs a limit of at least 1"
            raise ValueError(msg)
        self._limit = limit
        self._free = limit
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def taken(self) -> int:
        """Slots held now."""
        return self._limit - self._free

    async def acquire(self) -> None:
        """Take a slot, waiting behind earlier callers when none is free."""
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # the slot had been handed over: pass it on
                self.release()
            raise

    def release(self) -> None:
        """Give the slot back: to the oldest waiter still waiting, else to the pool."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():  # a cancelled waiter is skipped here, once
                waiter.set_result(None)
                return
        self._free += 1

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
