"""The detail fields of an analysis: distress, the hardship or dispute reason, the callback time,
and the entry points that fill them all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

from consumer.analyzer.details.call import Call, clip, live_hits, sentence_with, window
from consumer.analyzer.details.conduct import compliance_flags, read_contact
from consumer.analyzer.details.lexicons import CALLBACK, DISPUTE_CUE, DISTRESS, HARDSHIP_CUE
from consumer.analyzer.details.promise import read_promise
from consumer.analyzer.enrich import parse_callback
from consumer.analyzer.text.lexicon import Lexicon
from consumer.analyzer.text.speakers import Split
from schemas import (
    CallAnalysis,
    ComplianceRule,
    ContactStatus,
    Distress,
    DistressKind,
    FieldConfidence,
    IntentCategory,
    PromiseToPay,
)

_REASON_MAX = 160


def _distress(call: Call) -> Distress | None:
    """Distress the customer shows; negated mentions ("koi hospital nahi") do not count, except
    self-harm, where negative phrasing is the signal ("I don't want to live")."""
    texts = call.customer.texts
    found: list[tuple[DistressKind, int, tuple[int, int]]] = []
    for kind, pattern in DISTRESS:
        hits = live_hits(pattern, call.customer, negation=kind is not DistressKind.SELF_HARM)
        if hits:
            k = min(hits)
            found.append((kind, k, hits[k]))
    if not found:
        return None
    kind, k, span = found[0] if found[0][0] is DistressKind.SELF_HARM else min(found, key=lambda f: f[1])
    return Distress(kinds=[f[0] for f in found], quote=window(texts[k], *span))


def _reason(call: Call, cue: Lexicon) -> str | None:
    customer = call.customer.texts
    for text in customer:
        found = sentence_with(text, cue)
        if found:
            return clip(found, _REASON_MAX)
    return clip(customer[0], _REASON_MAX) if customer else None


def _callback(call: Call, category: IntentCategory, anchor: datetime) -> datetime | None:
    """When the customer asks to be called back; a turn's dates are those the promise rules read
    when they are resolved against the same ``anchor``."""
    side = call.customer
    shared = call.anchor is anchor
    for k, text in enumerate(side.texts):
        if category is IntentCategory.CALLBACK_REQUEST or side.search(CALLBACK, k):
            when = parse_callback(text, anchor, partial(call.dates, side.turns[k]) if shared else None)
            if when is not None:
                return when
    return None


def add_details(analysis: CallAnalysis, transcript: str, call_started_at: datetime | None) -> CallAnalysis:
    """``analysis`` with the detail fields filled from ``transcript`` (``outside_calling_hours``,
    priority and ``needs_review`` are left to ``enrich.finish``)."""
    update = detail_fields(transcript, call_started_at, IntentCategory(analysis.intent_category))
    kept = [f for f in analysis.compliance_flags if f.rule is ComplianceRule.OUTSIDE_CALLING_HOURS]
    if kept:
        update["compliance_flags"] = [*kept, *update["compliance_flags"]]
    return analysis.model_copy(update=update)


def detail_fields(
    transcript: str,
    call_started_at: datetime | None,
    category: IntentCategory,
    *,
    decide_contact: Callable[[ContactStatus], tuple[ContactStatus, float] | None] | None = None,
) -> dict[str, Any]:
    """The detail fields ``add_details`` fills, for a call of ``category``, as keyword arguments
    of ``CallAnalysis`` (for a caller that builds the analysis once with all its fields).

    ``decide_contact`` may replace the rules' contact status (and its confidence) before the
    conduct rules read it: the learned model's contact head does.
    """
    details = Details(transcript, call_started_at, category, decide_contact)
    for step in DETAIL_STEPS:
        step(details)
    return details.fields


class Details:
    """One call's detail fields as ``DETAIL_STEPS`` fill them, in order, into ``fields``: what
    ``detail_fields`` gives. A caller analysing many calls can take each step for all of them
    before the next."""

    def __init__(
        self,
        transcript: str,
        call_started_at: datetime | None,
        category: IntentCategory,
        decide_contact: Callable[[ContactStatus], tuple[ContactStatus, float] | None] | None = None,
        split: Split | None = None,
    ) -> None:
        """``split``: the transcript's ``speakers.split_turns``, when the caller has it."""
        self.anchor = call_started_at or datetime.now(UTC)
        self.call = Call(transcript, self.anchor, split)
        self.category = category
        self.decide_contact = decide_contact
        self.contact = ContactStatus.UNKNOWN  # until ``_contact`` reads it
        self.contact_confidence = 0.0
        self.promise: PromiseToPay | None = None
        self.fields: dict[str, Any] = {}


def _contact(d: Details) -> None:
    contact, confidence = read_contact(d.call)
    if d.decide_contact is not None and (decided := d.decide_contact(contact)) is not None:
        contact, confidence = decided
    d.contact, d.contact_confidence = contact, confidence
    d.fields["contact_status"] = contact


def _promise(d: Details) -> None:
    d.promise = d.fields["promise_to_pay"] = read_promise(d.call, d.category, d.anchor)


def _distress_of(d: Details) -> None:
    d.fields["distress"] = _distress(d.call)


def _conduct(d: Details) -> None:
    d.fields["compliance_flags"] = compliance_flags(d.call, d.contact)


def _the_rest(d: Details) -> None:
    call, category = d.call, d.category
    d.fields["hardship_reason"] = _reason(call, HARDSHIP_CUE) if category is IntentCategory.HARDSHIP else None
    d.fields["dispute_reason"] = _reason(call, DISPUTE_CUE) if category is IntentCategory.DISPUTE else None
    d.fields["callback_at"] = _callback(call, category, d.anchor)
    d.fields["confidence"] = FieldConfidence(
        intent_category=0.45 if category is IntentCategory.OTHER else 0.75,
        sentiment=0.7,
        action_required=0.75,
        contact_status=d.contact_confidence,
        promise_to_pay=d.promise.confidence if d.promise is not None else None,
    )


DETAIL_STEPS: Final[tuple[Callable[[Details], None], ...]] = (
    _contact,
    _promise,
    _distress_of,
    _conduct,
    _the_rest,
)
"""The steps of ``detail_fields``, in order (the conduct rules read the contact status)."""
