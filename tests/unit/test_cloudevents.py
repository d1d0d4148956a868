"""CloudEvents binary-mode headers: the attributes, as UTF-8 Kafka headers, read back by the model."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from schemas.cloudevents import (
    DEAD_LETTER_TYPE,
    INSIGHT_TYPE,
    CloudEventHeaders,
    dead_letter_headers,
    dead_letter_id,
    insight_headers,
)
from schemas.dead_letter import header_text

JSON = "application/json"
AT = datetime(2026, 11, 20, 5, 1, 2, 123000, tzinfo=UTC)


def test_an_insight_event_is_named_by_its_event_id() -> None:
    event_id = uuid.uuid4()
    headers = insight_headers(event_id, AT)
    assert [name for name, _ in headers] == [
        "ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type",
    ]  # fmt: skip
    assert all(isinstance(value, bytes) for _, value in headers)
    cloud = CloudEventHeaders.model_validate(header_text(headers))
    assert (cloud.id, cloud.type, cloud.time, cloud.content_type) == (
        str(event_id),
        INSIGHT_TYPE,
        AT,
        "application/json",
    )
    assert dict(headers)["ce_time"] == b"2026-11-20T05:01:02.123000Z"


def test_a_dead_letter_is_named_by_where_its_record_was() -> None:
    one = dict(dead_letter_headers("in", 2, 7, AT, json_value=True))
    again = dict(dead_letter_headers("in", 2, 7, AT, json_value=False))
    other = dict(dead_letter_headers("in", 2, 8, AT, json_value=True))
    assert one["ce_id"] == again["ce_id"] == str(dead_letter_id("in", 2, 7)).encode()
    assert one["ce_id"] != other["ce_id"]
    assert one["ce_type"] == DEAD_LETTER_TYPE.encode()
    assert (one["content-type"], again["content-type"]) == (b"application/json", b"application/octet-stream")


def test_the_relays_fast_headers_are_the_models() -> None:
    event_id = uuid.uuid4()
    india = timezone(timedelta(hours=5, minutes=30))
    for at in (AT, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), AT.astimezone(india)):
        cloud = CloudEventHeaders(
            id=str(event_id), type=INSIGHT_TYPE, time=at, content_type="application/json"
        )
        assert insight_headers(event_id, at) == cloud.kafka_headers()
