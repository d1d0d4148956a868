"""The service's event loop: uvloop's where it is installed and chosen, asyncio's otherwise."""

from __future__ import annotations

import asyncio
import importlib.util
import logging

import pytest

from consumer import event_loop
from consumer.settings import Settings


async def _name_and_answer() -> tuple[str, int]:
    await asyncio.sleep(0)
    return event_loop.running_loop_name(), 42


def test_the_service_runs_on_uvloop_by_default() -> None:
    assert Settings().event_loop == "uvloop"
    name, answer = event_loop.run(_name_and_answer(), "uvloop")
    assert name.startswith("uvloop ")
    assert answer == 42


def test_event_loop_asyncio_runs_on_pythons_own_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_LOOP", "asyncio")
    choice = Settings().event_loop
    assert choice == "asyncio"
    assert event_loop.loop_factory(choice) is None
    assert event_loop.run(_name_and_answer(), choice) == ("asyncio", 42)


def test_without_uvloop_the_service_runs_on_asyncio_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvloop" else real(name, *a)
    )
    with caplog.at_level(logging.WARNING, logger="consumer.event_loop"):
        assert event_loop.loop_factory("uvloop") is None
        assert event_loop.run(_name_and_answer(), "uvloop") == ("asyncio", 42)
    assert "uvloop is not installed" in caplog.text


def test_an_unknown_event_loop_is_a_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_LOOP", "trio")
    with pytest.raises(ValueError, match="event_loop"):
        Settings()
