"""CloudEvents 1.0 in Kafka binary mode: the headers on every record the service publishes.

InsightEvents and dead letters carry ``ce_specversion``, ``ce_id``, ``ce_source``, ``ce_type``,
``ce_time`` and ``content-type`` as UTF-8 header values, so platforms that route or trace by
CloudEvents attributes read them without parsing the value. The value itself is unchanged.

- An InsightEvent: ``ce_id`` is its ``event_id`` (the same on every re-publish), ``ce_time`` when the
  insight was stored, ``ce_type`` ``INSIGHT_TYPE``.
- A dead letter: ``ce_id`` is a uuid5 of the original record's topic, partition and offset (the same
  if it is dead-lettered again), ``ce_time`` when it failed, ``ce_type`` ``DEAD_LETTER_TYPE``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

SPECVERSION = "ce_specversion"
ID = "ce_id"
SOURCE = "ce_source"
TYPE = "ce_type"
TIME = "ce_time"
CONTENT_TYPE = "content-type"

SPEC_VERSION = "1.0"
SERVICE_SOURCE = "/call-insights"
INSIGHT_TYPE = "com.callinsights.insight.v1"
DEAD_LETTER_TYPE = "com.callinsights.deadletter.v1"

_SPEC_VERSION = SPEC_VERSION.encode()
_SERVICE_SOURCE = SERVICE_SOURCE.encode()
_INSIGHT_TYPE = INSIGHT_TYPE.encode()
_JSON = b"application/json"
_DEAD_LETTER_NAMESPACE = uuid.UUID("6f1c3a52-1d0e-5b7a-9c4e-0d2b8f7a9e31")


class CloudEventHeaders(BaseModel):
    """The CloudEvents attributes of a published record, as Kafka headers (binary mode)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    specversion: str = Field(default=SPEC_VERSION, alias=SPECVERSION, description="Always 1.0.")
    id: str = Field(alias=ID, min_length=1, description="Unique per event; the same on a re-publish.")
    source: str = Field(default=SERVICE_SOURCE, alias=SOURCE, description="This service.")
    type: str = Field(alias=TYPE, examples=[INSIGHT_TYPE, DEAD_LETTER_TYPE])
    time: datetime = Field(
        alias=TIME, description="RFC 3339: when the insight was stored, or the record failed."
    )
    content_type: str = Field(
        alias=CONTENT_TYPE, examples=["application/json"], description="The media type of the value."
    )

    def kafka_headers(self) -> list[tuple[str, bytes]]:
        """As Kafka record headers."""
        data = self.model_dump(mode="json", by_alias=True)
        return [(name, str(value).encode()) for name, value in data.items()]


class TraceContextHeaders(BaseModel):
    """W3C Trace Context on a record: the ``traceparent`` of the span that produced it."""

    model_config = ConfigDict(extra="ignore")

    traceparent: str | None = Field(
        default=None,
        pattern=r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
        examples=["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
        description="On a TranscriptEvent: the producer's trace, which the service continues. On an "
        "InsightEvent or a dead letter: present when the record it came from had one or tracing is "
        "on, continuing that trace (with tracing on, the span that published it).",
    )


def insight_headers(event_id: uuid.UUID | str, stored_at: datetime) -> list[tuple[str, bytes]]:
    """The CloudEvents headers of an InsightEvent: ``CloudEventHeaders(...).kafka_headers()``,
    written directly (the outbox relay adds them to every event it publishes)."""
    return [
        (SPECVERSION, _SPEC_VERSION),
        (ID, str(event_id).encode()),
        (SOURCE, _SERVICE_SOURCE),
        (TYPE, _INSIGHT_TYPE),
        (TIME, _rfc3339(stored_at)),
        (CONTENT_TYPE, _JSON),
    ]


def _rfc3339(at: datetime) -> bytes:
    """As pydantic writes a datetime in JSON: ``Z`` for UTC."""
    text = at.isoformat()
    return (text[:-6] + "Z" if text.endswith("+00:00") else text).encode()


def dead_letter_id(topic: str, partition: int, offset: int) -> uuid.UUID:
    """The ``ce_id`` of the dead letter of one input record."""
    return uuid.uuid5(_DEAD_LETTER_NAMESPACE, f"{topic}/{partition}/{offset}")


def dead_letter_headers(
    topic: str, partition: int, offset: int, failed_at: datetime, *, json_value: bool
) -> list[tuple[str, bytes]]:
    """The CloudEvents headers of a dead letter (``json_value``: the original value is JSON)."""
    return CloudEventHeaders(
        id=str(dead_letter_id(topic, partition, offset)),
        type=DEAD_LETTER_TYPE,
        time=failed_at,
        content_type="application/json" if json_value else "application/octet-stream",
    ).kafka_headers()
