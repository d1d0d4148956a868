"""Slots: a limit on concurrent holders, first come first served, that never loses a slot."""

from __future__ import annotations

import asyncio

import pytest

from consumer.slots import Slots


async def test_at_most_limit_hold_at_once_and_waiters_go_in_order() -> None:
    slots = Slots(2)
    order: list[int] = []
    holding = 0
    most = 0
    gate = asyncio.Event()

    async def work(n: int) -> None:
        nonlocal holding, most
        async with slots:
            holding += 1
            most = max(most, holding)
            order.append(n)
            await gate.wait()
            holding -= 1

    tasks = [asyncio.create_task(work(n)) for n in range(6)]
    await asyncio.sleep(0)
    assert (slots.taken, order) == (2, [0, 1])
    gate.set()
    await asyncio.gather(*tasks)
    assert order == list(range(6))
    assert most == 2
    assert slots.taken == 0


async def test_a_cancelled_waiter_neither_takes_nor_loses_a_slot() -> None:
    slots = Slots(1)
    await slots.acquire()
    waiting = asyncio.create_task(slots.acquire())
    later = asyncio.create_task(slots.acquire())
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.sleep(0)
    slots.release()  # skips the cancelled waiter, goes to the next
    await asyncio.wait_for(later, timeout=5)
    assert slots.taken == 1
    slots.release()
    assert slots.taken == 0


async def test_a_waiter_cancelled_after_its_slot_was_handed_over_passes_it_on() -> None:
    slots = Slots(1)
    await slots.acquire()
    first = asyncio.create_task(slots.acquire())
    second = asyncio.create_task(slots.acquire())
    await asyncio.sleep(0)
    slots.release()  # handed to `first`, which has not run yet
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, timeout=5)  # got the slot `first` passed on
    assert slots.taken == 1
    slots.release()
    assert slots.taken == 0


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Slots(0)
