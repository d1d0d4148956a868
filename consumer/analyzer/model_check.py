"""Is the LLM configuration usable? Asks Gemini for the configured model (``models.get``).

A model Google shut down, a refused key or a wrong endpoint makes every request fail alike. The
service looks the model up at start and then every ``GEMINI_CHECK_INTERVAL_S`` (every
``RECHECK_WHILE_DOWN_S`` while the configuration is refused), and the analyzer reports a refusal
from Gemini here at once. While the configuration is refused, ``/health`` is 503 with the reason,
``/ready`` is false, events wait (nothing is dead-lettered), and an ERROR log says what to
change; the next successful look-up ends it, so a new key or a restored model needs no restart.

For a missing model the reason names the closest models the key can use (``models.list``).
A look-up that fails for a transient reason (timeout, 5xx, 429) changes nothing.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from google import genai
from google.auth import exceptions as google_auth_errors
from google.genai import errors as genai_errors

from consumer.analyzer.pricing import model_id

log = logging.getLogger(__name__)

RECHECK_WHILE_DOWN_S: Final = 15.0
CHECK_TIMEOUT_S: Final = 10.0
_SUGGESTIONS: Final = 5


class ConfigState(StrEnum):
    """What the last look-up found."""

    UNKNOWN = "unknown"  # not looked up yet, or only transient failures so far
    OK = "ok"
    MODEL_NOT_FOUND = "model_not_found"
    KEY_REFUSED = "key_refused"
    PERMISSION_DENIED = "permission_denied"
    ENDPOINT_UNREACHABLE = "endpoint_unreachable"
    SETTING_REFUSED = "setting_refused"  # e.g. a thinking level the model does not take


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one look-up: a state, what is wrong, and how to fix it."""

    state: ConfigState
    problem: str = ""
    fix: str = ""
    suggestions: tuple[str, ...] = ()
    model_info: dict[str, Any] | None = None

    @property
    def refused(self) -> bool:
        """True when the configuration must change before any analysis can succeed."""
        return self.state not in (ConfigState.OK, ConfigState.UNKNOWN)

    def describe(self) -> str:
        """One line: what is wrong and what to change."""
        if not self.refused:
            return "ok"
        return f"{self.problem}; {self.fix}" if self.fix else self.problem


async def closest_models(client: genai.Client, model: str) -> tuple[str, ...]:
    """The models the key can use for generateContent whose names are closest to ``model``."""
    names: list[str] = []
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            pager = await client.aio.models.list(config={"page_size": 1000})
            async for found in pager:
                actions = found.supported_actions
                if actions is None or "generateContent" in actions:
                    names.append(model_id(found.name))
    except Exception as exc:  # a suggestion is a nicety: the verdict stands without one
        log.debug("models.list failed: %s", exc)
        return ()
    gemini = [n for n in names if n.startswith("gemini")] or names
    close = difflib.get_close_matches(model, gemini, n=_SUGGESTIONS, cutoff=0.3)
    return tuple(close or sorted(gemini, reverse=True)[:_SUGGESTIONS])


def verdict_for_error(exc: BaseException, model: str, *, endpoint: str) -> Verdict | None:
    """The verdict a failed request implies about the configuration, or None when it says nothing
    about it (a transient failure)."""
    if isinstance(exc, genai_errors.APIError):
        message = exc.message or ""
        if exc.code == 404:
            return Verdict(
                ConfigState.MODEL_NOT_FOUND,
                problem=f"model {model!r} is not served (HTTP 404: {_short(message)})",
                fix="set GEMINI_MODEL to a model Google serves today",
            )
        if exc.code == 400 and ("API_KEY_INVALID" in str(exc.details) or "API key not valid" in message):
            return Verdict(
                ConfigState.KEY_REFUSED,
                problem="the API key was refused (HTTP 400: API key not valid)",
                fix="set GEMINI_API_KEY to a valid key from Google AI Studio",
            )
        if exc.code == 400 and "thinking" in message.lower():
            return Verdict(
                ConfigState.SETTING_REFUSED,
                problem=f"model {model!r} refused the thinking setting (HTTP 400: {_short(message)})",
                fix="set GEMINI_THINKING_LEVEL to a level the model takes (or unset it)",
            )
        if exc.code in (401, 403):
            return Verdict(
                ConfigState.PERMISSION_DENIED,
                problem=f"access denied (HTTP {exc.code}: {_short(message)})",
                fix="check GEMINI_API_KEY (or the Vertex AI credentials, project and region) and that "
                "the API is enabled for the project",
            )
        return None
    if isinstance(exc, google_auth_errors.GoogleAuthError):
        return Verdict(
            ConfigState.PERMISSION_DENIED,
            problem=f"the Google Cloud credentials were refused ({type(exc).__name__}: {_short(str(exc))})",
            fix="check GOOGLE_APPLICATION_CREDENTIALS (a service-account key file) or the Application "
            "Default Credentials (gcloud auth application-default login)",
        )
    if isinstance(exc, OSError | genai_errors.UnknownApiResponseError) and not isinstance(exc, TimeoutError):
        return Verdict(
            ConfigState.ENDPOINT_UNREACHABLE,
            problem=f"cannot reach the Gemini endpoint {endpoint} ({type(exc).__name__}: {_short(str(exc))})",
            fix="check GEMINI_BASE_URL (unset for Google's endpoint), the network and any proxy",
        )
    return None


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ModelCheck:
    """Looks the configured model up and keeps the verdict; see the module docstring."""

    def __init__(
        self,
        client_factory: Callable[[], genai.Client],
        model: str,
        *,
        endpoint: str,
        on_change: Callable[[Verdict], None] = lambda verdict: None,
        probe: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        """``probe``: one small request with the configured settings, sent while a setting is
        refused (``models.get`` cannot tell whether the model takes it)."""
        self._client = client_factory
        self._probe = probe
        self._model = model
        self._endpoint = endpoint
        self._on_change = on_change
        self.verdict = Verdict(ConfigState.UNKNOWN)
        self.checked_at: datetime | None = None
        self.checks = 0
        self._wake = asyncio.Event()

    @property
    def refused(self) -> bool:
        """True while the last verdict says the configuration cannot work."""
        return self.verdict.refused

    async def check_once(self) -> Verdict:
        """Look the model up now and record the verdict (a transient failure keeps the old one)."""
        self.checks += 1
        client = self._client()
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S):
                found = await client.aio.models.get(model=self._model)
        except Exception as exc:
            verdict = verdict_for_error(exc, self._model, endpoint=self._endpoint)
            if verdict is None:
                log.warning("LLM configuration check inconclusive: %s: %s", type(exc).__name__, exc)
                return self.verdict
            if verdict.state is ConfigState.MODEL_NOT_FOUND:
                suggestions = await closest_models(client, self._model)
                if suggestions:
                    verdict = Verdict(
                        verdict.state,
                        problem=verdict.problem,
                        fix=f"{verdict.fix}, for example {', '.join(suggestions)}",
                        suggestions=suggestions,
                    )
            self.record(verdict)
            return verdict
        info = {
            "name": model_id(found.name),
            "version": found.version,
            "display_name": found.display_name,
            "input_token_limit": found.input_token_limit,
            "thinking": found.thinking,
        }
        if self.verdict.state is ConfigState.SETTING_REFUSED and self._probe is not None:
            # the model is there, but only a request shows whether it takes the setting now
            try:
                async with asyncio.timeout(CHECK_TIMEOUT_S):
                    await self._probe()
            except Exception as exc:
                verdict = verdict_for_error(exc, self._model, endpoint=self._endpoint)
                if verdict is not None:
                    self.record(verdict)
                    return verdict
                log.warning("LLM configuration probe inconclusive: %s: %s", type(exc).__name__, exc)
                return self.verdict
        self.record(Verdict(ConfigState.OK, model_info=info))
        return self.verdict

    def record(self, verdict: Verdict) -> None:
        """Take a verdict (from a look-up, or from a request Gemini refused)."""
        self.checked_at = datetime.now(UTC)
        changed = verdict.state is not self.verdict.state or verdict.problem != self.verdict.problem
        if verdict.state is ConfigState.OK and verdict.model_info is None:
            verdict = Verdict(ConfigState.OK, model_info=self.verdict.model_info)
        self.verdict = verdict
        if not changed:
            return
        if verdict.refused:
            log.error("LLM configuration refused: %s", verdict.describe())
            self._wake.set()  # look again soon
        elif verdict.state is ConfigState.OK:
            log.info("LLM configuration accepted: model %s", self._model)
        self._on_change(verdict)

    def refused_by_request(self, exc: BaseException) -> Verdict | None:
        """Record what a refused analysis request says about the configuration, if anything."""
        verdict = verdict_for_error(exc, self._model, endpoint=self._endpoint)
        if verdict is not None and verdict.state is not ConfigState.ENDPOINT_UNREACHABLE:
            self.record(verdict)
            return verdict
        return None

    async def run(self, interval_s: float) -> None:
        """Look the model up every ``interval_s`` (every ``RECHECK_WHILE_DOWN_S`` while refused)."""
        while True:
            wait = min(interval_s, RECHECK_WHILE_DOWN_S) if self.refused else interval_s
            self._wake.clear()
            try:
                async with asyncio.timeout(wait):
                    await self._wake.wait()
                    if self.refused:  # refused by a request just now: give the fix a moment
                        await asyncio.sleep(min(wait, RECHECK_WHILE_DOWN_S))
            except TimeoutError:
                pass
            await self.check_once()

    def status(self) -> dict[str, Any]:
        """For /health and ``check``."""
        out: dict[str, Any] = {"state": self.verdict.state.value, "checks": self.checks}
        if self.checked_at is not None:
            out["checked_at"] = self.checked_at.isoformat()
        if self.verdict.refused:
            out["problem"] = self.verdict.problem
            out["fix"] = self.verdict.fix
            if self.verdict.suggestions:
                out["suggested_models"] = list(self.verdict.suggestions)
        if self.verdict.model_info:
            out["model_info"] = self.verdict.model_info
        return out
