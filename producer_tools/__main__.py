"""``python -m producer_tools {send,bench,tail,replay-dlq,backfill}``: publish events to the service's
topics, benchmark it, watch its insights, republish its dead letters, re-analyse history in batches."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Final

from pydantic import ValidationError

from consumer.errors import InsightsError
from consumer.kafka.clients import kafka_client_options
from consumer.observability.secrets import Scrubber, validation_summary
from consumer.settings import Settings
from producer_tools import backfill, bench, replay, tail
from producer_tools.progress import missing_tools
from producer_tools.send import load_source, send

DRAWS_PROGRESS: Final = frozenset({"send", "bench", "replay-dlq", "backfill"})
"""The commands that draw progress bars, so need tqdm (the tools extra)."""


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    try:
        settings = Settings()
        security = kafka_client_options(settings)
    except ValidationError as exc:
        print(f"invalid settings: {validation_summary(exc)}", file=sys.stderr)
        return 2
    except InsightsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    del security["bootstrap_servers"]  # --bootstrap decides
    parser = argparse.ArgumentParser(prog="python -m producer_tools")
    sub = parser.add_subparsers(dest="command", required=True)
    p_send = sub.add_parser("send", help="publish TranscriptEvents")
    p_send.add_argument("--file", help="JSONL of transcripts or TranscriptEvents (default: bundled samples)")
    p_send.add_argument("--count", type=int, help="how many events (default: one per row)")
    p_send.add_argument("--rate", type=float, default=0.0, help="events per second (0 = as fast as possible)")
    p_send.add_argument("--topic", default=settings.kafka_input_topic)
    p_send.add_argument("--bootstrap", default=settings.kafka_bootstrap_servers)
    p_send.add_argument("--no-progress", action="store_true")
    p_bench = sub.add_parser("bench", help="run the service against a fake Gemini and measure it")
    bench.add_arguments(
        p_bench,
        bootstrap=settings.kafka_bootstrap_servers,
        database_url=settings.database_url.get_secret_value(),
    )
    p_tail = sub.add_parser("tail", help="print insight events (and dead letters) as they arrive")
    tail.add_arguments(
        p_tail,
        bootstrap=settings.kafka_bootstrap_servers,
        topic=settings.kafka_output_topic,
        dlq_topic=settings.kafka_dlq_topic,
    )
    p_replay = sub.add_parser("replay-dlq", help="republish dead letters to their original topic")
    replay.add_arguments(
        p_replay, bootstrap=settings.kafka_bootstrap_servers, dlq_topic=settings.kafka_dlq_topic
    )
    p_backfill = sub.add_parser(
        "backfill", help="re-analyse stored or historical transcripts through the Gemini Batch API"
    )
    backfill.add_arguments(p_backfill, bootstrap=settings.kafka_bootstrap_servers)
    args = parser.parse_args(argv)
    if args.command in DRAWS_PROGRESS:
        missing = missing_tools(f"python -m producer_tools {args.command}")
        if missing is not None:
            print(missing, file=sys.stderr)
            return 2
    if args.command == "bench":
        return bench.main(args, security=security)
    if args.command == "tail":
        return tail.main(args, security=security)
    if args.command == "replay-dlq":
        return replay.main(args, security=security)
    if args.command == "backfill":
        return backfill.main(args, settings=settings, security=security)

    try:
        rows = load_source(args.file)
    except (OSError, ValueError) as exc:
        print(f"cannot read events: {exc}", file=sys.stderr)
        return 2
    count = args.count if args.count is not None else len(rows)
    if count < 0 or args.rate < 0:
        print("--count and --rate must not be negative", file=sys.stderr)
        return 2
    try:
        summary = asyncio.run(
            send(
                bootstrap=args.bootstrap,
                topic=args.topic,
                rows=rows,
                count=count,
                rate=args.rate,
                progress=not args.no_progress,
                security=security,
            )
        )
    except InsightsError as exc:
        print(f"error: {Scrubber(settings.secret_values())(str(exc))}", file=sys.stderr)
        return 1
    print(json.dumps(summary))
    return 0 if summary["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
