"""Event and insight models, and the JSON Schema files generated from them."""

from schemas.models import (
    SCHEMA_VERSION,
    AnalyzeCallRequest,
    AnalyzeCallResponse,
    AnalyzerInfo,
    CallAnalysis,
    ErrorBody,
    InsightEvent,
    IntentCategory,
    Sentiment,
    Speaker,
    TranscriptEvent,
    Turn,
)

__all__ = [
    "SCHEMA_VERSION",
    "AnalyzeCallRequest",
    "AnalyzeCallResponse",
    "AnalyzerInfo",
    "CallAnalysis",
    "ErrorBody",
    "InsightEvent",
    "IntentCategory",
    "Sentiment",
    "Speaker",
    "TranscriptEvent",
    "Turn",
]
