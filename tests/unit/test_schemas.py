"""Models, the generated JSON Schema files and the OpenAPI document agree."""

from __future__ import annotations

import uuid

from consumer.http.openapi import build_openapi
from schemas import CallAnalysis, InsightEvent, IntentCategory, Sentiment
from schemas.generate import HERE, rendered


def test_generated_files_are_current() -> None:
    """The JSON Schema files and asyncapi.yaml match the models."""
    for name, text in rendered().items():
        assert (HERE / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run `python -m schemas.generate`"
        )


def test_contract_values() -> None:
    assert [s.value for s in Sentiment] == ["Positive", "Neutral", "Negative"]
    assert {c.value for c in IntentCategory} == {
        "promise_to_pay", "already_paid", "dispute", "hardship", "settlement_request", "refuse_to_pay",
        "callback_request", "wrong_party", "information_request", "complaint", "other",
    }  # fmt: skip


def test_insight_event_id_is_deterministic() -> None:
    source = uuid.uuid4()
    assert InsightEvent.id_for(source) == InsightEvent.id_for(source)
    assert InsightEvent.id_for(source) != InsightEvent.id_for(uuid.uuid4())


def test_analysis_schema_drives_validation() -> None:
    schema = CallAnalysis.model_json_schema()
    assert set(schema["required"]) == {
        "customer_intent", "intent_category", "sentiment", "action_required", "summary",
    }  # fmt: skip


def test_openapi_uses_model_schemas() -> None:
    spec = build_openapi("test")
    assert spec["openapi"].startswith("3.1")
    request = spec["components"]["schemas"]["AnalyzeCallRequest"]
    assert request["required"] == ["transcript"]
    response = spec["components"]["schemas"]["AnalyzeCallResponse"]
    original = {"id", "unique_id", "customer_intent", "sentiment", "action_required", "summary",
                "raw_transcript", "processed_at", "processing_time_ms", "intent_category"}  # fmt: skip
    assert original <= set(response["required"])
