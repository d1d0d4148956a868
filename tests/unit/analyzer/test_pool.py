"""PooledOfflineAnalyzer: the offline rules in worker processes give the in-loop results."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from consumer.analyzer.offline import OfflineAnalyzer
from consumer.analyzer.pool import PooledOfflineAnalyzer, analyze_many
from consumer.errors import AnalyzerError, AnalyzerUnavailableError
from producer_tools.samples import SAMPLES_PATH, load_rows

AT = datetime.fromisoformat("2026-11-20T10:30:00+05:30")


@pytest.fixture
async def pooled() -> AsyncIterator[PooledOfflineAnalyzer]:
    analyzer = PooledOfflineAnalyzer(1, batch_size=8)
    try:
        yield analyzer
    finally:
        await analyzer.aclose()


async def test_workers_give_exactly_the_in_loop_analysis(pooled: PooledOfflineAnalyzer) -> None:
    texts = [str(r["transcript"]) for r in load_rows(SAMPLES_PATH)[:40]]
    in_loop = OfflineAnalyzer()
    expected = [await in_loop.analyze(t, call_started_at=AT) for t in texts]
    got = await asyncio.gather(*(pooled.analyze(t, call_started_at=AT) for t in texts))
    assert got == expected
    assert pooled.info == in_loop.info


def test_a_failing_transcript_fails_alone() -> None:
    jobs = [("Customer: kal 5000 dunga", AT), (None, AT), ("Customer: ok", None)]
    answers = analyze_many(jobs)  # type: ignore[arg-type]
    assert [ok for ok, _ in answers] == [True, False, True]
    assert "AttributeError" in answers[1][1] or "TypeError" in answers[1][1]


async def test_an_exception_in_a_worker_is_a_non_retriable_error_for_that_call(
    pooled: PooledOfflineAnalyzer,
) -> None:
    with pytest.raises(AnalyzerError) as caught:
        await pooled.analyze(None)  # type: ignore[arg-type]
    assert not caught.value.retriable
    assert (await pooled.analyze("Customer: Kal 5000 bhar dunga.")).intent_category == "promise_to_pay"


async def test_a_killed_worker_is_retriable_and_the_next_call_gets_new_workers(
    pooled: PooledOfflineAnalyzer,
) -> None:
    await pooled.start()  # the workers are up and warm (``check`` gives a cold start only 5 s)
    workers = list(pooled._pool._processes)  # the real worker processes, to kill
    assert workers
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    with pytest.raises(AnalyzerUnavailableError) as caught:
        await pooled.analyze("Customer: theek hai")
    assert caught.value.retriable
    result = await pooled.analyze("Customer: Kal 5000 bhar dunga.")
    assert result.intent_category == "promise_to_pay"
    await pooled.check()


async def test_start_brings_up_every_worker_before_the_first_call() -> None:
    analyzer = PooledOfflineAnalyzer(2, batch_size=8)
    try:
        pids = await analyzer.start()
        assert len(pids) == 2
        assert pids == set(analyzer._pool._processes)  # no worker is left to start later
        assert os.getpid() not in pids
        assert (await analyzer.analyze("Customer: Kal 5000 bhar dunga.")).intent_category == "promise_to_pay"
    finally:
        await analyzer.aclose()
