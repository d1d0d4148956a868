"""A fake Gemini REST API on aiohttp.web, shaped like today's API as google-genai 3.4 uses it.

In-process::

    async with FakeGemini(latency=0.1, api_keys={"k"}) as fake:
        settings = Settings(gemini_api_key="k", gemini_base_url=fake.url)
        fake.script([Status(503), Text("not json"), Valid()])
        ...
        assert fake.count == 3

As a subprocess (benchmarks, integration tests; point ``GEMINI_BASE_URL`` at it)::

    python -m producer_tools.fake_gemini --port 8089 --latency 1.0 [--fail-for 10] [--always-fail]
        [--api-key K ...] [--batch-seconds 0.5]

Gemini API (``{v}`` is ``v1`` or ``v1beta``; the SDK uses ``v1`` by default, ``v1beta`` with
``GOOGLE_GENAI_API_VERSION=beta``; every endpoint wants ``x-goog-api-key`` or ``?key=``)::

    POST   /{v}/models/{model}:generateContent       the only endpoint served with latency/scripts
    GET    /{v}/models/{model}, /{v}/models           models.get, models.list (pageSize/pageToken)
    POST   /{v}/models/{model}:batchGenerateContent   Batch API (inline requests or a JSONL file)
    GET    /{v}/batches[/{id}], POST /{v}/batches/{id}:cancel, DELETE /{v}/batches/{id}
    POST   /{v}/cachedContents, GET|PATCH|DELETE /{v}/cachedContents/{id}, GET /{v}/cachedContents
    POST   /upload/{v}/files (resumable: start, then upload/finalize on the X-Goog-Upload-URL)
    GET    /{v}/files/{id}, GET /download/{v}/files/{id}:download?alt=media (also /{v}/files/...)

Vertex AI shape, as ``genai.Client(vertexai=True, project=P, location=L, credentials=...,
http_options=HttpOptions(base_url=fake.url))`` sends it (``{vv}`` is ``v1beta1`` or ``v1``; these
want ``Authorization: Bearer <token>``, e.g. one from the fake OAuth2 endpoint ``POST /token``)::

    POST   /{vv}/projects/{P}/locations/{L}/publishers/google/models/{model}:generateContent
    GET    /{vv}/publishers/google/models/{model}, /{vv}/publishers/google/models (also under
           /{vv}/projects/{P}/locations/{L}/...)
    POST|GET|PATCH|DELETE /{vv}/projects/{P}/locations/{L}/cachedContents[/{id}]

Behaviour, as documented by Google:

* Model catalogue (``ModelSpec``; ``DEFAULT_MODELS``): unknown and retired models answer 404
  NOT_FOUND on models.get and generateContent; ``retire_model``/``restore_model`` at run time.
* API keys: ``api_keys=None`` accepts any non-empty key; otherwise a wrong key is 400
  INVALID_ARGUMENT (ErrorInfo ``API_KEY_INVALID``) and a missing one 403 PERMISSION_DENIED.
* ``generationConfig.thinkingConfig``: a level the model supports, or a budget in its range (400
  otherwise); the effective level (the model's default when unset) sets ``thoughtsTokenCount``
  (minimal 0, low 64, medium 256, high 1024; a budget gives ``min(budget, 256)``, -1 gives 256).
* ``usageMetadata``: ``promptTokenCount`` is ``ceil(chars / 4)`` of everything the model reads
  (cached content, system instruction, contents texts, the response schema as JSON) and includes
  ``cachedContentTokenCount``; ``totalTokenCount`` = prompt + candidates + thoughts. Gemini 3
  models put a deterministic ``thoughtSignature`` on the last part of the answer.
* Implicit caching: a system instruction of at least ``implicit_cache_min_tokens`` tokens (4,096 by
  default, the minimum Google documents for current Flash models) seen for the same model within
  ``implicit_cache_ttl_s`` counts as cached.
* Explicit caching (``cachedContents``): too small is 400, expired/deleted/unknown is 403,
  ``cachedContent`` with ``systemInstruction``/``tools``/``toolConfig`` or another model is 400.
* Batch jobs go PENDING → RUNNING → SUCCEEDED over ``batch_seconds``; each item is answered like
  a generateContent request (and can fail alone).

Each generateContent request first waits ``latency`` seconds (``asyncio.sleep``, so concurrent
requests are served concurrently), then answers with the next scripted reply, or with the current
failure mode, or by default with a valid ``CallAnalysis`` derived deterministically from keywords
of the transcript. Authentication and request validation come before scripts and failure modes.

Control endpoints for a subprocess: ``GET /_fake/stats``, ``POST /_fake/reset`` and
``POST /_fake/mode`` with JSON ``{"latency": s, "fail_status": code, "always_fail": bool,
"fail_for_s": s, "recover": true, "retire_models": [id], "restore_models": [id],
"api_keys": [key] | null, "access_tokens": [token] | null, "expire_caches": true,
"batch_seconds": s, "fail_batches": bool, "fail_batch_items_containing": str | null}``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import math
import re
import secrets
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final, NamedTuple, Self, TypeAlias

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

GRPC_CODES: Final[dict[str, int]] = {
    "CANCELLED": 1,
    "UNKNOWN": 2,
    "INVALID_ARGUMENT": 3,
    "DEADLINE_EXCEEDED": 4,
    "NOT_FOUND": 5,
    "PERMISSION_DENIED": 7,
    "RESOURCE_EXHAUSTED": 8,
    "FAILED_PRECONDITION": 9,
    "INTERNAL": 13,
    "UNAVAILABLE": 14,
    "UNAUTHENTICATED": 16,
}
"""``google.rpc.Code`` numbers, used where the API returns a ``google.rpc.Status`` in a body."""

THINKING_LEVELS: Final = ("minimal", "low", "medium", "high")
THOUGHT_TOKENS: Final[dict[str, int]] = {"minimal": 0, "low": 64, "medium": 256, "high": 1024}
"""``thoughtsTokenCount`` the fake reports for each effective thinking level."""
DYNAMIC_THOUGHT_TOKENS: Final = 256
"""``thoughtsTokenCount`` cap for a thinking budget (and the value of dynamic thinking, -1)."""

GENERATION_METHODS: Final = ("generateContent", "countTokens", "createCachedContent", "batchGenerateContent")
GEMINI_SERVICE: Final = "generativelanguage.googleapis.com"
VERTEX_SERVICE: Final = "aiplatform.googleapis.com"
DEFAULT_CACHE_TTL_S: Final = 3600.0
FILE_TTL_S: Final = 48 * 3600.0
UPLOAD_CHUNK_GRANULARITY: Final = 8 * 1024 * 1024

_TRANSCRIPT = re.compile(r"<transcript>(.*)</transcript>", re.DOTALL | re.IGNORECASE)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")
_VERSIONS = "{version:v1|v1beta}"
_VERTEX_VERSIONS = "{version:v1|v1beta1}"
_VERTEX_PARENT = "projects/{project}/locations/{location}"


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


# --- the model catalogue ------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSpec:
    """One model of the catalogue and how it thinks.

    A model with ``thinking_levels`` is a Gemini 3 model (levels, thought signatures); one with a
    ``thinking_budget_range`` is a 2.5 model (budgets only); one with neither does not think.
    """

    model_id: str
    display_name: str
    description: str = ""
    version: str = "001"
    thinking_levels: tuple[str, ...] = ()
    default_thinking_level: str | None = None
    thinking_budget_range: tuple[int, int] | None = None
    thinking_can_be_disabled: bool = True
    default_thinking_budget: int = 0
    input_token_limit: int = 1_048_576
    output_token_limit: int = 65_536
    temperature: float = 1.0
    max_temperature: float = 2.0
    top_p: float = 0.95
    top_k: int = 64

    @property
    def thinks(self) -> bool:
        """Whether the model thinks at all (Model.thinking)."""
        return bool(self.thinking_levels) or self.thinking_budget_range is not None

    @property
    def gemini3(self) -> bool:
        """Gemini 3 models take thinking levels and return thought signatures."""
        return bool(self.thinking_levels)

    def resource(self) -> dict[str, Any]:
        """The Gemini API ``Model`` resource."""
        return {
            "name": f"models/{self.model_id}",
            "baseModelId": self.model_id,
            "version": self.version,
            "displayName": self.display_name,
            "description": self.description,
            "inputTokenLimit": self.input_token_limit,
            "outputTokenLimit": self.output_token_limit,
            "supportedGenerationMethods": list(GENERATION_METHODS),
            "temperature": self.temperature,
            "maxTemperature": self.max_temperature,
            "topP": self.top_p,
            "topK": self.top_k,
            "thinking": self.thinks,
        }

    def publisher_resource(self) -> dict[str, Any]:
        """The Vertex AI ``PublisherModel`` resource."""
        return {
            "name": f"publishers/google/models/{self.model_id}",
            "versionId": self.version,
            "openSourceCategory": "PROPRIETARY",
            "launchStage": "GA",
        }


def _gemini3(model_id: str, name: str, levels: tuple[str, ...], default: str, version: str) -> ModelSpec:
    return ModelSpec(
        model_id=model_id,
        display_name=name,
        description=f"{name}, generally available.",
        version=version,
        thinking_levels=levels,
        default_thinking_level=default,
    )


GA_MODELS: Final[tuple[ModelSpec, ...]] = (
    _gemini3("gemini-3.5-flash-lite", "Gemini 3.5 Flash-Lite", THINKING_LEVELS, "minimal", "3.5"),
    _gemini3("gemini-3.5-flash", "Gemini 3.5 Flash", THINKING_LEVELS, "medium", "3.5"),
    _gemini3("gemini-3.8-flash", "Gemini 3.8 Flash", ("low", "medium", "high"), "medium", "3.8"),
    _gemini3("gemini-3.1-flash-lite", "Gemini 3.1 Flash-Lite", THINKING_LEVELS, "minimal", "3.1"),
    ModelSpec(
        model_id="gemini-2.5-flash-lite",
        display_name="Gemini 2.5 Flash-Lite",
        description="Gemini 2.5 Flash-Lite (thinking budget; does not think unless asked).",
        version="001",
        thinking_budget_range=(512, 24576),
        default_thinking_budget=0,
    ),
)
"""The generally available models of today's catalogue."""

DEFAULT_MODELS: Final[tuple[ModelSpec, ...]] = GA_MODELS
"""The catalogue a ``FakeGemini()`` serves."""

LEGACY_MODELS: Final[tuple[ModelSpec, ...]] = (
    ModelSpec(
        "gemini-2.5-flash", "Gemini 2.5 Flash", thinking_budget_range=(1, 24576), default_thinking_budget=-1
    ),
    ModelSpec(
        "gemini-2.5-pro",
        "Gemini 2.5 Pro",
        thinking_budget_range=(128, 32768),
        thinking_can_be_disabled=False,
        default_thinking_budget=-1,
    ),
    ModelSpec("gemini-2.0-flash", "Gemini 2.0 Flash"),
    ModelSpec("gemini-2.0-flash-001", "Gemini 2.0 Flash 001"),
    ModelSpec("gemini-1.5-flash", "Gemini 1.5 Flash"),
)
"""Specs of shut-down models, so that ``restore_model("gemini-2.5-flash")`` can bring one back."""

RETIRED_MODELS: Final[tuple[str, ...]] = (
    "gemini-2.0-flash",
    "gemini-2.0-flash-001",
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gemini-1.5-flash",
)
"""Models Google has shut down: they answer 404 NOT_FOUND like any unknown model."""


# --- scripted replies ---------------------------------------------------------------------------


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


def _texts_of(contents: Any) -> list[str]:
    if not isinstance(contents, list):
        return []
    return [
        part["text"]
        for content in contents
        if isinstance(content, dict)
        for part in content.get("parts") or []
        if isinstance(part, dict) and isinstance(part.get("text"), str)
    ]


def _instruction_text(instruction: Any) -> str:
    if isinstance(instruction, str):
        return instruction
    if not isinstance(instruction, dict):
        return ""
    return "".join(p.get("text", "") for p in instruction.get("parts") or [] if isinstance(p, dict))


def _get(obj: Mapping[str, Any], camel: str) -> Any:
    """A field in either JSON spelling (proto JSON accepts both; the SDK sends some snake_case)."""
    if camel in obj:
        return obj[camel]
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()
    return obj.get(snake)


@dataclass
class RecordedRequest:
    """One generateContent request the fake received."""

    path: str
    api_version: str
    model: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float
    body_bytes: int = 0
    project: str | None = None
    location: str | None = None
    thinking_level: str | None = None
    thinking_budget: int | None = None
    usage: dict[str, Any] = field(default_factory=dict)

    @property
    def texts(self) -> list[str]:
        """The text of every part of every content, in order."""
        return _texts_of(self.body.get("contents", []))

    @property
    def prompt(self) -> str:
        """The text of the first user content (the analysis prompt)."""
        texts = self.texts
        return texts[0] if texts else ""

    @property
    def system_instruction(self) -> str:
        """The text of the system instruction, empty when none was sent."""
        return _instruction_text(_get(self.body, "systemInstruction"))

    @property
    def generation_config(self) -> dict[str, Any]:
        """The ``generationConfig`` object of the request."""
        config: dict[str, Any] = _get(self.body, "generationConfig") or {}
        return config

    @property
    def cached_content(self) -> str | None:
        """The ``cachedContent`` name the request used, if any."""
        name = _get(self.body, "cachedContent")
        return name if isinstance(name, str) else None

    @property
    def vertex(self) -> bool:
        """Whether the request came through the Vertex AI path."""
        return self.project is not None

    @property
    def carried_thought_signature(self) -> bool:
        """Whether a model-role content of the request carried a ``thoughtSignature`` back."""
        return any(
            isinstance(part, dict) and bool(_get(part, "thoughtSignature"))
            for content in self.body.get("contents") or []
            if isinstance(content, dict) and content.get("role") == "model"
            for part in content.get("parts") or []
        )


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


def count_tokens(text: str) -> int:
    """The fake's token count of a text: ``ceil(chars / 4)``."""
    return math.ceil(len(text) / 4)


def rfc3339(wall: float) -> str:
    """A Unix time as RFC 3339 UTC with a ``Z``, as the API writes timestamps."""
    return datetime.fromtimestamp(wall, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_rfc3339(value: str) -> float:
    text = value.strip()
    match = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", text)
    if not match:
        raise ValueError(value)
    fraction = (match.group(2) or "")[:7]
    zone = "+00:00" if match.group(3) == "Z" else match.group(3)
    return datetime.fromisoformat(f"{match.group(1)}{fraction}{zone}").timestamp()


def _parse_duration(value: Any) -> float:
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(value)
    return float(match.group(1))


def _error_body(
    code: int, message: str | None, *, status: str | None = None, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    name = status or STATUS_NAMES.get(code, "UNKNOWN")
    error: dict[str, Any] = {"code": code, "message": message or f"fake {name.lower()}", "status": name}
    if details:
        error["details"] = details
    return {"error": error}


def _error_response(code: int, message: str | None) -> web.Response:
    return web.json_response(_error_body(code, message), status=code)


def _error_info(reason: str, service: str, **metadata: str) -> dict[str, Any]:
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": service, **metadata},
    }


class ApiError(Exception):
    """An error the fake answers with a Google-style body."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = details

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        return _error_body(self.code, self.message, status=self.status, details=self.details)

    def rpc_status(self) -> dict[str, Any]:
        """The error as a ``google.rpc.Status`` (batch items), plus its status name."""
        return {"code": GRPC_CODES.get(self.status, 2), "message": self.message, "status": self.status}

    def response(self) -> web.Response:
        """The HTTP answer."""
        return web.json_response(self.body(), status=self.code)


def _bad(message: str) -> ApiError:
    return ApiError(400, message)


def _model_not_found(model: str, api_version: str, method: str = "generateContent") -> ApiError:
    return ApiError(
        404,
        f"models/{model} is not found for API version {api_version}, or is not supported for {method}. "
        "Call ListModels to see the list of available models and their supported methods.",
    )


def _vertex_model_not_found(resource: str) -> ApiError:
    return ApiError(
        404,
        f"Publisher Model `{resource}` was not found or your project does not have access to it. "
        "Please ensure you are using a valid model version. For more information, see: "
        "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions",
    )


# --- server-side resources ----------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """Who called: the Gemini API (api key) or Vertex AI (bearer token, project, location)."""

    api_version: str
    project: str | None = None
    location: str | None = None

    @property
    def vertex(self) -> bool:
        return self.project is not None

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.location}"

    def model_resource(self, model_id: str) -> str:
        if self.vertex:
            return f"{self.parent}/publishers/google/models/{model_id}"
        return f"models/{model_id}"

    def cache_name(self, cache_id: str) -> str:
        return f"{self.parent}/cachedContents/{cache_id}" if self.vertex else f"cachedContents/{cache_id}"


@dataclass
class CachedContent:
    """An explicit context cache (``cachedContents``)."""

    name: str
    model: str
    model_id: str
    display_name: str
    system_instruction: dict[str, Any] | None
    contents: list[dict[str, Any]]
    tools: list[Any] | None
    tool_config: dict[str, Any] | None
    token_count: int
    create_time: float
    update_time: float
    expire_time: float

    def resource(self) -> dict[str, Any]:
        """The ``CachedContent`` resource as the API returns it (without the cached contents)."""
        return {
            "name": self.name,
            "model": self.model,
            "displayName": self.display_name,
            "createTime": rfc3339(self.create_time),
            "updateTime": rfc3339(self.update_time),
            "expireTime": rfc3339(self.expire_time),
            "usageMetadata": {"totalTokenCount": self.token_count},
        }


@dataclass
class StoredFile:
    """A file of the Files API (uploaded, or written by a batch job)."""

    file_id: str
    display_name: str
    mime_type: str
    data: bytes
    create_time: float
    uri: str
    source: str = "UPLOADED"

    @property
    def name(self) -> str:
        return f"files/{self.file_id}"

    def resource(self) -> dict[str, Any]:
        """The ``File`` resource."""
        body: dict[str, Any] = {
            "name": self.name,
            "displayName": self.display_name,
            "mimeType": self.mime_type,
            "sizeBytes": str(len(self.data)),
            "createTime": rfc3339(self.create_time),
            "updateTime": rfc3339(self.create_time),
            "expirationTime": rfc3339(self.create_time + FILE_TTL_S),
            "sha256Hash": base64.b64encode(hashlib.sha256(self.data).hexdigest().encode()).decode(),
            "uri": self.uri,
            "state": "ACTIVE",
            "source": self.source,
        }
        if self.source == "GENERATED":
            body["downloadUri"] = (
                self.uri.replace("/v1beta/files/", "/download/v1beta/files/") + ":download?alt=media"
            )
        return body


@dataclass
class _Upload:
    display_name: str
    mime_type: str
    size: int
    data: bytearray = field(default_factory=bytearray)


@dataclass
class BatchJob:
    """A Batch API job; its state follows from the time since it was created."""

    batch_id: str
    model_id: str
    display_name: str
    keys: list[str | None]
    results: list[tuple[dict[str, Any] | None, dict[str, Any] | None]]
    """Per item, in input order: (response, error as google.rpc.Status)."""
    input_file: str | None
    created_wall: float
    created_at: float
    seconds: float
    fail: bool = False
    cancelled_at: float | None = None
    failed_at: float | None = None
    output_file: str | None = None

    @property
    def name(self) -> str:
        return f"batches/{self.batch_id}"


class _Prepared(NamedTuple):
    spec: ModelSpec
    thinking_level: str | None
    thinking_budget: int | None
    thoughts: int
    prompt_tokens: int
    cached_tokens: int


Handler: TypeAlias = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FakeGemini:
    """A fake Gemini API server; see the module docstring."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        model_version: str | None = None,
        models: Iterable[ModelSpec] | None = None,
        retired_models: Iterable[str] | None = None,
        api_keys: Iterable[str] | None = None,
        access_tokens: Iterable[str] | None = None,
        implicit_cache_min_tokens: int = 4096,
        implicit_cache_ttl_s: float = 300.0,
        cache_min_tokens: int = 1024,
        batch_seconds: float = 0.5,
    ) -> None:
        """Configure the fake; ``port=0`` picks a free ephemeral port on ``start``.

        ``models`` is the catalogue (default ``DEFAULT_MODELS``); ``retired_models`` (default
        ``RETIRED_MODELS``) answer 404 even when in the catalogue. ``api_keys``/``access_tokens``
        ``None`` accept any non-empty key/bearer token. ``model_version`` (default: the requested
        model id) is the answers' ``modelVersion``.
        """
        self.host = host
        self.port = port
        self.latency = latency
        self.model_version = model_version
        self.catalogue: dict[str, ModelSpec] = {
            m.model_id: m for m in (DEFAULT_MODELS if models is None else models)
        }
        self._known: dict[str, ModelSpec] = {m.model_id: m for m in LEGACY_MODELS} | self.catalogue
        self.retired: set[str] = set(RETIRED_MODELS if retired_models is None else retired_models)
        self.api_keys: set[str] | None = None if api_keys is None else set(api_keys)
        self.access_tokens: set[str] | None = None if access_tokens is None else set(access_tokens)
        self.implicit_cache_min_tokens = implicit_cache_min_tokens
        self.implicit_cache_ttl_s = implicit_cache_ttl_s
        self.cache_min_tokens = cache_min_tokens
        self.batch_seconds = batch_seconds
        self.fail_batches = False
        self.fail_batch_items_containing: str | None = None
        self.requests: list[RecordedRequest] = []
        self.outcomes: dict[str, int] = {}
        self.endpoint_counts: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.fail_status = 503
        self.caches: dict[str, CachedContent] = {}
        self.batches: dict[str, BatchJob] = {}
        self.files: dict[str, StoredFile] = {}
        self.issued_tokens: list[str] = []
        self._uploads: dict[str, _Upload] = {}
        self._implicit: dict[tuple[str, str], float] = {}
        self._counters: dict[str, int] = {}
        self._always_fail = False
        self._fail_until = 0.0
        self._queue: deque[Reply] = deque()
        self._runner: web.AppRunner | None = None

    # --- public API -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL to give the SDK (``GEMINI_BASE_URL``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def token_url(self) -> str:
        """The fake OAuth2 token endpoint (a service account's ``token_uri``)."""
        return f"{self.url}/token"

    @property
    def count(self) -> int:
        """How many generateContent requests arrived."""
        return len(self.requests)

    @property
    def last(self) -> RecordedRequest:
        """The most recent generateContent request."""
        return self.requests[-1]

    @property
    def served_models(self) -> list[str]:
        """Ids of the models that answer now (catalogue minus retired), in catalogue order."""
        return [m for m in self.catalogue if m not in self.retired]

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

    def retire_model(self, model_id: str) -> None:
        """Shut a model down: from now on it answers 404 NOT_FOUND everywhere."""
        self.retired.add(model_id.removeprefix("models/"))

    def restore_model(self, model: str | ModelSpec) -> None:
        """Serve a model (again): a retired or legacy model id, or a new ``ModelSpec``."""
        if isinstance(model, ModelSpec):
            spec = model
        else:
            model_id = model.removeprefix("models/")
            if model_id not in self._known:
                raise KeyError(f"no spec for {model_id!r}: pass a ModelSpec")
            spec = self._known[model_id]
        self._known[spec.model_id] = spec
        self.catalogue[spec.model_id] = spec
        self.retired.discard(spec.model_id)

    def set_api_keys(self, keys: Iterable[str] | None) -> None:
        """Accept exactly these API keys from now on (``None``: any non-empty key)."""
        self.api_keys = None if keys is None else set(keys)

    def set_access_tokens(self, tokens: Iterable[str] | None) -> None:
        """Accept exactly these bearer tokens on the Vertex paths (``None``: any non-empty token)."""
        self.access_tokens = None if tokens is None else set(tokens)

    def expire_caches(self) -> int:
        """Expire every explicit cache now (and forget implicit ones); returns how many expired."""
        expired = len(self.caches)
        self.caches.clear()
        self._implicit.clear()
        self._bump("caches_expired", expired)
        return expired

    def fail_batch(self, name: str) -> None:
        """End a batch job (``batches/{id}``) as BATCH_STATE_FAILED now."""
        job = self.batches[name.removeprefix("batches/")]
        if self._batch_state(job)[0] not in _TERMINAL:
            job.failed_at = time.monotonic()
            job.fail = True

    def reset(self) -> None:
        """Forget recorded requests, counters, scripted replies and failure modes. What clients
        created (caches, batches, files) stays, as it would at Google: a client still naming its
        cache must not find it gone because a test reset the counters."""
        self.requests.clear()
        self.outcomes.clear()
        self.endpoint_counts.clear()
        self._queue.clear()
        self._counters.clear()
        self._implicit.clear()
        self.max_in_flight = 0
        self.recover()

    def stats(self) -> dict[str, Any]:
        """Counters, as served by ``GET /_fake/stats``.

        ``requests`` counts generateContent requests (also refused ones); ``bytes_received`` and
        ``bytes_per_request`` are their body sizes; ``tokens`` sums the usage of the answers.
        """
        total_bytes = sum(r.body_bytes for r in self.requests)
        c = self._counters
        return {
            "requests": self.count,
            "outcomes": dict(self.outcomes),
            "endpoints": dict(self.endpoint_counts),
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "latency": self.latency,
            "failing": self._failing(),
            "scripted": len(self._queue),
            "bytes_received": total_bytes,
            "bytes_per_request": total_bytes / self.count if self.count else 0.0,
            "answered": c.get("answered", 0),
            "tokens": {
                "prompt": c.get("prompt_tokens", 0),
                "cached": c.get("cached_tokens", 0),
                "thoughts": c.get("thoughts_tokens", 0),
                "candidates": c.get("candidates_tokens", 0),
                "total": c.get("total_tokens", 0),
            },
            "caches": {
                "live": len(self._live_caches()),
                "created": c.get("caches_created", 0),
                "deleted": c.get("caches_deleted", 0),
                "expired": c.get("caches_expired", 0),
                "hits": c.get("cache_hits", 0),
                "implicit_hits": c.get("implicit_cache_hits", 0),
            },
            "batches": {"jobs": len(self.batches), "items": c.get("batch_items", 0)},
            "files": len(self.files),
            "models": self.served_models,
            "retired_models": sorted(self.retired),
        }

    async def start(self) -> None:
        """Listen on ``host:port`` (the chosen ephemeral port is stored in ``port``)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        r = app.router
        g = self._gemini
        r.add_post(f"/{_VERSIONS}/models/{{target}}", g(self._models_post, "models.post"))
        r.add_get(f"/{_VERSIONS}/models/{{model}}", g(self._models_get, "models.get"))
        r.add_get(f"/{_VERSIONS}/models", g(self._models_list, "models.list"))
        r.add_post(f"/{_VERSIONS}/cachedContents", g(self._cache_create, "caches.create"))
        r.add_get(f"/{_VERSIONS}/cachedContents", g(self._cache_list, "caches.list"))
        r.add_get(f"/{_VERSIONS}/cachedContents/{{cache}}", g(self._cache_get, "caches.get"))
        r.add_patch(f"/{_VERSIONS}/cachedContents/{{cache}}", g(self._cache_patch, "caches.patch"))
        r.add_delete(f"/{_VERSIONS}/cachedContents/{{cache}}", g(self._cache_delete, "caches.delete"))
        r.add_get(f"/{_VERSIONS}/batches", g(self._batch_list, "batches.list"))
        r.add_get(f"/{_VERSIONS}/batches/{{batch}}", g(self._batch_get, "batches.get"))
        r.add_post(f"/{_VERSIONS}/batches/{{target}}", g(self._batch_post, "batches.cancel"))
        r.add_delete(f"/{_VERSIONS}/batches/{{batch}}", g(self._batch_delete, "batches.delete"))
        r.add_post(f"/upload/{_VERSIONS}/files", self._upload)
        r.add_get(f"/{_VERSIONS}/files/{{target}}", g(self._file_get, "files.get"))
        r.add_get(f"/download/{_VERSIONS}/files/{{target}}", g(self._file_get, "files.download"))
        v = self._vertex
        parent = f"/{_VERTEX_VERSIONS}/{_VERTEX_PARENT}"
        r.add_post(f"{parent}/publishers/google/models/{{target}}", v(self._models_post, "models.post"))
        r.add_get(f"{parent}/publishers/google/models/{{model}}", v(self._models_get, "models.get"))
        r.add_get(
            f"/{_VERTEX_VERSIONS}/publishers/google/models/{{model}}", v(self._models_get, "models.get")
        )
        r.add_get(f"/{_VERTEX_VERSIONS}/publishers/google/models", v(self._models_list, "models.list"))
        r.add_post(f"{parent}/cachedContents", v(self._cache_create, "caches.create"))
        r.add_get(f"{parent}/cachedContents", v(self._cache_list, "caches.list"))
        r.add_get(f"{parent}/cachedContents/{{cache}}", v(self._cache_get, "caches.get"))
        r.add_patch(f"{parent}/cachedContents/{{cache}}", v(self._cache_patch, "caches.patch"))
        r.add_delete(f"{parent}/cachedContents/{{cache}}", v(self._cache_delete, "caches.delete"))
        r.add_post("/token", self._token)
        r.add_get("/_fake/stats", self._get_stats)
        r.add_post("/_fake/reset", self._post_reset)
        r.add_post("/_fake/mode", self._post_mode)
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

    # --- plumbing -------------------------------------------------------------------------------

    def _bump(self, counter: str, by: int = 1) -> None:
        self._counters[counter] = self._counters.get(counter, 0) + by

    def _failing(self) -> bool:
        return self._always_fail or time.monotonic() < self._fail_until

    def _next_reply(self) -> Reply:
        if self._queue:
            return self._queue.popleft()
        if self._failing():
            return Status(self.fail_status)
        return Valid()

    def _gemini(
        self, handler: Callable[[web.Request, Caller], Awaitable[web.StreamResponse]], name: str
    ) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            self.endpoint_counts[name] = self.endpoint_counts.get(name, 0) + 1
            caller = Caller(request.match_info["version"])
            try:
                return await handler(request, caller)
            except ApiError as error:
                return error.response()

        return wrapped

    def _vertex(
        self, handler: Callable[[web.Request, Caller], Awaitable[web.StreamResponse]], name: str
    ) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            self.endpoint_counts[f"vertex.{name}"] = self.endpoint_counts.get(f"vertex.{name}", 0) + 1
            info = request.match_info
            caller = Caller(info["version"], info.get("project", ""), info.get("location", "global"))
            try:
                return await handler(request, caller)
            except ApiError as error:
                return error.response()

        return wrapped

    def _authorize(self, request: web.Request, caller: Caller, method: str) -> None:
        if caller.vertex:
            self._authorize_bearer(request, method)
            return
        key = request.headers.get("x-goog-api-key") or request.query.get("key") or ""
        if not key:
            raise ApiError(
                403,
                "Method doesn't allow unregistered callers (callers without established identity). "
                "Please use API Key or other form of API consumer identity to call this API.",
            )
        if self.api_keys is not None and key not in self.api_keys:
            message = "API key not valid. Please pass a valid API key."
            raise ApiError(
                400,
                message,
                details=[
                    _error_info("API_KEY_INVALID", GEMINI_SERVICE),
                    {
                        "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                        "locale": "en-US",
                        "message": message,
                    },
                ],
            )

    def _authorize_bearer(self, request: web.Request, method: str) -> None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        full_method = f"google.cloud.aiplatform.v1beta1.{method}"
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401,
                "Request is missing required authentication credential. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential. "
                "See https://developers.google.com/identity/sign-in/web/devconsole-project.",
                details=[_error_info("CREDENTIALS_MISSING", VERTEX_SERVICE, method=full_method)],
            )
        if self.access_tokens is not None and token.strip() not in self.access_tokens:
            raise ApiError(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                "cookie or other valid authentication credential. "
                "See https://developers.google.com/identity/sign-in/web/devconsole-project.",
                details=[_error_info("ACCESS_TOKEN_TYPE_UNSUPPORTED", VERTEX_SERVICE, method=full_method)],
            )

    @staticmethod
    async def _json_body(request: web.Request) -> tuple[dict[str, Any], int]:
        raw = await request.read()
        if not raw:
            return {}, 0
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise _bad(f"Invalid JSON payload received. {exc}") from None
        if not isinstance(body, dict):
            raise _bad("Invalid JSON payload received. Expected an object.")
        return body, len(raw)

    def _spec(self, model_id: str, caller: Caller, method: str = "generateContent") -> ModelSpec:
        spec = self.catalogue.get(model_id)
        if spec is None or model_id in self.retired:
            if caller.vertex:
                raise _vertex_model_not_found(caller.model_resource(model_id))
            raise _model_not_found(model_id, caller.api_version, method)
        return spec

    def _model_id_of(self, model: str, caller: Caller) -> str:
        """The model id of a resource name (``models/X``, ``projects/../publishers/google/models/X``)."""
        if "/publishers/" in model or model.startswith("publishers/"):
            return model.rsplit("/", 1)[-1]
        if model.startswith("models/"):
            return model.removeprefix("models/")
        if caller.vertex or "/" not in model:
            return model
        raise _bad(f"Invalid resource field value in the request: model {model}")

    # --- models ---------------------------------------------------------------------------------

    async def _models_get(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "ModelGardenService.GetPublisherModel")
        model_id = request.match_info["model"]
        spec = self.catalogue.get(model_id)
        if spec is None or model_id in self.retired:
            if caller.vertex:
                raise _vertex_model_not_found(f"publishers/google/models/{model_id}")
            raise _model_not_found(model_id, caller.api_version)
        return web.json_response(spec.publisher_resource() if caller.vertex else spec.resource())

    async def _models_list(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "ModelGardenService.ListPublisherModels")
        specs = [self.catalogue[m] for m in self.served_models]
        page, token = _paginate(specs, request, default_size=50, max_size=1000)
        key = "publisherModels" if caller.vertex else "models"
        body: dict[str, Any] = {
            key: [s.publisher_resource() if caller.vertex else s.resource() for s in page]
        }
        if token:
            body["nextPageToken"] = token
        return web.json_response(body)

    async def _models_post(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        model_id, _, method = request.match_info["target"].partition(":")
        if method == "generateContent":
            return await self._generate(request, caller, model_id)
        if method == "batchGenerateContent" and not caller.vertex:
            return await self._batch_create(request, caller, model_id)
        raise ApiError(404, f"Method not found: {method or request.path}")

    # --- generateContent ------------------------------------------------------------------------

    async def _generate(self, request: web.Request, caller: Caller, model_id: str) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            return self._answer(_error_response(400, "body is not JSON"), "http_400")
        if not isinstance(body, dict):
            return self._answer(_error_response(400, "body is not a JSON object"), "http_400")
        recorded = RecordedRequest(
            path=request.path,
            api_version=caller.api_version,
            model=model_id,
            headers=dict(request.headers),
            body=body,
            received_at=time.monotonic(),
            body_bytes=len(raw),
            project=caller.project,
            location=caller.location,
        )
        self.requests.append(recorded)
        try:
            self._authorize(request, caller, "PredictionService.GenerateContent")
            prepared = self._prepare(model_id, body, caller)
        except ApiError as error:
            return self._answer(error.response(), f"http_{error.code}")
        recorded.thinking_level = prepared.thinking_level
        recorded.thinking_budget = prepared.thinking_budget
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
            return self._render(reply, recorded, prepared, raw)
        finally:
            self.in_flight -= 1

    def _prepare(self, model_id: str, body: dict[str, Any], caller: Caller) -> _Prepared:
        """Validate a GenerateContentRequest as the API does, and work out its token counts."""
        spec = self._spec(model_id, caller)
        config = _get(body, "generationConfig") or {}
        if not isinstance(config, dict):
            raise _bad('Invalid JSON payload received. Unknown name "generationConfig": not an object.')
        level, budget, thoughts = self._thinking(spec, config)
        cache_name = _get(body, "cachedContent")
        cached_tokens = 0
        if cache_name:
            if any(_get(body, k) for k in ("systemInstruction", "tools", "toolConfig")):
                raise _bad(
                    "CachedContent can not be used with GenerateContent request setting system_instruction, "
                    "tools or tool_config.\n\nProposed fix: move those values to CachedContent from "
                    "GenerateContent request."
                )
            cache = self._find_cache(str(cache_name), caller)
            if cache.model_id != spec.model_id:
                raise _bad(
                    f"Model used by GenerateContent request ({caller.model_resource(spec.model_id)}) and "
                    f"CachedContent ({cache.model}) has to be the same."
                )
            cached_tokens = cache.token_count
            self._bump("cache_hits")
        instruction = _instruction_text(_get(body, "systemInstruction"))
        schema = _get(config, "responseJsonSchema") or _get(config, "responseSchema")
        schema_text = json.dumps(schema) if schema is not None else ""
        fresh = count_tokens(instruction + "".join(_texts_of(body.get("contents"))) + schema_text)
        if not cache_name and instruction:
            cached_tokens = self._implicit_hit(spec.model_id, instruction)
        prompt_tokens = fresh + (cached_tokens if cache_name else 0)
        return _Prepared(spec, level, budget, thoughts, prompt_tokens, cached_tokens)

    def _thinking(self, spec: ModelSpec, config: Mapping[str, Any]) -> tuple[str | None, int | None, int]:
        """(effective level, effective budget, thoughtsTokenCount) of a generationConfig."""
        thinking = _get(config, "thinkingConfig") or {}
        level_value = _get(thinking, "thinkingLevel") if isinstance(thinking, dict) else None
        budget_value = _get(thinking, "thinkingBudget") if isinstance(thinking, dict) else None
        if level_value == "THINKING_LEVEL_UNSPECIFIED":
            level_value = None
        if level_value is not None and budget_value is not None:
            raise _bad("You can only set only one of thinking budget and thinking level.")
        if level_value is not None:
            level = str(level_value).lower()
            if level not in THINKING_LEVELS:
                raise _bad(
                    "Invalid value at 'generation_config.thinking_config.thinking_level' "
                    "(type.googleapis.com/google.ai.generativelanguage.v1beta.ThinkingConfig.ThinkingLevel), "
                    f'"{level_value}"'
                )
            if not spec.gemini3:
                raise _bad("Thinking level is not supported for this model.")
            if level not in spec.thinking_levels:
                supported = ", ".join(x.upper() for x in spec.thinking_levels)
                raise _bad(
                    f"Thinking level {level.upper()} is not supported for this model. "
                    f"Supported thinking levels: {supported}."
                )
            return level, None, THOUGHT_TOKENS[level]
        if budget_value is not None:
            if isinstance(budget_value, bool) or not isinstance(budget_value, int):
                raise _bad(
                    "Invalid value at 'generation_config.thinking_config.thinking_budget' (TYPE_INT32), "
                    f"{json.dumps(budget_value)}"
                )
            budget = budget_value
            if not spec.thinks:
                if budget != 0:
                    raise _bad("Thinking is not supported for this model.")
                return None, 0, 0
            if spec.thinking_budget_range is not None:
                low, high = spec.thinking_budget_range
                if budget == 0 and not spec.thinking_can_be_disabled:
                    raise _bad("Budget 0 is invalid. This model only works in thinking mode.")
                if budget not in (-1, 0) and not low <= budget <= high:
                    raise _bad(f"The thinking budget ({budget}) is invalid. Valid range: {low} to {high}.")
            elif budget < -1:
                raise _bad(f"The thinking budget ({budget}) is invalid.")
            thoughts = DYNAMIC_THOUGHT_TOKENS if budget == -1 else min(budget, DYNAMIC_THOUGHT_TOKENS)
            return None, budget, thoughts
        if spec.gemini3 and spec.default_thinking_level is not None:
            return spec.default_thinking_level, None, THOUGHT_TOKENS[spec.default_thinking_level]
        if spec.thinks:
            budget = spec.default_thinking_budget
            thoughts = DYNAMIC_THOUGHT_TOKENS if budget == -1 else min(budget, DYNAMIC_THOUGHT_TOKENS)
            return None, budget, thoughts
        return None, None, 0

    def _implicit_hit(self, model_id: str, instruction: str) -> int:
        tokens = count_tokens(instruction)
        if tokens < self.implicit_cache_min_tokens:
            return 0
        now = time.monotonic()
        key = (model_id, hashlib.sha256(instruction.encode()).hexdigest())
        seen = self._implicit.get(key)
        self._implicit[key] = now
        if len(self._implicit) > 10_000:
            self._implicit = {k: t for k, t in self._implicit.items() if now - t < self.implicit_cache_ttl_s}
        if seen is not None and now - seen < self.implicit_cache_ttl_s:
            self._bump("implicit_cache_hits")
            return tokens
        return 0

    def _usage(self, prepared: _Prepared, candidates: int | None) -> dict[str, Any]:
        usage: dict[str, Any] = {"promptTokenCount": prepared.prompt_tokens}
        if candidates is not None:
            usage["candidatesTokenCount"] = candidates
        if prepared.thoughts:
            usage["thoughtsTokenCount"] = prepared.thoughts
        if prepared.cached_tokens:
            usage["cachedContentTokenCount"] = prepared.cached_tokens
        usage["totalTokenCount"] = prepared.prompt_tokens + (candidates or 0) + prepared.thoughts
        usage["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prepared.prompt_tokens}]
        if prepared.cached_tokens:
            usage["cacheTokensDetails"] = [{"modality": "TEXT", "tokenCount": prepared.cached_tokens}]
        if candidates:
            usage["candidatesTokensDetails"] = [{"modality": "TEXT", "tokenCount": candidates}]
        usage["serviceTier"] = "standard"
        return usage

    def _account(self, usage: Mapping[str, Any]) -> None:
        self._bump("answered")
        self._bump("prompt_tokens", int(usage.get("promptTokenCount", 0)))
        self._bump("cached_tokens", int(usage.get("cachedContentTokenCount", 0)))
        self._bump("thoughts_tokens", int(usage.get("thoughtsTokenCount", 0)))
        self._bump("candidates_tokens", int(usage.get("candidatesTokenCount", 0)))
        self._bump("total_tokens", int(usage.get("totalTokenCount", 0)))

    def _response_body(self, text: str, finish: str, prepared: _Prepared, raw: bytes) -> dict[str, Any]:
        part: dict[str, Any] = {"text": text}
        if prepared.spec.gemini3:
            digest = hashlib.sha256(prepared.spec.model_id.encode() + b"\0" + raw).digest()
            part["thoughtSignature"] = base64.b64encode(b"fake-thought-signature:" + digest).decode()
        return {
            "candidates": [
                {"content": {"parts": [part], "role": "model"}, "finishReason": finish, "index": 0}
            ],
            "usageMetadata": self._usage(prepared, count_tokens(text)),
            "modelVersion": self.model_version or prepared.spec.model_id,
            "responseId": secrets.token_urlsafe(16),
        }

    def _render(
        self, reply: Reply, recorded: RecordedRequest, prepared: _Prepared, raw: bytes
    ) -> web.StreamResponse:
        if isinstance(reply, Status):
            return self._answer(_error_response(reply.code, reply.message), f"http_{reply.code}")
        if isinstance(reply, Raw):
            response = web.Response(status=reply.status, text=reply.body, content_type=reply.content_type)
            return self._answer(response, f"raw_{reply.status}")
        if isinstance(reply, Blocked):
            usage = self._usage(prepared._replace(thoughts=0), None)
            body: dict[str, Any] = {
                "promptFeedback": {"blockReason": reply.block_reason},
                "usageMetadata": usage,
                "modelVersion": self.model_version or prepared.spec.model_id,
                "responseId": secrets.token_urlsafe(16),
            }
            recorded.usage = usage
            self._account(usage)
            return self._answer(web.json_response(body), "blocked")
        if isinstance(reply, Text):
            text, finish, outcome = reply.text, reply.finish_reason, "text"
        else:
            analysis = dict(reply.analysis) if isinstance(reply, Valid) and reply.analysis else None
            text = json.dumps(analysis or derive_analysis(recorded.prompt), ensure_ascii=False)
            finish, outcome = "STOP", "valid"
        body = self._response_body(text, finish, prepared, raw)
        recorded.usage = body["usageMetadata"]
        self._account(recorded.usage)
        return self._answer(web.json_response(body), outcome)

    def _answer(self, response: web.StreamResponse, outcome: str) -> web.StreamResponse:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        return response

    # --- cachedContents -------------------------------------------------------------------------

    def _live_caches(self) -> dict[str, CachedContent]:
        now = time.time()
        for name in [n for n, c in self.caches.items() if c.expire_time <= now]:
            del self.caches[name]
            self._bump("caches_expired")
        return self.caches

    def _cache_gone(self, caller: Caller, name: str) -> ApiError:
        if caller.vertex:
            return ApiError(404, f"Not found: cached content metadata for {name.rsplit('/', 1)[-1]}.")
        return ApiError(403, "CachedContent not found (or permission denied)")

    def _find_cache(self, name: str, caller: Caller) -> CachedContent:
        if "/" not in name:
            name = caller.cache_name(name)
        cache = self._live_caches().get(name)
        if cache is None:
            raise self._cache_gone(caller, name)
        return cache

    def _expiry(self, body: Mapping[str, Any], now: float) -> float | None:
        ttl, expire = _get(body, "ttl"), _get(body, "expireTime")
        if ttl is not None and expire is not None:
            raise _bad("Only one of ttl and expire_time can be set.")
        if ttl is not None:
            try:
                return now + _parse_duration(ttl)
            except ValueError:
                raise _bad(
                    "Invalid value at 'cached_content.ttl' (type.googleapis.com/google.protobuf.Duration), "
                    f'"{ttl}"'
                ) from None
        if expire is not None:
            try:
                return _parse_rfc3339(str(expire))
            except ValueError:
                raise _bad(
                    "Invalid value at 'cached_content.expire_time' "
                    f'(type.googleapis.com/google.protobuf.Timestamp), "{expire}"'
                ) from None
        return None

    async def _cache_create(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "GenAiCacheService.CreateCachedContent")
        body, _ = await self._json_body(request)
        model = _get(body, "model")
        if not isinstance(model, str) or not model:
            raise _bad("CachedContent.model is required.")
        spec = self._spec(self._model_id_of(model, caller), caller, "createCachedContent")
        now = time.time()
        expire = self._expiry(body, now)
        instruction = _get(body, "systemInstruction")
        contents = body.get("contents") or []
        tools = body.get("tools")
        text = (
            _instruction_text(instruction)
            + "".join(_texts_of(contents))
            + (json.dumps(tools) if tools else "")
        )
        tokens = count_tokens(text)
        if tokens < self.cache_min_tokens:
            raise _bad(
                f"Cached content is too small. total_token_count={tokens}, "
                f"min_total_token_count={self.cache_min_tokens}"
            )
        display_name = _get(body, "displayName") or ""
        if len(display_name) > 128:
            raise _bad("CachedContent.display_name must be at most 128 characters.")
        cache = CachedContent(
            name=caller.cache_name(secrets.token_hex(8)),
            model=caller.model_resource(spec.model_id),
            model_id=spec.model_id,
            display_name=display_name,
            system_instruction=instruction if isinstance(instruction, dict) else None,
            contents=contents,
            tools=tools,
            tool_config=_get(body, "toolConfig"),
            token_count=tokens,
            create_time=now,
            update_time=now,
            expire_time=expire if expire is not None else now + DEFAULT_CACHE_TTL_S,
        )
        self.caches[cache.name] = cache
        self._bump("caches_created")
        return web.json_response(cache.resource())

    async def _cache_get(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "GenAiCacheService.GetCachedContent")
        return web.json_response(
            self._find_cache(caller.cache_name(request.match_info["cache"]), caller).resource()
        )

    async def _cache_list(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "GenAiCacheService.ListCachedContents")
        prefix = caller.cache_name("")
        caches = [
            c for n, c in self._live_caches().items() if n.startswith(prefix) and "/" not in n[len(prefix) :]
        ]
        page, token = _paginate(caches, request, default_size=100, max_size=1000)
        body: dict[str, Any] = {}
        if page:
            body["cachedContents"] = [c.resource() for c in page]
        if token:
            body["nextPageToken"] = token
        return web.json_response(body)

    async def _cache_patch(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "GenAiCacheService.UpdateCachedContent")
        cache = self._find_cache(caller.cache_name(request.match_info["cache"]), caller)
        body, _ = await self._json_body(request)
        mask = [m.strip() for m in request.query.get("updateMask", "").split(",") if m.strip()]
        allowed = {"ttl", "expireTime", "expire_time"}
        bad = [m for m in mask if m not in allowed]
        if bad:
            raise _bad(
                f"Update mask field {bad[0]} is not allowed. "
                "Only the expiration (ttl or expire_time) can be updated."
            )
        now = time.time()
        expire = self._expiry(body, now)
        if expire is None:
            raise _bad("Only the expiration (ttl or expire_time) of a CachedContent can be updated.")
        cache.expire_time = expire
        cache.update_time = now
        return web.json_response(cache.resource())

    async def _cache_delete(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "GenAiCacheService.DeleteCachedContent")
        cache = self._find_cache(caller.cache_name(request.match_info["cache"]), caller)
        del self.caches[cache.name]
        self._bump("caches_deleted")
        return web.json_response({})

    # --- Batch API ------------------------------------------------------------------------------

    def _batch_item(
        self, model_id: str, request: Any, caller: Caller
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Answer one batch item like a generateContent request: (response, error)."""
        self._bump("batch_items")
        try:
            if not isinstance(request, dict):
                raise _bad("Invalid batch request: the request is not an object.")
            item_model = request.get("model")
            item_id = self._model_id_of(item_model, caller) if isinstance(item_model, str) else model_id
            raw = json.dumps(request, sort_keys=True).encode()
            if (
                self.fail_batch_items_containing is not None
                and self.fail_batch_items_containing in raw.decode()
            ):
                raise ApiError(500, "Internal error encountered.")
            prepared = self._prepare(item_id, request, caller)
        except ApiError as error:
            return None, error.rpc_status()
        prompt = next(iter(_texts_of(request.get("contents"))), "")
        text = json.dumps(derive_analysis(prompt), ensure_ascii=False)
        body = self._response_body(text, "STOP", prepared, raw)
        self._account(body["usageMetadata"])
        return body, None

    async def _batch_create(self, request: web.Request, caller: Caller, model_id: str) -> web.StreamResponse:
        self._authorize(request, caller, "BatchGenerateContent")
        body, _ = await self._json_body(request)
        self._spec(model_id, caller, "batchGenerateContent")
        batch = body.get("batch")
        if not isinstance(batch, dict):
            raise _bad("GenerateContentBatch is required.")
        input_config = _get(batch, "inputConfig") or {}
        keys: list[str | None] = []
        requests: list[Any] = []
        file_name = _get(input_config, "fileName")
        inline = (
            (input_config.get("requests") or {}).get("requests") if isinstance(input_config, dict) else None
        )
        if file_name:
            stored = self.files.get(str(file_name).removeprefix("files/"))
            if stored is None:
                raise ApiError(
                    403, f"You do not have permission to access the File {file_name} or it may not exist."
                )
            for number, line in enumerate(stored.data.decode().splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    raise _bad(f"Invalid JSON in line {number} of {file_name}.") from None
                keys.append(str(entry.get("key")) if isinstance(entry, dict) and "key" in entry else None)
                requests.append(entry.get("request") if isinstance(entry, dict) else None)
        elif isinstance(inline, list) and inline:
            for item in inline:
                meta = _get(item, "metadata") if isinstance(item, dict) else None
                keys.append(str(meta["key"]) if isinstance(meta, dict) and "key" in meta else None)
                requests.append(item.get("request") if isinstance(item, dict) else None)
        else:
            raise _bad("GenerateContentBatch.input_config must set requests or file_name.")
        batch_id = secrets.token_hex(10)
        job = BatchJob(
            batch_id=batch_id,
            model_id=model_id,
            display_name=str(_get(batch, "displayName") or ""),
            keys=keys,
            results=[self._batch_item(model_id, r, caller) for r in requests],
            input_file=str(file_name) if file_name else None,
            created_wall=time.time(),
            created_at=time.monotonic(),
            seconds=self.batch_seconds,
            fail=self.fail_batches,
        )
        self.batches[batch_id] = job
        return web.json_response(self._operation(job))

    def _batch_state(self, job: BatchJob) -> tuple[str, int, float | None]:
        """(state, items done, monotonic end time or None)."""
        now = time.monotonic()
        total = len(job.results)
        if job.cancelled_at is not None:
            return "BATCH_STATE_CANCELLED", 0, job.cancelled_at
        if job.failed_at is not None:
            return "BATCH_STATE_FAILED", 0, job.failed_at
        elapsed = now - job.created_at
        end = job.created_at + job.seconds
        if elapsed >= job.seconds:
            return ("BATCH_STATE_FAILED" if job.fail else "BATCH_STATE_SUCCEEDED"), total, end
        pending_for = job.seconds * 0.25
        if elapsed < pending_for:
            return "BATCH_STATE_PENDING", 0, None
        done = min(total - 1, int(total * (elapsed - pending_for) / (job.seconds - pending_for)))
        return "BATCH_STATE_RUNNING", max(done, 0), None

    def _batch_output_file(self, job: BatchJob) -> str:
        if job.output_file is None:
            lines = []
            for key, (response, error) in zip(job.keys, job.results, strict=True):
                line: dict[str, Any] = {"key": key} if key is not None else {}
                line.update({"response": response} if response is not None else {"error": error})
                lines.append(json.dumps(line, ensure_ascii=False))
            file_id = f"batch-{job.batch_id}"
            self.files[file_id] = StoredFile(
                file_id=file_id,
                display_name=f"{job.name} responses",
                mime_type="application/jsonl",
                data=("\n".join(lines) + "\n").encode(),
                create_time=time.time(),
                uri=f"{self.url}/v1beta/files/{file_id}",
                source="GENERATED",
            )
            job.output_file = f"files/{file_id}"
        return job.output_file

    def _operation(self, job: BatchJob) -> dict[str, Any]:
        state, done, end = self._batch_state(job)
        total = len(job.results)
        finished = job.results[:done]
        failed = sum(1 for _, error in finished if error is not None)
        wall_end = None if end is None else job.created_wall + (end - job.created_at)
        meta: dict[str, Any] = {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
            "model": f"models/{job.model_id}",
            "displayName": job.display_name,
            "name": job.name,
            "createTime": rfc3339(job.created_wall),
            "updateTime": rfc3339(wall_end if wall_end is not None else time.time()),
            "batchStats": {
                "requestCount": str(total),
                "successfulRequestCount": str(done - failed),
                "failedRequestCount": str(failed),
                "pendingRequestCount": str(total - done),
            },
            "state": state,
            "priority": "0",
        }
        if job.input_file:
            meta["inputConfig"] = {"fileName": job.input_file}
        operation: dict[str, Any] = {"name": job.name, "metadata": meta}
        if state in _TERMINAL:
            meta["endTime"] = rfc3339(wall_end or time.time())
            operation["done"] = True
            if state == "BATCH_STATE_SUCCEEDED":
                if job.input_file:
                    meta["output"] = {"responsesFile": self._batch_output_file(job)}
                else:
                    responses = []
                    for key, (response, error) in zip(job.keys, job.results, strict=True):
                        item: dict[str, Any] = (
                            {"response": response} if response is not None else {"error": error}
                        )
                        if key is not None:
                            item["metadata"] = {"key": key}
                        responses.append(item)
                    meta["output"] = {"inlinedResponses": {"inlinedResponses": responses}}
                operation["response"] = dict(meta)
            elif state == "BATCH_STATE_FAILED":
                operation["error"] = {
                    "code": GRPC_CODES["INTERNAL"],
                    "message": "Batch job failed: internal error.",
                }
            else:
                operation["error"] = {"code": GRPC_CODES["CANCELLED"], "message": "Batch job was cancelled."}
        return operation

    def _find_batch(self, batch_id: str) -> BatchJob:
        job = self.batches.get(batch_id)
        if job is None:
            raise ApiError(404, "Requested entity was not found.")
        return job

    async def _batch_get(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "GetOperation")
        return web.json_response(self._operation(self._find_batch(request.match_info["batch"])))

    async def _batch_list(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "ListOperations")
        page, token = _paginate(list(self.batches.values()), request, default_size=50, max_size=1000)
        body: dict[str, Any] = {"operations": [self._operation(job) for job in page]} if page else {}
        if token:
            body["nextPageToken"] = token
        return web.json_response(body)

    async def _batch_post(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "CancelOperation")
        batch_id, _, method = request.match_info["target"].partition(":")
        if method != "cancel":
            raise ApiError(404, f"Method not found: {method or request.path}")
        job = self._find_batch(batch_id)
        if self._batch_state(job)[0] in _TERMINAL:
            raise ApiError(400, "Batch job is already in a terminal state.", status="FAILED_PRECONDITION")
        job.cancelled_at = time.monotonic()
        return web.json_response({})

    async def _batch_delete(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "DeleteOperation")
        self._find_batch(request.match_info["batch"])
        del self.batches[request.match_info["batch"]]
        return web.json_response({})

    # --- Files API ------------------------------------------------------------------------------

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        self.endpoint_counts["files.upload"] = self.endpoint_counts.get("files.upload", 0) + 1
        caller = Caller(request.match_info["version"])
        upload_id = request.query.get("upload_id")
        try:
            if upload_id is None:
                return await self._upload_start(request, caller)
            return await self._upload_chunk(request, upload_id)
        except ApiError as error:
            return error.response()

    async def _upload_start(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "CreateFile")
        if request.headers.get("X-Goog-Upload-Protocol", "").lower() != "resumable":
            raise _bad("Only the resumable upload protocol is supported by this fake.")
        if request.headers.get("X-Goog-Upload-Command", "").lower() != "start":
            raise _bad("The first request of a resumable upload must have X-Goog-Upload-Command: start.")
        body, _ = await self._json_body(request)
        file_meta = body.get("file") or {}
        try:
            size = int(request.headers.get("X-Goog-Upload-Header-Content-Length", "0"))
        except ValueError:
            raise _bad("Invalid X-Goog-Upload-Header-Content-Length.") from None
        mime = request.headers.get("X-Goog-Upload-Header-Content-Type") or _get(file_meta, "mimeType") or ""
        if not mime:
            raise _bad("Upload has no MIME type.")
        upload_id = secrets.token_urlsafe(24)
        self._uploads[upload_id] = _Upload(str(_get(file_meta, "displayName") or ""), str(mime), size)
        upload_url = (
            f"{self.url}/upload/{caller.api_version}/files?upload_id={upload_id}&upload_protocol=resumable"
        )
        headers = {
            "X-Goog-Upload-URL": upload_url,
            "X-Goog-Upload-Status": "active",
            "X-Goog-Upload-Chunk-Granularity": str(UPLOAD_CHUNK_GRANULARITY),
        }
        return web.Response(status=200, headers=headers)

    async def _upload_chunk(self, request: web.Request, upload_id: str) -> web.StreamResponse:
        upload = self._uploads.get(upload_id)
        if upload is None:
            raise ApiError(404, "Upload session not found or expired.")
        command = {c.strip().lower() for c in request.headers.get("X-Goog-Upload-Command", "").split(",")}
        data = await request.read()
        if "upload" in command:
            offset = int(request.headers.get("X-Goog-Upload-Offset", "0") or 0)
            if offset != len(upload.data):
                raise _bad(f"Invalid X-Goog-Upload-Offset {offset}; expected {len(upload.data)}.")
            upload.data.extend(data)
        if "finalize" not in command:
            return web.Response(status=200, headers={"X-Goog-Upload-Status": "active"})
        del self._uploads[upload_id]
        file_id = secrets.token_hex(6)
        stored = StoredFile(
            file_id=file_id,
            display_name=upload.display_name,
            mime_type=upload.mime_type,
            data=bytes(upload.data),
            create_time=time.time(),
            uri=f"{self.url}/v1beta/files/{file_id}",
        )
        self.files[file_id] = stored
        return web.json_response({"file": stored.resource()}, headers={"X-Goog-Upload-Status": "final"})

    async def _file_get(self, request: web.Request, caller: Caller) -> web.StreamResponse:
        self._authorize(request, caller, "GetFile")
        file_id, _, method = request.match_info["target"].partition(":")
        stored = self.files.get(file_id)
        if stored is None:
            raise ApiError(
                403, f"You do not have permission to access the File {file_id} or it may not exist."
            )
        if method == "download" or request.path.startswith("/download/"):
            if request.query.get("alt") != "media":
                raise _bad("Downloads need alt=media.")
            return web.Response(body=stored.data, content_type="application/octet-stream")
        if method:
            raise ApiError(404, f"Method not found: {method}")
        return web.json_response(stored.resource())

    # --- OAuth2 token endpoint ------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.StreamResponse:
        """A service-account JWT-bearer grant (RFC 7523), as google-auth sends it to ``token_uri``."""
        self.endpoint_counts["oauth2.token"] = self.endpoint_counts.get("oauth2.token", 0) + 1
        form = await request.post()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return _oauth_error("unsupported_grant_type", "Invalid grant_type.")
        assertion = form.get("assertion")
        if not isinstance(assertion, str) or assertion.count(".") != 2:
            return _oauth_error("invalid_request", "Missing or malformed assertion.")
        try:
            claims = json.loads(_b64url(assertion.split(".")[1]))
        except ValueError:
            return _oauth_error("invalid_grant", "Invalid JWT: payload is not JSON.")
        if not isinstance(claims, dict) or not claims.get("iss"):
            return _oauth_error("invalid_grant", "Invalid JWT: no iss claim.")
        if claims.get("aud") not in (self.token_url, *_GOOGLE_TOKEN_AUDIENCES):
            return _oauth_error(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.",
            )
        if not isinstance(claims.get("exp"), int | float) or claims["exp"] < time.time():
            return _oauth_error(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.",
            )
        token = f"ya29.fake-{secrets.token_urlsafe(24)}"
        self.issued_tokens.append(token)
        if self.access_tokens is not None:
            self.access_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 3600, "token_type": "Bearer"})

    # --- control endpoints ----------------------------------------------------------------------

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
        for model_id in mode.get("retire_models") or []:
            self.retire_model(str(model_id))
        try:
            for model_id in mode.get("restore_models") or []:
                self.restore_model(str(model_id))
        except KeyError as exc:
            return web.json_response(_error_body(400, str(exc)), status=400)
        if "api_keys" in mode:
            self.set_api_keys(mode["api_keys"])
        if "access_tokens" in mode:
            self.set_access_tokens(mode["access_tokens"])
        if mode.get("expire_caches"):
            self.expire_caches()
        if "batch_seconds" in mode:
            self.batch_seconds = float(mode["batch_seconds"])
        if "fail_batches" in mode:
            self.fail_batches = bool(mode["fail_batches"])
        if "fail_batch_items_containing" in mode:
            value = mode["fail_batch_items_containing"]
            self.fail_batch_items_containing = None if value is None else str(value)
        return web.json_response(self.stats())


_GOOGLE_TOKEN_AUDIENCES: Final = (
    "https://oauth2.googleapis.com/token",
    "https://www.googleapis.com/oauth2/v4/token",
)
"""Audiences google-auth puts in a service account's grant assertion (besides its token_uri)."""

_TERMINAL: Final = frozenset(
    {"BATCH_STATE_SUCCEEDED", "BATCH_STATE_FAILED", "BATCH_STATE_CANCELLED", "BATCH_STATE_EXPIRED"}
)


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _oauth_error(error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=400)


def _paginate(
    items: list[Any], request: web.Request, *, default_size: int, max_size: int
) -> tuple[list[Any], str | None]:
    """One page of ``items`` for ``pageSize``/``pageToken``, and the next page's token (if any)."""
    try:
        size = int(request.query.get("pageSize") or default_size)
    except ValueError:
        raise _bad("Invalid page_size.") from None
    size = default_size if size <= 0 else min(size, max_size)
    token = request.query.get("pageToken")
    start = 0
    if token:
        try:
            start = int(_b64url(token).decode().removeprefix("offset:"))
        except ValueError:
            raise _bad("Invalid page token.") from None
    page = items[start : start + size]
    following = start + size
    next_token = (
        base64.urlsafe_b64encode(f"offset:{following}".encode()).decode().rstrip("=")
        if following < len(items)
        else None
    )
    return page, next_token


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeGemini(
        host=args.host,
        port=args.port,
        latency=args.latency,
        api_keys=args.api_key or None,
        batch_seconds=args.batch_seconds,
        implicit_cache_min_tokens=args.implicit_cache_min_tokens,
    )
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
    parser.add_argument("--api-key", action="append", help="accept only these API keys (repeatable)")
    parser.add_argument("--batch-seconds", type=float, default=0.5, help="how long a batch job runs")
    parser.add_argument(
        "--implicit-cache-min-tokens", type=int, default=4096, help="shortest prefix implicit caching takes"
    )
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
