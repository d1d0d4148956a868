"""What an LLM call costs: a price table per model, in US dollars per million tokens.

The built-in table holds Google's list prices for the Gemini API's paid tier as published on
https://ai.google.dev/gemini-api/docs/pricing (read 2026-12); ``GEMINI_PRICES`` adds to it or
overrides it, for a negotiated price, a new model, or prices that changed. Thinking tokens are
billed as output tokens, and cached input tokens at the cached price; the Batch API bills half.
The estimate leaves out the explicit cache's storage (per token-hour: a few thousand tokens cost
well under a cent an hour).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from schemas import TokenUsage

PER_TOKENS: Final = 1_000_000
BATCH_DISCOUNT: Final = 0.5


@dataclass(frozen=True, slots=True)
class Price:
    """USD per million tokens: fresh input, input read from a cache, output (thinking included)."""

    input: float
    cached: float
    output: float

    def cost(self, usage: TokenUsage, *, batch: bool = False) -> float:
        """The estimated cost of ``usage`` in USD."""
        fresh = max(0, usage.prompt_tokens - usage.cached_tokens)
        dollars = (
            fresh * self.input
            + usage.cached_tokens * self.cached
            + (usage.output_tokens + usage.thought_tokens) * self.output
        ) / PER_TOKENS
        return dollars * BATCH_DISCOUNT if batch else dollars


BUILT_IN_PRICES: Final[Mapping[str, Price]] = {
    "gemini-3.5-flash-lite": Price(input=0.30, cached=0.03, output=2.50),
    "gemini-3.1-flash-lite": Price(input=0.25, cached=0.025, output=1.50),
    "gemini-3.5-flash": Price(input=1.50, cached=0.15, output=9.00),
    "gemini-3.8-flash": Price(input=0.75, cached=0.075, output=3.75),
    "gemini-2.5-flash-lite": Price(input=0.10, cached=0.01, output=0.40),
}


class PriceTableError(ValueError):
    """``GEMINI_PRICES`` is not a JSON object of models to input/cached/output prices."""


def parse_prices(text: str) -> dict[str, Price]:
    """``GEMINI_PRICES``: ``{"model": {"input": 0.3, "cached": 0.03, "output": 2.5}}``.

    ``cached`` may be left out (a tenth of ``input``, Google's discount for cached tokens).
    """
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"GEMINI_PRICES is not JSON: {exc}"
        raise PriceTableError(msg) from None
    if not isinstance(data, dict):
        msg = 'GEMINI_PRICES must be a JSON object such as {"gemini-3.5-flash-lite": {"input": 0.3, ...}}'
        raise PriceTableError(msg)
    prices: dict[str, Price] = {}
    for model, entry in data.items():
        try:
            if not isinstance(entry, dict) or not {"input", "output"} <= entry.keys():
                raise TypeError
            given_input, output = float(entry["input"]), float(entry["output"])
            cached = float(entry.get("cached", given_input / 10))
        except (TypeError, ValueError):
            msg = f'GEMINI_PRICES["{model}"] needs numbers "input" and "output" (and optionally "cached")'
            raise PriceTableError(msg) from None
        if min(given_input, cached, output) < 0:
            msg = f'GEMINI_PRICES["{model}"]: prices cannot be negative'
            raise PriceTableError(msg)
        prices[model_id(model)] = Price(input=given_input, cached=cached, output=output)
    return prices


def model_id(model: str | None) -> str:
    """The model's id: ``models/x`` and Vertex's ``publishers/google/models/x`` name the model ``x``."""
    return (model or "").rsplit("/", 1)[-1]


class PriceTable:
    """The built-in prices with ``GEMINI_PRICES`` on top."""

    def __init__(self, overrides: Mapping[str, Price] | None = None) -> None:
        self._prices = {**BUILT_IN_PRICES, **(overrides or {})}

    @classmethod
    def from_setting(cls, text: str) -> PriceTable:
        """The table for a ``GEMINI_PRICES`` value (raises ``PriceTableError``)."""
        return cls(parse_prices(text))

    def price(self, model: str) -> Price | None:
        """The price of ``model``; a dated variant (``x-001``) falls back to its base model."""
        name = model_id(model)
        found = self._prices.get(name)
        if found is None and "-" in name:
            base, _, suffix = name.rpartition("-")
            if suffix.isdigit():
                found = self._prices.get(base)
        return found

    def cost(self, model: str, usage: TokenUsage, *, batch: bool = False) -> float | None:
        """The estimated cost in USD, or None for a model the table does not know."""
        price = self.price(model)
        return None if price is None else round(price.cost(usage, batch=batch), 8)
