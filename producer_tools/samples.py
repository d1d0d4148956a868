"""The bundled labelled transcripts, and turning any JSONL row into a fresh TranscriptEvent."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

SAMPLES_PATH = Path(__file__).resolve().parent / "samples" / "transcripts.jsonl"

_EVENT_FIELDS = ("transcript", "turns", "language", "call_started_at", "agent_id", "account_ref", "metadata")


def load_rows(path: Path | str = SAMPLES_PATH) -> list[dict[str, Any]]:
    """JSON objects, one per non-empty line."""
    rows = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            if not isinstance(row, dict):
                msg = f"{path}:{number}: not a JSON object"
                raise ValueError(msg)
            rows.append(row)
    if not rows:
        msg = f"{path}: no rows"
        raise ValueError(msg)
    return rows


def to_event(row: dict[str, Any]) -> dict[str, Any]:
    """A TranscriptEvent dict from a sample or event row, with a fresh ``event_id`` and ``call_id``."""
    event: dict[str, Any] = {"schema_version": 1, "event_id": str(uuid.uuid4())}
    event["call_id"] = f"call-{uuid.uuid4().hex[:16]}"
    for name in _EVENT_FIELDS:
        if row.get(name) is not None:
            event[name] = row[name]
    if "id" in row:
        event.setdefault("metadata", {})
        event["metadata"] = {**event["metadata"], "sample_id": row["id"]}
    return event
