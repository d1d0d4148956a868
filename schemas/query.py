"""Models of the read side of the sidecar: query parameters and responses of /calls, /stats and
/dead_letters. The handlers validate with them and the OpenAPI document is generated from them."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from schemas.models import (
    AnalyzerInfo,
    ComplianceRule,
    ContactStatus,
    InsightDetails,
    IntentCategory,
    Priority,
    Sentiment,
    Severity,
)

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

# "+05:30" arrives as " 05:30" when a client leaves the plus sign of a query string unencoded.
_UNENCODED_PLUS = re.compile(r"^(.*\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def _timestamp(value: Any) -> Any:
    if isinstance(value, str):
        return _UNENCODED_PLUS.sub(r"\1+\2", value.strip())
    return value


def _in_utc(value: datetime | None) -> datetime | None:
    """Timestamps without an offset are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        msg = "timestamp out of range"
        raise ValueError(msg) from exc


class _Window(BaseModel):
    """``since`` (inclusive) and ``until`` (exclusive) on ``created_at``."""

    model_config = ConfigDict(extra="forbid")

    since: datetime | None = Field(
        default=None, description="ISO-8601; only records created at or after it (UTC when no offset)."
    )
    until: datetime | None = Field(
        default=None, description="ISO-8601; only records created before it (UTC when no offset)."
    )

    @field_validator("since", "until", mode="before")
    @classmethod
    def _restore_plus(cls, value: Any) -> Any:
        return _timestamp(value)

    @field_validator("since", "until")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return _in_utc(value)

    @field_validator("until")
    @classmethod
    def _after_since(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        since = info.data.get("since")
        if value is not None and since is not None and value <= since:
            msg = "until must be later than since"
            raise ValueError(msg)
        return value


class _Page(BaseModel):
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    cursor: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The next_cursor of the previous page; opaque.",
    )


class CallsQuery(_Page, _Window):
    """Filters of GET /calls; every one is optional and they combine with AND."""

    model_config = ConfigDict(extra="forbid")

    sentiment: Sentiment | None = None
    action_required: bool | None = None
    intent_category: IntentCategory | None = None
    priority: Priority | None = None
    contact_status: ContactStatus | None = None
    call_id: str | None = Field(default=None, min_length=1, max_length=128)
    has_promise: bool | None = Field(default=None, description="The customer promised to pay.")
    has_distress: bool | None = Field(default=None, description="The customer showed distress.")
    compliance_rule: ComplianceRule | None = Field(
        default=None, description="The agent was flagged for breaking this conduct rule."
    )
    compliance_severity: Severity | None = Field(
        default=None, description="At least one conduct flag of this severity or higher."
    )
    needs_review: bool | None = None


class DeadLettersQuery(_Page):
    """Filters of GET /dead_letters."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(
        default=None, min_length=1, max_length=64, description='The x-dlq-reason, e.g. "schema_invalid".'
    )


Bucket = Literal["hour", "day"]


class StatsQuery(_Window):
    """Parameters of GET /stats. The window defaults to the last 24 hours."""

    model_config = ConfigDict(extra="forbid")

    bucket: Bucket | None = Field(
        default=None, description="Width of the time-series buckets; hour for windows up to 3 days, else day."
    )
    tz: str = Field(
        default="UTC", max_length=64, description='IANA time zone the buckets align to, e.g. "Asia/Kolkata".'
    )

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"unknown time zone {value!r}"
            raise ValueError(msg) from exc
        return value


class CallItem(InsightDetails):
    """One stored insight as GET /calls lists it: every field but the transcript and metadata."""

    id: int
    unique_id: str
    event_id: uuid.UUID
    call_id: str
    customer_intent: str
    intent_category: IntentCategory
    sentiment: Sentiment
    action_required: bool
    summary: str
    analyzer: AnalyzerInfo | None = None
    source: str | None = Field(default=None, description="kafka or http.")
    call_started_at: datetime | None = None
    created_at: datetime


class CallRecord(CallItem):
    """One stored insight with its transcript, as GET /calls/{unique_id} returns it."""

    raw_transcript: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    processing_time_ms: float | None = None
    updated_at: datetime


class CallPage(BaseModel):
    """A page of GET /calls, newest first."""

    items: list[CallItem]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last.")


class DeadLetterItem(BaseModel):
    """A record the service sent to the dead-letter topic (its value is not kept here)."""

    id: int
    reason: str
    error: str
    original_topic: str
    original_partition: int
    original_offset: int
    key: str | None
    attempts: int
    failed_at: datetime


class DeadLetterPage(BaseModel):
    """A page of GET /dead_letters, newest first."""

    items: list[DeadLetterItem]
    next_cursor: str | None


class StatsBucket(BaseModel):
    """Counts of one time bucket."""

    start: datetime
    total: int
    sentiment: dict[Sentiment, int]
    intent_category: dict[IntentCategory, int]
    action_required: int


class LLMUsageTotals(BaseModel):
    """Tokens and estimated spend of the LLM analyses of a window, summed from each record's usage."""

    calls: int = Field(description="Records analysed by an LLM (those with token usage).")
    requests: int = Field(description="LLM requests those analyses took, retries included.")
    prompt_tokens: int = Field(description="Input tokens, cached ones included.")
    cached_tokens: int = Field(description="Input tokens of those read from a context cache.")
    thought_tokens: int = Field(description="Thinking tokens (billed as output).")
    output_tokens: int = Field(description="Answer tokens.")
    estimated_cost_usd: float | None = Field(
        description="Sum of the records' estimated costs in USD; null when none of them has a price."
    )
    priced_calls: int = Field(
        description="Records with an estimated cost; the spend leaves out the other calls' cost."
    )


class ModelUsage(LLMUsageTotals):
    """LLM usage of one model."""

    model: str


class LLMUsage(LLMUsageTotals):
    """LLM usage over the window, in total and per model (most spend first)."""

    by_model: list[ModelUsage]


class CallStats(BaseModel):
    """Counts over a window of created_at, and the same counts per bucket for charts."""

    since: datetime
    until: datetime
    bucket: Bucket
    tz: str
    total: int
    sentiment: dict[Sentiment, int]
    intent_category: dict[IntentCategory, int]
    action_required: dict[Literal["true", "false"], int]
    promises_to_pay: int = Field(description="Calls with a promise to pay.")
    promised_amount_inr: int = Field(description="Sum of the promised amounts that were stated.")
    distress: int = Field(description="Calls where the customer showed distress.")
    compliance_high: int = Field(description="Calls with a high-severity conduct flag.")
    needs_review: int
    dead_letters: int = Field(description="Records dead-lettered in the window.")
    llm: LLMUsage = Field(description="LLM tokens and estimated spend; all zero for the offline analyzer.")
    series: list[StatsBucket]
