"""Phrase lexicons for the detail rules, compiled so the regex engine can skip through a text.

A ``Lexicon`` is one regex of many alternatives, run on lower-cased text. Python's engine skips
ahead to the possible first characters of a pattern only when every top-level alternative starts
with a literal character; otherwise it tries every alternative at every position, which is what
costs time. So each lexicon is rewritten, with the same matches, into that shape
(``consumer.analyzer.text.matcher.regroup``: a leading group distributed over the rest, alternatives with the
same first character gathered in their order). A lexicon with an alternative that cannot be put
in that shape keeps its plain form.

A text that many lexicons read (a ``Scan`` made with ``gate=True``) is also split into words
once, and a lexicon skips it without running its regex when no match can start there
(``consumer.analyzer.text.matcher.WordGate``): a match of an alternative that starts with an ASCII letter or
digit starts a word, so that word must be the alternative's first word (or, when that may run
on, contain it); an alternative that starts with another character needs its leading literal
text in the text. In an ASCII text, a lexicon whose every alternative has a whole first word is
then tried only where one of those words starts, instead of at every letter of the text.

Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator

from consumer.analyzer.text.matcher import Heads, WordGate, regroup, split_alternatives

__all__ = ["Lexicon", "Scan", "lexicon"]

# The first words of every lexicon's alternatives, for the ``Scan``s made with ``gate=True``.
_GATE = WordGate()


def is_word(char: str) -> bool:
    """Whether ``char`` continues a word (letters, digits, "_" and combining marks)."""
    return char.isalnum() or char == "_" or unicodedata.category(char) in ("Mn", "Mc")


def _ascii_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class Scan:
    """One text as the lexicons read it: lower-cased when that keeps its length (otherwise as
    is, so positions stay those of the text). Made once and searched by many lexicons."""

    __slots__ = ("_present", "_spaced", "_starts", "ascii", "leads", "low", "lowered")

    def __init__(self, text: str, *, gate: bool = False) -> None:
        low = text.lower()
        self.lowered = len(low) == len(text)
        self.low = low if self.lowered else text
        self.ascii = self.low.isascii()
        # With ``gate``: the lexicons one of whose whole first words is here (a bit mask), and
        # how ``WordGate`` read the text, to find those words again.
        self.leads: int | None = None
        self._spaced = b""
        self._present: set[bytes] = set()
        if gate:
            self.leads, self._spaced, self._present = _GATE.read(self.low)
        self._starts: dict[int, list[int]] = {}  # by lexicon, worked out on first use

    def word_starts(self, gate: Heads) -> list[int]:
        """Where, in this gated text, the words start that are one of the whole first words of
        the lexicon of ``gate``, in order (worked out once per lexicon)."""
        starts = self._starts.get(gate.bit)
        if starts is None:
            starts = self._starts[gate.bit] = _GATE.starts(self._spaced, self._present, gate.bit)
        return starts


class Lexicon:
    """A lexicon regex run on lower-cased text; see the module's docstring.

    A match that starts inside an ASCII word is dropped, and the search goes on from the next
    character, so it cannot hide a match that starts a word. Positions are those of the
    original text (lower-casing keeps the length for the scripts handled; otherwise the text
    is scanned as is).
    """

    __slots__ = ("alternatives", "gate", "regex")

    def __init__(self, alternatives: list[str]) -> None:
        self.alternatives = tuple(alternatives)
        grouped = regroup(alternatives)
        self.regex = re.compile(grouped[0] if grouped else "|".join(f"(?:{a})" for a in alternatives))
        # Where a match may be, for a gated ``Scan`` (None: it may be anywhere).
        self.gate: Heads | None = _GATE.add(grouped[1]) if grouped else None

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
        gate = self.gate
        end = len(low) if hi is None else hi
        if scan.leads is not None and gate is not None:
            if not scan.leads >> gate.bit & 1:
                heads = gate.ascii if scan.ascii else gate.any
                if heads is None or heads.search(low) is None:
                    return  # no match can start anywhere in the text
            elif scan.ascii and gate.ascii is None:
                yield from self._at(scan.word_starts(gate), low, lo, end)
                return
        search, pos = self.regex.search, lo
        while (m := search(low, pos, end)) is not None:
            start = m.start()
            if start and _ascii_word_char(low[start]) and is_word(low[start - 1]):
                pos = start + 1  # inside a word: look again just after, not after its end
                continue
            yield m
            pos = max(m.end(), start + 1)

    def _at(self, starts: list[int], low: str, lo: int, end: int) -> Iterator[re.Match[str]]:
        """The matches ``scan`` finds in ``low[lo:end]`` when every one that it keeps starts at one
        of ``starts``, which start words: the regex is tried only there, not at every letter. (An
        ASCII text, where a kept match starts a word, so that word is one of the lexicon's whole
        first words; a match there is never inside a word.)"""
        match, pos = self.regex.match, lo
        for start in starts[bisect_left(starts, lo) :]:
            if start > end:
                break
            if start < pos or (m := match(low, start, end)) is None:
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
        for alt in split_alternatives(part):
            for lead in ("(?<![\\w])", "\\b"):
                if alt.startswith(lead):
                    alt = alt[len(lead) :]
            alternatives.append(alt)
    return Lexicon(alternatives)
