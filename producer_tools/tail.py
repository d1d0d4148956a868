"""``tail``: print insight events (and, with ``--dlq``, dead letters) as they arrive.

It reads without a consumer group (all partitions, nothing committed), so it never disturbs the
service or another reader. It starts at the end of the topics unless ``--from-beginning``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord

from consumer.kafka.clients import start_client
from producer_tools.pretty import InsightFilter, Painter, dead_letter_json, format_dead_letter, format_insight
from schemas import IntentCategory, Priority, Sentiment
from schemas.dead_letter import header_text


def add_arguments(parser: argparse.ArgumentParser, *, bootstrap: str, topic: str, dlq_topic: str) -> None:
    """The ``tail`` sub-command's options."""
    parser.add_argument("--topic", default=topic, help="the insight topic (default: KAFKA_OUTPUT_TOPIC)")
    parser.add_argument(
        "--dlq",
        nargs="?",
        const=dlq_topic,
        default=None,
        metavar="TOPIC",
        help="also show dead letters, with their headers (default topic: KAFKA_DLQ_TOPIC)",
    )
    parser.add_argument("--bootstrap", default=bootstrap)
    parser.add_argument("--json", action="store_true", help="one raw JSON object per line")
    parser.add_argument("--from-beginning", action="store_true", help="start at the oldest record")
    parser.add_argument("--max", type=int, default=None, metavar="N", help="stop after N events")
    parser.add_argument(
        "--color", choices=["auto", "always", "never"], default="auto", help="auto: when stdout is a terminal"
    )
    filters = parser.add_argument_group("filters (insight events only; repeat an option to allow several)")
    filters.add_argument("--sentiment", action="append", choices=[s.value for s in Sentiment])
    filters.add_argument("--intent", action="append", choices=[c.value for c in IntentCategory])
    filters.add_argument("--priority", action="append", choices=[p.value for p in Priority])
    filters.add_argument("--action-required", action="store_true", help="only events that need action")


def render(
    record: ConsumerRecord[bytes, bytes],
    *,
    dlq_topic: str | None,
    accept: InsightFilter,
    as_json: bool,
    paint: Painter,
) -> str | None:
    """What to print for one record, or None to skip it."""
    if record.topic == dlq_topic:
        headers = header_text(record.headers)
        if as_json:
            return dead_letter_json(
                record.topic, record.partition, record.offset, headers.items(), record.key, record.value
            )
        return format_dead_letter(headers, record.key, record.value, paint)
    try:
        event = json.loads(record.value or b"")
    except (json.JSONDecodeError, UnicodeDecodeError):
        event = None
    if not isinstance(event, dict):
        where = f"{record.topic}[{record.partition}]@{record.offset}"
        print(f"skipped {where}: not a JSON object", file=sys.stderr)
        return None
    if not accept.accepts(event):
        return None
    return json.dumps(event, ensure_ascii=False) if as_json else format_insight(event, paint)


async def tail(
    *,
    bootstrap: str,
    topic: str,
    dlq_topic: str | None,
    from_beginning: bool,
    max_events: int | None,
    accept: InsightFilter,
    as_json: bool,
    paint: Painter,
    emit: Callable[[str], None],
    security: Mapping[str, Any] | None = None,
) -> int:
    """Print events until ``max_events`` were shown (or forever); return how many were shown.

    ``security``: TLS/SASL client options, as ``consumer.kafka.clients.kafka_client_options`` makes.
    """
    topics = [topic] if dlq_topic is None else [topic, dlq_topic]
    options = {**(security or {}), "bootstrap_servers": bootstrap}
    consumer = AIOKafkaConsumer(
        *topics,
        **options,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
    )
    await start_client(consumer, options)
    shown = 0
    try:
        print(f"tailing {', '.join(topics)} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        while max_events is None or shown < max_events:
            batch = await consumer.getmany(timeout_ms=1000)
            for record in (r for records in batch.values() for r in records):
                line = render(record, dlq_topic=dlq_topic, accept=accept, as_json=as_json, paint=paint)
                if line is None:
                    continue
                emit(line)
                shown += 1
                if max_events is not None and shown >= max_events:
                    break
    finally:
        await consumer.stop()
    return shown


def _print(line: str) -> None:
    print(line, flush=True)


def main(args: argparse.Namespace, *, security: Mapping[str, Any] | None = None) -> int:
    """Run ``tail`` from parsed arguments; Ctrl-C (or SIGTERM) stops it cleanly with status 0.
    ``security``: TLS/SASL client options (see :func:`tail`)."""
    if args.max is not None and args.max < 1:
        print("--max must be positive", file=sys.stderr)
        return 2
    color = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    )
    accept = InsightFilter(
        sentiments=frozenset(args.sentiment or ()),
        intents=frozenset(args.intent or ()),
        priorities=frozenset(args.priority or ()),
        action_required=True if args.action_required else None,
    )

    async def run() -> int:
        task = asyncio.current_task()
        if task is not None:
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await tail(
            bootstrap=args.bootstrap,
            topic=args.topic,
            dlq_topic=args.dlq,
            from_beginning=args.from_beginning,
            max_events=args.max,
            accept=accept,
            as_json=args.json,
            paint=Painter(enabled=color),
            emit=_print,
            security=security,
        )

    try:
        asyncio.run(run())
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 0
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, and keep Python's exit flush from failing too
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0
