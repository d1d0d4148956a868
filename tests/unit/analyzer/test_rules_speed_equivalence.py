"""The speed-ups in the offline rules change nothing: each fast path against its plain form.

``consumer.analyzer.rules`` avoids running every pattern over every position of a transcript:
an index of word starts picks the few places where each pattern may match, several regexes were
rewritten to let the engine skip ahead, and a few searches were bounded. Each of those is
checked here against the straightforward formulation it replaces, on the bundled samples, on
variants of them and on random text.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from itertools import pairwise
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from consumer.analyzer.rules import analyze_text, normalize
from consumer.analyzer.rules.cues import _CLAUSE_BREAK_FAST, _TOKEN, CLAUSE_BREAK, INDEX, Doc
from consumer.analyzer.rules.decide import _sentence_around
from consumer.analyzer.rules.lexicons import QUESTION
from consumer.analyzer.rules.phrases import SENTENCE_BREAK, _distance, _near
from consumer.analyzer.rules.turns import _PUNCT_MAP, read_turns

SAMPLES = Path(__file__).resolve().parents[3] / "producer_tools" / "samples" / "transcripts.jsonl"
ROWS = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
TRANSCRIPTS = [str(r["transcript"]) for r in ROWS]
WORDS = sorted({w for t in TRANSCRIPTS for w in t.split() if w})
EXTRA = [
    "Customer: ₹5,000 kal tak bhej dunga, ₹ 2 lakh baaki",
    "Customer: ৩ tareekh ko de dunga, ٣ ko bhi",  # decimal digits of other scripts
    "Customer: १५ तारीख को दूँगा। ज़रूर",
    "Customer: Rs.2024 aur 13.5 hazaar. 2,000 kal",
    "xagent: hello\nCustomer: kal de dunga",
    "Agent (Ravi): pay karoge?\nCustomer: nahi",
    "Customer: ye itna amount kaise aaya? 500 emi kaise? Sharma ji ka number nahi hai",
    "Customer: nahiii bhai, don't call me at night!! jo karna hai karo",
]


def _variants() -> list[str]:
    """The samples, each of their lines alone, neighbours joined, upper case, and a few extras."""
    out = [*TRANSCRIPTS, *EXTRA]
    for t in TRANSCRIPTS:
        lines = t.splitlines()
        out += lines
        out += [f"{a} {b}" for a, b in pairwise(lines)]
        out.append(t.upper())
    return out


VARIANTS = _variants()
PUNCT = [*".,!?।;:\n'\"()-₹%", "2,000", "13.5", "৩", "५"]
soups = st.lists(st.sampled_from(WORDS + PUNCT), max_size=40).map(" ".join)


# ---------------------------------------------------------------------------------------------
# The index of word starts
# ---------------------------------------------------------------------------------------------


def _assert_index_is_exact(text: str) -> None:
    doc = Doc(text)
    everything = range(len(INDEX))
    found = {pid: [m.span() for m in matches] for pid, matches in doc.scans(everything)}
    for pid, regex in enumerate(INDEX.patterns):
        assert found.get(pid, []) == [m.span() for m in regex.finditer(text)], (pid, text)


def test_index_finds_exactly_what_finditer_finds_in_the_samples() -> None:
    for t in VARIANTS:
        norm = normalize(t)
        _assert_index_is_exact(norm)
        customer = "\n".join(text for speaker, text in read_turns(norm) if speaker == "customer")
        _assert_index_is_exact(customer)


@settings(max_examples=150, deadline=None)
@given(soups)
def test_index_finds_exactly_what_finditer_finds_in_any_text(text: str) -> None:
    _assert_index_is_exact(normalize(text))


def test_every_lexicon_pattern_is_indexed() -> None:
    # None needs a scan of the whole text on every call.
    assert not INDEX.always


# ---------------------------------------------------------------------------------------------
# Normalisation and speakers
# ---------------------------------------------------------------------------------------------


def _reference_normalize(text: str) -> str:
    t = unicodedata.normalize("NFD", text).replace("\u093c", "").replace("\u0901", "\u0902")
    t = unicodedata.normalize("NFC", t).translate(_PUNCT_MAP).lower()
    t = re.sub(r"([a-z])\1{2,}", r"\1\1", t)
    return re.sub(r"[ \t\r\f\v]+", " ", t)


def test_normalize_matches_its_plain_form_on_the_samples() -> None:
    for t in VARIANTS:
        assert normalize(t) == _reference_normalize(t)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *"abcAXZ \t\r\n\f\v.:'\"",
                *(chr(c) for c in range(0x900, 0x980)),
                *"\u2019\u2018\u201c\u201d\u2013\u2014\u00a0\u200b\u200c\u200d\ufeff",
                *"é\u0301İßK\u0300ǅﬃ٣৩",
                "aaa",
                "ZZZZ",
                "क\u093c",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_normalize_matches_its_plain_form_on_any_text(text: str) -> None:
    assert normalize(text) == _reference_normalize(text)


# ---------------------------------------------------------------------------------------------
# Rewritten regexes and bounded searches
# ---------------------------------------------------------------------------------------------

punctuated = st.text(alphabet=st.sampled_from([*"ab1 .,!?;:|\n\u0964'\u0915"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(punctuated)
def test_rewritten_regexes_match_their_plain_forms(text: str) -> None:
    assert [m.span() for m in _CLAUSE_BREAK_FAST.finditer(text)] == [
        m.span() for m in CLAUSE_BREAK.finditer(text)
    ]
    assert [m.span() for m in QUESTION.finditer(text)] == [
        m.span() for m in re.finditer(r"[^.!?\n\u0964]+\?", text)
    ]


def _reference_words(text: str, start: int, end: int, n: int) -> tuple[list[str], list[str]]:
    breaks = [m.start() for m in CLAUSE_BREAK.finditer(text)]
    left = max((b + 1 for b in breaks if b < start), default=0)
    right = min((b for b in breaks if b >= end), default=len(text))
    return _TOKEN.findall(text, left, start)[-n:], _TOKEN.findall(text, end, right)[:n]


def _assert_words_match(text: str) -> None:
    doc = Doc(text)
    for pos in range(len(text) + 1):
        for n in (2, 3):
            assert (doc.words_before(pos, n), doc.words_after(pos, n)) == _reference_words(text, pos, pos, n)


def test_words_around_a_match_are_read_as_before() -> None:
    for t in TRANSCRIPTS[:30]:
        _assert_words_match(normalize(t))
    _assert_words_match("nahi " + "x" * 200 + " pay karunga, " + "yy'zz " * 40 + "no don't")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([*"ab '.,\n1\u0915", "कि", "nahi"]), max_size=80).map("".join))
def test_words_around_a_match_are_read_as_before_in_any_text(text: str) -> None:
    _assert_words_match(text)


@settings(max_examples=300, deadline=None)
@given(punctuated, st.integers(0, 60), st.integers(0, 20))
def test_sentence_bounds_are_as_before(text: str, start: int, length: int) -> None:
    start = min(start, len(text))
    end = min(start + length, len(text))
    breaks = [m.start() for m in SENTENCE_BREAK.finditer(text)]
    left = max((m.end() for m in SENTENCE_BREAK.finditer(text, 0, start)), default=0)
    right_m = SENTENCE_BREAK.search(text, end)
    right = right_m.start() if right_m else len(text)
    assert _sentence_around(text, breaks, start, end) == (left, right)


spans = st.lists(st.tuples(st.integers(0, 500), st.integers(0, 30)), max_size=30).map(
    lambda raw: sorted((a, a + n) for a, n in raw)
)


@settings(max_examples=300, deadline=None)
@given(spans, spans, st.sampled_from([40, 60]))
def test_nearby_anchors_include_every_anchor_in_reach(
    phrases: list[tuple[int, int]], anchors: list[tuple[int, int]], limit: int
) -> None:
    for phrase, near in zip(phrases, _near(phrases, anchors, limit), strict=True):
        assert {a for a in anchors if _distance(phrase, a) <= limit} <= set(near)


# ---------------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------------


def _cpu_seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        analyze_text(text)
        best = min(best, time.process_time() - start)
    return best


def _repeat(base: str, n: int) -> str:
    return (base * (n // len(base) + 1))[:n]


def _one_long_anchor(n: int) -> str:
    """A callback cue stretched over half the text by one enormous word, then many day phrases."""
    return (
        "Customer: baad mein call" + "ab" * (n // 4) + " karo. " + _repeat("kal shaam ko call karo. ", n // 2)
    )


SHAPES = [
    lambda n: _repeat("\n".join(TRANSCRIPTS), n),
    lambda n: _repeat(" ".join(WORDS), n),  # no labels and no punctuation: one long clause
    lambda n: _repeat("kal de dunga parso 5000 bhar dunga ", n),
    lambda n: _repeat("mera loan kitna hai aur ", n),
    _one_long_anchor,
]


def test_time_grows_linearly_with_length() -> None:
    for shape in SHAPES:
        short, long = shape(4_000), shape(32_000)
        _cpu_seconds(short)
        # 8 times the text: about 8 times the time (quadratic work would be 64 times).
        assert _cpu_seconds(long) < 24 * _cpu_seconds(short) + 0.01
