"""Speaker turns: the one label list and the one splitter every part of the analyzer reads.

A label is a word before a colon at the start of the text, a line, or after sentence punctuation
("Agent:", "Borrower 2:", "Customer (Ravi):", "ग्राहक:"). The agent's side is the collector,
whatever the platform calls them; the customer's side is whoever answered: the borrower, or a
relative or stranger on the line (their words decide a wrong party). A label that names someone
on the borrower's side other than the borrower ("Customer's wife:", "Neighbour:", "ग्राहक की
पत्नी:") marks its turns as a relative's. Numbered labels that say nothing of the role
("Speaker 1:", "Speaker 2:") are decided by content: the side whose first turns introduce a
lender, ask for the borrower or talk about their dues is the agent's; so are the lines of an
unlabelled transcript written one utterance per line.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, NamedTuple

from consumer.analyzer.text.lexicon import Lexicon, lexicon
from schemas import Speaker

AGENT_LABELS: Final = (
    "agent",
    "collector",
    "collection agent",
    "recovery agent",
    "executive",
    "exec",
    "officer",
    "representative",
    "rep",
    "telecaller",
    "tele caller",
    "caller",
    "csr",
    "advisor",
    "एजेंट",
    "कलेक्टर",
    "अधिकारी",
    "प्रतिनिधि",
    "कर्मचारी",
)
CUSTOMER_LABELS: Final = (
    "customer",
    "borrower",
    "client",
    "debtor",
    "cust",
    "user",
    "receiver",
    "other",
    "ग्राहक",
    "कस्टमर",
    "उधारकर्ता",
    "कर्जदार",
    "कर्ज़दार",
)
# Someone on the borrower's side who is not the borrower, alone or as "<customer label>'s ...".
RELATIVE_LABELS: Final = (
    "wife",
    "husband",
    "son",
    "daughter",
    "mother",
    "father",
    "brother",
    "sister",
    "son-in-law",
    "daughter-in-law",
    "mother-in-law",
    "father-in-law",
    "brother-in-law",
    "sister-in-law",
    "grandson",
    "granddaughter",
    "grandmother",
    "grandfather",
    "uncle",
    "aunt",
    "nephew",
    "niece",
    "cousin",
    "relative",
    "family member",
    "neighbour",
    "neighbor",
    "friend",
    "colleague",
    "roommate",
    "landlord",
    "employer",
    "third party",
    "pati",
    "patni",
    "bhai",
    "bhaiya",
    "behen",
    "bahen",
    "beta",
    "beti",
    "maa",
    "mummy",
    "papa",
    "bhabhi",
    "पत्नी",
    "पति",
    "बेटा",
    "बेटी",
    "माँ",
    "मां",
    "माता",
    "पिता",
    "पिताजी",
    "भाई",
    "बहन",
    "भाभी",
    "पड़ोसी",
    "पडोसी",
    "रिश्तेदार",
)
# Labels that name a position in the call, not a role: decided by what each side says.
NUMBERED_LABELS: Final = ("speaker", "spk", "person", "voice", "participant", "party", "वक्ता")
# A machine or unknown voice on the line: the customer's side, like "Other".
MACHINE_LABELS: Final = ("ivr", "automated voice", "automated", "voicemail", "recorded message", "system")

# "Caller" is the collector of an outbound call, but the customer of an inbound one, where the
# collector has a label of their own ("Agent:" answers, "Caller:" asks).
_CALLER: Final = "caller"

_OWNERS: Final = ("customer", "borrower", "client", "debtor", "cust")
_HINDI_OWNERS: Final = ("ग्राहक", "कस्टमर", "उधारकर्ता", "कर्जदार", "कर्ज़दार")


def _relative_forms() -> list[str]:
    forms = list(RELATIVE_LABELS)
    for relative in RELATIVE_LABELS:
        forms += [f"{owner}'s {relative}" for owner in _OWNERS]
        forms += [f"{owner}’s {relative}" for owner in _OWNERS]
        forms += [
            f"{owner} {particle} {relative}" for owner in _HINDI_OWNERS for particle in ("की", "का", "के")
        ]
    return forms


_NUMBERED: Final = "numbered"
_RELATIVE: Final = "relative"
_KINDS: Final[dict[str, str]] = {
    **dict.fromkeys(_relative_forms(), _RELATIVE),
    **dict.fromkeys(NUMBERED_LABELS, _NUMBERED),
    **dict.fromkeys(MACHINE_LABELS, Speaker.CUSTOMER.value),
    **dict.fromkeys(CUSTOMER_LABELS, Speaker.CUSTOMER.value),
    **dict.fromkeys(AGENT_LABELS, Speaker.AGENT.value),
}
_SIDES: Final = {side.value: side for side in (Speaker.AGENT, Speaker.CUSTOMER)}  # by a label's kind
_COLON: Final = re.compile("[:：]")
_LABEL_AFTER_CHARS: Final = ".!?।\"')]"  # a label starts the text, a line, or follows these / a space
_LABEL_AFTER: Final = frozenset(_LABEL_AFTER_CHARS)
_LABEL_WORDS: Final = max(len(name.split()) for name in _KINDS)  # the most words of a label
_LAST_OF_LONGER: Final = frozenset(name.split()[-1] for name in _KINDS if " " in name)  # "agent", "wife"
_LABEL_CHARS: Final = 2 * max(map(len, _KINDS))  # enough of the text before a colon to hold any label


class Turn(NamedTuple):
    """One utterance: who spoke, where its words are in the transcript, and whether the label
    named a relative or someone else on the borrower's side. (A named tuple: as immutable as a
    frozen dataclass, and made in a fraction of the time, a few for every call.)"""

    speaker: Speaker
    start: int
    end: int
    relative: bool = False


@dataclass(slots=True)  # (never changed; not frozen, which would cost more to make than to find)
class _Label:
    start: int  # where the label starts
    body: int  # where the words after its colon start
    kind: str  # "agent", "customer", _RELATIVE or _NUMBERED
    key: str  # the label as written, lower-cased ("speaker 2"): one numbered speaker


def _labels(transcript: str) -> list[_Label]:
    """The speaker labels of ``transcript``, left to right: the longest label (of up to
    ``_LABEL_WORDS`` words, compared lower-cased with single spaces) that the text before a colon
    ends with, starting the text, a line, or after white space or sentence punctuation. Only the
    few characters before each colon are looked at; a colon between digits ("10:30", "[00:01]")
    is a time, not a label's. A bare "Speaker:" is a label only beside role labels ("Collector:"),
    where it is the other side."""
    found: list[_Label] = []
    bare_numbered: list[int] = []  # where in ``found`` the bare "Speaker:" labels are
    taken = 0  # where the last label ended
    last = len(transcript) - 1
    for at in _colons(transcript):
        if 0 < at < last and transcript[at - 1].isdigit() and transcript[at + 1].isdigit():
            continue
        lo = at - 64 if at - 64 > taken else taken
        word = transcript[lo:at].rstrip()
        if word.endswith(")"):  # "Agent (Hindi):"
            opening = word.rfind("(", max(0, len(word) - 42))
            if opening == -1 or "\n" in word[opening:]:
                continue
            word = word[:opening].rstrip()
        cut = _number_at_end(word)
        bare, number = word[:cut], word[cut:]
        label = _label_at_end(transcript, lo, bare)
        if label is None:
            continue
        start, name = label
        kind = _KINDS[name]
        if number and kind != _NUMBERED and not number.strip().lstrip("#").isdigit():
            continue  # "Agent A" is not a label form we know; "Agent 2" is
        if kind == _NUMBERED and not number:
            bare_numbered.append(len(found))  # a bare "Speaker:" says something only beside role labels
        key = " ".join(f"{name}{number}".lower().split()) if number and kind == _NUMBERED else name
        found.append(_Label(start, at + 1, kind, key))
        taken = at + 1
    if bare_numbered and all(label.kind == _NUMBERED for label in found):
        drop = set(bare_numbered)
        return [label for i, label in enumerate(found) if i not in drop]
    return found


def _colons(transcript: str) -> list[int]:
    """Where the colons (":", "：") of ``transcript`` are, in order: found with ``str.find``, which
    skips to them, where a regex of the two would test every character."""
    if "：" in transcript:
        return [m.start() for m in _COLON.finditer(transcript)]
    found: list[int] = []
    at = transcript.find(":")
    while at >= 0:
        found.append(at)
        at = transcript.find(":", at + 1)
    return found


def _label_at_end(transcript: str, lo: int, bare: str) -> tuple[int, str] | None:
    """The longest label ``bare`` (``transcript[lo:]`` cut before a colon) ends with, as (its start
    in ``transcript``, its name), when it may start there; else None."""
    parts = bare[-_LABEL_CHARS:].rsplit(None, _LABEL_WORDS)
    n = len(parts)
    if not n:
        return None
    longest = min(n, _LABEL_WORDS) if parts[-1].lower() in _LAST_OF_LONGER else 1
    for k in range(longest, 0, -1):
        words = parts[n - k :]
        first = words[0].lstrip(_LABEL_AFTER_CHARS)
        name = " ".join([first, *words[1:]]).lower() if k > 1 else first.lower()
        if name not in _KINDS:
            continue
        end = len(bare)
        for word in reversed(words):  # where the words are: each is the last of its text before
            end = bare.rindex(word, 0, end)
        start = lo + end + len(words[0]) - len(first)
        if start and transcript[start - 1] not in _LABEL_AFTER and not transcript[start - 1].isspace():
            continue
        return start, name
    return None


def _number_at_end(word: str) -> int:
    """Where a speaker number ends ``word`` ("Speaker 2", "Speaker #2", "Speaker A"), or its length
    when there is none: the start of ``(?:\\s*#?\\d{1,2}|\\s+[a-dA-D])$``."""
    bare = word.rstrip("0123456789")
    if len(bare) < len(word):
        if len(word) - len(bare) > 2:
            return len(word) - 2
        bare = bare.removesuffix("#")
        return len(bare.rstrip())
    if word and word[-1] in "abcdABCD" and len(word) > 1 and word[-2].isspace():
        return len(word[:-1].rstrip())
    return len(word)


# What collectors say in their first turns, and borrowers do not.
_AGENT_CUES: Final = lexicon(
    r"calling (?:from|on behalf)\b",
    r"this is [\w .]{1,30}? from\b",
    r"(?:am i|i am) speaking (?:to|with)\b",
    r"may i (?:speak|talk)\b",
    r"(?:se|ton|theke|madhun|kadun|from) (?:bol|baat kar)\b",
    r"bol (?:raha|rahi|rahe|reha|rahya)\b",
    r"(?:bolchi|bolto|bolte)\b",
    r"kya (?:meri |main |mai |hum |humari )?(?:baat|bat|gal)\b",
    r"(?:se|naal) (?:baat|gal) (?:ho|kar)\b",
    r"(?:ki|ke) taraf se\b",
    r"(?:outstanding|overdue|pending|baaki|baki|bakaya|kisht|kist|kisti|emi|installment|instalment|due)\b",
    r"(?:verification|date of birth|dob)\b",
    r"(?:finance|microfinance|fincorp|finserv|finvest|microfin|credit|capital|bank|recovery|recoveries|"
    r"collection|collections|loans)\b",
    r"बोल रह[ाीे]|से बात|की तरफ से|आपक[ाीे] (?:ईएमआई|लोन|खाता|भुगतान|बकाया)|बकाया|बाकी|किस्त|फाइनेंस|फ़ाइनेंस|बैंक",
)
_CUSTOMER_CUES: Final = lexicon(
    r"kaun (?:bol|hai|ho)\b",
    r"who is (?:this|calling)\b",
    r"(?:de|kar|bhar) (?:dunga|dungi|denge|doonga|doongi)\b",
    r"(?:i will pay|i'll pay|mere paas|meri salary|abhi paise nahi|wrong number|galat number)\b",
    r"कौन बोल|दे दूँगा|दे दूंगा|कर दूँगा|कर दूंगा",
)


def _cues(lexicon_: Lexicon, text: str) -> int:
    """How many times ``text`` says something in ``lexicon_``."""
    return sum(1 for _ in lexicon_.finditer(text))


def _decide_numbered(transcript: str, labels: list[_Label], ends: list[int]) -> dict[str, Speaker]:
    """The side of each numbered speaker: agent cues minus customer cues in each one's first
    three turns; the highest is the agent. On a tie the one who said more is (a collector's
    introduction is longer than a "Hello?"), then whoever spoke first. When nobody says anything a
    collector says, all are the customer's side, as in an unlabelled text."""
    if not any(label.kind == _NUMBERED for label in labels):
        return {}
    named = {label.kind for label in labels if label.kind != _NUMBERED}
    firsts: dict[str, list[str]] = {}
    for label, end in zip(labels, ends, strict=True):
        if label.kind == _NUMBERED and len(firsts.setdefault(label.key, [])) < 3:
            firsts[label.key].append(transcript[label.body : end])
    keys = list(firsts)  # in order of first appearance
    if Speaker.AGENT.value in named:  # the agent is labelled: every numbered speaker is the other side
        return dict.fromkeys(keys, Speaker.CUSTOMER)
    if Speaker.CUSTOMER.value in named and len(keys) == 1:
        return {keys[0]: Speaker.AGENT}

    agent_cues = {key: sum(_cues(_AGENT_CUES, t) for t in texts) for key, texts in firsts.items()}
    if not any(agent_cues.values()):
        return dict.fromkeys(keys, Speaker.CUSTOMER)  # nobody sounds like a collector: as if unlabelled

    def rank(key: str) -> tuple[int, int, int]:
        texts = firsts[key]
        cues = agent_cues[key] - sum(_cues(_CUSTOMER_CUES, t) for t in texts)
        return cues, sum(len(t.split()) for t in texts), -keys.index(key)

    agent = max(keys, key=rank)
    return {key: Speaker.AGENT if key == agent else Speaker.CUSTOMER for key in keys}


_LINE: Final = re.compile(r"[^\n]+")
# A label that lost its colon, opening a line: "agent namaskar ...".
# Or a short label every line opens with: "A: ...", "C: ...", "Agent - ...", "Cust - ...".
_BARE_LABEL: Final = re.compile(
    r"(?:\[[\d:.]+\]\s*)?(?:(agent|customer|cust)(?:\s*[-–:]\s*|\s+)|([ac])\s*[-–:]\s*)(?=\S)", re.IGNORECASE
)
_BARE_AGENT: Final = frozenset(("agent", "a"))


def _alternating(transcript: str) -> list[Turn]:
    """An unlabelled transcript of three or more lines as alternating turns, when the lines of one
    parity sound like the collector more than the others (more agent cues); a text
    whose every line opens with a bare "agent" / "customer" (labels that lost their colon) or a
    short one ("A:", "C:", "Cust -") by those words. Otherwise nothing."""
    lines = [(m.start(), m.end()) for m in _LINE.finditer(transcript) if not m.group().isspace()]
    if len(lines) < 3:
        return []
    bare = [_BARE_LABEL.match(transcript, start, end) for start, end in lines]
    turns: list[Turn] = []
    if any(bare) and all(m or _span(transcript, *line) is None for m, line in zip(bare, lines, strict=True)):
        for m, (_, end) in zip(bare, lines, strict=True):
            span = _span(transcript, m.end(), end) if m is not None else None
            if m is not None and span is not None:
                side = (
                    Speaker.AGENT if (m.group(1) or m.group(2)).lower() in _BARE_AGENT else Speaker.CUSTOMER
                )
                turns.append(Turn(side, *span))
        return turns
    scores = [0, 0]
    for i, (start, end) in enumerate(lines):
        line = transcript[start:end]
        scores[i % 2] += _cues(_AGENT_CUES, line)
    if scores[0] == scores[1]:
        return []
    agent = 0 if scores[0] > scores[1] else 1
    for i, (start, end) in enumerate(lines):
        span = _span(transcript, start, end)
        if span is not None:
            turns.append(Turn(Speaker.AGENT if i % 2 == agent else Speaker.CUSTOMER, *span))
    return turns


Split = tuple[tuple[Turn, ...], bool]
"""A transcript's turns (spans of its text) and whether it had speaker labels (``split_turns``)."""


@lru_cache(maxsize=8)
def split_turns(transcript: str) -> Split:
    """The turns of ``transcript`` (spans of its original text, stripped) and whether it had speaker
    labels. Without labels, a text of one utterance per line may still read as alternating turns
    (``_alternating``); else the whole text is the customer's, as is text before the first label.
    The rules and the details both read a call's turns: the last few splits are kept."""
    labels = _labels(transcript)
    if not labels:
        alternating = _alternating(transcript)
        if alternating:
            return tuple(alternating), True
        body = transcript.strip()
        if not body:
            return (), False
        start = transcript.index(body[0])
        return (Turn(Speaker.CUSTOMER, start, start + len(body)),), False
    ends = [label.start for label in labels[1:]] + [len(transcript)]
    numbered = _decide_numbered(transcript, labels, ends)
    callers = any(label.key == _CALLER for label in labels) and any(
        label.kind == Speaker.AGENT.value and label.key != _CALLER for label in labels
    )
    turns: list[Turn] = []
    head = _span(transcript, 0, labels[0].start)
    if head is not None:
        turns.append(Turn(Speaker.CUSTOMER, *head))
    for label, end in zip(labels, ends, strict=True):
        span = _span(transcript, label.body, end)
        if span is None:
            continue
        if label.kind == _NUMBERED:
            turns.append(Turn(numbered[label.key], *span))
        elif label.kind == _RELATIVE:
            turns.append(Turn(Speaker.CUSTOMER, *span, relative=True))
        elif callers and label.key == _CALLER:  # an inbound call: the collector has another label
            turns.append(Turn(Speaker.CUSTOMER, *span))
        else:
            turns.append(Turn(_SIDES[label.kind], *span))
    return tuple(turns), True


# Marks a transcript carries that nobody said: "[inaudible]", "(crosstalk)", "<unk>", "[00:01:02]".
_MARKS: Final = re.compile(
    r"\[[^\[\]\n]{0,40}\]|<[a-z]{1,12}>|\((?:crosstalk|inaudible|unclear|noise|laughs?|pause|silence)\)",
    re.IGNORECASE,
)


def without_marks(text: str) -> str:
    """``text`` with its transcription marks ("[inaudible]", "[00:01]", "<unk>") made spaces."""
    if "[" in text or "<" in text or "(" in text:
        return _MARKS.sub(" ", text)
    return text


# Fillers speech recognition writes ("umm", "uhh", "erm") and a word said three or more times in a
# row ("haan haan haan haan"), which reads as twice.
_FILLERS_PLAIN: Final = r"(?<![\w'])(?:u+m+|u+h+|e+r+m+|e+h+)(?![\w'])[,.]?"  # (case-insensitive)
_REPEATED_PLAIN: Final = r"(?<![\w'])(\w+)(?:[ ,]+\1(?![\w'])){2,}"  # (case-insensitive)
# The same matches, written so the engine skips ahead: fillers open with a character class (the
# look-behind, moved after the first letter, reads one more character), and the repeated word
# never gives back letters (a shorter word would be followed by a letter, not by a space or comma).
_FILLERS: Final = re.compile(
    r"[uUeE](?<![\w'].)(?:(?<=[uU])(?:[uU]*[mM]+|[uU]*[hH]+)|(?<=[eE])(?:[eE]*[rR]+[mM]+|[eE]*[hH]+))"
    r"(?![\w'])[,.]?"
)
_REPEATED: Final = re.compile(r"(?<![\w'])(\w++)(?:[ ,]+\1(?![\w'])){2,}", re.IGNORECASE)


def spoken(text: str) -> str:
    """``text`` as it was said: transcription marks and fillers made spaces, a word repeated
    three or more times in a row said twice."""
    text = without_marks(text)
    lowered = text.lower()  # (both gates read it; lowered again only when fillers went)
    if _may_hold_filler(lowered) and _FILLERS.search(text):
        text = _FILLERS.sub(" ", text)
        lowered = text.lower()
    if _may_repeat(text, lowered) and _REPEATED.search(text):
        text = _REPEATED.sub(r"\1 \1", text)
    return text


def _may_hold_filler(lowered: str) -> bool:
    """Whether a text, lower-cased as ``lowered``, may hold a filler (``_FILLERS``): each one holds
    "um", "uh", "rm" or "eh" in some case, and lower-cased text shows them in lower case (no other
    character lowers to these letters). Four substring searches, each a fast scan, where the regex
    is started at every "u" and "e" of the text."""
    return "um" in lowered or "uh" in lowered or "rm" in lowered or "eh" in lowered


# The two letters ``str.lower`` does not lower one by one as the regex engine compares letters
# (İ becomes two characters, Σ depends on its place in the word).
_CONTEXT_CASED: Final = ("\u0130", "\u03a3")


def _may_repeat(text: str, lowered: str) -> bool:
    """Whether ``text`` (lower-cased: ``lowered``) may hold a word said three times in a row
    (``_REPEATED``), from a split of its words instead of a regex tried at every character. In a
    match the second saying is a whole word between spaces and commas and the third starts the
    next word, so, lower-cased (the regex compares the sayings letter by letter in lower case),
    some word starts the next one. A text with a letter ``str.lower`` reads otherwise may always hold one."""
    if not text.isascii() and any(c in text for c in _CONTEXT_CASED):
        return True
    words = lowered.replace(",", " ").split()
    # A word that starts the next one is also in it: ``in`` (one C call each) tells first, and
    # ``str.startswith`` (parsing its arguments at every call, twice the cost) is asked only of
    # the rare text where some word is in the next.
    nexts = words[1:]
    return any(map(operator.contains, nexts, words)) and any(map(str.startswith, nexts, words))


def _span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``text[start:end]`` without the white space around it, or None when nothing (but marks)
    is left."""
    body = text[start:end]
    words = body.strip()  # (``str.strip`` drops exactly the characters ``isspace`` tells)
    start += len(body) - len(body.lstrip())
    end = start + len(words)
    if start == end or (text[start] in "[<(" and without_marks(text[start:end]).isspace()):
        return None
    return start, end
