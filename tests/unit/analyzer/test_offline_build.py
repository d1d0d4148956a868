"""``analyze_offline`` builds the analysis once: the same result as the step-by-step chain.

The offline analyzer gathers the core fields, the detail fields and the finishing rules' fields
and validates one ``CallAnalysis``; ``finish(add_details(analyze_text(...)))`` builds, copies and
copies again. Both must give the same analysis, field for field, on the samples and variants.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from consumer.analyzer.details import add_details
from consumer.analyzer.enrich import finish
from consumer.analyzer.learned import shipped_model
from consumer.analyzer.offline import analyze_batch, analyze_offline
from consumer.analyzer.rules import analyze_text
from producer_tools.samples import SAMPLES_PATH, load_rows
from schemas import CallAnalysis

TRANSCRIPTS = [str(row["transcript"]) for row in load_rows(SAMPLES_PATH)]
TEXTS = [
    *TRANSCRIPTS,
    *(t.upper() for t in TRANSCRIPTS[::5]),
    "",
    "Agent: Namaste. Customer: Kal 5000 bhar dunga.",
    "Agent: Police bhejenge, chor ho tum. Customer: Mere papa hospital mein hain, main marr jaunga.",
]
IST = timezone(timedelta(hours=5, minutes=30))
ANCHORS = [
    datetime(2026, 11, 20, 10, 30, tzinfo=UTC),  # within calling hours in IST
    datetime(2026, 3, 31, 21, 45, tzinfo=IST),  # outside them
    datetime(2026, 12, 31, 7, 5),  # naive: taken as IST
]


@pytest.mark.parametrize("anchor", ANCHORS, ids=["day", "late", "naive"])
def test_the_single_build_equals_the_chain(anchor: datetime) -> None:
    for text in TEXTS:
        chained = finish(add_details(analyze_text(text, anchor), text, anchor), anchor)
        built = analyze_offline(text, anchor)
        assert built == chained, text
        assert built.model_dump_json() == chained.model_dump_json(), text


@pytest.mark.parametrize("learned", [True, False], ids=["model", "rules"])
def test_a_batch_gives_each_call_its_own_analysis(learned: bool) -> None:
    """``analyze_batch`` takes each step for all calls before the next: the results are still
    those of ``analyze_offline`` call by call, and a failing call fails alone, in its place."""
    model = shipped_model() if learned else None
    assert model is not None or not learned
    jobs: list[tuple[object, datetime | None]] = [(t, ANCHORS[i % 3]) for i, t in enumerate(TEXTS)]
    jobs.insert(7, (None, ANCHORS[0]))  # not a transcript: read_call raises
    results = analyze_batch(jobs, model)  # type: ignore[arg-type]
    assert len(results) == len(jobs)
    assert isinstance(results[7], AttributeError | TypeError)
    for (text, anchor), result in zip(jobs[:7] + jobs[8:], results[:7] + results[8:], strict=True):
        assert isinstance(result, CallAnalysis), text
        alone = analyze_offline(text, anchor, model)  # type: ignore[arg-type]
        assert result.model_dump_json() == alone.model_dump_json(), text
