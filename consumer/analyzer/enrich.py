"""What every analysis goes through before it is stored, whichever analyzer made it.

- An LLM answer becomes a CallAnalysis: the promise's date and amount are resolved by our own
  Hinglish normaliser from the words the customer used, anchored to the call time in IST, rather
  than trusting the model's arithmetic; the callback time likewise.
- Facts that need no judgement are set by rule: a call outside 08:00–19:00 IST is flagged from
  ``call_started_at`` (and an LLM's claim of one is dropped when the call time says otherwise).
- Distress forces ``action_required`` and high priority; threats or abuse raise priority too.
- ``needs_review`` is set when any field's confidence is low.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from consumer.analyzer.text.dates import DateMatch, find_dates, resolve_date, to_ist
from consumer.analyzer.text.money import parse_amount
from schemas import (
    CallAnalysis,
    ComplianceFlag,
    ComplianceRule,
    Distress,
    FieldConfidence,
    LLMAnswer,
    Priority,
    PromiseToPay,
    Severity,
    Speaker,
)

CALLING_HOURS = (time(8, 0), time(19, 0))
REVIEW_THRESHOLD = 0.6
_URGENT_RULES = frozenset({ComplianceRule.THREAT_OR_INTIMIDATION, ComplianceRule.ABUSIVE_LANGUAGE})

_CLOCK = re.compile(
    r"(?<!\d)(?P<h>[01]?\d|2[0-3])(?:[:.](?P<m>[0-5]\d))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?"
    r"\s*(?:baje|bje|o'?clock|बजे|hrs?)?",
    re.IGNORECASE,
)
_PART_OF_DAY = (
    (re.compile(r"subah|savere|morning|सुबह", re.IGNORECASE), 10),
    (re.compile(r"dopahar|dopehar|afternoon|lunch|दोपहर", re.IGNORECASE), 14),
    (re.compile(r"shaam|sham|evening|शाम", re.IGNORECASE), 18),
    (re.compile(r"raat|night|रात", re.IGNORECASE), 20),
)


def outside_calling_hours(call_started_at: datetime | None) -> bool | None:
    """True before 08:00 or from 19:00 IST; None when the call time is unknown."""
    if call_started_at is None:
        return None
    local = to_ist(call_started_at).time()
    return not (CALLING_HOURS[0] <= local < CALLING_HOURS[1])


def parse_callback(
    text: str, anchor: datetime, dates: Callable[[], list[DateMatch]] | None = None
) -> datetime | None:
    """When "kal shaam 6 baje" / "Monday 11am" / "2 ghante baad" is, in IST; None if no time or day.

    ``dates`` gives ``find_dates(text, anchor)`` when a caller has already read the text's dates
    (asked only when the text names no hours from now).
    """
    ist = to_ist(anchor)
    hours_later = re.search(r"(\d+|ek|do|teen)\s*(ghante|ghanta|hours?|घंटे)", text, re.IGNORECASE)
    if hours_later:
        count = {"ek": 1, "do": 2, "teen": 3}.get(hours_later.group(1).lower())
        return ist + timedelta(hours=count or int(hours_later.group(1)))
    found = dates() if dates is not None else find_dates(text, anchor)
    days = [d.date for d in found if d.date is not None]
    day: date | None = days[0] if days else None
    hour: int | None = None
    minute = 0
    part_hour = next((h for pattern, h in _PART_OF_DAY if pattern.search(text)), None)
    for match in _CLOCK.finditer(text):
        if not (match.group("ampm") or re.search(r"baje|bje|o'?clock|बजे|[:.]", match.group(0), re.I)):
            continue
        hour, minute = int(match.group("h")), int(match.group("m") or 0)
        ampm = (match.group("ampm") or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        elif not ampm and hour < 8 and (part_hour is None or part_hour >= 14):
            hour += 12  # "6 baje" in a collections call means the evening unless said otherwise
        break
    if hour is None:
        hour = part_hour
    if day is None and hour is None:
        return None
    if day is None:
        day = ist.date()
        if hour is not None and (hour, minute) <= (ist.hour, ist.minute):
            day += timedelta(days=1)
    return datetime.combine(day, time(hour if hour is not None else 10, minute), tzinfo=ist.tzinfo)


def promise_from_llm(answer: LLMAnswer, anchor: datetime) -> PromiseToPay | None:
    """The LLM's promise with amount and date resolved by the normaliser where it can."""
    llm = answer.promise_to_pay
    if llm is None:
        return None
    amount = parse_amount(llm.amount_text) if llm.amount_text else None
    if amount is None:
        amount = llm.amount_inr
    due: date | None = None
    reason: str | None = None
    if llm.due_text:
        resolved = resolve_date(llm.due_text, anchor)
        due, reason = resolved.date, resolved.reason
    if due is None and llm.due_date:
        try:
            due = date.fromisoformat(llm.due_date)
            reason = None
        except ValueError:
            reason = reason or "unrecognized"
    return PromiseToPay(
        amount_inr=amount,
        due_date=due,
        due_text=llm.due_text,
        date_unresolved_reason=None if due is not None else (reason or "not_stated"),
        is_partial=llm.is_partial,
        confidence=llm.confidence,
    )


def from_llm(answer: LLMAnswer, call_started_at: datetime | None, *, now: datetime) -> CallAnalysis:
    """Turn Gemini's structured answer into a finished CallAnalysis."""
    anchor = call_started_at or now
    analysis = CallAnalysis(
        customer_intent=answer.customer_intent,
        intent_category=answer.intent_category,
        sentiment=answer.sentiment,
        action_required=answer.action_required,
        summary=answer.summary,
        contact_status=answer.contact_status,
        promise_to_pay=promise_from_llm(answer, anchor),
        hardship_reason=answer.hardship_reason,
        dispute_reason=answer.dispute_reason,
        callback_at=parse_callback(answer.callback_text, anchor) if answer.callback_text else None,
        distress=Distress(kinds=answer.distress, quote=answer.distress_quote) if answer.distress else None,
        compliance_flags=answer.compliance_flags,
        confidence=answer.confidence,
    )
    return finish(analysis, call_started_at)


def finish(analysis: CallAnalysis, call_started_at: datetime | None) -> CallAnalysis:
    """Apply the rules every analysis obeys (calling hours, distress, priority, review)."""
    update = finishing_fields(
        analysis.compliance_flags,
        action_required=analysis.action_required,
        distress=analysis.distress,
        needs_review=analysis.needs_review,
        confidence=analysis.confidence,
        call_started_at=call_started_at,
    )
    return analysis.model_copy(update=update)


def finishing_fields(
    compliance_flags: list[ComplianceFlag],
    *,
    action_required: bool,
    distress: Distress | None,
    needs_review: bool,
    confidence: FieldConfidence | None,
    call_started_at: datetime | None,
) -> dict[str, Any]:
    """The fields ``finish`` sets, from those of an analysis (for a caller that builds the
    analysis once with all its fields)."""
    flags = list(compliance_flags)
    outside = outside_calling_hours(call_started_at)
    if outside is not None:  # the call time decides; without one, the analyzer's evidence stands
        flags = [f for f in flags if f.rule is not ComplianceRule.OUTSIDE_CALLING_HOURS]
    if outside:
        assert call_started_at is not None
        flag = ComplianceFlag(
            rule=ComplianceRule.OUTSIDE_CALLING_HOURS,
            severity=Severity.MEDIUM,
            quote=f"call started at {to_ist(call_started_at):%H:%M} IST",
            speaker=Speaker.AGENT,
        )
        flags.insert(0, flag)
    action_required = action_required or distress is not None
    if distress is not None or any(f.rule in _URGENT_RULES for f in flags):
        priority = Priority.HIGH
    elif action_required:
        priority = Priority.NORMAL
    else:
        priority = Priority.LOW
    if confidence is not None:
        scores = [
            confidence.intent_category,
            confidence.sentiment,
            confidence.action_required,
            confidence.contact_status,
        ]
        if confidence.promise_to_pay is not None:
            scores.append(confidence.promise_to_pay)
        needs_review = needs_review or min(scores) < REVIEW_THRESHOLD
    return {
        "compliance_flags": flags,
        "action_required": action_required,
        "priority": priority,
        "needs_review": needs_review,
    }
