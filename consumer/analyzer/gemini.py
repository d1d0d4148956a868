"""The Gemini analyzer: one shared google-genai client, structured JSON output, retries.

Requests follow today's Gemini API (see ``gemini_request``): a thinking level (or budget for older
models), the model's own temperature unless ``GEMINI_TEMPERATURE`` is set, a lean answer schema,
and the system instruction either in an explicit context cache (``GEMINI_CACHE=explicit``, see
``gemini_cache``) or in every request. The configured model is looked up at start and then
periodically (``model_check``); while Gemini refuses the configuration, analyses fail at once
with a retriable ``llm_misconfigured`` error, so events wait, and ``check`` reports it. Each
analysis carries the tokens it used and their estimated cost (``CallAnalysis.produced_by``).

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
import contextlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from google import genai
from google.auth import exceptions as google_auth_errors
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

from consumer.analyzer.gemini_cache import InstructionCache, is_cache_gone
from consumer.analyzer.gemini_client import Backend, make_client
from consumer.analyzer.gemini_failures import (
    MALFORMED_HTTP_ANSWER,
    TRANSPORT_ERRORS,
    InvalidOutput,
    TransientFailure,
    describe_api_error,
    describe_empty,
    describe_validation,
    truncate,
)
from consumer.analyzer.gemini_request import (
    add_usage,
    answer_schema,
    parse_answer,
    system_instruction,
    thinking_config,
    usage_of,
    user_prompt,
)
from consumer.analyzer.gemini_sdk import RequestConfig, RequestContent, RequestPart, SharedSchema
from consumer.analyzer.guard import LLMRateLimiter
from consumer.analyzer.model_check import ModelCheck, Verdict
from consumer.analyzer.pricing import PriceTable, PriceTableError
from consumer.errors import AnalyzerError, AnalyzerOutputError, AnalyzerUnavailableError
from consumer.observability.metrics import Metrics
from consumer.settings import Settings
from schemas import AnalyzerInfo, CallAnalysis, TokenUsage

logger = logging.getLogger(__name__)

HTTP_POOL_SIZE: Final = 256
RETRIABLE_STATUS_CODES: Final = frozenset({408, 429})
MISCONFIGURED_STATUS_CODES: Final = frozenset({401, 403, 404})
REPAIR_TEMPLATE: Final = (
    "Your previous answer was invalid: {error}. Answer again with valid JSON matching the schema."
)
_MAX_ECHOED_ANSWER_CHARS: Final = 2000


@dataclass
class _Call:
    """The state of one ``analyze`` call across its attempts."""

    prompt: str
    call_started_at: datetime | None = None
    repair: InvalidOutput | None = None
    attempt: int = 0
    sent_at: float = 0.0  # perf_counter when the current request went out
    usage: TokenUsage | None = None  # summed over the answered requests


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


def _public_url(url: str | None) -> str | None:
    """The URL without any user-info part."""
    if url is None:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class GeminiAnalyzer:
    """Analyzer backed by the Gemini API or Vertex AI through the google-genai SDK (async only).

    One instance serves many concurrent ``analyze`` calls through one shared client. ``start``
    looks the model up, creates the explicit cache and starts the background checks; ``aclose``
    stops them and deletes the cache.
    """

    info: AnalyzerInfo

    def __init__(
        self, settings: Settings, *, limiter: LLMRateLimiter | None = None, metrics: Metrics | None = None
    ) -> None:
        """Take the settings; raise ``AnalyzerError`` when the backend lacks a key, project or region,
        or ``GEMINI_PRICES`` is not a price table.

        The SDK client and its HTTP session are built on the first call (they need the loop).
        """
        self._settings = settings
        self._backend = Backend.from_settings(settings)
        problems = self._backend.problems(settings)
        if problems:
            raise AnalyzerError("; ".join(problems), reason="llm_not_configured")
        key = settings.gemini_api_key
        self._api_key = key.get_secret_value().strip() if key is not None else ""
        try:
            self._prices = PriceTable.from_setting(settings.gemini_prices)
        except PriceTableError as exc:
            raise AnalyzerError(str(exc), reason="llm_not_configured") from None
        self._model = settings.gemini_model
        self._base_url = settings.gemini_base_url
        self._timeout_s = settings.llm_timeout_s
        self._attempts = settings.llm_attempts
        self._backoff_initial_s = settings.llm_backoff_initial_s
        self._backoff_max_s = settings.llm_backoff_max_s
        self.info = AnalyzerInfo(provider="gemini", model=settings.gemini_model)
        self._client: genai.Client | None = None
        self._session: aiohttp.ClientSession | None = None
        # The answer schema, built once and sent as JSON Schema (responseJsonSchema): handing the SDK
        # the class, or the schema as response_schema, makes it convert the schema on every request.
        common: dict[str, Any] = {
            "response_mime_type": "application/json",
            "response_json_schema": SharedSchema(answer_schema()),
            "thinking_config": thinking_config(self._model, settings.gemini_thinking_level),
        }
        if settings.gemini_temperature is not None:
            common["temperature"] = settings.gemini_temperature
        self._common_config = common
        self._config_with_instruction = RequestConfig(system_instruction=system_instruction(), **common)
        self._cached_config: tuple[str, RequestConfig] | None = None
        self._cache_mode = settings.gemini_cache
        self._cache = (
            InstructionCache(
                self._shared_client,
                model=self._model,
                instruction=system_instruction(),
                ttl_s=settings.gemini_cache_ttl_s,
            )
            if settings.gemini_cache == "explicit"
            else None
        )
        self._model_check = ModelCheck(
            self._shared_client,
            self._model,
            endpoint=_public_url(self._base_url) or ("Vertex AI" if self._backend.vertex else "Google"),
            on_change=self._config_changed,
            probe=self._probe,
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._health = _Health()
        self._closed = False
        self._limiter = limiter
        self._metrics = metrics if metrics is not None else Metrics()
        self._retries = self._metrics.llm_retries("gemini")
        self._tokens = {
            kind: self._metrics.llm_tokens("gemini", self._model, kind)
            for kind in ("prompt", "cached", "thoughts", "candidates", "total")
        }
        self._cost = self._metrics.llm_cost("gemini", self._model)
        self._usage_total = TokenUsage(requests=0)
        self._cost_total = 0.0

    async def start(self) -> None:
        """Look the model up, create the explicit cache when the model is there, and start the
        periodic model look-up and cache refresh. A refused configuration does not stop the
        service: ``check`` reports it until it is fixed."""
        verdict = await self._model_check.check_once()
        if self._cache is not None and not verdict.refused:
            await self._cache.ensure()
        self._tasks.append(
            asyncio.create_task(
                self._model_check.run(self._settings.gemini_check_interval_s), name="gemini-model-check"
            )
        )
        if self._cache is not None:
            self._tasks.append(asyncio.create_task(self._cache.run(), name="gemini-cache-refresh"))

    async def _probe(self) -> None:
        """A one-word request with the configured settings (the instruction left out: it is the
        thinking level or the temperature that is in question, not the answer)."""
        await self._shared_client().aio.models.generate_content(
            model=self._model, contents="ping", config=RequestConfig(**self._common_config)
        )

    def _config_changed(self, verdict: Verdict) -> None:
        self._metrics.llm_config_ok.set(0 if verdict.refused else 1)
        if not verdict.refused and self._cache is not None and self._cache.name is None and self._tasks:
            # the model is back: bring the cache back too, without waiting for the next refresh
            self._tasks.append(asyncio.create_task(self._ensure_cache(), name="gemini-cache-create"))

    async def _ensure_cache(self) -> None:
        if self._cache is not None:
            await self._cache.ensure()

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        """Analyze one transcript with Gemini, retrying transient failures and invalid answers.

        Raises ``AnalyzerUnavailableError`` (retriable) when Gemini stayed overloaded or
        unreachable or refuses the configuration (``llm_misconfigured``), ``AnalyzerOutputError``
        when its answers stayed invalid and ``AnalyzerError`` for a request Gemini refused.
        """
        if self._closed:
            msg = "Gemini analyzer is closed"
            raise AnalyzerUnavailableError(msg)
        self._raise_if_refused()
        # No personal identifier (phone, PAN, Aadhaar, card, account, email, UPI) leaves the process.
        call = _Call(prompt=user_prompt(transcript, call_started_at), call_started_at=call_started_at)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_random_exponential(multiplier=self._backoff_initial_s, max=self._backoff_max_s),
            retry=retry_if_exception_type((TransientFailure, InvalidOutput)),
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            analysis: CallAnalysis = await retrying(self._attempt, call)
        except TransientFailure as exc:
            msg = self._redact(f"Gemini unavailable after {call.attempt} attempt(s): {exc}")
            raise AnalyzerUnavailableError(msg) from None
        except InvalidOutput as exc:
            msg = self._redact(f"Gemini answer invalid after {call.attempt} attempt(s): {exc}")
            raise AnalyzerOutputError(msg) from None
        usage = call.usage or TokenUsage()
        return analysis.mark_produced_by(
            AnalyzerInfo(
                provider="gemini",
                model=self._model,
                usage=usage,
                estimated_cost_usd=self._prices.cost(self._model, usage),
            )
        )

    async def check(self) -> None:
        """Raise when the analyzer cannot serve, without spending a generate call.

        Unhealthy once it is closed, while Gemini refuses the configuration (the model look-up or a
        request said so; ``llm_misconfigured``), or once ``llm_attempts`` requests in a row (across
        all calls) got no answer from Gemini. Any answered request resets the count. Raises
        ``AnalyzerUnavailableError``, or ``AnalyzerError`` when the last failure was a refusal.
        """
        if self._closed:
            msg = "Gemini analyzer is closed"
            raise AnalyzerUnavailableError(msg)
        self._raise_if_refused()
        health = self._health
        if health.consecutive_failures >= self._attempts:
            msg = self._redact(
                f"Gemini failing: {health.consecutive_failures} requests in a row failed; "
                f"last error: {health.last_error}"
            )
            if health.last_error_retriable:
                raise AnalyzerUnavailableError(msg)
            raise AnalyzerError(msg)

    def _raise_if_refused(self) -> None:
        """While Gemini refuses the configuration: a retriable ``llm_misconfigured`` error saying
        what to change (no request is spent on it)."""
        if self._model_check.refused:
            msg = self._redact(f"Gemini configuration refused: {self._model_check.verdict.describe()}")
            raise AnalyzerUnavailableError(msg, reason="llm_misconfigured")

    @property
    def configuration_ok(self) -> bool:
        """False while Gemini refuses the configuration (for /ready)."""
        return not self._closed and not self._model_check.refused

    def status(self) -> dict[str, Any]:
        """Health detail for /health: backend, model and settings, the configuration check, the
        cache, the outcome of recent requests and the usage so far."""
        health = self._health
        settings = self._settings
        cache: dict[str, Any] = (
            self._cache.status() if self._cache is not None else {"mode": self._cache_mode}
        )
        return {
            "provider": self.info.provider,
            "model": self.info.model,
            **self._backend.describe(),
            "base_url": _public_url(self._base_url),
            "thinking_level": settings.gemini_thinking_level,
            "temperature": settings.gemini_temperature,
            # Google's messages are quoted there: masked like every other error text
            "configuration": json.loads(self._redact(json.dumps(self._model_check.status()))),
            "cache": cache,
            "healthy": not self._closed
            and not self._model_check.refused
            and health.consecutive_failures < self._attempts,
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
            "usage": {
                **self._usage_total.model_dump(),
                "estimated_cost_usd": round(self._cost_total, 6),
            },
        }

    async def aclose(self) -> None:
        """Stop the background checks, delete the explicit cache and close the SDK's HTTP sessions;
        later ``analyze`` calls raise ``AnalyzerUnavailableError``."""
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._cache is not None and self._client is not None:
            await self._cache.delete()
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
            self._client = make_client(self._settings, session=self._session, timeout_s=self._timeout_s)
        return self._client

    def _config(self) -> RequestConfig:
        """The request config: naming the explicit cache when there is one, else with the instruction."""
        name = self._cache.name if self._cache is not None else None
        if name is None:
            return self._config_with_instruction
        cached = self._cached_config
        if cached is None or cached[0] != name:
            cached = (name, RequestConfig(cached_content=name, **self._common_config))
            self._cached_config = cached
        return cached[1]

    async def _attempt(self, call: _Call) -> CallAnalysis:
        if self._closed:
            msg = "Gemini analyzer is closed"
            raise AnalyzerUnavailableError(msg)
        self._raise_if_refused()
        call.attempt += 1
        contents = self._contents(call)
        config = self._config()
        if self._limiter is not None:
            await self._limiter.acquire()
        call.sent_at = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout_s):
                response = await self._shared_client().aio.models.generate_content(
                    model=self._model, contents=contents, config=config
                )
        except genai_errors.APIError as exc:
            detail = describe_api_error(exc)
            if self._cache is not None and config.cached_content and is_cache_gone(exc):
                # expired or deleted elsewhere: create it again and retry at once
                self._failed(f"http_{exc.code}", detail, retriable=True, call=call)
                await self._cache.replace(config.cached_content)
                raise TransientFailure(self._redact(f"explicit cache gone ({detail})")) from None
            if isinstance(exc, genai_errors.ServerError) or exc.code in RETRIABLE_STATUS_CODES:
                self._failed(f"http_{exc.code}", detail, retriable=True, call=call)
                raise TransientFailure(self._redact(detail)) from None
            verdict = self._model_check.refused_by_request(exc)
            if verdict is not None or exc.code in MISCONFIGURED_STATUS_CODES:
                # Every call would fail the same way: hold the events (retriable) until it is fixed.
                self._failed(f"http_{exc.code}", detail, retriable=True, call=call)
                reason = verdict.describe() if verdict is not None else detail
                msg = self._redact(f"Gemini rejected the configuration: {reason}")
                raise AnalyzerUnavailableError(msg, reason="llm_misconfigured") from None
            self._failed(f"http_{exc.code}", detail, retriable=False, call=call)
            raise AnalyzerError(self._redact(f"Gemini refused the request: {detail}")) from None
        except TRANSPORT_ERRORS as exc:
            if isinstance(exc, TimeoutError):
                detail = f"timed out after {self._timeout_s:g}s"
                outcome = "timeout"
            else:
                detail = truncate(f"{type(exc).__name__}: {exc}")
                outcome = "connection_error"
            self._failed(outcome, detail, retriable=True, call=call)
            raise TransientFailure(self._redact(detail)) from None
        except google_auth_errors.GoogleAuthError as exc:
            detail = truncate(f"{type(exc).__name__}: {exc}")
            verdict = self._model_check.refused_by_request(exc)
            self._failed("credentials_refused", detail, retriable=True, call=call)
            reason = verdict.describe() if verdict is not None else detail
            raise AnalyzerUnavailableError(
                f"Gemini rejected the configuration: {reason}", reason="llm_misconfigured"
            ) from None
        except MALFORMED_HTTP_ANSWER as exc:
            detail = truncate(f"malformed HTTP answer ({type(exc).__name__}: {exc})")
            self._failed("malformed_answer", detail, retriable=True, call=call)
            raise TransientFailure(self._redact(detail)) from None
        except Exception as exc:
            detail = truncate(f"{type(exc).__name__}: {exc}")
            self._failed("unexpected_error", detail, retriable=False, call=call)
            raise AnalyzerError(self._redact(f"Gemini call failed: {detail}")) from None

        self._answered()
        self._count_usage(call, usage_of(response.usage_metadata))
        text = response.text
        content = response.candidates[0].content if response.candidates else None
        if not text or not text.strip():
            failure = InvalidOutput(describe_empty(response), None, content)
        else:
            try:
                analysis = parse_answer(text, call.call_started_at)
            except ValidationError as exc:
                failure = InvalidOutput(describe_validation(exc), text, content)
            else:
                self._count("ok", call)
                return analysis
        self._count("invalid_output", call)
        call.repair = failure
        raise failure

    def _contents(self, call: _Call) -> list[types.Content]:
        contents: list[types.Content] = [RequestContent(role="user", parts=[RequestPart(text=call.prompt)])]
        repair = call.repair
        if repair is not None:
            if repair.content is not None and repair.content.parts:
                # the model's turn exactly as returned: its thought signature must travel back
                contents.append(repair.content)
            elif repair.answer:
                echoed = repair.answer[:_MAX_ECHOED_ANSWER_CHARS]
                contents.append(RequestContent(role="model", parts=[RequestPart(text=echoed)]))
            instruction = REPAIR_TEMPLATE.format(error=str(repair))
            contents.append(RequestContent(role="user", parts=[RequestPart(text=instruction)]))
        return contents

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "[REDACTED]") if self._api_key else text

    def _count(self, outcome: str, call: _Call) -> None:
        self._health.counts[outcome] = self._health.counts.get(outcome, 0) + 1
        self._metrics.llm_request_seconds("gemini", outcome).observe(time.perf_counter() - call.sent_at)

    def _count_usage(self, call: _Call, usage: TokenUsage) -> None:
        call.usage = add_usage(call.usage, usage)
        self._usage_total = add_usage(self._usage_total, usage)
        for kind, count in (
            ("prompt", usage.prompt_tokens),
            ("cached", usage.cached_tokens),
            ("thoughts", usage.thought_tokens),
            ("candidates", usage.output_tokens),
            ("total", usage.prompt_tokens + usage.thought_tokens + usage.output_tokens),
        ):
            if count:
                self._tokens[kind].inc(count)
        cost = self._prices.cost(self._model, usage)
        if cost:
            self._cost.inc(cost)
            self._cost_total += cost

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
