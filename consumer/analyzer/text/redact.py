"""Irreversible PII redaction for Indian debt-collection call transcripts.

Run on a transcript before any of it leaves the process (the LLM prompt) and, optionally, before it
is stored. Pure: no I/O, no state, no randomness; every pattern is compiled at import time.

    >>> redact_text("Sir mera number 98765 43210 hai, UPI ramesh.k@okaxis pe bhej do")
    'Sir mera number [PHONE] hai, UPI [UPI] pe bhej do'

Each finding is replaced by a fixed placeholder (``[PHONE]``, ``[AADHAAR]``, ``[PAN]``, ``[CARD]``,
``[ACCOUNT]``, ``[EMAIL]``, ``[UPI]``). No mapping from placeholder to value is kept anywhere, so the
redaction cannot be undone; ``Redaction.counts`` only says how many of each kind were removed.

Decisions
---------
* **Privacy first.** When a value is PII but its *kind* is ambiguous, it is still removed; only the
  placeholder may be the less precise one (a ten-digit mobile labelled "account" becomes
  ``[ACCOUNT]``). Ordinary text is never touched: amounts ("₹15,600", "1,50,000", "5k", "15000/-"),
  dates ("15/12/2026", "2026-12-15"), times, percentages and short numbers survive unchanged.
* **Digits.** Devanagari and the other Indic (and full-width) digits are read like ASCII digits;
  the original characters are kept wherever nothing is redacted. Digit groups may be separated by
  single spaces or hyphens (also non-breaking spaces and Unicode dashes), never by commas or dots,
  which is what keeps Indian-grouped amounts out.
* **Labels** ("context") are words such as "account", "a/c", "khata", "खाता", "aadhaar", "आधार",
  "card", "PAN". A label counts when it stands at most three words before the value ("a/c no. :-
  1234...", "aadhaar card number 2345 ...") or at most three words after it ("... mera account number
  hai"). Words that name something else break the link: "account se linked *mobile* 98765 43210" is a
  phone, "account mein *Rs* 123456789" an amount.
* **Order.** Rules run in this order and a later rule never touches text an earlier one took:
  email, UPI id (typed, then spoken "at the rate" forms), then the labelled forms (Aadhaar, card, PAN,
  account), then unlabelled card (Luhn), phone, Aadhaar. So "9876543210@ybl" is one ``[UPI]`` (never
  "[PHONE]@ybl"), "ramesh@gmail.com" one ``[EMAIL]``, and a labelled number takes its label's kind.
  The sequence is repeated until it takes nothing more, which makes ``redact`` idempotent.

Kinds
-----
PHONE
    Indian mobiles, ten digits starting 6-9, with an optional +91 / 0091 / 91 / 0 prefix and the
    usual groupings (98765 43210, 98765-43210, 987 654 3210, 9876 543 210, 98 76 54 32 10, digit by
    digit). Landlines only with their trunk or country prefix (022-24567890, 011 2345 6789,
    (0522) 234 5678, +91 22 2456 7890): a bare eight-digit number is too ambiguous. A ten-digit mobile
    is a PHONE unless an account/loan/reference label claims it, then it is an ACCOUNT.
AADHAAR
    Twelve digits, the first 2-9. A plain twelve-digit run needs a valid Verhoeff check digit (it could
    be a UTR or a reference otherwise), but the spaced/hyphenated 4-4-4 form and any twelve-digit
    number labelled "aadhaar/aadhar/adhar/आधार/UID" are redacted even when the checksum fails,
    because speech-to-text garbles digits and the cost of a false positive is one placeholder.
    Next to such a label a sixteen-digit Virtual ID counts too. Neither is taken out of a longer run
    of digit groups ("2345 6789 0123 4567" is no Aadhaar), nor is a run of three years.
PAN
    ``AAAAA9999A``, case-insensitive, with the fourth letter one of the holder types
    P C H F A T B L J G. Next to a "PAN" label any fourth letter and a spaced form ("abcde 1234 f")
    are accepted. Masked forms ("XXXXX1234X") are left.
CARD
    13-19 digits, contiguous or in groups (4-4-4-4, 4-4-4-4-3, Amex 4-6-5) passing the Luhn check.
    Next to a "card/debit/credit/कार्ड" label the Luhn check is waived. Unlabelled digit groups that
    fail Luhn are left (they are not known to be cards); masked partial forms ("XXXX XXXX XXXX 1234")
    are left.
ACCOUNT
    9-18 digits (contiguous or grouped) next to an account label: account, a/c, acc, acct, khata,
    खाता, and the loan/reference family (loan, LAN, ref, reference, EMI, order, agreement, UTR, txn),
    since those identifiers point at one borrower as surely as a bank account does. Alphanumeric
    loan/reference ids ("loan account LN12345678", "ref PL/2026/001234") are redacted too when
    labelled and carrying at least six digits. Unlabelled 9-18 digit numbers are left (they might be
    anything), IFSC codes are left (a bank branch, not a person), and so are masked forms
    ("XXXXXX1234") and amounts (a currency word or "/-" next to the number).
EMAIL
    Standard addresses, plus the spoken forms speech-to-text produces ("ramesh dot k at the rate gmail
    dot com", "ramesh at gmail dot com").
UPI
    ``handle@psp`` where the part after "@" has no dot-TLD (ramesh.k@okaxis, 9876543210@ybl,
    name@paytm): any such id, plus spoken forms ("ramesh at the rate okaxis") for known PSP handles.

Not covered: numbers spoken as words ("nine eight seven ..."), OTPs and CVVs, names and addresses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from consumer.analyzer.text.checksums import luhn_ok, verhoeff_ok

__all__ = ["KINDS", "Redaction", "redact", "redact_text"]

KINDS: tuple[str, ...] = ("PHONE", "AADHAAR", "PAN", "CARD", "ACCOUNT", "EMAIL", "UPI")
"""Every kind of finding, in the order ``Redaction.counts`` lists them."""


@dataclass(frozen=True, slots=True)
class Redaction:
    """A redacted text and how many values of each kind were removed (only kinds found)."""

    text: str
    counts: dict[str, int]


# --------------------------------------------------------------------------------------------
# The working copy: the text with one spelling for every character that matters (ASCII digits,
# plain spaces and hyphens, lower case). Each character maps to exactly one character, so
# positions in the copy are positions in the original, which is what placeholders are spliced
# into. Matching lower-case text with case-sensitive patterns is also several times faster than
# re.IGNORECASE.
# --------------------------------------------------------------------------------------------

_FILL = "\ue000"  # marks text a rule has taken: no digit, letter, space, "@" or bracket

_DIGIT_ZEROS = (
    0x0660,  # Arabic-Indic
    0x06F0,  # Extended Arabic-Indic (Urdu)
    0x0966,  # Devanagari
    0x09E6,  # Bengali
    0x0A66,  # Gurmukhi
    0x0AE6,  # Gujarati
    0x0B66,  # Odia
    0x0BE6,  # Tamil
    0x0C66,  # Telugu
    0x0CE6,  # Kannada
    0x0D66,  # Malayalam
    0xFF10,  # full-width
)
_NORMAL_FORM: dict[str, str] = {
    chr(zero + i): str(i)
    for zero in _DIGIT_ZEROS
    for i in range(10)
    if unicodedata.decimal(chr(zero + i)) == i
}
_NORMAL_FORM.update(dict.fromkeys("\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a", " "))
_NORMAL_FORM.update(dict.fromkeys("\u200b\u202f\u205f\u2060\u3000\ufeff", " "))
_NORMAL_FORM.update(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d", "-"))
_NORMAL_FORM.update({"\uff0b": "+", "\uff20": "@", "\ufe6b": "@"})
_ABNORMAL = re.compile("[" + "".join(_NORMAL_FORM) + "]")


def _working_copy(text: str) -> str:
    if not text.isascii():
        text = _ABNORMAL.sub(lambda m: _NORMAL_FORM[m.group()], text)
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters lower-case to two characters ("İ" -> "i̇")
        lowered = "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)
    return lowered


# --------------------------------------------------------------------------------------------
# Labels ("context"): a label word within three words of the value, and nothing in between that
# names something else. All patterns here run on the lower-cased working copy.
# --------------------------------------------------------------------------------------------

_WINDOW = 100  # characters searched on either side for a label: room for a label and three words

_AADHAAR_WORDS = r"a{1,2}dh?a{1,2}r|aadhhaar|uidai|uid|आधार"
_CARD_WORDS = r"cards?|debit|credit|कार्ड|डेबिट|क्रेडिट"
_PAN_WORDS = r"pan|पैन|permanent\s+account\s+number"
_BANK_ACCOUNT_WORDS = r"accounts?|acount|accnt|acct|acc|a/c|a\\c|khata|khaata|khate|khaate|खाता|खाते"
_ACCOUNT_WORDS = (
    rf"{_BANK_ACCOUNT_WORDS}"
    r"|loan|lan|ref|reference|refrence|emi|order|agreement|contract|utr|txn|transaction"
)
_PHONE_WORDS = r"mobile|mob|phone|ph|fone|cell|contact|whatsapp|call|landline|मोबाइल|फोन|फ़ोन"
_MONEY_WORDS = (
    r"rs|inr|rupees?|rupaye|rupay|rupaiye|rupiya|₹|amount|amt|balance|bal|outstanding|dues?"
    r"|lakh|lac|crore|रुपये|रुपए|रुपया"
)


@dataclass(frozen=True, slots=True)
class _Context:
    """Finds a label just before or just after a span of the working copy."""

    before: re.Pattern[str]
    after: re.Pattern[str]

    def near(self, work: str, start: int, end: int) -> bool:
        return bool(
            self.before.search(work, max(0, start - _WINDOW), start)
            or self.after.match(work, end, end + _WINDOW)
        )


def _context(labels: str, blockers: str) -> _Context:
    # A word is a run of non-space characters without digits, "@", placeholder brackets, taken text
    # or clause punctuation, and must not start with a blocker word. Possessive, so the gap never
    # backtracks into a word. After the value a "." ends the clause too ("... 98765 43210. Account
    # ..."); before it, "." is part of "no." / "A/C No.".
    blocked = rf"(?!(?:{blockers})(?![a-z]))"
    word_before = rf"{blocked}[^\s0-9@\[\],;!?|\u0964{_FILL}]{{1,24}}+"
    word_after = rf"{blocked}[^\s0-9@\[\],;!?|\u0964.{_FILL}]{{1,24}}+"
    label = rf"(?<![a-z])(?:{labels})(?![a-z])"
    return _Context(
        before=re.compile(rf"{label}(?:\s*+{word_before}){{0,3}}\s*+\Z", re.ASCII),
        after=re.compile(rf"(?:\s*+{word_after}){{0,3}}\s*+[(\"':-]*{label}", re.ASCII),
    )


_AADHAAR_CONTEXT = _context(_AADHAAR_WORDS, rf"{_BANK_ACCOUNT_WORDS}|{_PHONE_WORDS}|{_MONEY_WORDS}|pan")
_CARD_CONTEXT = _context(
    _CARD_WORDS, rf"{_AADHAAR_WORDS}|{_BANK_ACCOUNT_WORDS}|{_PHONE_WORDS}|{_MONEY_WORDS}"
)
_PAN_CONTEXT = _context(_PAN_WORDS, rf"{_PHONE_WORDS}|{_AADHAAR_WORDS}")
_ACCOUNT_CONTEXT = _context(
    _ACCOUNT_WORDS, rf"{_PHONE_WORDS}|{_AADHAAR_WORDS}|{_CARD_WORDS}|{_MONEY_WORDS}|pan|पैन"
)

_MONEY_BEFORE = re.compile(r"(?<![a-z])(?:rs\.?|inr|rupees?|₹)\s*\Z")
_MONEY_AFTER = re.compile(
    r"\s*(?:/-|₹|(?:rs|inr|rupees?|rupaye|rupay|rupaiye|rupiya|lakh|lac|crore|रुपये|रुपए)(?![a-z]))"
)

# --------------------------------------------------------------------------------------------
# Candidate patterns (on the working copy) and their validators. A validator returns the span to
# redact, or None to leave the candidate alone.
# --------------------------------------------------------------------------------------------

_Span = tuple[int, int]
_Validator = Callable[[str, re.Match[str]], _Span | None]

# -- email and UPI ---------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![a-z0-9._%+-])[a-z0-9_%+-](?:[a-z0-9._%+-]{0,254}[a-z0-9_%+-])?"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?![a-z])"
)
_UPI = re.compile(
    r"(?<![a-z0-9._-])[a-z0-9_-](?:[a-z0-9._-]{0,254}[a-z0-9_-])?@[a-z][a-z0-9]{1,63}(?![a-z0-9])(?!\.[a-z])"
)

_PSP_HANDLES = (  # the part after "@" of a UPI id, for the spoken "... at the rate okaxis"
    r"ybl|ibl|axl|okaxis|okhdfcbank|okicici|oksbi|okbizaxis|paytm|pthdfc|ptaxis|ptsbi|ptyes|upi|apl|yapl"
    r"|rapl|axisbank|axisb|icici|sbi|hdfcbank|kotak|kmbl|ikwik|freecharge|airtel|airtelpaymentsbank|jio"
    r"|idfcbank|idfcfirst|indus|pnb|boi|barodampay|cnrb|unionbank|aubank|federal|yesbank|yesbankltd|yespay"
    r"|superyes|waicici|waaxis|wahdfcbank|wasbi|jupiteraxis|fam|slice|abfspay|dbs|citi|hsbc|rbl|kbl"
    r"|equitas|ujjivan"
)
_MAIL_PROVIDERS = (
    r"gmail|googlemail|yahoo|ymail|hotmail|outlook|live|rediffmail|rediff|icloud|protonmail|proton|zoho"
)
_TLDS = r"com|in|net|org|co|edu|gov|info|biz|io|me|ac|uk|us"
_SPOKEN_DOT = r"(?:\s?\.\s?|\s+dot\s+)"
_SPOKEN_AT_RATE = r"(?:\s*@\s*|\s+at\s*(?:(?:the|da|di|d)\s*)?rate(?:\s+of)?\s+)"
_SPOKEN_LOCAL = r"(?<![a-z0-9._%+-])[a-z0-9_%+-]{1,64}(?:(?:\.|\s+dot\s+)[a-z0-9_%+-]{1,64}){0,4}"
_SPOKEN_EMAIL = re.compile(
    rf"{_SPOKEN_LOCAL}(?:{_SPOKEN_AT_RATE}|\s+at\s+(?=(?:{_MAIL_PROVIDERS})(?![a-z])))"
    rf"[a-z0-9-]{{1,63}}(?:{_SPOKEN_DOT}[a-z0-9-]{{1,63}}){{0,3}}{_SPOKEN_DOT}(?:{_TLDS})(?![a-z0-9])",
    re.ASCII,
)
_SPOKEN_UPI = re.compile(
    rf"{_SPOKEN_LOCAL}{_SPOKEN_AT_RATE}(?:{_PSP_HANDLES})"
    r"(?![a-z0-9])(?!\.[a-z])",
    re.ASCII,
)

# -- numbers ---------------------------------------------------------------------------------

_MOBILE = (
    r"(?:(?:\(?(?:\+|00)[ ]?91\)?|91)[ -]?(?:\(0\)[ ]?|0[ -]?)?|0[ -]?)?"  # +91 / 0091 / 91 / 0
    r"(?:[6-9][0-9]{9}"
    r"|[6-9][0-9]{4}[ -][0-9]{5}"  # 98765 43210
    r"|[6-9][0-9]{2}[ -][0-9]{3}[ -][0-9]{4}"  # 987 654 3210
    r"|[6-9][0-9]{3}[ -][0-9]{3}[ -][0-9]{3}"  # 9876 543 210
    r"|[6-9][0-9]{3}[ -][0-9]{6}"  # 9876 543210
    r"|[6-9][0-9][ -][0-9]{4}[ -][0-9]{4}"  # 98 7654 3210
    r"|[6-9][0-9](?:[ -][0-9]{2}){4}"  # 98 76 54 32 10
    r"|[6-9](?:[ -][0-9]){9})"  # 9 8 7 6 5 4 3 2 1 0
)
_LANDLINE = (
    r"(?:\(?(?:\+|00)[ ]?91\)?[ -]?\(?0?|\(?0)"  # +91 / 0091 / trunk 0, STD code maybe in brackets
    r"(?:[1-9][0-9]\)?[ -]?(?:[2-9][0-9]{7}|[2-9][0-9]{3}[ -][0-9]{4})"  # 2-digit STD + 8
    r"|[1-9][0-9]{2}\)?[ -]?(?:[2-9][0-9]{6}|[2-9][0-9]{2}[ -][0-9]{4})"  # 3-digit STD + 7
    r"|[1-9][0-9]{3}\)?[ -]?(?:[2-9][0-9]{5}|[2-9][0-9]{2}[ -][0-9]{3}))"  # 4-digit STD + 6
)
_PHONE = re.compile(rf"(?<![0-9])(?:{_MOBILE}|{_LANDLINE})(?![0-9])")
_CARD = re.compile(
    r"(?<![0-9])(?:[0-9]{13,19}"
    r"|[0-9]{4}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,4})?"  # 4-4-4-4, 4-4-4-4-3, 4-4-4-1 ...
    r"|[0-9]{4}[ -][0-9]{6}[ -][0-9]{4,5})(?![0-9])"  # Amex 4-6-5, Diners 4-6-4
)
# twelve digits, not a slice of a longer run of digit groups ("4111 1111 1111 1111")
_TWELVE_DIGITS = re.compile(r"(?<![0-9])(?<![0-9][ -])[0-9](?:[ -]?[0-9]){11}(?![0-9])(?![ -][0-9])")
# ... or sixteen: the Aadhaar Virtual ID, only taken next to an Aadhaar label
_TWELVE_OR_SIXTEEN_DIGITS = re.compile(
    r"(?<![0-9])(?<![0-9][ -])[0-9](?:[ -]?[0-9]){11}(?:(?:[ -]?[0-9]){4})?(?![0-9])(?![ -][0-9])"
)
_AADHAAR_GROUPED = re.compile(r"[2-9][0-9]{3}[ -][0-9]{4}[ -][0-9]{4}")
_GROUP_BEFORE = re.compile(r"[0-9]{4}[ -]\Z")
_GROUP_AFTER = re.compile(r"[ -][0-9]{4}(?![0-9])")
_YEARS = re.compile(r"(?:19|20)[0-9]{2}[ -](?:19|20)[0-9]{2}[ -](?:19|20)[0-9]{2}")
_ACCOUNT_NUMBER = re.compile(
    r"(?<![0-9])(?:[0-9]{9,18}"
    r"|[0-9]{4}(?:[ -][0-9]{4}){2,4}(?:[ -][0-9]{1,3})?"  # read out in fours, maybe a short tail
    r"|[0-9]{3,6}(?:[ -][0-9]{3,6}){1,5})(?![0-9])"
)
_ACCOUNT_ID = re.compile(
    r"(?<![a-z0-9/-])[a-z]{1,8}(?:[/-][a-z]{1,8}){0,3}[/-]?[0-9][a-z0-9/-]{0,28}(?![a-z0-9/-])"
)
_IFSC = re.compile(r"[a-z]{4}0[a-z0-9]{6}")
_PAN = re.compile(r"(?<![a-z])[a-z]{5}[ -]?[0-9]{4}[ -]?[a-z](?![a-z])")
_PAN_HOLDER_TYPES = frozenset("pchfatbljg")
_DIGIT_RUN = re.compile(r"[0-9]+")
_NOT_DIGITS = re.compile(r"[^0-9]+")
_NOT_LETTERS = re.compile(r"[^a-z]+")


def _whole(work: str, m: re.Match[str]) -> _Span | None:
    return m.span()


def _masked(letters: str) -> bool:
    """True for masking letters, "xxxxx" in "XXXXX1234X" or "XXXXXX1234"."""
    return not letters.strip("x")


def _prefixed_phone(work: str, start: int, end: int) -> bool:
    """True when start:end is the number of a phone whose "+91 " / "0091 " / "91-" comes before it."""
    phone = _PHONE.search(work, max(0, start - 8), end)
    return phone is not None and phone.start() < start and phone.end() == end


def _leading_groups(m: re.Match[str]) -> Iterator[tuple[str, int]]:
    """The digits of ever fewer leading digit groups of a match, and where they end; longest first.

    A greedy run of groups can take in a neighbour ("4111 1111 1111 1111 2026"); trying shorter
    runs finds the card inside instead of rejecting the lot.
    """
    groups = list(_DIGIT_RUN.finditer(m.group()))
    for k in range(len(groups), 0, -1):
        yield "".join(g.group() for g in groups[:k]), m.start() + groups[k - 1].end()


def _aadhaar_labelled(work: str, m: re.Match[str]) -> _Span | None:
    start, end = m.span()
    if _prefixed_phone(work, start, end):
        return None
    return (start, end) if _AADHAAR_CONTEXT.near(work, start, end) else None


def _aadhaar_unlabelled(work: str, m: re.Match[str]) -> _Span | None:
    raw = m.group()
    if raw[0] in "01":
        return None
    start, end = m.span()
    if _AADHAAR_GROUPED.fullmatch(raw):
        # 4-4-4 on its own, not a slice of a longer run of four-digit groups (a card failing Luhn)
        if _GROUP_BEFORE.search(work, max(0, start - 5), start) or _GROUP_AFTER.match(work, end):
            return None
        if _YEARS.fullmatch(raw):  # "2026 2027 2028"
            return None
        return start, end
    return (start, end) if verhoeff_ok(_NOT_DIGITS.sub("", raw)) else None


def _card_span(m: re.Match[str], *, luhn: bool) -> _Span | None:
    for digits, end in _leading_groups(m):
        if len(digits) < 13:
            break
        if len(digits) <= 19 and (not luhn or luhn_ok(digits)):
            return m.start(), end
    return None


def _card_unlabelled(work: str, m: re.Match[str]) -> _Span | None:
    # No card number starts with 0; "0091 98765 43210" run together is a phone.
    return None if m.group().startswith("0") else _card_span(m, luhn=True)


def _card_labelled(work: str, m: re.Match[str]) -> _Span | None:
    span = _card_span(m, luhn=False)
    return span if span and _CARD_CONTEXT.near(work, *span) else None


def _pan(work: str, m: re.Match[str]) -> _Span | None:
    raw = m.group()
    if _masked(raw[:5]):
        return None
    if raw.isalnum() and raw[3] in _PAN_HOLDER_TYPES:
        return m.span()
    return m.span() if _PAN_CONTEXT.near(work, *m.span()) else None


def _is_amount(work: str, start: int, end: int) -> bool:
    return bool(_MONEY_BEFORE.search(work, max(0, start - 10), start) or _MONEY_AFTER.match(work, end))


def _account_number(work: str, m: re.Match[str]) -> _Span | None:
    start, end = m.span()
    if not 9 <= len(_NOT_DIGITS.sub("", m.group())) <= 18:
        return None  # too long for an account: maybe a card, which the card rule will judge
    if _is_amount(work, start, end) or _prefixed_phone(work, start, end):
        return None
    return (start, end) if _ACCOUNT_CONTEXT.near(work, start, end) else None


def _account_id(work: str, m: re.Match[str]) -> _Span | None:
    raw = m.group()
    if len(_NOT_DIGITS.sub("", raw)) < 6 or _IFSC.fullmatch(raw) or _masked(_NOT_LETTERS.sub("", raw)):
        return None
    return m.span() if _ACCOUNT_CONTEXT.near(work, *m.span()) else None


# --------------------------------------------------------------------------------------------
# Scopes: where a rule looks. A cheap scan finds the few stretches of a transcript that could hold
# a value (digit clusters, "@", "at the rate", digits glued to letters); the rules' patterns run
# only there, so a transcript without PII costs a handful of fast scans.
# --------------------------------------------------------------------------------------------

_Scope = Callable[[str], list[_Span]]

# nine digits or more, grouped by spaces, hyphens, brackets or "+" (every number rule needs nine)
_NUMBER_CLUSTER = re.compile(r"[(+0-9](?:[ ()+-]{0,3}[0-9]){8,}[ ()+-]{0,3}")
_PAN_HINT = re.compile(r"[0-9][0-9]{3}[ -]?[a-z](?![a-z])")  # "1234f" ends every PAN
_ID_HINT = re.compile(r"[0-9](?:(?<=[a-z][0-9])|(?<=[a-z][/-][0-9]))(?:[/-]?[0-9]){5}")  # "ln123456"
_AT_SIGN = re.compile("@")
_SPOKEN_HINT = re.compile(rf"at(?:\s*(?:(?:the|da|di|d)\s*)?rate|\s+(?:{_MAIL_PROVIDERS}))")  # literal prefix
_SPACED_AT = re.compile(r"@(?:(?<=\s@)|(?=\s))")  # literal prefix
_UP_TO_LAST_SPACE = re.compile(r".*\s", re.DOTALL)
_TOKEN_END = re.compile(r"\S*")


def _merged(spans: list[_Span]) -> list[_Span]:
    merged: list[_Span] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def _number_clusters(work: str) -> list[_Span]:
    return [m.span() for m in _NUMBER_CLUSTER.finditer(work)]


def _tokens_with(hint: re.Pattern[str], reach: int) -> _Scope:
    """The whitespace-delimited tokens holding a hint (looking back at most ``reach`` characters)."""

    def scope(work: str) -> list[_Span]:
        spans = []
        for m in hint.finditer(work):
            lo = max(0, m.start() - reach)
            before = _UP_TO_LAST_SPACE.match(work, lo, m.start())
            end = _TOKEN_END.match(work, m.end())
            spans.append((before.end() if before else lo, end.end() if end else m.end()))
        return _merged(spans)

    return scope


def _around(hint: re.Pattern[str], back: int, ahead: int) -> _Scope:
    """Stretches around each hint, wide enough for what a rule can match there."""

    def scope(work: str) -> list[_Span]:
        return _merged([(max(0, m.start() - back), m.end() + ahead) for m in hint.finditer(work)])

    return scope


def _spoken(work: str) -> list[_Span]:
    """Around "at the rate", "at gmail" and a spaced "@": room for a spoken local part and domain."""
    hints = [m.span() for m in _SPOKEN_HINT.finditer(work)]
    if "@" in work:
        hints += [m.span() for m in _SPACED_AT.finditer(work)]
    return _merged([(max(0, start - 360), end + 300) for start, end in hints])


_AT_SIGNS = _tokens_with(_AT_SIGN, reach=260)
_PANS = _around(_PAN_HINT, back=6, ahead=0)
_IDS = _tokens_with(_ID_HINT, reach=64)


# --------------------------------------------------------------------------------------------
# Rules, in order: a later rule never sees text an earlier one took
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: str
    scope: _Scope
    pattern: re.Pattern[str]
    validate: _Validator


_RULES: tuple[_Rule, ...] = (
    _Rule("EMAIL", _AT_SIGNS, _EMAIL, _whole),
    _Rule("UPI", _AT_SIGNS, _UPI, _whole),
    _Rule("EMAIL", _spoken, _SPOKEN_EMAIL, _whole),
    _Rule("UPI", _spoken, _SPOKEN_UPI, _whole),
    _Rule("AADHAAR", _number_clusters, _TWELVE_OR_SIXTEEN_DIGITS, _aadhaar_labelled),
    _Rule("CARD", _number_clusters, _CARD, _card_labelled),
    _Rule("PAN", _PANS, _PAN, _pan),
    _Rule("ACCOUNT", _IDS, _ACCOUNT_ID, _account_id),
    _Rule("ACCOUNT", _number_clusters, _ACCOUNT_NUMBER, _account_number),
    _Rule("CARD", _number_clusters, _CARD, _card_unlabelled),
    _Rule("PHONE", _number_clusters, _PHONE, _whole),
    _Rule("AADHAAR", _number_clusters, _TWELVE_DIGITS, _aadhaar_unlabelled),
)
_SCOPES: tuple[_Scope, ...] = tuple(dict.fromkeys(rule.scope for rule in _RULES))


def redact(text: str) -> Redaction:
    """Replace every phone, Aadhaar, PAN, card, account, email and UPI id by its placeholder.

    Never raises on a ``str``; returns the very same string object when nothing is found.
    """
    work = _working_copy(text)
    # Scopes are found once, on the whole working copy: later rules only ever see less of it.
    windows = {scope: scope(work) for scope in _SCOPES}
    found: list[tuple[int, int, str]] = []
    # Taken text is blanked, and a blank bounds a value just as a placeholder does. Running the rules
    # again until they take nothing more therefore makes the result a fixed point: redacting it
    # again changes nothing ("x@y.com9876543210x@y.com": the second address only stands apart once
    # the first is gone). Text without PII takes one round; text with PII usually two.
    taking = True
    while taking:
        taking = False
        for rule in _RULES:
            if not windows[rule.scope]:
                continue
            spans = [
                span
                for lo, hi in windows[rule.scope]
                for m in rule.pattern.finditer(work, lo, hi)
                if (span := rule.validate(work, m))
            ]
            if spans:
                found.extend((start, end, rule.kind) for start, end in spans)
                work = _taken(work, spans)
                taking = True
    if not found:
        return Redaction(text, {})
    found.sort()
    pieces: list[str] = []
    counts = dict.fromkeys(KINDS, 0)
    position = 0
    for start, end, kind in found:
        pieces += (text[position:start], f"[{kind}]")
        counts[kind] += 1
        position = end
    pieces.append(text[position:])
    return Redaction("".join(pieces), {kind: n for kind, n in counts.items() if n})


def redact_text(text: str) -> str:
    """``redact(text).text``: the text with every finding replaced by its placeholder."""
    return redact(text).text


def _taken(work: str, spans: list[_Span]) -> str:
    """Blank out the spans a rule took, so later rules neither see nor straddle them."""
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        pieces += (work[position:start], _FILL * (end - start))
        position = end
    pieces.append(work[position:])
    return "".join(pieces)
