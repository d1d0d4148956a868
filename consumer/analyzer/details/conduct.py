"""Who answered the call (``contact_status``) and how the agent conducted it (``compliance_flags``)."""

from __future__ import annotations

from bisect import bisect_right

from consumer.analyzer.details.call import (
    Call,
    Side,
    clip,
    helps_report,
    live_hits,
    negated_in_clause,
    only_acknowledges,
    window,
)
from consumer.analyzer.details.lexicons import (
    ABUSE,
    ANSWERS,
    AWAY,
    BAD_LINE,
    ENGAGED,
    FIR,
    IDENTITY_Q,
    IDENTITY_Q_ASCII,
    NAME,
    NAME_ANY_CASE_AFTER,
    NAME_ANY_CASE_FIRST,
    NAME_LOWER,
    NAME_UPPER,
    ORG,
    ORG_ASCII,
    OWN_DEBT,
    SE_WORD,
    THIRD_PARTY,
    THREAT,
    WRONG_NUMBER,
)
from schemas import (
    ComplianceFlag,
    ComplianceRule,
    ContactStatus,
    Severity,
    Speaker,
)


def _names_any_case(low: str) -> bool:
    r"""Whether lower-cased ``low`` has ``\b(?=[a-z])`` and then one of ``_NAME_ANY_CASE_WORDS``."""
    return NAME_ANY_CASE_FIRST.match(low) is not None or NAME_ANY_CASE_AFTER.search(low) is not None


def _identifies(side: Side) -> bool:
    """Whether the agent names the lender or agency (``ORG``) and themselves (``NAME``), in any
    letter case: speech recognition often writes names in lower case."""
    joined = side.joined
    if not joined.isascii():
        return bool(ORG.search(joined) and (NAME.search(joined) or _names_any_case(joined.lower())))
    low = side.scan.low
    return bool(
        (ORG_ASCII.search(low) or _word_before_se(low))
        and (NAME_LOWER.search(joined) or NAME_UPPER.search(joined) or _names_any_case(low))
    )


def _word_before_se(low: str) -> bool:
    r"""Whether lower-cased ASCII ``low`` has ``[a-z][\w&.]*\s+se(?:\s|[.,])`` (an ``ORG`` phrase)."""
    for m in SE_WORD.finditer(low):
        i = m.start()
        while i and (low[i - 1].isalnum() or low[i - 1] in "_&."):
            i -= 1
            if low[i].isalpha():
                return True
    return False


def read_contact(call: Call) -> tuple[ContactStatus, float]:
    customer = call.customer
    scan = customer.scan
    if WRONG_NUMBER.search_in(scan) and not OWN_DEBT.search_in(scan):
        return ContactStatus.WRONG_NUMBER, 0.85
    relatives = {t.relative for t in call.turns if t.speaker is Speaker.CUSTOMER}
    # A relative's label and then the borrower's: the relative handed the phone over, so what the
    # relative said of themself ("main unki bahu hoon") does not make the call a third party's.
    handed_over = relatives == {True, False}
    for m in THIRD_PARTY.scan(scan):
        if (
            not handed_over
            or not call.turns[customer.turns[bisect_right(customer.starts, m.start()) - 1]].relative
        ):
            return ContactStatus.THIRD_PARTY, 0.8
    away = AWAY.search_in(scan)
    if away is not None:
        verified = call.verified()
        if verified is None or verified >= customer.turns[bisect_right(customer.starts, away.start()) - 1]:
            return ContactStatus.THIRD_PARTY, 0.8
    if relatives == {True}:  # only people labelled as the borrower's relatives answered
        return ContactStatus.THIRD_PARTY, 0.85
    if not call.labelled or not customer.texts:
        return ContactStatus.UNKNOWN, 0.5
    if (BAD_LINE.search_in(scan) or BAD_LINE.search_in(call.agent.scan)) and not ENGAGED.search_in(scan):
        return ContactStatus.UNKNOWN, 0.5
    if call.verified() is not None:
        return ContactStatus.RIGHT_PARTY, 0.85
    low = scan.low if scan.lowered else customer.joined.lower()
    if only_acknowledges(low):  # "Okay, noted." / "Who is this? OK."
        return ContactStatus.UNKNOWN, 0.5
    return ContactStatus.RIGHT_PARTY, 0.7


def rules_contact(transcript: str) -> ContactStatus:
    """The contact status the rules read in ``transcript`` (what ``decide_contact`` is given)."""
    return read_contact(Call(transcript))[0]


def _flag(rule: ComplianceRule, severity: Severity, quote: str) -> ComplianceFlag:
    return ComplianceFlag(rule=rule, severity=severity, quote=clip(quote), speaker=Speaker.AGENT)


def compliance_flags(call: Call, contact: ContactStatus) -> list[ComplianceFlag]:
    side = call.agent
    if not side.texts:
        return []
    flags: list[ComplianceFlag] = []
    texts = side.texts
    threats = live_hits(THREAT, side, negation=True)
    for k, text in enumerate(texts):  # "FIR" only in capitals ("fir" is "then" in Hinglish)
        if k not in threats and "FIR" in text.replace(".", ""):
            f = next((f for f in FIR.finditer(text) if not negated_in_clause(text, f.start(), f.end())), None)
            if f is not None:
                threats[k] = f.span()
    threats = {k: span for k, span in threats.items() if not helps_report(texts[k], *span)}
    if threats:
        k = min(threats)
        quote = window(texts[k], *threats[k])
        flags.append(_flag(ComplianceRule.THREAT_OR_INTIMIDATION, Severity.HIGH, quote))
    abuse = live_hits(ABUSE, side, negation=False)
    if abuse:
        k = min(abuse)
        flags.append(_flag(ComplianceRule.ABUSIVE_LANGUAGE, Severity.HIGH, window(texts[k], *abuse[k])))
    if contact in (ContactStatus.WRONG_NUMBER, ContactStatus.THIRD_PARTY):
        disclosed = _first_told(call, None)
        if disclosed is not None:
            flags.append(_flag(ComplianceRule.THIRD_PARTY_DISCLOSURE, Severity.HIGH, disclosed))
    if not _identifies(side):
        flags.append(_flag(ComplianceRule.NO_IDENTIFICATION, Severity.LOW, texts[0]))
    if contact not in (ContactStatus.WRONG_NUMBER, ContactStatus.THIRD_PARTY):
        until = call.verified()
    else:
        # told before the one who answered said who they are; told to a known third party later
        # is the disclosure alone
        until = _other_party_turn(call)
    early = _first_told(call, until)
    if early is not None:
        flags.append(_flag(ComplianceRule.DISCLOSURE_BEFORE_VERIFICATION, Severity.MEDIUM, early))
    return flags


def _first_told(call: Call, until: int | None) -> str | None:
    """The first agent text before turn ``until`` (``None``: in the whole call) that tells of the debt.
    In a call the customer made, from their first words on only account facts count: they named the
    loan, and the agent answering about it, or declining to, discloses nothing."""
    side = call.agent

    def told(first_customer: int) -> str | None:
        return next(
            (
                text
                for k, (i, text) in enumerate(zip(side.turns, side.texts, strict=True))
                if (until is None or i < until) and call.tells(k, status_only=i >= first_customer)
            ),
            None,
        )

    early = told(len(call.turns))
    if (
        early is not None
        and call.customer.turns
        and (call.turns[0].speaker is Speaker.CUSTOMER or _answers(call))
    ):
        return told(call.customer.turns[0])
    return early


def _answers(call: Call) -> bool:
    """Whether the agent's first turn, before anyone else spoke, answers a call the customer made
    (the lender's name and an offer to help, no question about who is on the line)."""
    agent = call.agent
    if not agent.turns or agent.turns[0] != 0:
        return False
    text = agent.texts[0]
    return (
        "?" not in text
        and agent.search(ANSWERS, 0)
        and not (agent.search(IDENTITY_Q_ASCII, 0) if text.isascii() else IDENTITY_Q.search(text))
    )


def _other_party_turn(call: Call) -> int:
    """The index of the first turn where whoever answered shows they are not the borrower (a wrong
    number, a relative, someone saying the borrower is away, a relative's label), else of their
    first turn."""
    customer = call.customer
    for k, i in enumerate(customer.turns):
        if call.turns[i].relative or any(
            customer.search(cue, k) for cue in (WRONG_NUMBER, THIRD_PARTY, AWAY)
        ):
            return i
    return customer.turns[0] if customer.turns else len(call.turns)
