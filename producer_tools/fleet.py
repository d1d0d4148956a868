"""``bench --instances N [--roll] [--compare]``: several service instances in one consumer group.

N ``python -m consumer`` processes share the run's fresh topics (``--partitions`` of them, at least
N for every instance to get work), its scratch database and one fake Gemini; each has its own HTTP
port and log. Once every instance is ready and the group holds every partition, the events are
published; with ``--roll`` the instances are then restarted one at a time while events flow
(SIGTERM, wait for the exit, start again, wait for ``/ready``), as a rolling deploy does.

The result is one JSON object: events/s over all instances, Little's-law efficiency against
N × MAX_IN_FLIGHT ÷ LLM latency, per-instance counts (from each process's closing log line), each
roll's timings and exit status, the group's rebalances (the assignment rounds the logs show), and the
exactly-once checks: one ``call_records`` row per event, every stored event's InsightEvent on the
output topic (re-publishes counted, not failed: the InsightEvent ``event_id`` is deterministic), the
outbox empty, nothing dead-lettered, and every SIGTERM answered by exit status 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from producer_tools import bench as single

ASSIGNED = "assigned partitions: "
STOPPED = "stopped: "
REBALANCE_GAP_S = 0.5
"""Assignments closer together than this (across instances) count as one rebalance of the group."""


@dataclass
class Instance:
    """One service process of the group; restarted in place by a roll (same name, port and log)."""

    name: str
    env: dict[str, str]
    log_path: Path
    starts: int = 0
    exit_codes: list[int] = field(default_factory=list)
    ready_at: list[float] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        """The sidecar's URL."""
        return f"http://127.0.0.1:{self.env['HTTP_PORT']}"

    @property
    def running(self) -> bool:
        """Whether the current process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        """Start (or restart) the process, its output appended to the instance's log."""
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n===== {self.name}: start #{self.starts} =====\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "consumer"],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def wait_ready(self, http: aiohttp.ClientSession, timeout: float) -> float:
        """Wait until ``GET /ready`` answers 200; return the wall-clock time it did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                msg = f"{self.name} exited with {self.proc and self.proc.returncode} while starting"
                raise RuntimeError(msg)
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(f"{self.base}/ready") as resp:
                    if resp.status == 200:
                        now = time.time()
                        self.ready_at.append(now)
                        return now
            await asyncio.sleep(0.1)
        msg = f"{self.name} was not ready within {timeout:.0f}s"
        raise TimeoutError(msg)

    async def assigned(self, http: aiohttp.ClientSession) -> int:
        """Partitions the instance holds by its /health (0 when it does not answer)."""
        with contextlib.suppress(aiohttp.ClientError, TimeoutError, KeyError, ValueError):
            async with http.get(f"{self.base}/health") as resp:
                body = await resp.json()
                return int(body["components"]["kafka"].get("assigned_partitions") or 0)
        return 0

    async def terminate(self, timeout: float) -> tuple[int, float]:
        """SIGTERM and wait for the exit (SIGKILL after ``timeout``); (exit status, seconds taken)."""
        assert self.proc is not None
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        deadline = started + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                break
            await asyncio.sleep(0.05)
        code = int(self.proc.returncode)
        self.exit_codes.append(code)
        return code, time.monotonic() - started

    def kill(self) -> None:
        """Clean-up after a failure: SIGKILL whatever still runs."""
        if self.running and self.proc is not None:
            self.proc.kill()
            self.proc.wait()

    def log_messages(self) -> list[tuple[datetime, str]]:
        """(time, message) of every JSON log line the instance's processes wrote."""
        found = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            with contextlib.suppress(ValueError, KeyError, TypeError):
                entry = json.loads(line)
                found.append((datetime.fromisoformat(entry["ts"]), str(entry["message"])))
        return found


def instance_counts(instance: Instance) -> dict[str, Any]:
    """What the instance's processes did, from their closing ``stopped: consumed=… processed=…``
    lines (summed over restarts), and how many partition assignments each generation received."""
    totals: dict[str, int] = {}
    assignments = 0
    for _, message in instance.log_messages():
        if message.startswith(ASSIGNED):
            assignments += 1
        elif message.startswith(STOPPED):
            for pair in message[len(STOPPED) :].split():
                key, _, value = pair.partition("=")
                if value.isdigit():
                    totals[key] = totals.get(key, 0) + int(value)
    return {
        "starts": instance.starts,
        "exit_codes": instance.exit_codes,
        "assignments": assignments,
        **totals,
    }


def rebalances(instances: list[Instance]) -> int:
    """Assignment rounds of the group: every member's assignment lines, grouped when close in time."""
    times = sorted(
        ts.timestamp() for i in instances for ts, message in i.log_messages() if message.startswith(ASSIGNED)
    )
    rounds, last = 0, float("-inf")
    for t in times:
        if t - last > REBALANCE_GAP_S:
            rounds += 1
        last = t
    return rounds


async def roll(
    instances: list[Instance],
    http: aiohttp.ClientSession,
    *,
    done: Callable[[], int],
    start_at: int,
    pause_s: float,
    timeout: float,
) -> list[dict[str, Any]]:
    """Once ``done()`` reaches ``start_at``, restart the instances one at a time: SIGTERM, wait for
    the exit, start again, wait for ``/ready``, then ``pause_s`` before the next."""
    while True:
        if done() >= start_at:
            break
        await asyncio.sleep(0.2)
    rolls = []
    for instance in instances:
        at = done()
        started = time.monotonic()
        code, exit_s = await instance.terminate(timeout=timeout)
        restarted = time.monotonic()
        instance.start()
        await instance.wait_ready(http, timeout=timeout)
        ready = time.monotonic()
        rolls.append(
            {
                "instance": instance.name,
                "at_insights": at,
                "exit_code": code,
                "exit_s": round(exit_s, 2),
                "start_to_ready_s": round(ready - restarted, 2),
                "roll_s": round(ready - started, 2),
                "insights_during": done() - at,
            }
        )
        await asyncio.sleep(pause_s)
    return rolls


async def _settled(instances: list[Instance], http: aiohttp.ClientSession, partitions: int) -> None:
    """Wait until the group holds every partition (the join rebalances are over)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        held = [await i.assigned(http) for i in instances]
        if sum(held) >= partitions and (all(held) or len(instances) > partitions):
            return
        await asyncio.sleep(0.2)
    msg = "the group did not take every partition within 120s"
    raise TimeoutError(msg)


async def _database_checks(dsn: str, timeout: float) -> dict[str, Any]:
    """Rows, distinct events, and the outbox (waited on until empty, as the relay deletes after
    publishing); the stored event ids."""
    conn = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + timeout
        while True:
            pending = int(await conn.fetchval("SELECT count(*) FROM insight_outbox"))
            if not pending or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        row = await conn.fetchrow(
            "SELECT count(*) AS rows, count(DISTINCT event_id) AS events FROM call_records"
        )
        stored = {str(r["event_id"]) for r in await conn.fetch("SELECT event_id FROM call_records")}
    finally:
        await conn.close()
    return {"rows": int(row["rows"]), "distinct": int(row["events"]), "outbox": pending, "stored": stored}


async def _end_offsets(kafka: Mapping[str, Any], topic: str, partitions: int) -> int:
    consumer = AIOKafkaConsumer(**kafka, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in range(partitions)])
    finally:
        await consumer.stop()
    return int(sum(ends.values()))


async def run_fleet(
    cfg: single.BenchConfig, env: dict[str, str], workdir: Path, plan: single.GroupRun
) -> dict[str, Any]:
    """Start the instances on the prepared topics, database and fake; publish; roll; check."""
    instances = plan.instances
    group = [
        Instance(
            f"instance-{n}",
            {**env, "HTTP_PORT": str(single.free_port()), "LOG_LEVEL": "INFO", "LOG_FORMAT": "json"},
            workdir / f"instance-{n}.log",
        )
        for n in range(1, instances + 1)
    ]
    for instance in group:
        instance.log_path.unlink(missing_ok=True)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    insights = single.Insights()
    rolls: list[dict[str, Any]] = []
    timeout = cfg.timeout
    try:
        if cfg.preload:
            await single.publish(cfg, env)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            for instance in group:
                instance.start()
            ready = await asyncio.gather(*(i.wait_ready(http, timeout=120) for i in group))
            await _settled(group, http, cfg.partitions)
            collector = asyncio.create_task(
                single.collect(
                    cfg.kafka, env["KAFKA_OUTPUT_TOPIC"], cfg.events, timeout, cfg.progress, insights
                )
            )
            roller = None
            if plan.roll:
                roller = asyncio.create_task(
                    roll(
                        group,
                        http,
                        done=lambda: len(insights.first_seen),
                        start_at=int(cfg.events * plan.roll_after),
                        pause_s=plan.roll_pause_s,
                        timeout=120,
                    )
                )
            if not cfg.preload:
                await single.publish(cfg, env)
            await collector
            all_out_at = time.monotonic()
            if roller is not None:
                rolls = await roller
            rolls_overlapped = all(r["insights_during"] > 0 for r in rolls) and (
                not rolls or time.monotonic() - all_out_at < 1.0
            )
            # the last generation's mean slot and LLM request times: with the fake's latency they
            # tell how much of a slot went to the instance's own (CPU-bound) work
            durations = {i.name: await single.mean_durations_ms(i.base) for i in group}
            for instance in group:
                await instance.terminate(timeout=120)
    finally:
        for instance in group:
            instance.kill()
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    inputs = await single.input_timestamps(cfg.kafka, env["KAFKA_INPUT_TOPIC"], cfg.events)
    db = await _database_checks(env["DATABASE_URL"], timeout=30)
    dead_letters = await _end_offsets(cfg.kafka, env["KAFKA_DLQ_TOPIC"], cfg.partitions)
    outputs = insights.first_seen
    first_in = int(min(ready) * 1000) if cfg.preload else min(inputs.values(), default=int(min(ready) * 1000))
    last_out = max(outputs.values()) if outputs else int(time.time() * 1000)
    wall_s = max(0.001, (last_out - first_in) / 1000)
    throughput = len(outputs) / wall_s
    latencies = [float(outputs[e] - inputs[e]) for e in outputs if e in inputs]
    cpu_s = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    counts = {i.name: {**instance_counts(i), **durations[i.name]} for i in group}
    processed = sum(c.get("processed", 0) for c in counts.values())
    missing = db["stored"] - outputs.keys()
    unknown = outputs.keys() - db["stored"]
    clean_exits = all(code == 0 for i in group for code in i.exit_codes)
    exactly_once = (
        db["rows"] == db["distinct"] == cfg.events == len(outputs)
        and len(insights.event_ids) == len(outputs)
        and not missing
        and not unknown
        and db["outbox"] == 0
        and dead_letters == 0
    )
    result: dict[str, Any] = {
        "mode": "kafka",
        "instances": instances,
        "rolled": plan.roll,
        "events": cfg.events,
        "rows": db["rows"],
        "distinct_event_rows": db["distinct"],
        "insights": len(outputs),
        "distinct_insight_ids": len(insights.event_ids),
        "insight_records": insights.records,
        "duplicate_insights": insights.duplicates,
        "stored_without_insight": len(missing),
        "insight_without_row": len(unknown),
        "outbox_left": db["outbox"],
        "dead_letters": dead_letters,
        "exactly_once": exactly_once,
        "clean_exits": clean_exits,
        "events_per_s": round(throughput, 1),
        "wall_s": round(wall_s, 3),
        "latency_ms_p50": single.percentile(latencies, 0.50),
        "latency_ms_p99": single.percentile(latencies, 0.99),
        "cpu_ms_per_event": round(cpu_s * 1000 / max(1, len(outputs)), 3),
        "redelivered": max(0, processed - cfg.events),
        "rebalances": rebalances(group),
        "per_instance": counts,
        "preloaded": cfg.preload,
    }
    if plan.roll:
        result["rolls"] = rolls
        result["rolls_overlapped_flow"] = rolls_overlapped
    if cfg.provider == "gemini" and cfg.latency > 0:
        result["littles_law_efficiency"] = round(
            throughput / (instances * cfg.max_in_flight / cfg.latency), 3
        )
    return result
