"""``bench``: run the real service against a fake Gemini of a chosen latency and measure it.

The service runs as a subprocess (``python -m consumer``) on fresh topics and a fresh database of
the configured Kafka and PostgreSQL. The benchmark publishes N events, waits until N distinct
InsightEvents arrived, and prints one JSON line: events/s, end-to-end latency percentiles (input
record timestamp → output record timestamp), CPU per event and peak RSS of the service process
(with its offline-analysis workers), Little's-law efficiency = throughput ÷ (MAX_IN_FLIGHT ÷ LLM
latency), and whether exactly-once held (rows == distinct insights == N). ``--preload`` publishes
first and times the backlog drain. ``--mode http`` instead fires concurrent ``POST /analyze_call``;
``--mode cpu`` times the pure stages (parsing, offline rules, redaction, normaliser) per transcript.
``--instances N`` runs N services in one consumer group (``--roll`` restarts them one at a time while
events flow, ``--compare`` first runs one instance for the speed-up; see ``producer_tools.fleet``).
With Gemini it also reports what the calls cost: request bytes per call (as the fake received them),
tokens and estimated USD per 1,000 calls (as the service stored them); ``--cache``,
``--thinking-level`` and ``--transcript-chars`` set what is compared.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import timeit
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from prometheus_client.parser import text_string_to_metric_families

import consumer
from consumer.analyzer import native
from consumer.analyzer.details import add_details
from consumer.analyzer.learned import shipped_model
from consumer.analyzer.offline import analyze_batch, analyze_offline
from consumer.analyzer.rules import analyze_text, speaker_turns
from consumer.analyzer.text.dates import find_dates
from consumer.analyzer.text.money import find_amounts
from consumer.analyzer.text.redact import redact
from consumer.events import parse_event
from consumer.kafka.clients import start_client
from producer_tools.databases import scratch_database
from producer_tools.progress import tqdm
from producer_tools.samples import SAMPLES_PATH, load_rows, to_event
from producer_tools.send import send

log = logging.getLogger(__name__)

CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class BenchConfig:
    """What to run."""

    bootstrap: str
    database_url: str
    events: int
    latency: float
    max_in_flight: int
    partitions: int
    provider: str
    mode: str
    concurrency: int
    timeout: float
    progress: bool
    preload: bool = False
    offline_workers: int = 0
    cache: str | None = None
    thinking_level: str | None = None
    transcript_chars: int = 0
    romanised: bool = False
    max_buffered: int | None = None
    """MAX_BUFFERED for the service (None: its default)."""
    security: Mapping[str, Any] = field(default_factory=dict)
    """TLS/SASL client options (``consumer.kafka.clients.kafka_client_options`` without the servers)."""

    @property
    def kafka(self) -> dict[str, Any]:
        """Keyword arguments for the benchmark's own Kafka clients."""
        return {**self.security, "bootstrap_servers": self.bootstrap}


@dataclass(frozen=True)
class GroupRun:
    """Several service instances in one consumer group (``--instances``), optionally restarted one
    at a time while events flow (``--roll``)."""

    instances: int
    roll: bool = False
    roll_after: float = 0.2
    """Start the first restart once this fraction of the events has its InsightEvent."""
    roll_pause_s: float = 5.0
    """Wait between one instance being ready again and the next one's SIGTERM."""


def source_first(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with the folder holding the running ``consumer`` package first on ``PYTHONPATH``, so
    the service subprocesses run the same code as the benchmark (not another checkout installed in
    editable mode, nor whatever the working directory holds)."""
    root = str(Path(consumer.__file__).resolve().parents[1])
    paths = [root, *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
    return {**env, "PYTHONPATH": os.pathsep.join(paths)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tree(pid: int) -> list[int]:
    """``pid`` and its live descendants (the service and its offline-analysis workers)."""
    pids, i = [pid], 0
    while i < len(pids):
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pids[i]}/task").iterdir():
                pids.extend(int(c) for c in (task / "children").read_text().split())
        i += 1
    return pids


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the process and its live descendants."""
    total = 0
    for p in _tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLK_TCK


def _peak_rss_mib(pid: int) -> float:
    """Peak resident memory of the process plus that of its live descendants."""
    total_kib = 0
    for p in _tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kib += int(line.split()[1])
    return round(total_kib / 1024, 1) if total_kib else float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index], 1)


@contextlib.asynccontextmanager
async def _fresh_topics(kafka: Mapping[str, Any], names: list[str], partitions: int) -> AsyncIterator[None]:
    """Create the run's topics; delete them afterwards, with their events, whatever happened."""
    admin = AIOKafkaAdminClient(**kafka)
    await start_client(admin, kafka)
    try:
        await admin.create_topics(
            [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in names]
        )
        yield
    finally:
        try:
            await admin.delete_topics(names)
        except KafkaError as exc:  # the figures stand; say what was left behind
            log.warning("could not delete the benchmark topics %s: %s", ", ".join(names), exc)
        finally:
            await admin.close()


@contextlib.contextmanager
def _process(args: list[str], env: dict[str, str], log_path: Path) -> Any:
    with log_path.open("wb") as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


async def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float) -> tuple[float, float]:
    """Wait until the service has partitions. Returns when it was last seen without them and
    its CPU seconds then: an early bound on when it started consuming, and its CPU before."""
    deadline = time.monotonic() + timeout
    not_ready_at, cpu_then = time.time(), _cpu_seconds(proc.pid)
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                msg = f"service exited with {proc.returncode} during start"
                raise RuntimeError(msg)
            asked_at, cpu_asked = time.time(), _cpu_seconds(proc.pid)
            with contextlib.suppress(aiohttp.ClientError, KeyError, ValueError):
                async with http.get(f"{base}/health") as resp:
                    body = await resp.json()
                    if body["components"]["kafka"].get("assigned_partitions"):
                        return not_ready_at, cpu_then
            not_ready_at, cpu_then = asked_at, cpu_asked
            await asyncio.sleep(0.2)
    msg = "service did not become ready"
    raise TimeoutError(msg)


async def _wait_fake(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{url}/_fake/stats") as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.1)
    msg = "fake Gemini did not start"
    raise TimeoutError(msg)


@dataclass
class Insights:
    """What arrived on the output topic so far (a rolling restart reads it to know how far the run is)."""

    first_seen: dict[str, int] = field(default_factory=dict)
    """source_event_id → output record timestamp (ms) of its first InsightEvent."""
    event_ids: set[str] = field(default_factory=set)
    records: int = 0

    @property
    def duplicates(self) -> int:
        """InsightEvents read beyond the first of their source event (re-publications)."""
        return self.records - len(self.first_seen)


async def collect(
    kafka: Mapping[str, Any], topic: str, expect: int, timeout: float, progress: bool, into: Insights
) -> None:
    """Read the output topic from the start until ``expect`` distinct events' InsightEvents arrived."""
    consumer = AIOKafkaConsumer(topic, **kafka, auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    bar = tqdm(total=expect, unit="insight", file=sys.stderr, disable=not progress, desc="← insights")
    deadline = time.monotonic() + timeout
    try:
        while len(into.first_seen) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for records in batch.values():
                for record in records:
                    insight = json.loads(record.value)
                    into.records += 1
                    into.event_ids.add(insight["event_id"])
                    if insight["source_event_id"] not in into.first_seen:
                        into.first_seen[insight["source_event_id"]] = record.timestamp
                        bar.update(1)
    finally:
        bar.close()
        await consumer.stop()


async def input_timestamps(kafka: Mapping[str, Any], topic: str, expect: int) -> dict[str, int]:
    consumer = AIOKafkaConsumer(topic, **kafka, auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    stamps: dict[str, int] = {}
    try:
        while len(stamps) < expect:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            if not batch:
                break
            for records in batch.values():
                for record in records:
                    stamps[json.loads(record.value)["event_id"]] = record.timestamp
    finally:
        await consumer.stop()
    return stamps


def bench_rows(transcript_chars: int, *, romanised: bool = False) -> list[dict[str, Any]]:
    """The bundled samples (``romanised``: only those written in Latin script); with
    ``transcript_chars``, each row's transcript is followed by the next samples' until it is about
    that long (cut at a line end), as a longer call would read."""
    rows = load_rows(SAMPLES_PATH)
    if romanised:
        rows = [row for row in rows if str(row["transcript"]).isascii()]
    if transcript_chars <= 0:
        return rows
    longer: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        parts, size, step = [], 0, 0
        while size < transcript_chars:
            text = str(rows[(index + step) % len(rows)]["transcript"])
            parts.append(text)
            size += len(text) + 1
            step += 1
        text = "\n".join(parts)
        cut = text.rfind("\n", 0, transcript_chars + 1)
        longer.append({**row, "transcript": text[: cut if cut > 0 else transcript_chars]})
    return longer


async def publish(cfg: BenchConfig, env: dict[str, str]) -> None:
    await send(
        bootstrap=cfg.bootstrap,
        topic=env["KAFKA_INPUT_TOPIC"],
        rows=bench_rows(cfg.transcript_chars, romanised=cfg.romanised),
        count=cfg.events,
        rate=0,
        progress=cfg.progress and cfg.preload,
        security=cfg.security,
    )


async def _wait_published(
    kafka: Mapping[str, Any], topic: str, partitions: int, expect: int, timeout: float, progress: bool
) -> None:
    """Poll the output topic's end offsets until ``expect`` InsightEvents are on it.

    One offsets request every 200 ms: unlike counting rows, it costs the database nothing while
    the service is being measured.
    """
    bar = tqdm(total=expect, unit="insight", file=sys.stderr, disable=not progress, desc="published")
    consumer = AIOKafkaConsumer(**kafka, enable_auto_commit=False)
    await consumer.start()
    deadline = time.monotonic() + timeout
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        published = 0
        while published < expect and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            now = sum((await consumer.end_offsets(tps)).values())
            bar.update(now - published)
            published = now
    finally:
        bar.close()
        await consumer.stop()


async def mean_durations_ms(base: str) -> dict[str, float]:
    """Mean time an analysis held its slot, and mean LLM request time, from the service's /metrics:
    with the fake's latency they tell how much of each slot went to the service's own work."""
    wanted = {
        "insights_analysis_duration_seconds": "analysis_ms_mean",
        "insights_llm_request_duration_seconds": "llm_request_ms_mean",
    }
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as resp:
        text = await resp.text()
    result: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name in wanted:
            total = sum(x.value for x in family.samples if x.name == f"{family.name}_sum")
            count = sum(x.value for x in family.samples if x.name == f"{family.name}_count")
            if count:
                result[wanted[family.name]] = round(total * 1000 / count, 1)
    return result


async def llm_cost_report(fake_url: str, dsn: str) -> dict[str, Any]:
    """What the LLM calls cost: request bytes as the fake Gemini received them, and tokens and
    estimated cost per 1,000 calls as the service stored them (``call_records.analyzer_usage``,
    priced with the service's price table)."""
    async with aiohttp.ClientSession() as http, http.get(f"{fake_url}/_fake/stats") as resp:
        stats = await resp.json()
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            """SELECT count(*) AS calls,
                      sum((analyzer_usage->>'prompt_tokens')::bigint) AS prompt,
                      sum((analyzer_usage->>'cached_tokens')::bigint) AS cached,
                      sum((analyzer_usage->>'thought_tokens')::bigint) AS thoughts,
                      sum((analyzer_usage->>'output_tokens')::bigint) AS output,
                      sum((analyzer_usage->>'requests')::bigint) AS requests,
                      sum((analyzer_usage->>'estimated_cost_usd')::float8) AS cost
               FROM call_records WHERE analyzer_usage IS NOT NULL"""
        )
    finally:
        await conn.close()
    calls = int(row["calls"] or 0)
    per_1000 = 1000 / calls if calls else 0.0
    report: dict[str, Any] = {
        "llm_calls_with_usage": calls,
        "request_bytes_mean": round(float(stats.get("bytes_per_request") or 0)),
        "llm_requests_per_call": round(float(row["requests"] or 0) / calls, 3) if calls else None,
        "tokens_per_1000_calls": {
            kind: round(float(row[kind] or 0) * per_1000)
            for kind in ("prompt", "cached", "thoughts", "output")
        },
        "estimated_cost_usd_per_1000_calls": (
            round(float(row["cost"]) * per_1000, 4) if row["cost"] is not None else None
        ),
    }
    return report


async def run_kafka_bench(
    cfg: BenchConfig, env: dict[str, str], pid: int, ready_at: float, cpu_at_ready: float
) -> dict[str, Any]:
    """Publish (unless preloaded), wait for every insight, measure.

    Preloaded, the events were all on the topic before the service started, so the benchmark's
    own producer and collector do not compete with it for CPU: the figure is how fast the
    service drains a backlog, from the moment it was ready to its last InsightEvent.
    """
    cpu_before = cpu_at_ready if cfg.preload else _cpu_seconds(pid)
    insights = Insights()
    if cfg.preload:
        await _wait_published(
            cfg.kafka, env["KAFKA_OUTPUT_TOPIC"], cfg.partitions, cfg.events, cfg.timeout, cfg.progress
        )
        cpu_used = _cpu_seconds(pid) - cpu_before
        await collect(cfg.kafka, env["KAFKA_OUTPUT_TOPIC"], cfg.events, cfg.timeout, False, insights)
    else:
        collector = asyncio.create_task(
            collect(cfg.kafka, env["KAFKA_OUTPUT_TOPIC"], cfg.events, cfg.timeout, cfg.progress, insights)
        )
        await publish(cfg, env)
        await collector
        cpu_used = _cpu_seconds(pid) - cpu_before
    outputs, duplicates = insights.first_seen, insights.duplicates
    inputs = await input_timestamps(cfg.kafka, env["KAFKA_INPUT_TOPIC"], cfg.events)
    conn = await asyncpg.connect(env["DATABASE_URL"])
    try:
        stored = int(await conn.fetchval("SELECT count(*) FROM call_records"))
    finally:
        await conn.close()
    latencies = [float(outputs[e] - inputs[e]) for e in outputs if e in inputs]
    first_in = int(ready_at * 1000) if cfg.preload else min(inputs.values(), default=int(ready_at * 1000))
    last_out = max(outputs.values()) if outputs else int(time.time() * 1000)
    wall_s = max(0.001, (last_out - first_in) / 1000)
    throughput = len(outputs) / wall_s
    result: dict[str, Any] = {
        "mode": "kafka",
        "events": cfg.events,
        "insights": len(outputs),
        "rows": stored,
        "duplicate_insights": duplicates,
        "exactly_once": stored == cfg.events == len(outputs),
        "events_per_s": round(throughput, 1),
        "wall_s": round(wall_s, 3),
        "latency_ms_p50": percentile(latencies, 0.50),
        "latency_ms_p99": percentile(latencies, 0.99),
        "cpu_ms_per_event": round(cpu_used * 1000 / max(1, len(outputs)), 3),
        "peak_rss_mib": _peak_rss_mib(pid),
        "preloaded": cfg.preload,
    }
    if cfg.preload:  # time on the input topic includes the wait for the service to start
        del result["latency_ms_p50"], result["latency_ms_p99"]
    if cfg.provider == "gemini" and cfg.latency > 0:
        result["littles_law_efficiency"] = round(throughput / (cfg.max_in_flight / cfg.latency), 3)
    return result


async def run_http_bench(cfg: BenchConfig, base: str, pid: int) -> dict[str, Any]:
    """``concurrency`` callers, each posting ``events / concurrency`` transcripts one after another."""
    rows = load_rows(SAMPLES_PATH)
    per_caller = max(1, cfg.events // cfg.concurrency)
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    cpu_before = _cpu_seconds(pid)
    bar = tqdm(total=per_caller * cfg.concurrency, unit="req", file=sys.stderr, disable=not cfg.progress)

    async def caller(http: aiohttp.ClientSession, n: int) -> None:
        for i in range(per_caller):
            row = rows[(n * per_caller + i) % len(rows)]
            t0 = time.perf_counter()
            async with http.post(f"{base}/analyze_call", json={"transcript": row["transcript"]}) as resp:
                await resp.read()
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
            latencies.append((time.perf_counter() - t0) * 1000)
            bar.update(1)

    connector = aiohttp.TCPConnector(limit=cfg.concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        await asyncio.gather(*(caller(http, n) for n in range(cfg.concurrency)))
        wall_s = time.perf_counter() - started
    bar.close()
    total = per_caller * cfg.concurrency
    result: dict[str, Any] = {
        "mode": "http",
        "requests": total,
        "concurrency": cfg.concurrency,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "answers_per_s": round(total / wall_s, 1),
        "wall_s": round(wall_s, 3),
        "latency_ms_p50": percentile(latencies, 0.50),
        "latency_ms_p99": percentile(latencies, 0.99),
        "cpu_ms_per_request": round((_cpu_seconds(pid) - cpu_before) * 1000 / total, 3),
        "peak_rss_mib": _peak_rss_mib(pid),
    }
    if cfg.provider == "gemini" and cfg.latency > 0:
        ideal = min(cfg.concurrency, cfg.max_in_flight) / cfg.latency
        result["littles_law_efficiency"] = round(total / wall_s / ideal, 3)
    return result


async def bench(cfg: BenchConfig, workdir: Path, group: GroupRun | None = None) -> dict[str, Any]:
    """Set up fresh topics (deleted afterwards), database, fake Gemini and service; run the chosen mode.

    With ``group``, several service instances share them in one consumer group
    (``producer_tools.fleet``)."""
    suffix = uuid.uuid4().hex[:8]
    topics = {
        "KAFKA_INPUT_TOPIC": f"bench.transcripts.{suffix}",
        "KAFKA_OUTPUT_TOPIC": f"bench.insights.{suffix}",
        "KAFKA_DLQ_TOPIC": f"bench.dlq.{suffix}",
    }
    async with (
        _fresh_topics(cfg.kafka, list(topics.values()), cfg.partitions),
        _environment(cfg, workdir, topics, group=f"bench-{suffix}") as env,
    ):
        if group is not None:
            from producer_tools import fleet  # it builds on this module

            result = await fleet.run_fleet(cfg, env, workdir, group)
        else:
            result = await _bench_on(cfg, workdir, env)
        if cfg.provider == "gemini":
            result.update(await llm_cost_report(env["GEMINI_BASE_URL"], env["DATABASE_URL"]))
    result.update(
        {
            "provider": cfg.provider,
            "llm_latency_s": cfg.latency if cfg.provider == "gemini" else None,
            "max_in_flight": cfg.max_in_flight,
            "max_buffered": cfg.max_buffered,
            "partitions": cfg.partitions,
            "offline_workers": cfg.offline_workers,
            # the service runs this checkout with this environment: the same core
            "analysis_core": native.status().label if cfg.provider == "offline" else None,
        }
    )
    return result


@contextlib.asynccontextmanager
async def _environment(
    cfg: BenchConfig, workdir: Path, topics: dict[str, str], *, group: str
) -> AsyncIterator[dict[str, str]]:
    """The service's environment on a scratch database (dropped afterwards) and, for Gemini, a
    running fake Gemini of the chosen latency (stopped afterwards)."""
    env = {
        **source_first(os.environ),
        **topics,
        "KAFKA_BOOTSTRAP_SERVERS": cfg.bootstrap,
        "KAFKA_GROUP_ID": group,
        "MAX_IN_FLIGHT": str(cfg.max_in_flight),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
        "LLM_PROVIDER": cfg.provider,
        "OFFLINE_WORKERS": str(cfg.offline_workers),
    }
    if cfg.max_buffered is not None:
        env["MAX_BUFFERED"] = str(cfg.max_buffered)
    if cfg.cache is not None:
        env["GEMINI_CACHE"] = cfg.cache
    if cfg.thinking_level is not None:
        env["GEMINI_THINKING_LEVEL"] = cfg.thinking_level
    async with scratch_database(cfg.database_url, "insights_bench") as dsn:
        env["DATABASE_URL"] = dsn
        with contextlib.ExitStack() as stack:
            if cfg.provider == "gemini":
                fake_port = free_port()
                fake_args = [sys.executable, "-m", "producer_tools.fake_gemini", "--port", str(fake_port)]
                stack.enter_context(
                    _process([*fake_args, "--latency", str(cfg.latency)], env, workdir / "fake_gemini.log")
                )
                env["GEMINI_BASE_URL"] = f"http://127.0.0.1:{fake_port}"
                env["GEMINI_API_KEY"] = "bench-key"
                await _wait_fake(env["GEMINI_BASE_URL"])
            yield env


async def _bench_on(cfg: BenchConfig, workdir: Path, env: dict[str, str]) -> dict[str, Any]:
    """One service process: the kafka or http mode."""
    if cfg.preload and cfg.mode == "kafka":
        await publish(cfg, env)
    with _process([sys.executable, "-m", "consumer"], env, workdir / "service.log") as service:
        base = f"http://127.0.0.1:{env['HTTP_PORT']}"
        ready_at, cpu_before = await _wait_ready(base, service, timeout=120)
        if cfg.mode == "http":
            result = await run_http_bench(cfg, base, service.pid)
        else:
            result = await run_kafka_bench(cfg, env, service.pid, ready_at, cpu_before)
            result.update(await mean_durations_ms(base))
        if cfg.provider == "gemini":
            result["gemini"] = await _gemini_settings(base)
    return result


def run_cpu_bench(rounds: int) -> dict[str, Any]:
    """Per-transcript CPU time of the pure stages over the bundled samples (no Kafka, no database)."""
    rows = load_rows(SAMPLES_PATH)
    texts = [str(r["transcript"]) for r in rows]
    anchor = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    records = [json.dumps(to_event(r), ensure_ascii=False).encode() for r in rows]
    cores = [analyze_text(t, anchor) for t in texts]
    model = shipped_model()
    turns = [speaker_turns(t) for t in texts]
    jobs: list[tuple[str, datetime | None]] = [(t, anchor) for t in texts]
    stages: dict[str, Callable[[], object]] = {
        "parse_event": lambda: [parse_event(v, max_transcript_bytes=1_048_576) for v in records],
        "offline_analyzer": lambda: [analyze_offline(t, anchor, model) for t in texts],
        # as an offline worker analyses them: in batches, each step over the whole batch
        "offline_batch": lambda: [analyze_batch(jobs[i : i + 128], model) for i in range(0, len(jobs), 128)],
        "core_rules": lambda: [analyze_text(t, anchor) for t in texts],
        "details": lambda: [add_details(c, t, anchor) for c, t in zip(cores, texts, strict=True)],
        "learned_model": lambda: [model.predict(t, ("other", "Neutral", True)) for t in turns if model],
        "redact": lambda: [redact(t) for t in texts],
        "find_amounts": lambda: [find_amounts(t) for t in texts],
        "find_dates": lambda: [find_dates(t, anchor) for t in texts],
    }
    result: dict[str, Any] = {
        "mode": "cpu",
        "transcripts": len(texts),
        "rounds": rounds,
        "analysis_core": native.status().label,
    }
    for name, stage in stages.items():
        stage()  # warm up
        best = min(timeit.repeat(stage, number=1, repeat=rounds, timer=time.process_time))
        result[f"{name}_us"] = round(best / len(texts) * 1e6, 1)
    return result


async def _gemini_settings(base: str) -> dict[str, Any]:
    """Model, thinking level and cache mode as the service reports them on /health."""
    async with aiohttp.ClientSession() as http, http.get(f"{base}/health") as resp:
        body = await resp.json()
    analyzer = body.get("components", {}).get("analyzer", {})
    cache = analyzer.get("cache", {})
    return {
        "model": analyzer.get("model"),
        "thinking_level": analyzer.get("thinking_level"),
        "cache": cache.get("mode"),
        "cache_tokens": cache.get("tokens"),
    }


def add_arguments(parser: argparse.ArgumentParser, *, bootstrap: str, database_url: str) -> None:
    """The ``bench`` sub-command's options."""
    parser.add_argument("--events", type=int, default=2000, help="events (or requests) to process")
    parser.add_argument("--latency", type=float, default=1.0, help="fake Gemini latency in seconds")
    parser.add_argument("--max-in-flight", type=int, default=128)
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--provider", choices=["gemini", "offline"], default="gemini")
    parser.add_argument(
        "--mode",
        choices=["kafka", "http", "cpu"],
        default="kafka",
        help="kafka: events end to end; http: concurrent /analyze_call; cpu: pure stages, no services",
    )
    parser.add_argument("--concurrency", type=int, default=32, help="HTTP callers (--mode http)")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    parser.add_argument("--bootstrap", default=bootstrap)
    parser.add_argument("--database-url", default=database_url)
    parser.add_argument(
        "--offline-workers", type=int, default=0, help="OFFLINE_WORKERS for the service (offline provider)"
    )
    parser.add_argument(
        "--preload",
        action="store_true",
        help="publish every event before the service starts and time how fast it drains the backlog",
    )
    parser.add_argument(
        "--cache", choices=["explicit", "implicit", "off"], help="GEMINI_CACHE for the service (its default)"
    )
    parser.add_argument(
        "--thinking-level",
        choices=["minimal", "low", "medium", "high"],
        help="GEMINI_THINKING_LEVEL for the service (its default)",
    )
    parser.add_argument(
        "--transcript-chars",
        type=int,
        default=0,
        help="lengthen each sample transcript to about this many characters (0: the samples as they are)",
    )
    parser.add_argument(
        "--romanised", action="store_true", help="only the samples written in Latin script (no Devanagari)"
    )
    parser.add_argument("--max-buffered", type=int, help="MAX_BUFFERED for the service (its default: 1000)")
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        help="service instances in one consumer group (give --partitions at least as many); "
        "per-instance counts, rebalances and exactly-once over the group",
    )
    parser.add_argument(
        "--roll",
        action="store_true",
        help="while events flow, restart the instances one at a time: SIGTERM, wait for the exit, "
        "start again, wait for /ready; reports each restart's timings and exit status",
    )
    parser.add_argument(
        "--roll-after",
        type=float,
        default=0.2,
        help="start rolling once this fraction of the events has its InsightEvent (--roll)",
    )
    parser.add_argument(
        "--roll-pause", type=float, default=5.0, help="seconds between one restart and the next (--roll)"
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="first run one instance with the same settings (no roll) and report both and the speed-up",
    )
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--logs", default=".bench", help="folder for the service and fake logs")


def main(args: argparse.Namespace, *, security: Mapping[str, Any] | None = None) -> int:
    """Run a benchmark from parsed arguments; print one JSON line. ``security``: the TLS/SASL options
    of the benchmark's own Kafka clients (the service reads the same settings from the environment)."""
    if min(args.events, args.max_in_flight, args.partitions, args.concurrency, args.instances) < 1 or (
        args.max_buffered is not None and args.max_buffered < 1
    ):
        print(
            "--events, --max-in-flight, --partitions, --concurrency, --instances and --max-buffered "
            "must be positive",
            file=sys.stderr,
        )
        return 2
    grouped = args.instances > 1 or args.roll or args.compare
    if grouped and args.mode != "kafka":
        print("--instances, --roll and --compare need --mode kafka", file=sys.stderr)
        return 2
    if not 0 <= args.roll_after < 1 or args.roll_pause < 0:
        print("--roll-after must be in [0, 1) and --roll-pause not negative", file=sys.stderr)
        return 2
    cfg = BenchConfig(
        bootstrap=args.bootstrap,
        database_url=re.sub(r"\s", "", args.database_url),
        events=args.events,
        latency=args.latency,
        max_in_flight=args.max_in_flight,
        partitions=args.partitions,
        provider=args.provider,
        mode=args.mode,
        concurrency=args.concurrency,
        timeout=args.timeout,
        progress=not args.no_progress,
        preload=args.preload,
        offline_workers=args.offline_workers,
        cache=args.cache,
        thinking_level=args.thinking_level,
        transcript_chars=args.transcript_chars,
        romanised=args.romanised,
        max_buffered=args.max_buffered,
        security=dict(security or {}),
    )
    if cfg.mode == "cpu":
        print(json.dumps(run_cpu_bench(rounds=5)))
        return 0
    workdir = Path(args.logs)
    workdir.mkdir(parents=True, exist_ok=True)
    if not grouped:
        result = asyncio.run(bench(cfg, workdir))
        print(json.dumps(result))
        return 0 if result.get("exactly_once", True) else 1
    plan = GroupRun(args.instances, args.roll, args.roll_after, args.roll_pause)
    result = {}
    if args.compare:
        result["one_instance"] = asyncio.run(bench(cfg, workdir, GroupRun(1)))
    result.update(asyncio.run(bench(cfg, workdir, plan)))
    runs = [result, *([result["one_instance"]] if args.compare else [])]
    if args.compare and result["one_instance"]["events_per_s"]:
        result["speedup"] = round(result["events_per_s"] / result["one_instance"]["events_per_s"], 2)
    print(json.dumps(result))
    return 0 if all(r["exactly_once"] and r["clean_exits"] for r in runs) else 1
