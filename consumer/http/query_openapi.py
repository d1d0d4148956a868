"""OpenAPI paths of the read API, with their query parameters generated from ``schemas.query``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from schemas import ErrorBody
from schemas.query import (
    CallPage,
    CallRecord,
    CallsQuery,
    CallStats,
    DeadLetterPage,
    DeadLettersQuery,
    StatsQuery,
)

QUERY_MODELS: tuple[type[BaseModel], ...] = (CallPage, CallRecord, CallStats, DeadLetterPage)
"""Response models whose schemas go into the document's components."""

_REF = "#/components/schemas/{model}"


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI ``in: query`` parameters, one per field of a query model."""
    schema = model.model_json_schema(ref_template=_REF)
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def query_paths() -> dict[str, Any]:
    """The path items of GET /calls, /calls/{unique_id}, /stats and /dead_letters."""
    bad = _json(ErrorBody, "A parameter is invalid; `parameter` names it")
    down = _json(ErrorBody, "The database is unavailable; retry later")
    return {
        "/calls": {
            "get": {
                "summary": "Stored insights, newest first, filtered; keyset pages",
                "description": "List items leave out the transcript; GET /calls/{unique_id} has it.",
                "operationId": "list_calls",
                "parameters": query_parameters(CallsQuery),
                "responses": {"200": _json(CallPage, "One page"), "400": bad, "503": down},
            }
        },
        "/calls/{unique_id}": {
            "get": {
                "summary": "One stored insight with its transcript",
                "operationId": "get_call",
                "parameters": [
                    {
                        "name": "unique_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    }
                ],
                "responses": {
                    "200": _json(CallRecord, "The record"),
                    "400": _json(ErrorBody, "unique_id is not a UUID"),
                    "404": _json(ErrorBody, "No record with this unique_id"),
                    "503": down,
                },
            }
        },
        "/stats": {
            "get": {
                "summary": "Counts by sentiment, intent and action over a window, and per time bucket",
                "operationId": "stats",
                "parameters": query_parameters(StatsQuery),
                "responses": {"200": _json(CallStats, "Counts"), "400": bad, "503": down},
            }
        },
        "/dead_letters": {
            "get": {
                "summary": "Records sent to the dead-letter topic, newest first (without their values)",
                "operationId": "list_dead_letters",
                "parameters": query_parameters(DeadLettersQuery),
                "responses": {"200": _json(DeadLetterPage, "One page"), "400": bad, "503": down},
            }
        },
    }
