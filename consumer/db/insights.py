"""A stored insight, and the one place it is rendered: the ``/analyze_call`` answer, the
InsightEvent announcing it, and the read API's items and records.

Every view shares the same fields (``shared_fields``): the analysis with its debt-collection
detail, and the row's names (``unique_id``, ``call_id``, ``analyzer``). A view adds only what is its
own: the answer its record id and transcript, the event its ids and version, the read API the
row's bookkeeping.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pydantic_core
from pydantic import ValidationError

from schemas import (
    SCHEMA_VERSION,
    AnalyzeCallResponse,
    AnalyzerInfo,
    CallAnalysis,
    InsightDetails,
    InsightEvent,
    Sentiment,
    TokenUsage,
)
from schemas.models import INSIGHT_NAMESPACE
from schemas.query import CallItem, CallRecord

log = logging.getLogger(__name__)


def insight_event_id(source_event_id: uuid.UUID, analysis_version: int = 1) -> uuid.UUID:
    """The InsightEvent id of one analysis of a source event: ``InsightEvent.id_for`` for the
    first, and a uuid5 of the source event id and the version for each re-analysis."""
    if analysis_version == 1:
        return InsightEvent.id_for(source_event_id)
    return uuid.uuid5(INSIGHT_NAMESPACE, f"{source_event_id}/v{analysis_version}")


@dataclass(frozen=True, slots=True)
class StoredInsight:
    """A call_records row as the pipeline and the sidecar need it."""

    record_id: int
    unique_id: str
    event_id: uuid.UUID
    call_id: str
    transcript: str
    analysis: CallAnalysis
    analyzer: AnalyzerInfo
    processed_at: datetime
    processing_time_ms: float
    created: bool  # False when the event had been stored before (a redelivery)
    analysis_version: int = 1


def analysis_fields(analysis: CallAnalysis) -> dict[str, Any]:
    """An analysis's fields as every view carries them: the core five and the detail."""
    return {
        **analysis.details(),
        "customer_intent": analysis.customer_intent,
        "intent_category": analysis.intent_category,
        "sentiment": analysis.sentiment,
        "action_required": analysis.action_required,
        "summary": analysis.summary,
    }


def shared_fields(
    analysis: Mapping[str, Any], *, unique_id: str, call_id: str, analyzer: AnalyzerInfo | None
) -> dict[str, Any]:
    """The fields every view of a stored insight carries: ``analysis`` (``analysis_fields``, or a
    row's columns) and the row's names."""
    return {**analysis, "unique_id": unique_id, "call_id": call_id, "analyzer": analyzer}


def _stored_fields(stored: StoredInsight) -> dict[str, Any]:
    return shared_fields(
        analysis_fields(stored.analysis),
        unique_id=stored.unique_id,
        call_id=stored.call_id,
        analyzer=stored.analyzer,
    )


def analyze_response(stored: StoredInsight) -> AnalyzeCallResponse:
    """The answer of ``POST /analyze_call`` (the original API's fields, and the detail)."""
    return AnalyzeCallResponse(
        **_stored_fields(stored),
        id=stored.record_id,
        event_id=stored.event_id,
        raw_transcript=stored.transcript,
        processed_at=stored.processed_at,
        processing_time_ms=stored.processing_time_ms,
    )


def _event_own_fields(stored: StoredInsight) -> dict[str, Any]:
    return {
        "event_id": insight_event_id(stored.event_id, stored.analysis_version),
        "source_event_id": stored.event_id,
        "record_id": stored.record_id,
        "analysis_version": stored.analysis_version,
        "processed_at": stored.processed_at,
        "processing_time_ms": stored.processing_time_ms,
    }


def insight_event(stored: StoredInsight) -> InsightEvent:
    """The InsightEvent that announces this row."""
    return InsightEvent(**_stored_fields(stored), **_event_own_fields(stored))


def insight_event_json(stored: StoredInsight, analysis_json: str) -> tuple[uuid.UUID, bytes]:
    """``insight_event(stored)``'s id and JSON, from ``analysis_json`` (the row's analysis as JSON).

    The same fields as ``insight_event``, written without building the model: the row's own fields
    are serialised on their own and joined to the analysis's JSON, which the row stores anyway.
    Building and validating an InsightEvent model per event cost more than the rest of writing it.
    """
    own = _event_own_fields(stored)
    head = pydantic_core.to_json(
        {
            "schema_version": SCHEMA_VERSION,
            **own,
            "call_id": stored.call_id,
            "unique_id": stored.unique_id,
            "analyzer": stored.analyzer.public(),
        }
    )
    return own["event_id"], head[:-1] + b"," + analysis_json.encode()[1:]  # both are JSON objects


def analyzer_info(provider: str | None, model: str | None, usage: str | None) -> AnalyzerInfo:
    """The AnalyzerInfo of a stored row, from its ``analyzer_*`` columns."""
    info = AnalyzerInfo(provider=provider or "offline", model=model or "unknown")
    if usage is not None:
        data = json.loads(usage)
        info.estimated_cost_usd = data.pop("estimated_cost_usd", None)
        info.usage = TokenUsage.model_validate(data)
    return info


def stored_analysis(row: Mapping[str, Any]) -> CallAnalysis:
    """The analysis of a row: from its ``insight`` document, or the original columns for old rows."""
    if row["insight"] is not None:
        return CallAnalysis.model_validate_json(row["insight"])
    return _columns_analysis(row)


def _column_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The core five from a row's columns; rows of the original app get defaults."""
    return {
        "customer_intent": row["intent"] or "Unknown",
        "intent_category": row["intent_category"],
        "sentiment": row["sentiment"] or Sentiment.NEUTRAL,
        "action_required": bool(row["action_required"]),
        "summary": row["summary"] or "-",
    }


def _columns_analysis(row: Mapping[str, Any]) -> CallAnalysis:
    return CallAnalysis(**_column_fields(row))


def stored_from_row(row: Mapping[str, Any], *, created: bool) -> StoredInsight:
    """The stored insight of a call_records row, for the pipeline (a redelivered event's answer)."""
    return StoredInsight(
        record_id=row["id"],
        unique_id=row["unique_id"],
        event_id=row["event_id"],
        call_id=row["call_id"],
        transcript=row["transcript"],
        analysis=stored_analysis(row),
        analyzer=analyzer_info(row["analyzer_provider"], row["analyzer_model"], row["analyzer_usage"]),
        processed_at=row["created_at"],
        processing_time_ms=row["processing_time_ms"] or 0.0,
        created=created,
    )


def _row_analysis_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's analysis as the read API shows it, whatever the row's age: the core fields from the
    columns (rows of the original app get defaults), the detail from the ``insight`` document when
    it still matches the model (left out, with a warning, when not)."""
    details: dict[str, Any] = {}
    if row["insight"] is not None:
        try:
            details = InsightDetails.model_validate_json(row["insight"]).details()
        except ValidationError:
            log.warning("record %d: stored insight does not match the model; details left out", row["id"])
    return {**details, **_column_fields(row)}


def _known_analyzer(row: Mapping[str, Any]) -> AnalyzerInfo | None:
    """Which analyzer made the record, with the tokens and estimated cost of an LLM analysis."""
    provider = row["analyzer_provider"]
    if provider not in ("gemini", "offline"):
        return None
    try:
        info = analyzer_info(provider, row["analyzer_model"], row["analyzer_usage"])
        # validated again: analyzer_info sets the cost without a check
        return AnalyzerInfo.model_validate(dict(info))
    except (ValueError, TypeError, AttributeError):  # ValidationError and JSONDecodeError are ValueErrors
        log.warning("record %d: stored analyzer usage does not match the model; usage left out", row["id"])
        return AnalyzerInfo(provider=provider, model=row["analyzer_model"] or "unknown")


def call_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a CallItem from a call_records row; rows of the original app get defaults."""
    return {
        **shared_fields(
            _row_analysis_fields(row),
            unique_id=row["unique_id"],
            call_id=row["call_id"],
            analyzer=_known_analyzer(row),
        ),
        "id": row["id"],
        "event_id": row["event_id"],
        "source": row["source"],
        "call_started_at": row["call_started_at"],
        "created_at": row["created_at"],
    }


def call_item(row: Mapping[str, Any]) -> CallItem:
    """An item of ``GET /calls`` from a call_records row."""
    return CallItem(**call_fields(row))


def call_record(row: Mapping[str, Any]) -> CallRecord:
    """``GET /calls/{unique_id}``'s body from a call_records row."""
    metadata = json.loads(row["metadata"]) if row["metadata"] else {}
    return CallRecord(
        **call_fields(row),
        raw_transcript=row["transcript"],
        metadata=metadata if isinstance(metadata, dict) else {"value": metadata},
        processing_time_ms=row["processing_time_ms"],
        updated_at=row["updated_at"],
    )
