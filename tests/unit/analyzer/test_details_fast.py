"""The fast forms of the detail rules' searches find what the plain searches find.

``consumer.analyzer.details`` answers some questions with searches rewritten so the regex engine
can skip ahead (literal-led alternatives, word boundaries checked after the first character, a
phrase looked for from its end), and a lexicon skips a speaker's text when none of its first
words is there. Each is checked here against the plain search it stands for, on the samples,
their lines, case variants and random text.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from consumer.analyzer import details
from consumer.analyzer.details import lexicons
from consumer.analyzer.details.call import Call, _verified_index, only_acknowledges
from consumer.analyzer.details.conduct import _word_before_se
from consumer.analyzer.text.lexicon import _GATE, Lexicon, Scan
from consumer.analyzer.text.regex_starts import first_words
from consumer.analyzer.text.regex_tree import parse
from producer_tools.samples import SAMPLES_PATH, load_rows
from schemas import Speaker

TRANSCRIPTS = [str(row["transcript"]) for row in load_rows(SAMPLES_PATH)]
TEXTS = [
    *TRANSCRIPTS,
    *(t.upper() for t in TRANSCRIPTS),
    *(t.swapcase() for t in TRANSCRIPTS),
    *(line for t in TRANSCRIPTS for line in t.splitlines()),
    # a name, a comma and the lender: "Kavita, Sahyog Finance se."
    "Kavita, Sahyog Finance se.",
    "Bank, AC Bank",
    "Namaste ji. Ravi Kumar, Kuber Swarna Loans ki taraf se, kya main",
    "Hello, Sahyog Finance se",
]
TRICKY = [
    *("se", "Se", "SE", "from", "From", "Rahul", "Sir", "Madam", "Ma'am", "Ma", "Hello", "Hi"),
    *("Call", "Calling", "Callum", "Namaste", "bol raha", "here", "calling", "speaking", "main"),
    *("i'm", "I'm", "this is", "my name is", "mera naam", "naam", "hai", "ji", "bank", "cards"),
    *("xbank", "bank_", "HDFC", "se.", "se,", "1se", "a1 se", "&se", ". se", "_ se", "123 se"),
    *("\n", ".", ",", "&", "_", "  ", "Kavita,", "Finance", "Loans", "AC"),
]
WORDS = sorted({w for t in TRANSCRIPTS for w in t.split()} | set(TRICKY))
soups = st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join)


def _check_identification(text: str) -> None:
    if not text.isascii():
        return
    low = text.lower()
    org = lexicons.ORG_ASCII.search(low) is not None or _word_before_se(low)
    name = lexicons.NAME_LOWER.search(text) is not None or lexicons.NAME_UPPER.search(text) is not None
    assert org == (lexicons.ORG.search(text) is not None), text
    assert name == (lexicons.NAME.search(text) is not None), text


def test_the_identification_searches_match_like_the_plain_ones() -> None:
    for text in TEXTS:
        _check_identification(text)


@settings(max_examples=300, deadline=None)
@given(soups)
def test_the_identification_searches_match_like_the_plain_ones_on_random_text(text: str) -> None:
    _check_identification(text)


LEXICONS = {
    **{name: value for name, value in vars(lexicons).items() if isinstance(value, Lexicon)},
    **{kind.value: value for kind, value in lexicons.DISTRESS},
}
GATE_TEXTS = [
    *TEXTS,
    "Agent: GPay kar deta hoon? police bulaunga. xpolice, ूpolice, _police\nCustomer: kal de dunga",
    "İstanbul se bol raha hoon, paisa nahi hai, mar jaunga",  # lower-casing changes the length
    "I'M NOT PAYING, DONT CALL. i'll pay, ill pay, im fine, can't, cant, dedunga, instalments",
]
gate_soups = st.lists(st.sampled_from([*WORDS, *".,!?।\n'\"-", "ू", "_", "İ", "'ll", "'m"]), max_size=40).map(
    "".join
)


def _check_gate(text: str) -> None:
    gated, plain = Scan(text, gate=True), Scan(text)
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    for name, lex in LEXICONS.items():
        assert [m.span() for m in lex.scan(gated)] == [m.span() for m in lex.scan(plain)], (name, text)
        for lo, hi in lines:  # one speaker's turn, as ``_Side.search`` reads it
            got = [m.span() for m in lex.scan(gated, lo, hi)]
            assert got == [m.span() for m in lex.scan(plain, lo, hi)], (name, text, lo)


def test_every_detail_lexicon_has_a_gate() -> None:
    for name, lex in LEXICONS.items():
        assert lex.gate is not None, name


def test_a_gated_scan_finds_what_the_regex_finds() -> None:
    for text in GATE_TEXTS:
        _check_gate(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(soups, gate_soups))
def test_a_gated_scan_finds_what_the_regex_finds_on_random_text(text: str) -> None:
    _check_gate(text)


def _check_word_starts(text: str) -> None:
    scan = Scan(text, gate=True)
    low = scan.low
    for lex in LEXICONS.values():
        assert lex.gate is not None
        words = {w.decode() for w in _GATE._by_bit[lex.gate.bit]}
        expected = [m.start() for m in re.finditer(r"[A-Za-z0-9_]+", low) if m.group() in words]
        assert scan.word_starts(lex.gate) == expected, text
        assert bool(expected) == bool(scan.leads is not None and scan.leads >> lex.gate.bit & 1)


def test_the_whole_first_words_are_found_where_they_start() -> None:
    for text in [*GATE_TEXTS, "police police, police.police xpolice", "paisa-paisa paisa_paisa २paisa"]:
        _check_word_starts(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(soups, gate_soups))
def test_the_whole_first_words_are_found_where_they_start_on_random_text(text: str) -> None:
    _check_word_starts(text)


def _first_words(pattern: str) -> list[tuple[str, bool]] | None:
    return first_words(parse(pattern))


def test_a_gate_reads_optional_characters_and_word_ends() -> None:
    assert _first_words(r"can'?t\s+pay") == [("can", True), ("cant", True)]
    assert _first_words(r"neighbou?r(?![\w])") == [("neighbour", True), ("neighbor", True)]
    assert _first_words(r"instal+ments?") == [("insta", False)]
    assert _first_words(r"de\s*dunga") == [("de", True), ("dedunga", False)]
    assert _first_words(r"haddi") == [("haddi", False)]
    assert _first_words(r"rs\.?\s+(?:due|baaki)") == [("rs", True)]
    assert _first_words(r"'s") is None


def _plain_verified(turns: list[details.Turn]) -> int | None:
    asked = verify_asked = False
    last_customer = None
    for i, t in enumerate(turns):
        if t.speaker is Speaker.AGENT:
            passed = lexicons.VERIFIED_SAID.search(t.text) is not None or (
                verify_asked and lexicons.THANKS_FIRST.match(t.text) is not None
            )
            verify_asked = verify_asked or lexicons.VERIFY_ASKED.search(t.text) is not None
            if passed and last_customer is not None:
                return last_customer
            asked = asked or lexicons.IDENTITY_Q.search(t.text) is not None
            continue
        if t.speaker is Speaker.CUSTOMER:
            last_customer = i
        if asked and lexicons.AFFIRM.search(t.text):
            return i
        if verify_asked and t.speaker is Speaker.CUSTOMER and re.search("[0-9०-९]", t.text):
            return i
    return None


def _check_verified(transcript: str) -> None:
    call = Call(transcript)
    assert _verified_index(call) == _plain_verified(call.turns), transcript


def test_the_verified_turn_is_found_like_with_the_plain_searches() -> None:
    for transcript in [*TRANSCRIPTS, *(t.upper() for t in TRANSCRIPTS), *(t.swapcase() for t in TRANSCRIPTS)]:
        _check_verified(transcript)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Agent: ", "Customer: ", ""]), soups), max_size=6))
def test_the_verified_turn_is_found_like_with_the_plain_searches_on_random_calls(
    turns: list[tuple[str, str]],
) -> None:
    _check_verified("\n".join(label + text for label, text in turns))


ACKS = sorted(lexicons.ACK_WORDS)
ack_soups = st.lists(
    st.sampled_from([*ACKS, *(w.upper() for w in ACKS), "?", ".", ",", "!", "\n", "x"]), max_size=12
)


def _check_acknowledges(text: str) -> None:
    low = text.lower()
    assert only_acknowledges(low) == (set(lexicons.WORD.findall(low)) <= lexicons.ACK_WORDS), text


def test_only_acknowledging_is_read_like_the_set_of_words() -> None:
    for text in [*TEXTS, "", "Okay, noted.", "Who is this? OK.", "haan ji... hello?", "OK kal"]:
        _check_acknowledges(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(soups, ack_soups.map(" ".join), ack_soups.map("".join)))
def test_only_acknowledging_is_read_like_the_set_of_words_on_random_text(text: str) -> None:
    _check_acknowledges(text)
