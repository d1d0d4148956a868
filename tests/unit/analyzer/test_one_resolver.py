"""One date resolver: what the offline summary says is what the promise's fields say."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from consumer.analyzer.offline import analyze_offline

IST = timezone(timedelta(hours=5, minutes=30))
MONDAY = datetime(2026, 11, 16, 10, 30, tzinfo=IST)
ISO = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")


def test_next_wednesday_is_the_same_day_in_the_summary_and_the_promise() -> None:
    analysis = analyze_offline("Agent: EMI overdue hai.\nCustomer: next Wednesday ko 5000 bhar dunga", MONDAY)

    assert analysis.promise_to_pay is not None
    assert analysis.promise_to_pay.due_date == date(2026, 11, 25)  # Wednesday of next week
    assert "(2026-11-25)" in analysis.summary


@pytest.mark.parametrize(
    "words",
    [
        "kal tak 2000 de dunga",
        "parso pakka kar dunga",
        "Wednesday ko 5000 bhar dunga",
        "agle Friday ko poora kar dunga",
        "Monday ko kar dunga",
        "5 tareekh ko kar dunga",
        "20 tareekh tak 3000 de dunga",
        "agle mahine 5 tareekh ko dedh lakh de dunga",
        "aaj shaam tak kar deta hoon",
        "month end tak kar dunga",
        "शुक्रवार को 4000 दे दूंगा",
    ],
)
def test_a_date_in_the_summary_is_the_promises_date(words: str) -> None:
    analysis = analyze_offline(f"Agent: aapki EMI overdue hai.\nCustomer: {words}", MONDAY)

    assert analysis.promise_to_pay is not None
    said = ISO.findall(analysis.summary)
    assert len(said) <= 1
    if said:
        assert analysis.promise_to_pay.due_date == date.fromisoformat(said[0])
