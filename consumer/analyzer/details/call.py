# ruff: noqa: E501 - one phrase family per line, however long the regex.
"""One transcript as the detail rules read it: the turns in their original wording, each speaker's
side scanned once, the amounts and dates of a turn worked out when first asked, and the turn
that confirms the borrower is on the line."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from consumer.analyzer.details.lexicons import (
    ACK_WORDS,
    AFFIRM,
    AFFIRM_ASCII,
    AFFIRM_START,
    CONDITION,
    DEBT_WORDS,
    FIGURE,
    HELPS_REPORT,
    IDENTITY_Q,
    IDENTITY_Q_ASCII,
    LENDER_WORD,
    NEG_AFTER,
    NEG_BEFORE,
    SENTENCE,
    STATUS,
    THANKS_FIRST,
    VERIFIED_SAID,
    VERIFY_ASKED,
    WORD,
    YES_AFTER_BREAK,
    YOUR_LOAN,
)
from consumer.analyzer.text import speakers
from consumer.analyzer.text.dates import DateMatch, find_dates
from consumer.analyzer.text.lexicon import Lexicon, Scan
from consumer.analyzer.text.money import AmountMatch, find_amounts, find_amounts_and_bare
from schemas import (
    Speaker,
)

_I = re.IGNORECASE


_QUOTE_MAX = 300


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance in the original wording; ``relative``: its label named someone on the
    borrower's side who is not the borrower ("Customer's wife:")."""

    speaker: Speaker
    text: str
    relative: bool = False


def split_turns(transcript: str, split: speakers.Split | None = None) -> tuple[list[Turn], bool]:
    """The turns of ``transcript`` and whether it had speaker labels (without any: one customer
    turn), from ``split`` (its ``speakers.split_turns``) when the caller has it."""
    turns, labelled = speakers.split_turns(transcript) if split is None else split
    return [Turn(t.speaker, transcript[t.start : t.end], t.relative) for t in turns], labelled


def clip(text: str, limit: int = _QUOTE_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def window(text: str, start: int, end: int, limit: int = _QUOTE_MAX) -> str:
    """The sentence(s) around ``text[start:end]``, at most ``limit`` characters."""
    if len(text) <= limit:
        return clip(text, limit)
    left = max(text.rfind(p, 0, start) for p in ".!?।\n") + 1
    right_candidates = [i for i in (text.find(p, end) for p in ".!?।\n") if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    if right - left > limit:
        left = max(0, start - limit // 3)
        right = min(len(text), left + limit - 1)
    return clip(text[left:right], limit)


_NEG_RIGHT_AFTER = re.compile(r"^\s*(?:nahi|nahin|nai|not|नहीं)(?![\w])", _I)


# A plan the customer had ("socha tha aaj hi karungi"), not what they commit to now.
_PLANNED_BEFORE = re.compile(
    r"\b(?:socha|sochi|sochaa|soch rahi|soch raha|thought|was going to|was planning)\b(?:\s+(?:tha|thi|the|ki|ke|that))*"
    r"(?:\s+\S+){0,3}\s*$|सोचा\s+था(?:\s+\S+){0,3}\s*$|सोची\s+थी(?:\s+\S+){0,3}\s*$",
    _I,
)


def commitment_negated(text: str, start: int, end: int) -> bool:
    """A commitment negated before it ("nahi de paunga") or right after it ("dunga nahi"), or only
    a plan the customer had ("socha tha aaj hi karungi, par parso tak kar dungi"); a "mat"
    further on is someone else's verb ("kar deta hoon, please ghar mat bhejna")."""
    return (
        bool(_NEG_RIGHT_AFTER.search(text[end : end + 12]))
        or _negated_before(text, start)
        or _PLANNED_BEFORE.search(text[max(0, start - 40) : start]) is not None
    )


def negated_in_clause(text: str, start: int, end: int) -> bool:
    """A negation in the same clause, not across a condition ("nahi diya to police ..." is no negation)."""
    return bool(NEG_AFTER.search(text[end : end + 30])) or _negated_before(text, start)


def _negated_before(text: str, start: int) -> bool:
    """A negation in the 30 characters before ``start``, after the last condition there."""
    before = text[max(0, start - 30) : start]
    cuts = list(CONDITION.finditer(before))
    if cuts:
        before = before[cuts[-1].end() :]
    return NEG_BEFORE.search(before) is not None


class Side:
    """The turns of one speaker: their indices among all turns, their texts, and the texts
    joined by line breaks, the form the lexicons scan (once per transcript for all of them)."""

    __slots__ = ("joined", "scan", "starts", "texts", "turns")

    def __init__(self) -> None:
        self.turns: list[int] = []
        self.texts: list[str] = []
        self.starts: list[int] = []  # where each text starts in ``joined``
        self.joined = ""
        self.scan = _NO_SCAN

    @classmethod
    def pair(cls, turns: list[Turn]) -> tuple[Side, Side]:
        """The customer's and the agent's sides of ``turns``, in one pass."""
        customer, agent = cls(), cls()
        ends = [0, 0]  # where the next text of each starts in its ``joined``
        for i, t in enumerate(turns):
            if t.speaker is Speaker.CUSTOMER:
                side, n = customer, 0
            elif t.speaker is Speaker.AGENT:
                side, n = agent, 1
            else:
                continue
            side.turns.append(i)
            side.texts.append(t.text)
            side.starts.append(ends[n])
            ends[n] += len(t.text) + 1
        for side in (customer, agent):
            side.joined = "\n".join(side.texts)
            side.scan = Scan(side.joined, gate=True)
        return customer, agent

    def search(self, pattern: Lexicon, k: int) -> bool:
        """Whether ``pattern`` matches the ``k``-th text on its own."""
        if not self.scan.lowered:  # then each text is lower-cased on its own
            return pattern.search(self.texts[k]) is not None
        start = self.starts[k]
        return pattern.search_in(self.scan, start, start + len(self.texts[k])) is not None


_NO_SCAN = Scan("")


def live_hits(
    pattern: Lexicon,
    side: Side,
    *,
    negation: bool,
    negated: Callable[[str, int, int], bool] = negated_in_clause,
) -> dict[int, tuple[int, int]]:
    """The first live match in each text of ``side`` (index -> local span), with one scan of them all;
    with ``negation``, a match ``negated`` says is negated is not live."""
    joined, starts = side.joined, side.starts
    hits: dict[int, tuple[int, int]] = {}
    for m in pattern.scan(side.scan):
        k = bisect_right(starts, m.start()) - 1
        if k in hits or (negation and negated(joined, m.start(), m.end())):
            continue
        hits[k] = (m.start() - starts[k], m.end() - starts[k])
    return hits


def _tells_debt(call: Call, k: int) -> bool:
    """Whether the agent's ``k``-th text tells someone of the debt: a figure, a debt word, or "your
    loan". A bare "loan" is not enough, since lenders put it in their names ("Kuber Swarna Loans se
    bol rahi hoon")."""
    side = call.agent
    text = side.texts[k]
    if side.scan.lowered:  # the matches in the text, from the one scan of the agent's side
        start = side.starts[k]
        found = DEBT_WORDS.scan(side.scan, start, start + len(text))
    else:
        start, found = 0, DEBT_WORDS.finditer(text)
    if any(not LENDER_WORD.match(text, m.end() - start) for m in found):
        return True
    return side.search(YOUR_LOAN, k) or bool(call.amounts(side.turns[k]))


def _has_account_status(call: Call, k: int) -> bool:
    """Account-specific facts (a figure, what is due or pending), not general product information."""
    return call.agent.search(STATUS, k) or bool(call.amounts(call.agent.turns[k]))


def helps_report(text: str, start: int, end: int) -> bool:
    """Whether the sentence around ``text[start:end]`` helps the borrower report something (a
    police complaint or FIR copy for a fraud, an insurance claim, a grievance): police words there
    are not a threat."""
    return any(
        (s.start() <= start < s.end() or s.start() < end <= s.end()) and HELPS_REPORT.search(s.group(0))
        for s in SENTENCE.finditer(text)
    )


def sentence_with(text: str, pattern: Lexicon) -> str | None:
    for s in SENTENCE.finditer(text):
        if pattern.search(s.group(0)):
            return s.group(0).strip()
    return None


class Call:
    """One transcript as the detail rules read it: its turns and each speaker's side.

    The amounts and dates of a turn, and whether an agent turn tells of the debt, are worked
    out once, when first asked: the promise and conduct rules come back to the same turns.
    ``anchor`` is the call time the dates are resolved against.
    """

    __slots__ = (
        "_agent_amounts",
        "_amounts",
        "_dates",
        "_said",
        "_told",
        "_verified",
        "agent",
        "anchor",
        "customer",
        "labelled",
        "turns",
    )

    def __init__(
        self, transcript: str, anchor: datetime | None = None, split: speakers.Split | None = None
    ) -> None:
        self.turns, self.labelled = split_turns(transcript, split)
        self.customer, self.agent = Side.pair(self.turns)
        self.anchor = anchor
        self._verified: list[int | None] = []
        self._agent_amounts: set[int] | None = None
        self._amounts: dict[int, list[AmountMatch]] = {}
        self._said: dict[int, tuple[list[AmountMatch], list[AmountMatch]]] = {}
        self._dates: dict[int, list[DateMatch]] = {}
        self._told: dict[tuple[int, bool], bool] = {}

    def amounts(self, i: int) -> list[AmountMatch]:
        """``find_amounts`` of the ``i``-th turn's text."""
        found = self._amounts.get(i)
        if found is None:
            found = self._amounts[i] = find_amounts(self.turns[i].text)
        return found

    def amounts_and_bare(self, i: int) -> tuple[list[AmountMatch], list[AmountMatch]]:
        """``find_amounts_and_bare`` of the ``i``-th turn's text."""
        found = self._said.get(i)
        if found is None:
            found = self._said[i] = find_amounts_and_bare(self.turns[i].text)
        return found

    def dates(self, i: int) -> list[DateMatch]:
        """``find_dates`` of the ``i``-th turn's text, against the call's ``anchor``."""
        found = self._dates.get(i)
        if found is None:
            assert self.anchor is not None, "dates are read only in a call with its anchor"
            found = self._dates[i] = find_dates(self.turns[i].text, self.anchor)
        return found

    def tells(self, k: int, *, status_only: bool) -> bool:
        """``_has_account_status`` (with ``status_only``) or ``_tells_debt`` of the agent's ``k``-th text."""
        told = self._told.get((k, status_only))
        if told is None:
            told = self._told[k, status_only] = (
                _has_account_status(self, k) if status_only else _tells_debt(self, k)
            )
        return told

    def agent_amounts(self) -> set[int]:
        """The figures the agent named as money (worked out once, when first asked)."""
        if self._agent_amounts is None:
            self._agent_amounts = {a.value for i in self.agent.turns for a in self.amounts(i)}
        return self._agent_amounts

    def verified(self) -> int | None:
        """The index of the customer turn that confirms the borrower is on the line, if any
        (whatever the contact status; worked out once)."""
        if not self._verified:
            self._verified.append(_verified_index(self))
        return self._verified[0]


def only_acknowledges(low: str) -> bool:
    """Whether every word of lower-cased ``low`` is an acknowledgement or a "who is this"
    (read only up to the first word that is not)."""
    return all(word.group() in ACK_WORDS for word in WORD.finditer(low))


def _verified_index(call: Call) -> int | None:
    """The index of the customer turn that confirms the borrower is on the line, if any."""
    asked = verify_asked = False
    sides = {Speaker.AGENT: call.agent, Speaker.CUSTOMER: call.customer}
    seen = {Speaker.AGENT: 0, Speaker.CUSTOMER: 0, Speaker.OTHER: 0}  # turns of each speaker so far
    for i, t in enumerate(call.turns):
        side = sides.get(t.speaker)
        k = seen[t.speaker]
        seen[t.speaker] = k + 1
        text = t.text
        fast = side is not None and text.isascii()  # else the plain searches on the turn
        if t.speaker is Speaker.AGENT and side is not None:
            # (the agent's side reads its lexicons once for all its turns: see ``Side.search``)
            passed = side.search(VERIFIED_SAID, k) or (verify_asked and THANKS_FIRST.match(text))
            verify_asked = verify_asked or side.search(VERIFY_ASKED, k)
            if passed:  # the check passed on the customer's last answer
                last = next(
                    (j for j in range(i - 1, -1, -1) if call.turns[j].speaker is Speaker.CUSTOMER), None
                )
                if last is not None:
                    return last
            if not asked:  # a "?" is a match
                asked = "?" in text or (
                    side.search(IDENTITY_Q_ASCII, k)
                    if fast and side is not None
                    else bool(IDENTITY_Q.search(text))
                )
            continue
        if asked and (
            (
                AFFIRM_START.match(text) is not None
                or side.search(AFFIRM_ASCII, k)
                or _yes_after_break(side, k)
            )
            if fast and side is not None
            else AFFIRM.search(text)
        ):
            return i
        if verify_asked and t.speaker is Speaker.CUSTOMER and FIGURE.search(text):
            return i  # the check the agent asked for, answered
    return None


def _yes_after_break(side: Side, k: int) -> bool:
    """Whether the ``k``-th text of ``side`` has a yes (``_YES_AFTER``) just after a sentence
    mark or comma: "Subah saat baje? Haan bolo."."""
    if not side.search(YES_AFTER_BREAK, k):
        return False
    text = side.texts[k]
    for m in YES_AFTER_BREAK.finditer(text):
        before = text[: m.start()].rstrip()
        if before and before[-1] in ".?!,":
            return True
    return False
