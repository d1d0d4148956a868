"""The detail lexicons find what their plain form finds, and a speaker's joined turns read like each turn.

``consumer.analyzer.text.lexicon`` rewrites each lexicon so the regex engine can skip through a text
(alternatives grouped by first character), and ``consumer.analyzer.details`` scans each speaker's
turns once, joined by line breaks. Both are checked here against the straightforward form: the
plain alternation searched position by position, and each turn searched on its own.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from consumer.analyzer.details import lexicons
from consumer.analyzer.details.call import Call
from consumer.analyzer.text.lexicon import Lexicon, Scan, lexicon
from schemas import Speaker

SAMPLES = Path(__file__).resolve().parents[4] / "producer_tools" / "samples" / "transcripts.jsonl"
LINES = SAMPLES.read_text(encoding="utf-8").splitlines()
TRANSCRIPTS = [str(json.loads(line)["transcript"]) for line in LINES if line.strip()]
LEXICONS = {
    **{name: value for name, value in vars(lexicons).items() if isinstance(value, Lexicon)},
    **{kind.value: value for kind, value in lexicons.DISTRESS},
}
TEXTS = [
    *TRANSCRIPTS,
    *(t.upper() for t in TRANSCRIPTS),
    *(line for t in TRANSCRIPTS for line in t.splitlines()),
    "Agent: GPay kar deta hoon? police bulaunga. xpolice, ूpolice, _police\nCustomer: kal de dunga",
    "İstanbul se bol raha hoon, paisa nahi hai, mar jaunga",  # lower-casing changes the length
]
WORDS = sorted({w for t in TRANSCRIPTS for w in t.split()})
soups = st.lists(st.sampled_from([*WORDS, *".,!?।\n'\"-", "ू", "_", "İ"]), max_size=40).map(" ".join)


def _plain_matches(lex: Lexicon, text: str) -> list[tuple[int, int]]:
    """The matches of the plain alternation, dropping those that start inside an ASCII word."""
    low = text.lower()
    if len(low) != len(text):
        low = text
    plain = re.compile("|".join(f"(?:{a})" for a in lex.alternatives))
    found, pos = [], 0
    while (m := plain.search(low, pos)) is not None:
        start = m.start()
        if start and low[start].isascii() and low[start].isalnum() and _word(low[start - 1]):
            pos = start + 1
            continue
        found.append(m.span())
        pos = max(m.end(), start + 1)
    return found


def _word(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char) in ("Mn", "Mc")


def _check(text: str) -> None:
    for name, lex in LEXICONS.items():
        assert [m.span() for m in lex.finditer(text)] == _plain_matches(lex, text), (name, text)


def test_every_lexicon_is_grouped_by_first_character() -> None:
    for name, lex in LEXICONS.items():
        assert lex.regex.pattern != "|".join(f"(?:{a})" for a in lex.alternatives), name


def test_grouped_lexicons_match_like_their_plain_form() -> None:
    for text in TEXTS:
        _check(text)


@settings(max_examples=150, deadline=None)
@given(soups)
def test_grouped_lexicons_match_like_their_plain_form_on_random_text(text: str) -> None:
    _check(text)


def test_a_group_that_is_optional_keeps_the_plain_form() -> None:
    lex = lexicon(r"(?:very )?bad", r"good")
    assert lex.regex.pattern == "(?:(?:very )?bad)|(?:good)"
    assert [m.group() for m in lex.finditer("Very bad, good")] == ["very bad", "good"]


def test_alternatives_with_one_first_character_keep_their_order() -> None:
    lex = lexicon(r"\b(?:pay|paid)\b", r"pa\w+", r"(?:p|q)ay later")
    assert lex.regex.pattern.startswith("p(?:")
    assert [m.group() for m in lex.finditer("pay later, paying")] == ["pay", "paying"]


def _turn_checks(transcript: str) -> None:
    call = Call(transcript)
    for side in (call.customer, call.agent):
        assert side.joined == "\n".join(side.texts)
        assert [call.turns[i].text for i in side.turns] == side.texts
        for k, text in enumerate(side.texts):
            for name, lex in LEXICONS.items():
                assert side.search(lex, k) == (lex.search(text) is not None), (name, text)
    speakers = {t.speaker for t in call.turns}
    assert speakers <= {Speaker.AGENT, Speaker.CUSTOMER}


def test_a_turn_searched_in_the_joined_turns_matches_as_on_its_own() -> None:
    for transcript in [*TRANSCRIPTS, *TEXTS[-2:]]:
        _turn_checks(transcript)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Agent: ", "Customer: ", ""]), soups), max_size=6))
def test_a_turn_searched_in_the_joined_turns_matches_as_on_its_own_on_random_calls(
    turns: list[tuple[str, str]],
) -> None:
    _turn_checks("\n".join(label + text for label, text in turns))


def test_a_scan_keeps_positions_when_lower_casing_would_move_them() -> None:
    assert Scan("İ police").low == "İ police"
    assert Scan("POLICE").low == "police"


def _check_heads(text: str) -> None:
    low = Scan(text).low
    for name, lex in LEXICONS.items():
        if lex.gate is None:
            continue
        gate = lex.gate
        for heads, search in ((gate.ascii_heads, gate.ascii), (gate.any_heads, gate.any)):
            plain = any(head in low for head in heads)
            assert (search is not None and search.search(low) is not None) == plain, (name, text)


def test_one_search_for_the_heads_finds_what_looking_for_each_finds() -> None:
    heads = [head for lex in LEXICONS.values() if lex.gate for head in lex.gate.any_heads]
    for text in [*TEXTS, *heads]:
        _check_heads(text)


@settings(max_examples=150, deadline=None)
@given(soups)
def test_one_search_for_the_heads_finds_what_looking_for_each_finds_on_random_text(text: str) -> None:
    _check_heads(text)
