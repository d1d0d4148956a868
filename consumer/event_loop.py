"""The event loop the service runs on: uvloop's, where it is installed, else asyncio's own.

The service's process is a loop of small callbacks (Kafka fetches and sends, PostgreSQL
transactions, futures handed between them); uvloop runs them in C and took a tenth off the
service process's CPU per event in the backlog drain benchmark. ``EVENT_LOOP=asyncio`` chooses
asyncio's loop; so does a platform uvloop does not build on (it is not installed there).
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

log = logging.getLogger(__name__)

LoopName = Literal["uvloop", "asyncio"]
_T = TypeVar("_T")


def loop_factory(choice: LoopName) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The factory of the loop to run on: uvloop's when ``choice`` is uvloop and it is installed,
    else None (asyncio's own)."""
    if choice == "uvloop":
        if importlib.util.find_spec("uvloop") is not None:
            import uvloop

            return uvloop.new_event_loop
        log.warning("EVENT_LOOP=uvloop but uvloop is not installed here: running on asyncio's loop")
    return None


def run(main: Coroutine[Any, Any, _T], choice: LoopName) -> _T:
    """``asyncio.run(main)`` on the loop ``choice`` names (see ``loop_factory``)."""
    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        return runner.run(main)


def running_loop_name() -> str:
    """The running loop's implementation, as the service's start line reports it."""
    loop = asyncio.get_running_loop()
    module = type(loop).__module__.split(".")[0]
    if module == "uvloop":
        from importlib.metadata import version

        return f"uvloop {version('uvloop')}"
    return module
