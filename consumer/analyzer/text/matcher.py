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

Reading a pattern
-----------------
:func:`parse` reads the subset of Python's regex syntax our patterns use (literals and escapes,
character classes, ``.``, groups of every kind, look-arounds, ``\\b``/``^``/``$``, greedy, lazy and
possessive repeats, back-references and conditionals) into a small tree of :class:`Node`, each
with its span in the source. It uses only public Python: no ``re._parser``. Anything else
(inline flags, ``(?>...)``, unknown escapes) raises :class:`Unsupported`, and a caller then falls
back to a sound default: the pattern is run over the whole text, or its text is not regrouped.
From the tree:

* :func:`prefixes`: the literal strings every match starts with (``"nahi+n? de"`` gives
  ``"nahi d"``, ``"nahii d"`` ...), up to a length;
* :func:`required`: literal strings one of which every match contains;
* :func:`first_words`: the first word of every match, and whether it is the whole word;
* :func:`regroup`: alternatives rewritten, with the same matches, to be grouped by first
  character, which lets the regex engine skip to the positions where one may start.

Pure: no I/O.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "Alt",
    "At",
    "Chars",
    "Gate",
    "Group",
    "Heads",
    "Index",
    "Lit",
    "Look",
    "Node",
    "Opaque",
    "Repeat",
    "Seq",
    "Unsupported",
    "WordGate",
    "first_words",
    "matches_at",
    "parse",
    "prefixes",
    "regroup",
    "required",
    "split_alternatives",
    "starts",
]


class Unsupported(ValueError):
    """A pattern, or a part of one, outside the syntax :func:`parse` reads."""


# ---------------------------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """A piece of a pattern; ``start``/``end`` is its span in the pattern's source."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Lit(Node):
    """One literal character."""

    char: str


# A class item: ("lit", c), ("range", first, last) or ("cat", "d" | "D" | "w" | "W" | "s" | "S").
ClassItem = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Chars(Node):
    """One character out of a class (``[a-z]``, ``\\d``, ``.`` is ``[^\\n]``)."""

    items: tuple[ClassItem, ...]
    negated: bool = False

    def literals(self) -> frozenset[str] | None:
        """The characters of a class written as plain characters only (None otherwise)."""
        if self.negated or any(item[0] != "lit" for item in self.items):
            return None
        return frozenset(item[1] for item in self.items)

    def is_digit(self) -> bool:
        """Whether this is exactly ``\\d``."""
        return not self.negated and self.items == (("cat", "d"),)

    def covers_word(self) -> bool:
        """Whether every word character (``\\w``) is in the class."""
        return not self.negated and ("cat", "w") in self.items

    def non_word(self) -> bool:
        """Whether no word character (``\\w``) is in the class."""
        if self.negated:
            return ("cat", "w") in self.items
        for item in self.items:
            if item[0] == "cat":
                if item[1] not in ("s", "W"):
                    return False
            elif item[0] == "lit":
                if _WORD_CHAR.match(item[1]):
                    return False
            elif any(_WORD_CHAR.match(chr(c)) for c in range(ord(item[1]), ord(item[2]) + 1)):
                return False
        return True


@dataclass(frozen=True, slots=True)
class Seq(Node):
    """Its items one after the other."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Alt(Node):
    """One of its branches, tried in order."""

    branches: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Group(Node):
    """A group: ``(?:...)`` (not ``capturing``), ``(...)`` or ``(?P<name>...)``."""

    body: Node
    capturing: bool = False


@dataclass(frozen=True, slots=True)
class Repeat(Node):
    """``body`` from ``lo`` to ``hi`` times (``hi`` None: no limit)."""

    body: Node
    lo: int
    hi: int | None
    lazy: bool = False


@dataclass(frozen=True, slots=True)
class Look(Node):
    """A look-ahead or look-behind: zero width."""

    body: Node
    ahead: bool
    negative: bool


@dataclass(frozen=True, slots=True)
class At(Node):
    """A zero-width anchor: ``b`` (``\\b``), ``B``, ``^``, ``$``, ``A`` or ``Z``."""

    kind: str


@dataclass(frozen=True, slots=True)
class Opaque(Node):
    """A back-reference: some text, possibly empty, not known from the pattern."""


_WORD_CHAR = re.compile(r"\w")
_ESCAPE_CHARS = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
_QUANTIFIER = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")
# Characters that stand for themselves, and those that may follow an atom to repeat it.
_PLAIN = frozenset(c for c in map(chr, range(0x980)) if c not in "\\()[]{}|.?*+^$")
_AFTER = frozenset("*+?{")
# The flags a pattern may be compiled with for the tree to say what it matches.
_PLAIN_FLAGS = re.UNICODE


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.i = 0

    def fail(self, why: str) -> Unsupported:
        return Unsupported(f"{why} at {self.i} in {self.src!r}")

    def peek(self, n: int = 1) -> str:
        return self.src[self.i : self.i + n]

    def alternation(self) -> Node:
        start = self.i
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        if len(branches) == 1:
            return branches[0]
        return Alt(start, self.i, tuple(branches))

    def sequence(self) -> Node:
        start = self.i
        items: list[Node] = []
        src, end = self.src, len(self.src)
        while self.i < end and (c := src[self.i]) not in "|)":
            if c in _PLAIN:  # a plain character: the common case, read without the general path
                self.i += 1
                node: Node = Lit(self.i - 1, self.i, c)
            else:
                node = self.atom()
            items.append(self.quantified(node) if src[self.i : self.i + 1] in _AFTER else node)
        if len(items) == 1:
            return items[0]
        return Seq(start, self.i, tuple(items))

    def quantified(self, node: Node) -> Node:
        c = self.peek()
        if c in ("*", "+", "?"):
            self.i += 1
            lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
        elif c == "{" and (m := _QUANTIFIER.match(self.src, self.i)) and (m.group(1) or m.group(2)):
            self.i = m.end()
            lo = int(m.group(1) or 0)
            hi = int(m.group(3)) if m.group(3) else (None if m.group(2) else lo)
        else:
            return node
        if isinstance(node, At | Look):
            raise self.fail("a repeated zero-width assertion")
        lazy = self.peek() == "?"
        if self.peek() in ("?", "+"):  # lazy; possessive matches a subset of the greedy repeat
            self.i += 1
        if self.peek() in ("*", "+", "?") or (self.peek() == "{" and _QUANTIFIER.match(self.src, self.i)):
            raise self.fail("a repeated repeat")
        return Repeat(node.start, self.i, node, lo, hi, lazy)

    def atom(self) -> Node:
        start, c = self.i, self.peek()
        if c == "(":
            return self.group()
        if c == "[":
            return self.char_class()
        self.i += 1
        if c == ".":
            return Chars(start, self.i, (("lit", "\n"),), negated=True)
        if c in "^$":
            return At(start, self.i, c)
        if c in "*+?":
            raise self.fail("nothing to repeat")
        if c == "{" and _QUANTIFIER.match(self.src, start):
            raise self.fail("nothing to repeat")
        if c != "\\":
            return Lit(start, self.i, c)
        e = self.peek()
        if not e:
            raise self.fail("a trailing backslash")
        self.i += 1
        if e in "dDwWsS":
            return Chars(start, self.i, (("cat", e),))
        if e in "bBAZ":
            return At(start, self.i, e)
        if e in "123456789":
            while self.peek().isdigit():
                self.i += 1
            return Opaque(start, self.i)
        char = self.escaped(e)
        return Lit(start, self.i, char)

    def escaped(self, e: str) -> str:
        """The character of the escape ``\\e`` (its letter already read)."""
        if e in _ESCAPE_CHARS:
            return _ESCAPE_CHARS[e]
        for letter, width in (("x", 2), ("u", 4), ("U", 8)):
            if e == letter:
                digits = self.src[self.i : self.i + width]
                if len(digits) != width or not all(d in "0123456789abcdefABCDEF" for d in digits):
                    raise self.fail("a bad hexadecimal escape")
                self.i += width
                return chr(int(digits, 16))
        if e == "N" and self.peek() == "{" and (close := self.src.find("}", self.i)) > 0:
            name = self.src[self.i + 1 : close]
            self.i = close + 1
            try:
                return unicodedata.lookup(name)
            except KeyError:
                raise self.fail("an unknown character name") from None
        if e == "0":
            digits = "0"
            while len(digits) < 3 and self.peek() in tuple("01234567"):
                digits += self.peek()
                self.i += 1
            return chr(int(digits, 8))
        if e.isascii() and e.isalnum():
            raise self.fail(f"the escape \\{e}")
        return e

    def group(self) -> Node:
        start = self.i
        self.i += 1
        capturing = False
        if self.peek() != "?":
            capturing = True
        elif self.peek(3) == "?:" or self.peek(2) == "?:":
            self.i += 2
        elif self.peek(3) == "?P<":
            close = self.src.find(">", self.i)
            if close < 0:
                raise self.fail("an unterminated group name")
            self.i = close + 1
            capturing = True
        elif self.peek(3) == "?P=":
            close = self.src.find(")", self.i)
            if close < 0:
                raise self.fail("an unterminated back-reference")
            self.i = close + 1
            return Opaque(start, self.i)
        elif self.peek(2) in ("?=", "?!") or self.peek(3) in ("?<=", "?<!"):
            ahead = self.peek(2) in ("?=", "?!")
            negative = self.src[self.i + (1 if ahead else 2)] == "!"
            self.i += 2 if ahead else 3
            body = self.alternation()
            self.close(start)
            return Look(start, self.i, body, ahead, negative)
        elif self.peek(2) == "?(":
            close = self.src.find(")", self.i)
            if close < 0:
                raise self.fail("an unterminated condition")
            self.i = close + 1
            body = self.alternation()  # the text matched is one of "yes" or "no"
            if isinstance(body, Alt) and len(body.branches) > 2:
                raise self.fail("a condition with more than two branches")
            if not isinstance(body, Alt):
                body = Alt(body.start, body.end, (body, Seq(body.end, body.end, ())))
            self.close(start)
            return Group(start, self.i, body)
        else:
            raise self.fail("an unsupported group")
        body = self.alternation()
        self.close(start)
        return Group(start, self.i, body, capturing)

    def close(self, start: int) -> None:
        if self.peek() != ")":
            raise self.fail(f"an unclosed group opened at {start}")
        self.i += 1

    def char_class(self) -> Node:
        start = self.i
        self.i += 1
        negated = self.peek() == "^"
        if negated:
            self.i += 1
        items: list[ClassItem] = []
        first = True
        while True:
            c = self.peek()
            if not c:
                raise self.fail("an unterminated character class")
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            item = self.class_item()
            if item[0] == "lit" and self.peek() == "-" and self.peek(2)[1:] not in ("]", ""):
                self.i += 1
                last = self.class_item()
                if last[0] != "lit" or last[1] < item[1]:
                    raise self.fail("a bad range")
                item = ("range", item[1], last[1])
            items.append(item)
        return Chars(start, self.i, tuple(items), negated)

    def class_item(self) -> ClassItem:
        c = self.peek()
        self.i += 1
        if c == "[" and self.peek() in (":", "=", "."):
            raise self.fail("a nested set")
        if c != "\\":
            return ("lit", c)
        e = self.peek()
        self.i += 1
        if e in "dDwWsS":
            return ("cat", e)
        if e == "b":
            return ("lit", "\b")
        if e in "123456789":
            raise self.fail("a back-reference in a class")
        return ("lit", self.escaped(e))


def parse(pattern: str | re.Pattern[str]) -> Node:
    """The tree of ``pattern``; :class:`Unsupported` outside the syntax this module reads (or
    with flags other than the default)."""
    if isinstance(pattern, re.Pattern):
        if pattern.flags & ~_PLAIN_FLAGS:
            raise Unsupported(f"flags {pattern.flags} on {pattern.pattern!r}")
        pattern = pattern.pattern
    parser = _Parser(pattern)
    node = parser.alternation()
    if parser.i != len(pattern):
        raise parser.fail("an unbalanced ')'")
    return node


def _items(node: Node) -> Sequence[Node]:
    """``node`` as a sequence of items (a group's body is read in place)."""
    while isinstance(node, Group):
        node = node.body
    return node.items if isinstance(node, Seq) else (node,)


def _single_chars(node: Node) -> frozenset[str] | None:
    """The characters of a branch that is one plain character (or a class of plain ones)."""
    while isinstance(node, Group) and not node.capturing:
        node = node.body
    if isinstance(node, Lit):
        return frozenset(node.char)
    return node.literals() if isinstance(node, Chars) else None


def _as_chars(node: Alt) -> frozenset[str] | None:
    """An alternation of single characters as one class (how the regex engine reads it)."""
    out: set[str] = set()
    for branch in node.branches:
        chars = _single_chars(branch)
        if chars is None:
            return None
        out |= chars
    return frozenset(out)


# ---------------------------------------------------------------------------------------------
# What a pattern's matches start with and contain
# ---------------------------------------------------------------------------------------------

Prefixes = list[tuple[str, bool]]  # (literal prefix, can still be extended)
_MAX_PREFIXES = 2000
_MAX_LITERALS = 64
_MAX_CLASS = 8  # a class of more plain characters than this ends a prefix
DIGIT = "\x00"  # stands for "any decimal digit" (``\d``) in derived prefixes


def prefixes(node: Node, digits: str = DIGIT, cap: int = 8, *, unroll: bool = True) -> Prefixes:
    """Literal prefixes every match of ``node`` starts with (up to ``cap`` characters), each with
    whether it could still grow; ``[("", ...)]`` when nothing is known. ``\\d`` becomes each of
    ``digits`` (:data:`DIGIT` by default). With ``unroll``, ``x+`` is read as ``xx*`` and ``x?`` as
    "nothing, or x and go on", so "nahi+n? de" gives "nahi d"; without it, a repeat ends the
    prefixes. Zero-width assertions are stepped over."""
    return _prefixes(_items(node), digits, cap, unroll)


def _prefixes(items: Sequence[Node], digits: str, cap: int, unroll: bool) -> Prefixes:
    out: Prefixes = [("", True)]
    for node in items:
        if isinstance(node, At | Look):
            continue
        ext = _extensions(node, digits, cap, unroll)
        if ext is None:
            return [(x, False) for x, _ in out]
        grown = [(x, False) for x, more in out if not more]
        # Only the first ``cap`` characters are ever used, so longer prefixes stop growing.
        grown += [(x + y, more and len(x + y) < cap) for x, more0 in out if more0 for y, more in ext]
        grown = list(dict.fromkeys((x[:cap], more) for x, more in grown))
        if len(grown) > _MAX_PREFIXES:
            return [(x, False) for x, _ in out]
        out = grown
        if not any(more for _, more in out):
            break
    return out


def _extensions(node: Node, digits: str, cap: int, unroll: bool) -> Prefixes | None:
    """The prefixes one item adds (None: it ends every prefix)."""
    if isinstance(node, Lit):
        return [(node.char, True)]
    if isinstance(node, Group):
        return _prefixes(_items(node.body), digits, cap, unroll)
    if isinstance(node, Seq):
        return _prefixes(node.items, digits, cap, unroll)
    if isinstance(node, Alt):
        chars = _as_chars(node)
        if chars is not None:
            return [(c, True) for c in sorted(chars)] if len(chars) <= _MAX_CLASS else None
        return [x for branch in node.branches for x in _prefixes(_items(branch), digits, cap, unroll)]
    if isinstance(node, Chars):
        chars = node.literals()
        if chars is not None and len(chars) <= _MAX_CLASS:
            return [(c, True) for c in sorted(chars)]
        return [(c, True) for c in digits] if node.is_digit() else None
    if isinstance(node, Repeat):
        lo, hi, body = node.lo, node.hi, node.body
        if unroll and 1 <= lo <= cap:  # x{lo,hi} is x followed by x{lo-1,hi-1}
            rest = Repeat(node.start, node.end, body, lo - 1, None if hi is None else hi - 1, node.lazy)
            return _prefixes([*_items(body), rest], digits, cap, unroll)
        if unroll and lo == 0 and hi == 1:
            return [("", True), *_prefixes(_items(body), digits, cap, unroll)]
        if hi == 0:
            return [("", True)]
        # skipped, or taken once and then maybe again: the prefix ends there
        taken = [(x, False) for x, _ in _prefixes(_items(body), digits, cap, unroll)]
        return [("", True), *taken] if lo == 0 else taken
    return None


def _literal_set(items: Sequence[Node]) -> set[str] | None:
    """Every string the items can match, when that is a small fixed set."""
    out = {""}
    for node in items:
        alts: set[str] | None
        if isinstance(node, At | Look):
            continue
        if isinstance(node, Lit):
            alts = {node.char}
        elif isinstance(node, Chars):
            chars = node.literals()
            alts = None if chars is None else set(chars)
        elif isinstance(node, Group | Seq):
            alts = _literal_set(_items(node))
        elif isinstance(node, Alt):
            subs = [_literal_set(_items(b)) for b in node.branches]
            alts = None if any(s is None for s in subs) else {x for s in subs if s for x in s}
        elif isinstance(node, Repeat) and node.lo == 0 and node.hi == 1 and not node.lazy:
            inner = _literal_set(_items(node.body))
            alts = None if inner is None else {"", *inner}
        else:
            alts = None
        if alts is None:
            return None
        out = {x + y for x in out for y in alts}
        if len(out) > _MAX_LITERALS:
            return None
    return out


def _shortest(strings: set[str] | None) -> int:
    return min(map(len, strings)) if strings else 0


def required(node: Node) -> set[str] | None:
    """Literal strings one of which every match of ``node`` contains (None if none are known):
    the best run of fixed text in the pattern, the longer the better."""
    return _required(_items(node))


def _required(items: Sequence[Node]) -> set[str] | None:
    best: set[str] | None = None
    run = {""}  # the fixed text just before the current item (one of these strings)
    for node in items:
        if isinstance(node, At | Look):
            continue
        fixed = _literal_set([node])
        if fixed is not None and len(run) * len(fixed) <= _MAX_LITERALS:
            run = {x + y for x in run for y in fixed}
            continue
        if _shortest(run) > _shortest(best):
            best = run
        run = {""}
        inner: set[str] | None = None
        if isinstance(node, Group | Seq):
            inner = _required(_items(node))
        elif isinstance(node, Alt):
            subs = [_required(_items(b)) for b in node.branches]
            inner = None if any(s is None for s in subs) else {x for s in subs if s for x in s}
        elif isinstance(node, Repeat) and node.lo >= 1:
            inner = _required(_items(node.body))
        if _shortest(inner) > _shortest(best):
            best = inner
    if _shortest(run) > _shortest(best):
        best = run
    return best if _shortest(best) > 0 else None


# ---------------------------------------------------------------------------------------------
# First words
# ---------------------------------------------------------------------------------------------

# A "letter": word characters plus Devanagari letters and vowel signs, but not the danda (।, ॥).
LETTER = r"[\w\u0900-\u0963\u0966-\u097F]"
_IS_LETTER = re.compile(LETTER)
_DEVANAGARI_LETTERS = "".join(chr(c) for c in range(0x900, 0x980) if _IS_LETTER.match(chr(c)))
_WORD_CAP = 40  # first words are read up to this many characters


class _Words:
    """What a word is: a run of ASCII word characters (``ascii``), or of letters (``LETTER``)."""

    def __init__(self, *, ascii_only: bool) -> None:
        self.ascii = ascii_only

    def letter(self, c: str) -> bool:
        if self.ascii:
            return c.isascii() and bool(_WORD_CHAR.match(c))
        return bool(_IS_LETTER.match(c))

    def covers(self, chars: Chars) -> bool:
        """Whether every letter is in the class."""
        if chars.negated or ("cat", "w") not in chars.items:
            return False
        return self.ascii or _covers_devanagari(chars.items)

    def none_in(self, chars: Chars) -> bool:
        """Whether no letter is in the class."""
        if chars.negated:
            return self.covers(Chars(chars.start, chars.end, chars.items))
        for item in chars.items:
            if item[0] == "cat":
                # "\W" holds Devanagari vowel signs, which are letters
                if item[1] != "s" and not (self.ascii and item[1] == "W"):
                    return False
            elif item[0] == "lit":
                if self.letter(item[1]):
                    return False
            elif any(self.letter(chr(c)) for c in range(ord(item[1]), ord(item[2]) + 1)):
                return False
        return True

    def ends(self, node: Node) -> bool:
        """Whether ``node``, right after a letter, says the next character is no letter: ``$``,
        ``(?![\\w])`` and the like, a class of non-letters (``\\b`` only for ASCII words:
        a Devanagari vowel sign is a letter but no word character)."""
        if isinstance(node, At):
            return node.kind in ("$", "Z") or (self.ascii and node.kind == "b")
        if isinstance(node, Look):
            body = node.body
            return node.ahead and node.negative and isinstance(body, Chars) and self.covers(body)
        if isinstance(node, Chars):
            return self.none_in(node)
        if isinstance(node, Repeat):
            return node.lo >= 1 and self.ends(node.body)
        return False

    def starts(self, node: Node) -> bool:
        """Whether ``node`` says the character before is no letter (a match starts a word)."""
        if isinstance(node, Look):
            body = node.body
            return not node.ahead and node.negative and isinstance(body, Chars) and self.covers(body)
        return isinstance(node, At) and node.kind in ("^", "A")


@functools.cache
def _covers_devanagari(items: tuple[ClassItem, ...]) -> bool:
    """Whether a (not negated) class of ``items`` holds every Devanagari letter."""
    chars = Chars(0, 0, items)
    return all(_has(chars, c) for c in _DEVANAGARI_LETTERS)


def _has(chars: Chars, c: str) -> bool:
    """Whether the (not negated) class holds ``c``."""
    for item in chars.items:
        if item[0] == "lit" and item[1] == c:
            return True
        if item[0] == "range" and item[1] <= c <= item[2]:
            return True
        if item[0] == "cat" and re.fullmatch("\\" + item[1], c):
            return True
    return False


def _digits_only(chars: Chars) -> bool:
    """Whether every character of the class is a decimal digit."""
    if chars.negated:
        return False
    for item in chars.items:
        if item == ("cat", "d"):
            continue
        if item[0] == "lit" and item[1].isdecimal():
            continue
        if item[0] == "range" and all(chr(c).isdecimal() for c in range(ord(item[1]), ord(item[2]) + 1)):
            continue
        return False
    return True


def first_words(node: Node, *, ascii_only: bool = True) -> list[tuple[str, bool]] | None:
    """The first words a match of ``node`` can start with, each with whether it is the whole
    word (True) or may run on into more letters (False); None when a match may start with
    something else. A word is a run of ASCII word characters (``ascii_only``: any other
    character ends one) or of letters (``LETTER``).

    Without ``ascii_only`` two more kinds of start are told: (``DIGIT``, False), a match that
    starts with a decimal digit, and (c, True) with c a symbol (not a letter, not white space),
    a match that starts with that character."""
    words = _Words(ascii_only=ascii_only)
    out: list[tuple[str, bool]] = []
    for word, whole in _words(words, _items(node), ""):
        if not word or (ascii_only and word == DIGIT):
            return None
        out.append((word, whole))
    return list(dict.fromkeys(out))


def starts_word(node: Node) -> bool:
    """Whether every match of ``node`` starts where no letter (``LETTER``) is just before: the
    pattern opens with a look-behind like ``(?<![\\w...])`` in every branch."""
    words = _Words(ascii_only=False)

    def opens(items: Sequence[Node]) -> bool:
        for item in items:
            if words.starts(item):
                return True
            if isinstance(item, At | Look):
                continue
            if isinstance(item, Group | Seq):
                return opens(_items(item))
            if isinstance(item, Alt):
                return all(opens(_items(b)) for b in item.branches)
            return False
        return False

    return opens(_items(node))


def _words(words: _Words, items: Sequence[Node], word: str) -> list[tuple[str, bool]]:
    """The first words of ``items`` after ``word`` (already read)."""
    for k, node in enumerate(items):
        rest = items[k + 1 :]
        if isinstance(node, Lit):
            if not words.letter(node.char):
                if not word and not words.ascii and not node.char.isspace():
                    return [(node.char, True)]  # a symbol
                # a non-letter (for ASCII words: also a non-ASCII character) ends the word
                return [(word, True)]
            if len(word) >= _WORD_CAP:
                return [(word, False)]
            word += node.char
            continue
        if isinstance(node, At | Look | Chars) and word and words.ends(node):
            return [(word, True)]
        if isinstance(node, At | Look):
            continue
        if isinstance(node, Group | Seq):
            return _words(words, [*_items(node), *rest], word)
        if isinstance(node, Alt):
            return [w for branch in node.branches for w in _words(words, [*_items(branch), *rest], word)]
        if isinstance(node, Chars):
            chars = node.literals()
            if chars is not None and len(chars) <= _MAX_CLASS:
                return [w for c in sorted(chars) for w in _words(words, [Lit(0, 0, c), *rest], word)]
            if not word and _digits_only(node):
                return [(DIGIT, False)]
            return [(word, False)]
        if isinstance(node, Repeat) and node.lo == 0 and node.hi == 1:
            # one optional item: either way
            return _words(words, [*_items(node.body), *rest], word) + _words(words, rest, word)
        if isinstance(node, Repeat) and word and words.ends(node.body):
            # a run of non-letters: the word ends if it is taken, else read on after it
            return [(word, True)] if node.lo >= 1 else [(word, True), *_words(words, rest, word)]
        if isinstance(node, Repeat) and node.lo >= 1 and not word:
            return _words(words, [node.body], word)  # the first item, taken at least once
        return [(word, False)]
    return [(word, False)]


# ---------------------------------------------------------------------------------------------
# Regrouping alternatives by first character
# ---------------------------------------------------------------------------------------------


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
            for head, _ in prefixes(tree, cap=_WORD_CAP):
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
            if len(x) >= 2 and _IS_LETTER.match(x[0]):
                keys.add(x)
            elif x and not _IS_LETTER.match(x[0]) and not x[0].isspace():
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
            elif not _IS_LETTER.match(word[0]):
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
                len(n) > 2 and n[0] == " " and _IS_LETTER.match(n[1]) for n in gate.required
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
