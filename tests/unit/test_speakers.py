"""One list of speaker labels: the intent rules and the detail rules read the same turns, so a
promise the rules see is a promise the details can date and price."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from consumer.analyzer.details import split_turns
from consumer.analyzer.offline import analyze_offline
from consumer.analyzer.speakers import AGENT_LABELS, CUSTOMER_LABELS
from schemas import IntentCategory, Speaker

IST = timezone(timedelta(hours=5, minutes=30))
MONDAY = datetime(2026, 11, 16, 10, 30, tzinfo=IST)


@pytest.mark.parametrize("label", CUSTOMER_LABELS)
def test_a_customer_label_carries_the_promise_to_its_details(label: str) -> None:
    transcript = (
        f"Agent: aapki EMI overdue hai.\n{label.title()}: agle mahine 5 tareekh ko dedh lakh de dunga"
    )

    analysis = analyze_offline(transcript, MONDAY)

    assert analysis.intent_category is IntentCategory.PROMISE_TO_PAY
    assert analysis.promise_to_pay is not None
    assert analysis.promise_to_pay.amount_inr == 150_000
    assert analysis.promise_to_pay.due_date == date(2026, 12, 5)


@pytest.mark.parametrize("label", AGENT_LABELS)
def test_an_agent_label_is_the_agents_side(label: str) -> None:
    turns, labelled = split_turns(f"{label.title()}: namaste, EMI overdue hai.\nCustomer: kal de dunga")

    assert labelled
    assert [t.speaker for t in turns] == [Speaker.AGENT, Speaker.CUSTOMER]
