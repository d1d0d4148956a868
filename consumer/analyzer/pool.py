"""The offline analyzer in worker processes, so rule matching runs beside the event loop.

The rules are pure CPU work: in the event loop they take the loop's core from Kafka, PostgreSQL
and the sidecar. With ``OFFLINE_WORKERS`` > 0 the service hands transcripts, in small batches, to
that many worker processes and gets the analyses back as JSON, so an instance can use more than
one core. Results are identical to the in-loop analyzer (same code, run elsewhere).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from consumer.analyzer.learned import shipped_model, shipped_version
from consumer.analyzer.offline import Job, analyze_batch, analyze_offline, analyzer_info
from consumer.batching import MicroBatcher
from consumer.errors import AnalyzerError, AnalyzerUnavailableError
from consumer.gc_tuning import settle
from schemas import AnalyzerInfo, CallAnalysis

log = logging.getLogger(__name__)

Answer = tuple[bool, str]
"""``(True, analysis JSON)`` or ``(False, error text)``: one failing transcript fails alone."""


def analyze_many(jobs: Sequence[Job]) -> list[Answer]:
    """Run in a worker: analyze the transcripts (``analyze_batch``, step by step over all of
    them); an exception becomes that job's answer."""
    return [
        (True, result.model_dump_json())
        if isinstance(result, CallAnalysis)
        else (False, f"{type(result).__name__}: {result}")
        for result in analyze_batch(jobs, shipped_model())
    ]


_gathering: threading.Barrier | None = None  # a worker's copy of its pool's start-up barrier


def _warm_up(gathering: threading.Barrier) -> None:
    """Worker start: compile every pattern now rather than on the first real transcript, then
    settle the garbage collector (a worker's CPU per transcript fell by a quarter)."""
    global _gathering  # set once per worker process
    _gathering = gathering
    analyze_offline("Agent: Namaste. Customer: Kal 5000 bhar dunga.", None, shipped_model())
    settle(gen0_threshold=50_000)


def _gather(timeout_s: float) -> int:
    """Answer once every worker of the pool has started and warmed up: its process id."""
    assert _gathering is not None
    _gathering.wait(timeout_s)
    return os.getpid()


class PooledOfflineAnalyzer:
    """Implements the ``Analyzer`` protocol with the offline rules in ``workers`` processes.

    Concurrent ``analyze`` calls are gathered into batches (up to ``batch_size``, waiting at most
    ``linger_s`` for more) so one inter-process round trip serves many transcripts. Each worker has
    one batch running and one queued; calls arriving meanwhile join the next batch. A worker that
    dies (killed, out of memory) breaks the pool: the calls in flight fail as retriable and the
    next call starts a new pool.
    """

    info: AnalyzerInfo

    def __init__(self, workers: int, *, batch_size: int = 128, linger_s: float = 0.001) -> None:
        if workers < 1:
            msg = "PooledOfflineAnalyzer needs at least one worker"
            raise ValueError(msg)
        # The workers run the rules and the shipped model; this process only names them, so it
        # reads the model's version without loading its weights.
        self.info = analyzer_info(shipped_version())
        self.workers = workers
        self._pool = self._new_pool()
        self._batches: MicroBatcher[Job, CallAnalysis] = MicroBatcher(
            self._analyze_batch,
            max_size=batch_size,
            linger_s=linger_s,
            max_concurrent=2 * workers,
            name="offline-workers",
        )

    def _new_pool(self) -> ProcessPoolExecutor:
        # "spawn": a fork of a process running an event loop and threads is not safe.
        context = multiprocessing.get_context("spawn")
        gathering = context.Barrier(self.workers)
        return ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_warm_up, initargs=(gathering,)
        )

    async def start(self, timeout_s: float = 60.0) -> set[int]:
        """Start every worker now and wait until each has compiled its patterns; their pids.

        The pool would otherwise start a worker only when a batch finds all others busy: under a
        backlog the second worker's start-up (about 0.6 s of CPU) would compete with the first
        batches, and the first calls would wait for it. One call per worker is sent at once and
        each waits at a barrier for the others, so each runs in a different, warmed-up worker.
        """
        loop = asyncio.get_running_loop()
        pool = self._pool
        calls = [loop.run_in_executor(pool, _gather, timeout_s) for _ in range(self.workers)]
        try:
            pids = set(await asyncio.wait_for(asyncio.gather(*calls), timeout=timeout_s + 5))
        except (BrokenProcessPool, threading.BrokenBarrierError, TimeoutError) as exc:
            msg = f"offline analysis workers did not start ({type(exc).__name__})"
            raise AnalyzerUnavailableError(msg, reason="analyzer_worker_died") from exc
        log.info("%d offline analysis worker(s) ready", len(pids))
        return pids

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        """Analyze one transcript in a worker process."""
        return await self._batches.submit((transcript, call_started_at))

    async def _analyze_batch(self, jobs: Sequence[Job]) -> list[CallAnalysis | BaseException]:
        pool = self._pool
        try:
            answers = await asyncio.get_running_loop().run_in_executor(pool, analyze_many, list(jobs))
        except BrokenProcessPool as exc:
            if self._pool is pool:
                log.error("an offline analysis worker died; starting new workers")
                self._pool = self._new_pool()
                pool.shutdown(wait=False, cancel_futures=True)
            raise AnalyzerUnavailableError(
                "offline analysis worker died", reason="analyzer_worker_died"
            ) from exc
        results: list[CallAnalysis | BaseException] = []
        for ok, payload in answers:
            if ok:
                results.append(CallAnalysis.model_validate_json(payload))
            else:
                results.append(AnalyzerError(f"offline analysis failed: {payload}", reason="internal_error"))
        return results

    async def check(self) -> None:
        """Raise when the workers cannot serve: a trivial call must come back within 5 s."""
        pool = self._pool
        try:
            await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(pool, int), timeout=5)
        except (BrokenProcessPool, TimeoutError) as exc:
            msg = f"offline analysis workers not answering ({type(exc).__name__})"
            raise AnalyzerUnavailableError(msg) from exc

    async def aclose(self) -> None:
        """Stop the workers (waiting for them in a thread, not in the event loop)."""
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
