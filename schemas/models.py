"""Pydantic models: the single source for validation, the Gemini response schema,
the JSON Schema files in this folder and the OpenAPI document of the sidecar."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

SCHEMA_VERSION = 1
# Namespace for InsightEvent ids: uuid5(namespace, source event_id) is stable across re-publishes.
INSIGHT_NAMESPACE = uuid.UUID("6f1d3c52-8a44-4c1e-9d0b-6a2f8e7c1b90")
# PostgreSQL text cannot hold NUL, and a call_id is stored and used as the Kafka key as it is.
NO_NUL = r"^[^\x00]*$"
# A character that is not blank: not one that ``str.strip`` removes (ASCII and Unicode blanks), so
# a transcript of blanks fails the schema as it fails the service. (NULs are dropped later, by the
# one intake every source shares: a transcript of NULs is refused there as empty, from Kafka and
# HTTP alike.) Escapes that JSON Schema (ECMA), Python and pydantic's Rust engine all read.
NOT_BLANK = r"[^\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


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


class Speaker(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"
    OTHER = "other"


class ContactStatus(StrEnum):
    """Who answered the call."""

    RIGHT_PARTY = "right_party"
    THIRD_PARTY = "third_party"
    WRONG_NUMBER = "wrong_number"
    UNKNOWN = "unknown"


class Instalment(BaseModel):
    """One part of a promise paid in parts."""

    amount_inr: int | None = Field(default=None, ge=0)
    due_date: date | None = None


class PromiseToPay(BaseModel):
    """A promise the customer made on the call: how much, by when."""

    amount_inr: int | None = Field(default=None, ge=0, description="Promised amount in rupees.")
    due_date: date | None = Field(default=None, description="When, resolved in IST from the call time.")
    due_text: str | None = Field(default=None, max_length=120, description='The words used: "parso".')
    date_unresolved_reason: str | None = Field(
        default=None, description='Why due_date is empty, e.g. "salary_day_unknown".'
    )
    is_partial: bool | None = Field(default=None, description="Less than the amount due.")
    instalments: list[Instalment] = Field(default_factory=list)
    confidence: float = Field(default=0.5, ge=0, le=1)


class DistressKind(StrEnum):
    """Signs that the customer is in distress; each forces follow-up and high priority."""

    SELF_HARM = "self_harm"
    MEDICAL_EMERGENCY = "medical_emergency"
    BEREAVEMENT = "bereavement"
    JOB_LOSS = "job_loss"


class Distress(BaseModel):
    """What distress the customer showed, with the words that show it."""

    kinds: list[DistressKind] = Field(min_length=1)
    quote: str | None = Field(default=None, max_length=300)


class ComplianceRule(StrEnum):
    """Conduct rules (RBI Fair Practices Code, recovery-agent guidelines) one call can show broken."""

    OUTSIDE_CALLING_HOURS = "outside_calling_hours"
    THREAT_OR_INTIMIDATION = "threat_or_intimidation"
    ABUSIVE_LANGUAGE = "abusive_language"
    THIRD_PARTY_DISCLOSURE = "third_party_disclosure"
    NO_IDENTIFICATION = "no_identification"
    DISCLOSURE_BEFORE_VERIFICATION = "disclosure_before_verification"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Priority(StrEnum):
    """How soon the collections team should look at the call."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class ComplianceFlag(BaseModel):
    """One conduct-rule breach, with the quote that proves it."""

    rule: ComplianceRule
    severity: Severity
    quote: str = Field(default="", max_length=300)
    speaker: Speaker = Field(default=Speaker.AGENT)


class FieldConfidence(BaseModel):
    """How sure the analyzer is of each field, 0..1."""

    intent_category: float = Field(default=0.5, ge=0, le=1)
    sentiment: float = Field(default=0.5, ge=0, le=1)
    action_required: float = Field(default=0.5, ge=0, le=1)
    contact_status: float = Field(default=0.5, ge=0, le=1)
    promise_to_pay: float | None = Field(default=None, ge=0, le=1)


class InsightDetails(BaseModel):
    """The debt-collection detail of an insight; every field is optional for old readers."""

    def details(self) -> dict[str, Any]:
        """These fields alone, as model objects, to copy into an event or a response."""
        return {name: getattr(self, name) for name in InsightDetails.model_fields}

    contact_status: ContactStatus = ContactStatus.UNKNOWN
    promise_to_pay: PromiseToPay | None = None
    hardship_reason: str | None = Field(default=None, max_length=300)
    dispute_reason: str | None = Field(default=None, max_length=300)
    callback_at: datetime | None = Field(default=None, description="When the customer asked to be called.")
    distress: Distress | None = None
    compliance_flags: list[ComplianceFlag] = Field(default_factory=list)
    priority: Priority = Priority.NORMAL
    confidence: FieldConfidence | None = None
    needs_review: bool = Field(default=False, description="True when a field's confidence is low.")


class CallAnalysis(InsightDetails):
    """What an analyzer (Gemini or offline) says about one call: the insight, before it is stored.

    The first five fields are the original API's; the rest are optional for old readers.
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

    # Which analyzer made this analysis, with the tokens this one call used (not serialised: the
    # store keeps it in its own columns). Set by analyzers that know more than their static info.
    _produced_by: AnalyzerInfo | None = PrivateAttr(default=None)

    def produced_by(self, default: AnalyzerInfo) -> AnalyzerInfo:
        """The analyzer info of this very analysis (with its token usage), else ``default``."""
        return self._produced_by if self._produced_by is not None else default

    def mark_produced_by(self, info: AnalyzerInfo) -> CallAnalysis:
        """Record which analyzer made this analysis and what it used; returns ``self``."""
        self._produced_by = info
        return self


class LLMPromise(BaseModel):
    """A promise as the LLM reports it: the words, and its own reading of them."""

    amount_inr: int | None = Field(default=None, ge=0, description="Rupees, if a figure was said.")
    amount_text: str | None = Field(default=None, max_length=80, description='As said: "dedh lakh".')
    due_text: str | None = Field(default=None, max_length=120, description='As said: "parso", "5 tareekh".')
    due_date: str | None = Field(default=None, description="YYYY-MM-DD if the date is certain, else null.")
    is_partial: bool | None = None
    confidence: float = Field(default=0.5, ge=0, le=1)


class LLMAnswer(BaseModel):
    """The structured output asked of Gemini (its ``response_schema``).

    Only types Gemini's schema subset supports (no dates, no free-form maps); the service turns it
    into a CallAnalysis, resolving dates and amounts with its own Hinglish normaliser.
    """

    model_config = ConfigDict(extra="ignore")

    customer_intent: str = Field(
        min_length=1, max_length=200, description='e.g. "Promise to Pay - Wednesday".'
    )
    intent_category: IntentCategory
    sentiment: Sentiment = Field(description="The customer's sentiment, not the agent's.")
    action_required: bool
    summary: str = Field(min_length=1, max_length=1000, description="One or two sentences in English.")
    contact_status: ContactStatus = ContactStatus.UNKNOWN
    promise_to_pay: LLMPromise | None = None
    hardship_reason: str | None = Field(default=None, max_length=300)
    dispute_reason: str | None = Field(default=None, max_length=300)
    callback_text: str | None = Field(default=None, max_length=120, description='As said: "shaam 6 baje".')
    distress: list[DistressKind] = Field(default_factory=list)
    distress_quote: str | None = Field(default=None, max_length=300)
    compliance_flags: list[ComplianceFlag] = Field(default_factory=list)
    confidence: FieldConfidence | None = None


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
    call_id: str = Field(min_length=1, max_length=128, pattern=NO_NUL, description="No NUL characters.")
    transcript: str | None = None
    turns: list[Turn] | None = None
    language: str | None = Field(default=None, max_length=32)
    call_started_at: datetime | None = None
    agent_id: str | None = Field(default=None, max_length=128)
    account_ref: str | None = Field(default=None, max_length=128)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("call_started_at")
    @classmethod
    def _representable(cls, value: datetime | None) -> datetime | None:
        if value is not None and not 2 <= value.year <= 9998:
            msg = "call_started_at must be between years 2 and 9998"  # converting zones must not overflow
            raise ValueError(msg)
        return value

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


class TokenUsage(BaseModel):
    """The tokens one analysis used, as the LLM reported them, summed over its requests."""

    prompt_tokens: int = Field(default=0, ge=0, description="Input tokens, cached ones included.")
    cached_tokens: int = Field(default=0, ge=0, description="Input tokens read from a context cache.")
    thought_tokens: int = Field(default=0, ge=0, description="Thinking tokens (billed as output).")
    output_tokens: int = Field(default=0, ge=0, description="Answer tokens.")
    requests: int = Field(default=1, ge=0, description="LLM requests the analysis took (retries included).")


class AnalyzerInfo(BaseModel):
    """Which analyzer produced an insight and, for an LLM, what that one call used."""

    provider: Literal["gemini", "offline"]
    model: str
    usage: TokenUsage | None = Field(default=None, description="LLM only: tokens this analysis used.")
    estimated_cost_usd: float | None = Field(
        default=None, ge=0, description="LLM only: the usage priced with the configured price table."
    )

    def public(self) -> dict[str, Any]:
        """As JSON-ready data, as in an InsightEvent."""
        return self.model_dump(mode="json")


class InsightEvent(InsightDetails):
    """Published on the output topic once an insight is stored."""

    schema_version: int = SCHEMA_VERSION
    event_id: uuid.UUID = Field(
        description="uuid5 of the source event id (and of the analysis version after the first): "
        "the same on every re-publish."
    )
    source_event_id: uuid.UUID
    call_id: str
    record_id: int
    unique_id: str
    analysis_version: int = Field(
        default=1,
        ge=1,
        description="1 for the first analysis of the call; each re-analysis (backfill --reanalyze) "
        "counts up and is announced with an event_id of its own.",
    )
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

    transcript: str = Field(
        min_length=1, max_length=1_000_000, pattern=NOT_BLANK, description="Not only blanks."
    )
    metadata: dict[str, Any] | None = None
    call_id: str | None = Field(
        default=None, min_length=1, max_length=128, pattern=NO_NUL, description="No NUL characters."
    )


class AnalyzeCallResponse(InsightDetails):
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
