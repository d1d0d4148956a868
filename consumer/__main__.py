"""Command line: ``python -m consumer [migrate | analyze [FILE] | eval [FILE ...] [--split S] | check |
train]``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Iterator
from typing import TextIO

from pydantic import ValidationError

from consumer.analyzer import Analyzer, build_analyzer
from consumer.errors import InsightsError, InvalidEventError
from consumer.events import parse_line
from consumer.observability.logs import configure_logging
from consumer.observability.secrets import Scrubber, mask_secrets_in_logs, validation_summary
from consumer.settings import Settings
from schemas import TranscriptEvent


def _read_lines(path: str | None) -> Iterator[tuple[int, str]]:
    stream: TextIO = open(path, encoding="utf-8") if path and path != "-" else sys.stdin  # noqa: SIM115
    with stream:
        for number, line in enumerate(stream, start=1):
            if line.strip():
                yield number, line


async def _analyze(path: str | None, analyzer: Analyzer, *, max_transcript_bytes: int) -> int:
    """Print one insight JSON per input line (a TranscriptEvent, or ``{"transcript": ...}`` as
    ``/analyze_call`` takes it); bad lines are reported on stderr and skipped."""
    failures = 0
    try:
        for number, line in _read_lines(path):
            try:
                item = parse_line(line.encode("utf-8"), max_transcript_bytes=max_transcript_bytes)
                call_id: str | None
                if isinstance(item, TranscriptEvent):
                    text, started, call_id = item.text(), item.call_started_at, item.call_id
                else:
                    text, started, call_id = item.transcript, None, item.call_id
                analysis = await analyzer.analyze(text, call_started_at=started)
            except InvalidEventError as exc:
                failures += 1
                print(f"line {number}: skipped: {exc.reason}: {exc}", file=sys.stderr)
                continue
            except InsightsError as exc:
                failures += 1
                print(f"line {number}: analysis failed: {exc.reason}: {exc}", file=sys.stderr)
                continue
            out = {"line": number, "call_id": call_id, **analysis.model_dump(mode="json")}
            out["analyzer"] = analysis.produced_by(analyzer.info).public()
            print(json.dumps(out, ensure_ascii=False), flush=True)
    except OSError as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 2
    return 1 if failures else 0


async def _with_analyzer(settings: Settings, command: str, args: argparse.Namespace) -> int:
    analyzer = build_analyzer(settings)
    try:
        if command == "eval":
            from consumer.analyzer.evaluate import run_eval

            return await run_eval(
                args.files,
                analyzer,
                split=args.split,
                data_dir=args.data,
                worst=args.worst,
                all_mistakes=args.all_mistakes,
                as_json=args.json,
            )
        return await _analyze(
            getattr(args, "file", None), analyzer, max_transcript_bytes=settings.max_transcript_bytes
        )
    finally:
        await analyzer.aclose()


def _count(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


async def _migrate(settings: Settings) -> int:
    from consumer.db.store import Store

    async with Store.connect(settings.database_url.get_secret_value(), output_topic="", min_size=1) as store:
        applied = await store.migrate()
    print(json.dumps({"applied": applied}))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m consumer``."""
    parser = argparse.ArgumentParser(prog="python -m consumer", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the service (the default)")
    sub.add_parser("migrate", help="apply the SQL migrations in sql/")
    analyze = sub.add_parser("analyze", help="analyze transcript JSONL from FILE or stdin")
    analyze.add_argument("file", nargs="?", help="JSONL file (default: stdin)")
    evaluate = sub.add_parser(
        "eval",
        help="accuracy of the analyzer on labelled JSONL, and where it fails",
        description="Score the analyzer on labelled JSONL files and/or a split of data/labelled/.",
    )
    evaluate.add_argument("files", nargs="*", metavar="FILE", help="JSONL of {transcript, labels}")
    evaluate.add_argument(
        "--split",
        choices=("train", "dev", "test", "all"),
        help="the briefs of this split in data/splits.json (test is for reporting, not for tuning)",
    )
    evaluate.add_argument(
        "--data", metavar="DIR", help="the directory of splits.json and labelled/ (default: found from cwd)"
    )
    evaluate.add_argument(
        "--worst",
        type=_count,
        default=5,
        metavar="N",
        help="the N most confident mistakes per field (default 5; 0: none)",
    )
    evaluate.add_argument("--all-mistakes", action="store_true", help="also list every mistake")
    evaluate.add_argument("--json", action="store_true", help="print the whole report as one JSON document")
    sub.add_parser("check", help="check Kafka, PostgreSQL and the LLM configuration (exit 0: all fine)")
    trainer = sub.add_parser(
        "train", help="fit the offline analyzer's learned model from data/ (train extra)"
    )
    trainer.add_argument("--out", help="where to write the weights (default: the packaged model)")
    args = parser.parse_args(argv)
    if args.command == "eval" and not args.files and args.split is None:
        parser.error("eval needs a FILE or --split")

    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"invalid settings: {validation_summary(exc)}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    scrub = Scrubber(settings.secret_values())
    mask_secrets_in_logs(scrub)
    command = args.command or "run"
    try:
        if command == "run":
            from consumer import event_loop
            from consumer.app import run_service

            event_loop.run(run_service(settings), settings.event_loop)
            return 0
        if command == "migrate":
            return asyncio.run(_migrate(settings))
        if command == "train":
            from consumer.analyzer.train import main as train_main

            return train_main(args.out)
        if command == "check":
            from consumer.check import run_check

            return asyncio.run(run_check(settings))
        return asyncio.run(_with_analyzer(settings, command, args))
    except InsightsError as exc:
        print(f"error: {scrub(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception:
        # through the scrubbing log handler, not the default traceback printer
        logging.getLogger("consumer").critical("stopped by an unexpected error", exc_info=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
