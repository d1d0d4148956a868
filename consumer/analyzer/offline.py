"""The offline analyzer: deterministic rules, no network, no model."""

from __future__ import annotations

from datetime import datetime

from consumer.analyzer.details import detail_fields
from consumer.analyzer.enrich import finishing_fields
from consumer.analyzer.learned import LearnedModel, Prediction, shipped_model
from consumer.analyzer.rules import SpeakerTurns, Verdicts, core_fields
from schemas import AnalyzerInfo, CallAnalysis, ContactStatus


def analyze_offline(
    transcript: str, call_started_at: datetime | None, model: LearnedModel | None = None
) -> CallAnalysis:
    """Core fields (the rules' verdicts, decided again by the learned ``model`` when there is
    one), then debt-collection detail, the contact status decided again by the model's contact
    head when it has one: pure CPU work, no I/O.

    Without a model, the same analysis as ``finish(add_details(analyze_text(...), ...), ...)``,
    built and validated once from all its fields rather than copied at each step. With one, the
    model's probabilities are the confidence of intent, sentiment, action and contact status.
    """
    predicted: list[Prediction] = []

    def decide(verdicts: Verdicts, turns: SpeakerTurns) -> Verdicts:
        assert model is not None
        category, sentiment, action = verdicts
        p = model.predict(turns, (category.value, sentiment.value, action))
        predicted.append(p)
        return p.intent, p.sentiment, p.action

    def decide_contact(rules_contact: ContactStatus) -> tuple[ContactStatus, float] | None:
        assert model is not None
        return model.contact(predicted[0], rules_contact.value) if predicted else None

    fields = core_fields(transcript, call_started_at, decide=decide if model is not None else None)
    fields.update(
        detail_fields(
            transcript,
            call_started_at,
            fields["intent_category"],
            decide_contact=decide_contact if model is not None else None,
        )
    )
    if predicted:
        p = predicted[0]
        fields["confidence"] = fields["confidence"].model_copy(
            update={"intent_category": p.intent_p, "sentiment": p.sentiment_p, "action_required": p.action_p}
        )
    fields.update(
        finishing_fields(
            fields["compliance_flags"],
            action_required=fields["action_required"],
            distress=fields["distress"],
            needs_review=False,
            confidence=fields["confidence"],
            call_started_at=call_started_at,
        )
    )
    return CallAnalysis(**fields)


def analyzer_info(model_version: str | None) -> AnalyzerInfo:
    """How an analysis by the rules and the learned model ``model_version`` (None: the rules
    alone) names its analyzer."""
    name = f"rules-v1+{model_version}" if model_version else "rules-v1"
    return AnalyzerInfo(provider="offline", model=name)


class OfflineAnalyzer:
    """Implements the ``Analyzer`` protocol with the rules in ``consumer.analyzer.rules``.

    Always available: ``check`` and ``aclose`` have nothing to do.
    """

    def __init__(self, model: LearnedModel | None = None, *, learned: bool = True) -> None:
        """Use ``model`` (default: the learned model shipped in the package) beside the rules;
        ``learned=False``: the rules alone."""
        self._model = (model if model is not None else shipped_model()) if learned else None
        self.info = analyzer_info(self._model.version if self._model is not None else None)

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        """Analyze one transcript: core fields, then debt-collection detail (pure CPU work)."""
        return analyze_offline(transcript, call_started_at, self._model)

    async def check(self) -> None:
        """The rules need nothing external, so the analyzer can always serve."""

    async def aclose(self) -> None:
        """Nothing to release."""
