"""What one Gemini analysis request says, shared by the live analyzer and the Batch API backfill.

- The **answer schema** is the JSON Schema of ``LLMAnswer`` without titles, descriptions and
  bounds: it travels in every request's generation config (a cache cannot hold it), so it is kept
  lean, and the guidance for each field lives in the system instruction, which can be cached.
  Bounds are checked by the service when it validates the answer.
- **Thinking**: Gemini 3 models take ``thinking_level``; earlier ones (2.5) a ``thinking_budget``,
  which the level is translated to. Google documents that the two cannot be combined.
- **Temperature** is left to the model unless ``GEMINI_TEMPERATURE`` is set: Google advises keeping
  Gemini 3 models at their default of 1.0.
- The **usage** Gemini reports (``usageMetadata``) becomes a ``TokenUsage``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, Final

from google.genai import types

from consumer.analyzer.enrich import from_llm
from consumer.analyzer.prompt import SYSTEM_INSTRUCTION, build_prompt
from consumer.analyzer.text.redact import redact_text
from schemas import CallAnalysis, LLMAnswer, TokenUsage

_DROPPED_KEYWORDS: Final = frozenset(
    {"title", "description", "default", "maxLength", "minLength", "minimum", "maximum"}
)
# Models before Gemini 3 take a thinking budget in tokens, not a level.
_BUDGET_MODEL: Final = re.compile(r"(?:^|/)gemini-(?:1|2)\.")
# The budget per level for those models (2.5 Flash and Flash-Lite: 0 turns thinking off; 2.5 Pro
# cannot switch it off and takes at least 128).
_BUDGETS: Final = {"minimal": 0, "low": 1024, "medium": 8192, "high": 24576}
_PRO_MIN_BUDGET: Final = 128


def _lean(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` without the dropped keywords, each ``$ref`` replaced by its definition (every one is
    used once or twice: inline is shorter), and ``{"anyOf": [X, {"type": "null"}]}`` written as X
    with ``"type": [X's type, "null"]``, which says the same."""
    if isinstance(node, list):
        return [_lean(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        rest = {key: value for key, value in node.items() if key != "$ref"}
        return _lean({**defs[node["$ref"].rpartition("/")[2]], **rest}, defs)
    lean = {key: _lean(value, defs) for key, value in node.items() if key not in _DROPPED_KEYWORDS}
    lean.pop("$defs", None)
    options = lean.get("anyOf")
    if (
        isinstance(options, list)
        and len(options) == 2
        and options[1] == {"type": "null"}
        and isinstance(options[0], dict)
        and isinstance(options[0].get("type"), str)
    ):
        del lean["anyOf"]
        lean.update(options[0])
        lean["type"] = [options[0]["type"], "null"]
    return lean


def answer_schema() -> dict[str, Any]:
    """The lean JSON Schema of the answer (``responseJsonSchema``).

    A compliance flag's ``speaker`` is left out: flags are about the agent's conduct only, and the
    model's default says so.
    """
    full = LLMAnswer.model_json_schema()
    schema: dict[str, Any] = _lean(full, full.get("$defs", {}))
    flag = schema["properties"]["compliance_flags"]["items"]
    del flag["properties"]["speaker"]
    return schema


def thinking_config(model: str, level: str | None) -> types.ThinkingConfig | None:
    """The thinking setting for ``model`` at ``level`` (None: the model's default)."""
    if level is None:
        return None
    if _BUDGET_MODEL.search(model):
        budget = _BUDGETS[level]
        if "-pro" in model:
            budget = max(budget, _PRO_MIN_BUDGET)
        return types.ThinkingConfig(thinking_budget=budget)
    return types.ThinkingConfig(thinking_level=types.ThinkingLevel(level.upper()))


def user_prompt(transcript: str, call_started_at: datetime | None) -> str:
    """The user turn for one call, personal identifiers redacted before anything leaves."""
    return build_prompt(redact_text(transcript), call_started_at)


def system_instruction() -> str:
    """The fixed instruction: the task, the labels, the field guide, examples."""
    return SYSTEM_INSTRUCTION


def usage_of(metadata: types.GenerateContentResponseUsageMetadata | None) -> TokenUsage:
    """Gemini's ``usageMetadata`` of one response as a TokenUsage of one request."""
    if metadata is None:
        return TokenUsage()
    return TokenUsage(
        prompt_tokens=metadata.prompt_token_count or 0,
        cached_tokens=metadata.cached_content_token_count or 0,
        thought_tokens=metadata.thoughts_token_count or 0,
        output_tokens=metadata.candidates_token_count or 0,
    )


def add_usage(total: TokenUsage | None, more: TokenUsage) -> TokenUsage:
    """The sum of two usages (requests add up too)."""
    if total is None:
        return more
    return TokenUsage(
        prompt_tokens=total.prompt_tokens + more.prompt_tokens,
        cached_tokens=total.cached_tokens + more.cached_tokens,
        thought_tokens=total.thought_tokens + more.thought_tokens,
        output_tokens=total.output_tokens + more.output_tokens,
        requests=total.requests + more.requests,
    )


def parse_answer(text: str, call_started_at: datetime | None) -> CallAnalysis:
    """Validate Gemini's JSON answer and finish it into a CallAnalysis (raises
    ``pydantic.ValidationError`` when it does not match the schema)."""
    return from_llm(LLMAnswer.model_validate_json(text), call_started_at, now=datetime.now(UTC))


def request_dict(
    transcript: str,
    call_started_at: datetime | None,
    *,
    model: str,
    thinking_level: str | None,
    temperature: float | None,
) -> dict[str, Any]:
    """One self-contained GenerateContentRequest as REST JSON (for a Batch API request): the
    instruction travels with it, since a batch is billed at half price and runs in one go."""
    generation: dict[str, Any] = {
        "responseMimeType": "application/json",
        "responseJsonSchema": answer_schema(),
    }
    thinking = thinking_config(model, thinking_level)
    if thinking is not None:
        generation["thinkingConfig"] = (
            {"thinkingBudget": thinking.thinking_budget}
            if thinking.thinking_budget is not None
            else {"thinkingLevel": str(thinking_level).lower()}
        )
    if temperature is not None:
        generation["temperature"] = temperature
    return {
        "systemInstruction": {"parts": [{"text": system_instruction()}]},
        "contents": [{"role": "user", "parts": [{"text": user_prompt(transcript, call_started_at)}]}],
        "generationConfig": generation,
    }


def schema_bytes() -> int:
    """Size of the answer schema as sent (compact JSON)."""
    return len(json.dumps(answer_schema(), separators=(",", ":")))
