# ruff: noqa: E501 - each summary template is kept whole on one line.
"""The text of an analysis: a short ``customer_intent`` and an English ``summary`` for the chosen
category, from templates."""

from __future__ import annotations

import re
from datetime import datetime

from consumer.analyzer.rules.cues import INDEX, Found, whole_word
from consumer.analyzer.rules.decide import Evidence
from consumer.analyzer.rules.phrases import When, amount_near, nearest_when, spoken_date
from schemas import IntentCategory

_TITLES: dict[IntentCategory, str] = {
    IntentCategory.PROMISE_TO_PAY: "Promise to Pay",
    IntentCategory.ALREADY_PAID: "Already Paid",
    IntentCategory.DISPUTE: "Dispute",
    IntentCategory.HARDSHIP: "Financial Hardship",
    IntentCategory.SETTLEMENT_REQUEST: "Settlement Request",
    IntentCategory.REFUSE_TO_PAY: "Refusal to Pay",
    IntentCategory.CALLBACK_REQUEST: "Callback Request",
    IntentCategory.WRONG_PARTY: "Wrong Party",
    IntentCategory.INFORMATION_REQUEST: "Information Request",
    IntentCategory.COMPLAINT: "Complaint",
    IntentCategory.OTHER: "No Clear Intent",
}

_INFO_TOPICS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (whole_word(p), label)
    for p, label in (
        (r"foreclos~|preclos~", "foreclosure amount"),
        (r"statement|स्टेटमेंट|soa", "account statement"),
        (r"noc|no dues|no objection|एनओसी", "NOC"),
        (r"schedule", "repayment schedule"),
        (r"link|लिंक|upi id|account details|bank details", "payment details"),
        (r"kitna baaki|kitna bakaya|बकाया|outstanding|balance", "outstanding amount"),
        (r"kab due|due date|kab hai|when is", "due date"),
        (r"bounce charge|charges?|fee", "charges"),
    )
)
_INFO_TOPIC_IDS = INDEX.add_all(rx for rx, _ in _INFO_TOPICS)


def _when_text(when: When | None, text: str, anchor: datetime | None) -> str:
    if when is None:
        return ""
    if when.label == "On salary credit":
        return " when the salary is credited"
    if when.label in ("Next week", "Next month", "Month end"):
        return f" {when.label.lower()}"
    # (the date is resolved only for the phrases whose text shows it)
    resolved = spoken_date(text, when, anchor) if anchor is not None else None
    suffix = f" ({resolved.isoformat()})" if resolved else ""
    if when.dom is not None and when.month is None:
        return f" by the {when.label}{suffix}"
    if when.offset is not None or when.kind == "part":
        return f" {when.label.lower()}{suffix}"
    return f" on {when.label}{suffix}"


def describe(
    ev: Evidence, category: IntentCategory, action: bool, anchor: datetime | None
) -> tuple[str, str]:
    """(customer_intent, summary) for the chosen category; ``anchor`` (the call's start) dates the
    relative days the summary names."""
    c = IntentCategory
    title = _TITLES[category]
    found = ev.found.get(category) or Found()
    best = found.best()
    hardship = ev.found[c.HARDSHIP].best()
    anchors = [(h.start, h.end) for h in found.hits if h.end > 0]

    if category is c.PROMISE_TO_PAY:
        when = ev.promise_when
        if not action:
            intent = f"{title} - On time"
            summary = (
                "The customer confirmed the upcoming instalment will be paid on time; no follow-up is needed."
            )
            return intent, summary
        amount = amount_near(ev.customer, anchors)  # (an on-time promise's text names none)
        amt = f" {amount}" if amount else ""
        intent = f"{title} - {when.label}" if when else title
        summary = f"The customer promised to pay{amt}{_when_text(when, ev.customer.text, anchor)}."
        if hardship is not None and hardship.label and ev.score(c.HARDSHIP) >= 2:
            summary += f" They cited {hardship.label} as the reason for the delay; track the promise."
        else:
            summary += " Track the promise and follow up if it is missed."
        return intent, summary

    if category is c.ALREADY_PAID:
        if action:
            return f"{title} - Verify", (
                "The customer says the payment has already been made. Verify the payment against the account."
            )
        return f"{title} - Confirmed", (
            "The customer says the payment has already been made and the agent confirmed receipt on the call."
        )

    if category is c.DISPUTE:
        what = best.label if best and best.label else "the debt"
        return f"{title} - {what.capitalize()}", (
            f"The customer disputes the account ({what}). Investigate the dispute before further collection."
        )

    if category is c.HARDSHIP:
        reason = hardship.label if hardship and hardship.label else "financial hardship"
        return f"{title} - {reason.capitalize()}", (
            f"The customer cannot pay right now because of {reason}. Review the account for relief or restructuring options."
        )

    if category is c.SETTLEMENT_REQUEST:
        amount = amount_near(ev.customer, anchors, limit=60)
        offer = f", offering {amount}" if amount else ""
        return title, (
            f"The customer asked to settle the outstanding amount{offer}. Prepare a settlement proposal for approval."
        )

    if category is c.REFUSE_TO_PAY:
        return title, "The customer refused to pay. Escalate the account per the collections policy."

    if category is c.CALLBACK_REQUEST:
        whens = [w for w in ev.whens() if not w.now]  # "abhi meeting mein hoon" is not the callback time
        when = nearest_when(ev.customer.text, whens, anchors, limit=40) if anchors else None
        intent = f"{title} - {when.label}" if when else title
        later = _when_text(when, ev.customer.text, anchor) or " later"
        return intent, f"The customer asked to be called back{later}. Schedule the callback."

    if category is c.WRONG_PARTY:
        if "third_party" in found.names():
            return f"{title} - Third party", (
                "A third party answered, not the borrower. Update the contact details and reach the borrower directly."
            )
        return f"{title} - Wrong number", (
            "The person reached says this is a wrong number for the borrower. Fix the contact details."
        )

    if category is c.INFORMATION_REQUEST:
        found_ids = {pid for pid, matches in ev.customer.scans(_INFO_TOPIC_IDS) if next(matches, None)}
        topics = [
            label for pid, (_, label) in zip(_INFO_TOPIC_IDS, _INFO_TOPICS, strict=True) if pid in found_ids
        ]
        topic = " and ".join(dict.fromkeys(topics[:2])) or "account information"
        intent = f"{title} - {topic[0].upper()}{topic[1:]}"
        if action:
            return intent, f"The customer asked for the {topic}. Send the requested information."
        return intent, f"The customer asked about the {topic} and the agent answered on the call."

    if category is c.COMPLAINT:
        what = best.label if best and best.label else "the collection process"
        return f"{title} - {what.capitalize()}", (
            f"The customer complained about {what}. Log the complaint and escalate it for review."
        )

    return title, "The customer expressed no clear intent about the debt. No follow-up is needed."
