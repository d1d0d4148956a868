"""The row a new insight becomes: NUL characters, which PostgreSQL text refuses, are dropped."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from consumer.analyzer.offline import OfflineAnalyzer, analyze_offline
from consumer.db.insights import StoredInsight, insight_event, insight_event_json
from consumer.db.store import NewInsight, _analysis_json, _record_values
from producer_tools.samples import SAMPLES_PATH, load_rows
from schemas import AnalyzerInfo, CallAnalysis, InsightEvent, TranscriptEvent


def row(metadata: dict[str, Any], transcript: str = "Customer: kal 5000 dunga") -> tuple[Any, ...]:
    event = TranscriptEvent(
        event_id=uuid.uuid4(), call_id="c-1", transcript=transcript, metadata=metadata, agent_id="a-7"
    )
    analysis = analyze_offline(transcript, None)
    item = NewInsight(
        event=event,
        transcript=transcript,
        analysis=analysis,
        analyzer=OfflineAnalyzer().info,
        processed_at=datetime.now(UTC),
        processing_time_ms=1.0,
        source="kafka",
    )
    return _record_values(item, analysis.model_dump_json())


@pytest.mark.parametrize(
    ("metadata", "stored"),
    [
        ({"queue": "north", "n": [1, 2.5, None]}, {"queue": "north", "n": [1, 2.5, None]}),
        ({"a\x00b": "x\x00y", "n": [1, "p\x00", {"k": "\x00"}]}, {"ab": "xy", "n": [1, "p", {"k": ""}]}),
        ({"note": "a backslash-u0000 text: \\u0000"}, {"note": "a backslash-u0000 text: \\u0000"}),
    ],
)
def test_metadata_is_stored_without_nul(metadata: dict[str, Any], stored: dict[str, Any]) -> None:
    document = json.loads(row(metadata)[6])
    assert document == {**stored, "agent_id": "a-7"}
    assert "\x00" not in row(metadata)[6]


def test_the_transcript_is_stored_without_nul() -> None:
    assert row({}, "Customer: kal\x00 5000 dunga")[1] == "Customer: kal 5000 dunga"


@pytest.mark.parametrize("provider", ["offline", "gemini"])
def test_the_insight_event_json_is_the_insight_event(provider: str) -> None:
    """Joined from the row's fields and the analysis's JSON, it is exactly the model's JSON."""
    started = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    for n, sample in enumerate(load_rows(SAMPLES_PATH)):
        analysis = analyze_offline(str(sample["transcript"]), started if n % 2 else None)
        stored = StoredInsight(
            record_id=n + 1,
            unique_id=str(uuid.uuid4()),
            event_id=uuid.uuid4(),
            call_id=f"call-{n}",
            transcript=str(sample["transcript"]),
            analysis=analysis,
            analyzer=AnalyzerInfo(provider=provider, model="m-1"),  # type: ignore[arg-type]
            processed_at=datetime.now(UTC),
            processing_time_ms=n * 1.25,
            created=True,
        )
        event_id, fast = insight_event_json(stored, analysis.model_dump_json())
        assert event_id == insight_event(stored).event_id
        assert json.loads(fast) == json.loads(insight_event(stored).model_dump_json())
        assert InsightEvent.model_validate_json(fast) == insight_event(stored)


def test_the_stored_analysis_has_no_nul_even_when_an_analyzer_gave_one() -> None:
    analysis = analyze_offline("Agent: Paisa nahi diya to police lekar ghar aa jayenge.", None)
    with_nul = analysis.model_copy(update={"summary": "Threat\x00 made.", "customer_intent": "Threat\x00"})
    document = _analysis_json(with_nul)
    assert "\\u0000" not in document
    stored = CallAnalysis.model_validate_json(document)
    assert (stored.summary, stored.customer_intent) == ("Threat made.", "Threat")
    assert stored.compliance_flags == analysis.compliance_flags
    assert _analysis_json(analysis) == analysis.model_dump_json()  # nothing to clean: as is
