"""The cue machinery: a cue is a family of phrases with a weight and a negation mode; every cue
pattern is registered in one index of the first letters its matches can start with
(``consumer.analyzer.text.matcher.Index``), so one pass over the words of a text tells which
patterns to try where."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from consumer.analyzer.rules.turns import fold_devanagari, normalize
from consumer.analyzer.text.matcher import Candidates, Index, matches_at
from consumer.analyzer.text.regex_starts import prefixes
from consumer.analyzer.text.regex_tree import parse

# A "letter": word characters plus Devanagari letters and vowel signs, but not the danda (।, ॥).
_L = r"[\w\u0900-\u0963\u0966-\u097F]"
_START = rf"(?<!{_L})"
_END = rf"(?!{_L})"
_TOKEN = re.compile(r"(?:[\w\u0900-\u0963\u0966-\u097F]|')+")
# Clause and sentence breaks; "2,000" and "13.5" do not break.
CLAUSE_BREAK = re.compile(r"[!?;:\n\u0964|]|[.,](?!\d)")
# The same breaks, written to start with a character set so the engine can skip to them.
_CLAUSE_BREAK_FAST = re.compile(r"[.,!?;:\n\u0964|](?!(?<=[.,])\d)")

NEGATORS = frozenset(
    {
        "nahi",
        "nahin",
        "nahii",
        "nahee",
        "nai",
        "nhi",
        "nahiin",
        "mat",
        "not",
        "no",
        "never",
        "dont",
        "don't",
        "doesnt",
        "doesn't",
        "didnt",
        "didn't",
        "wont",
        "won't",
        "cant",
        "can't",
        "cannot",
        "isnt",
        "isn't",
        "नहीं",
        "नही",
        "मत",
        "न",
    }
)

Negation = Literal["none", "before", "around"]


def expand(pattern: str) -> str:
    """Expand the small pattern shorthand used in the lexicons.

    ``~`` = the rest of a word (``[\\w\\u0900-\\u097F]*``), ``@`` = one whole word, a space
    matches one space, and ``nahi+n?`` also covers the spellings "nahee" and "nhi". Devanagari in
    patterns is normalised like the text.
    """
    pattern = pattern.replace("nahi+n?", "(?:nahi+n?|nahee|nhi)")
    return fold_devanagari(pattern).replace("~", f"{_L}*").replace("@", f"{_L}+")


def whole_word(pattern: str) -> re.Pattern[str]:
    """Compile a shorthand pattern that must start and end on word boundaries."""
    return re.compile(f"{_START}(?:{expand(pattern)}){_END}")


# Every cue pattern is registered in one index (``INDEX``, see ``consumer.analyzer.text.matcher``): a single
# pass over the word starts of a text then tells which patterns may match where, and a pattern
# is tried only there, with exactly the matches of ``finditer``
# (``tests/unit/analyzer/test_rules_speed_equivalence.py`` checks this).
INDEX = Index()
_TOKEN_ASCII = re.compile(r"[A-Za-z0-9_']+")


@dataclass(frozen=True, slots=True)
class Cue:
    """One family of phrases that signals something, with a weight and a negation mode.

    ``negation``: ``none`` counts every match; ``before`` drops a match with a negator among
    the two words before it in the same clause; ``around`` also looks at the two words after
    it (Hindi puts the negator after a noun: "settlement nahi chahiye").
    ``exclude``: words that, among the three words before a match, mean it is not this cue
    ("complaint karunga" is not a promise to pay).
    """

    name: str
    weight: float
    regex: re.Pattern[str]
    negation: Negation = "before"
    label: str = ""
    exclude: frozenset[str] = frozenset()
    negators: frozenset[str] = NEGATORS
    # Ids in ``INDEX`` of the alternatives regrouped (see ``_split_by_gate``). Empty for
    # synthetic cues.
    parts: tuple[int, ...] = ()


def make_cue(
    name: str,
    weight: float,
    *alternatives: str,
    negation: Negation = "before",
    label: str = "",
    exclude: Iterable[str] = (),
    negators: frozenset[str] = NEGATORS,
) -> Cue:
    body = "|".join(f"(?:{expand(a)})" for a in alternatives)
    regex = re.compile(f"{_START}(?:{body}){_END}")
    excluded = frozenset(normalize(w) for w in exclude)
    groups = _split_by_gate(alternatives)
    first = len(INDEX)
    ids = tuple(range(first, first + len(groups)))
    cue = Cue(name, weight, regex, negation, label, excluded, negators, ids)
    INDEX.add_all(groups)
    return cue


def _split_by_gate(alternatives: Sequence[str]) -> list[re.Pattern[str]]:
    """Group a cue's alternatives into two patterns: those whose every match starts with one of
    a few known 2-3 letter strings, then the rest (a leading digit or word of any kind).

    Each group is matched on its own, so a match of one group may overlap one of the other; the
    grouping is part of what a cue finds and must not change.
    """
    pinned: list[str] = []
    rest: list[str] = []
    for a in alternatives:
        tree = parse(f"{_START}(?:{expand(a)}){_END}")
        found = {x for x, _ in prefixes(tree, "0123456789", 3, unroll=False)}
        starts = found and all(len(x) >= 2 and re.match(_L, x[0]) for x in found)
        (pinned if starts else rest).append(expand(a))
    return [
        re.compile(f"{_START}(?:{'|'.join(f'(?:{a})' for a in group)}){_END}")
        for group in (pinned, rest)
        if group
    ]


class Doc:
    """A normalised piece of text: where the registered patterns may match and its clause
    boundaries (for negation windows), both worked out on first use.

    A text that is not ``indexed`` is searched with each pattern directly: cheaper for a text
    that only a few patterns are ever run on.
    """

    __slots__ = ("_breaks", "_cands", "_ids", "indexed", "text")

    def __init__(self, text: str, *, indexed: bool = True) -> None:
        self.text = text
        self.indexed = indexed
        self._breaks: list[int] | None = None
        self._cands: Candidates = {}
        self._ids: list[int] | None = None  # the keys of ``_cands``, in order

    @property
    def breaks(self) -> list[int]:
        if self._breaks is None:
            self._breaks = [m.start() for m in _CLAUSE_BREAK_FAST.finditer(self.text)]
        return self._breaks

    def candidates(self, span: range) -> list[tuple[int, list[int]]]:
        """For each pattern with its id in ``span`` that may match: the id and the positions
        where it may (see ``Candidates``), in order of the ids."""
        if not self.indexed:
            return [(pid, [-1]) for pid in span]
        if self._ids is None:
            self._cands = INDEX.candidates(self.text)
            self._ids = sorted(self._cands)
        ids, cands = self._ids, self._cands
        lo, hi = bisect.bisect_left(ids, span.start), bisect.bisect_left(ids, span.stop)
        return [(pid, cands[pid]) for pid in ids[lo:hi]]

    def scans(self, span: range) -> Iterator[tuple[int, Iterator[re.Match[str]]]]:
        """For each pattern with its id in ``span`` that may match: the id and its matches,
        exactly as ``finditer`` gives them (produced as they are read)."""
        text, patterns = self.text, INDEX.patterns
        for pid, positions in self.candidates(span):
            yield pid, matches_at(text, patterns[pid], positions)

    def has(self, span: range) -> bool:
        """Whether any pattern in ``span`` matches anywhere in the text."""
        return any(next(matches, None) is not None for _, matches in self.scans(span))

    def words_before(self, start: int, n: int) -> list[str]:
        """The last ``n`` words before ``start`` in its clause."""
        breaks = self.breaks
        i = bisect.bisect_left(breaks, start)
        left = breaks[i - 1] + 1 if i > 0 else 0
        # Read a small window first; widen it (up to the clause) only while it may be missing
        # a word. The first word may be cut by the window: it is not among the last n if there
        # are more. This keeps long clauses linear.
        token = _TOKEN_ASCII if self.text.isascii() else _TOKEN
        span = 32
        while True:
            lo = max(left, start - span)
            words = token.findall(self.text, lo, start)
            if lo == left or len(words) > n:
                return words[-n:]
            span *= 4

    def words_after(self, end: int, n: int) -> list[str]:
        """The first ``n`` words after ``end`` in its clause."""
        breaks = self.breaks
        j = bisect.bisect_left(breaks, end)
        right = breaks[j] if j < len(breaks) else len(self.text)
        token = _TOKEN_ASCII if self.text.isascii() else _TOKEN
        span = 32  # as in ``words_before``
        while True:
            hi = min(right, end + span)
            words = token.findall(self.text, end, hi)
            if hi == right or len(words) > n:
                return words[:n]
            span *= 4


@dataclass(slots=True)
class Hit:
    cue: Cue
    start: int
    end: int


class Found:
    """What matching one cue list found: positive hits and negated hits."""

    __slots__ = ("hits", "negated")

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.negated: list[Hit] = []

    @property
    def score(self) -> float:
        """Sum of the weights of the distinct cues that fired (each cue counts once)."""
        seen: dict[str, float] = {}
        for h in self.hits:
            seen[h.cue.name] = h.cue.weight
        return sum(seen.values())

    def names(self) -> set[str]:
        return {h.cue.name for h in self.hits}

    def best(self) -> Cue | None:
        """The heaviest cue that fired (first one on ties)."""
        best: Cue | None = None
        for h in self.hits:
            if best is None or h.cue.weight > best.weight:
                best = h.cue
        return best

    def add(self, doc: Doc, cue: Cue, start: int, end: int) -> None:
        """Record a match of ``cue``: dropped when an excluded word comes just before it,
        negated when a negator is near it (see ``Cue``)."""
        if not cue.exclude and cue.negation == "none":
            self.hits.append(Hit(cue, start, end))
            return
        # One look at the words before the match serves both checks (negation reads two).
        before = doc.words_before(start, 3 if cue.exclude else 2)
        if cue.exclude and cue.exclude.intersection(before):
            return
        negated = cue.negation != "none" and bool(
            cue.negators.intersection(before[-2:])
            or (cue.negation == "around" and cue.negators.intersection(doc.words_after(end, 2)))
        )
        (self.negated if negated else self.hits).append(Hit(cue, start, end))


@dataclass(frozen=True, slots=True)
class Lexicons:
    """Several cue lists matched against one text in a single pass over its candidates."""

    lists: tuple[Sequence[Cue], ...]
    span: range  # the ids of all their patterns (and maybe some others between them)
    # For each id in ``span``: which list its pattern belongs to, the pattern and its cue
    # (None for the patterns of none of the lists).
    entries: tuple[tuple[int, re.Pattern[str], Cue] | None, ...]

    @classmethod
    def of(cls, *lists: Sequence[Cue]) -> Lexicons:
        for cues in lists:
            # Patterns are matched in the order of their ids; hits must come in cue order.
            ids = [pid for cue in cues for pid in cue.parts]
            if ids != sorted(ids):
                raise RuntimeError("the cues of a list must be registered in the list's order")
        owner = {
            pid: (k, INDEX.patterns[pid], cue)
            for k, cues in enumerate(lists)
            for cue in cues
            for pid in cue.parts
        }
        span = range(min(owner), max(owner) + 1)
        return cls(lists, span, tuple(owner.get(pid) for pid in span))


def match_all(doc: Doc, lexicons: Lexicons) -> list[Found]:
    """Match every cue list of ``lexicons`` against ``doc``: one ``Found`` per list.

    Hits come in the order of the cues, then of their parts, then of the text. An empty result
    may be shared by several lists: add to one only through ``_add_hit``.
    """
    # The lists none of whose patterns may match share one empty result (see ``_add_hit``).
    nothing = Found()
    founds = [nothing] * len(lexicons.lists)
    entries, first = lexicons.entries, lexicons.span.start
    text = doc.text
    for pid, positions in doc.candidates(lexicons.span):
        entry = entries[pid - first]
        if entry is None:
            continue
        slot, regex, cue = entry
        found = founds[slot]
        if found is nothing:
            found = founds[slot] = Found()
        # ``matches_at``, written out: this loop is the hot spot.
        end = 0
        for pos in positions:
            if pos < 0:  # no position known: run it over the whole text
                for every in regex.finditer(text):
                    found.add(doc, cue, every.start(), every.end())
            elif pos >= end and (m := regex.match(text, pos)) is not None:
                end = max(m.end(), pos + 1)
                found.add(doc, cue, pos, m.end())
    return founds
