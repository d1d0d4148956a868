"""The fast forms of the detail rules' searches find what the plain searches find.

``consumer.analyzer.details`` answers some questions with searches rewritten so the regex engine
can skip ahead (literal-led alternatives, word boundaries checked after the first character, a
phrase looked for from its end). Each is checked here against the plain regex it stands for, on
the samples, their lines, case variants and random text.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from consumer.analyzer import details

SAMPLES = Path(__file__).resolve().parents[2] / "producer_tools" / "samples" / "transcripts.jsonl"
TRANSCRIPTS = [
    str(json.loads(line)["transcript"])
    for line in SAMPLES.read_text(encoding="utf-8").splitlines()
    if line.strip()
]
TEXTS = [
    *TRANSCRIPTS,
    *(t.upper() for t in TRANSCRIPTS),
    *(t.swapcase() for t in TRANSCRIPTS),
    *(line for t in TRANSCRIPTS for line in t.splitlines()),
]
TRICKY = [
    *("se", "Se", "SE", "from", "From", "Rahul", "Sir", "Madam", "Ma'am", "Ma", "Hello", "Hi"),
    *("Call", "Calling", "Callum", "Namaste", "bol raha", "here", "calling", "speaking", "main"),
    *("i'm", "I'm", "this is", "my name is", "mera naam", "naam", "hai", "ji", "bank", "cards"),
    *("xbank", "bank_", "HDFC", "se.", "se,", "1se", "a1 se", "&se", ". se", "_ se", "123 se"),
    *("\n", ".", ",", "&", "_", "  "),
]
WORDS = sorted({w for t in TRANSCRIPTS for w in t.split()} | set(TRICKY))
soups = st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join)


def _check_identification(text: str) -> None:
    if not text.isascii():
        return
    low = text.lower()
    org = details._ORG_ASCII.search(low) is not None or details._word_before_se(low)
    name = details._NAME_LOWER.search(text) is not None or details._NAME_UPPER.search(text) is not None
    assert org == (details._ORG.search(text) is not None), text
    assert name == (details._NAME.search(text) is not None), text


def test_the_identification_searches_match_like_the_plain_ones() -> None:
    for text in TEXTS:
        _check_identification(text)


@settings(max_examples=300, deadline=None)
@given(soups)
def test_the_identification_searches_match_like_the_plain_ones_on_random_text(text: str) -> None:
    _check_identification(text)
