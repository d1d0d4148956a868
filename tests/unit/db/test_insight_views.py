"""One rendering: the /analyze_call answer, the InsightEvent and the read API's record of one stored
insight say the same thing, field for field, for every bundled sample."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from consumer.analyzer.offline import OfflineAnalyzer, analyze_offline
from consumer.db.insights import (
    StoredInsight,
    analysis_fields,
    analyze_response,
    call_item,
    call_record,
    insight_event,
    shared_fields,
)
from consumer.db.store import NewInsight, _record_values
from producer_tools.samples import SAMPLES_PATH, load_rows
from schemas import AnalyzerInfo, TranscriptEvent

COLUMNS = [
    "unique_id",
    "transcript",
    "intent",
    "sentiment",
    "action_required",
    "summary",
    "metadata",
    "event_id",
    "call_id",
    "intent_category",
    "analyzer_provider",
    "analyzer_model",
    "processing_time_ms",
    "call_started_at",
    "source",
    "created_at",
    "insight",
    "contact_status",
    "priority",
    "needs_review",
    "ptp_amount_inr",
    "ptp_due_date",
    "distress",
    "compliance_rules",
    "analyzer_usage",
]


def _stored_and_row(n: int, sample: dict[str, Any]) -> tuple[StoredInsight, dict[str, Any]]:
    started = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    transcript = str(sample["transcript"])
    event = TranscriptEvent(event_id=uuid.uuid4(), call_id=f"call-{n}", transcript=transcript)
    analysis = analyze_offline(transcript, started)
    item = NewInsight(
        event=event,
        transcript=transcript,
        analysis=analysis,
        analyzer=OfflineAnalyzer().info,
        processed_at=datetime(2026, 11, 20, 10, 31, tzinfo=UTC),
        processing_time_ms=2.5,
        source="kafka",
    )
    values = _record_values(item, analysis.model_dump_json())
    row = dict(zip(COLUMNS, values, strict=True))
    row.update(id=n + 1, updated_at=row["created_at"])
    return item.stored(record_id=n + 1, unique_id=row["unique_id"]), row


SAMPLES = load_rows(SAMPLES_PATH)


@pytest.mark.parametrize("n", range(0, len(SAMPLES), 7))
def test_every_view_says_the_same(n: int) -> None:
    stored, row = _stored_and_row(n, SAMPLES[n])
    answer = analyze_response(stored).model_dump(mode="json")
    event = insight_event(stored).model_dump(mode="json")
    record = call_record(row).model_dump(mode="json")
    item = call_item(row).model_dump(mode="json")
    shared = shared_fields(
        analysis_fields(stored.analysis), unique_id=stored.unique_id, call_id=stored.call_id, analyzer=None
    )
    for name in shared:
        assert answer[name] == event[name] == record[name] == item[name], name
    assert answer["id"] == event["record_id"] == record["id"] == n + 1
    assert answer["event_id"] == event["source_event_id"] == record["event_id"] == str(stored.event_id)
    assert answer["raw_transcript"] == record["raw_transcript"] == stored.transcript
    assert set(item) == set(record) - {"raw_transcript", "metadata", "processing_time_ms", "updated_at"}


def test_a_row_of_the_original_app_reads_with_defaults() -> None:
    _, row = _stored_and_row(0, SAMPLES[0])
    row.update(insight=None, analyzer_provider=None, analyzer_model=None, analyzer_usage=None, intent=None)
    row.update(sentiment=None, summary=None)
    record = call_record(row)
    assert (record.customer_intent, record.sentiment.value, record.summary) == ("Unknown", "Neutral", "-")
    assert record.analyzer is None
    assert record.promise_to_pay is None


def test_the_views_carry_the_analyzer_of_the_row() -> None:
    stored, row = _stored_and_row(1, SAMPLES[1])
    gemini = AnalyzerInfo(provider="gemini", model="gemini-3-flash-preview")
    assert analyze_response(stored).analyzer == OfflineAnalyzer().info
    assert call_record(row).analyzer == OfflineAnalyzer().info
    row.update(analyzer_provider="gemini", analyzer_model="gemini-3-flash-preview")
    assert call_item(row).analyzer == gemini
