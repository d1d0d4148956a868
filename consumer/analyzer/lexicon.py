"""Phrase lexicons for the detail rules, compiled so the regex engine can skip through a text.

A ``Lexicon`` is one regex of many alternatives, run on lower-cased text. Python's engine skips
ahead to the possible first characters of a pattern only when every top-level alternative starts
with a literal character; otherwise it tries every alternative at every position, which is what
costs time. So each lexicon is rewritten, with the same matches, into that shape:

1. A leading group is distributed over the rest: ``(?:a|b)X`` becomes ``aX|bX`` (the engine
   tries ``a`` then ``b``, each followed by ``X``, in both), until every alternative starts with
   a literal character.
2. Alternatives that start with the same character are gathered, in their order, into one
   branch: ``pa|ab|pb`` becomes ``p(?:a|b)|a(?:b)``. At any position only the alternatives
   starting with that position's character can match, so alternatives with different first
   characters never compete, and the first alternative that matches is the same as before.

A lexicon with an alternative that cannot be put in that shape keeps its plain form.

A text that many lexicons read (a ``Scan`` made with ``gate=True``) is also split into words
once, and a lexicon skips it without running its regex when no match can start there: a match of
an alternative that starts with an ASCII word character starts a word, so that word must be
the alternative's first word (or, when the alternative's first word may run on, contain it); an
alternative that starts with another character needs its leading literal text in the text.

Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

__all__ = ["Lexicon", "Scan", "lexicon"]

_META = frozenset("\\()[]{}|.?*+^$")


def is_word(char: str) -> bool:
    """Whether ``char`` continues a word (letters, digits, "_" and combining marks)."""
    return char.isalnum() or char == "_" or unicodedata.category(char) in ("Mn", "Mc")


def _top_level(part: str) -> list[str]:
    """``part`` split at its top-level ``|``."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(part):
        c = part[i]
        if c == "\\":
            i += 2
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(part[start:i])
            start = i + 1
        i += 1
    out.append(part[start:])
    return out


def _group_end(alt: str) -> int:
    """The index of the ``)`` that closes the group ``alt`` starts with."""
    depth, i = 0, 0
    while i < len(alt):
        c = alt[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced group in {alt!r}")


def _starts_with_literal(alt: str) -> bool:
    """Whether ``alt`` starts with one plain character that is not made optional or repeated."""
    return bool(alt) and alt[0] not in _META and not alt[0].isspace() and alt[1:2] not in ("?", "*", "+", "{")


def _distribute(alt: str) -> list[str] | None:
    """``alt`` as alternatives that each start with a literal character, in the order the engine
    tries them (``(?:a|b)X`` -> ``aX``, ``bX``); None when that cannot be done."""
    if alt.startswith("(?:"):
        end = _group_end(alt)
        rest = alt[end + 1 :]
        if rest[:1] in ("?", "*", "+", "{"):
            return None  # the group is optional or repeated
        out: list[str] = []
        for inner in _top_level(alt[3:end]):
            spread = _distribute(inner + rest)
            if spread is None:
                return None
            out += spread
        return out
    return [alt] if _starts_with_literal(alt) else None


def _compile(alternatives: list[str]) -> re.Pattern[str]:
    """The alternatives as one regex, grouped by first character (see the module's docstring)."""
    plain = "|".join(f"(?:{a})" for a in alternatives)
    by_first: dict[str, list[str]] = {}
    for alt in alternatives:
        spread = _distribute(alt)
        if spread is None:
            return re.compile(plain)
        for a in spread:
            by_first.setdefault(a[0], []).append(a[1:])
    return re.compile("|".join(f"{re.escape(c)}(?:{'|'.join(rests)})" for c, rests in by_first.items()))


_QUANTIFIERS = ("?", "*", "{")  # may repeat the element before them zero times
_WORD_CHAR = re.compile(r"\w")
_ENDS_WORD = ("(?![\\w])", "\\b", "\\s", "$")


def _lead(alt: str, i: int = 0, word: str = "") -> list[tuple[str, bool]] | None:
    """The first words a match of ``alt`` (from index ``i``, after ``word``) can start with, each
    with whether it is the whole word (True) or may run on into more word characters (False);
    None when ``alt`` does not start with a word character."""
    while i < len(alt):
        c, after = alt[i], alt[i + 1 : i + 2]
        if c == "\\":
            element, after = alt[i : i + 2], alt[i + 2 : i + 3]
            if element in _ENDS_WORD or (not _WORD_CHAR.match(alt[i + 1]) and alt[i + 1] != "\\"):
                # a word boundary, a space, or an escaped non-word character ("\.")
                return [(word, after not in _QUANTIFIERS)] if word else None
            return [(word, False)] if word else None
        if alt.startswith("(?![\\w])", i) or c == "$":
            return [(word, True)] if word else None
        if c in _META:
            return [(word, False)] if word else None
        if after == "?" and word:  # one optional character: either way
            with_it = _lead(alt, i + 2, word + c) if _WORD_CHAR.match(c) else [(word, True)]
            without = _lead(alt, i + 2, word)
            return None if with_it is None or without is None else with_it + without
        if after in _QUANTIFIERS or after == "+":
            return [(word, False)] if word else None
        if not _WORD_CHAR.match(c):
            return [(word, True)] if word else None
        if not c.isascii():  # a text's words are looked up as ASCII
            return [(word, False)] if word else None
        word += c
        i += 1
    return [(word, False)] if word else None


def _literal_head(alt: str) -> str:
    """The literal characters ``alt`` starts with (before any meta character or quantifier)."""
    head = ""
    for i, c in enumerate(alt):
        if c in _META or c.isspace() or alt[i + 1 : i + 2] in (*_QUANTIFIERS, "+"):
            break
        head += c
    return head


_LEAD_WORDS: dict[bytes, int] = {}  # a whole first word -> bit mask of the lexicons it may start
_LEAD_SET: set[bytes] = set()  # the same words, for a quick intersection with a text's words
# A text's ASCII words: non-ASCII characters become "?" (``encode``), then every non-word byte
# a space, and ``split()`` gives every ASCII word ``\w+`` finds (and a few more where a word ran
# on into other letters), several times faster than the regex.
_SPACE_NON_WORD = bytes(c if chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(256))
_GATED: list[int] = [0]  # how many lexicons have a gate (the next one's bit)


def _gate(alternatives: list[str]) -> tuple[int, tuple[str, ...], tuple[str, ...]] | None:
    """(bit, ASCII heads, other heads) of a lexicon whose alternatives all have a known start:
    whole first words go to ``_LEAD_WORDS`` under the bit; a first word that may run on, and
    the literal head of an alternative starting with a non-ASCII character, must be in the text."""
    words: list[str] = []
    ascii_heads: list[str] = []
    other_heads: list[str] = []
    for alt in alternatives:
        spread = _distribute(alt)
        if spread is None:
            return None
        for a in spread:
            if not a[0].isascii():
                other_heads.append(_literal_head(a))
                continue
            leads = _lead(a) if a[0].isalnum() else None  # (only those start a word, see ``scan``)
            if leads is None:
                return None
            for word, whole in leads:
                (words if whole else ascii_heads).append(word)
    bit = _GATED[0]
    _GATED[0] += 1
    for word in words:
        raw = word.encode()
        _LEAD_WORDS[raw] = _LEAD_WORDS.get(raw, 0) | 1 << bit
        _LEAD_SET.add(raw)
    return bit, tuple(dict.fromkeys(ascii_heads)), tuple(dict.fromkeys(ascii_heads + other_heads))


def _any_of(heads: tuple[str, ...]) -> re.Pattern[str] | None:
    """A regex that finds whether any of ``heads`` is in a text (None when there are none)."""
    return re.compile("|".join(map(re.escape, heads))) if heads else None


def _ascii_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class Scan:
    """One text as the lexicons read it: lower-cased when that keeps its length (otherwise as
    is, so positions stay those of the text). Made once and searched by many lexicons."""

    __slots__ = ("ascii", "leads", "low", "lowered")

    def __init__(self, text: str, *, gate: bool = False) -> None:
        low = text.lower()
        self.lowered = len(low) == len(text)
        self.low = low if self.lowered else text
        self.ascii = self.low.isascii()
        self.leads: int | None = None  # with ``gate``: the lexicons whose first words are here
        if gate:
            leads = 0
            words = self.low.encode("ascii", "replace").translate(_SPACE_NON_WORD).split()
            for word in _LEAD_SET.intersection(words):
                leads |= _LEAD_WORDS[word]
            self.leads = leads


class Lexicon:
    """A lexicon regex run on lower-cased text; see the module's docstring.

    A match that starts inside an ASCII word is dropped, and the search goes on from the next
    character, so it cannot hide a match that starts a word. Positions are those of the
    original text (lower-casing keeps the length for the scripts handled; otherwise the text
    is scanned as is).
    """

    __slots__ = ("alternatives", "gate", "heads", "regex")

    def __init__(self, alternatives: list[str]) -> None:
        self.alternatives = tuple(alternatives)
        self.regex = _compile(alternatives)
        self.gate = _gate(alternatives)
        # The gate's heads for an ASCII text and for any text, each as one search for whether
        # any of them is in the text (None: there is none to find).
        self.heads = (_any_of(self.gate[1]), _any_of(self.gate[2])) if self.gate else (None, None)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The matches in ``text``."""
        return self.scan(Scan(text))

    def search(self, text: str) -> re.Match[str] | None:
        """The first match in ``text``."""
        return next(self.finditer(text), None)

    def scan(self, scan: Scan, lo: int = 0, hi: int | None = None) -> Iterator[re.Match[str]]:
        """The matches in ``scan.low[lo:hi]``, as ``finditer`` gives them for that slice on its
        own when the slice sits between line breaks (or the ends of the text): no alternative
        can tell a line break before ``lo`` from the start of a text. Positions are those of
        the whole text."""
        low = scan.low
        if scan.leads is not None and self.gate is not None and not scan.leads >> self.gate[0] & 1:
            heads = self.heads[0] if scan.ascii else self.heads[1]
            if heads is None or heads.search(low) is None:
                return  # no match can start anywhere in the text
        end = len(low) if hi is None else hi
        search, pos = self.regex.search, lo
        while (m := search(low, pos, end)) is not None:
            start = m.start()
            if start and _ascii_word_char(low[start]) and is_word(low[start - 1]):
                pos = start + 1  # inside a word: look again just after, not after its end
                continue
            yield m
            pos = max(m.end(), start + 1)

    def search_in(self, scan: Scan, lo: int = 0, hi: int | None = None) -> re.Match[str] | None:
        """The first match in ``scan.low[lo:hi]`` (see ``scan``)."""
        return next(self.scan(scan, lo, hi), None)


def lexicon(*parts: str) -> Lexicon:
    """One lexicon: the alternatives of ``parts``, lower-case, leading boundaries checked in code."""
    alternatives: list[str] = []
    for part in parts:
        for alt in _top_level(part):
            for lead in ("(?<![\\w])", "\\b"):
                if alt.startswith(lead):
                    alt = alt[len(lead) :]
            alternatives.append(alt)
    return Lexicon(alternatives)
