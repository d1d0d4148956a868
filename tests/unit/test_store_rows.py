"""The row a new insight becomes: NUL characters, which PostgreSQL text refuses, are dropped."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from consumer.analyzer.offline import OfflineAnalyzer, analyze_offline
from consumer.store import NewInsight, _record_values
from schemas import TranscriptEvent


def row(metadata: dict[str, Any], transcript: str = "Customer: kal 5000 dunga") -> tuple[Any, ...]:
    event = TranscriptEvent(
        event_id=uuid.uuid4(), call_id="c-1", transcript=transcript, metadata=metadata, agent_id="a-7"
    )
    return _record_values(
        NewInsight(
            event=event,
            transcript=transcript,
            analysis=analyze_offline(transcript, None),
            analyzer=OfflineAnalyzer.info,
            processed_at=datetime.now(UTC),
            processing_time_ms=1.0,
            source="kafka",
        )
    )


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
