"""The sidecar's OpenAPI document, generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from consumer.http.query_openapi import QUERY_MODELS, query_paths
from schemas import AnalyzeCallRequest, AnalyzeCallResponse, ErrorBody
from schemas.probes import Liveness, Readiness

_REF = "#/components/schemas/{model}"


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref(ErrorBody), description)


_ANY_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}

_IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Repeat a request safely: the same key and body give the same record and answer, "
    "without a second analysis, for IDEMPOTENCY_TTL_HOURS (24 h by default).",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$",
    },
}


def build_openapi(version: str) -> dict[str, Any]:
    """OpenAPI 3.1 document for every route of the sidecar."""
    models: tuple[type[BaseModel], ...] = (
        AnalyzeCallRequest,
        AnalyzeCallResponse,
        ErrorBody,
        Liveness,
        Readiness,
        *QUERY_MODELS,
    )
    _, defs = models_json_schema(
        [(m, "validation") for m in models],
        ref_template=_REF,
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "call-insights",
            "version": version,
            "description": "Structured insights from Hinglish debt-collection call transcripts.",
        },
        "paths": {
            "/analyze_call": {
                "post": {
                    "summary": "Analyze one transcript, store it and publish its InsightEvent",
                    "operationId": "analyze_call",
                    "parameters": [_IDEMPOTENCY_KEY],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(AnalyzeCallRequest)}},
                    },
                    "responses": {
                        "201": {
                            **_json(_ref(AnalyzeCallResponse), "Analyzed and stored"),
                            "headers": {
                                "Idempotent-Replayed": {
                                    "description": "true when an earlier request with the key made it",
                                    "schema": {"type": "string", "enum": ["true"]},
                                }
                            },
                        },
                        "400": _error("Body is not a JSON object, or the Idempotency-Key is malformed"),
                        "413": _error("Body over 2 MiB, or transcript over MAX_TRANSCRIPT_BYTES"),
                        "415": _error("Unsupported content type"),
                        "409": _error(
                            "Idempotency-Key used before with another body (error: idempotency_key_reused)"
                        ),
                        "422": _error("Body does not match the request schema"),
                        "502": _error("The LLM failed for this transcript"),
                        "503": _error("The LLM or the database is unavailable; retry later"),
                        "504": _error("No answer within HTTP_REQUEST_TIMEOUT_S (error: timeout)"),
                    },
                }
            },
            "/live": {
                "get": {
                    "summary": "Liveness: the process answers (no dependency is checked)",
                    "operationId": "live",
                    "responses": {"200": _json(_ref(Liveness), "The process is alive")},
                }
            },
            "/health": {
                "get": {
                    "summary": "Health with component detail (503 when a dependency is down)",
                    "operationId": "health",
                    "responses": {
                        "200": _json(_ANY_OBJECT, "All components healthy"),
                        "503": _json(_ANY_OBJECT, "Degraded: the body says which component is down"),
                    },
                }
            },
            "/ready": {
                "get": {
                    "summary": "Readiness: database reachable, migrations applied, consumer in its group",
                    "operationId": "ready",
                    "responses": {
                        "200": _json(_ref(Readiness), "Ready to take traffic"),
                        "503": _json(_ref(Readiness), "Not ready: `failing` names the checks that failed"),
                    },
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Prometheus metrics (OpenMetrics when the Accept header asks for it)",
                    "operationId": "metrics",
                    "responses": {
                        "200": {
                            "description": "Prometheus text exposition",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        }
                    },
                }
            },
            "/": {
                "get": {
                    "summary": "Service information; the dashboard for Accept: text/html",
                    "operationId": "info",
                    "responses": {
                        "200": {
                            "description": "Service information, or the dashboard page for a browser",
                            "content": {
                                "application/json": {"schema": _ANY_OBJECT},
                                "text/html": {"schema": {"type": "string"}},
                            },
                        }
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {"200": _json(_ANY_OBJECT, "OpenAPI document")},
                }
            },
            "/asyncapi.yaml": {
                "get": {
                    "summary": "The AsyncAPI 3.0 document of the Kafka topics",
                    "operationId": "asyncapi",
                    "responses": {
                        "200": {
                            "description": "AsyncAPI document",
                            # the schema describes the parsed YAML, a mapping
                            "content": {"application/yaml": {"schema": _ANY_OBJECT}},
                        }
                    },
                }
            },
            **query_paths(),
        },
        "components": {"schemas": defs["$defs"]},
    }
