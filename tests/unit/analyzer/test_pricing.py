"""The LLM price table and the cost estimate."""

from __future__ import annotations

import pytest

from consumer.analyzer.pricing import BUILT_IN_PRICES, Price, PriceTable, PriceTableError, parse_prices
from schemas import TokenUsage

USAGE = TokenUsage(prompt_tokens=3000, cached_tokens=2600, thought_tokens=50, output_tokens=150)


def test_cost_prices_fresh_cached_and_output_tokens_apart() -> None:
    price = Price(input=0.30, cached=0.03, output=2.50)
    expected = (400 * 0.30 + 2600 * 0.03 + 200 * 2.50) / 1_000_000
    assert price.cost(USAGE) == pytest.approx(expected)
    assert price.cost(USAGE, batch=True) == pytest.approx(expected / 2)


def test_the_cache_cuts_the_input_cost() -> None:
    price = BUILT_IN_PRICES["gemini-3.5-flash-lite"]
    uncached = TokenUsage(prompt_tokens=3000)
    cached = TokenUsage(prompt_tokens=3000, cached_tokens=2600)
    assert price.cost(cached) < 0.25 * price.cost(uncached)


def test_the_table_knows_todays_default_and_names_in_any_form() -> None:
    table = PriceTable()
    assert table.price("gemini-3.5-flash-lite") == BUILT_IN_PRICES["gemini-3.5-flash-lite"]
    assert table.price("models/gemini-3.5-flash-lite") == table.price("gemini-3.5-flash-lite")
    assert table.price("publishers/google/models/gemini-3.8-flash") == BUILT_IN_PRICES["gemini-3.8-flash"]
    assert table.price("gemini-3.1-flash-lite-001") == BUILT_IN_PRICES["gemini-3.1-flash-lite"]
    assert table.price("some-other-model") is None
    assert table.cost("some-other-model", USAGE) is None


def test_overrides_add_and_replace() -> None:
    table = PriceTable.from_setting(
        '{"gemini-3.5-flash-lite": {"input": 0.2, "cached": 0.02, "output": 2},'
        ' "tuned-x": {"input": 1, "output": 4}}'
    )
    assert table.price("gemini-3.5-flash-lite") == Price(0.2, 0.02, 2.0)
    assert table.price("tuned-x") == Price(1.0, 0.1, 4.0)  # cached defaults to a tenth of input
    assert table.price("gemini-3.8-flash") == BUILT_IN_PRICES["gemini-3.8-flash"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"m": {"input": 1}}', '"input" and "output"'),
        ('{"m": {"input": "x", "output": 1}}', '"input" and "output"'),
        ('{"m": {"input": -1, "output": 1}}', "negative"),
    ],
)
def test_bad_tables_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(PriceTableError, match=message):
        parse_prices(text)


def test_an_empty_setting_is_the_built_in_table() -> None:
    assert parse_prices("  ") == {}
