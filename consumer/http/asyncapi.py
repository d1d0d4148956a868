"""The AsyncAPI 3.0 document of the service's three topics, generated from the pydantic models.

``python -m schemas.generate`` writes it to ``schemas/asyncapi.yaml``; the sidecar serves that file
at ``GET /asyncapi.yaml``. Topic names, the bootstrap address and the group id are the settings'
defaults, never the environment of whoever runs the generator.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.resources
import uuid
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from consumer import __version__
from consumer.settings import Settings
from schemas.cloudevents import CloudEventHeaders, TraceContextHeaders, dead_letter_headers, insight_headers
from schemas.dead_letter import DeadLetterHeaders, ReplayHeaders
from schemas.models import (
    AnalyzerInfo,
    ContactStatus,
    InsightEvent,
    IntentCategory,
    Priority,
    PromiseToPay,
    Sentiment,
    TranscriptEvent,
)

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
_SCHEMA_REF = "#/components/schemas/{model}"


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


def _ref(target: str) -> dict[str, str]:
    return {"$ref": target}


def _schema_ref(model: type[BaseModel]) -> dict[str, str]:
    return _ref(_SCHEMA_REF.format(model=model.__name__))


def _example_transcript() -> TranscriptEvent:
    return TranscriptEvent(
        event_id=uuid.UUID("0b8f6c1e-3c1a-4d55-9a43-6f1f1f7b2a10"),
        call_id="CALL-2026-000123",
        transcript=(
            "Agent: Namaste, main Priya bol rahi hoon XYZ Finance se. Aapki EMI 5 din se overdue hai.\n"
            "Customer: Haan ji, Wednesday ko 5000 pakka kar dunga."
        ),
        language="hi-en",
        call_started_at=datetime.fromisoformat("2026-11-16T10:30:00+05:30"),
        agent_id="AG-17",
        account_ref="LN-88812",
    )


def _example_insight(source: TranscriptEvent) -> InsightEvent:
    return InsightEvent(
        event_id=InsightEvent.id_for(source.event_id),
        source_event_id=source.event_id,
        call_id=source.call_id,
        record_id=42,
        unique_id="5e0c7a1d-2f0b-4b8e-a6b1-0c9d3e2f4a51",
        customer_intent="Promise to Pay - Wednesday",
        intent_category=IntentCategory.PROMISE_TO_PAY,
        sentiment=Sentiment.POSITIVE,
        action_required=True,
        summary="Customer promised to pay the overdue EMI of 5000 rupees on Wednesday.",
        analyzer=AnalyzerInfo(provider="gemini", model=_default("gemini_model")),
        processed_at=datetime(2026, 11, 16, 5, 1, 2, 123000, tzinfo=UTC),
        processing_time_ms=812.4,
        contact_status=ContactStatus.RIGHT_PARTY,
        promise_to_pay=PromiseToPay(
            amount_inr=5000, due_date=date(2026, 11, 18), due_text="Wednesday", confidence=0.9
        ),
        priority=Priority.NORMAL,
    )


def _example_dead_letter() -> dict[str, Any]:
    headers = DeadLetterHeaders(
        reason="schema_invalid",
        error="1 validation error for TranscriptEvent: event_id: Field required",
        original_topic=_default("kafka_input_topic"),
        original_partition="2",
        original_offset="1187",
        attempts="1",
        failed_at=datetime(2026, 11, 16, 5, 1, 3, tzinfo=UTC),
    )
    failed_at = datetime(2026, 11, 16, 5, 1, 3, tzinfo=UTC)
    cloud = dict(dead_letter_headers(_default("kafka_input_topic"), 2, 1187, failed_at, json_value=True))
    return {
        "name": "schemaInvalid",
        "summary": "A TranscriptEvent without an event_id",
        "headers": {
            **headers.model_dump(mode="json", by_alias=True),
            **{name: value.decode() for name, value in cloud.items()},
        },
        "payload": '{"call_id": "CALL-2026-000124", "transcript": "Agent: ..."}',
    }


def _key(description: str) -> dict[str, Any]:
    return {
        "key": {"type": "string", "description": description, "examples": ["CALL-2026-000123"]},
        "bindingVersion": KAFKA_BINDING_VERSION,
    }


def _channel(setting: str, env: str, description: str, message: str) -> dict[str, Any]:
    return {
        "address": _default(setting),
        "title": env,
        "description": f"{description} The address is the default of `{env}`.",
        "messages": {message: _ref(f"#/components/messages/{message}")},
        "bindings": {"kafka": {"bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _operation(action: str, channel: str, message: str, summary: str, **extra: Any) -> dict[str, Any]:
    return {
        "action": action,
        "channel": _ref(f"#/channels/{channel}"),
        "summary": summary,
        "messages": [_ref(f"#/channels/{channel}/messages/{message}")],
        **extra,
    }


def build_asyncapi() -> dict[str, Any]:
    """AsyncAPI 3.0 document: servers, the three channels, what the service does on each."""
    _, defs = models_json_schema(
        [
            (TranscriptEvent, "validation"),
            (InsightEvent, "serialization"),
            (DeadLetterHeaders, "validation"),
            (ReplayHeaders, "validation"),
            (CloudEventHeaders, "validation"),
            (TraceContextHeaders, "validation"),
        ],
        ref_template=_SCHEMA_REF,
    )
    transcript = _example_transcript()
    insight = _example_insight(transcript)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "call-insights events",
            "version": __version__,
            "description": (
                "Transcripts of debt-collection calls in, structured insights out. Values are UTF-8 JSON "
                "and the Kafka key is the `call_id`, except on the dead-letter topic, which keeps the "
                "original key and value bytes unchanged. Delivery is at least once: consumers "
                "de-duplicate on `event_id`."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": _default("kafka_bootstrap_servers"),
                "protocol": "kafka",
                "description": "The Kafka cluster; `KAFKA_BOOTSTRAP_SERVERS` (default shown).",
            }
        },
        "channels": {
            "transcripts": _channel(
                "kafka_input_topic",
                "KAFKA_INPUT_TOPIC",
                "Finished calls' transcripts, published by the call-centre platform.",
                "TranscriptEvent",
            ),
            "insights": _channel(
                "kafka_output_topic",
                "KAFKA_OUTPUT_TOPIC",
                "One InsightEvent per stored transcript, published from the outbox, with CloudEvents "
                "binary-mode headers (ce_id = event_id).",
                "InsightEvent",
            ),
            "deadLetters": _channel(
                "kafka_dlq_topic",
                "KAFKA_DLQ_TOPIC",
                "Records the service could not process, with the reason and CloudEvents attributes in "
                "headers.",
                "DeadLetter",
            ),
        },
        "operations": {
            "receiveTranscripts": _operation(
                "receive",
                "transcripts",
                "TranscriptEvent",
                "The service analyses and stores each transcript (one row per event_id).",
                bindings={
                    "kafka": {
                        "groupId": {
                            "type": "string",
                            "description": "`KAFKA_GROUP_ID`",
                            "default": _default("kafka_group_id"),
                        },
                        "bindingVersion": KAFKA_BINDING_VERSION,
                    }
                },
            ),
            "sendInsights": _operation(
                "send",
                "insights",
                "InsightEvent",
                "The service publishes the insight of each stored transcript (acks=all).",
            ),
            "sendDeadLetters": _operation(
                "send",
                "deadLetters",
                "DeadLetter",
                "The service dead-letters records that can never be processed, and moves on.",
            ),
        },
        "components": {
            "messages": {
                "TranscriptEvent": {
                    "name": "TranscriptEvent",
                    "title": "Transcript event",
                    "summary": "A finished call's transcript. `event_id`, `call_id` and one of "
                    "`transcript` / `turns` are required.",
                    "contentType": "application/json",
                    "headers": {"allOf": [_schema_ref(ReplayHeaders), _schema_ref(TraceContextHeaders)]},
                    "payload": _schema_ref(TranscriptEvent),
                    "bindings": {"kafka": _key("The `call_id`.")},
                    "examples": [
                        {
                            "name": "promiseToPay",
                            "summary": "A Hinglish promise to pay",
                            "payload": transcript.model_dump(mode="json", exclude_none=True),
                        }
                    ],
                },
                "InsightEvent": {
                    "name": "InsightEvent",
                    "title": "Insight event",
                    "summary": "What the customer meant, how they felt and whether the collections team "
                    "must act. `event_id` is the same on every re-publish.",
                    "contentType": "application/json",
                    "headers": {"allOf": [_schema_ref(CloudEventHeaders), _schema_ref(TraceContextHeaders)]},
                    "payload": _schema_ref(InsightEvent),
                    "bindings": {"kafka": _key("The `call_id`.")},
                    "examples": [
                        {
                            "name": "promiseToPay",
                            "summary": "The insight of the promiseToPay transcript",
                            "headers": {
                                name: value.decode()
                                for name, value in insight_headers(insight.event_id, insight.processed_at)
                            },
                            "payload": insight.model_dump(mode="json"),
                        }
                    ],
                },
                "DeadLetter": {
                    "name": "DeadLetter",
                    "title": "Dead letter",
                    "summary": "A record the service could not process: its original bytes, the reason "
                    "in headers.",
                    "contentType": "application/octet-stream",
                    "headers": {
                        "allOf": [
                            _schema_ref(DeadLetterHeaders),
                            _schema_ref(CloudEventHeaders),
                            _schema_ref(TraceContextHeaders),
                        ]
                    },
                    "payload": {
                        "type": "string",
                        "format": "binary",
                        "description": "The original record's value bytes, unchanged: usually a "
                        "TranscriptEvent, but possibly not UTF-8, not JSON or not an object.",
                    },
                    "bindings": {
                        "kafka": _key("The original record's key bytes, unchanged (the `call_id`).")
                    },
                    "examples": [_example_dead_letter()],
                },
            },
            "schemas": defs["$defs"],
        },
    }


@functools.cache
def _shipped_document() -> bytes:
    return importlib.resources.files("schemas").joinpath("asyncapi.yaml").read_bytes()


async def asyncapi_yaml(_: web.Request) -> web.Response:
    """GET /asyncapi.yaml: the AsyncAPI document shipped in the package."""
    body = await asyncio.to_thread(_shipped_document)
    return web.Response(body=body, content_type="application/yaml", charset="utf-8")
