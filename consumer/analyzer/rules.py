# ruff: noqa: E501 - the lexicons keep one phrase family per line, however long the regex.
"""Deterministic, rule-based call analysis for Hinglish debt-collection transcripts.

Pure functions only: no I/O, no randomness, no clock. Every regular expression is compiled at
import time, and the ~100 cue patterns are registered in an index of the first letters their
matches can start with (``consumer.analyzer.text.matcher.Index``): one pass over the words of a transcript
tells which patterns to try where, so a typical transcript takes about 0.05 ms, and time grows
linearly with its length.

How a transcript is read
------------------------
1. The text is normalised (Unicode NFC, Devanagari nukta and chandrabindu folded, lower case,
   curly quotes straightened, Devanagari digits made ASCII, runs of spaces squeezed).
2. It is split into turns on speaker labels ("Agent:", "Customer:", "Collector:", "Borrower:",
   "एजेंट:", "ग्राहक:" ...). Without any label the whole text is the customer's.
3. Cue lexicons (romanised Hindi, Devanagari and English) are matched against the CUSTOMER's
   words only; the agent's words are used just for context (did the agent confirm a payment, was
   this a reminder for an instalment that is not yet due, did the agent answer a question).
   A cue whose match is negated in its clause ("nahi kar dunga", "settlement nahi chahiye",
   "won't pay") does not count; a negated promise counts as a refusal instead.
4. Each category gets a score; a fixed priority order (see ``_decide``) picks one category.
5. Sentiment is a lexicon score over the customer's words (negation aware, "!" amplifies) plus
   a small prior from the category.
6. ``action_required`` follows from the category and the context, and a short
   ``customer_intent`` and an English ``summary`` are built from templates.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any, Literal, NamedTuple

from consumer.analyzer.text import speakers
from consumer.analyzer.text.matcher import Candidates, Index, matches_at, parse, prefixes
from consumer.analyzer.text.normalize import INDIC_DIGITS, find_dates
from schemas import CallAnalysis, IntentCategory, Sentiment, Speaker

__all__ = ["Turn", "analyze_text", "core_fields", "normalize", "split_turns"]

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

_PUNCT_MAP = {
    ord("\u2019"): "'",
    ord("\u2018"): "'",
    ord("\u201c"): '"',
    ord("\u201d"): '"',
    ord("\u2013"): "-",
    ord("\u2014"): "-",
    ord("\u00a0"): " ",
    ord("\u200b"): None,
    ord("\u200c"): None,
    ord("\u200d"): None,
    ord("\ufeff"): None,
    **INDIC_DIGITS,
}
# Any character the map changes (no need to translate a text without one).
_PUNCT_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in _PUNCT_MAP) + "]")
_SPACES = re.compile(r"[ \t\r\f\v]+")
# A letter repeated three or more times ("\1\1+" is "\1{2,}", but fails faster on the usual
# non-repeat: the engine need not enter a counted repeat at every letter).
_REPEATS = re.compile(r"([a-z])\1\1+")


def normalize(text: str) -> str:
    """Fold a transcript (or a pattern) into the form the lexicons are written for.

    Devanagari: nukta dropped (ज़ → ज, ढ़ → ढ), chandrabindu folded into anusvara (ँ → ं).
    Romanised: lower case, letters repeated 3+ times squeezed to two ("nahiii" → "nahii").
    """
    # Unicode normalisation and the punctuation map only ever change non-ASCII characters.
    if text.isascii():
        t = text.lower()
    else:
        t = _fold_devanagari(text)
        if _PUNCT_CHARS.search(t):
            t = t.translate(_PUNCT_MAP)
        t = t.lower()
    if _REPEATS.search(t):
        t = _REPEATS.sub(r"\1\1", t)
    if "  " in t or "\t" in t or "\r" in t or "\f" in t or "\v" in t:
        # (A lone space is replaced by itself, so only these can change anything.)
        t = _SPACES.sub(" ", t)
    return t


# The characters whose canonical decomposition holds a nukta (U+093C) or a chandrabindu (U+0901):
# themselves and the precomposed nukta letters (checked against the whole Unicode range).
_FOLDED = re.compile("[\u0901\u0929\u0931\u0934\u093c\u0958-\u095f]")


def _fold_devanagari(text: str) -> str:
    """NFC with the Devanagari nukta dropped and chandrabindu folded into anusvara."""
    if _FOLDED.search(text) is None and unicodedata.is_normalized("NFC", text):
        return text  # NFC(NFD(text)) is text, and there is nothing to fold
    t = unicodedata.normalize("NFD", text)
    t = t.replace("\u093c", "").replace("\u0901", "\u0902")
    return unicodedata.normalize("NFC", t)


# --------------------------------------------------------------------------------------------
# Speakers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance: who spoke and the normalised text. ``relative`` is someone on the
    borrower's side whose label names them ("Customer's wife:"); the rules read their words with
    the customer's."""

    speaker: Literal["agent", "customer", "relative"]
    text: str


_Side = Literal["agent", "customer", "relative"]
_TurnTuple = tuple[_Side, str]


def _turns(transcript: str) -> list[_TurnTuple]:
    """The turns of ``transcript`` (as ``speakers.split_turns`` finds them), each normalised."""
    turns: list[_TurnTuple] = []
    for turn in speakers.split_turns(transcript)[0]:
        body = transcript[turn.start : turn.end]
        text = normalize(speakers.spoken(body)).strip()
        if text:
            side: _Side = (
                "agent" if turn.speaker is Speaker.AGENT else "relative" if turn.relative else "customer"
            )
            turns.append((side, text))
    return turns


def split_turns(transcript: str) -> list[Turn]:
    """Split a transcript into speaker turns (normalised text).

    Labels may start a line or follow sentence punctuation on the same line. Text before the
    first label, and the whole text when there is no label at all, is attributed to the customer.
    """
    return [Turn(speaker, body) for speaker, body in _turns(transcript)]


# --------------------------------------------------------------------------------------------
# Cue machinery
# --------------------------------------------------------------------------------------------

# A "letter": word characters plus Devanagari letters and vowel signs, but not the danda (।, ॥).
_L = r"[\w\u0900-\u0963\u0966-\u097F]"
_START = rf"(?<!{_L})"
_END = rf"(?!{_L})"
_TOKEN = re.compile(r"(?:[\w\u0900-\u0963\u0966-\u097F]|')+")
# Clause and sentence breaks; "2,000" and "13.5" do not break.
_CLAUSE_BREAK = re.compile(r"[!?;:\n\u0964|]|[.,](?!\d)")
# The same breaks, written to start with a character set so the engine can skip to them.
_CLAUSE_BREAK_FAST = re.compile(r"[.,!?;:\n\u0964|](?!(?<=[.,])\d)")

_NEGATORS = frozenset(
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


def _p(pattern: str) -> str:
    """Expand the small pattern shorthand used in the lexicons.

    ``~`` = the rest of a word (``[\\w\\u0900-\\u097F]*``), ``@`` = one whole word, a space
    matches one space, and ``nahi+n?`` also covers the spellings "nahee" and "nhi". Devanagari in
    patterns is normalised like the text.
    """
    pattern = pattern.replace("nahi+n?", "(?:nahi+n?|nahee|nhi)")
    return _fold_devanagari(pattern).replace("~", f"{_L}*").replace("@", f"{_L}+")


def _word(pattern: str) -> re.Pattern[str]:
    """Compile a shorthand pattern that must start and end on word boundaries."""
    return re.compile(f"{_START}(?:{_p(pattern)}){_END}")


# Every cue pattern is registered in one index (``_INDEX``, see ``consumer.analyzer.text.matcher``): a single
# pass over the word starts of a text then tells which patterns may match where, and a pattern
# is tried only there, with exactly the matches of ``finditer``
# (``tests/unit/test_rules_speed_equivalence.py`` checks this).
_INDEX = Index()
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
    negators: frozenset[str] = _NEGATORS
    # Ids in ``_INDEX`` of the alternatives regrouped (see ``_split_by_gate``). Empty for
    # synthetic cues.
    parts: tuple[int, ...] = ()


def _cue(
    name: str,
    weight: float,
    *alternatives: str,
    negation: Negation = "before",
    label: str = "",
    exclude: Iterable[str] = (),
    negators: frozenset[str] = _NEGATORS,
) -> Cue:
    body = "|".join(f"(?:{_p(a)})" for a in alternatives)
    regex = re.compile(f"{_START}(?:{body}){_END}")
    excluded = frozenset(normalize(w) for w in exclude)
    groups = _split_by_gate(alternatives)
    first = len(_INDEX)
    ids = tuple(range(first, first + len(groups)))
    cue = Cue(name, weight, regex, negation, label, excluded, negators, ids)
    _INDEX.add_all(groups)
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
        tree = parse(f"{_START}(?:{_p(a)}){_END}")
        found = {x for x, _ in prefixes(tree, "0123456789", 3, unroll=False)}
        starts = found and all(len(x) >= 2 and re.match(_L, x[0]) for x in found)
        (pinned if starts else rest).append(_p(a))
    return [
        re.compile(f"{_START}(?:{'|'.join(f'(?:{a})' for a in group)}){_END}")
        for group in (pinned, rest)
        if group
    ]


class _Doc:
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
            self._cands = _INDEX.candidates(self.text)
            self._ids = sorted(self._cands)
        ids, cands = self._ids, self._cands
        lo, hi = bisect.bisect_left(ids, span.start), bisect.bisect_left(ids, span.stop)
        return [(pid, cands[pid]) for pid in ids[lo:hi]]

    def scans(self, span: range) -> Iterator[tuple[int, Iterator[re.Match[str]]]]:
        """For each pattern with its id in ``span`` that may match: the id and its matches,
        exactly as ``finditer`` gives them (produced as they are read)."""
        text, patterns = self.text, _INDEX.patterns
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
class _Hit:
    cue: Cue
    start: int
    end: int


class _Found:
    """What matching one cue list found: positive hits and negated hits."""

    __slots__ = ("hits", "negated")

    def __init__(self) -> None:
        self.hits: list[_Hit] = []
        self.negated: list[_Hit] = []

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

    def add(self, doc: _Doc, cue: Cue, start: int, end: int) -> None:
        """Record a match of ``cue``: dropped when an excluded word comes just before it,
        negated when a negator is near it (see ``Cue``)."""
        if not cue.exclude and cue.negation == "none":
            self.hits.append(_Hit(cue, start, end))
            return
        # One look at the words before the match serves both checks (negation reads two).
        before = doc.words_before(start, 3 if cue.exclude else 2)
        if cue.exclude and cue.exclude.intersection(before):
            return
        negated = cue.negation != "none" and bool(
            cue.negators.intersection(before[-2:])
            or (cue.negation == "around" and cue.negators.intersection(doc.words_after(end, 2)))
        )
        (self.negated if negated else self.hits).append(_Hit(cue, start, end))


@dataclass(frozen=True, slots=True)
class _Lexicons:
    """Several cue lists matched against one text in a single pass over its candidates."""

    lists: tuple[Sequence[Cue], ...]
    span: range  # the ids of all their patterns (and maybe some others between them)
    # For each id in ``span``: which list its pattern belongs to, the pattern and its cue
    # (None for the patterns of none of the lists).
    entries: tuple[tuple[int, re.Pattern[str], Cue] | None, ...]

    @classmethod
    def of(cls, *lists: Sequence[Cue]) -> _Lexicons:
        for cues in lists:
            # Patterns are matched in the order of their ids; hits must come in cue order.
            ids = [pid for cue in cues for pid in cue.parts]
            if ids != sorted(ids):
                raise RuntimeError("the cues of a list must be registered in the list's order")
        owner = {
            pid: (k, _INDEX.patterns[pid], cue)
            for k, cues in enumerate(lists)
            for cue in cues
            for pid in cue.parts
        }
        span = range(min(owner), max(owner) + 1)
        return cls(lists, span, tuple(owner.get(pid) for pid in span))


def _match_all(doc: _Doc, lexicons: _Lexicons) -> list[_Found]:
    """Match every cue list of ``lexicons`` against ``doc``: one ``_Found`` per list.

    Hits come in the order of the cues, then of their parts, then of the text. An empty result
    may be shared by several lists: add to one only through ``_add_hit``.
    """
    # The lists none of whose patterns may match share one empty result (see ``_add_hit``).
    nothing = _Found()
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
            found = founds[slot] = _Found()
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


# --------------------------------------------------------------------------------------------
# Intent lexicons (customer's words)
# --------------------------------------------------------------------------------------------

_NOT_PAYMENT_OBJECTS = (
    "bata",
    "batata",
    "batati",
    "complaint",
    "complain",
    "shikayat",
    "shikayt",
    "baat",
    "call",
    "phone",
    "fon",
    "check",
    "verify",
    "receipt",
    "rasid",
    "raseed",
    "photo",
    "screenshot",
    "proof",
    "details",
    "document",
    "documents",
    "message",
    "mail",
    "email",
    "report",
    "case",
    "court",
    "police",
    "rbi",
    "jawab",
    "review",
    "statement",
    "letter",
    "noc",
    "copy",
    "certificate",
    "link",
    "स्टेटमेंट",
    "feedback",
    "shikayat",
    "शिकायत",
    "बात",
    "फोन",
    "कॉल",
    "रसीद",
    "फोटो",
    "जानकारी",
)

# Concept classes, combined inside one clause by the compositional cues below.
_PAY_NOUN = (
    r"(?:payment|emi~|paisa|paise|paison|amount|cash|kist|kisht|installment|instalment|dues|money|rakam|bhugtan"
    r"|पैसा|पैसे|किस्त~|ईएमआई|भुगतान|रकम|राशि)"
)
_PAST_TRANSFER = (
    r"(?:(?:de|jama kar|bhar|bhej|pay kar|jama karwa) (?:aaya|aayi|aaye|aa gaya|aa gayi|diya|di|diye|chuka|chuki)"
    r"|(?:kat|cut|debit|deduct) (?:gaya|gayi|gai|ho gaya|ho gayi|ho chuka|hua|chuka|chuki)"
    r"|ho (?:gaya|gayi|chuka|chuki) (?:tha|thi|hai)|went out|(?:was|got|has been|have been|were) (?:debited|deducted|paid|cleared|credited|transferred)"
    r"|(?:कट|जमा हो|दे) (?:गया|गई|गए|चुका|चुकी|दिया|दी|दिए|आया|आई))"
)
_STAFF_NOUN = (
    r"(?:agent|aadmi|banda|bande|staff|executive|recovery (?:wala|wale|agent|walon)|collection (?:wala|wale|walon|agent)"
    r"|aapke log|your (?:people|staff|agent|executive|recovery agent|collection agent)|caller|एजेंट|आदमी|लोग|कर्मचारी)"
)
_INSULT = r"(?:chor|fraud|dhokebaaz|dhokebaz|bhikhari|bhikari|besharam|kamina|thief|cheat|beggar|loser|चोर|भिखारी|बेशर्म)"

_FUT = r"(?:d[uo]o?n?g[ai]|denge|dengi|deta (?:hoon|hu|hun|hai)|deti (?:hoon|hu|hun|hai)|dete (?:hain|hai))"

PROMISE: tuple[Cue, ...] = (
    _cue(
        "pay_verb",
        2,
        rf"(?:bhar|jama kar|jama|pay kar|payment kar|transfer kar|clear kar|chuka|daal|dal|bhej|de) ?{_FUT}",
        r"bhar[uo]o?n?g[ai]|bharenge|chukaa?[uo]o?n?g[ai]|chukayenge",
        r"(?:pay|payment|jama|transfer|clear) (?:kar[uo]o?n?g[ai]|karenge|kr[uo]o?n?g[ai])",
        rf"(?:jama|bhar|clear|pay|payment) ?(?:karwa|karva|kara) ?{_FUT}",
        r"(?:i'm |i am )?(?:transferring|paying|sending|depositing|clearing) (?:it|the (?:amount|money|payment|emi|dues|balance)|you)",
        r"(?:i )?promise (?:to pay|i will pay|i'll pay)|will be paid (?:by|on|before)",
        r"(?:i'?ll|i will|i shall|i'm going to|i am going to|we will|we'll|will) "
        r"(?:definitely |surely |certainly |try to |be able to |make sure to )?"
        r"(?:pay|transfer|clear|deposit|make (?:the |a )?payment|arrange|send (?:the )?(?:money|amount|payment)|keep (?:the )?balance"
        r"|settle (?:it|your dues|the dues|my dues|the bill|the payment|the emi))",
        r"(?:कर|भर|जमा कर|दे|डाल|भेज|चुका) ?(?:दूंगा|दूंगी|दूगा|दूगी|देंगे|देंगी|देता हूं|देती हूं)",
        r"भरूंगा|भरूंगी|भरेंगे|चुकाऊंगा|चुकाऊंगी|चुकाएंगे",
        exclude=_NOT_PAYMENT_OBJECTS,
    ),
    _cue(
        "generic_future",
        1,
        rf"(?:kar|kr) ?{_FUT}",
        r"kar[uo]o?n?g[ai]|karenge|kardunga|kardungi|kr[uo]o?n?g[ai]",
        r"d[uo]o?n?g[ai]|denge",
        r"करूंगा|करूंगी|करेंगे|दूंगा|दूंगी|देंगे",
        r"i can pay|i'll do (?:it|the payment)|will do (?:it|the payment)",
        exclude=_NOT_PAYMENT_OBJECTS,
    ),
    _cue(
        "auto_debit_future",
        1,
        r"(?:kat|cut|कट) (?:ja+y?e?g[ai]|जाएगी|जाएगा)",
        r"(?:auto[- ]?debit|emi|payment|ecs|nach|kist|kisht|balance|time pe|time par) [^.!?,\n]{0,20}?(?:ho|kat|cut) ja+y?e?g[ai]",
        r"(?:it|emi|payment|ecs|nach|auto[- ]?debit) will (?:go through|be (?:paid|debited|deducted|cleared|processed))",
        r"(?:amount|money|balance|funds) will be (?:in|there|available|ready|credited|maintained)",
        r"(?:balance|paisa|paise|amount) (?:rahega|rahenge|maintain (?:rahega|karunga|karungi))",
        r"(?:किस्त|ईएमआई|emi|पैसा|पैसे|भुगतान|समय पर) [^.!?,\n\u0964]{0,20}(?:कट|हो) जाए(?:गी|गा)",
        exclude=("phone", "line", "call", "network", "फोन", "कॉल", "लाइन"),
    ),
)

REFUSE: tuple[Cue, ...] = (
    _cue(
        "refusal",
        2,
        r"(?:won't|will not|wont|not going to|refuse to|never going to|i'm not|i am not) (?:be )?pay~",
        r"not paying|no way i(?:'m| am) paying|i refuse",
        r"jo (?:karna|karne|krna) (?:hai|ho|h) (?:kar|karo|kar lo|karlo|kar lijiye|kar lena)~",
        r"jo marzi~|court (?:jaana|jana|chale jao|le jao)~ [^.!?\n]{0,15}(?:jao|jaiye|jaao)",
        r"farak nahi+n? (?:padta|pada)|koi matlab nahi+n?",
        r"(?:koi )?lena dena nahi+n?|लेना देना नहीं|nothing to do with (?:you|your)|"
        r"nahi+n? (?:dene|bharne|chukane) wal[aei]|mujhe (?:koi |ek )?(?:paisa |paise |payment )?nahi+n? (?:dena|bharna|karna)",
        r"(?:ek|koi) (?:paisa|rupaya|rupya|rupee|rupiya) (?:bhi )?nahi+n?",
        r"जो करना है कर~|(?:एक|कोई) (?:पैसा|रुपया) (?:भी )?नहीं",
        negation="none",
    ),
)

ALREADY_PAID: tuple[Cue, ...] = (
    _cue(
        "paid",
        2,
        r"(?:payment|pay|paisa|paise|emi|kist|kisht|amount|bhugtan|dues?) (?:bhi |to |toh |maine )?(?:kar|kr|bhar|jama kar|bhej|de|transfer kar) ?(?:diya|di|diye|dia|chuka|chuki|chuke)",
        r"maine [^.!?\n]{0,30}?(?:bhar|jama kar|pay kar|payment kar|bhej|transfer kar|de) (?:diya|di|diye|dia)",
        r"(?:maine|humne) [^.!?\n]{0,30}?(?:jama|pay|payment|transfer) (?:kiya|ki|kiye|karaya|karwaya|kar chuka|kar chuki)",
        r"(?:bhar|jama kar|pay kar|payment kar|clear kar) (?:diya|di|diye|chuka|chuki|chuke)",
        r"(?:payment|emi|paisa|paise|amount|kist|kisht) [^.!?,\n]{0,25}?(?:ho gaya|ho gayi|ho chuka|ho chuki|hua tha|kat gaya|kat gayi|kat chuka|kat chuki|cut ho gaya|debit ho gaya|debit hua)",
        r"auto[- ]?debit (?:hua|ho gaya|ho chuka|ho gayi)",
        rf"{_PAY_NOUN} [^.!?,\n\u0964]{{0,30}}?{_PAST_TRANSFER}",
        r"(?:gpay|google pay|phonepe|phone pe|paytm|upi|neft|imps|rtgs|net ?banking|online|ऑनलाइन|यूपीआई) (?:se |से |through |via |by )?"
        r"[^.!?\n\u0964]{0,20}?(?:kar (?:diya|di|diye)|bhej (?:diya|di|diye)|bhar (?:diya|di)|de (?:diya|di)|paid|transferred|कर (?:दिया|दी)|भेज (?:दिया|दी|दिए)|भर (?:दिया|दी))",
        r"(?:paisa|paise|payment|amount|emi) [^.!?,\n]{0,25}?(?:bhar|jama kar|bhej|de|transfer kar) (?:diya|di|diye|dia)",
        r"(?:पैसा|पैसे|किस्त|ईएमआई|emi|भुगतान|रकम) [^.!?,\n\u0964]{0,30}?(?:कट|जमा हो|हो) (?:गया|गई|गए|चुका|चुकी)",
        r"already (?:paid|pay|done|jama|bhar|de diya|kar diya|clear~|made)|paid already|(?:emi|payment) (?:is )?already (?:paid|done|cleared)",
        r"(?:i|we) (?:have |had |already |have already )*(?:paid|cleared|transferred|deposited|made the payment)",
        r"(?:paid|cleared|transferred) (?:it|the (?:emi|amount|dues|payment|instal~))",
        r"payment (?:is |was |has been )?(?:done|made|completed|cleared)",
        r"(?:जमा|भुगतान|पेमेंट|भर) (?:कर )?(?:दी|दिया|दिए|चुका|चुकी)",
        r"(?:पैसे|पैसा|किस्त|भुगतान) [^.!?\n\u0964]{0,25}?(?:भेज|जमा कर|भर) (?:दिए|दिया|दी)",
        r"जमा (?:किया|की|किए) (?:था|थी|थे|है)",
    ),
    _cue(
        "proof",
        1,
        r"utr|txn~|transaction (?:id|no|number|reference|ref)|reference (?:number|no|id)|ref (?:no|number)",
        r"receipt|rasee?d|रसीद|screenshot|bank confirmation|payment confirmation",
        r"(?:see|check) it (?:in|on) my (?:bank )?(?:statement|passbook|account)|bank statement (?:mein|me|में) dikh",
        negation="none",
    ),
)

DISPUTE: tuple[Cue, ...] = (
    _cue(
        "not_my_loan",
        3,
        r"(?:loan|lon|karz|karza) (?:kabhi )?(?:liya|li) (?:hi )?nahi+n?",
        r"liya hi nahi+n?",
        r"maine (?:koi|ye|yeh|yah|aisa|is|kabhi) (?:@ ){0,2}nahi+n? (?:liya|li|liye|kharida|khareeda)",
        r"never (?:took|taken|applied|availed|borrowed)",
        r"(?:didn't|did not|didnt|never) (?:take|apply|avail|borrow)",
        r"not my (?:loan|account)|(?:mera|meri) (?:loan|account) nahi+n?|(?:loan|account|लोन) (?:mera|मेरा) (?:nahi+n?|नहीं)",
        r"(?:galat|गलत) (?:istemal|istemaal|use|इस्तेमाल|उपयोग)|misuse~|दुरुपयोग",
        r"(?:loan|lon|लोन) (?:@ )?(?:maine|मैंने) (?:nahi+n?|नहीं)|(?:zimmedar|jimmedar|zimmedaar|जिम्मेदार) nahi+n?|not (?:responsible|liable)",
        r"लोन कभी (?:लिया )?(?:ही )?नहीं|लिया ही नहीं|नहीं लिया|मेरा लोन नहीं",
        negation="none",
        label="loan not taken",
    ),
    _cue(
        "fraud",
        3,
        r"fraud~|फ्रॉड|identity (?:theft|misuse)|mere naam (?:pe|par) (?:kisi|galat)|मेरे नाम पर (?:किसी|गलत)",
        r"dhokha|धोखा",
        negation="around",
        label="fraud on the account",
    ),
    _cue(
        "wrong_charges",
        2,
        r"(?:charge|charges|fee|fees|penalty|penalti|interest|byaj|byaaj|amount|amt|insurance|bill|rate|gst|late fee|चार्ज|फीस|पेनल्टी|ब्याज|रकम|राशि|बीमा)"
        r"[^.!?,;\n\u0964]{0,30}?(?:galat|wrong|incorrect|not correct|error|mistake|extra|double|twice|गलत|दो बार)~",
        r"(?:galat|wrong|incorrect|extra|double|गलत) [^.!?,;\n\u0964]{0,15}?(?:charge|charges|fee|fees|penalty|interest|byaj|byaaj|amount|insurance|चार्ज|फीस|ब्याज|रकम|लोन)~",
        r"(?:charge|fee|penalty|चार्ज|फीस) (?:kyun|kyu|kaise|क्यों) (?:laga|lagaya|lagi|liya|लगा|लगाया)~",
        r"(?:why|how) (?:is|was|were|am i|have i been|did you) [^.!?\n]{0,30}?(?:charged|charge|outstanding|amount|it)",
        r"charged (?:twice|double|extra|wrongly|incorrectly)",
        r"(?:double|dabal|twice|do baar|डबल|दो बार) (?:kat|cut|deduct|debit|कट)~",
        r"(?:should not|shouldn't|should never) be (?:there|charged|applied|added|on my account)",
        r"(?:get|have|has) (?:it|this|that|them) (?:removed|reversed|waived off|corrected)",
        r"(?:what|which|kaun ?sa|kaisa|kaisi) (?:penalty|charge|charges|fee|fine|dues|overdue|emi|loan)",
        r"never missed|kabhi (?:bhi )?(?:emi |payment )?(?:miss|late) nahi+n?",
        r"(?:galat|wrong|गलत) (?:record|entry|data|hisaab|hisab|calculation|रिकॉर्ड)~",
        r"(?:\w+ emi|itna|itni|itne|amount|outstanding) kaise",
        r"(?:maine|i) (?:sirf|only|bas|just) [^.!?\n]{0,20}?(?:liya|li|took|borrowed)~",
        r"(?:aap|you) [^.!?,\n]{0,15}?(?:bol rahe|keh rahe|bata rahe|dikha rahe|are saying|are showing)~",
        r"hisaa?b [^.!?\n]{0,20}?(?:samajh nahi+n?|galat|theek nahi+n?)|(?:calculation|breakup) [^.!?\n]{0,15}?(?:galat|wrong)",
        r"(?:never|nahi+n?|नहीं) (?:approve|approved|authori[sz]ed|agree|agreed)~|(?:approve|authori[sz]e) nahi+n? (?:kiya|ki)",
        negation="none",
        label="wrong charges",
    ),
    _cue(
        "fix_request",
        1,
        r"(?:theek|thik|sahi|correct) (?:kijiye|karo|kar do|kar dijiye|karein|kariye)",
        r"hatao|hataiye|hata do|hata dijiye|remove (?:it|this|the charge~)|revers~|हटाइए|हटाओ|हटा दीजिए",
        r"(?:paise |paisa )?wapas (?:karo|kijiye|kar do|chahiye)|refund|वापस (?:करो|कीजिए|करें)|(?:lautao|lautaiye|लौटाइए|लौटाओ)",
        r"not correct|isn't correct|not right",
        negation="none",
        label="wrong charges",
    ),
    _cue(
        "terms",
        1,
        r"agreement (?:mein|me|में)|as per (?:the |my )?(?:agreement|sanction letter)|एग्रीमेंट|sanction letter (?:mein|me)",
        negation="none",
        label="wrong charges",
    ),
    _cue(
        "overcharge",
        1,
        r"(?:aap|aapne|you|you've|you have) [^.!?\n]{0,20}?(?:laga rahe|lagaya|laga diya|jod diya|jod rahe|charge kar rahe|charging|charged|added)~",
        r"(?:you're|you are|you've|you have) (?:now )?(?:showing|saying|charging|charged|added)",
        r"(?:आप|aap) [^.!?,\n\u0964]{0,20}?(?:दिखा रहे|बोल रहे|कह रहे|लगा रहे)",
        r"(?:extra|zyada|jyada|excess|more) (?:rs ?|₹ ?)?\d[\d,]*|kis (?:baat|cheez|chij) (?:ka|ke|ki)|for what\?",
        negation="none",
        label="wrong charges",
    ),
    _cue(
        "contest",
        1,
        r"(?:simply |just )?not possible|impossible|(?:ho hi|aisa ho hi) nahi+n? sakta",
        r"(?:i|maine) (?:already )?(?:closed|close kar (?:diya|di)|band kar (?:diya|di)|foreclos~) (?:this |the |my |apna |mera )?(?:loan|account)",
        negation="none",
        label="the amount due",
    ),
)

WRONG_PARTY: tuple[Cue, ...] = (
    _cue(
        "wrong_number",
        3,
        r"galat (?:number|no|nambar|numbar)|wrong (?:number|no|person)|(?:number|no) galat|rong number",
        r"गलत (?:नंबर|नम्बर)|(?:नंबर|नम्बर) गलत",
        r"(?:don't|do not|dont) know (?:any|anyone|him|her|this person|who)~",
        r"kisi (?:@ ){0,2}ko (?:bhi )?nahi+n? (?:jaan|jan)~|किसी (?:@ ){0,2}को (?:भी )?नहीं जान~",
        r"(?:galat|wrong|गलत) (?:jagah|place|house|ghar|जगह|घर|banda|aadmi|insaan)",
        r"is naam (?:ka|ki|se) koi|इस नाम (?:का|की|से) कोई",
        r"(?:yaha|yahan|yahaan|idhar) (?:pe |par )?koi (?:@ ){0,2}nahi+n? (?:reh|rah|hai)~|यहां कोई (?:@ ){0,2}नहीं (?:रहता|रहती|है)",
        r"(?:ye|yeh|yah|this) (?:number|no|sim) (?:@ )?(?:ka|ki|ke) nahi+n?|यह नंबर (?:@ )?का नहीं",
        r"(?:number|sim) [^.!?\n]{0,25}?(?:pehle|abhi|naya|recently) (?:liya|li|liye|khareeda|diya|mila|allot~)",
        r"(?:ye|yeh|is|this) number (?:use|istemal|istemaal) nahi+n? (?:karta|karti|karte)|(?:doesn't|does not|no longer) use (?:this|the) number",
        r"not (?:his|her|their) number",
        r"@ (?:ji )?(?:ka|ki|का|की) (?:number|no|नंबर) (?:nahi+n?|नहीं)",
        negation="none",
        label="wrong number",
    ),
    _cue(
        "third_party",
        3,
        r"main (?:unka|unki|unke|uska|uski|uske|inka|inki|inke|iska|iski) @ (?:hoon|hu|hun|bol)~",
        r"(?:unka|unki|uska|uski|inka|inki) (?:bhai|bhaiya|behen|behan|bahan|wife|biwi|patni|husband|pati|beta|beti|papa|father|pita|mummy|mother|maa|mom|dost|friend|bhabhi|chacha|mama|relative|rishtedar|padosi|neighbou?r|son|daughter|brother|sister)",
        r"(?:i am|i'm|this is) (?:his|her|their) @|(?:he|she)(?:'s| is) my @|(?:he|she) (?:left|quit) (?:the|this) (?:company|job|office)",
        r"मैं (?:उनका|उनकी|उनके|इनका|इनकी) @|(?:उनका|उनकी) (?:भाई|बहन|पत्नी|पति|बेटा|बेटी|पिता|मां|दोस्त)",
        # someone ringing in about a relative's loan: "meri mummy Shanti Devi ka group loan hai"
        r"(?:mere|meri|mera|hamare|humare|hamari|humari) (?:chhote |chhota |bade |bada )?(?:bhai|bhaiya|behen|behan|wife|biwi|patni|husband|pati|bete|beta|beti|papa|pitaji|father|mummy|mother|maa|saas|sasur|dost|friend|bhabhi|chacha|mama)"
        r",? (?:@,? ){0,3}?(?:ka|ki|ke|unka|unki|unke|uska|uski|uske) (?:@ )?loan",
        negation="none",
        label="third party",
    ),
    _cue(
        "moved",
        2,
        r"(?:is|iss) (?:number|no) (?:par|pe|pr) nahi+n? (?:reh|rah|hai|hain)~|इस नंबर (?:पर|पे) नहीं",
        r"(?:yahan|yaha|yahaan) nahi+n? (?:reh|rah)~|no longer (?:uses?|using|lives?|living|has)",
        r"(?:dusre|doosre) (?:sheher|shehar|city)|दूसरे शहर|shift(?:ed)? ho (?:gaye|gaya|gayi)|moved (?:out|away)",
        r"(?:don't|do not) have (?:his|her|their) (?:new )?number",
        r"(?:apne|aapke) record (?:se|से) hata~|remove (?:my|this) number",
        negation="none",
        label="contact moved",
    ),
)

COMPLAINT: tuple[Cue, ...] = (
    _cue(
        "complaint",
        3,
        r"complain~|shika?ya?t~|शिकायत|harass~|हैरास~|rbi|ombudsman|consumer (?:court|forum)",
        r"police (?:complaint|mein|me|को|में)|escalat~",
        r"report (?:kar|karunga|karungi|karenge|karo|karna|it|this|him|her)~|supervisor|(?:manager|senior) (?:se|to) (?:baat|talk|speak)|grievance",
        r"(?:ke |uske |unke |inke |agent ke )?khilaf|against (?:him|her|the agent|your agent|them)|(?:action|karwai) (?:lo|lijiye|karo)",
        negation="around",
        label="a formal complaint",
    ),
    _cue(
        "behaviour",
        2,
        r"gaa?li (?:de|di|diya|dete|deta|dena|bak)~|gaa?liyan|गाली",
        r"badtame?e?z~|बदतमीज~|rude~|abus~|dhamk~|धमक~|threat~|chilla~|चिल्ला~|badnaa?m~|बदनाम~",
        r"misbehav~|insult~|beiz+a?t~|बेइज्जत~|(?:kaun sa|kaunsa|ye kya|yeh kya) tareeka|tameez (?:nahi|se baat)",
        rf"{_STAFF_NOUN} [^.!?\n\u0964]{{0,40}}?{_INSULT}|{_INSULT} (?:bola|kaha|bulaya|called)~",
        r"izz?at|इज्जत|zor zor se|sab(?:ke|ki) saamne|padosiyon ke saamne|in front of (?:everyone|my|the)",
        label="agent behaviour",
    ),
    _cue(
        "third_party_contact",
        2,
        r"(?:relatives?|rishtedaa?r~|family|ghar (?:walon|wale)|padosi~|neighbou?rs?|office|behen|bhai|papa|mummy|mother|father|boss|colleague~|parivar~|रिश्तेदार~|परिवार|ऑफिस|दफ्तर|पडोस~)"
        r" (?:ko |को |में |mein |me )?[^.!?\n]{0,20}?(?:call|phone|फोन|कॉल) (?:kar|kiya|kiye|kyun|करके|किया|कर)~",
        r"(?:calling|called|call) my (?:family|relatives|office|boss|mother|father|wife|husband|colleagues)",
        negation="none",
        label="calls to family or office",
    ),
    _cue(
        "odd_hours",
        2,
        r"raat (?:ke|ko|mein|me) [^.!?\n]{0,15}?(?:call|phone|baje)~|(?:late night|midnight|at night) [^.!?\n]{0,15}?call~",
        r"call~ [^.!?\n]{0,10}?(?:at night|late night)|रात (?:को|के|में) [^.!?\n]{0,15}?(?:फोन|कॉल|बजे)",
        negation="none",
        label="calls at odd hours",
    ),
    _cue(
        "too_many_calls",
        1,
        r"(?:din|roz) (?:mein |me |में )?[^.!?\n]{0,10}?(?:baar|times|बार) (?:call|phone|फोन|कॉल)~",
        r"baar baar (?:call|phone)|बार बार|(?:too many|so many|repeated~) calls|roz roz call|दिन में [^.!?\n]{0,10}?बार",
        r"every (?:single )?day|har (?:roz|din)|(?:calls?|phone) (?:at|@) \d+ (?:in the morning|am|pm|at night)",
        negation="none",
        label="too many calls",
    ),
    _cue(
        "service",
        2,
        r"ghatiya|घटिया|worst (?:service|experience)|(?:bekar|bakwas) service",
        r"(?:customer care|helpline|support) [^.!?\n]{0,20}?(?:jawab nahi|response nahi|no response|not respond~|doesn't respond|nahi uthat~)",
        r"koi jawab nahi+n? (?:de|mil)~",
        negation="none",
        label="poor service",
    ),
    _cue(
        "distress",
        1,
        r"pareshaa?n (?:kar|ho gaya|ho gayi|hu|hoon)~|परेशान (?:कर|हो)~|tang (?:aa|kar)~|तंग|fed up|pagal kar~",
        negation="none",
        label="harassment",
    ),
)

SETTLEMENT: tuple[Cue, ...] = (
    _cue(
        "settlement",
        2,
        r"settle~|सेटल~|ots|one[- ]time settlement|full (?:and|&) final|ekmusht|एकमुश्त|samjh?auta|samjhota|समझौता",
        r"beech ka (?:raasta|rasta)|बीच का रास्ता|middle (?:ground|path)|compromise",
        r"(?:isme|isi mein|itne mein|itne me|is amount (?:mein|me)|for this amount|इतने में|इसमें) [^.!?\n]{0,20}?(?:close|band|settle|khatam|बंद|खत्म)~",
        r"(?:reduc~|lower|discounted) (?:payoff|amount|balance|settlement|figure)|payoff amount",
        r"lump ?sum [^.!?\n]{0,20}?(?:close|settle)~|(?:ek baar|एक बार) (?:mein|में) [^.!?\n]{0,25}?(?:khatam|close|band|खत्म|बंद)~",
        negation="around",
        label="settlement",
        exclude=("i'll", "will", "shall"),  # "I'll settle your dues" is a promise to pay
    ),
    _cue(
        "waiver",
        2,
        r"waive~|discount",
        r"(?:byaj|byaaj|interest|penalty|penalti|charges|late fee|ब्याज|पेनल्टी) [^.!?\n]{0,15}?(?:maaf|maf|माफ|waive~|hata|kam|कम)~",
        r"(?:kam|कम) (?:karke|करके|kar ke)",
        r"(?:baaki|baki|बाकी|rest|remaining) (?:ka |sab )?(?:chhod|chod|maaf|waive|छोड|माफ)~",
        r"(?:penalty|penalti|interest|byaj|byaaj|charges|late fee|ब्याज|पेनल्टी) [^.!?\n]{0,15}?(?:chhod|chod|छोड)~",
        r"(?:kuch |थोडी |कुछ |thodi )?(?:chhoot|chhut|छूट) (?:mil|de|di|chahiye|मिल|दे|दी|चाहिए)~|rebate",
        r"kuch (?:hazaar|hazar|thousand|lakh|k) (?:mein|me|में) (?:baat |matter |account |loan |case )?(?:close|band|settle|khatam)~",
        negation="around",
        label="a waiver",
    ),
    # Same cue, split out because a leading digit defeats the pre-filter.
    _cue(
        "waiver",
        2,
        r"\d+ ?(?:%|percent|pratishat) (?:pe|par|mein|me|पर) (?:close|band|settle)~",
        r"\d+ ?(?:%|percent|pratishat) (?:le lo|lelo|le lijiye|lijiye|accept|rakh lo)",
        r"\d+ (?:hazaar|hazar|thousand|lakh|k) (?:mein|me|में) (?:baat |matter |account |loan |case )?(?:close|band|settle|khatam)~",
        negation="around",
        label="a waiver",
    ),
)

HARDSHIP: tuple[Cue, ...] = (
    _cue(
        "job_loss",
        2,
        r"(?:job|naukri|naukari|nokri|kaam) (?:bhi )?(?:chali gayi|chali gai|chala gaya|chhut|chhoot|chut|gayi|gai|nahi+n? (?:hai|rahi|raha)|lost)~",
        r"नौकरी (?:भी )?(?:छूट|चली|नहीं|गई)~|(?:kaam|kaam dhanda|naukri|job) (?:bhi )?band (?:ho gaya|ho gayi|hai|pada)",
        r"laid off|layoff|lost (?:my|his|her) (?:job|work)|unemployed|berozgaa?r~|बेरोजगार~|retrench~|(?:out of|without) (?:a )?(?:job|work)",
        negation="none",
        label="job loss",
    ),
    _cue(
        "medical",
        2,
        r"hospital~|अस्पताल|हॉस्पिटल|admit~|ilaa?j|इलाज|operation|ऑपरेशन|medical|bimaa?r~|बीमार~|accident|एक्सीडेंट",
        r"surgery|treatment|icu|dialysis|cancer|dawai|दवा~|medical leave|sick leave|chemo~|beemari|bimari|बीमारी",
        r"(?:tabiyat|tabiyet|tabiat|तबीयत) (?:theek nahi+n?|thik nahi+n?|kharab|ठीक नहीं|खराब)|(?:bistar|बिस्तर) (?:par|pe|पर)|unwell|(?:not|haven't been) (?:keeping )?well",
        negation="none",
        label="a medical emergency",
    ),
    _cue(
        "death",
        2,
        r"death|died|passed away|expire~|guzar (?:gaye|gayi|gaya)|nidhan|dehant|देहांत|निधन|मृत्यु|मौत|maut",
        negation="none",
        label="a death in the family",
    ),
    _cue(
        "business",
        2,
        r"(?:business|dhandha|dhanda|dukaan|dukan|shop|karobar|व्यापार|धंधा|दुकान|बिजनेस)~ [^.!?\n]{0,20}?(?:band|loss|thap|ठप|बंद|nahi+n? chal|नहीं चल|down|slow|mandi|manda|mandaa|thanda|मंदा|मंदी|ठंडा)~",
        r"(?:loss|nuksaa?n|नुकसान|घाटा|ghata) (?:hua|ho gaya|हुआ|हो गया)~|(?:bahut|heavy|huge) (?:loss|nuksaan)",
        r"(?:fasal|fasl|crop|फसल)~ [^.!?\n]{0,15}?(?:kharab|kharaab|barbaad|barbad|fail~|damage~|खराब|बर्बाद)~|(?:baadh|flood|drought|sukha|सूखा|बाढ)",
        r"(?:shop|business|dukaan|factory|ghar) [^.!?\n]{0,15}?(?:burn~|fire|aag|jal gay~)",
        r"divorce|talaa?q|तलाक|court case|legal case|(?:ghar|family|parivar) (?:mein|me) (?:problem|dikkat|pareshani|jhagda)",
        negation="none",
        label="business loss",
    ),
    _cue(
        "salary",
        2,
        r"(?:salary|tankhwah|tankhwa|pagaar|पगार|तनख्वाह|वेतन) [^.!?\n]{0,25}?(?:nahi+n? (?:aayi|aai|mili|di|aa rahi|mil rahi)|नहीं (?:आई|मिली|दी)|ruki|rok|delay|late|hi nahi+n?)~",
        r"salary (?:not (?:paid|received|credited)|hasn't|has not|delayed)|(?:haven't|have not|not) (?:been )?(?:paid|received) (?:my )?(?:salary|wages)",
        negation="none",
        label="salary not paid",
    ),
    _cue(
        "no_money",
        2,
        r"(?:paisa|paise|paisey|money|funds|income|kamai|पैसा|पैसे|कमाई|आमदनी) [^.!?,\n]{0,12}?(?:nahi+n? (?:hai|hain|h|bacha|bache)|नहीं (?:है|हैं|बचा)|khatam|खत्म)",
        r"(?:no|don't have (?:the |any |enough )?|do not have (?:the |any |enough )?)(?:money|income|funds)",
        r"haath (?:mein|me|में) [^.!?,\n]{0,15}?nahi+n?|koi income nahi+n?",
        r"(?:paas|पास) (?:abhi )?(?:kuch|kuchh|paisa|paise|कुछ|पैसे) (?:bhi |भी )?(?:nahi+n?|नहीं) (?:hai|hain|h|है|हैं)|"
        r"(?:kuch|kuchh) (?:bhi )?nahi+n? (?:bacha|bache|raha)|कुछ (?:भी )?नहीं (?:बचा|रहा)|nothing left|(?:i )?(?:have|got) nothing",
        r"(?:kaise|kahan se|कैसे|कहां से) (?:bharun|bharu|bharoon|dun|doon|chukaun|दूं|भरूं|चुकाऊं)",
        r"(?:ghar|घर) (?:chalana|chalane|चलाना) [^.!?\n]{0,15}?(?:mushkil|मुश्किल|nahi+n?)|kiraya [^.!?\n]{0,15}?nahi+n?",
        r"financial~ (?:hardship|problem|crisis|difficult~|issue~|constraint~|trouble)|hardship|आर्थिक (?:तंगी|समस्या|संकट)",
        r"paison ki (?:tangi|dikkat|problem|kami)|पैसों की (?:तंगी|दिक्कत|कमी)",
        negation="none",
        label="financial hardship",
    ),
    _cue(
        "relief",
        2,
        r"restructur~|moratorium|(?:pause|defer|postpone|reduce|lower) (?:the |my )?(?:emi|emis|payments?|instal~)",
        r"emi (?:kam|chhoti|कम|tod)~|(?:emi|kist|kisht|किस्त|ईएमआई) [^.!?\n]{0,10}?(?:kam|कम) (?:kar|कर)~",
        r"mohlat|मोहलत|grace period",
        negation="none",
        label="financial hardship",
    ),
    _cue(
        "time_request",
        1,
        r"(?:more|some|extra) time|(?:thoda|kuch) (?:time|samay|waqt)|थोडा (?:समय|वक्त)|extension",
        negation="none",
        label="financial hardship",
    ),
    _cue(
        "difficulty",
        1,
        r"mushkil|मुश्किल|majboo?ri|मजबूरी|emergency|इमरजेंसी|dikkat|दिक्कत|problem chal~",
        r"(?:tight|tough|difficult) (?:time|situation|phase|month)|struggl~|karz|karza|कर्ज~|udhaar|उधार",
        r"kahan (?:se|say) (?:laun|laaun|lau|dun|doon|bharun|bharu)|कहां से (?:लाऊं|दूं)",
        r"(?:haalat|halat|haalaat|हालत|situation) (?:bahut )?(?:kharab|bigad|theek nahi+n?|खराब|bad)~",
        negation="none",
        label="an emergency",
    ),
    _cue(
        "inability",
        1,
        r"nahi+n? (?:bhar|de|kar|chuka|jama kar|pay kar) ?(?:paunga|paungi|paaunga|paaungi|payenge|paa rahe|pa raha|paa raha|pa rahi|sakta|sakti|sakte|sakunga)~",
        r"(?:possible|mumkin|sambhav|संभव) nahi+n?|nahi+n? ho (?:payega|paayega|paega|sakega)",
        r"(?:intezaa?m|intazaam|inteja?am|इंतजाम|arrange~) (?:nahi+n?|नहीं) (?:ho|हो)~|(?:can't|cannot|unable to) arrange|"
        r"(?:bas|bass|बस) (?:ki baat|ka kaam|की बात|में) (?:nahi+n?|नहीं)|(?:can't|cannot) afford|beyond my means|(?:don't|do not) know how (?:i'll|i will|to) (?:manage|pay)",
        r"(?:can't|cannot|can not|unable to|not able to|won't be able to) (?:pay|afford|manage|make the payment)",
        r"नहीं (?:दे|भर|कर|चुका) (?:पाऊंगा|पाऊंगी|पाएंगे|सकता|सकती|सकते|पा रहा)~",
        negation="none",
        label="financial hardship",
    ),
)

CALLBACK: tuple[Cue, ...] = (
    _cue(
        "call_later",
        2,
        r"(?:baad|bad) (?:mein|me|main|में) (?:call|phone|baat|karna|karo|kijiye|kariye|karein|fon)~",
        r"(?:call|phone|fon|कॉल|फोन) (?:karo|karna|kijiye|kariye|karein|kar lijiye|kar lena|kar dena|kar do|करें|कीजिए|करना|कर लीजिए|कर लेना|करो)",
        r"call (?:me )?(?:back|later)|call ?back|(?:call|ring) me (?:tomorrow|later|in|after|at|on|next)~|(?:talk|speak) later",
        r"बाद में (?:बात|कॉल|फोन)",
        r"(?:main|mai|मैं) (?:khud |खुद )?(?:call|phone|कॉल|फोन) (?:karta|karti|karunga|karungi|करता|करती|करूंगा|करूंगी)~",
        r"(?:i'll|i will) call (?:you )?back|will call (?:you )?later|try me (?:after|later|tomorrow|at|on|in)~|can (?:this|it) wait",
        r"(?:kal|कल|shaam|sham|शाम|subah|सुबह|dopahar|दोपहर|baad|बाद|later|tomorrow|parso|परसों) (?:ko |को |mein |में )?(?:baat|बात) (?:karte|karenge|karna|karo|करते|करेंगे|करना)~",
        label="callback",
    ),
    _cue(
        "busy",
        1,
        r"sunai nahi+n? de|shor (?:hai|ho)|(?:shaadi|shadi|function) (?:mein|me|में) (?:hoon|hu|hun)|"
        r"meeting (?:mein|me|में)|busy|व्यस्त|driving|(?:gaadi|gadi) chala~|गाडी चला~|(?:puja|pooja|पूजा|namaz|नमाज) (?:mein|में)",
        r"baat nahi+n? kar (?:sakta|sakti|sakte|paunga)|बात नहीं कर (?:सकता|सकती)|can'?t (?:talk|speak)",
        r"in the middle of|not a good time|so (?:raha|rahi) (?:hoon|hu|tha)",
        r"(?:train|bus|flight|office|ऑफिस|class) (?:mein|me|में) (?:hoon|hu|हूं)|network (?:nahi|issue|problem)",
        r"(?:thodi|थोडी) (?:der|देर) (?:baad|बाद)|(?:ek|do|aadha|half an?) (?:ghante|ghanta|hour|hours|minute|minutes|min|घंटे) (?:baad|later|बाद)",
        negation="none",
        label="callback",
    ),
    # Same cue, split out because a leading digit defeats the pre-filter.
    _cue(
        "busy",
        1,
        r"\d+ (?:ghante|ghanta|hour|hours|minute|minutes|min|घंटे) (?:baad|later|बाद)",
        negation="none",
        label="callback",
    ),
)

_INFO_ITEMS = (
    r"statement|noc|no dues|no objection|foreclos~|preclos~|schedule|certificate|closure letter|soa|"
    r"account details|bank details|details|upi id|payment link|link|letter|copy|स्टेटमेंट|एनओसी|लेटर|लिंक"
    r"|विवरण|जानकारी|डिटेल~|पत्र"
)

INFO: tuple[Cue, ...] = (
    _cue(
        "send",
        2,
        rf"(?:bhej|bhejo|bhejiye|bhejna|send|email|e-mail|mail|sms|whatsapp|share|भेज)~ [^.!?\n]{{0,25}}?(?:{_INFO_ITEMS})",
        rf"(?:{_INFO_ITEMS}) [^.!?\n\u0964]{{0,25}}?(?:bhej|send|email|mail|sms|whatsapp|share|भेज|ईमेल|मेल|chahiye|चाहिए|need|want|required)~",
        r"(?:please )?send (?:it|me|them)|(?:sms|email|mail|whatsapp) kar (?:do|dijiye|dena)",
        rf"(?:{_INFO_ITEMS}) [^.!?\n\u0964]{{0,30}}?(?:nahi+n? (?:mil|aaya|aayi)|not (?:received|got)|haven't (?:received|got)|नहीं (?:मिला|मिली|आया))~",
        label="documents",
    ),
    # "Jaldi bhejiye": a request to send, counted as one only when a document is named too.
    _cue(
        "send_generic",
        1,
        r"bhejiye|bhej (?:do|dijiye|dena)|jaldi bhej~|भेजिए|भेज (?:दो|दीजिए)",
        label="documents",
    ),
    _cue(
        "ask",
        1,
        r"kitn[aie](?! baar)|कितन[ाीे]|how (?:much|many|can i|do i|to)|(?:what is|what's|whats|what are|what will be|what would be) (?:the|my)",
        r"(?:can|could) you (?:tell|let) me|tell me (?:the|my|how|what|when)|kya aap bata (?:sakte|sakti)~",
        r"(?:kab|when) (?:tak )?(?:due|hai|hoga|is|karna|bharna)~|kab due|(?:kab|when) [^.!?\n]{0,15}?(?:khatam|close|end|last)~",
        r"(?:upi id|account (?:number|details|no)|ifsc|balance|outstanding|due date|amount|interest rate|foreclosure|बकाया) [^.!?\n]{0,10}?(?:kya|kitna|क्या|कितना)",
        r"(?:bata (?:do|dijiye|dena)|bataiye|batao|बताइए|बता दीजिए)",
        r"(?:kaise|how) [^.!?\n]{0,15}?(?:pay|bhar|karu|karun|kare|karein)~",
        label="details",
    ),
    _cue("item", 0.5, _INFO_ITEMS, negation="none", label="details"),
)

# Synthetic cues for the turn-level signals found in ``_collect``.
_LEADING_NO_CUE = Cue("leading_no", 1, re.compile("(?!)"), "none", "refusal")
_QUESTION_CUE = Cue("question", 1, re.compile("(?!)"), "none", "details")

# --------------------------------------------------------------------------------------------
# Context lexicons (agent's and customer's words)
# --------------------------------------------------------------------------------------------

AGENT_CONFIRMS_PAYMENT: tuple[Cue, ...] = (
    _cue(
        "confirm",
        1,
        r"payment [^.!?\n]{0,20}?(?:receive~|mil gaya|mil gayi|aa gaya|aa gayi|credit~|dikh raha|reflect~|update ho gaya)",
        r"(?:can see|i see|we have received|we've received|received) (?:the |your )?payment",
        r"(?:account|emi|loan) (?:is )?(?:now )?(?:up to date|clear|cleared|regular)|(?:emi|account) clear hai|entry aa (?:gaya|gayi)",
        r"(?:भुगतान|पेमेंट|पैसे) [^.!?\n\u0964]{0,15}?(?:मिल गया|मिल गए|आ गया|प्राप्त)",
        negation="around",
    ),
    _cue(
        "no_dues",
        1,
        r"कोई बकाया नहीं|no (?:dues|outstanding)|(?:kuch|koi) (?:bhi )?(?:pending|baaki|dues) nahi+n?",
        negation="none",
    ),
)

_ON_TIME = _word(
    r"on time|in time|time (?:pe|par|se)|samay (?:pe|par)|समय (?:पर|से)|before (?:the due date|that|the \d+\w*)"
    r"|due date (?:se )?pehle|advance (?:mein|me)|in advance|reminder|रिमाइंडर|courtesy|yaad dila~|याद दिला~"
    r"|auto[- ]?debit (?:ho jayega|set)|(?:ecs|nach|mandate) is set"
)
_OVERDUE = _word(
    r"overdue|over due|pending|bounce~|late|baaki|baki|बाकी|bakaya|बकाया|missed|miss ho|abhi tak|अभी तक|outstanding"
    r"|nahi+n? aaya|नहीं आया|dpd|legal|cibil|notice|\d+ (?:din|days|दिन) (?:se|से|ho gaye|हो गए)"
    r"|(?:se|since) due|due tha|was due|pichle mahine|last month|bhool (?:hi |bhi )?(?:gaya|gayi|gaye)|bhul (?:hi )?(?:gaya|gayi)|forgot"
)
# Neither pattern can match a line break, so a match in "agent text + newline + customer text"
# is a match in one of the two: each side is searched through its own index.
_ON_TIME_IDS = _INDEX.add_all([_ON_TIME])
_OVERDUE_IDS = _INDEX.add_all([_OVERDUE])
_BARE_NO = re.compile(
    _p(
        r"^(?:nahi+n?|no|nope|na|नहीं|ना|bilkul nahi+n?|never|kabhi nahi+n?|कभी नहीं|no way)"
        r"(?:[ ,]+(?:ji|sir|madam|ma'am|yaar|yar|bhai|bhaiya|sorry|जी|भाई))*[\s.!\u0964]*$"
    )
)
# A turn that opens with a negation ("No. I'm not agreeing...", "Nahi, ...").
_LEADING_NO = re.compile(
    _p(
        r"^(?:nahi+n?|no|nope|never|kabhi nahi+n?|नहीं|ना)(?:[ ,]+(?:ji|sir|madam|ma'am|yaar|bhai|जी))*[.,!\u0964]"
    )
)
# A question about the account: the fallback signal for an information request. The matches are
# those of r"[^.!?\n\u0964]+\?"; the look-behind only stops the engine from retrying that from
# every character of a long stretch without a question mark (which took quadratic time).
_QUESTION = re.compile(r"(?<![^.!?\n\u0964])[^.!?\n\u0964]+\?")
_DOMAIN = _word(
    r"loan|emi~|payment|pay|amount|charge~|penalty|penalti|interest|due|account|statement|kist|kisht|balance|fee~|noc"
    r"|outstanding|installment|instalment|किस्त~|लोन|भुगतान|बकाया|खाता|खाते"
)
_PAY_ASK = _word(
    r"pay~|bhar~|jama|kar[eo]nge|karengi|kab tak|amount|emi|किस्त|भुगतान|जमा|overdue|dues|clear~|paisa|paise"
)

# --------------------------------------------------------------------------------------------
# Sentiment lexicons (customer's words)
# --------------------------------------------------------------------------------------------

POSITIVE: tuple[Cue, ...] = (
    _cue(
        "thanks",
        1,
        r"thank~|thanx|thnx|thx|dhanyavaa?d|dhanyawaa?d|dhanyvaa?d|धन्यवाद|shukriya|शुक्रिया",
        negation="none",
    ),
    _cue(
        "thanks_plus",
        0.5,
        r"thank you so much|thanks a lot|bahut bahut (?:dhanyavaa?d|shukriya)|very helpful",
        negation="none",
    ),
    _cue("grace", 0.5, r"meherbani|mehrbani|मेहरबानी", negation="none"),
    _cue(
        "agree",
        0.5,
        r"zaroor|zarur|jaroor|jarur|जरूर|sure|definitely|certainly|absolutely|pakka|पक्का",
        r"no problem|no worries|koi (?:problem|tension|dikkat|issue|pareshani) nahi+n?~|कोई (?:दिक्कत|समस्या|परेशानी) नहीं",
    ),
    _cue(
        "good",
        1,
        r"(?:bahut )?(?:achha|accha|acha|achhi|acchi|अच्छा|अच्छी) (?:hua|laga|hai|raha|tha|thi|service|experience|offer|kaam|काम|लगा|हुआ)",
        r"badhiya|badiya|बढिया|bahut achha|बहुत अच्छा|achhe se|great|excellent|awesome|wonderful|perfect|happy|glad|pleased",
        r"helpful|appreciate~|polite|nice|wah|waah|khush~|खुश~|samjhaya",
        negation="around",
    ),
    _cue(
        "willing",
        0.5,
        r"(?:want|wish|intend) to pay|(?:pay|bharna|dena|chukana|karna) (?:chahta|chahti|chahte)|sabse pehle|as soon as (?:i|possible)",
        negation="around",
    ),
    _cue("on_time", 0.5, r"on time|time (?:pe|par)|samay par|समय पर", negation="none"),
    _cue("yes", 0.25, r"yes|haan ji|ha ji|ji haan|जी हां|हां जी", negation="none"),
    _cue("okay", 0.25, r"theek hai|thik hai|ठीक है", negation="none"),
)

# "pareshaan mat karo" / "dhamki mat dijiye" is still negative: the prohibitive "mat" does not
# cancel a negative word, only a statement negator does ("pareshaan nahi hoon").
_STATEMENT_NEGATORS = _NEGATORS - {"mat", "मत"}

NEGATIVE: tuple[Cue, ...] = (
    _cue(
        "anger",
        1,
        r"pareshaa?n~|परेशान|harass~|gussa|गुस्सा|angry|annoyed|irritat~|frustrat~|disgust~|fed up",
        r"bakwas|बकवास|nonsense|rubbish|ghatiya|घटिया|worst|pathetic|useless|beka+r|pagal|पागल|disappoint~|shame|sharam",
        r"(?:bahut )?bur[aie] (?:laga|hai|tha|thi|hua|behaviour|bartav)|बुरा (?:लगा|है)",
        r"kitni (?:baar|bar)|कितनी बार|how many times|stop calling|call mat|phone mat|फोन मत|dobara (?:call|phone)",
        r"(?:teesri|tisri|chauthi|paanchvi|third|fourth|fifth|\d+(?:th|rd|nd)?) (?:baar|bar|time) (?:call|phone|bol|bata)~",
        r"phone rakho|shut up|farak nahi+n? padta|jo (?:karna|marzi)~|जो करना है|(?:tang|तंग) (?:aa|kar|हो)~",
        r"dhokha|धोखा|fraud~|cheat~|loot~|लूट",
        r"hadd (?:hai|ho gayi|ho gai)|हद (?:है|हो)|mazaa?k|मजाक|ridiculous|unacceptable|gundagardi|गुंडागर्दी|not agreeing",
        r"gaa?li|गाली|dhamk~|धमक~|threat~|rude|badtamee?z~|बदतमीज~|chilla~|चिल्ला~|badnaa?m~|बदनाम",
        r"galat(?! (?:number|no|nambar|numbar|jagah|ghar|banda|aadmi|insaan))|गलत(?! (?:नंबर|नम्बर|जगह|घर))"
        r"|wrong(?! (?:number|no|person|place|house))|incorrect|not correct|error|mistake",
        negation="around",
        negators=_STATEMENT_NEGATORS,
    ),
    _cue(
        "distress",
        1,
        r"mushkil|मुश्किल|majboo?ri|मजबूरी|takleef|तकलीफ|dukhi|दुखी|ghabra~|helpless|desperate|struggl~",
        r"kahan (?:se|say) (?:laun|laaun|lau|dun|doon|bharun|bharu)|कहां से",
        r"(?:bahut|heavy|huge) loss|nuksaa?n|नुकसान",
        negation="around",
        negators=_STATEMENT_NEGATORS,
    ),
    _cue(
        "trouble",
        0.5,
        r"problem|dikkat|दिक्कत|pareshani|tension",
        negation="around",
        negators=_STATEMENT_NEGATORS,
    ),
    _cue("emergency", 0.5, r"emergency|hospital~|अस्पताल|medical", negation="none"),
    _cue(
        "inability",
        0.5,
        r"can't|cannot|nahi+n? (?:de|bhar) ?(?:sakta|sakti|paunga|paungi)|nahi+n? ho (?:payega|paayega)|possible nahi+n?|नहीं (?:दे|भर) (?:पाऊंगा|सकता)",
        negation="none",
    ),
    _cue("mat", 0.5, r"mat (?:karo|kijiye|dijiye|karna|do)|मत (?:करो|कीजिए|दीजिए)", negation="none"),
)

_SENTIMENT_PRIOR: dict[IntentCategory, float] = {
    IntentCategory.COMPLAINT: -1.0,
    IntentCategory.REFUSE_TO_PAY: -1.0,
    IntentCategory.HARDSHIP: -1.0,
    IntentCategory.DISPUTE: -1.0,
}

# The customer's words are matched against all these cue lists in one pass (see ``_collect``).
_CATEGORY_CUES: tuple[tuple[IntentCategory, tuple[Cue, ...]], ...] = (
    (IntentCategory.PROMISE_TO_PAY, PROMISE),
    (IntentCategory.REFUSE_TO_PAY, REFUSE),
    (IntentCategory.ALREADY_PAID, ALREADY_PAID),
    (IntentCategory.DISPUTE, DISPUTE),
    (IntentCategory.WRONG_PARTY, WRONG_PARTY),
    (IntentCategory.COMPLAINT, COMPLAINT),
    (IntentCategory.SETTLEMENT_REQUEST, SETTLEMENT),
    (IntentCategory.HARDSHIP, HARDSHIP),
    (IntentCategory.CALLBACK_REQUEST, CALLBACK),
    (IntentCategory.INFORMATION_REQUEST, INFO),
)
_CATEGORIES = tuple(cat for cat, _ in _CATEGORY_CUES)
_CUSTOMER_LEXICONS = _Lexicons.of(*(cues for _, cues in _CATEGORY_CUES), POSITIVE, NEGATIVE)
_AGENT_LEXICONS = _Lexicons.of(AGENT_CONFIRMS_PAYMENT)

# --------------------------------------------------------------------------------------------
# Day / date / amount phrases
# --------------------------------------------------------------------------------------------

_WEEKDAYS: tuple[tuple[str, str], ...] = (
    ("Monday", r"monday|somvaa?r|somwaa?r|सोमवार"),
    ("Tuesday", r"tuesday|mangalvaa?r|mangalwaa?r|मंगलवार"),
    ("Wednesday", r"wednesday|budhvaa?r|budhwaa?r|बुधवार"),
    ("Thursday", r"thursday|guruvaa?r|guruwaa?r|brihaspativaa?r|गुरुवार|बृहस्पतिवार"),
    ("Friday", r"friday|shukravaa?r|shukrawaa?r|शुक्रवार"),
    ("Saturday", r"saturday|shanivaa?r|shaniwaa?r|शनिवार"),
    ("Sunday", r"sunday|ravivaa?r|raviwaa?r|itwaa?r|itvaa?r|रविवार|इतवार"),
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_ALT = (
    r"jan(?:uary)?|feb(?:ruary)?|march|mar|april|apr|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?"
)


class _When(NamedTuple):
    """A day/date phrase found in the text."""

    start: int
    end: int
    label: str  # "Wednesday", "Tomorrow", "5th", "Next week", "Evening" ...
    kind: Literal["day", "part"]  # a day, or only a part of the day
    offset: int | None = None  # days from the call date, when relative
    weekday: int | None = None
    dom: int | None = None  # day of month
    month: int | None = None
    now: bool = False  # "abhi" / "right now": a time for paying, never for a callback


_DAY_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    *((_word(pat), f"wd:{i}") for i, (_, pat) in enumerate(_WEEKDAYS)),
    (_word(rf"(?P<d>\d{{1,2}}) (?P<mon>{_MONTH_ALT})"), "dm"),
    (_word(r"(?P<d>\d{1,2}) ?(?:tareekh|tarikh|taarikh|tarik|tareek|tarrikh|date|तारीख|तारिख)"), "dom"),
    (_word(r"(?:the )?(?P<d>\d{1,2})(?:st|nd|rd|th)"), "dom"),
    (_word(r"(?P<d>\d{1,2}) (?:ko|tak|को|तक)"), "dom"),
    (_word(r"day after tomorrow|parso|parson|parsoon|परसों|परसो"), "rel:2"),
    (_word(r"tomorrow|kal|कल"), "rel:1"),
    (_word(r"today|tonight|aaj|aj|आज|end of (?:the )?day|eod"), "rel:0"),
    (_word(r"abhi|अभी|right now|immediately"), "now"),
    (_word(r"agle (?:hafte|week)|next week|अगले (?:हफ्ते|सप्ताह)|is (?:hafte|week)|this week"), "lbl:Next week"),
    (_word(r"agle mahine|next month|अगले महीने"), "lbl:Next month"),
    (_word(r"month end|mahine (?:ke )?(?:end|aakhir|akhir)|end of (?:the |this )?month"), "lbl:Month end"),
    (
        _word(
            r"(?:salary|tankhwah|tankhwa|pagaar|तनख्वाह|वेतन|पगार) (?:aane|aate|milne|milte|credit|aayegi|आने|आते|मिलने|मिलते)~"
            r"|(?:after|once) (?:i get )?(?:my |the )?salary|salary (?:ke baad|milte hi)"
        ),
        "lbl:On salary credit",
    ),
)
_PART_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_word(r"shaam|sham|evening|शाम"), "evening"),
    (_word(r"subah|morning|सुबह"), "morning"),
    (_word(r"dopahar|dopeher|afternoon|दोपहर"), "afternoon"),
    (_word(r"raat|night|रात"), "night"),
    (
        _word(
            r"(?P<n>\d+|ek|do|aadha|half an?|one|two) (?:ghante|ghanta|hour|hours|घंटे|घंटा) (?:baad|later|बाद)"
            r"|in (?:an?|one|two|\d+) hours?|(?:in )?(?P<m>\d+) (?:minutes|minute|mins|min|मिनट)(?: (?:baad|later|बाद))?"
        ),
        "hours",
    ),
    (
        _word(r"(?:thodi|थोडी) (?:der|देर) (?:baad|बाद)|baad (?:mein|me|में)|later|बाद में"),
        "later",
    ),
)

_AMOUNT_RE = _word(
    r"(?:(?:rs\.?|₹|inr) ?)?(?P<num>\d{1,3}(?:,\d{2,3})+|\d{4,7})"
    r"|(?P<w>dedh|dhai|ek|do|teen|char|paanch|one|two|three|four|five|\d+(?:\.\d+)?) (?P<u>lakh|lac|hazaar|hazar|thousand|k)"
)
_NUM_WORDS = {
    "dedh": 1.5,
    "dhai": 2.5,
    "ek": 1,
    "one": 1,
    "do": 2,
    "two": 2,
    "teen": 3,
    "three": 3,
    "char": 4,
    "four": 4,
    "paanch": 5,
    "five": 5,
}


_AMOUNT_IDS = _INDEX.add_all([_AMOUNT_RE])


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_DAY_IDS = _INDEX.add_all(rx for rx, _ in _DAY_PATTERNS)
_PART_IDS = _INDEX.add_all(rx for rx, _ in _PART_PATTERNS)


def _find_whens(doc: _Doc) -> list[_When]:
    """Every day/date or part-of-day phrase in the text, in order."""
    out: list[_When] = []
    for pid, matches in doc.scans(_DAY_IDS):
        kind = _DAY_PATTERNS[pid - _DAY_IDS.start][1]
        for m in matches:
            if kind.startswith("wd:"):
                i = int(kind[3:])
                out.append(_When(m.start(), m.end(), _WEEKDAYS[i][0], "day", weekday=i))
            elif kind == "dm":
                d = int(m.group("d"))
                mon = _MONTHS.index(m.group("mon")[:3]) + 1
                if 1 <= d <= 31:
                    out.append(
                        _When(m.start(), m.end(), f"{d} {_MONTH_NAMES[mon - 1]}", "day", dom=d, month=mon)
                    )
            elif kind == "dom":
                d = int(m.group("d"))
                if 1 <= d <= 31:
                    out.append(_When(m.start(), m.end(), _ordinal(d), "day", dom=d))
            elif kind == "now":
                out.append(_When(m.start(), m.end(), "Today", "day", offset=0, now=True))
            elif kind.startswith("rel:"):
                off = int(kind[4:])
                label = {0: "Today", 1: "Tomorrow", 2: "Day after tomorrow"}[off]
                out.append(_When(m.start(), m.end(), label, "day", offset=off))
            else:
                out.append(_When(m.start(), m.end(), kind[4:], "day"))
    for pid, matches in doc.scans(_PART_IDS):
        kind = _PART_PATTERNS[pid - _PART_IDS.start][1]
        for m in matches:
            if kind == "hours" and m.groupdict().get("m"):
                label = f"In {m.group('m')} minutes"
            elif kind == "hours":
                n = m.groupdict().get("n") or "1"
                n = {"ek": "1", "one": "1", "do": "2", "two": "2"}.get(n, n)
                label = (
                    "In half an hour"
                    if n.startswith(("aadha", "half"))
                    else f"In {n} hour{'s' if n != '1' else ''}"
                )
            else:
                label = {"later": "Later"}.get(kind, kind.capitalize())
            out.append(_When(m.start(), m.end(), label, "part"))
    # Drop phrases nested inside a longer one (e.g. "kal" inside nothing, "date" inside "due date").
    out.sort(key=lambda w: (w.start, -(w.end - w.start)))
    kept: list[_When] = []
    for w in out:
        if kept and w.start < kept[-1].end:
            continue
        kept.append(w)
    return kept


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


_SENTENCE_BREAK = re.compile(r"[!?\n\u0964]|\.(?!\d)")


def _near(
    spans: Sequence[tuple[int, int]], anchors: Sequence[tuple[int, int]], limit: int
) -> list[list[tuple[int, int]]]:
    """For each span (given in order of start): every anchor within ``limit`` characters of it,
    and maybe a few more when the spans overlap.

    One sweep over both, in order, instead of trying every anchor for every span: a long call
    with hundreds of each (or one enormous anchor) stays linear.
    """
    ordered = sorted(anchors)  # hits come in a few runs already in order: cheap to sort
    out: list[list[tuple[int, int]]] = []
    reach: list[tuple[int, int]] = []  # anchors that start close enough before the span's end
    k = 0
    for start, end in spans:
        while k < len(ordered) and ordered[k][0] - limit <= end:
            reach.append(ordered[k])
            k += 1
        reach = [a for a in reach if a[1] + limit >= start]  # spans only move right: drop for good
        out.append(reach)
    return out


def _nearest_when(
    text: str, whens: Sequence[_When], anchors: Sequence[tuple[int, int]], limit: int
) -> _When | None:
    """The day phrase closest to an anchor, within ``limit`` characters and in the same sentence.

    Part-of-day phrases ("shaam ko", "1 ghante baad") are used only when no day phrase is near;
    one right next to the chosen day is merged into its label ("Tomorrow morning").
    """
    near = _near([(w.start, w.end) for w in whens], anchors, limit)

    def gap(w: _When, close: list[tuple[int, int]]) -> tuple[bool, int] | None:
        # Rank by (in another clause?, distance): "kal tak 2,000 de dunga, baaki next week" -> kal.
        best: tuple[bool, int] | None = None
        for a in close:
            d = _distance((w.start, w.end), a)
            lo, hi = min(w.end, a[1]), max(w.start, a[0])
            lo, hi = min(lo, hi), max(lo, hi)
            if d <= limit and not _SENTENCE_BREAK.search(text, lo, hi):
                key = (bool(_CLAUSE_BREAK.search(text, lo, hi)), d)
                best = key if best is None else min(best, key)
        return best

    def closest(kind: str) -> _When | None:
        ranked = [
            (g, w)
            for w, close in zip(whens, near, strict=True)
            if w.kind == kind and (g := gap(w, close)) is not None
        ]
        return min(ranked, key=lambda x: x[0])[1] if ranked else None

    chosen = closest("day")
    if chosen is None:
        return closest("part")
    for p in whens:
        if (
            p.kind == "part"
            and p.label != "Later"
            and _distance((chosen.start, chosen.end), (p.start, p.end)) <= 6
        ):
            return _When(
                chosen.start,
                max(chosen.end, p.end),
                f"{chosen.label} {p.label.lower()}",
                "day",
                chosen.offset,
                chosen.weekday,
                chosen.dom,
                chosen.month,
            )
    return chosen


_DATE_CONTEXT = 30  # characters before a day phrase that can change its date ("agle mahine", "next")


def _spoken_date(text: str, when: _When, anchor: datetime) -> date | None:
    """The date ``when`` (a phrase of ``text``) names, as the one date resolver of the analyzer
    (``normalize.find_dates``) reads it, so the summary says the date the promise's fields say.
    Only the phrase and the words just before it are read."""
    start = max(0, when.start - _DATE_CONTEXT)
    for found in find_dates(text[start : when.end + 1], anchor):
        if start + found.start < when.end and when.start < start + found.end:
            return found.date
    return None


def _amount(doc: _Doc, anchors: Sequence[tuple[int, int]], limit: int = 40) -> str | None:
    """The money amount closest to an anchor in ``doc`` (formatted for a summary), if any."""
    best: tuple[int, str] | None = None
    amounts = [m for _, matches in doc.scans(_AMOUNT_IDS) for m in matches]
    for m, close in zip(amounts, _near([m.span() for m in amounts], anchors, limit), strict=True):
        if m.group("num"):
            raw = m.group("num")
            if "," not in raw and len(raw) == 4 and 1900 <= int(raw) <= 2100:
                continue  # a year, not an amount
            label = f"Rs {raw}"
        else:
            w, u = m.group("w"), m.group("u")
            n = _NUM_WORDS.get(w) or float(w)
            unit = {"lac": "lakh", "hazar": "thousand", "hazaar": "thousand", "k": "thousand"}.get(u, u)
            label = f"Rs {n:g} {unit}"
        span = m.span()
        d = min((_distance(span, a) for a in close), default=limit + 1)
        if d <= limit and (best is None or d < best[0]):
            best = (d, label)
    return best[1] if best else None


# --------------------------------------------------------------------------------------------
# Decision
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Evidence:
    """Everything the rules found in one transcript."""

    turns: list[_TurnTuple]
    customer: _Doc
    agent: _Doc
    found: dict[IntentCategory, _Found]
    sentiment_cues: tuple[_Found, _Found]  # POSITIVE, NEGATIVE
    scores: dict[IntentCategory, float]
    promise_negated: bool
    bare_no: bool
    promise_when: _When | None
    _whens: list[_When] | None = None

    def score(self, cat: IntentCategory) -> float:
        return self.scores[cat]

    def whens(self) -> list[_When]:
        """The day and time phrases in the customer's words (found on first use)."""
        if self._whens is None:
            self._whens = _find_whens(self.customer)
        return self._whens


def _add_hit(found: dict[IntentCategory, _Found], cat: IntentCategory, hit: _Hit) -> None:
    """Add a hit to the result of one category (an empty result may be shared: replace it)."""
    if not (found[cat].hits or found[cat].negated):
        found[cat] = _Found()
    found[cat].hits.append(hit)


def _collect(transcript: str) -> _Evidence:
    turns = _turns(transcript)
    customer = _Doc("\n".join([text for speaker, text in turns if speaker != "agent"]))
    # The agent's words are only read for a few context checks, in some categories: searching
    # them directly is cheaper than indexing them.
    agent = _Doc("\n".join([text for speaker, text in turns if speaker == "agent"]), indexed=False)
    cats = IntentCategory
    *by_category, positive, negative = _match_all(customer, _CUSTOMER_LEXICONS)
    found = dict(zip(_CATEGORIES, by_category, strict=True))
    promise = found[cats.PROMISE_TO_PAY]
    # A negated promise ("nahi karunga", "payment nahi dunga", "नहीं भरूंगा") is a refusal.
    promise_negated = bool(promise.negated) and any(
        h.cue.name in ("pay_verb", "generic_future") for h in promise.negated
    )
    if promise_negated:
        cue = REFUSE[0]
        first = next(h for h in promise.negated if h.cue.name in ("pay_verb", "generic_future"))
        _add_hit(found, cats.REFUSE_TO_PAY, _Hit(cue, first.start, first.end))
    # A bare "nahi" / "no" answering the agent's question about paying is a refusal too; a turn
    # that only opens with one ("No. I'm not agreeing to anything") is a weak sign of one.
    # (The cheap anchored checks on the answer come before the search of the question.)
    bare_no = False
    for (prev_speaker, prev_text), (cur_speaker, cur_text) in pairwise(turns):
        if prev_speaker != "agent" or cur_speaker != "customer":
            continue
        bare = _BARE_NO.match(cur_text) is not None
        if not (bare or _LEADING_NO.match(cur_text)) or not _PAY_ASK.search(prev_text):
            continue
        if bare:
            bare_no = True
            _add_hit(found, cats.REFUSE_TO_PAY, _Hit(REFUSE[0], 0, 0))
        else:
            _add_hit(found, cats.REFUSE_TO_PAY, _Hit(_LEADING_NO_CUE, 0, 0))
    # Fallback: a question about the account is an information request.
    info = found[cats.INFORMATION_REQUEST]
    if not info.hits and "?" in customer.text:
        for q in _QUESTION.finditer(customer.text):
            if _DOMAIN.search(q.group()):
                _add_hit(found, cats.INFORMATION_REQUEST, _Hit(_QUESTION_CUE, q.start(), q.end()))
                break
    scores = {cat: f.score if f.hits else 0 for cat, f in found.items()}  # (an empty sum is 0)
    ev = _Evidence(
        turns, customer, agent, found, (positive, negative), scores, promise_negated, bare_no, None
    )
    anchors = [(h.start, h.end) for h in promise.hits]
    if anchors:
        ev.promise_when = _nearest_when(customer.text, ev.whens(), anchors, limit=60)
    return ev


_FULL_AMOUNT = _word(r"poora|pura|poori|puri|full|entire|complete|whole|पूरा|पूरी|saara|sara|सारा")


def _sentence_around(text: str, breaks: Sequence[int], start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence around ``[start, end)``, given the positions of all
    ``_SENTENCE_BREAK`` matches in ``text``: from just after the last break before ``start`` to
    the first break at or after ``end``.

    (Before ``start`` the text is read as if cut there, so a "." right before ``start`` always
    breaks, even in front of a digit; this is how these bounds were first computed.)
    """
    i = bisect.bisect_left(breaks, start - 1)
    left = breaks[i - 1] + 1 if i > 0 else 0
    if start > 0 and text[start - 1] in "!?\n\u0964.":
        left = start
    j = bisect.bisect_left(breaks, end)
    return left, breaks[j] if j < len(breaks) else len(text)


def _full_amount_promise(ev: _Evidence) -> bool:
    """A dated promise whose sentence speaks of the full amount ("poora parso bhar dunga")."""
    if ev.promise_when is None:
        return False
    text = ev.customer.text
    breaks = [m.start() for m in _SENTENCE_BREAK.finditer(text)]
    searched: set[tuple[int, int]] = set()  # each sentence is searched once
    for h in ev.found[IntentCategory.PROMISE_TO_PAY].hits:
        bounds = _sentence_around(text, breaks, h.start, h.end)
        if bounds not in searched:
            searched.add(bounds)
            if _FULL_AMOUNT.search(text, *bounds):
                return True
    return False


def _decide(ev: _Evidence) -> IntentCategory:
    """Pick one category from the scores, in a fixed priority order.

    Facts about who is on the line and whether the debt is owed come first (wrong party,
    dispute), then formal complaints, claims of payment, settlement asks and explicit
    refusals. A promise wins over a hardship reason when it names a day ("emergency tha,
    Wednesday ko pakka karunga"); an undated "jaise hi paisa aayega de dunga" next to a
    hardship story is hardship. An explicit callback ask wins over a single hardship cue. A dated
    promise of the full amount wins over talk of a settlement ("settlement nahi, poora Monday ko").
    When everyone who answered is labelled as someone else ("Customer's wife:"), it is a wrong party.
    """
    c = IntentCategory
    s = ev.scores.__getitem__
    speakers_ = {speaker for speaker, _ in ev.turns}
    if "relative" in speakers_ and "customer" not in speakers_:
        return c.WRONG_PARTY
    if s(c.WRONG_PARTY) >= 3:
        return c.WRONG_PARTY
    if s(c.DISPUTE) >= 2:
        return c.DISPUTE
    if s(c.COMPLAINT) >= 3:
        return c.COMPLAINT
    if s(c.ALREADY_PAID) >= 2:
        return c.ALREADY_PAID
    if s(c.SETTLEMENT_REQUEST) >= 2 and not (s(c.PROMISE_TO_PAY) >= 1 and _full_amount_promise(ev)):
        return c.SETTLEMENT_REQUEST
    if s(c.REFUSE_TO_PAY) >= 2:
        return c.REFUSE_TO_PAY
    if s(c.PROMISE_TO_PAY) >= 1 and (ev.promise_when is not None or s(c.HARDSHIP) < 2):
        return c.PROMISE_TO_PAY
    if s(c.CALLBACK_REQUEST) >= 2 and s(c.HARDSHIP) <= 2:
        return c.CALLBACK_REQUEST
    if s(c.HARDSHIP) >= 2:
        return c.HARDSHIP
    if s(c.COMPLAINT) >= 2:
        return c.COMPLAINT
    if s(c.WRONG_PARTY) >= 2:
        return c.WRONG_PARTY
    if s(c.INFORMATION_REQUEST) >= 1:
        return c.INFORMATION_REQUEST
    if s(c.HARDSHIP) >= 1:
        return c.HARDSHIP
    if s(c.CALLBACK_REQUEST) >= 1:
        return c.CALLBACK_REQUEST
    if s(c.REFUSE_TO_PAY) >= 1:
        return c.REFUSE_TO_PAY
    return c.OTHER


def _sentiment(ev: _Evidence, category: IntentCategory) -> Sentiment:
    """Lexicon score of the customer's words plus a category prior.

    Negated positive words ("khush nahi", "not happy") count as negative, negated negative words
    ("koi problem nahi") count as nothing; exclamation marks amplify the lexical score by 1.5.
    """
    pos, neg = ev.sentiment_cues
    lexical = sum(h.cue.weight for h in pos.hits) - sum(h.cue.weight for h in neg.hits)
    lexical -= sum(h.cue.weight for h in pos.negated if h.cue.name == "good")
    if "!" in ev.customer.text:
        lexical *= 1.5
    score = lexical + _SENTIMENT_PRIOR.get(category, 0.0)
    if score >= 1.0:
        return Sentiment.POSITIVE
    if score <= -1.0:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def _on_time(ev: _Evidence) -> bool:
    """A reminder for an instalment that is not yet due, answered with on-time payment."""
    docs = (ev.customer, ev.agent)  # the indexed one first: it is the cheaper to ask
    return any(d.has(_ON_TIME_IDS) for d in docs) and not any(d.has(_OVERDUE_IDS) for d in docs)


def _agent_confirmed_payment(ev: _Evidence) -> bool:
    return bool(_match_all(ev.agent, _AGENT_LEXICONS)[0].hits)


def _info_answered(ev: _Evidence) -> bool:
    """The agent spoke after the customer turn holding the first question."""
    hits = ev.found[IntentCategory.INFORMATION_REQUEST].hits
    if not hits:
        return False
    first = min(h.start for h in hits)
    offset = 0
    seen_question = False
    for speaker, text in ev.turns:
        if speaker != "agent":
            offset += len(text) + 1  # customer (and relative) turns are joined with "\n"
            if first < offset:
                seen_question = True
        elif seen_question:
            return True
    return False


def _action_required(ev: _Evidence, category: IntentCategory) -> bool:
    c = IntentCategory
    if category is c.PROMISE_TO_PAY:
        return not _on_time(ev)
    if category is c.ALREADY_PAID:
        return not _agent_confirmed_payment(ev)
    if category is c.INFORMATION_REQUEST:
        names = ev.found[c.INFORMATION_REQUEST].names()
        if "send" in names or {"send_generic", "item"} <= names:
            return True
        return not _info_answered(ev)
    return category is not c.OTHER


# --------------------------------------------------------------------------------------------
# Text output
# --------------------------------------------------------------------------------------------

_TITLES: dict[IntentCategory, str] = {
    IntentCategory.PROMISE_TO_PAY: "Promise to Pay",
    IntentCategory.ALREADY_PAID: "Already Paid",
    IntentCategory.DISPUTE: "Dispute",
    IntentCategory.HARDSHIP: "Financial Hardship",
    IntentCategory.SETTLEMENT_REQUEST: "Settlement Request",
    IntentCategory.REFUSE_TO_PAY: "Refusal to Pay",
    IntentCategory.CALLBACK_REQUEST: "Callback Request",
    IntentCategory.WRONG_PARTY: "Wrong Party",
    IntentCategory.INFORMATION_REQUEST: "Information Request",
    IntentCategory.COMPLAINT: "Complaint",
    IntentCategory.OTHER: "No Clear Intent",
}

_INFO_TOPICS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (_word(p), label)
    for p, label in (
        (r"foreclos~|preclos~", "foreclosure amount"),
        (r"statement|स्टेटमेंट|soa", "account statement"),
        (r"noc|no dues|no objection|एनओसी", "NOC"),
        (r"schedule", "repayment schedule"),
        (r"link|लिंक|upi id|account details|bank details", "payment details"),
        (r"kitna baaki|kitna bakaya|बकाया|outstanding|balance", "outstanding amount"),
        (r"kab due|due date|kab hai|when is", "due date"),
        (r"bounce charge|charges?|fee", "charges"),
    )
)
_INFO_TOPIC_IDS = _INDEX.add_all(rx for rx, _ in _INFO_TOPICS)


def _when_text(when: _When | None, text: str, anchor: datetime | None) -> str:
    if when is None:
        return ""
    if when.label == "On salary credit":
        return " when the salary is credited"
    if when.label in ("Next week", "Next month", "Month end"):
        return f" {when.label.lower()}"
    # (the date is resolved only for the phrases whose text shows it)
    resolved = _spoken_date(text, when, anchor) if anchor is not None else None
    suffix = f" ({resolved.isoformat()})" if resolved else ""
    if when.dom is not None and when.month is None:
        return f" by the {when.label}{suffix}"
    if when.offset is not None or when.kind == "part":
        return f" {when.label.lower()}{suffix}"
    return f" on {when.label}{suffix}"


def _describe(
    ev: _Evidence, category: IntentCategory, action: bool, anchor: datetime | None
) -> tuple[str, str]:
    """(customer_intent, summary) for the chosen category; ``anchor`` (the call's start) dates the
    relative days the summary names."""
    c = IntentCategory
    title = _TITLES[category]
    found = ev.found.get(category) or _Found()
    best = found.best()
    hardship = ev.found[c.HARDSHIP].best()
    anchors = [(h.start, h.end) for h in found.hits if h.end > 0]

    if category is c.PROMISE_TO_PAY:
        when = ev.promise_when
        if not action:
            intent = f"{title} - On time"
            summary = (
                "The customer confirmed the upcoming instalment will be paid on time; no follow-up is needed."
            )
            return intent, summary
        amount = _amount(ev.customer, anchors)  # (an on-time promise's text names none)
        amt = f" {amount}" if amount else ""
        intent = f"{title} - {when.label}" if when else title
        summary = f"The customer promised to pay{amt}{_when_text(when, ev.customer.text, anchor)}."
        if hardship is not None and hardship.label and ev.score(c.HARDSHIP) >= 2:
            summary += f" They cited {hardship.label} as the reason for the delay; track the promise."
        else:
            summary += " Track the promise and follow up if it is missed."
        return intent, summary

    if category is c.ALREADY_PAID:
        if action:
            return f"{title} - Verify", (
                "The customer says the payment has already been made. Verify the payment against the account."
            )
        return f"{title} - Confirmed", (
            "The customer says the payment has already been made and the agent confirmed receipt on the call."
        )

    if category is c.DISPUTE:
        what = best.label if best and best.label else "the debt"
        return f"{title} - {what.capitalize()}", (
            f"The customer disputes the account ({what}). Investigate the dispute before further collection."
        )

    if category is c.HARDSHIP:
        reason = hardship.label if hardship and hardship.label else "financial hardship"
        return f"{title} - {reason.capitalize()}", (
            f"The customer cannot pay right now because of {reason}. Review the account for relief or restructuring options."
        )

    if category is c.SETTLEMENT_REQUEST:
        amount = _amount(ev.customer, anchors, limit=60)
        offer = f", offering {amount}" if amount else ""
        return title, (
            f"The customer asked to settle the outstanding amount{offer}. Prepare a settlement proposal for approval."
        )

    if category is c.REFUSE_TO_PAY:
        return title, "The customer refused to pay. Escalate the account per the collections policy."

    if category is c.CALLBACK_REQUEST:
        whens = [w for w in ev.whens() if not w.now]  # "abhi meeting mein hoon" is not the callback time
        when = _nearest_when(ev.customer.text, whens, anchors, limit=40) if anchors else None
        intent = f"{title} - {when.label}" if when else title
        later = _when_text(when, ev.customer.text, anchor) or " later"
        return intent, f"The customer asked to be called back{later}. Schedule the callback."

    if category is c.WRONG_PARTY:
        if "third_party" in found.names():
            return f"{title} - Third party", (
                "A third party answered, not the borrower. Update the contact details and reach the borrower directly."
            )
        return f"{title} - Wrong number", (
            "The person reached says this is a wrong number for the borrower. Fix the contact details."
        )

    if category is c.INFORMATION_REQUEST:
        found_ids = {pid for pid, matches in ev.customer.scans(_INFO_TOPIC_IDS) if next(matches, None)}
        topics = [
            label for pid, (_, label) in zip(_INFO_TOPIC_IDS, _INFO_TOPICS, strict=True) if pid in found_ids
        ]
        topic = " and ".join(dict.fromkeys(topics[:2])) or "account information"
        intent = f"{title} - {topic[0].upper()}{topic[1:]}"
        if action:
            return intent, f"The customer asked for the {topic}. Send the requested information."
        return intent, f"The customer asked about the {topic} and the agent answered on the call."

    if category is c.COMPLAINT:
        what = best.label if best and best.label else "the collection process"
        return f"{title} - {what.capitalize()}", (
            f"The customer complained about {what}. Log the complaint and escalate it for review."
        )

    return title, "The customer expressed no clear intent about the debt. No follow-up is needed."


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def analyze_text(transcript: str, call_started_at: datetime | None = None) -> CallAnalysis:
    """Analyze one transcript with deterministic rules.

    ``call_started_at`` (optional) resolves relative day phrases ("kal", "Wednesday",
    "5 tareekh") into calendar dates in the summary.
    """
    return CallAnalysis(**core_fields(transcript, call_started_at))


Verdicts = tuple[IntentCategory, Sentiment, bool]
SpeakerTurns = Sequence[tuple[str, str]]
"""A call's turns as the rules read them: ("agent" | "customer", normalised text)."""


def core_fields(
    transcript: str,
    call_started_at: datetime | None = None,
    *,
    decide: Callable[[Verdicts, SpeakerTurns], Verdicts] | None = None,
) -> dict[str, Any]:
    """The five core fields ``analyze_text`` finds, as keyword arguments of ``CallAnalysis``
    (for a caller that builds the analysis once with more fields).

    ``decide`` may replace the rules' verdicts (intent, sentiment, action), given the turns the
    rules read, before the intent text and the summary are written for them: the learned model
    does.
    """
    ev = _collect(transcript)
    category = _decide(ev)
    sentiment = _sentiment(ev, category)
    action = _action_required(ev, category)
    if decide is not None:
        category, sentiment, action = decide((category, sentiment, action), ev.turns)
    intent, summary = _describe(ev, category, action, call_started_at)
    return {
        "customer_intent": intent[:200],
        "intent_category": category,
        "sentiment": sentiment,
        "action_required": action,
        "summary": summary[:1000],
    }


def speaker_turns(transcript: str) -> SpeakerTurns:
    """The turns of ``transcript`` as the rules read them (what ``decide`` is given)."""
    return _turns(transcript)
