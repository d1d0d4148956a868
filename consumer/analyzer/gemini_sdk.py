"""The SDK's request models, made cheap to build: a schema shared by every copy of a config, and
config, content and part models that answer ``name in model`` at once. The request is unchanged."""

from __future__ import annotations

from typing import Any

from google.genai import types


class SharedSchema(dict[str, Any]):
    """A JSON Schema that is never changed after it is built, so copies may share it.

    The SDK deep-copies the request config on every call; for the answer schema (hundreds of
    nested objects) that copy was the largest part of the client's CPU per request.
    """

    def __copy__(self) -> SharedSchema:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedSchema:
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


class RequestConfig(_AnswersMembershipAtOnce, types.GenerateContentConfig):
    """The request config."""


class RequestContent(_AnswersMembershipAtOnce, types.Content):
    """A request content (the prompt, or a turn of a repair)."""


class RequestPart(_AnswersMembershipAtOnce, types.Part):
    """A request part."""
