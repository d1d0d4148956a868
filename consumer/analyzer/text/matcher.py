"""The one pre-filter engine behind the offline analyzer's regular expressions.

Running a few hundred alternation-heavy patterns over every position of a transcript is what
would cost the offline analyzer its time, and most patterns cannot match a given text at all.
This module decides, for a pattern and a text, where the pattern may start, so that it is tried
only there; every decision is sound: a position or a text is skipped only when the pattern
cannot match there, so what the callers find is exactly what plain ``finditer``/``search``
finds. Its three users:

* the cue patterns of ``consumer.analyzer.rules``, registered in an :class:`Index` that one pass
  over the word starts of a text turns into the positions where each pattern may match (keys:
  the first 2 to 8 letters of the literal :func:`prefixes` of the pattern's matches);
* the date and amount patterns of ``consumer.analyzer.text.dates`` and ``.money``, each in an
  :class:`Index` of the whole first words (:func:`first_words`), numbers and symbols ("₹") their
  matches start with; one regex run over a text finds those words, and a pattern is tried only
  where one starts;
* the phrase lexicons of ``consumer.analyzer.text.lexicon``, regrouped by first character with
  :func:`regroup` and skipped, for a text, by a :class:`WordGate` when none of their first
  words (or leading literal text) is in it.

A pattern whose matches need not start a word, or whose start cannot be pinned down, is run
over the whole text, but only when the text holds one of the strings every match of it
contains (:func:`required`); one that cannot be read at all is run over every text.

How a pattern is read into a tree is in ``regex_tree``, what its matches start with and contain
in ``regex_starts``. This module holds what is built from those: :func:`regroup` rewrites
alternatives, with the same matches, to be grouped by first character, which lets the regex engine
skip to the positions where one may start; :class:`WordGate` and :class:`Index` are the
pre-filters.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from consumer.analyzer.text.regex_starts import (
    DIGIT,
    IS_LETTER,
    LETTER,
    WORD_CAP,
    first_words,
    prefixes,
    required,
    starts_word,
)
from consumer.analyzer.text.regex_tree import Alt, Group, Lit, Node, Seq, Unsupported, parse

__all__ = [
    "Gate",
    "Heads",
    "Index",
    "WordGate",
    "matches_at",
    "regroup",
    "split_alternatives",
    "starts",
]


def split_alternatives(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|`` (as one piece when :func:`parse` cannot read it)."""
    try:
        node = parse(pattern)
    except Unsupported:
        return [pattern]
    if isinstance(node, Alt):
        return [pattern[b.start : b.end] for b in node.branches]
    return [pattern]


def _distribute(alt: str) -> list[str] | None:
    """``alt`` as alternatives that each start with a plain literal character, in the order the
    engine tries them (``(?:a|b)X`` -> ``aX``, ``bX``); None when that cannot be done."""
    if not alt:
        return None
    tree = parse(alt)
    return _spread([(alt, item) for item in (tree.items if isinstance(tree, Seq) else (tree,))])


def _spread(parts: list[tuple[str, Node]]) -> list[str] | None:
    """``_distribute`` on a sequence of items, each with the source its span is in."""
    if not parts:
        return None
    src, head = parts[0]
    if isinstance(head, Group) and not head.capturing and src.startswith("(?:", head.start):
        body = head.body
        out: list[str] = []
        for branch in body.branches if isinstance(body, Alt) else (body,):
            items = branch.items if isinstance(branch, Seq) else (branch,)
            spread = _spread([(src, item) for item in items] + parts[1:])
            if spread is None:
                return None
            out += spread
        return out
    if isinstance(head, Lit) and head.end - head.start == 1:  # written as itself, not escaped
        if head.char.isspace() or head.char in _META:
            return None
        return ["".join(source[item.start : item.end] for source, item in parts)]
    return None


_META = frozenset("\\()[]{}|.?*+^$")


def regroup(alternatives: Sequence[str]) -> tuple[str, list[str]] | None:
    """The alternatives as one regex grouped by first character, with the same matches, and the
    alternatives it was made of (each starting with a plain character); None when one cannot
    be put in that shape.

    1. A leading group is distributed over the rest: ``(?:a|b)X`` becomes ``aX|bX`` (the engine
       tries ``a`` then ``b``, each followed by ``X``, in both), until every alternative starts
       with a literal character.
    2. Alternatives that start with the same character are gathered, in their order, into one
       branch: ``pa|ab|pb`` becomes ``p(?:a|b)|a(?:b)``. At any position only the alternatives
       starting with that position's character can match, so alternatives with different first
       characters never compete, and the first alternative that matches is the same as before.
    """
    spread_all: list[str] = []
    for alt in alternatives:
        try:
            spread = _distribute(alt)
        except Unsupported:
            return None
        if spread is None:
            return None
        spread_all += spread
    by_first: dict[str, list[str]] = {}
    for a in spread_all:
        by_first.setdefault(a[0], []).append(a[1:])
    grouped = "|".join(f"{re.escape(c)}(?:{'|'.join(rests)})" for c, rests in by_first.items())
    return grouped, spread_all


# A text's ASCII words: non-ASCII characters become "?" (``encode``), then every non-word byte
# a space, and ``split()`` gives every ASCII word ``\w+`` finds (and a few more where a word ran
# on into other letters), several times faster than the regex.
_SPACE_NON_WORD = bytes(c if chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(256))


class Heads(NamedTuple):
    """How a text is checked for a pattern a :class:`WordGate` does not find by whole words:
    ``bit``, the pattern's bit in :meth:`WordGate.leads`; ``ascii_heads``, strings one of which
    an ASCII text must hold, and ``ascii``, one search for them (None: there is none);
    ``any_heads`` and ``any``, the same for any text."""

    bit: int
    ascii_heads: tuple[str, ...]
    any_heads: tuple[str, ...]
    ascii: re.Pattern[str] | None
    any: re.Pattern[str] | None


class WordGate:
    """Which of many patterns may match somewhere in a text, with one split of the text into
    words and one set intersection for all of them.

    A pattern is given as alternatives that each start with a plain character and are only
    kept at the start of an ASCII word when that character is an ASCII letter or digit (see
    ``consumer.analyzer.text.lexicon``). Such a match starts a word, so the word must be one of the
    alternative's :func:`first_words` (or, when that first word may run on, contain it); an
    alternative that starts with another character needs the literal text it starts with
    (:func:`prefixes`) in the text.
    """

    def __init__(self) -> None:
        self._words: dict[bytes, int] = {}  # a whole first word -> bit mask of its patterns
        self._set: set[bytes] = set()  # the same words, for a quick intersection
        self._count = 0
        self._by_bit: list[frozenset[bytes]] = []  # the whole first words of each pattern

    def add(self, alternatives: Sequence[str]) -> Heads | None:
        """Register a pattern made of ``alternatives``; None when one of them has no known start."""
        whole: list[str] = []
        ascii_heads: list[str] = []
        other_heads: list[str] = []
        for alt in alternatives:
            try:
                tree = parse(alt)
            except Unsupported:
                return None
            if alt[:1].isascii() and alt[:1].isalnum():
                leads = first_words(tree)
                if leads is None:
                    return None
                for word, is_whole in leads:
                    (whole if is_whole else ascii_heads).append(word)
                continue
            for head, _ in prefixes(tree, cap=WORD_CAP):
                head = head.split(DIGIT, 1)[0]
                if not head:
                    return None
                (ascii_heads if head.isascii() else other_heads).append(head)
        bit = self._count
        self._count += 1
        for word in whole:
            raw = word.encode()
            self._words[raw] = self._words.get(raw, 0) | 1 << bit
            self._set.add(raw)
        self._by_bit.append(frozenset(word.encode() for word in whole))
        ascii_only = tuple(dict.fromkeys(ascii_heads))
        any_text = tuple(dict.fromkeys(ascii_heads + other_heads))
        return Heads(bit, ascii_only, any_text, _any_of(ascii_only), _any_of(any_text))

    def leads(self, text: str) -> int:
        """The bit mask of the patterns one of whose whole first words is a word of ``text``."""
        return self.read(text)[0]

    def read(self, text: str) -> tuple[int, bytes, set[bytes]]:
        """What :meth:`leads` reads of ``text``: the bit mask, the text's ASCII words as bytes
        with a space for every other character (and one before and after: a word's place in it
        is its place in ``text`` after the first space), and the registered words among them."""
        spaced = text.encode("ascii", "replace").translate(_SPACE_NON_WORD)
        present = self._set.intersection(spaced.split())
        leads = 0
        for word in present:
            leads |= self._words[word]
        return leads, b" " + spaced + b" ", present

    def starts(self, spaced: bytes, present: set[bytes], bit: int) -> list[int]:
        """Where, in a text :meth:`read` read as ``spaced`` and ``present``, the words start that
        are a whole first word of the pattern ``bit`` stands for, in order."""
        words = self._by_bit[bit].intersection(present)
        starts: list[int] = []
        for word in words:
            needle = b" " + word + b" "
            i = spaced.find(needle)
            while i >= 0:
                starts.append(i)  # (the space before the word: its place in the text)
                i = spaced.find(needle, i + len(word) + 1)  # the next one may share the space
        return sorted(starts) if len(words) > 1 else starts


def _any_of(heads: Sequence[str]) -> re.Pattern[str] | None:
    """A regex that finds whether any of ``heads`` is in a text (None when there are none)."""
    return re.compile("|".join(map(re.escape, heads))) if heads else None


# ---------------------------------------------------------------------------------------------
# The index of word starts
# ---------------------------------------------------------------------------------------------


def _trie_regex(strings: Iterable[str]) -> str:
    """A regex matching any of ``strings``, built as a prefix trie (a longer string first, so
    the engine backtracks from it to a shorter one): hundreds of words cost a few steps."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for string in strings:
        node = trie
        for c in string:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


# How many leading characters of a word the index looks at.
KEY_LEN = 8


@dataclass(frozen=True, slots=True)
class Gate:
    """Where a pattern may match.

    ``keys``: a match starts at a word whose first characters are one of these (at most
    ``KEY_LEN`` characters); ``words``: a match starts at a word that is one of these;
    ``digit``: a match may also start at a word that starts with a decimal digit; ``symbols``:
    a match may also start at one of these characters (a few symbols that are not letters, like
    "₹"); ``required``: when none of these apply, strings one of which the text must contain.
    Nothing at all: the pattern is run over every text.
    """

    keys: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    digit: bool = False
    symbols: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()

    @classmethod
    def of(cls, regex: re.Pattern[str], *, whole_words: bool = False) -> Gate:
        """The gate of ``regex``: from the literal :func:`prefixes` of its matches (their first 2
        to ``KEY_LEN`` characters as keys), or, with ``whole_words``, from their
        :func:`first_words` (whole words, which pin a position down better). A pattern whose
        matches need not start a word, or that gives no usable start, is gated by the strings
        it :func:`required`; one that :func:`parse` cannot read is run everywhere."""
        try:
            tree = parse(regex)
        except Unsupported:
            return cls()
        if whole_words and (gate := cls._by_words(tree)) is not None:
            return gate
        keys: set[str] = set()
        symbols: set[str] = set()
        digit = False
        usable = starts_word(tree)
        for x, _ in prefixes(tree):
            if x.startswith(DIGIT):
                digit = True
                continue
            x = x.split(DIGIT, 1)[0]  # "\d" matches more than ASCII digits: cut the key there
            if len(x) >= 2 and IS_LETTER.match(x[0]):
                keys.add(x)
            elif x and not IS_LETTER.match(x[0]) and not x[0].isspace():
                symbols.add(x[0])
            else:
                usable = False
        if usable and (keys or digit or symbols) and len(symbols) <= _MAX_SYMBOLS:
            return cls(frozenset(keys), digit=digit, symbols=frozenset(symbols))
        return cls(required=frozenset(required(tree) or ()))

    @classmethod
    def _by_words(cls, tree: Node) -> Gate | None:
        leads = first_words(tree, ascii_only=False)
        if leads is None or not starts_word(tree):
            return None
        keys: set[str] = set()
        words: set[str] = set()
        symbols: set[str] = set()
        digit = False
        for word, whole in leads:
            if word == DIGIT:
                digit = True
            elif not IS_LETTER.match(word[0]):
                symbols.add(word)
            elif whole:
                words.add(word)
            else:
                keys.add(word[:KEY_LEN])
        if len(symbols) > _MAX_SYMBOLS:
            return None
        # a whole word that starts with a key is found by the key
        words = {w for w in words if not any(w[:n] in keys for n in range(1, min(len(w), KEY_LEN) + 1))}
        return cls(frozenset(keys), frozenset(words), digit, frozenset(symbols))


_MAX_SYMBOLS = 4
# Where the registered patterns may match in a text: for each id of a pattern that may match
# at all, the positions where it may (word starts, or its symbols), in order; [-1] means
# "anywhere" (run it over the whole text).
Candidates = dict[int, list[int]]


class _KeyMemo(dict[str, tuple[int, ...]]):
    """The ids of the patterns that may match at a word, by the text from the word's start (its
    first ``KEY_LEN`` characters, and with whole words in the index, the whole word), worked
    out on first sight. The answer depends only on that text (a lookup table filled lazily,
    not a cache of results). It holds at most ``limit`` keys: when full it starts over, so
    memory stays bounded and the common keys soon come back."""

    def __init__(self, index: Index, limit: int) -> None:
        super().__init__()
        self._index = index
        self._limit = limit

    def __missing__(self, key: str) -> tuple[int, ...]:
        if len(self) >= self._limit:
            self.clear()
        ids = self[key] = self._index.ids_at(key)
        return ids


class Index:
    """Registered patterns, and which of them may match where in a text.

    Each pattern gets a :class:`Gate`: the keys (first characters) or whole words its matches
    start with, or a leading digit or symbol, or strings its matches must contain. One regex run
    over a text finds the words that start with a key (one dictionary look-up each), which tells
    which patterns may match where, and a pattern is tried only at those positions. A pattern
    that starts with a digit may start at any word that starts with a decimal digit, one that
    starts with a symbol ("₹") at any occurrence of it; one whose start cannot be pinned down
    at all is run over the whole text, but only when the text holds one of the literal strings
    every match of it must contain (when those start a word, the same pass over the words
    notices them).
    """

    def __init__(self, *, whole_words: bool = False) -> None:
        """``whole_words``: gate patterns by their whole first words (see :meth:`Gate.of`)."""
        self.whole_words = whole_words
        self.patterns: list[re.Pattern[str]] = []
        self.gates: list[Gate] = []
        self._keys: dict[str, list[int]] = {}
        self._words: dict[str, list[int]] = {}
        self._digit: list[int] = []
        self._symbols: list[tuple[int, frozenset[str]]] = []
        self._required: list[tuple[int, re.Pattern[str]]] = []
        self._present: list[int] = []  # run over the whole text when one of their keys is seen
        self.always: list[int] = []  # run over every text
        self._memo = _KeyMemo(self, limit=1 << 15)
        self._scanner: re.Pattern[str] | None = None
        self._ascii_scanner: re.Pattern[str] | None = None  # the same, for ASCII text
        self._text_wide = False  # whether any pattern is found by a symbol or anywhere

    def _compile_scanner(self) -> re.Pattern[str]:
        """A regex finding, after a separator, the words the index may know: with ``whole_words``
        a whole word of the index, a word that starts with one of its keys, or a number (group 1,
        the whole word); else a word that starts with one of its keys or a digit (the match is the
        separator alone, the key a look-ahead, so a key holding a space does not hide the next
        word). It opens with the separator, a character class the regex engine can skip to
        quickly (a leading look-behind would cost it that)."""
        keys = _trie_regex(self._keys)
        leads = [r"\d"] if self._digit else []
        if self.whole_words:
            words = _trie_regex(self._words)
            leads += [f"{words}(?!{LETTER})"] if words else []
        leads += [keys] if keys else []
        lead = "|".join(leads) or "(?!)"  # (nothing to find)
        if self.whole_words:
            # (then the rest of the word, so the match holds the whole word)
            source = rf"[^{LETTER[1:-1]}]((?:{lead}){LETTER}*)"
        else:
            source = rf"[^{LETTER[1:-1]}](?={lead})"
        self._scanner = re.compile(source)
        # In an ASCII text, ``\w`` and ``\d`` read the same characters with or without
        # ``re.ASCII``, and the engine tells an ASCII word character by a table look-up instead of
        # the Unicode database: same matches, found faster.
        self._ascii_scanner = re.compile(source, re.ASCII)
        return self._scanner

    def __len__(self) -> int:
        return len(self.patterns)

    def add(self, regex: re.Pattern[str]) -> int:
        """Register a pattern; returns its id. Ids grow in registration order."""
        gate = Gate.of(regex, whole_words=self.whole_words)
        pid = len(self.patterns)
        self.patterns.append(regex)
        self.gates.append(gate)
        for key in gate.keys:
            self._keys.setdefault(key, []).append(pid)
        for word in gate.words:
            self._words.setdefault(word, []).append(pid)
        if gate.digit:
            self._digit.append(pid)
        if gate.symbols:
            self._symbols.append((pid, gate.symbols))
        if not (gate.keys or gate.words or gate.digit or gate.symbols):
            if gate.required and all(
                len(n) > 2 and n[0] == " " and IS_LETTER.match(n[1]) for n in gate.required
            ):
                # Each string is a space and then the start of a word: the pass over the words
                # sees it for free ("ji ka num" is a word start with a key "ji ka nu").
                for needle in gate.required:
                    self._keys.setdefault(needle[1 : KEY_LEN + 1], []).append(pid)
                self._present.append(pid)
            elif gate.required:
                # One search for all the strings: the engine skips to their first letters.
                needles = sorted(gate.required)
                self._required.append((pid, re.compile("|".join(map(re.escape, needles)))))
            else:
                self.always.append(pid)
        self._memo.clear()
        self._scanner = self._ascii_scanner = None
        self._text_wide = bool(self._symbols or self._present or self.always or self._required)
        return pid

    def add_all(self, regexes: Iterable[re.Pattern[str]]) -> range:
        """Register several patterns; returns their ids."""
        first = len(self.patterns)
        for regex in regexes:
            self.add(regex)
        return range(first, len(self.patterns))

    def ids_at(self, key: str) -> tuple[int, ...]:
        """Ids of the patterns that may match at a word start where the text reads ``key``: its
        first ``KEY_LEN`` characters (fewer at the end of the text), or with ``whole_words``,
        the whole word."""
        ids: set[int] = set()
        for n in range(1, min(len(key), KEY_LEN) + 1):
            ids.update(self._keys.get(key[:n], ()))
        ids.update(self._words.get(key, ()))
        if key[:1].isdecimal():
            ids.update(self._digit)
        return tuple(sorted(ids))

    def candidates(self, text: str) -> Candidates:
        """Where each registered pattern may match in ``text`` (see ``Candidates``)."""
        memo = self._memo
        found: defaultdict[int, list[int]] = defaultdict(list)
        # Only the words that start with a key (or with ``whole_words``, are a whole word of the
        # index): one regex run skips the others (see ``_compile_scanner``). The space lets the
        # first word be found; the separator's place in " " + text is the word's in text.
        scanner = self._scanner or self._compile_scanner()
        if text.isascii() and self._ascii_scanner is not None:
            scanner = self._ascii_scanner
        if self.whole_words:
            for m in scanner.finditer(" " + text):
                i = m.start()
                for pid in memo[m.group(1)]:
                    found[pid].append(i)
        else:
            for m in scanner.finditer(" " + text):
                i = m.start()
                for pid in memo[text[i : i + KEY_LEN]]:
                    found[pid].append(i)
        if self._text_wide:
            self._text_wide_candidates(text, found)
        return found

    def _text_wide_candidates(self, text: str, found: dict[int, list[int]]) -> None:
        """Add to ``found`` the patterns found by their symbols or anywhere in ``text``."""
        for pid, symbols in self._symbols:
            at = [i for sym in symbols if sym in text for i in _occurrences(text, sym)]
            if at:
                # A few runs, each in order: sorting merges them in linear time.
                found[pid] = sorted(found.get(pid, []) + at)
        for pid in self._present:
            if pid in found:
                found[pid] = [-1]
        for pid in self.always:
            found[pid] = [-1]
        for pid, needles in self._required:
            if needles.search(text):
                found[pid] = [-1]


def _occurrences(text: str, char: str) -> Iterator[int]:
    """Every position of ``char`` in ``text``, in order."""
    i = text.find(char)
    while i >= 0:
        yield i
        i = text.find(char, i + 1)


def matches_at(text: str, regex: re.Pattern[str], positions: Iterable[int]) -> Iterator[re.Match[str]]:
    """The matches of ``regex`` in ``text`` at the candidate positions of one pattern, exactly
    as ``finditer`` gives them: left to right, each search going on after the last match
    (a position -1: anywhere, run it over the whole text)."""
    end = 0
    for pos in positions:
        if pos < 0:
            yield from regex.finditer(text)
            return
        if pos < end:
            continue
        m = regex.match(text, pos)
        if m is not None:
            end = max(m.end(), pos + 1)
            yield m


def starts(positions: list[int], length: int) -> Sequence[int]:
    """The positions of one pattern's ``Candidates`` in a text of ``length`` characters, with
    "anywhere" ([-1]) spelled out as every position."""
    return range(length + 1) if positions == [-1] else positions
