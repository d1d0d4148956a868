"""The Gemini analyzer: one shared google-genai client, structured JSON output, retries.

Each ``analyze`` call makes up to ``settings.llm_attempts`` requests. A request is retried
(exponential backoff with full jitter) when Gemini is overloaded or unreachable (HTTP 408/429/5xx,
timeouts, connection errors, a malformed HTTP answer) or when its answer fails validation against
``CallAnalysis``; the retry after an invalid answer is a repair request that shows the model its
previous answer and the validation error. 401, 403 and 404 (a bad key, model or endpoint) fail at
once with a retriable ``llm_misconfigured`` error: every call would fail alike, so events wait for
the fix instead of being dead-lettered. Any other API error (400, ...) fails at once for good.
Each request runs under ``asyncio.timeout(llm_timeout_s)`` and the SDK's own HTTP timeout of the
same length. When the attempts run out the last failure decides the error:
``AnalyzerUnavailableError`` (retriable) for transient failures, ``AnalyzerOutputError`` for
invalid output.

The SDK's own retries are switched off (``HttpRetryOptions(attempts=1)``, which also disables its
hidden sleep-and-retry on aiohttp connection errors) so that tenacity here is the only retry loop.

The analyzer owns the aiohttp session the SDK sends through (``HttpOptions.aiohttp_client``), with
an explicit pool of ``HTTP_POOL_SIZE`` connections, so concurrent calls are never serialised
behind a small pool. It is created on the first call, inside the running event loop, and the
analyzer is bound to that loop. Owning the session also avoids the SDK's own ``ClientSession``
subclass, which aiohttp flags with a ``DeprecationWarning`` (an error under ``-W error``).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import math
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from consumer.analyzer.enrich import from_llm
from consumer.analyzer.guard import RateLimiter
from consumer.analyzer.prompt import SYSTEM_INSTRUCTION, build_prompt
from consumer.errors import AnalyzerError, AnalyzerOutputError, AnalyzerUnavailableError
from consumer.metrics import Metrics
from consumer.redact import redact_text
from consumer.settings import Settings
from schemas import AnalyzerInfo, CallAnalysis, LLMAnswer

logger = logging.getLogger(__name__)

HTTP_POOL_SIZE: Final = 256
RETRIABLE_STATUS_CODES: Final = frozenset({408, 429})
MISCONFIGURED_STATUS_CODES: Final = frozenset({401, 403, 404})
REPAIR_TEMPLATE: Final = (
    "Your previous answer was invalid: {error}. Answer again with valid JSON matching the schema."
)
_MAX_ECHOED_ANSWER_CHARS: Final = 2000
_MAX_DETAIL_CHARS: Final = 300


def _exception_types(module_name: str, names: tuple[str, ...]) -> tuple[type[BaseException], ...]:
    """The named exception classes of an optional module (none when it is not installed)."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return ()
    found: list[type[BaseException]] = []
    for name in names:
        cls = getattr(module, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            found.append(cls)
    return tuple(found)


_HTTPX_TRANSIENT_NAMES: Final = ("TimeoutException", "NetworkError", "RemoteProtocolError")

TRANSPORT_ERRORS: Final[tuple[type[BaseException], ...]] = (
    TimeoutError,
    ConnectionError,
    aiohttp.ClientConnectionError,
    aiohttp.ClientPayloadError,
    *_exception_types("httpx2", _HTTPX_TRANSIENT_NAMES),
    *_exception_types("httpx", _HTTPX_TRANSIENT_NAMES),
)
"""Network failures retried as transient: asyncio/aiohttp timeouts are ``TimeoutError``,
refused or dropped connections are ``aiohttp.ClientConnectionError`` (or httpx/httpx2
``NetworkError`` and ``TimeoutException`` when the SDK uses httpx)."""

_MALFORMED_HTTP_ANSWER: Final[tuple[type[BaseException], ...]] = (
    genai_errors.UnknownApiResponseError,
    json.JSONDecodeError,
)


class _SharedSchema(dict[str, Any]):
    """A JSON Schema that is never changed after it is built, so copies may share it.

    The SDK deep-copies the request config on every call; for the answer schema (hundreds of
    nested objects) that copy was the largest part of the client's CPU per request.
    """

    def __copy__(self) -> _SharedSchema:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _SharedSchema:
        return self


class _AnswersMembershipAtOnce:
    """For the SDK's request models: ``name in model`` answered at once.

    The SDK reads a model's fields with ``key in model`` before ``getattr``. On a pydantic model
    ``in`` walks every field as a (name, value) pair, and a name never equals a pair, so the answer
    is always False after a walk over dozens of fields, repeated for every field it reads. The
    same False at once saves most of the SDK's request-building time; the request is unchanged.
    """

    def __contains__(self, key: object) -> bool:
        return False


class _Config(_AnswersMembershipAtOnce, types.GenerateContentConfig):
    """The request config."""


class _Content(_AnswersMembershipAtOnce, types.Content):
    """A request content (the prompt, or a turn of a repair)."""


class _Part(_AnswersMembershipAtOnce, types.Part):
    """A request part."""


class _TransientFailure(Exception):
    """One request failed in a way that may pass on a later attempt."""


class _InvalidOutput(Exception):
    """Gemini answered, but the answer is not a valid CallAnalysis."""

    def __init__(self, message: str, answer: str | None) -> None:
        super().__init__(message)
        self.answer = answer


@dataclass
class _Call:
    """The state of one ``analyze`` call across its attempts."""

    prompt: str
    call_started_at: datetime | None = None
    repair: _InvalidOutput | None = None
    attempt: int = 0
    sent_at: float = 0.0  # perf_counter when the current request went out


@dataclass
class _Health:
    """What the last requests to Gemini did, for ``check`` and ``status``."""

    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_error_retriable: bool = True
    consecutive_failures: int = 0
    requests: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def _proxy_configured() -> bool:
    """Whether the environment names an HTTP(S) proxy for outgoing requests."""
    return any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"))


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _truncate(text: str, limit: int = _MAX_DETAIL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _public_url(url: str | None) -> str | None:
    """The URL without any user-info part."""
    if url is None:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _describe_validation(exc: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(p) for p in error['loc']) or 'answer'}: {error['msg']}"
        for error in exc.errors(include_url=False)[:5]
    ]
    return _truncate("; ".join(problems), 600)


def _describe_empty(response: types.GenerateContentResponse) -> str:
    details: list[str] = []
    if response.prompt_feedback is not None and response.prompt_feedback.block_reason is not None:
        details.append(f"block_reason={response.prompt_feedback.block_reason}")
    if response.candidates:
        finish = response.candidates[0].finish_reason
        if finish is not None:
            details.append(f"finish_reason={finish}")
    else:
        details.append("no candidates")
    return "empty answer (" + ", ".join(details) + ")"


def _describe_api_error(exc: genai_errors.APIError) -> str:
    status = f" {exc.status}" if exc.status else ""
    message = f": {exc.message}" if exc.message else ""
    return _truncate(f"HTTP {exc.code}{status}{message}")


class GeminiAnalyzer:
    """Analyzer backed by the Gemini API through the google-genai SDK (async client only).

    One instance serves many concurrent ``analyze`` calls through one shared client.
    """

    info: AnalyzerInfo

    def __init__(
        self, settings: Settings, *, limiter: RateLimiter | None = None, metrics: Metrics | None = None
    ) -> None:
        """Take the settings; raise ``AnalyzerError`` without an API key.

        The SDK client and its HTTP session are built on the first call (they need the loop).
        """
        if settings.gemini_api_key is None or not settings.gemini_api_key.get_secret_value().strip():
            msg = "GEMINI_API_KEY is not set"
            raise AnalyzerError(msg, reason="llm_not_configured")
        self._api_key = settings.gemini_api_key.get_secret_value().strip()
        self._model = settings.gemini_model
        self._base_url = settings.gemini_base_url
        self._timeout_s = settings.llm_timeout_s
        self._attempts = settings.llm_attempts
        self._backoff_initial_s = settings.llm_backoff_initial_s
        self._backoff_max_s = settings.llm_backoff_max_s
        self.info = AnalyzerInfo(provider="gemini", model=settings.gemini_model)
        self._client: genai.Client | None = None
        self._session: aiohttp.ClientSession | None = None
        self._config = _Config(
            system_instruction=SYSTEM_INSTRUCTION,
            response_mime_type="application/json",
            # The model's JSON Schema, built once and sent as JSON Schema (responseJsonSchema): handing
            # the SDK the class, or the schema as response_schema, makes it convert the schema on
            # every request, most of its CPU per request.
            response_json_schema=_SharedSchema(LLMAnswer.model_json_schema()),
            temperature=0,
        )
        self._health = _Health()
        self._closed = False
        self._limiter = limiter
        self._metrics = metrics if metrics is not None else Metrics()
        self._retries = self._metrics.llm_retries("gemini")

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        """Analyze one transcript with Gemini, retrying transient failures and invalid answers.

        Raises ``AnalyzerUnavailableError`` (retriable) when Gemini stayed overloaded or
        unreachable, ``AnalyzerOutputError`` when its answers stayed invalid and ``AnalyzerError``
        for a request Gemini refused (bad request, auth, unknown model).
        """
        if self._closed:
            msg = "Gemini analyzer is closed"
            raise AnalyzerUnavailableError(msg)
        # No personal identifier (phone, PAN, Aadhaar, card, account, email, UPI) leaves the process.
        prompt = build_prompt(redact_text(transcript), call_started_at)
        call = _Call(prompt=prompt, call_started_at=call_started_at)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_random_exponential(multiplier=self._backoff_initial_s, max=self._backoff_max_s),
            retry=retry_if_exception_type((_TransientFailure, _InvalidOutput)),
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return await retrying(self._attempt, call)
        except _TransientFailure as exc:
            msg = self._redact(f"Gemini unavailable after {call.attempt} attempt(s): {exc}")
            raise AnalyzerUnavailableError(msg) from None
        except _InvalidOutput as exc:
            msg = self._redact(f"Gemini answer invalid after {call.attempt} attempt(s): {exc}")
            raise AnalyzerOutputError(msg) from None

    async def check(self) -> None:
        """Raise when the analyzer cannot serve, without spending a generate call.

        The analyzer is unhealthy once it is closed, or once ``llm_attempts`` requests in a row
        (across all calls) got no answer from Gemini, which is at least one ``analyze`` call that
        exhausted its retries with no success since. Any answered request resets the count.
        Raises ``AnalyzerUnavailableError``, or ``AnalyzerError`` when the last failure was a
        refusal such as a rejected API key.
        """
        if self._closed:
            msg = "Gemini analyzer is closed"
            raise AnalyzerUnavailableError(msg)
        health = self._health
        if health.consecutive_failures >= self._attempts:
            msg = self._redact(
                f"Gemini failing: {health.consecutive_failures} requests in a row failed; "
                f"last error: {health.last_error}"
            )
            if health.last_error_retriable:
                raise AnalyzerUnavailableError(msg)
            raise AnalyzerError(msg)

    def status(self) -> dict[str, Any]:
        """Health detail for /health: configuration and the outcome of recent requests."""
        health = self._health
        return {
            "provider": self.info.provider,
            "model": self.info.model,
            "base_url": _public_url(self._base_url),
            "healthy": not self._closed and health.consecutive_failures < self._attempts,
            "closed": self._closed,
            "client_ready": self._client is not None,
            "attempts": self._attempts,
            "timeout_s": self._timeout_s,
            "requests": health.requests,
            "outcomes": dict(health.counts),
            "consecutive_failures": health.consecutive_failures,
            "last_success_at": _iso(health.last_success_at),
            "last_error": health.last_error,
            "last_error_at": _iso(health.last_error_at),
        }

    async def aclose(self) -> None:
        """Close the SDK's HTTP sessions; later ``analyze`` calls raise ``AnalyzerUnavailableError``."""
        if self._closed:
            return
        self._closed = True
        client, session = self._client, self._session
        self._client = self._session = None
        if client is not None:
            aclose = getattr(client.aio, "aclose", None)
            if aclose is not None:
                await aclose()
            client.close()
        if session is not None:
            await session.close()

    def _shared_client(self) -> genai.Client:
        """The one SDK client, built on first use inside the running loop."""
        if self._client is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=HTTP_POOL_SIZE, limit_per_host=HTTP_POOL_SIZE),
                # aiohttp re-reads proxy variables and ~/.netrc in a thread on every request when
                # trust_env is on; pay for that only when a proxy is actually configured.
                trust_env=_proxy_configured(),
            )
            self._client = genai.Client(
                vertexai=False,
                api_key=self._api_key,
                http_options=types.HttpOptions(
                    base_url=self._base_url,
                    timeout=math.ceil(self._timeout_s * 1000),
                    retry_options=types.HttpRetryOptions(attempts=1),
                    aiohttp_client=self._session,
                ),
            )
        return self._client

    async def _attempt(self, call: _Call) -> CallAnalysis:
        if self._closed:
            msg = "Gemini analyzer is closed"
            raise AnalyzerUnavailableError(msg)
        call.attempt += 1
        contents = self._contents(call)
        if self._limiter is not None:
            await self._limiter.acquire()
        call.sent_at = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout_s):
                response = await self._shared_client().aio.models.generate_content(
                    model=self._model, contents=contents, config=self._config
                )
        except genai_errors.APIError as exc:
            detail = _describe_api_error(exc)
            if isinstance(exc, genai_errors.ServerError) or exc.code in RETRIABLE_STATUS_CODES:
                self._failed(f"http_{exc.code}", detail, retriable=True, call=call)
                raise _TransientFailure(self._redact(detail)) from None
            if exc.code in MISCONFIGURED_STATUS_CODES:
                # Every call would fail the same way: hold the events (retriable) until it is fixed.
                self._failed(f"http_{exc.code}", detail, retriable=True, call=call)
                msg = self._redact(f"Gemini rejected the configuration (key, model or endpoint): {detail}")
                raise AnalyzerUnavailableError(msg, reason="llm_misconfigured") from None
            self._failed(f"http_{exc.code}", detail, retriable=False, call=call)
            raise AnalyzerError(self._redact(f"Gemini refused the request: {detail}")) from None
        except TRANSPORT_ERRORS as exc:
            if isinstance(exc, TimeoutError):
                detail = f"timed out after {self._timeout_s:g}s"
                outcome = "timeout"
            else:
                detail = _truncate(f"{type(exc).__name__}: {exc}")
                outcome = "connection_error"
            self._failed(outcome, detail, retriable=True, call=call)
            raise _TransientFailure(self._redact(detail)) from None
        except _MALFORMED_HTTP_ANSWER as exc:
            detail = _truncate(f"malformed HTTP answer ({type(exc).__name__}: {exc})")
            self._failed("malformed_answer", detail, retriable=True, call=call)
            raise _TransientFailure(self._redact(detail)) from None
        except Exception as exc:
            detail = _truncate(f"{type(exc).__name__}: {exc}")
            self._failed("unexpected_error", detail, retriable=False, call=call)
            raise AnalyzerError(self._redact(f"Gemini call failed: {detail}")) from None

        self._answered()
        self._count_tokens(response.usage_metadata)
        text = response.text
        if not text or not text.strip():
            failure = _InvalidOutput(_describe_empty(response), None)
        else:
            try:
                answer = LLMAnswer.model_validate_json(text)
            except ValidationError as exc:
                failure = _InvalidOutput(_describe_validation(exc), text)
            else:
                self._count("ok", call)
                return from_llm(answer, call.call_started_at, now=datetime.now(UTC))
        self._count("invalid_output", call)
        call.repair = failure
        raise failure

    def _contents(self, call: _Call) -> list[types.Content]:
        contents: list[types.Content] = [_Content(role="user", parts=[_Part(text=call.prompt)])]
        repair = call.repair
        if repair is not None:
            if repair.answer:
                echoed = repair.answer[:_MAX_ECHOED_ANSWER_CHARS]
                contents.append(_Content(role="model", parts=[_Part(text=echoed)]))
            instruction = REPAIR_TEMPLATE.format(error=str(repair))
            contents.append(_Content(role="user", parts=[_Part(text=instruction)]))
        return contents

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "[REDACTED]") if self._api_key else text

    def _count(self, outcome: str, call: _Call) -> None:
        self._health.counts[outcome] = self._health.counts.get(outcome, 0) + 1
        self._metrics.llm_request_seconds("gemini", outcome).observe(time.perf_counter() - call.sent_at)

    def _count_tokens(self, usage: types.GenerateContentResponseUsageMetadata | None) -> None:
        if usage is None:
            return
        for kind, count in (
            ("prompt", usage.prompt_token_count),
            ("candidates", usage.candidates_token_count),
            ("thoughts", usage.thoughts_token_count),
            ("cached", usage.cached_content_token_count),
            ("total", usage.total_token_count),
        ):
            if count:
                self._metrics.llm_tokens("gemini", kind).inc(count)

    def _answered(self) -> None:
        health = self._health
        health.requests += 1
        health.consecutive_failures = 0
        health.last_success_at = _now()

    def _failed(self, outcome: str, detail: str, *, retriable: bool, call: _Call) -> None:
        health = self._health
        health.requests += 1
        health.consecutive_failures += 1
        health.last_error = self._redact(detail)
        health.last_error_at = _now()
        health.last_error_retriable = retriable
        self._count(outcome, call)

    def _log_retry(self, state: RetryCallState) -> None:
        self._retries.inc()
        exc = state.outcome.exception() if state.outcome is not None else None
        delay = state.next_action.sleep if state.next_action is not None else 0.0
        logger.warning(
            "Gemini attempt %d/%d failed (%s: %s); retrying in %.2fs",
            state.attempt_number,
            self._attempts,
            type(exc).__name__ if exc is not None else "?",
            self._redact(str(exc)) if exc is not None else "",
            delay,
        )
