"""What the Gemini analyzer's unit tests share: settings pointed at the fake, and reading a request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from consumer.analyzer.gemini import GeminiAnalyzer
from consumer.settings import Settings

API_KEY = "test-key-5f1e9c0d-SECRET"
MODEL = "gemini-3.5-flash-lite"

AnalyzerFactory = Callable[..., GeminiAnalyzer]


def make_settings(base_url: str, **overrides: Any) -> Settings:
    """Settings for tests: tiny backoff, short timeout, the fake's URL."""
    values: dict[str, Any] = {
        "gemini_api_key": SecretStr(API_KEY),
        "gemini_base_url": base_url,
        "gemini_model": MODEL,
        "llm_timeout_s": 5.0,
        "llm_attempts": 3,
        "llm_backoff_initial_s": 0.01,
        "llm_backoff_max_s": 0.05,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def proto_field(message: dict[str, Any], name: str) -> Any:
    """A field of a JSON request as Google's APIs read it: lowerCamelCase or the proto's snake_case
    (the SDK sends nested config models in snake_case)."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
    return message.get(name, message.get(snake))
