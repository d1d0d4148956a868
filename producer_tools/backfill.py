"""``backfill``: re-analyse historical transcripts through the Gemini Batch API and store them.

- **Input**: a JSONL file of TranscriptEvents, or a Kafka topic read from a time (``--from``) up to
  the end offsets it had at start, without a consumer group. A record without an ``event_id`` (a
  bare ``{"transcript": ...}``) is skipped: the ``event_id`` decides idempotency. Bad records are
  counted and reported with their reason; they never stop the run.
- **Skip or re-analyse**: an event already stored is not sent to Gemini, unless ``--reanalyze``:
  then its row gets the new analysis as version n+1 (``analysis_version``) and an InsightEvent
  with an id of that version's own.
- **Batches**: the events left are split into chunks (``--chunk-size``), one batch job each;
  a chunk of at most ``--inline-max`` requests (and 20 MB) goes inline, a larger one as an
  uploaded JSONL file. Jobs are polled every ``--poll-s`` seconds until they end; each answer is
  validated and priced (at the Batch API's half price) and stored through the service's own
  path: the row and its outbox entry in one transaction, which the service's outbox relay
  publishes. An item that fails (an error, an empty or blocked answer, an invalid one, a row the
  database refuses) is reported on stderr and in ``--failures`` (the event's JSON with a
  ``backfill_error``, so the file can be backfilled again), and makes the exit status 1.
- **Resumable**: the state file (``--state``) records every chunk's event ids, its job's name
  once submitted, and whether its results were stored; it is replaced atomically after each step.
  Run the same command again after a crash: stored chunks are skipped, submitted ones are polled
  (not submitted again), and events whose item failed are planned into new chunks. A crash
  between storing a chunk and recording it means the chunk is stored again on the next run, which
  is harmless: the store is idempotent on ``event_id``, and a re-analysis only applies to a row
  still at the version the chunk was planned against. A crash between creating a job and
  recording its name leaves that job orphaned; the chunk is submitted again.

The last line printed is a JSON summary: ``events`` (valid input events), ``skipped_stored``,
``invalid``, ``submitted`` (requests in the jobs this run created), ``succeeded``, ``failed``,
``stored`` (new rows), ``reanalyzed`` (rows given a new version), ``jobs`` (jobs this run created
or resumed), the token counts and ``estimated_cost_usd`` of the answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol

import aiohttp
import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import ValidationError

from consumer.analyzer.gemini_client import Backend, make_client
from consumer.analyzer.gemini_request import parse_answer, request_dict, usage_of
from consumer.analyzer.pricing import PriceTable
from consumer.analyzer.text.redact import redact_text
from consumer.db.insights import StoredInsight
from consumer.db.store import NewInsight, Reanalysis, Store
from consumer.errors import InsightsError
from consumer.kafka.clients import start_client
from consumer.observability.secrets import Scrubber, validation_summary
from consumer.settings import Settings
from producer_tools.progress import tqdm
from producer_tools.replay import parse_since, partitions_of
from schemas import AnalyzerInfo, CallAnalysis, TokenUsage, TranscriptEvent

DEFAULT_CHUNK_SIZE: Final = 10_000
DEFAULT_INLINE_MAX: Final = 500
DEFAULT_POLL_S: Final = 30.0
INLINE_MAX_BYTES: Final = 20 * 1000 * 1000
STORE_BATCH: Final = 500
HTTP_TIMEOUT_S: Final = 600.0
SUCCEEDED: Final = "JOB_STATE_SUCCEEDED"
TERMINAL_STATES: Final = frozenset(
    {SUCCEEDED, "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"}
)
NO_EVENT_ID: Final = "no event_id (it decides idempotency, so the record cannot be backfilled)"
SOURCE: Final = "backfill"
STATE_VERSION: Final = 1
_SHOWN_INVALID: Final = 50


class BackfillError(Exception):
    """The run cannot start or go on (bad options, a state file of another run)."""


# --------------------------------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class Invalid:
    """A record of the input that is not backfilled, and why."""

    where: str
    reason: str


@dataclass
class Source:
    """The events of the input (first of each ``event_id``) and the records left out."""

    identity: str
    events: list[TranscriptEvent] = field(default_factory=list)
    invalid: list[Invalid] = field(default_factory=list)
    _seen: dict[uuid.UUID, str] = field(default_factory=dict, repr=False)

    def add(self, where: str, raw: bytes | str) -> None:
        """Parse one record; keep it as an event or note why it is invalid."""
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            self.invalid.append(Invalid(where, f"not JSON: {exc}"))
            return
        if not isinstance(data, dict):
            self.invalid.append(Invalid(where, "not a JSON object"))
            return
        if data.get("event_id") is None:
            self.invalid.append(Invalid(where, NO_EVENT_ID))
            return
        try:
            event = TranscriptEvent.model_validate(data)
        except ValidationError as exc:
            self.invalid.append(Invalid(where, f"not a TranscriptEvent: {validation_summary(exc)}"))
            return
        first = self._seen.get(event.event_id)
        if first is not None:
            self.invalid.append(Invalid(where, f"duplicate event_id (first at {first})"))
            return
        self._seen[event.event_id] = where
        self.events.append(event)


def read_file(path: Path) -> Source:
    """The TranscriptEvents of a JSONL file (blank lines ignored)."""
    source = Source(identity=f"file:{path.resolve()}")
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                source.add(f"line {number}", line)
    return source


async def read_topic(
    *,
    bootstrap: str,
    topic: str,
    since: datetime,
    progress: bool,
    security: Mapping[str, Any] | None = None,
) -> Source:
    """The TranscriptEvents of ``topic`` from ``since`` up to the end offsets it had at the start.

    Partitions are assigned explicitly and no offset is committed: no consumer group is involved.
    """
    source = Source(identity=f"kafka:{topic}@{since.isoformat()}")
    kafka = {**(security or {}), "bootstrap_servers": bootstrap}
    parts = [TopicPartition(topic, p) for p in await partitions_of(bootstrap, topic, security)]
    if not parts:
        return source
    consumer = AIOKafkaConsumer(**kafka, group_id=None, enable_auto_commit=False)
    await start_client(consumer, kafka)
    try:
        consumer.assign(parts)
        end: dict[TopicPartition, int] = await consumer.end_offsets(parts)
        found = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in parts})
        start: dict[TopicPartition, int] = {}
        for tp in parts:
            at = found.get(tp)
            start[tp] = end[tp] if at is None else at.offset
            consumer.seek(tp, start[tp])
        remaining = {tp for tp in parts if start[tp] < end[tp]}
        consumer.pause(*(set(parts) - remaining))
        with tqdm(
            total=sum(end[tp] - start[tp] for tp in remaining),
            unit="record",
            file=sys.stderr,
            disable=not progress,
            desc=f"read {topic}",
        ) as bar:
            while remaining:
                batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=1000)
                for tp, records in batch.items():
                    for record in records:
                        if record.offset >= end[tp]:
                            break
                        where = f"{record.topic}:{record.partition}:{record.offset}"
                        if record.value is None:
                            source.invalid.append(Invalid(where, "no value"))
                        else:
                            source.add(where, record.value)
                        bar.update(1)
                for tp in list(remaining):
                    if await consumer.position(tp) >= end[tp]:
                        remaining.discard(tp)
                        consumer.pause(tp)
    finally:
        await consumer.stop()
    return source


# --------------------------------------------------------------------------------------- state


@dataclass
class Chunk:
    """One batch job's worth of events."""

    index: int
    event_ids: list[str]
    base_versions: dict[str, int] = field(default_factory=dict)  # --reanalyze: the versions replaced
    job: str | None = None
    stored: bool = False
    failed: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Chunk:
        """A chunk as the state file holds it."""
        return cls(
            index=int(data["index"]),
            event_ids=[str(e) for e in data["event_ids"]],
            base_versions={str(k): int(v) for k, v in data.get("base_versions", {}).items()},
            job=data.get("job"),
            stored=bool(data.get("stored", False)),
            failed=[str(e) for e in data.get("failed", [])],
        )


@dataclass
class State:
    """What a backfill has done so far, kept in a JSON file so that a run can be resumed."""

    input: str
    reanalyze: bool
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    chunks: list[Chunk] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> State | None:
        """The state saved at ``path``; None when there is none."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError) as exc:
            msg = f"state file {path} is not readable: {exc}"
            raise BackfillError(msg) from None
        try:
            return cls(
                input=str(data["input"]),
                reanalyze=bool(data["reanalyze"]),
                run_id=str(data["run_id"]),
                chunks=[Chunk.from_json(c) for c in data["chunks"]],
            )
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"state file {path} is not a backfill state: {exc!r}"
            raise BackfillError(msg) from None

    def save(self, path: Path) -> None:
        """Write the state atomically: a temporary file in the same folder, then a rename."""
        data = {"version": STATE_VERSION, **asdict(self)}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def check(self, identity: str, reanalyze: bool, path: Path) -> None:
        """Raise BackfillError when the state belongs to another input or mode."""
        if self.input != identity or self.reanalyze != reanalyze:
            msg = (
                f"state file {path} belongs to another run ({self.input}, reanalyze={self.reanalyze}); "
                "pass --state with a new path, or delete it to start over"
            )
            raise BackfillError(msg)

    def covered(self) -> set[str]:
        """Event ids that need no new chunk: in an unfinished chunk, or done without failing."""
        ids: set[str] = set()
        for chunk in self.chunks:
            ids.update(chunk.event_ids)
            if chunk.stored:
                ids.difference_update(chunk.failed)
        return ids

    def done(self) -> set[str]:
        """Event ids stored (or re-analysed) by the chunks finished so far."""
        ids: set[str] = set()
        for chunk in self.chunks:
            if chunk.stored:
                ids.update(set(chunk.event_ids) - set(chunk.failed))
        return ids


def default_state_path(file: str | None, topic: str | None, since: str | None) -> Path:
    """``<FILE>.backfill-state.json``, or for a topic a file named after the topic and time."""
    if file is not None:
        return Path(f"{file}.backfill-state.json")
    digest = hashlib.sha256(f"{topic}@{since}".encode()).hexdigest()[:10]
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in str(topic))
    return Path(f"backfill-{safe}-{digest}.backfill-state.json")


def default_failures_path(state_path: Path) -> Path:
    """Next to the state file: ``x.backfill-state.json`` → ``x.backfill-failures.jsonl``."""
    name = state_path.name.removesuffix(".json").removesuffix("-state").removesuffix(".backfill")
    return state_path.with_name(f"{name}.backfill-failures.jsonl")


def plan_chunks(
    state: State,
    events: Sequence[TranscriptEvent],
    stored_versions: Mapping[uuid.UUID, int],
    chunk_size: int,
) -> tuple[list[Chunk], int]:
    """New chunks for the events no chunk covers yet, and how many were skipped as stored.

    ``stored_versions``: the analysis version of each stored event among them. Stored events are
    skipped, unless the state is a re-analysis: their chunk records the version they replace.
    """
    covered = state.covered()
    todo: list[str] = []
    versions: dict[str, int] = {}
    skipped = 0
    for event in events:
        key = str(event.event_id)
        if key in covered:
            continue
        version = stored_versions.get(event.event_id)
        if version is not None:
            if not state.reanalyze:
                skipped += 1
                continue
            versions[key] = version
        todo.append(key)
    first = max((c.index for c in state.chunks), default=-1) + 1
    chunks = []
    for n, start in enumerate(range(0, len(todo), chunk_size)):
        ids = todo[start : start + chunk_size]
        chunks.append(
            Chunk(
                index=first + n, event_ids=ids, base_versions={k: versions[k] for k in ids if k in versions}
            )
        )
    return chunks, skipped


# ------------------------------------------------------------------------------------ requests


def stored_text(event: TranscriptEvent) -> str:
    """The transcript as analysed (a NUL means nothing, and PostgreSQL refuses it)."""
    return event.text().replace("\x00", "")


def build_request(event: TranscriptEvent, settings: Settings) -> dict[str, Any]:
    """The REST GenerateContentRequest for one event, as the live analyzer would ask it."""
    return request_dict(
        stored_text(event),
        event.call_started_at,
        model=settings.gemini_model,
        thinking_level=settings.gemini_thinking_level,
        temperature=settings.gemini_temperature,
    )


def inline_request(request: Mapping[str, Any], key: str) -> types.InlinedRequest:
    """A REST GenerateContentRequest as the SDK's inlined request (its field names: ``contents``,
    and a ``config`` that carries the generation config and the system instruction)."""
    config: dict[str, Any] = dict(request.get("generationConfig", {}))
    if "systemInstruction" in request:
        config["systemInstruction"] = request["systemInstruction"]
    return types.InlinedRequest(
        contents=[types.Content.model_validate(c) for c in request["contents"]],
        config=types.GenerateContentConfig.model_validate(config),
        metadata={"key": key},
    )


def file_line(request: Mapping[str, Any], key: str) -> bytes:
    """One line of a batch input file."""
    return json.dumps({"key": key, "request": request}, ensure_ascii=False).encode() + b"\n"


# ------------------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What the job answered for one request: a REST GenerateContentResponse, or an error."""

    key: str | None
    response: Mapping[str, Any] | None = None
    error: str | None = None


class AnswerError(Exception):
    """The answer to one request cannot be used; the message says why."""


def error_text(error: Any) -> str:
    """A batch item's error status (a dict or an SDK object) as one line."""
    if error is None:
        return "unknown error"
    if not isinstance(error, Mapping):
        error = (
            error.model_dump(exclude_none=True) if hasattr(error, "model_dump") else {"message": str(error)}
        )
    parts = [str(error[k]) for k in ("code", "status") if error.get(k) is not None]
    message = str(error.get("message") or "no message")
    return f"Gemini error {' '.join(parts)}: {message}" if parts else f"Gemini error: {message}"


def inline_results(job: types.BatchJob, keys: Sequence[str]) -> list[ItemResult]:
    """The inline answers of a finished job, keyed by their metadata key or, without one, by
    position (the answers come in the order of the requests)."""
    responses = (job.dest.inlined_responses if job.dest is not None else None) or []
    out = []
    for position, item in enumerate(responses):
        key = (item.metadata or {}).get("key")
        if key is None and position < len(keys):
            key = keys[position]
        if item.error is not None:
            out.append(ItemResult(key, error=error_text(item.error)))
        elif item.response is not None:
            out.append(
                ItemResult(
                    key, response=item.response.model_dump(mode="json", by_alias=True, exclude_none=True)
                )
            )
        else:
            out.append(ItemResult(key, error="no response and no error"))
    return out


def file_results(data: bytes) -> list[ItemResult]:
    """The answers of a results file: JSONL of ``{"key", "response" | "error"}``."""
    out = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append(ItemResult(None, error=f"results line {number} is not JSON: {exc}"))
            continue
        if not isinstance(item, dict):
            out.append(ItemResult(None, error=f"results line {number} is not a JSON object"))
            continue
        key = item.get("key") or (item.get("metadata") or {}).get("key")
        key = None if key is None else str(key)
        if item.get("error") is not None:
            out.append(ItemResult(key, error=error_text(item["error"])))
        elif isinstance(item.get("response"), dict):
            out.append(ItemResult(key, response=item["response"]))
        else:
            out.append(ItemResult(key, error="no response and no error"))
    return out


_USAGE_FIELDS: Final = {
    "promptTokenCount": "prompt_token_count",
    "cachedContentTokenCount": "cached_content_token_count",
    "thoughtsTokenCount": "thoughts_token_count",
    "candidatesTokenCount": "candidates_token_count",
}


def response_usage(response: Mapping[str, Any]) -> TokenUsage:
    """The ``usageMetadata`` of a REST response as a TokenUsage (missing: zeros)."""
    metadata = response.get("usageMetadata")
    if not isinstance(metadata, Mapping):
        return usage_of(None)
    counts = {
        name: metadata.get(rest)
        for rest, name in _USAGE_FIELDS.items()
        if isinstance(metadata.get(rest), int)
    }
    return usage_of(types.GenerateContentResponseUsageMetadata(**counts))


def answer_text(response: Mapping[str, Any]) -> str:
    """The answer of a REST response: the text of its first candidate, thoughts left out.

    Raises AnswerError when the prompt or the answer was blocked, or there is no text.
    """
    feedback = response.get("promptFeedback") or {}
    candidates = response.get("candidates") or []
    if not candidates:
        reason = feedback.get("blockReason")
        raise AnswerError(f"blocked: {reason}" if reason else "empty answer (no candidates)")
    first = candidates[0]
    parts = (first.get("content") or {}).get("parts") or []
    text = "".join(str(p.get("text", "")) for p in parts if isinstance(p, Mapping) and not p.get("thought"))
    finish = first.get("finishReason")
    if not text.strip():
        raise AnswerError(f"empty answer (finishReason {finish})" if finish else "empty answer")
    if finish not in (None, "STOP", "FINISH_REASON_UNSPECIFIED"):
        raise AnswerError(f"answer not finished: finishReason {finish}")
    return text


def analysis_of(
    response: Mapping[str, Any], event: TranscriptEvent, *, model: str, prices: PriceTable
) -> CallAnalysis:
    """The CallAnalysis of one answer, marked as made by Gemini with its usage and batch price.

    Raises AnswerError when the answer is blocked, empty or does not match the schema.
    """
    text = answer_text(response)
    try:
        analysis = parse_answer(text, event.call_started_at)
    except ValidationError as exc:
        raise AnswerError(f"invalid answer: {validation_summary(exc)}") from None
    usage = response_usage(response)
    info = AnalyzerInfo(
        provider="gemini", model=model, usage=usage, estimated_cost_usd=prices.cost(model, usage, batch=True)
    )
    return analysis.mark_produced_by(info)


# ------------------------------------------------------------------------------------- the run


class BackfillStore(Protocol):
    """What the backfill needs of ``consumer.db.store.Store``."""

    async def analysis_versions(self, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """The analysis version of each stored event."""
        ...

    async def save_many(self, items: Sequence[NewInsight]) -> Sequence[StoredInsight | InsightsError]:
        """Insert rows and their outbox entries, idempotent on ``event_id``."""
        ...

    async def save_reanalyses(self, items: Sequence[Reanalysis]) -> Sequence[StoredInsight | None]:
        """Replace stored analyses with new versions, with their outbox entries."""
        ...


@dataclass
class Options:
    """How to run a backfill."""

    state_path: Path
    failures_path: Path
    reanalyze: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE
    inline_max: int = DEFAULT_INLINE_MAX
    poll_s: float = DEFAULT_POLL_S
    progress: bool = True
    workdir: Path | None = None  # for the request files of large chunks (default: the state's folder)


@dataclass
class Summary:
    """What a run did; printed as its last line."""

    events: int = 0
    skipped_stored: int = 0
    invalid: int = 0
    submitted: int = 0
    succeeded: int = 0
    failed: int = 0
    stored: int = 0
    reanalyzed: int = 0
    jobs: int = 0
    usage: TokenUsage = field(default_factory=lambda: TokenUsage(requests=0))
    cost_usd: float | None = None

    def add_answer(self, info: AnalyzerInfo) -> None:
        """Count one usable answer, its tokens and cost."""
        self.succeeded += 1
        if info.usage is not None:
            self.usage = TokenUsage(
                prompt_tokens=self.usage.prompt_tokens + info.usage.prompt_tokens,
                cached_tokens=self.usage.cached_tokens + info.usage.cached_tokens,
                thought_tokens=self.usage.thought_tokens + info.usage.thought_tokens,
                output_tokens=self.usage.output_tokens + info.usage.output_tokens,
                requests=self.usage.requests + info.usage.requests,
            )
        if info.estimated_cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + info.estimated_cost_usd

    def as_dict(self) -> dict[str, Any]:
        """The JSON summary."""
        return {
            "events": self.events,
            "skipped_stored": self.skipped_stored,
            "invalid": self.invalid,
            "submitted": self.submitted,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "stored": self.stored,
            "reanalyzed": self.reanalyzed,
            "jobs": self.jobs,
            "prompt_tokens": self.usage.prompt_tokens,
            "cached_tokens": self.usage.cached_tokens,
            "thought_tokens": self.usage.thought_tokens,
            "output_tokens": self.usage.output_tokens,
            "estimated_cost_usd": None if self.cost_usd is None else round(self.cost_usd, 8),
        }


class Failures:
    """Failed items: a line on stderr each, and the event's JSON with its ``backfill_error`` in a
    JSONL file (created at the first failure; a run without failures removes an older one)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._out: Any = None

    def clear(self) -> None:
        """Remove the file of an earlier run."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def add(self, event_id: str, event: TranscriptEvent | None, reason: str, job: str | None) -> None:
        """Report one failed item."""
        self.count += 1
        call = f" (call {event.call_id})" if event is not None else ""
        tqdm.write(f"failed {event_id}{call}: {reason}", file=sys.stderr)
        if self._out is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._out = self.path.open("w", encoding="utf-8")
        data: dict[str, Any] = (
            event.model_dump(mode="json", exclude_none=True) if event is not None else {"event_id": event_id}
        )
        data["backfill_error"] = reason
        data["backfill_job"] = job
        self._out.write(json.dumps(data, ensure_ascii=False) + "\n")
        self._out.flush()

    def close(self) -> None:
        """Close the file."""
        if self._out is not None:
            self._out.close()
            self._out = None


class Backfill:
    """One run: plan the chunks, submit, poll, store; the state file after every step."""

    def __init__(
        self,
        *,
        client: genai.Client,
        store: BackfillStore,
        settings: Settings,
        options: Options,
        prices: PriceTable | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.settings = settings
        self.options = options
        self.prices = prices or PriceTable.from_setting(settings.gemini_prices)
        self.summary = Summary()
        self.failures = Failures(options.failures_path)
        self._events: dict[str, TranscriptEvent] = {}
        self._state: State | None = None

    @property
    def state(self) -> State:
        """The state of the run (set by ``run``)."""
        assert self._state is not None
        return self._state

    def _save_state(self) -> None:
        self.state.save(self.options.state_path)

    async def run(self, source: Source) -> Summary:
        """Backfill the events of ``source``; the summary says what happened."""
        try:
            await self._run(source)
        finally:
            self.failures.close()
        self.summary.failed = self.failures.count
        return self.summary

    async def _run(self, source: Source) -> None:
        summary, options = self.summary, self.options
        summary.events, summary.invalid = len(source.events), len(source.invalid)
        report_invalid(source.invalid)
        self._events = {str(e.event_id): e for e in source.events}
        state = State.load(options.state_path)
        if state is None:
            state = State(input=source.identity, reanalyze=options.reanalyze)
        else:
            state.check(source.identity, options.reanalyze, options.state_path)
        self._state = state
        self.failures.clear()
        done = state.done()
        summary.skipped_stored += sum(1 for key in self._events if key in done)
        covered = state.covered()
        fresh = [e for e in source.events if str(e.event_id) not in covered]
        versions: dict[uuid.UUID, int] = {}
        for start in range(0, len(fresh), STORE_BATCH):
            versions.update(
                await self.store.analysis_versions([e.event_id for e in fresh[start : start + STORE_BATCH]])
            )
        chunks, skipped = plan_chunks(state, fresh, versions, options.chunk_size)
        summary.skipped_stored += skipped
        state.chunks.extend(chunks)
        self._save_state()
        for chunk in state.chunks:
            if chunk.stored or chunk.job is not None:
                continue
            if not self._in_input(chunk):
                self._fail_chunk(chunk, "the event is not in this run's input any more", None)
                continue
            chunk.job, submitted = await self._submit(chunk)
            summary.submitted += submitted
            self._save_state()
        pending = [c for c in state.chunks if not c.stored]
        summary.jobs += len(pending)
        async for chunk, job in self._poll(pending):
            await self._finish(chunk, job)

    def _fail_chunk(self, chunk: Chunk, reason: str, job: str | None) -> None:
        """Every item of the chunk failed: report them and record the chunk as done."""
        for key in chunk.event_ids:
            self.failures.add(key, self._events.get(key), reason, job)
        chunk.stored = True
        chunk.failed = list(chunk.event_ids)
        self._save_state()

    async def _submit(self, chunk: Chunk) -> tuple[str, int]:
        """Create the chunk's batch job; return its name and how many requests it holds."""
        model = self.settings.gemini_model
        display = f"call-insights-backfill-{self.state.run_id}-{chunk.index}"
        requests = [(key, build_request(self._events[key], self.settings)) for key in self._in_input(chunk)]
        lines = [file_line(request, key) for key, request in requests]
        size = sum(len(line) for line in lines)
        if len(requests) <= self.options.inline_max and size <= INLINE_MAX_BYTES:
            src: Any = [inline_request(request, key) for key, request in requests]
        else:
            src = await self._upload(lines, display)
        job = await self.client.aio.batches.create(model=model, src=src, config={"display_name": display})
        if job.name is None:
            msg = f"the Batch API created a job without a name for chunk {chunk.index}"
            raise BackfillError(msg)
        tqdm.write(f"chunk {chunk.index}: {len(requests)} requests → {job.name}", file=sys.stderr)
        return job.name, len(requests)

    def _in_input(self, chunk: Chunk) -> list[str]:
        return [key for key in chunk.event_ids if key in self._events]

    async def _upload(self, lines: Iterable[bytes], display: str) -> str:
        folder = self.options.workdir or self.options.state_path.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, path = tempfile.mkstemp(prefix=f"{display}.", suffix=".jsonl", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.writelines(lines)
            uploaded = await self.client.aio.files.upload(
                file=path, config={"display_name": display, "mime_type": "jsonl"}
            )
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)
        if uploaded.name is None:
            msg = "the Files API returned no file name for the uploaded requests"
            raise BackfillError(msg)
        return uploaded.name

    async def _poll(self, chunks: Sequence[Chunk]) -> AsyncIterator[tuple[Chunk, types.BatchJob]]:
        """Each chunk with its job, as the jobs end (polled every ``poll_s``)."""
        waiting = {c.job: c for c in chunks if c.job is not None}
        shown: dict[str, int] = dict.fromkeys(waiting, 0)
        with tqdm(
            total=sum(len(c.event_ids) for c in chunks),
            unit="request",
            file=sys.stderr,
            disable=not self.options.progress,
            desc="gemini batch",
        ) as bar:
            while waiting:
                states: Counter[str] = Counter()
                for name, chunk in list(waiting.items()):
                    job = await self.client.aio.batches.get(name=name)
                    state = job.state.name if job.state is not None else "JOB_STATE_UNSPECIFIED"
                    states[state.removeprefix("JOB_STATE_").lower()] += 1
                    finished = state in TERMINAL_STATES
                    count = len(chunk.event_ids) if finished else _completed(job)
                    bar.update(max(0, count - shown[name]))
                    shown[name] = max(shown[name], count)
                    if finished:
                        del waiting[name]
                        yield chunk, job
                bar.set_postfix(dict(states))
                if waiting:
                    await asyncio.sleep(self.options.poll_s)

    async def _finish(self, chunk: Chunk, job: types.BatchJob) -> None:
        """Read a finished job's answers, store them, record the chunk as stored."""
        name = job.name or chunk.job
        state = job.state.name if job.state is not None else "JOB_STATE_UNSPECIFIED"
        if state != SUCCEEDED:
            detail = f": {job.error.message}" if job.error is not None and job.error.message else ""
            self._fail_chunk(chunk, f"batch job {name} ended {state}{detail}", name)
            return
        failed = await self._store(chunk, await self._results(job, chunk), name)
        chunk.stored = True
        chunk.failed = failed
        self._save_state()

    async def _results(self, job: types.BatchJob, chunk: Chunk) -> list[ItemResult]:
        keys = self._in_input(chunk)
        if job.dest is not None and job.dest.file_name:
            data = await self.client.aio.files.download(file=job.dest.file_name)
            return file_results(data or b"")
        return inline_results(job, keys)

    async def _store(self, chunk: Chunk, results: Sequence[ItemResult], job: str | None) -> list[str]:
        """Store the usable answers of one chunk; return the ids of the items that failed."""
        failed: list[str] = []
        by_key: dict[str, ItemResult] = {}
        for answer in results:
            if answer.key is None or answer.key not in chunk.event_ids:
                tqdm.write(f"{job}: an answer for no request of this chunk ({answer.key})", file=sys.stderr)
            else:
                by_key.setdefault(answer.key, answer)
        new: list[NewInsight] = []
        redo: list[Reanalysis] = []
        model = self.settings.gemini_model
        now = datetime.now(UTC)
        for key in chunk.event_ids:
            event = self._events.get(key)
            result = by_key.get(key)
            try:
                if event is None:
                    raise AnswerError("the event is not in this run's input any more")
                if result is None:
                    raise AnswerError("the job's output has no answer for this request")
                if result.response is None:
                    raise AnswerError(result.error or "no response")
                analysis = analysis_of(result.response, event, model=model, prices=self.prices)
            except AnswerError as exc:
                self.failures.add(key, event, str(exc), job)
                failed.append(key)
                continue
            info = analysis.produced_by(AnalyzerInfo(provider="gemini", model=model))
            self.summary.add_answer(info)
            text = stored_text(event)
            item = NewInsight(
                event=event,
                transcript=redact_text(text) if self.settings.redact_stored else text,
                analysis=analysis,
                analyzer=info,
                processed_at=now,
                processing_time_ms=0.0,
                source=SOURCE,
            )
            base = chunk.base_versions.get(key)
            if base is None:
                new.append(item)
            else:
                redo.append(Reanalysis(insight=item, base_version=base))
        for start in range(0, len(new), STORE_BATCH):
            batch = new[start : start + STORE_BATCH]
            for item, saved in zip(batch, await self.store.save_many(batch), strict=True):
                key = str(item.event.event_id)
                if isinstance(saved, StoredInsight):
                    self.summary.stored += saved.created
                else:
                    self.failures.add(key, item.event, f"not stored: {saved}", job)
                    failed.append(key)
        for start in range(0, len(redo), STORE_BATCH):
            again = redo[start : start + STORE_BATCH]
            self.summary.reanalyzed += sum(r is not None for r in await self.store.save_reanalyses(again))
        return failed


def _completed(job: types.BatchJob) -> int:
    stats = job.completion_stats
    if stats is None:
        return 0
    return (stats.successful_count or 0) + (stats.failed_count or 0)


def report_invalid(invalid: Sequence[Invalid]) -> None:
    """Each record left out on stderr (the first ones), then the count per reason."""
    for item in invalid[:_SHOWN_INVALID]:
        print(f"skipped {item.where}: {item.reason}", file=sys.stderr)
    if len(invalid) > _SHOWN_INVALID:
        print(f"... and {len(invalid) - _SHOWN_INVALID} more", file=sys.stderr)
    reasons = Counter(item.reason.split(":", 1)[0] for item in invalid)
    for reason, count in reasons.most_common():
        print(f"skipped {count} record(s): {reason}", file=sys.stderr)


# ------------------------------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser, *, bootstrap: str) -> None:
    """The ``backfill`` sub-command's options."""
    parser.add_argument("file", nargs="?", help="JSONL of TranscriptEvents (or use --topic and --from)")
    parser.add_argument("--topic", help="read TranscriptEvents from this Kafka topic instead")
    parser.add_argument(
        "--from", dest="since", help="with --topic: ISO-8601 time (no zone = UTC) or an age (6h, 2d)"
    )
    parser.add_argument("--bootstrap", default=bootstrap)
    parser.add_argument(
        "--reanalyze", action="store_true", help="analyse stored events again, as a new analysis version"
    )
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="requests per batch job")
    parser.add_argument(
        "--inline-max",
        type=int,
        default=DEFAULT_INLINE_MAX,
        help="send up to this many requests (and 20 MB) inline, more as an uploaded file",
    )
    parser.add_argument("--poll-s", type=float, default=DEFAULT_POLL_S, help="seconds between job polls")
    parser.add_argument("--state", help="state file (default: <FILE>.backfill-state.json)")
    parser.add_argument("--failures", help="JSONL of failed items (default: next to the state file)")
    parser.add_argument("--no-progress", action="store_true")


async def run(
    args: argparse.Namespace,
    *,
    settings: Settings,
    options: Options,
    security: Mapping[str, Any] | None = None,
) -> Summary:
    """Read the input, then backfill it with a Gemini client and the database of ``settings``."""
    if args.topic is not None:
        since = parse_since(args.since, datetime.now(UTC))
        source = await read_topic(
            bootstrap=args.bootstrap,
            topic=args.topic,
            since=since,
            progress=options.progress,
            security=security,
        )
    else:
        source = read_file(Path(args.file))
    async with (
        aiohttp.ClientSession() as session,
        Store.connect(
            settings.database_url.get_secret_value(),
            output_topic=settings.kafka_output_topic,
            min_size=1,
            max_size=2,
        ) as store,
    ):
        try:
            await store.analysis_versions([])
        except asyncpg.exceptions.UndefinedColumnError:
            msg = "the database lacks call_records.analysis_version: run `python -m consumer migrate` first"
            raise BackfillError(msg) from None
        client = make_client(settings, session=session, timeout_s=max(settings.llm_timeout_s, HTTP_TIMEOUT_S))
        return await Backfill(client=client, store=store, settings=settings, options=options).run(source)


def options_from(args: argparse.Namespace) -> Options:
    """Options from parsed arguments (raises BackfillError when they do not fit together)."""
    if (args.file is None) == (args.topic is None):
        msg = "give FILE, or --topic with --from"
        raise BackfillError(msg)
    if args.topic is not None and not args.since:
        msg = "--topic needs --from (an ISO-8601 time)"
        raise BackfillError(msg)
    if args.chunk_size < 1 or args.inline_max < 0 or args.poll_s < 0:
        msg = "--chunk-size must be positive; --inline-max and --poll-s must not be negative"
        raise BackfillError(msg)
    state = Path(args.state) if args.state else default_state_path(args.file, args.topic, args.since)
    return Options(
        state_path=state,
        failures_path=Path(args.failures) if args.failures else default_failures_path(state),
        reanalyze=args.reanalyze,
        chunk_size=args.chunk_size,
        inline_max=args.inline_max,
        poll_s=args.poll_s,
        progress=not args.no_progress,
    )


def main(args: argparse.Namespace, *, settings: Settings, security: Mapping[str, Any] | None = None) -> int:
    """Run ``backfill`` from parsed arguments; the last line printed is the JSON summary.

    Exit status: 0, 1 when items failed (or the run stopped), 2 for unusable options or settings.
    """
    scrub = Scrubber(settings.secret_values())
    try:
        options = options_from(args)
        if args.since:
            parse_since(args.since, datetime.now(UTC))
    except BackfillError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError:
        print(f"--from {args.since!r}: give an ISO-8601 date/time or an age such as 6h, 2d", file=sys.stderr)
        return 2
    backend = Backend.from_settings(settings)
    problems = backend.problems(settings)
    if backend.vertex:
        problems = [
            "the backfill uses the Gemini API's Batch API and Files API: unset GOOGLE_GENAI_USE_VERTEXAI"
        ]
    if problems:
        print(f"error: {'; '.join(problems)}", file=sys.stderr)
        return 2
    try:
        summary = asyncio.run(run(args, settings=settings, options=options, security=security))
    except BackfillError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {scrub(str(exc))}", file=sys.stderr)
        return 2
    except (InsightsError, genai_errors.APIError) as exc:
        print(f"backfill stopped (run it again to resume): {scrub(str(exc))}", file=sys.stderr)
        return 1
    print(json.dumps(summary.as_dict()))
    return 1 if summary.failed else 0
