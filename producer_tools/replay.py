"""``replay-dlq``: republish dead letters to the topic they came from, once their cause is fixed.

- Reads ``KAFKA_DLQ_TOPIC`` up to the high-watermarks it saw at start, so letters that are
  dead-lettered again while it runs are left for the next run instead of looping.
- Partitions are assigned explicitly: it never joins a consumer group, so it never rebalances anyone.
  Its consumer group (``--group``) only stores how far it got: after each batch is acknowledged
  by the broker it commits, and the next run starts there. ``--from-beginning`` reads the whole topic
  again. The position moves past every letter read, replayed or not.
- Key and value are republished unchanged, with ``x-dlq-replayed-from`` / ``x-dlq-replayed-at``
  headers. Replaying a letter twice is harmless: the service stores one row per ``event_id``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from consumer.kafka.clients import start_client
from producer_tools.progress import tqdm
from schemas.dead_letter import FAILED_AT, ORIGINAL_TOPIC, REASON, ReplayHeaders, header_text

DEFAULT_GROUP = "call-insights-replay-dlq"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
NO_REASON = "(none)"


def parse_since(text: str, now: datetime) -> datetime:
    """``2026-11-20``, ``2026-11-20T10:00:00+05:30`` (no zone = UTC) or an age: ``90m``, ``6h``, ``2d``."""
    match = _DURATION.match(text.strip())
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def failed_at(headers: Mapping[str, str], timestamp_ms: int) -> datetime:
    """When a letter was dead-lettered: its header, else the record's timestamp."""
    try:
        moment = datetime.fromisoformat(headers[FAILED_AT])
    except (KeyError, ValueError):
        return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Selection:
    """Which letters to replay, and where to."""

    reasons: frozenset[str] = field(default_factory=frozenset)
    since: datetime | None = None
    to: str | None = None

    def decide(self, headers: Mapping[str, str], timestamp_ms: int) -> tuple[str, str | None]:
        """``("replay", topic)``, or ``("skip_reason" | "skip_older" | "unroutable", None)``."""
        if self.reasons and headers.get(REASON, NO_REASON) not in self.reasons:
            return "skip_reason", None
        if self.since is not None and failed_at(headers, timestamp_ms) < self.since:
            return "skip_older", None
        target = self.to or headers.get(ORIGINAL_TOPIC)
        return ("replay", target) if target else ("unroutable", None)


@dataclass
class Summary:
    """What a run did; printed as its last line."""

    read: int = 0
    matched: int = 0
    replayed: int = 0
    skipped_by_reason: Counter[str] = field(default_factory=Counter)
    skipped_older: int = 0
    unroutable: int = 0
    failed: int = 0

    def as_dict(self, **extra: Any) -> dict[str, Any]:
        """The JSON summary: ``read``, ``matched``, ``replayed``, ``skipped_by_reason`` first."""
        return {
            "read": self.read,
            "matched": self.matched,
            "replayed": self.replayed,
            "skipped_by_reason": dict(sorted(self.skipped_by_reason.items())),
            "skipped_older": self.skipped_older,
            "unroutable": self.unroutable,
            "failed": self.failed,
            **extra,
        }


async def partitions_of(bootstrap: str, topic: str, security: Mapping[str, Any] | None = None) -> list[int]:
    """The topic's partitions; none when it does not exist (and it is not created). ``security``:
    TLS/SASL client options."""
    kafka = {**(security or {}), "bootstrap_servers": bootstrap}
    admin = AIOKafkaAdminClient(**kafka)
    await start_client(admin, kafka)
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(p["partition"] for p in described.get("partitions", []))


async def replay(
    *,
    bootstrap: str,
    topic: str,
    selection: Selection,
    group: str,
    from_beginning: bool,
    dry_run: bool,
    progress: bool,
    security: Mapping[str, Any] | None = None,
) -> Summary:
    """Replay the letters of ``topic`` that ``selection`` picks, up to the end as of the start.

    ``security``: TLS/SASL client options, as ``consumer.kafka.clients.kafka_client_options`` makes.
    """
    kafka = {**(security or {}), "bootstrap_servers": bootstrap}
    consumer = AIOKafkaConsumer(
        **kafka, group_id=group, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    producer = None if dry_run else AIOKafkaProducer(**kafka, acks="all", linger_ms=5)
    summary = Summary()
    await start_client(consumer, kafka)
    try:
        if producer is not None:
            await producer.start()
        parts = [TopicPartition(topic, p) for p in await partitions_of(bootstrap, topic, security)]
        if not parts:
            return summary
        consumer.assign(parts)
        end: dict[TopicPartition, int] = await consumer.end_offsets(parts)
        if from_beginning:
            await consumer.seek_to_beginning(*parts)
        start = {tp: await consumer.position(tp) for tp in parts}
        remaining = {tp for tp in parts if start[tp] < end[tp]}
        consumer.pause(*(set(parts) - remaining))
        with tqdm(
            total=sum(max(0, end[tp] - start[tp]) for tp in parts),
            unit="letter",
            file=sys.stderr,
            disable=not progress,
            desc=f"replay {topic}",
        ) as bar:
            while remaining:
                batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=500)
                read_before = summary.read
                pending: list[asyncio.Future[Any]] = []
                commits: dict[TopicPartition, int] = {}
                for tp, records in batch.items():
                    for record in records:
                        if record.offset >= end[tp]:
                            break
                        summary.read += 1
                        commits[tp] = record.offset + 1
                        headers = header_text(record.headers)
                        verdict, target = selection.decide(headers, record.timestamp)
                        if verdict == "skip_reason":
                            summary.skipped_by_reason[headers.get(REASON, NO_REASON)] += 1
                        elif verdict == "skip_older":
                            summary.skipped_older += 1
                        else:
                            summary.matched += 1
                            if target is None:
                                summary.unroutable += 1
                            elif producer is not None:
                                stamp = ReplayHeaders(
                                    replayed_from=f"{record.topic}:{record.partition}:{record.offset}",
                                    replayed_at=datetime.now(UTC),
                                )
                                pending.append(
                                    await producer.send(
                                        target, key=record.key, value=record.value, headers=stamp.to_kafka()
                                    )
                                )
                results = await asyncio.gather(*pending, return_exceptions=True)
                failures = [r for r in results if isinstance(r, BaseException)]
                summary.replayed += len(results) - len(failures)
                summary.failed += len(failures)
                bar.update(summary.read - read_before)
                if failures:
                    print(f"replay stopped: {failures[0]!r}", file=sys.stderr)
                    break
                if commits and not dry_run:
                    await consumer.commit(commits)
                for tp in list(remaining):
                    if await consumer.position(tp) >= end[tp]:
                        remaining.discard(tp)
                        consumer.pause(tp)
    finally:
        if producer is not None:
            await producer.stop()
        await consumer.stop()
    return summary


def add_arguments(parser: argparse.ArgumentParser, *, bootstrap: str, dlq_topic: str) -> None:
    """The ``replay-dlq`` sub-command's options."""
    parser.add_argument("--topic", default=dlq_topic, help="the dead-letter topic (default: KAFKA_DLQ_TOPIC)")
    parser.add_argument(
        "--reason",
        action="append",
        help="replay only letters with this x-dlq-reason (repeatable; default: all)",
    )
    parser.add_argument(
        "--since", help="only letters dead-lettered since: an ISO date/time, or an age (6h, 2d)"
    )
    parser.add_argument("--to", help="publish here instead of each letter's x-dlq-original-topic")
    parser.add_argument("--dry-run", action="store_true", help="count what would be replayed; commit nothing")
    parser.add_argument("--group", default=DEFAULT_GROUP, help="consumer group that stores the position")
    parser.add_argument("--from-beginning", action="store_true", help="ignore the stored position")
    parser.add_argument("--bootstrap", default=bootstrap)
    parser.add_argument("--no-progress", action="store_true")


def main(args: argparse.Namespace, *, security: Mapping[str, Any] | None = None) -> int:
    """Run ``replay-dlq`` from parsed arguments; the last line printed is the JSON summary.
    ``security``: TLS/SASL client options (see :func:`replay`)."""
    try:
        since = parse_since(args.since, datetime.now(UTC)) if args.since else None
    except ValueError:
        print(f"--since {args.since!r}: give an ISO date/time or an age such as 90m, 6h, 2d", file=sys.stderr)
        return 2
    selection = Selection(reasons=frozenset(args.reason or ()), since=since, to=args.to)
    summary = asyncio.run(
        replay(
            bootstrap=args.bootstrap,
            topic=args.topic,
            selection=selection,
            group=args.group,
            from_beginning=args.from_beginning,
            dry_run=args.dry_run,
            progress=not args.no_progress,
            security=security,
        )
    )
    print(json.dumps(summary.as_dict(topic=args.topic, group=args.group, dry_run=args.dry_run)))
    return 1 if summary.failed or summary.unroutable else 0
