"""Dead letters: the Kafka headers the service puts on a record it could not process.

A dead letter's key and value are the original record's bytes, unchanged; everything the service
knows about the failure is in these headers (UTF-8 text values).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

REASON = "x-dlq-reason"
ERROR = "x-dlq-error"
ORIGINAL_TOPIC = "x-dlq-original-topic"
ORIGINAL_PARTITION = "x-dlq-original-partition"
ORIGINAL_OFFSET = "x-dlq-original-offset"
ATTEMPTS = "x-dlq-attempts"
FAILED_AT = "x-dlq-failed-at"

REPLAYED_FROM = "x-dlq-replayed-from"
REPLAYED_AT = "x-dlq-replayed-at"

_DIGITS = r"^[0-9]+$"


def header_text(headers: Iterable[tuple[str, bytes | None]]) -> dict[str, str]:
    """Kafka headers as text (undecodable bytes replaced); the last value wins for a repeated name."""
    return {name: (value or b"").decode("utf-8", "replace") for name, value in headers}


class DeadLetterHeaders(BaseModel):
    """The headers of a dead letter on ``KAFKA_DLQ_TOPIC``."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    reason: str = Field(
        alias=REASON,
        min_length=1,
        description="Why the record was dead-lettered, a short code.",
        examples=[
            "not_utf8",
            "not_json",
            "not_object",
            "schema_invalid",
            "oversized",
            "empty_transcript",
            "llm_invalid_output",
            "llm_error",
            "db_rejected",
            "internal_error",
        ],
    )
    error: str = Field(alias=ERROR, max_length=1000, description="The error message.")
    original_topic: str = Field(alias=ORIGINAL_TOPIC, description="Where the record was read from.")
    original_partition: str = Field(
        alias=ORIGINAL_PARTITION, pattern=_DIGITS, description="Its partition, in decimal."
    )
    original_offset: str = Field(
        alias=ORIGINAL_OFFSET, pattern=_DIGITS, description="Its offset, in decimal."
    )
    attempts: str = Field(alias=ATTEMPTS, pattern=_DIGITS, description="How often it was tried, in decimal.")
    failed_at: datetime = Field(alias=FAILED_AT, description="When it was dead-lettered (ISO 8601, UTC).")

    @classmethod
    def from_kafka(cls, headers: Iterable[tuple[str, bytes | None]]) -> DeadLetterHeaders:
        """Validate a Kafka record's headers; raises ``pydantic.ValidationError`` when one is missing."""
        return cls.model_validate(header_text(headers))


class ReplayHeaders(BaseModel):
    """The headers ``producer_tools replay-dlq`` adds to a dead letter it republishes."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    replayed_from: str = Field(
        alias=REPLAYED_FROM,
        pattern=r"^.+:[0-9]+:[0-9]+$",
        description="The dead letter it was: `<dlq topic>:<partition>:<offset>`.",
    )
    replayed_at: datetime = Field(alias=REPLAYED_AT, description="When it was republished (ISO 8601, UTC).")

    def to_kafka(self) -> list[tuple[str, bytes]]:
        """As Kafka headers."""
        return [
            (name, str(value).encode()) for name, value in self.model_dump(by_alias=True, mode="json").items()
        ]
