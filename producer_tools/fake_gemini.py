"""A fake Gemini REST API (``generateContent`` only) on aiohttp.web.

In-process::

    async with FakeGemini(latency=0.1) as fake:
        settings = Settings(gemini_api_key="k", gemini_base_url=fake.url)
        fake.script([Status(503), Text("not json"), Valid()])
        ...
        assert fake.count == 3

As a subprocess (benchmarks, integration tests; point ``GEMINI_BASE_URL`` at it)::

    python -m producer_tools.fake_gemini --port 8089 --latency 1.0 [--fail-for 10] [--always-fail]

It serves ``POST /{v1,v1beta}/models/{model}:generateContent`` (the SDK posts to
``{base_url}/v1/models/{model}:generateContent`` by default, ``v1beta`` with
``GOOGLE_GENAI_API_VERSION=beta``). Each request first waits ``latency`` seconds (``asyncio.sleep``,
so concurrent requests are served concurrently), then answers with the next scripted reply, or
with the current failure mode, or by default with a valid ``CallAnalysis`` derived
deterministically from keywords of the transcript.

Control endpoints for a subprocess: ``GET /_fake/stats``, ``POST /_fake/reset`` and
``POST /_fake/mode`` with JSON ``{"latency": s, "fail_status": code, "always_fail": bool,
"fail_for_s": s, "recover": true}``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NamedTuple, Self, TypeAlias

from aiohttp import web

STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

_TRANSCRIPT = re.compile(r"<transcript>(.*)</transcript>", re.DOTALL | re.IGNORECASE)


class _Rule(NamedTuple):
    keywords: tuple[str, ...]
    category: str
    intent: str
    sentiment: str
    action_required: bool


# First match wins.
_RULES: tuple[_Rule, ...] = (
    _Rule(
        ("wrong number", "galat number", "not the customer"), "wrong_party", "Wrong Party", "Neutral", True
    ),
    _Rule(("already paid", "pay kar diya", "bhar diya"), "already_paid", "Already Paid", "Positive", True),
    _Rule(("dispute", "loan nahi liya", "not my loan"), "dispute", "Dispute", "Negative", True),
    _Rule(("settlement", "discount", "waive"), "settlement_request", "Settlement Request", "Neutral", True),
    _Rule(("complaint", "harass", "pareshan"), "complaint", "Complaint", "Negative", True),
    _Rule(("nahi dunga", "won't pay", "will not pay"), "refuse_to_pay", "Refuse to Pay", "Negative", True),
    _Rule(("naukri chali", "job chali", "hospital", "job loss"), "hardship", "Hardship", "Negative", True),
    _Rule(
        ("karunga", "kar dunga", "kar dungi", "bhej dunga", "will pay"),
        "promise_to_pay",
        "Promise to Pay",
        "Positive",
        True,
    ),
    _Rule(
        ("call back", "callback", "baad mein call"), "callback_request", "Callback Request", "Neutral", True
    ),
    _Rule(
        ("kitna", "how much", "outstanding", "statement"),
        "information_request",
        "Information Request",
        "Neutral",
        True,
    ),
)
_OTHER = _Rule((), "other", "Other", "Neutral", False)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Status:
    """Answer with an HTTP error status and a Google-style error body."""

    code: int
    message: str | None = None


@dataclass(frozen=True)
class Text:
    """Answer 200 with ``text`` as the model's output (valid or not)."""

    text: str
    finish_reason: str = "STOP"


@dataclass(frozen=True)
class Valid:
    """Answer 200 with a valid CallAnalysis: ``analysis`` if given, else the derived default."""

    analysis: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Blocked:
    """Answer 200 with no candidates, as when the prompt is blocked."""

    block_reason: str = "SAFETY"


@dataclass(frozen=True)
class Raw:
    """Answer with an arbitrary HTTP status and body."""

    status: int
    body: str
    content_type: str = "text/plain"


@dataclass(frozen=True)
class Delay:
    """Wait ``seconds`` more than the configured latency, then answer with ``then``."""

    seconds: float
    then: Reply = field(default_factory=lambda: Valid())


Reply: TypeAlias = Status | Text | Valid | Blocked | Raw | Delay


@dataclass
class RecordedRequest:
    """One request the fake received."""

    path: str
    api_version: str
    model: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float

    @property
    def texts(self) -> list[str]:
        """The text of every part of every content, in order."""
        return [
            part["text"]
            for content in self.body.get("contents", [])
            for part in content.get("parts", [])
            if isinstance(part.get("text"), str)
        ]

    @property
    def prompt(self) -> str:
        """The text of the first user content (the analysis prompt)."""
        texts = self.texts
        return texts[0] if texts else ""

    @property
    def system_instruction(self) -> str:
        """The text of the system instruction, empty when none was sent."""
        parts = (self.body.get("systemInstruction") or {}).get("parts", [])
        return "".join(p.get("text", "") for p in parts)

    @property
    def generation_config(self) -> dict[str, Any]:
        """The ``generationConfig`` object of the request."""
        config: dict[str, Any] = self.body.get("generationConfig") or {}
        return config


def transcript_of(prompt: str) -> str:
    """The text between the ``<transcript>`` delimiters, or the whole prompt without them."""
    match = _TRANSCRIPT.search(prompt)
    return match.group(1).strip() if match else prompt


def derive_analysis(prompt: str) -> dict[str, Any]:
    """A valid CallAnalysis for a prompt, from simple keyword rules (deterministic)."""
    text = transcript_of(prompt).lower()
    rule = next((r for r in _RULES if any(k in text for k in r.keywords)), _OTHER)
    intent = rule.intent
    if rule.category == "promise_to_pay":
        day = next((d for d in _DAYS if d in text), None)
        if day is not None:
            intent = f"{intent} - {day.capitalize()}"
    return {
        "customer_intent": intent,
        "intent_category": rule.category,
        "sentiment": rule.sentiment,
        "action_required": rule.action_required,
        "summary": f"Fake analysis: the customer's intent is {rule.intent.lower()}.",
    }


def _candidate_body(text: str, finish_reason: str, model_version: str, prompt: str) -> dict[str, Any]:
    prompt_tokens = max(1, len(prompt) // 4)
    answer_tokens = max(1, len(text) // 4)
    return {
        "candidates": [
            {
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": finish_reason,
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": answer_tokens,
            "totalTokenCount": prompt_tokens + answer_tokens,
        },
        "modelVersion": model_version,
    }


def _error_body(code: int, message: str | None) -> dict[str, Any]:
    status = STATUS_NAMES.get(code, "UNKNOWN")
    return {"error": {"code": code, "message": message or f"fake {status.lower()}", "status": status}}


class FakeGemini:
    """A fake Gemini ``generateContent`` server; see the module docstring."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        model_version: str = "fake-gemini-001",
    ) -> None:
        """Configure the fake; ``port=0`` picks a free ephemeral port on ``start``."""
        self.host = host
        self.port = port
        self.latency = latency
        self.model_version = model_version
        self.requests: list[RecordedRequest] = []
        self.outcomes: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.fail_status = 503
        self._always_fail = False
        self._fail_until = 0.0
        self._queue: deque[Reply] = deque()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Base URL to give the SDK (``GEMINI_BASE_URL``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def count(self) -> int:
        """How many generateContent requests arrived."""
        return len(self.requests)

    @property
    def last(self) -> RecordedRequest:
        """The most recent generateContent request."""
        return self.requests[-1]

    def script(self, replies: Iterable[Reply]) -> None:
        """Queue replies for the next requests, in order; then the default behaviour resumes."""
        self._queue.extend(replies)

    def fail_always(self, status: int = 503) -> None:
        """Answer every request with ``status`` until ``recover``."""
        self.fail_status = status
        self._always_fail = True

    def fail_for(self, seconds: float, status: int = 503) -> None:
        """Answer every request with ``status`` for the next ``seconds`` seconds."""
        self.fail_status = status
        self._fail_until = time.monotonic() + seconds

    def recover(self) -> None:
        """End any failure mode."""
        self._always_fail = False
        self._fail_until = 0.0

    def reset(self) -> None:
        """Forget recorded requests, scripted replies and failure modes."""
        self.requests.clear()
        self.outcomes.clear()
        self._queue.clear()
        self.max_in_flight = 0
        self.recover()

    def stats(self) -> dict[str, Any]:
        """Counters, as served by ``GET /_fake/stats``."""
        return {
            "requests": self.count,
            "outcomes": dict(self.outcomes),
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "latency": self.latency,
            "failing": self._failing(),
            "scripted": len(self._queue),
        }

    async def start(self) -> None:
        """Listen on ``host:port`` (the chosen ephemeral port is stored in ``port``)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/{version}/models/{target}", self._generate)
        app.router.add_get("/_fake/stats", self._get_stats)
        app.router.add_post("/_fake/reset", self._post_reset)
        app.router.add_post("/_fake/mode", self._post_mode)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, backlog=1024)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening and drop open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _failing(self) -> bool:
        return self._always_fail or time.monotonic() < self._fail_until

    def _next_reply(self) -> Reply:
        if self._queue:
            return self._queue.popleft()
        if self._failing():
            return Status(self.fail_status)
        return Valid()

    async def _generate(self, request: web.Request) -> web.StreamResponse:
        version = request.match_info["version"]
        model, _, method = request.match_info["target"].partition(":")
        if version not in ("v1", "v1beta") or method != "generateContent":
            return web.json_response(_error_body(404, f"unknown method {request.path}"), status=404)
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            return web.json_response(_error_body(400, "body is not JSON"), status=400)
        if not isinstance(body, dict):
            return web.json_response(_error_body(400, "body is not a JSON object"), status=400)
        recorded = RecordedRequest(
            path=request.path,
            api_version=version,
            model=model,
            headers=dict(request.headers),
            body=body,
            received_at=time.monotonic(),
        )
        self.requests.append(recorded)
        if not request.headers.get("x-goog-api-key"):
            return self._answer(_error_response(403, "API key missing"), "http_403")
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            reply = self._next_reply()
            delay = self.latency
            while isinstance(reply, Delay):
                delay += reply.seconds
                reply = reply.then
            if delay > 0:
                await asyncio.sleep(delay)
            return self._render(reply, recorded)
        finally:
            self.in_flight -= 1

    def _render(self, reply: Reply, recorded: RecordedRequest) -> web.StreamResponse:
        if isinstance(reply, Status):
            return self._answer(_error_response(reply.code, reply.message), f"http_{reply.code}")
        if isinstance(reply, Raw):
            response = web.Response(status=reply.status, text=reply.body, content_type=reply.content_type)
            return self._answer(response, f"raw_{reply.status}")
        if isinstance(reply, Blocked):
            body: dict[str, Any] = {
                "promptFeedback": {"blockReason": reply.block_reason},
                "usageMetadata": {"promptTokenCount": 1, "totalTokenCount": 1},
                "modelVersion": self.model_version,
            }
            return self._answer(web.json_response(body), "blocked")
        if isinstance(reply, Text):
            text, finish, outcome = reply.text, reply.finish_reason, "text"
        else:
            analysis = dict(reply.analysis) if isinstance(reply, Valid) and reply.analysis else None
            text = json.dumps(analysis or derive_analysis(recorded.prompt), ensure_ascii=False)
            finish, outcome = "STOP", "valid"
        body = _candidate_body(text, finish, self.model_version, recorded.prompt)
        return self._answer(web.json_response(body), outcome)

    def _answer(self, response: web.StreamResponse, outcome: str) -> web.StreamResponse:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        return response

    async def _get_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def _post_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response(self.stats())

    async def _post_mode(self, request: web.Request) -> web.Response:
        try:
            mode = await request.json()
        except ValueError:
            return web.json_response(_error_body(400, "body is not JSON"), status=400)
        if not isinstance(mode, dict):
            return web.json_response(_error_body(400, "body is not a JSON object"), status=400)
        if mode.get("recover"):
            self.recover()
        if "latency" in mode:
            self.latency = float(mode["latency"])
        status = int(mode.get("fail_status", self.fail_status))
        if mode.get("always_fail"):
            self.fail_always(status)
        if "fail_for_s" in mode:
            self.fail_for(float(mode["fail_for_s"]), status)
        return web.json_response(self.stats())


def _error_response(code: int, message: str | None) -> web.Response:
    return web.json_response(_error_body(code, message), status=code)


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeGemini(host=args.host, port=args.port, latency=args.latency)
    if args.always_fail:
        fake.fail_always(args.fail_status)
    if args.fail_for:
        fake.fail_for(args.fail_for, args.fail_status)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with fake:
        print(f"fake-gemini listening on {fake.url}", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Run the fake as a process until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m producer_tools.fake_gemini", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089, help="0 picks a free port (printed on start)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--fail-status", type=int, default=503, help="status of the failure modes")
    parser.add_argument("--always-fail", action="store_true", help="answer every request with --fail-status")
    parser.add_argument("--fail-for", type=float, default=0.0, help="fail for this many seconds after start")
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
