"""The entry points of the rules: the five core fields of an analysis, and the turns they read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consumer.analyzer.rules.decide import (
    Evidence,
    action_required,
    collect,
    decide_category,
    judge_sentiment,
)
from consumer.analyzer.rules.describe import describe
from consumer.analyzer.rules.turns import read_turns
from consumer.analyzer.text import speakers
from schemas import CallAnalysis, IntentCategory, Sentiment


def analyze_text(transcript: str, call_started_at: datetime | None = None) -> CallAnalysis:
    """Analyze one transcript with deterministic rules.

    ``call_started_at`` (optional) resolves relative day phrases ("kal", "Wednesday",
    "5 tareekh") into calendar dates in the summary.
    """
    return CallAnalysis(**core_fields(transcript, call_started_at))


Verdicts = tuple[IntentCategory, Sentiment, bool]
SpeakerTurns = Sequence[tuple[str, str]]
"""A call's turns as the rules read them: ("agent" | "customer", normalised text)."""


def core_fields(
    transcript: str,
    call_started_at: datetime | None = None,
    *,
    decide: Callable[[Verdicts, SpeakerTurns], Verdicts] | None = None,
) -> dict[str, Any]:
    """The five core fields ``analyze_text`` finds, as keyword arguments of ``CallAnalysis``
    (for a caller that builds the analysis once with more fields).

    ``decide`` may replace the rules' verdicts (intent, sentiment, action), given the turns the
    rules read, before the intent text and the summary are written for them: the learned model
    does.
    """
    reading = read_call(transcript)
    verdicts = reading.verdicts if decide is None else decide(reading.verdicts, reading.turns)
    return write_core(reading, verdicts, call_started_at)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the rules read in one transcript, and their verdicts, before the intent text and the
    summary are written (``write_core``) for the verdicts finally chosen."""

    evidence: Evidence
    verdicts: Verdicts
    split: speakers.Split  # the transcript's ``speakers.split_turns``, which the details read too

    @property
    def turns(self) -> SpeakerTurns:
        """The turns the rules read (what ``core_fields``'s ``decide`` is given)."""
        return self.evidence.turns


def read_call(transcript: str, split: speakers.Split | None = None) -> Reading:
    """The rules' evidence in ``transcript`` and their verdicts: the first half of ``core_fields``
    (a caller analysing many calls can run each half over all of them in turn). ``split``: the
    transcript's ``speakers.split_turns``, when the caller has it."""
    if split is None:
        split = speakers.split_turns(transcript)
    ev = collect(transcript, split)
    category = decide_category(ev)
    sentiment = judge_sentiment(ev, category)
    return Reading(ev, (category, sentiment, action_required(ev, category)), split)


def write_core(reading: Reading, verdicts: Verdicts, call_started_at: datetime | None) -> dict[str, Any]:
    """The five core fields for ``verdicts`` (the rules' own, or what replaced them) from what the
    rules read: the second half of ``core_fields``."""
    category, sentiment, action = verdicts
    intent, summary = describe(reading.evidence, category, action, call_started_at)
    return {
        "customer_intent": intent[:200],
        "intent_category": category,
        "sentiment": sentiment,
        "action_required": action,
        "summary": summary[:1000],
    }


def speaker_turns(transcript: str) -> SpeakerTurns:
    """The turns of ``transcript`` as the rules read them (what ``decide`` is given)."""
    return read_turns(transcript)
