"""Python regular expressions read into a small tree, for the pre-filters of ``matcher``.

:func:`parse` reads the subset of Python's regex syntax our patterns use (literals and escapes,
character classes, ``.``, groups of every kind, look-arounds, ``\\b``/``^``/``$``, greedy, lazy and
possessive repeats, back-references and conditionals) into a small tree of :class:`Node`, each
with its span in the source. It uses only public Python: no ``re._parser``. Anything else
(inline flags, ``(?>...)``, unknown escapes) raises :class:`Unsupported`, and a caller then falls
back to a sound default: the pattern is run over the whole text, or its text is not regrouped.

Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Alt",
    "At",
    "Chars",
    "Group",
    "Lit",
    "Look",
    "Node",
    "Opaque",
    "Repeat",
    "Seq",
    "Unsupported",
    "parse",
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
                if WORD_CHAR.match(item[1]):
                    return False
            elif any(WORD_CHAR.match(chr(c)) for c in range(ord(item[1]), ord(item[2]) + 1)):
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


WORD_CHAR = re.compile(r"\w")
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


def node_items(node: Node) -> Sequence[Node]:
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


def as_chars(node: Alt) -> frozenset[str] | None:
    """An alternation of single characters as one class (how the regex engine reads it)."""
    out: set[str] = set()
    for branch in node.branches:
        chars = _single_chars(branch)
        if chars is None:
            return None
        out |= chars
    return frozenset(out)
