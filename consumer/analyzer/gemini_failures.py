"""How a request to Gemini failed: network failures retried as transient, malformed HTTP answers,
answers that are not a valid analysis, and the short descriptions of each kept for ``status``."""

from __future__ import annotations

import importlib
import json
from typing import Final

import aiohttp
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import ValidationError

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

MALFORMED_HTTP_ANSWER: Final[tuple[type[BaseException], ...]] = (
    genai_errors.UnknownApiResponseError,
    json.JSONDecodeError,
)


class TransientFailure(Exception):
    """One request failed in a way that may pass on a later attempt."""


class InvalidOutput(Exception):
    """Gemini answered, but the answer is not a valid CallAnalysis."""

    def __init__(self, message: str, answer: str | None, content: types.Content | None = None) -> None:
        super().__init__(message)
        self.answer = answer
        # The model's turn as returned, thought signatures included: the repair request carries it
        # back unchanged, as Google asks for Gemini 3 models.
        self.content = content


def truncate(text: str, limit: int = _MAX_DETAIL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_validation(exc: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(p) for p in error['loc']) or 'answer'}: {error['msg']}"
        for error in exc.errors(include_url=False)[:5]
    ]
    return truncate("; ".join(problems), 600)


def describe_empty(response: types.GenerateContentResponse) -> str:
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


def describe_api_error(exc: genai_errors.APIError) -> str:
    status = f" {exc.status}" if exc.status else ""
    message = f": {exc.message}" if exc.message else ""
    return truncate(f"HTTP {exc.code}{status}{message}")
