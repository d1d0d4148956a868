"""The evidence the rules find in a transcript, and the verdicts drawn from it: the category, the
sentiment and whether an action is required."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from consumer.analyzer.rules.cues import Doc, Found, Hit, match_all, whole_word
from consumer.analyzer.rules.lexicons import (
    AGENT_LEXICONS,
    BARE_NO,
    CATEGORIES,
    CUSTOMER_LEXICONS,
    DOMAIN,
    LEADING_NO,
    LEADING_NO_CUE,
    ON_TIME_IDS,
    OVERDUE_IDS,
    PAY_ASK,
    QUESTION,
    QUESTION_CUE,
    REFUSE,
    SENTIMENT_PRIOR,
)
from consumer.analyzer.rules.phrases import SENTENCE_BREAK, When, find_whens, nearest_when
from consumer.analyzer.rules.turns import TurnTuple, read_turns
from consumer.analyzer.text.speakers import Split
from schemas import IntentCategory, Sentiment


@dataclass(slots=True)
class Evidence:
    """Everything the rules found in one transcript."""

    turns: list[TurnTuple]
    customer: Doc
    agent: Doc
    found: dict[IntentCategory, Found]
    sentiment_cues: tuple[Found, Found]  # POSITIVE, NEGATIVE
    scores: dict[IntentCategory, float]
    promise_negated: bool
    bare_no: bool
    promise_when: When | None
    _whens: list[When] | None = None

    def score(self, cat: IntentCategory) -> float:
        return self.scores[cat]

    def whens(self) -> list[When]:
        """The day and time phrases in the customer's words (found on first use)."""
        if self._whens is None:
            self._whens = find_whens(self.customer)
        return self._whens


def _add_hit(found: dict[IntentCategory, Found], cat: IntentCategory, hit: Hit) -> None:
    """Add a hit to the result of one category (an empty result may be shared: replace it)."""
    if not (found[cat].hits or found[cat].negated):
        found[cat] = Found()
    found[cat].hits.append(hit)


def collect(transcript: str, split: Split | None = None) -> Evidence:
    """What the rules find in ``transcript`` (``split``: its ``speakers.split_turns``, when the
    caller has it)."""
    turns = read_turns(transcript, split)
    customer = Doc("\n".join([text for speaker, text in turns if speaker != "agent"]))
    # The agent's words are only read for a few context checks, in some categories: searching
    # them directly is cheaper than indexing them.
    agent = Doc("\n".join([text for speaker, text in turns if speaker == "agent"]), indexed=False)
    cats = IntentCategory
    *by_category, positive, negative = match_all(customer, CUSTOMER_LEXICONS)
    found = dict(zip(CATEGORIES, by_category, strict=True))
    promise = found[cats.PROMISE_TO_PAY]
    # A negated promise ("nahi karunga", "payment nahi dunga", "नहीं भरूंगा") is a refusal.
    promise_negated = bool(promise.negated) and any(
        h.cue.name in ("pay_verb", "generic_future") for h in promise.negated
    )
    if promise_negated:
        cue = REFUSE[0]
        first = next(h for h in promise.negated if h.cue.name in ("pay_verb", "generic_future"))
        _add_hit(found, cats.REFUSE_TO_PAY, Hit(cue, first.start, first.end))
    # A bare "nahi" / "no" answering the agent's question about paying is a refusal too; a turn
    # that only opens with one ("No. I'm not agreeing to anything") is a weak sign of one.
    # (The cheap anchored checks on the answer come before the search of the question.)
    bare_no = False
    for (prev_speaker, prev_text), (cur_speaker, cur_text) in pairwise(turns):
        if prev_speaker != "agent" or cur_speaker != "customer":
            continue
        bare = BARE_NO.match(cur_text) is not None
        if not (bare or LEADING_NO.match(cur_text)) or not PAY_ASK.search(prev_text):
            continue
        if bare:
            bare_no = True
            _add_hit(found, cats.REFUSE_TO_PAY, Hit(REFUSE[0], 0, 0))
        else:
            _add_hit(found, cats.REFUSE_TO_PAY, Hit(LEADING_NO_CUE, 0, 0))
    # Fallback: a question about the account is an information request.
    info = found[cats.INFORMATION_REQUEST]
    if not info.hits and "?" in customer.text:
        for q in QUESTION.finditer(customer.text):
            if DOMAIN.search(q.group()):
                _add_hit(found, cats.INFORMATION_REQUEST, Hit(QUESTION_CUE, q.start(), q.end()))
                break
    scores = {cat: f.score if f.hits else 0 for cat, f in found.items()}  # (an empty sum is 0)
    ev = Evidence(turns, customer, agent, found, (positive, negative), scores, promise_negated, bare_no, None)
    anchors = [(h.start, h.end) for h in promise.hits]
    if anchors:
        ev.promise_when = nearest_when(customer.text, ev.whens(), anchors, limit=60)
    return ev


_FULL_AMOUNT = whole_word(r"poora|pura|poori|puri|full|entire|complete|whole|पूरा|पूरी|saara|sara|सारा")


def _sentence_around(text: str, breaks: Sequence[int], start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence around ``[start, end)``, given the positions of all
    ``SENTENCE_BREAK`` matches in ``text``: from just after the last break before ``start`` to
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


def _full_amount_promise(ev: Evidence) -> bool:
    """A dated promise whose sentence speaks of the full amount ("poora parso bhar dunga")."""
    if ev.promise_when is None:
        return False
    text = ev.customer.text
    breaks = [m.start() for m in SENTENCE_BREAK.finditer(text)]
    searched: set[tuple[int, int]] = set()  # each sentence is searched once
    for h in ev.found[IntentCategory.PROMISE_TO_PAY].hits:
        bounds = _sentence_around(text, breaks, h.start, h.end)
        if bounds not in searched:
            searched.add(bounds)
            if _FULL_AMOUNT.search(text, *bounds):
                return True
    return False


def decide_category(ev: Evidence) -> IntentCategory:
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


def judge_sentiment(ev: Evidence, category: IntentCategory) -> Sentiment:
    """Lexicon score of the customer's words plus a category prior.

    Negated positive words ("khush nahi", "not happy") count as negative, negated negative words
    ("koi problem nahi") count as nothing; exclamation marks amplify the lexical score by 1.5.
    """
    pos, neg = ev.sentiment_cues
    lexical: float = sum((h.cue.weight for h in pos.hits), 0.0) - sum((h.cue.weight for h in neg.hits), 0.0)
    lexical -= sum((h.cue.weight for h in pos.negated if h.cue.name == "good"), 0.0)
    if "!" in ev.customer.text:
        lexical *= 1.5
    score = lexical + SENTIMENT_PRIOR.get(category, 0.0)
    if score >= 1.0:
        return Sentiment.POSITIVE
    if score <= -1.0:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def _on_time(ev: Evidence) -> bool:
    """A reminder for an instalment that is not yet due, answered with on-time payment."""
    docs = (ev.customer, ev.agent)  # the indexed one first: it is the cheaper to ask
    return any(d.has(ON_TIME_IDS) for d in docs) and not any(d.has(OVERDUE_IDS) for d in docs)


def _agent_confirmed_payment(ev: Evidence) -> bool:
    return bool(match_all(ev.agent, AGENT_LEXICONS)[0].hits)


def _info_answered(ev: Evidence) -> bool:
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


def action_required(ev: Evidence, category: IntentCategory) -> bool:
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
