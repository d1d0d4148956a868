"""The backfill without servers: input, state file, planning, requests, answers, and whole runs
against an in-memory Batch API and store."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from google import genai
from google.genai import _common, batches, types

from consumer.analyzer.pricing import PriceTable
from consumer.db.insights import StoredInsight, insight_event_id
from consumer.db.store import NewInsight, Reanalysis
from consumer.errors import InsightsError, StoreRejectedError
from consumer.settings import Settings
from producer_tools import backfill as bf
from schemas import InsightEvent, TranscriptEvent
from tests.fakes.store import FakeStore

ANSWER = {
    "customer_intent": "Promise to Pay - Friday",
    "intent_category": "promise_to_pay",
    "sentiment": "Neutral",
    "action_required": True,
    "summary": "The customer will pay 5000 on Friday.",
}
USAGE = {
    "promptTokenCount": 1000,
    "cachedContentTokenCount": 200,
    "thoughtsTokenCount": 30,
    "candidatesTokenCount": 70,
}


def settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, gemini_api_key="k", **overrides)  # type: ignore[call-arg]


def event(n: int = 0, **extra: Any) -> TranscriptEvent:
    return TranscriptEvent(
        event_id=uuid.uuid4(),
        call_id=f"call-{n}",
        transcript=f"Customer: Friday ko 5000 dunga ({n})",
        **extra,
    )


def ok_response(answer: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": json.dumps(answer or ANSWER)}]},
                "finishReason": "STOP",
            }
        ],
        "usageMetadata": USAGE,
        **extra,
    }


# ----------------------------------------------------------------------------------------- input


def test_a_file_gives_its_events_and_says_why_it_left_records_out(tmp_path: Path) -> None:
    first = event(1)
    lines = [
        first.model_dump_json(),
        json.dumps({"transcript": "Customer: kal dunga"}),
        "{not json",
        "[1, 2]",
        json.dumps({"event_id": str(uuid.uuid4()), "call_id": "c"}),
        "",
        first.model_dump_json(),
        event(2).model_dump_json(),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    source = bf.read_file(path)
    assert [e.call_id for e in source.events] == ["call-1", "call-2"]
    reasons = {i.where: i.reason for i in source.invalid}
    assert reasons["line 2"] == bf.NO_EVENT_ID
    assert reasons["line 3"].startswith("not JSON")
    assert reasons["line 4"] == "not a JSON object"
    assert reasons["line 5"].startswith("not a TranscriptEvent")
    assert reasons["line 7"] == "duplicate event_id (first at line 1)"
    assert source.identity == f"file:{path.resolve()}"


def test_invalid_records_are_reported_with_a_count_per_reason(capsys: pytest.CaptureFixture[str]) -> None:
    bf.report_invalid([bf.Invalid("line 2", bf.NO_EVENT_ID), bf.Invalid("line 3", "not JSON: x")])
    err = capsys.readouterr().err
    assert f"skipped line 2: {bf.NO_EVENT_ID}" in err
    assert "skipped 1 record(s): not JSON" in err


# ----------------------------------------------------------------------------------------- state


def test_the_state_file_round_trips_and_is_replaced_atomically(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    state = bf.State(input="file:x", reanalyze=True)
    state.chunks.append(bf.Chunk(index=0, event_ids=["a", "b"], base_versions={"a": 2}, job="batches/1"))
    state.save(path)
    state.chunks[0].stored = True
    state.chunks[0].failed = ["b"]
    state.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]
    loaded = bf.State.load(path)
    assert loaded == state
    assert bf.State.load(tmp_path / "missing.json") is None


def test_a_state_file_of_another_run_is_refused(tmp_path: Path) -> None:
    state = bf.State(input="file:a", reanalyze=False)
    with pytest.raises(bf.BackfillError, match="another run"):
        state.check("file:b", False, tmp_path / "s.json")
    with pytest.raises(bf.BackfillError, match="another run"):
        state.check("file:a", True, tmp_path / "s.json")
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(bf.BackfillError, match="not a backfill state"):
        bf.State.load(tmp_path / "bad.json")


def test_default_paths() -> None:
    assert bf.default_state_path("calls.jsonl", None, None) == Path("calls.jsonl.backfill-state.json")
    topic = bf.default_state_path(None, "telephony.transcripts", "2026-11-01")
    assert topic.name.startswith("backfill-telephony.transcripts-")
    assert topic != bf.default_state_path(None, "telephony.transcripts", "2026-11-02")
    failures = bf.default_failures_path(Path("/d/calls.jsonl.backfill-state.json"))
    assert failures == Path("/d/calls.jsonl.backfill-failures.jsonl")


def test_planning_skips_stored_events_and_splits_the_rest_into_chunks() -> None:
    events = [event(n) for n in range(5)]
    state = bf.State(input="x", reanalyze=False)
    chunks, skipped = bf.plan_chunks(state, events, {events[1].event_id: 1}, chunk_size=2)
    assert skipped == 1
    assert [c.event_ids for c in chunks] == [
        [str(events[0].event_id), str(events[2].event_id)],
        [str(events[3].event_id), str(events[4].event_id)],
    ]
    assert [c.index for c in chunks] == [0, 1]


def test_planning_a_reanalysis_records_the_version_each_event_replaces() -> None:
    events = [event(n) for n in range(3)]
    state = bf.State(input="x", reanalyze=True)
    chunks, skipped = bf.plan_chunks(state, events, {events[0].event_id: 3}, chunk_size=10)
    assert skipped == 0
    [chunk] = chunks
    assert chunk.event_ids == [str(e.event_id) for e in events]
    assert chunk.base_versions == {str(events[0].event_id): 3}


def test_on_resume_only_failed_and_new_events_get_new_chunks() -> None:
    events = [event(n) for n in range(5)]
    ids = [str(e.event_id) for e in events]
    state = bf.State(input="x", reanalyze=False)
    state.chunks = [
        bf.Chunk(index=0, event_ids=ids[:2], job="batches/a", stored=True, failed=[ids[1]]),
        bf.Chunk(index=1, event_ids=ids[2:4], job="batches/b"),
    ]
    assert state.covered() == {ids[0], ids[2], ids[3]}
    assert state.done() == {ids[0]}
    chunks, skipped = bf.plan_chunks(state, events, {}, chunk_size=10)
    assert skipped == 0
    assert [(c.index, c.event_ids) for c in chunks] == [(2, [ids[1], ids[4]])]


# -------------------------------------------------------------------------------------- requests


@pytest.mark.parametrize(
    ("model", "level", "thinking"),
    [
        ("gemini-3.5-flash-lite", "minimal", {"thinking_level": "MINIMAL"}),
        ("gemini-2.5-flash", "low", {"thinking_budget": 1024}),
    ],
)
def test_an_inline_request_is_sent_as_the_rest_request_it_was_built_from(
    model: str, level: str, thinking: dict[str, Any]
) -> None:
    """The SDK's own conversion of the inlined request gives back the REST request (thinking in the
    SDK's snake_case spelling, which proto JSON accepts too)."""
    rest = bf.build_request(
        event(1, call_started_at="2026-11-20T10:30:00+05:30"),
        settings(gemini_model=model, gemini_thinking_level=level, gemini_temperature=0.2),
    )
    client = genai.Client(api_key="k")
    sent = _common.convert_to_dict(
        batches._InlinedRequest_to_mldev(client._api_client, bf.inline_request(rest, "key-1"))
    )
    assert sent["metadata"] == {"key": "key-1"}
    request = sent["request"]
    assert request["contents"] == rest["contents"]
    assert request["systemInstruction"] == rest["systemInstruction"]
    config = dict(request["generationConfig"])
    assert json.loads(json.dumps(config.pop("thinkingConfig"))) == thinking
    expected = dict(rest["generationConfig"])
    del expected["thinkingConfig"]
    assert config == expected


def test_a_file_line_holds_the_key_and_the_rest_request() -> None:
    rest = bf.build_request(event(), settings())
    line = bf.file_line(rest, "k")
    assert line.endswith(b"\n")
    assert json.loads(line) == {"key": "k", "request": rest}


# --------------------------------------------------------------------------------------- answers


def test_file_results_read_keys_responses_errors_and_bad_lines() -> None:
    data = b"\n".join(
        [
            json.dumps({"key": "a", "response": ok_response()}).encode(),
            json.dumps(
                {"key": "b", "error": {"code": 13, "message": "Internal", "status": "INTERNAL"}}
            ).encode(),
            b"oops",
            b"",
        ]
    )
    a, b, bad = bf.file_results(data)
    assert a.key == "a"
    assert a.response is not None
    assert a.error is None
    assert b.key == "b"
    assert b.error == "Gemini error 13 INTERNAL: Internal"
    assert bad.key is None
    assert bad.error is not None
    assert "not JSON" in bad.error


def test_inline_results_match_by_key_or_else_by_position() -> None:
    job = types.BatchJob(
        name="batches/x",
        dest=types.BatchJobDestination(
            inlined_responses=[
                types.InlinedResponse(
                    response=types.GenerateContentResponse.model_validate(ok_response()),
                    metadata={"key": "b"},
                ),
                types.InlinedResponse(response=types.GenerateContentResponse.model_validate(ok_response())),
                types.InlinedResponse(error=types.JobError(code=3, message="bad request")),
            ]
        ),
    )
    first, second, third = bf.inline_results(job, ["a", "b", "c"])
    assert (first.key, second.key, third.key) == ("b", "b", "c")
    assert third.error == "Gemini error 3: bad request"
    assert first.response is not None
    assert bf.answer_text(first.response) == json.dumps(ANSWER)
    assert bf.response_usage(first.response).prompt_tokens == 1000


def test_an_answer_becomes_an_analysis_priced_at_the_batch_rate() -> None:
    prices = PriceTable()
    analysis = bf.analysis_of(ok_response(), event(), model="gemini-3.5-flash-lite", prices=prices)
    assert analysis.intent_category.value == "promise_to_pay"
    info = analysis.produced_by(None)  # type: ignore[arg-type]
    assert info.provider == "gemini"
    assert info.usage is not None
    assert (info.usage.prompt_tokens, info.usage.cached_tokens, info.usage.thought_tokens) == (1000, 200, 30)
    assert info.usage.output_tokens == 70
    full = prices.cost("gemini-3.5-flash-lite", info.usage)
    assert full is not None
    assert info.estimated_cost_usd == pytest.approx(full / 2, abs=1e-8)


def test_thoughts_are_not_part_of_the_answer() -> None:
    response = ok_response()
    response["candidates"][0]["content"]["parts"].insert(0, {"text": "thinking...", "thought": True})
    assert bf.answer_text(response) == json.dumps(ANSWER)


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ({"promptFeedback": {"blockReason": "SAFETY"}}, "blocked: SAFETY"),
        ({"candidates": []}, "empty answer"),
        (
            {"candidates": [{"content": {"parts": []}, "finishReason": "SAFETY"}]},
            "empty answer (finishReason SAFETY)",
        ),
        (
            {"candidates": [{"content": {"parts": [{"text": "{"}]}, "finishReason": "MAX_TOKENS"}]},
            "answer not finished",
        ),
        ({"candidates": [{"content": {"parts": [{"text": "not json"}]}}]}, "invalid answer"),
        (ok_response({"customer_intent": "x"}), "invalid answer"),
    ],
)
def test_unusable_answers_say_why(response: dict[str, Any], reason: str) -> None:
    with pytest.raises(bf.AnswerError, match=re.escape(reason)):
        bf.analysis_of(response, event(), model="gemini-3.5-flash-lite", prices=PriceTable())


def test_summary_keys_are_the_contract() -> None:
    assert list(bf.Summary().as_dict()) == [
        "events",
        "skipped_stored",
        "invalid",
        "submitted",
        "succeeded",
        "failed",
        "stored",
        "reanalyzed",
        "jobs",
        "prompt_tokens",
        "cached_tokens",
        "thought_tokens",
        "output_tokens",
        "estimated_cost_usd",
    ]


# ------------------------------------------------------------------------------ runs, in memory


Responder = Callable[[dict[str, Any]], tuple[dict[str, Any] | None, dict[str, Any] | None]]


def answer_all(request: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    return ok_response(), None


def read_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


def jsonl_files(folder: Path) -> list[Path]:
    return list(folder.glob("*.jsonl"))


class FakeBatchApi:
    """``client.aio.batches`` and ``client.aio.files`` in memory: a job ends at its first poll."""

    def __init__(self, respond: Responder = answer_all, final_state: str = "JOB_STATE_SUCCEEDED") -> None:
        self.respond = respond
        self.final_state = final_state
        self.created: list[dict[str, Any]] = []
        self.polls: list[str] = []
        self.uploads: list[bytes] = []
        self.jobs: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.file_jobs: set[str] = set()
        self.files: dict[str, bytes] = {}
        self.aio = SimpleNamespace(
            batches=SimpleNamespace(create=self.create, get=self.get),
            files=SimpleNamespace(upload=self.upload, download=self.download),
        )

    async def create(self, *, model: str, src: Any, config: dict[str, Any]) -> types.BatchJob:
        name = f"batches/{len(self.created)}"
        self.created.append({"model": model, "src": src, "config": config})
        if isinstance(src, str):
            lines = [json.loads(line) for line in self.files[src].splitlines()]
            self.jobs[name] = [(line["key"], line["request"]) for line in lines]
            self.file_jobs.add(name)
        else:
            self.jobs[name] = [(r.metadata["key"], r.model_dump()) for r in src]
        return types.BatchJob(name=name, state=types.JobState.JOB_STATE_PENDING)

    async def get(self, *, name: str) -> types.BatchJob:
        self.polls.append(name)
        state = types.JobState(self.final_state)
        if state != types.JobState.JOB_STATE_SUCCEEDED:
            return types.BatchJob(name=name, state=state, error=types.JobError(message="it broke"))
        answers = [(key, *self.respond(request)) for key, request in self.jobs[name]]
        if name in self.file_jobs:
            out = f"files/out-{name.split('/')[1]}"
            self.files[out] = b"\n".join(
                json.dumps({"key": key, **({"response": r} if r is not None else {"error": e})}).encode()
                for key, r, e in answers
            )
            dest = types.BatchJobDestination(file_name=out)
        else:
            dest = types.BatchJobDestination(
                inlined_responses=[
                    types.InlinedResponse(
                        metadata={"key": key},
                        response=None if r is None else types.GenerateContentResponse.model_validate(r),
                        error=None if e is None else types.JobError(code=e["code"], message=e["message"]),
                    )
                    for key, r, e in answers
                ]
            )
        return types.BatchJob(name=name, state=state, dest=dest)

    async def upload(self, *, file: str, config: dict[str, Any]) -> types.File:
        data = read_bytes(file)
        self.uploads.append(data)
        name = f"files/in-{len(self.uploads)}"
        self.files[name] = data
        return types.File(name=name)

    async def download(self, *, file: str) -> bytes:
        return self.files[file]


class MemoryStore(FakeStore):
    """The pipeline's in-memory store plus what the backfill needs: an outbox, refused rows and
    versioned re-analyses."""

    def __init__(self) -> None:
        super().__init__()
        self.outbox: list[uuid.UUID] = []
        self.refuse: set[str] = set()

    async def analysis_versions(self, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        return {e: self.rows[e].analysis_version for e in event_ids if e in self.rows}

    async def save_many(self, items: Sequence[NewInsight]) -> list[StoredInsight | InsightsError]:  # type: ignore[override]
        out: list[StoredInsight | InsightsError] = []
        for item in items:
            if item.event.call_id in self.refuse:
                out.append(StoreRejectedError("record refused"))
                continue
            [stored] = await super().save_many([item])
            if stored.created:
                self.outbox.append(insight_event_id(item.event.event_id))
            out.append(stored)
        return out

    async def save_reanalyses(self, items: Sequence[Reanalysis]) -> list[StoredInsight | None]:
        out: list[StoredInsight | None] = []
        for item in items:
            row = self.rows.get(item.insight.event.event_id)
            if row is None or row.analysis_version != item.base_version:
                out.append(None)
                continue
            row = dataclasses.replace(
                row, analysis=item.insight.analysis, analysis_version=row.analysis_version + 1
            )
            self.rows[row.event_id] = row
            self.outbox.append(insight_event_id(row.event_id, row.analysis_version))
            out.append(row)
        return out


def source_of(events: Sequence[TranscriptEvent]) -> bf.Source:
    source = bf.Source(identity="test:input")
    for n, e in enumerate(events):
        source.add(f"line {n + 1}", e.model_dump_json())
    return source


def backfill(tmp_path: Path, api: FakeBatchApi, store: MemoryStore, **options: Any) -> bf.Backfill:
    values: dict[str, Any] = {
        "state_path": tmp_path / "s.json",
        "failures_path": tmp_path / "f.jsonl",
        "poll_s": 0.0,
        "progress": False,
        **options,
    }
    return bf.Backfill(
        client=api,  # type: ignore[arg-type]
        store=store,
        settings=settings(),
        options=bf.Options(**values),
    )


async def test_a_run_stores_every_answer_with_its_usage(tmp_path: Path) -> None:
    events = [event(n) for n in range(5)]
    api, store = FakeBatchApi(), MemoryStore()
    summary = await backfill(tmp_path, api, store, chunk_size=2).run(source_of(events))
    assert summary.as_dict() | {"estimated_cost_usd": None} == {
        "events": 5,
        "skipped_stored": 0,
        "invalid": 0,
        "submitted": 5,
        "succeeded": 5,
        "failed": 0,
        "stored": 5,
        "reanalyzed": 0,
        "jobs": 3,
        "prompt_tokens": 5000,
        "cached_tokens": 1000,
        "thought_tokens": 150,
        "output_tokens": 350,
        "estimated_cost_usd": None,
    }
    assert summary.cost_usd is not None
    assert summary.cost_usd > 0
    assert len(api.created) == 3
    assert api.created[0]["config"]["display_name"].startswith("call-insights-backfill-")
    stored = store.rows[events[0].event_id]
    assert stored.analyzer.provider == "gemini"
    assert stored.analyzer.usage is not None
    assert stored.analyzer.usage.prompt_tokens == 1000
    state = bf.State.load(tmp_path / "s.json")
    assert state is not None
    assert all(c.stored and c.job for c in state.chunks)
    assert not (tmp_path / "f.jsonl").exists()


async def test_stored_events_are_skipped_unless_reanalysed(tmp_path: Path) -> None:
    events = [event(n) for n in range(3)]
    api, store = FakeBatchApi(), MemoryStore()
    await backfill(tmp_path / "first", api, store).run(source_of(events[:2]))
    summary = await backfill(tmp_path / "second", api, store).run(source_of(events))
    assert (summary.skipped_stored, summary.submitted, summary.stored) == (2, 1, 1)
    assert len(api.jobs["batches/1"]) == 1

    summary = await backfill(tmp_path / "third", api, store, reanalyze=True).run(source_of(events))
    assert (summary.skipped_stored, summary.submitted, summary.reanalyzed, summary.stored) == (0, 3, 3, 0)
    assert {row.analysis_version for row in store.rows.values()} == {2}
    second = insight_event_id(events[0].event_id, 2)
    assert second in store.outbox
    assert second != InsightEvent.id_for(events[0].event_id)


async def test_a_large_chunk_goes_as_an_uploaded_file(tmp_path: Path) -> None:
    events = [event(n) for n in range(3)]
    api, store = FakeBatchApi(), MemoryStore()
    summary = await backfill(tmp_path, api, store, inline_max=2).run(source_of(events))
    assert summary.stored == 3
    [upload] = api.uploads
    assert [json.loads(line)["key"] for line in upload.splitlines()] == [str(e.event_id) for e in events]
    assert api.created[0]["src"] == "files/in-1"
    assert jsonl_files(tmp_path) == []


async def test_failed_items_are_reported_kept_and_retried_by_the_next_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = [event(0), event(1), event(2)]
    bad = str(events[1].event_id)

    def respond(request: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        if "(1)" in json.dumps(request):
            return None, {"code": 13, "message": "Internal error", "status": "INTERNAL"}
        if "(2)" in json.dumps(request):
            return ok_response({"summary": "no intent"}), None
        return ok_response(), None

    api, store = FakeBatchApi(respond), MemoryStore()
    summary = await backfill(tmp_path, api, store).run(source_of(events))
    assert (summary.succeeded, summary.failed, summary.stored) == (1, 2, 1)
    err = capsys.readouterr().err
    assert f"failed {bad} (call call-1): Gemini error 13: Internal error" in err
    lines = [json.loads(line) for line in (tmp_path / "f.jsonl").read_text().splitlines()]
    assert [line["event_id"] for line in lines] == [bad, str(events[2].event_id)]
    assert lines[1]["backfill_error"].startswith("invalid answer")
    assert TranscriptEvent.model_validate(lines[0]).transcript == events[1].transcript

    api.respond = answer_all
    again = await backfill(tmp_path, api, store).run(source_of(events))
    assert (again.skipped_stored, again.submitted, again.stored, again.failed) == (1, 2, 2, 0)
    assert not (tmp_path / "f.jsonl").exists()


async def test_a_refused_row_is_a_failed_item(tmp_path: Path) -> None:
    api, store = FakeBatchApi(), MemoryStore()
    store.refuse = {"call-1"}
    summary = await backfill(tmp_path, api, store).run(source_of([event(0), event(1)]))
    assert (summary.stored, summary.failed) == (1, 1)
    assert "not stored" in (tmp_path / "f.jsonl").read_text()


async def test_a_failed_job_fails_all_its_items(tmp_path: Path) -> None:
    api, store = FakeBatchApi(final_state="JOB_STATE_EXPIRED"), MemoryStore()
    summary = await backfill(tmp_path, api, store).run(source_of([event(0), event(1)]))
    assert (summary.succeeded, summary.failed, summary.stored) == (0, 2, 0)
    assert "ended JOB_STATE_EXPIRED: it broke" in (tmp_path / "f.jsonl").read_text()


async def test_a_resumed_run_polls_the_recorded_job_instead_of_submitting_again(tmp_path: Path) -> None:
    events = [event(n) for n in range(4)]
    ids = [str(e.event_id) for e in events]
    api, store = FakeBatchApi(), MemoryStore()
    crashed = backfill(tmp_path, api, store, chunk_size=2)
    crashed._state = bf.State(input="test:input", reanalyze=False)
    crashed._events = {str(e.event_id): e for e in events}
    job, _ = await crashed._submit(bf.Chunk(index=0, event_ids=ids[:2]))
    state = bf.State(
        input="test:input",
        reanalyze=False,
        run_id=crashed.state.run_id,
        chunks=[bf.Chunk(index=0, event_ids=ids[:2], job=job), bf.Chunk(index=1, event_ids=ids[2:])],
    )
    state.save(tmp_path / "s.json")

    summary = await backfill(tmp_path, api, store, chunk_size=2).run(source_of(events))
    assert len(api.created) == 2
    assert (summary.submitted, summary.jobs, summary.stored) == (2, 2, 4)
    assert api.polls[0] == job

    third = await backfill(tmp_path, api, store, chunk_size=2).run(source_of(events))
    assert (third.submitted, third.jobs, third.skipped_stored) == (0, 0, 4)
    assert len(api.created) == 2


async def test_storing_a_chunk_again_after_a_crash_changes_nothing(tmp_path: Path) -> None:
    """A crash between storing and recording: the next run stores the chunk again, harmlessly, even
    for a re-analysis (its rows have moved past the version it replaces)."""
    events = [event(n) for n in range(2)]
    api, store = FakeBatchApi(), MemoryStore()
    await backfill(tmp_path / "seed", api, store).run(source_of(events))
    run = backfill(tmp_path, api, store, reanalyze=True)
    await run.run(source_of(events))
    state = bf.State.load(tmp_path / "s.json")
    assert state is not None
    for chunk in state.chunks:
        chunk.stored = False
    state.save(tmp_path / "s.json")
    outbox = len(store.outbox)
    again = await backfill(tmp_path, api, store, reanalyze=True).run(source_of(events))
    assert (again.submitted, again.succeeded, again.reanalyzed) == (0, 2, 0)
    assert len(store.outbox) == outbox
    assert {row.analysis_version for row in store.rows.values()} == {2}


async def test_a_state_of_another_input_stops_the_run(tmp_path: Path) -> None:
    bf.State(input="file:other", reanalyze=False).save(tmp_path / "s.json")
    with pytest.raises(bf.BackfillError):
        await backfill(tmp_path, FakeBatchApi(), MemoryStore()).run(source_of([event()]))


def test_options_need_one_input(tmp_path: Path) -> None:
    parser = __import__("argparse").ArgumentParser()
    bf.add_arguments(parser, bootstrap="b")
    with pytest.raises(bf.BackfillError):
        bf.options_from(parser.parse_args([]))
    with pytest.raises(bf.BackfillError, match="--from"):
        bf.options_from(parser.parse_args(["--topic", "t"]))
    options = bf.options_from(parser.parse_args([str(tmp_path / "in.jsonl"), "--chunk-size", "7"]))
    assert options.chunk_size == 7
    assert options.state_path == Path(f"{tmp_path / 'in.jsonl'}.backfill-state.json")
    assert options.failures_path == tmp_path / "in.jsonl.backfill-failures.jsonl"


async def test_a_chunk_whose_events_left_the_input_fails_without_a_job(tmp_path: Path) -> None:
    gone = event(9)
    bf.State(
        input="test:input", reanalyze=False, chunks=[bf.Chunk(index=0, event_ids=[str(gone.event_id)])]
    ).save(tmp_path / "s.json")
    api = FakeBatchApi()
    summary = await backfill(tmp_path, api, MemoryStore()).run(source_of([event(1)]))
    assert (summary.failed, summary.stored, len(api.created)) == (1, 1, 1)
    assert "not in this run's input" in (tmp_path / "f.jsonl").read_text()
