"""The folded form of a transcript that the money and date patterns match, and the helpers that
build those patterns.

Matching runs on a *folded* copy of the text that has exactly the same length as the input, so every
reported ``start``/``end`` indexes the caller's string: lower case, Devanagari digits as ASCII digits
("५००० जमा" -> "5000 जमा"), chandrabindu as anusvara ("पाँच" -> "पांच") and precomposed nukta letters
as their base letter ("हज़ार" -> "हजार"); a decomposed nukta (U+093C) is accepted by every Devanagari
pattern instead of being removed. Every date and amount pattern must start a word, and is tried
only where a word it can begin with (derived from the pattern by ``consumer.analyzer.text.matcher``), a number
or a "₹" starts: never at every position.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final, TypeAlias

# The decimal digits of Indian scripts (Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil,
# Telugu, Kannada, Malayalam) as ASCII digits: "₹১৫০০" and "₹१५००" are 1500.
INDIC_DIGITS: Final[dict[int, int]] = {
    zero + i: 0x30 + i for zero in range(0x0966, 0x0D67, 0x80) for i in range(10)
}
_FOLD_TABLE: Final[dict[int, int]] = {
    **INDIC_DIGITS,
    0x0901: 0x0902,  # chandrabindu -> anusvara: पाँच -> पांच
    # precomposed nukta letters -> base letters: ज़ -> ज, ड़ -> ड, ढ़ -> ढ ...
    0x0958: 0x0915,
    0x0959: 0x0916,
    0x095A: 0x0917,
    0x095B: 0x091C,
    0x095C: 0x0921,
    0x095D: 0x0922,
    0x095E: 0x092B,
    0x095F: 0x092F,
}
_NUKTA: Final = "\u093c"
_NUKTA_BASES: Final = frozenset("कखगजडढफय")


def fold(text: str) -> str:
    """Lower-cased ``text`` with Devanagari spelling variants unified, of exactly the same length
    (so match offsets are offsets into ``text``)."""
    low = text.lower()
    if len(low) != len(text):  # a few characters grow when lower-cased ("İ"): keep those as they are
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return low if low.isascii() else low.translate(_FOLD_TABLE)


def phrase_key(phrase: str) -> str:
    """Dictionary key of a matched word or phrase: folded, single-spaced, without nukta signs."""
    return " ".join(fold(phrase).replace(_NUKTA, "").split())


def _units(phrase: str) -> list[str]:
    """A literal phrase as regex pieces, one per character: any whitespace between words, and an
    optional nukta after the Devanagari consonants that take one."""
    out: list[str] = []
    for i, word in enumerate(phrase_key(phrase).split(" ")):
        if i:
            out.append(r"\s+")
        out.extend(re.escape(ch) + (_NUKTA + "?" if ch in _NUKTA_BASES else "") for ch in word)
    return out


_Trie: TypeAlias = dict[str, "_Trie"]
_END: Final = ""  # trie key marking that a phrase ends at this node


def _trie_regex(node: _Trie) -> str:
    """Regex of a trie: siblings as alternatives, a phrase end as an optional (greedy) tail."""
    branches = [piece + _trie_regex(child) for piece, child in sorted(node.items()) if piece != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if _END in node else body


def _trie(phrases: Iterable[str]) -> _Trie:
    trie: _Trie = {}
    for phrase in phrases:
        if phrase.strip():
            node = trie
            for piece in _units(phrase):
                node = node.setdefault(piece, {})
            node[_END] = {}
    return trie


def alt(phrases: Iterable[str]) -> str:
    """Non-capturing regex matching any of the literal phrases, longest first (so a phrase beats its
    prefix and backtracks to it), built as a prefix trie: hundreds of words cost a few steps."""
    return f"(?:{_trie_regex(_trie(phrases))})"


def first_chars(phrases: Iterable[str]) -> list[str]:
    """The same trie as top-level alternatives, each starting with a literal character (so ``re``
    can skip to positions where one of those characters is)."""
    return [piece + _trie_regex(child) for piece, child in sorted(_trie(phrases).items())]


WORD_CLASS: Final = r"\w\u0900-\u0963\u0966-\u097F"  # Devanagari letters *and* vowel signs; not dandas
WORD_START: Final = rf"(?<![{WORD_CLASS}])"  # a word starts here
WORD_END: Final = rf"(?![{WORD_CLASS}])"  # a word ends here
NOT_AFTER_NUM: Final = r"(?<![0-9][.,/:-])"  # not the tail of 15/12, 10:30, 98765-43210
NOT_BEFORE_NUM: Final = r"(?![0-9]|[.,/:-][0-9])"  # not the head of one
# A full stop ends a sentence unless it is a decimal point or ends "no." / "rs." / "a/c." / "mr." ...
# (Break patterns start with a character, never a look-behind, so ``re`` can skip to candidates.)
SENTENCE_BREAK: Final = re.compile(
    r"[!?\n\u0964\u0965]|\.(?<!\bno\.)(?<!\brs\.)(?<!\bmr\.)(?<!\bdr\.)(?<!\bsr\.)(?<!a/c\.)(?<!\bac\.)(?![0-9])"
)
CLAUSE_BREAK: Final = re.compile(
    rf"[,;:!?\n\u0964\u0965|]|\.(?![0-9])|\s(?:lekin|magar|but|लेकिन|मगर)(?![{WORD_CLASS}])"
)


def table(groups: Mapping[int, Iterable[str]]) -> dict[str, int]:
    """Spelling -> value, keyed like :func:`phrase_key`."""
    return {phrase_key(word): value for value, words in groups.items() for word in words}
