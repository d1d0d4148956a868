"""The customer's promise to pay: the amount, the date, instalments, read from the customer's turns
(and what the agent read back)."""

from __future__ import annotations

import re
from datetime import date, datetime

from consumer.analyzer.details.call import Call, commitment_negated, live_hits
from consumer.analyzer.details.lexicons import (
    ABLE,
    ACCOUNT_BALANCE,
    COMMIT,
    CONDITION,
    FULL,
    NOT_NOW,
    NOW,
    ON_TIME,
    REFUSED_AFTER,
    REST,
    RIGHT_BEFORE,
    SOME,
    TAKEN_BACK,
)
from consumer.analyzer.text.dates import DateMatch
from consumer.analyzer.text.money import AmountMatch
from schemas import (
    Instalment,
    IntentCategory,
    PromiseToPay,
    Speaker,
)

_I = re.IGNORECASE


def _agent_date(call: Call, before: int) -> DateMatch | None:
    """The due date the agent stated before the customer's "on time" ("your EMI is due on the 8th")."""
    for i in reversed(range(before)):
        if call.turns[i].speaker is Speaker.AGENT:
            dated = [d for d in call.dates(i) if d.date is not None]
            if dated:
                return dated[0]
    return None


def _agent_amount(call: Call, before: int) -> int | None:
    """The amount the agent stated: first in the latest agent turn before ``before``, else after it."""
    agent = call.agent.turns
    for i in (*reversed([i for i in agent if i < before]), *(i for i in agent if i >= before)):
        if found := call.amounts(i):
            return found[0].value
    return None


def _read_back(call: Call, after: int) -> int | None:
    """The amount the agent reads back after the customer's commitment at ``after`` ("Ji sir, kal
    3,200." / "Next Thursday tak, 2,780"): in one of the next two agent turns, beside a day."""
    for i in [i for i in call.agent.turns if i > after][:2]:
        text = call.turns[i].text
        found = [a for a in call.amounts(i) if not _after_rest(text, a.start)]
        if found and call.dates(i):
            return found[-1].value
    return None


def _unnamed_amount(call: Call, at: int, said: str) -> int | None:
    """The promised amount when the customer names no figure (the labelling guide's reading): the
    figure the agent reads back with the day; else, unless the customer speaks of the whole amount
    without a figure ("pura kar dunga", whose sum the call leaves open), the figure the agent stated."""
    agreed = _read_back(call, at)
    if agreed is not None or FULL.search(said) or SOME.search(said):
        return agreed
    return _agent_amount(call, at)


_CLAUSE_END = re.compile(r"[,;](?=\s)|[.!?।\n](?=\s|$)")
_SENTENCE_END = re.compile(r"[.!?।\n](?=\s|$)")


def _span(text: str, pos: int, ends: re.Pattern[str]) -> tuple[int, int]:
    """The clause or sentence around ``pos`` ("22,400" has no clause break in it)."""
    left, right = 0, len(text)
    for m in ends.finditer(text):
        if m.end() <= pos:
            left = m.end()
        else:
            right = m.start()
            break
    return left, right


def _after_rest(text: str, pos: int) -> bool:
    """Whether ``pos`` follows "baaki" / "balance" in its clause ("..., baaki 7,000 agle mahine");
    not an account's balance ("the balance is in the account by the 15th")."""
    lo, _ = _span(text, pos, _CLAUSE_END)
    return any(ACCOUNT_BALANCE.match(text, lo + m.end()) is None for m in REST.finditer(text[lo:pos]))


def _promised_dates(text: str, dates: list[DateMatch]) -> list[DateMatch]:
    """The date phrases that can be the promise's: not the rest's ("baaki agle hafte") and not a
    day refused as it is said ("aaj to nahi ho payega")."""
    return [d for d in dates if not _after_rest(text, d.start) and not REFUSED_AFTER.match(text, d.end)]


def _promised_amount(text: str, at: int, amounts: list[AmountMatch]) -> AmountMatch | None:
    """The amount that goes with the commitment at ``at``: in its sentence, nearest to it and not
    the rest's ("pura 7,800 abhi nahi hai. Aaj 3,000 bhej deta hoon"); else the first said."""
    lo, hi = _span(text, at, _SENTENCE_END)
    inside = [a for a in amounts if lo <= a.start < hi and not _after_rest(text, a.start)]
    if inside:
        return min(inside, key=lambda a: abs(a.start - at))
    return amounts[0] if amounts else None


def _clause_date(text: str, pos: int, dates: list[DateMatch], today: date) -> DateMatch | None:
    """The dated phrase in the clause of the commitment verb at ``pos`` ("Salary 1 ko aa gayi, 3150
    rakh diya. 5 ko kat jaata": the 5th goes with "kat jaata"), nearest to it."""
    lo, hi = _span(text, pos, _CLAUSE_END)
    rest = REST.search(text[lo:hi])
    if rest is not None and lo + rest.start() > pos:  # "... kar dunga, baaki do hafte mein": the rest's day
        hi = lo + rest.start()
    inside = [d for d in dates if d.date is not None and d.date >= today and lo <= d.start < hi]
    before = [d for d in inside if d.start < pos]  # the day comes before the verb ("kal de dunga")
    if before:
        return before[-1]
    return inside[0] if inside else None


def _now_in_clause(text: str, pos: int) -> bool:
    """Whether the clause around ``pos`` says "now" ("abhi", "right now")."""
    lo, hi = _span(text, pos, _CLAUSE_END)
    return NOW.search(text[lo:hi]) is not None


def _pick_date(text: str, focus: int, dates: list[DateMatch], today: date) -> DateMatch | None:
    """The dated phrase that goes with the commitment at ``focus``: same clause, same sentence, nearest."""
    dated = [d for d in dates if d.date is not None and d.date >= today]
    for ends in (_CLAUSE_END, _SENTENCE_END):
        lo, hi = _span(text, focus, ends)
        inside = [d for d in dated if lo <= d.start < hi]
        if inside:
            return min(inside, key=lambda d: abs(d.start - focus))
        if ends is _CLAUSE_END:
            clause = text[lo:hi]
            rest = REST.search(clause)
            own = clause[: rest.start()] if rest else clause
            if (
                (now := NOW.search(own)) is not None
                and NOT_NOW.search(own) is None
                and not (dated and ABLE.search(own))
            ):
                a, b = lo + now.start(), lo + now.end()
                return DateMatch(None, None, a, b, text[a:b], "relative")
    return min(dated, key=lambda d: abs(d.start - focus)) if dated else None


def _amounts_said(call: Call, i: int, at: int | None = None) -> list[AmountMatch]:
    """The amounts in a customer's ``text``: those ``find_amounts`` reads, and bare numbers that
    repeat a figure the agent named as money ("wo 2100 main monday ko kar dungi" after "EMI 2100"),
    however far the payment words are, or that stand right before the commitment verb at ``at``
    ("5000 kar sakta hoon", "Thursday ko 3000 le lena")."""
    found, bare = call.amounts_and_bare(i)
    if not bare:
        return found
    named = call.agent_amounts()
    text = call.turns[i].text
    echoed = [
        a for a in bare if a.value in named or (at is not None and RIGHT_BEFORE.fullmatch(text, a.end, at))
    ]
    return sorted([*found, *echoed], key=lambda a: a.start) if echoed else found


def _informative(text: str, amounts: list[AmountMatch], dates: list[DateMatch], today: date) -> int:
    """How much a customer turn says of a promise: a day to pay by (2) and a figure (1)."""
    dated = any(d.date is not None and d.date >= today for d in _promised_dates(text, dates))
    return (2 if dated else 0) + (1 if amounts else 0)


def _most_informative(call: Call, today: date) -> tuple[int, str, int, list[AmountMatch], list[DateMatch]]:
    """The latest customer turn that says the most of a promise (``_informative``), as ``promise``
    ranks its commitments. Read from the last turn back, so the search stops at the first that
    names both a day and a figure, and a turn's dates are not read when they cannot lift it above
    the best so far (a turn with no figure, after one with a day)."""
    best: tuple[int, str, int, list[AmountMatch], list[DateMatch]] | None = None
    best_score = -1
    for i in reversed(call.customer.turns):
        text = call.turns[i].text
        amounts = _amounts_said(call, i)
        if best_score >= 2 and not amounts:
            continue  # at most 2, which does not beat a later turn's 2
        dates = call.dates(i)
        score = _informative(text, amounts, dates, today)
        if score > best_score:
            best, best_score = (i, text, 0, amounts, dates), score
            if score == 3:
                break
    assert best is not None  # (the call has customer turns)
    return best


def _answered_date(call: Call, at: int, anchor: datetime) -> DateMatch | None:
    """A day the customer names in a turn next to the commitment at turn ``at`` that has none
    ("I will pay 5,000" - "When? Parso?" - "Day after tomorrow, yes."): the nearest such turn
    within two of the customer's turns, later ones first."""
    order = call.customer.turns
    k = order.index(at)
    near = [j for d in (1, -1, 2, -2) if 0 <= (j := k + d) < len(order)]
    for j in near:
        text = call.turns[order[j]].text
        dated = [
            d
            for d in _promised_dates(text, call.dates(order[j]))
            if d.date is not None and d.date >= anchor.date()
        ]
        if dated:
            return dated[0]
    return None


def _on_time(call: Call, best: int) -> tuple[int, str] | None:
    """The customer's "on time" ("auto-debit is set up, it'll go through") and its turn: in the
    commitment's turn ``best``, else the first customer turn that says it."""
    for i in sorted(call.customer.turns, key=lambda i: i != best):
        if (m := ON_TIME.search(call.turns[i].text)) is not None:
            return i, m.group()
    return None


def _restated_amount(call: Call, after: int, due: date) -> int | None:
    """A figure the customer names with the promise's own day in a later turn, with no commitment
    verb ("kal 2650 plus charge daal dunga" - "total 3,240" - "theek hai, 3240 kal"): the sum the
    promise settles on, the latest such turn."""
    for i in reversed(call.customer.turns):
        if i <= after:
            break
        text = call.turns[i].text
        said = _amounts_said(call, i)
        if len({a.value for a in said}) != 1 or REST.search(text):
            continue
        days = {d.date for d in _promised_dates(text, call.dates(i)) if d.date is not None}
        if days == {due}:
            return said[0].value
    return None


# Classes the labelling guide ranks above a promise: whatever the customer offers, no promise.
_BEFORE_PROMISE = frozenset({IntentCategory.WRONG_PARTY, IntentCategory.ALREADY_PAID, IntentCategory.DISPUTE})
# A commitment made on a condition ("charges hata do to aaj bhar deta hoon", "agar settlement ho
# sake, ek mahine mein arrange kar lunga").
_IF_BEFORE = re.compile(rf"{CONDITION.pattern}|(?<![\w])(?:agar|if|अगर|yadi|यदि)(?![\w])", _I)


def _firm(call: Call, k: int, text: str, at: int) -> bool:
    """Whether the commitment at ``at`` in the customer's ``k``-th turn stands on its own: made on
    no condition and not taken back in a later turn."""
    lo, _ = _span(text, at, _SENTENCE_END)
    if _IF_BEFORE.search(text[lo:at]):
        return False
    return not any(TAKEN_BACK.search(later) for later in call.customer.texts[k + 1 :])


def read_promise(call: Call, category: IntentCategory, anchor: datetime) -> PromiseToPay | None:
    """The customer's commitment: a promise-to-pay call, or a firm "figure + date + will pay" in a
    call classed below a promise in the labelling guide (a settlement request with "mahine ke end
    tak 10,000 de deta hoon" in it); none in a class that outranks one (a dispute's "EMI 7 ko de
    dunga, par charge nahi")."""
    if category in _BEFORE_PROMISE:
        return None
    turns = call.turns
    today = anchor.date()
    firm_only = category is not IntentCategory.PROMISE_TO_PAY
    found: list[tuple[int, str, int, list[AmountMatch], list[DateMatch]]] = []
    customer = [(i, turns[i]) for i in call.customer.turns]
    commits = live_hits(COMMIT, call.customer, negation=True, negated=commitment_negated)
    if firm_only and not commits:
        return None
    for k, (i, t) in enumerate(customer):
        if k not in commits:
            continue
        at = commits[k][0]
        amounts = _amounts_said(call, i, at)
        if firm_only and not amounts:  # (then its dates do not matter)
            continue
        dates = call.dates(i)
        if firm_only and not (any(d.date is not None for d in dates) or _now_in_clause(t.text, at)):
            continue  # a firm commitment names its day ("abhi bhej deti hoon" is today)
        if firm_only and not _firm(call, k, t.text, at):
            continue
        found.append((i, t.text, at, amounts, dates))
    if not found:
        if firm_only or not customer:
            return None
        # No commitment verb ("Next Monday ko 3600 pakka", "Month end tak. 2,999 pura."): the
        # latest customer turn that says the most of a day and a figure, else the last one.
        found = [_most_informative(call, today)]

    # The most informative commitment; of equals the latest, since a promise revised in the call
    # ("6000 Saturday ko ... accha, 8000 kar deta hoon, Saturday tak") is the one that holds.
    def rank(item: tuple[int, str, int, list[AmountMatch], list[DateMatch]]) -> tuple[int, int]:
        score = _informative(item[1], item[3], item[4], today)
        return score, item[0] if score else -item[0]  # of turns that say nothing, the first

    best_i, best, at, amounts, dates = max(found, key=rank)
    own_dates = _promised_dates(best, dates)
    chosen = _promised_amount(best, at, amounts)
    # A figure named later with nothing else ("late fee bhi? theek hai, 7350 kar dunga") revises it.
    for i, text, at2, later, more in found:
        single = len({a.value for a in later}) == 1
        if i > best_i and single and not _promised_dates(text, more) and not REST.search(text):
            chosen = _promised_amount(text, at2, later)
    focus = chosen.start if chosen is not None and chosen in amounts else at
    amount = chosen.value if chosen is not None else None
    if amount is None:
        amount = _unnamed_amount(call, best_i, best)
    picked = _clause_date(best, at, own_dates, today) or _pick_date(best, focus, own_dates, today)
    if picked is None:
        for _, text, at2, _, more in found:
            picked = _pick_date(text, at2, _promised_dates(text, more), today)
            if picked is not None:
                break
    if picked is None and not any(_promised_dates(text, more) for _, text, _, _, more in found):
        picked = _answered_date(call, best_i, anchor)  # (not when the commitment is for salary day)
    if not own_dates:
        own_dates = dates
    due: date | None = None
    reason: str | None = None
    due_text: str | None = None
    if picked is not None:
        due, due_text = (picked.date or anchor.date()), picked.text
    elif own_dates:
        reason, due_text = own_dates[0].reason, own_dates[0].text
    elif (on_time := _on_time(call, best_i)) is not None and (agent_due := _agent_date(call, on_time[0])):
        due, due_text = agent_due.date, on_time[1]
    else:
        reason = "not_stated"
    if due is not None:
        amount = _restated_amount(call, best_i, due) or amount
    partial = True if (REST.search(best) or len(amounts) > 1) else None
    dated = [d for d in dates if d.date is not None]
    instalments: list[Instalment] = []
    if len(amounts) >= 2 and len(dated) == len(amounts):
        instalments = [
            Instalment(amount_inr=a.value, due_date=d.date) for a, d in zip(amounts, dated, strict=True)
        ]
    filled = (amount is not None) + (due is not None)
    return PromiseToPay(
        amount_inr=amount,
        due_date=due,
        due_text=due_text[:120] if due_text else None,
        date_unresolved_reason=reason if due is None else None,
        is_partial=partial,
        instalments=instalments,
        confidence=(0.5, 0.65, 0.8)[filled],
    )
