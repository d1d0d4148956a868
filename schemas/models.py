"""Pydantic models: the single source for validation, the Gemini response schema,
the JSON Schema files in this folder and the OpenAPI document of the sidecar."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = 1
# Namespace for InsightEvent ids: uuid5(namespace, source event_id) is stable across re-publishes.
INSIGHT_NAMESPACE = uuid.UUID("6f1d3c52-8a44-4c1e-9d0b-6a2f8e7c1b90")


class Sentiment(StrEnum):
    """The customer's sentiment over the call."""

    POSITIVE = "Positive"
    NEUTRAL = "Neutral"
    NEGATIVE = "Negative"


class IntentCategory(StrEnum):
    """What the customer means to do about the debt, one label per call."""

    PROMISE_TO_PAY = "promise_to_pay"
    ALREADY_PAID = "already_paid"
    DISPUTE = "dispute"
    HARDSHIP = "hardship"
    SETTLEMENT_REQUEST = "settlement_request"
    REFUSE_TO_PAY = "refuse_to_pay"
    CALLBACK_REQUEST = "callback_request"
    WRONG_PARTY = "wrong_party"
    INFORMATION_REQUEST = "information_request"
    COMPLAINT = "complaint"
    OTHER = "other"


class CallAnalysis(BaseModel):
    """What an analyzer (Gemini or offline) says about one call.

    This is the structured-output schema sent to Gemini and the shape every analyzer returns.
    """

    model_config = ConfigDict(extra="ignore", use_enum_values=False)

    customer_intent: str = Field(
        min_length=1,
        max_length=200,
        description='Short free-text intent, e.g. "Promise to Pay - Wednesday".',
    )
    intent_category: IntentCategory = Field(description="One category from the fixed list.")
    sentiment: Sentiment = Field(description="The customer's sentiment, not the agent's.")
    action_required: bool = Field(
        description="True when the collections team must do something after the call."
    )
    summary: str = Field(min_length=1, max_length=1000, description="One or two sentences in English.")


class Speaker(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"
    OTHER = "other"


class Turn(BaseModel):
    """One utterance of a diarised transcript."""

    model_config = ConfigDict(extra="ignore")

    speaker: Speaker
    text: str = Field(max_length=100_000)
    start_ms: int | None = Field(default=None, ge=0)
    end_ms: int | None = Field(default=None, ge=0)


class TranscriptEvent(BaseModel):
    """A finished call's transcript, as published by the call-centre platform."""

    model_config = ConfigDict(extra="ignore")

    schema_version: int = Field(default=SCHEMA_VERSION, ge=1)
    event_id: uuid.UUID = Field(description="Unique per event: the idempotency key.")
    call_id: str = Field(min_length=1, max_length=128)
    transcript: str | None = None
    turns: list[Turn] | None = None
    language: str | None = Field(default=None, max_length=32)
    call_started_at: datetime | None = None
    agent_id: str | None = Field(default=None, max_length=128)
    account_ref: str | None = Field(default=None, max_length=128)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _has_text(self) -> TranscriptEvent:
        if self.transcript is None and not self.turns:
            msg = "one of 'transcript' or 'turns' is required"
            raise ValueError(msg)
        return self

    def text(self) -> str:
        """The transcript as one string; rendered from the turns when only turns are given."""
        if self.transcript is not None:
            return self.transcript
        return "\n".join(f"{t.speaker.value.capitalize()}: {t.text}" for t in self.turns or [])


class AnalyzerInfo(BaseModel):
    """Which analyzer produced an insight."""

    provider: Literal["gemini", "offline"]
    model: str


class InsightEvent(BaseModel):
    """Published on the output topic once an insight is stored."""

    schema_version: int = SCHEMA_VERSION
    event_id: uuid.UUID = Field(description="uuid5 of the source event id: the same on every re-publish.")
    source_event_id: uuid.UUID
    call_id: str
    record_id: int
    unique_id: str
    customer_intent: str
    intent_category: IntentCategory
    sentiment: Sentiment
    action_required: bool
    summary: str
    analyzer: AnalyzerInfo
    processed_at: datetime
    processing_time_ms: float

    @staticmethod
    def id_for(source_event_id: uuid.UUID) -> uuid.UUID:
        """The deterministic InsightEvent id for a source event."""
        return uuid.uuid5(INSIGHT_NAMESPACE, str(source_event_id))


class AnalyzeCallRequest(BaseModel):
    """Body of POST /analyze_call (the original API, plus an optional call_id)."""

    model_config = ConfigDict(extra="ignore")

    transcript: str = Field(min_length=1, max_length=1_000_000)
    metadata: dict[str, Any] | None = None
    call_id: str | None = Field(default=None, min_length=1, max_length=128)


class AnalyzeCallResponse(BaseModel):
    """Response of POST /analyze_call: the original fields plus intent_category."""

    id: int
    unique_id: str
    customer_intent: str
    intent_category: IntentCategory
    sentiment: Sentiment
    action_required: bool
    summary: str
    raw_transcript: str
    processed_at: datetime
    processing_time_ms: float
    call_id: str
    event_id: uuid.UUID
    analyzer: AnalyzerInfo


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer of the sidecar."""

    error: str = Field(description="A short machine-readable code.")
    detail: Any = Field(default=None, description="Human-readable message or validation errors.")
