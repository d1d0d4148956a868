"""The matcher engine reads our patterns right, and what it derives from them is sound.

``consumer.analyzer.text.matcher`` parses patterns itself (no private ``re`` modules) and derives where their
matches may start. Everything it derives may only ever skip places where a pattern cannot
match, so each derivation is checked here against the regex engine itself: on every pattern
the analyzer registers, and on random patterns of the same syntax run over random texts.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consumer.analyzer import rules
from consumer.analyzer.details import lexicons
from consumer.analyzer.rules.cues import INDEX
from consumer.analyzer.text import dates as text_dates
from consumer.analyzer.text import fold as text_fold
from consumer.analyzer.text import money as text_money
from consumer.analyzer.text.lexicon import Lexicon, lexicon
from consumer.analyzer.text.matcher import Gate, Index, WordGate, matches_at, regroup, starts
from consumer.analyzer.text.regex_starts import DIGIT, LETTER, first_words, prefixes, required
from consumer.analyzer.text.regex_tree import (
    Alt,
    At,
    Chars,
    Group,
    Lit,
    Look,
    Opaque,
    Repeat,
    Seq,
    Unsupported,
    parse,
)
from producer_tools.samples import SAMPLES_PATH, load_rows

LEXICONS = [
    *(v for v in vars(lexicons).values() if isinstance(v, Lexicon)),
    *(lex for _, lex in lexicons.DISTRESS),
]
INDEXES = {"rules": INDEX, "dates": text_dates._DATE_INDEX, "amounts": text_money._AMOUNT_INDEX}
REGISTERED = [regex for index in INDEXES.values() for regex in index.patterns]
TRANSCRIPTS = [str(row["transcript"]) for row in load_rows(SAMPLES_PATH)]
TEXTS = [rules.normalize(t) for t in TRANSCRIPTS[:40]] + [text_fold.fold(t) for t in TRANSCRIPTS[:40]]


# ---------------------------------------------------------------------------------------------
# Reading patterns
# ---------------------------------------------------------------------------------------------


def test_the_parser_reads_the_pieces_of_our_syntax() -> None:
    pattern = r"(?<![\w])(?:ab|c)d?\s+[^x-z\d]{2,3}?(?P<n>e)(?P=n)(?(n)f|g)(?!h)\b$"
    tree = parse(pattern)
    assert isinstance(tree, Seq)
    kinds = [type(item) for item in tree.items]
    assert kinds == [Look, Group, Repeat, Repeat, Repeat, Group, Opaque, Group, Look, At, At]
    look, group, opt, spaces, chars = tree.items[:5]
    assert isinstance(look, Look)
    assert (look.ahead, look.negative) == (False, True)
    assert isinstance(group, Group)
    assert isinstance(group.body, Alt)
    assert not group.capturing
    assert opt == Repeat(17, 19, Lit(17, 18, "d"), 0, 1)
    assert isinstance(spaces, Repeat)
    assert (spaces.lo, spaces.hi) == (1, None)
    assert isinstance(chars, Repeat)
    assert (chars.lo, chars.hi, chars.lazy) == (2, 3, True)
    at = pattern.index("[^")
    assert chars.body == Chars(at, at + 8, (("range", "x", "z"), ("cat", "d")), negated=True)
    assert [pattern[item.start : item.end] for item in tree.items][5:8] == ["(?P<n>e)", "(?P=n)", "(?(n)f|g)"]


def test_escapes_and_literal_braces() -> None:
    assert parse(r"\u0930\x41\n\.") == Seq(
        0, 14, (Lit(0, 6, "\u0930"), Lit(6, 10, "A"), Lit(10, 12, "\n"), Lit(12, 14, "."))
    )
    assert parse("a{") == Seq(0, 2, (Lit(0, 1, "a"), Lit(1, 2, "{")))
    assert parse("a{2}") == Repeat(0, 4, Lit(0, 1, "a"), 2, 2)
    assert parse("[]a-]") == Chars(0, 5, (("lit", "]"), ("lit", "a"), ("lit", "-")))


@pytest.mark.parametrize("pattern", [r"(?i)abc", r"(?>ab)c", r"\p", r"a**", r"(ab", r"ab)", r"[ab", r"\b+"])
def test_what_the_parser_cannot_read_is_refused(pattern: str) -> None:
    with pytest.raises(Unsupported):
        parse(pattern)


def test_flags_other_than_the_default_are_refused() -> None:
    with pytest.raises(Unsupported):
        parse(re.compile("abc", re.IGNORECASE))


def test_every_registered_pattern_is_read() -> None:
    for regex in REGISTERED:
        parse(regex)
    for lex in LEXICONS:
        for alt in lex.alternatives:
            parse(alt)


# ---------------------------------------------------------------------------------------------
# What is derived is sound: on the registered patterns
# ---------------------------------------------------------------------------------------------


def _starts_with(text: str, prefix: str) -> bool:
    """Whether ``text`` starts with ``prefix``, where ``DIGIT`` stands for any decimal digit."""
    if len(text) < len(prefix):
        return False
    return all(c == t or (c == DIGIT and t.isdecimal()) for c, t in zip(prefix, text, strict=False))


def _assert_sound(regex: re.Pattern[str], text: str, index: Index | None = None, pid: int = -1) -> None:
    tree = parse(regex)
    heads = [x for x, _ in prefixes(tree)]
    needles = required(tree)
    found = None if index is None else starts(index.candidates(text).get(pid, []), len(text))
    for pos in range(len(text) + 1):
        m = regex.match(text, pos)
        if m is None:
            continue
        assert any(_starts_with(text[pos:], x) for x in heads), (regex.pattern[:80], text, pos)
        assert needles is None or any(n in m.group() for n in needles), (regex.pattern[:80], text)
        if found is not None:
            assert pos in found, (regex.pattern[:80], text, pos)


def test_what_is_derived_from_each_registered_pattern_holds_in_the_samples() -> None:
    for index in INDEXES.values():
        for pid, regex in enumerate(index.patterns):
            for text in TEXTS[:12]:
                _assert_sound(regex, text, index, pid)


def test_the_date_and_amount_patterns_are_gated_by_whole_words() -> None:
    for index in (text_dates._DATE_INDEX, text_money._AMOUNT_INDEX):
        assert not index.always
        assert all(gate.words or gate.digit for gate in index.gates)


def test_a_pattern_that_may_start_inside_a_word_is_not_gated_by_words() -> None:
    gate = Gate.of(re.compile(r"salary\s+day"), whole_words=True)
    assert (gate.keys, gate.words, gate.required) == (frozenset(), frozenset(), {"salary"})
    index = Index(whole_words=True)
    pid = index.add(re.compile(r"salary\s+day"))
    assert index.candidates("xsalary day") == {pid: [-1]}
    assert index.candidates("no pay day") == {}


# ---------------------------------------------------------------------------------------------
# Falling back
# ---------------------------------------------------------------------------------------------


def test_a_pattern_the_parser_cannot_read_is_run_over_every_text() -> None:
    index = Index()
    pid = index.add(re.compile(r"(?<![\w])(?i:kal)\b"))
    assert index.gates[pid] == Gate()
    assert pid in index.always
    text = "Kal nahi, KAL pakka"
    positions = index.candidates(text)[pid]
    assert [m.span() for m in matches_at(text, index.patterns[pid], positions)] == [(0, 3), (10, 13)]


def test_a_lexicon_the_parser_cannot_read_keeps_its_plain_form_and_no_gate() -> None:
    assert regroup(["pay", "(?>paid)"]) is None
    assert WordGate().add(["pay", "(?>paid)"]) is None
    lex = lexicon(r"\b(?:pay)\b", r"(?>paid)")
    assert lex.regex.pattern == "(?:(?:pay)\\b)|(?:(?>paid))"
    assert lex.gate is None
    assert [m.group() for m in lex.finditer("Paid, pay")] == ["paid", "pay"]


def test_a_pattern_with_no_known_start_falls_back_to_a_required_string() -> None:
    index = Index()
    pid = index.add(re.compile(r"(?<![\w])\w+ nahi"))
    assert index.gates[pid].required == {" nahi"}
    assert index.candidates("kuch nahi") == {pid: [-1]}
    assert index.candidates("kuch bhi") == {}


# ---------------------------------------------------------------------------------------------
# What is derived is sound: on random patterns and texts
# ---------------------------------------------------------------------------------------------

_ATOMS = st.sampled_from(["a", "b", "ab", "ba", " ", "1", "x", r"\d", r"\s", "[ab]", "[a1]", ".", r"\.", "'"])


def _join(parts: list[str]) -> str:
    return "".join(parts)


def _patterns() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.lists(inner, min_size=1, max_size=4).map(_join),
            st.lists(inner, min_size=2, max_size=3).map(lambda alts: "(?:" + "|".join(alts) + ")"),
            st.tuples(inner, st.sampled_from(["?", "*", "+", "{1,2}", "{2}", "??", "*?"])).map(
                lambda p: f"(?:{p[0]}){p[1]}"
            ),
            inner.map(lambda p: f"({p})"),
            inner.map(lambda p: f"{p}(?!\\w)"),
            inner.map(lambda p: f"{p}\\b"),
            inner.map(lambda p: f"(?=a){p}"),
        )

    return st.recursive(_ATOMS, extend, max_leaves=8)


_TEXT_PIECES = ["a", "b", "1", " ", "x", ".", "'", "\u0930", "\u093e", "५"]
_TEXTS = st.lists(st.sampled_from(_TEXT_PIECES), max_size=14).map(_join)
_ALTERNATIVES = ["ab", "a(?:b|c)d", "(?:x|ab)c", "b\\s*a", "1a", "(?:a|b)(?:1|x)"]


def _word_at(text: str, pos: int, letter: re.Pattern[str]) -> str:
    end = pos
    while end < len(text) and letter.fullmatch(text[end]):
        end += 1
    return text[pos:end]


_ASCII_LETTER = re.compile(r"[A-Za-z0-9_]")
_LETTER = re.compile(LETTER)


@settings(max_examples=400, deadline=None)
@given(_patterns(), _TEXTS)
def test_derived_starts_hold_for_random_patterns(pattern: str, text: str) -> None:
    regex = re.compile(pattern)
    tree = parse(regex)
    heads = [x for x, _ in prefixes(tree)]
    needles = required(tree)
    ascii_words = first_words(tree)
    words = first_words(tree, ascii_only=False)
    for pos in range(len(text) + 1):
        m = regex.match(text, pos)
        if m is None:
            continue
        assert any(_starts_with(text[pos:], x) for x in heads), heads
        assert needles is None or any(n in m.group() for n in needles), needles
        if ascii_words is not None:
            word = _word_at(text, pos, _ASCII_LETTER)
            assert any(word == w if whole else word.startswith(w) for w, whole in ascii_words), ascii_words
        if words is not None:
            word = _word_at(text, pos, _LETTER)
            assert any(
                (w == DIGIT and text[pos : pos + 1].isdecimal())
                or (not _LETTER.match(w) and text.startswith(w, pos))
                or (word == w if whole else word.startswith(w))
                for w, whole in words
            ), words


@settings(max_examples=300, deadline=None)
@given(st.lists(_patterns(), min_size=1, max_size=4), _TEXTS)
def test_an_index_finds_what_finditer_finds_for_random_patterns(patterns: list[str], text: str) -> None:
    for whole_words in (False, True):
        index = Index(whole_words=whole_words)
        ids = index.add_all(re.compile(rf"(?<!{LETTER})(?:{p})") for p in patterns)
        found = index.candidates(text)
        for pid in ids:
            regex = index.patterns[pid]
            got = [m.span() for m in matches_at(text, regex, found.get(pid, []))]
            assert got == [m.span() for m in regex.finditer(text)], regex.pattern


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ALTERNATIVES), min_size=1), _TEXTS)
def test_regrouped_alternatives_match_like_the_plain_alternation(alternatives: list[str], text: str) -> None:
    grouped = regroup(alternatives)
    assert grouped is not None
    plain = re.compile("|".join(f"(?:{a})" for a in alternatives))
    assert [m.span() for m in re.finditer(grouped[0], text)] == [m.span() for m in plain.finditer(text)]
