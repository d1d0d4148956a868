"""What a pattern's matches start with and contain, read from its tree (``regex_tree``):

* :func:`prefixes`: the literal strings every match starts with (``"nahi+n? de"`` gives
  ``"nahi d"``, ``"nahii d"`` ...), up to a length;
* :func:`required`: literal strings one of which every match contains;
* :func:`first_words`: the first word of every match, and whether it is the whole word.

Every answer is sound: when the tree cannot tell, the answer says so (``None``) and the caller
runs the pattern over the whole text. Pure: no I/O.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from consumer.analyzer.text.regex_tree import (
    WORD_CHAR,
    Alt,
    At,
    Chars,
    ClassItem,
    Group,
    Lit,
    Look,
    Node,
    Repeat,
    Seq,
    as_chars,
    node_items,
)

__all__ = ["DIGIT", "LETTER", "Prefixes", "first_words", "prefixes", "required", "starts_word"]


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
    return _prefixes(node_items(node), digits, cap, unroll)


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
        return _prefixes(node_items(node.body), digits, cap, unroll)
    if isinstance(node, Seq):
        return _prefixes(node.items, digits, cap, unroll)
    if isinstance(node, Alt):
        chars = as_chars(node)
        if chars is not None:
            return [(c, True) for c in sorted(chars)] if len(chars) <= _MAX_CLASS else None
        return [x for branch in node.branches for x in _prefixes(node_items(branch), digits, cap, unroll)]
    if isinstance(node, Chars):
        chars = node.literals()
        if chars is not None and len(chars) <= _MAX_CLASS:
            return [(c, True) for c in sorted(chars)]
        return [(c, True) for c in digits] if node.is_digit() else None
    if isinstance(node, Repeat):
        lo, hi, body = node.lo, node.hi, node.body
        if unroll and 1 <= lo <= cap:  # x{lo,hi} is x followed by x{lo-1,hi-1}
            rest = Repeat(node.start, node.end, body, lo - 1, None if hi is None else hi - 1, node.lazy)
            return _prefixes([*node_items(body), rest], digits, cap, unroll)
        if unroll and lo == 0 and hi == 1:
            return [("", True), *_prefixes(node_items(body), digits, cap, unroll)]
        if hi == 0:
            return [("", True)]
        # skipped, or taken once and then maybe again: the prefix ends there
        taken = [(x, False) for x, _ in _prefixes(node_items(body), digits, cap, unroll)]
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
            alts = _literal_set(node_items(node))
        elif isinstance(node, Alt):
            subs = [_literal_set(node_items(b)) for b in node.branches]
            alts = None if any(s is None for s in subs) else {x for s in subs if s for x in s}
        elif isinstance(node, Repeat) and node.lo == 0 and node.hi == 1 and not node.lazy:
            inner = _literal_set(node_items(node.body))
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
    return _required(node_items(node))


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
            inner = _required(node_items(node))
        elif isinstance(node, Alt):
            subs = [_required(node_items(b)) for b in node.branches]
            inner = None if any(s is None for s in subs) else {x for s in subs if s for x in s}
        elif isinstance(node, Repeat) and node.lo >= 1:
            inner = _required(node_items(node.body))
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
IS_LETTER = re.compile(LETTER)
_DEVANAGARI_LETTERS = "".join(chr(c) for c in range(0x900, 0x980) if IS_LETTER.match(chr(c)))
WORD_CAP = 40  # first words are read up to this many characters


class _Words:
    """What a word is: a run of ASCII word characters (``ascii``), or of letters (``LETTER``)."""

    def __init__(self, *, ascii_only: bool) -> None:
        self.ascii = ascii_only

    def letter(self, c: str) -> bool:
        if self.ascii:
            return c.isascii() and bool(WORD_CHAR.match(c))
        return bool(IS_LETTER.match(c))

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
    for word, whole in _words(words, node_items(node), ""):
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
                return opens(node_items(item))
            if isinstance(item, Alt):
                return all(opens(node_items(b)) for b in item.branches)
            return False
        return False

    return opens(node_items(node))


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
            if len(word) >= WORD_CAP:
                return [(word, False)]
            word += node.char
            continue
        if isinstance(node, At | Look | Chars) and word and words.ends(node):
            return [(word, True)]
        if isinstance(node, At | Look):
            continue
        if isinstance(node, Group | Seq):
            return _words(words, [*node_items(node), *rest], word)
        if isinstance(node, Alt):
            return [w for branch in node.branches for w in _words(words, [*node_items(branch), *rest], word)]
        if isinstance(node, Chars):
            chars = node.literals()
            if chars is not None and len(chars) <= _MAX_CLASS:
                return [w for c in sorted(chars) for w in _words(words, [Lit(0, 0, c), *rest], word)]
            if not word and _digits_only(node):
                return [(DIGIT, False)]
            return [(word, False)]
        if isinstance(node, Repeat) and node.lo == 0 and node.hi == 1:
            # one optional item: either way
            return _words(words, [*node_items(node.body), *rest], word) + _words(words, rest, word)
        if isinstance(node, Repeat) and word and words.ends(node.body):
            # a run of non-letters: the word ends if it is taken, else read on after it
            return [(word, True)] if node.lo >= 1 else [(word, True), *_words(words, rest, word)]
        if isinstance(node, Repeat) and node.lo >= 1 and not word:
            return _words(words, [node.body], word)  # the first item, taken at least once
        return [(word, False)]
    return [(word, False)]
