"""Money amounts in Hinglish debt-collection talk, as whole rupees.

Shared by the Gemini and the offline analyzers, so both read "dedh lakh", "15,600/-" or "₹१५,६००"
the same way. Pure: no I/O, regexes compiled once at import (matching runs on the folded text of
``consumer.analyzer.text.fold``).

Amounts (INR, whole rupees)
---------------------------
An *amount phrase* is an optional currency prefix (``Rs``, ``Rs.``, ``₹``, ``INR``, ``रु``), a body and
an optional currency suffix (``rupees``/``rupaye``/``rupaiye``/``rs``/``₹``/``रुपये``/``/-``). The body
is either a number ("15600", "15,600", "1,23,456", "2.5") or a compound of *terms* with strictly
decreasing multipliers, each term a number and a multiplier word: "5k", "2.5k", "1.5 lac", "5 hazaar",
"paanch sau", "dedh lakh", "sawa lakh", "saadhe teen hazaar", "paune do lakh", "2 lakh 50 hazaar",
"ek hazaar paanch sau", "5 hazaar 500", "ek crore", "1 cr", "पांच हजार", "डेढ़ लाख". Numbers are digits
or number words: romanised Hindi 1-99, Devanagari Hindi 1-99, English one..ninety-nine. Fractional
prefixes: sawa +¼, saadhe +½, paune -¼; dedh = 1½, dhai/dhaai = 2½, sawa alone = 1¼, aadha = ½.
A range with a multiplier counts as its upper end ("2-3 hazaar", "do teen hazaar" -> 3000); a range
of bare numbers ("5000-6000") is not read. Values are computed exactly and rounded half-up to whole
rupees ("Rs 99.50" -> 100).

:func:`find_amounts` reports a candidate found in free text when one of these holds:

1. it has a currency marker (prefix or suffix), whatever the number; or
2. it has a multiplier word ("5k", "dedh lakh", "paanch sau") or digit grouping ("15,600",
   "1,23,456"), and is not followed by a non-money unit (date, time, duration, count, percent:
   "tareekh", "din", "baje", "mahine", "saal", "baar", "log", "%", ...); or
3. it is a bare number (no marker, no multiplier, no grouping) that is >= 100, has at most 8 integer
   digits and no leading zero, is not a year (1990-2099 except 2000, unless a payment verb follows
   right after: "25 tareekh ko 1999 bhar dunga"), is not followed by a non-money
   unit, is not part of a phone number, is not right after an identifier word ("account", "number",
   "no", "OTP", "UTR", "ref", ...) or a month name, and has a payment word ("bhar", "pay", "jama",
   "dunga", "bhej", "EMI", "amount", "kisht", "baki", "due", "outstanding", "rupaye", "settlement",
   "जमा", "दूंगा", ...) within 4 tokens before or after it in the same sentence.

So "5 tareekh", "2 din", "3 baje", "EMI 3", "2026", "9876543210", "account 123456 ka due" and "18%"
are never amounts, while "15,600", "5000 bhar dunga", "EMI 3500" and "5 hazaar" are.

:func:`parse_amount` is for a string the caller already knows is one amount (e.g. an LLM's output
field): if the whole string is one amount phrase it is accepted even as a bare number ("2026",
"5"); otherwise the amounts in it are found as above but without needing payment words (rule 3's
context requirement is dropped), and a single distinct value is returned, else ``None``.

"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from consumer.analyzer.text.fold import (
    NOT_AFTER_NUM,
    NOT_BEFORE_NUM,
    SENTENCE_BREAK,
    WORD_CLASS,
    WORD_END,
    WORD_START,
    alt,
    first_chars,
    fold,
    phrase_key,
    table,
)
from consumer.analyzer.text.matcher import Index, starts
from consumer.analyzer.text.numbers import (
    DEC_RE,
    DIGIT_UNITS,
    EN_COMPOUND_RE,
    FRAC_PREFIX_RE,
    FRAC_SOLO_RE,
    FRACTION_PREFIX,
    FRACTION_SOLO,
    NUMBER_WORDS,
    UNIT_RE,
    UNITS,
    WORDNUM_RE,
    word_number,
)

__all__ = ["AmountMatch", "find_amounts", "find_amounts_and_bare", "parse_amount"]


@dataclass(frozen=True, slots=True)
class AmountMatch:
    """One amount found in a text: its value in whole rupees and where it is (``text[start:end]``)."""

    value: int
    start: int
    end: int
    text: str


_PREFIXES: Final = ("rs", "rs.", "inr", "₹", "rupees", "rupee", "रु", "रु.", "रुपये")
_SUFFIXES: Final = (
    *("rs", "rs.", "inr", "rupees", "rupee", "rupay", "rupaye", "rupaiye", "rupaiya", "rupaiyaa", "rupaya"),
    *("rupiya", "rupiye", "rupye", "rupya", "rupe", "ruppees", "ruppee", "rupiyaa", "rupyee", "ruppaye"),
    *("रुपये", "रुपए", "रूपये", "रूपए", "रुपया", "रुपैया", "रु", "रु."),
)
_PREFIX_RE: Final = alt(_PREFIXES)
_SUFFIX_CORE: Final = rf"(?:{alt(_SUFFIXES)}{WORD_END}|₹)"
# Giving words after a lone multiplier that make it one of them ("hazaar de denge", "हजार भर दूंगी").
_GIVE_AFTER: Final = alt(
    ("de", "dunga", "dungi", "denge", "bhar", "bhej", "jama", "दे", "दूंगा", "दूंगी", "देंगे", "भर", "भेज", "जमा")
)


def _term_pattern(named: bool) -> str:
    """One "number x multiplier" term ("5k", "saadhe teen hazaar", "dedh lakh"); group names only
    for the copy that evaluates a matched body term by term."""

    def g(name: str, pat: str) -> str:
        return f"(?P<{name}>{pat})" if named else f"(?:{pat})"

    return (
        rf"(?:(?:{g('fp', FRAC_PREFIX_RE)}\s+)?"
        rf"(?:{g('dec', DEC_RE)}(?:\s?{g('du', 'k|l')}|\s*{g('u1', UNIT_RE)})"
        rf"|{g('w', WORDNUM_RE)}\s+{g('u2', UNIT_RE)}){WORD_END}"
        rf"|{g('solo', FRAC_SOLO_RE)}\s+{g('u3', UNIT_RE)}{WORD_END})"
    )


def _rest_pattern(named: bool) -> str:
    """The units left after a thousand or a hundred ("5 hazaar *500*", "paanch sau *pachas*")."""
    words = alt(w for w in NUMBER_WORDS if w not in {"do", "a"})  # "do hazaar do": "do" is "give"
    words = f"(?:{EN_COMPOUND_RE}|{words})"  # "seven hundred forty nine"
    digits, word = (r"(?P<rd>[1-9][0-9]{0,2})", f"(?P<rw>{words})") if named else (r"[1-9][0-9]{0,2}", words)
    return rf"\s+(?:(?:aur|and|और)\s+)?(?:{digits}{NOT_BEFORE_NUM}|{word}){WORD_END}"


_JOIN_RE: Final = re.compile(r"\s+(?:(?:aur|and|&|और)\s+)?")
_TERM_RE: Final = re.compile(_term_pattern(named=True))
_REST_RE: Final = re.compile(_rest_pattern(named=True))
_TERM: Final = _term_pattern(named=False)
_AMOUNT_RE: Final = re.compile(
    rf"{WORD_START}{NOT_AFTER_NUM}"
    rf"(?:(?P<pre>{_PREFIX_RE})\s*)?"
    # "2-3 hazaar", "2 se 3 lakh": a range counts as its upper end (only with a multiplier)
    rf"(?:(?P<range>[0-9]{{1,3}}(?:\.[0-9]{{1,2}})?)\s*(?:-|–|\s(?:to|se|ya|or)\s)\s*(?=[0-9]))?"
    rf"(?P<body>{_TERM}(?:{_JOIN_RE.pattern}{_TERM})*(?:{_rest_pattern(named=False)})?"
    # "sau rupaye", "hazaar rupaye", "hazaar de denge": one of them
    rf"|(?P<implied>{UNIT_RE}){WORD_END}(?=\s*(?:{_SUFFIX_CORE}|{_GIVE_AFTER}{WORD_END}))"
    rf"|(?P<num>{DEC_RE}))"
    rf"{NOT_BEFORE_NUM}"
    rf"(?P<suf>\s*{_SUFFIX_CORE}(?:\s*/-)?|\s*/-)?"
    rf"(?(suf)|{WORD_END})"
)
# Every amount phrase has a digit or a multiplier word: a text with neither has no amount.
_AMOUNT_GATE: Final = re.compile("|".join([*"0123456789", *first_chars(UNITS)]))
# Where an amount phrase may start: the words (or digits, or "₹") it can begin with.
_AMOUNT_INDEX: Final = Index(whole_words=True)
_AMOUNT_ID: Final = _AMOUNT_INDEX.add(_AMOUNT_RE)

# A unit after a number that makes it a date, time, duration, count or percentage, not money.
_NON_MONEY_UNITS: Final = (
    *("tareekh", "tarikh", "taarikh", "tarik", "tareek", "tarrikh", "date", "din", "dino", "dinon", "day"),
    *("days", "baje", "bje", "bajey", "baj", "o'clock", "oclock", "am", "pm", "ghante", "ghanta", "ghanton"),
    *("hour", "hours", "hr", "hrs", "minute", "minutes", "min", "mins", "mint", "second", "seconds", "sec"),
    *("mahine", "mahina", "mahino", "mahinon", "month", "months", "saal", "sal", "year", "years", "yrs"),
    *("hafte", "hafta", "hafton", "week", "weeks", "baar", "bar", "times", "log", "logo", "logon", "people"),
    *("percent", "per cent", "pratishat", "prashat", "km", "kg", "gm", "gram", "grams", "st", "nd", "rd"),
    *("th", "तारीख", "तारिख", "दिन", "दिनों", "बजे", "घंटे", "घंटा", "मिनट", "महीने", "महीना", "साल"),
    *("वर्ष", "हफ्ते", "हफ्ता", "बार", "लोग", "प्रतिशत"),
)
# "3100 month end tak": the month's end is the day, not a count of months.
_MONTH_END: Final = r"(?:month|mahine|mahina|महीने|महीना)[\s-]+(?:ke\s+|के\s+)?(?:end|aakhir|akhir|अंत|आखिर)"
_NON_MONEY_AFTER: Final = re.compile(rf"\s*(?:%|(?!{_MONTH_END}){alt(_NON_MONEY_UNITS)}{WORD_END})")
# A unit right after a number: "5 hazaar *2 lakh*" is two amounts, "5 hazaar *2 din*" no rest at all.
UNIT_AFTER: Final = re.compile(rf"{_NON_MONEY_AFTER.pattern}|\s*(?:{UNIT_RE}|k|l){WORD_END}")

MONTH_NAMES: Final = table(
    {
        1: ("january", "jan", "janvari", "janwari", "जनवरी"),
        2: ("february", "feb", "farvari", "farwari", "फरवरी", "फ़रवरी"),
        3: ("march", "mar", "मार्च"),
        4: ("april", "apr", "aprail", "अप्रैल"),
        5: ("may", "मई"),
        6: ("june", "jun", "जून"),
        7: ("july", "jul", "julai", "जुलाई"),
        8: ("august", "aug", "agast", "अगस्त"),
        9: ("september", "sept", "sep", "sitambar", "सितंबर", "सितम्बर"),
        10: ("october", "oct", "aktubar", "अक्टूबर", "अक्तूबर"),
        11: ("november", "nov", "navambar", "नवंबर", "नवम्बर"),
        12: ("december", "dec", "disambar", "दिसंबर", "दिसम्बर"),
    }
)
MONTH_RE: Final = alt(MONTH_NAMES)

# The one or two words right before a bare number that make it an identifier or a year.
_IDENTIFIER_WORDS: Final = (
    *("account", "acct", "acc", "a/c", "ac", "number", "no", "no.", "num", "nmbr", "nbr", "id", "ref"),
    *("reference", "utr", "txn", "transaction", "order", "ticket", "case", "otp", "pin", "pincode", "mobile"),
    *("phone", "contact", "whatsapp", "flat", "house", "plot", "sector", "room", "code", "cif", "policy"),
    *("aadhaar", "aadhar", "pan", "year", "saal", "san", "since", "खाता", "नंबर", "नम्बर", "सन", "साल"),
)
_NOT_AMOUNT_BEFORE: Final = re.compile(rf"#|{WORD_START}(?:{alt(_IDENTIFIER_WORDS)}|{MONTH_RE}){WORD_END}")

# Words that make a nearby bare number money: stems (any ending) and whole words.
_PAY_STEMS: Final = (
    *("bhar", "pay", "paid", "jama", "bhej", "transfer", "emi", "amount", "amt", "instal", "kisht", "kist"),
    *("baki", "baaki", "bakaya", "balance", "due", "outstanding", "overdue", "pending", "rupa", "rupe"),
    *("rupy", "rupi", "paisa", "paise", "paison", "pese", "settle", "clear", "total", "charge", "penalt"),
    *("fee", "cash", "upi", "neft", "imps", "rtgs", "deposit", "rakam", "raashi", "rashi", "bhugtan", "loan"),
    *("bill", "salary", "income", "kamai", "offer", "discount", "waiv", "close", "closure", "foreclos"),
    *("monthly", "mahine", "mahina"),
    *("principal", "interest", "byaj", "byaaj", "chuka", "debit", "credit", "gpay", "phonepe", "paytm"),
    *("send", "sent", "give", "जमा", "भर", "भेज", "किस्त", "बकाया", "रकम", "राशि", "भुगतान", "पैस", "रुप"),
    *("रूप", "बाकी", "ईएमआई", "लोन", "पेमेंट", "चुका", "दूंग", "देंग", "दिया", "दिए"),
)
_PAY_WORDS: Final = (
    *("de", "dena", "dedo", "dijiye", "dijie", "dunga", "dungi", "doonga", "doongi", "denge", "dega"),
    *("degi", "diya", "diye", "dia", "karunga", "karungi", "karenge", "दे", "दो"),
    *("deta", "deti", "dete", "debo", "dibo", "dinda", "dindi", "deto"),  # "kar deta", "diye debo"
)
_PAY_CONTEXT: Final = re.compile(
    rf"{WORD_START}(?:{alt(_PAY_STEMS)}[{WORD_CLASS}]*|{alt(_PAY_WORDS)}{WORD_END})"
)
_CONTEXT_TOKENS: Final = 4
_CONTEXT_CHARS: Final = 64

# Indian mobile numbers ("9876543210", "+91 98765 43210", "098765-43210") and any 9+ digit run.
_MOBILE: Final = r"[6-9][0-9]{4}[\s-]?[0-9]{5}(?![0-9])"
_PHONE_RE: Final = re.compile(rf"\+91[\s-]?{_MOBILE}|91[\s-]?{_MOBILE}|0{_MOBILE}|{_MOBILE}|[0-9]{{9,}}")
_PHONE_REACH: Final = 20  # a phone number is at most this long around a number in it


@dataclass(frozen=True, slots=True)
class _Candidate:
    """An amount phrase before the acceptance rules: value, span and what makes it money."""

    value: Decimal
    start: int
    end: int
    body_start: int
    body_end: int
    marker: bool  # a currency prefix or suffix
    strong: bool  # a multiplier word or digit grouping
    raw: str  # the bare number as written, for the digit checks ("" when not bare)


def _term_value(t: re.Match[str]) -> tuple[Decimal, int]:
    """(number, multiplier) of one matched term."""
    fp = t.group("fp")
    adjust = FRACTION_PREFIX[phrase_key(fp)] if fp else Decimal(0)
    if (dec := t.group("dec")) is not None:
        du = t.group("du")
        unit = DIGIT_UNITS[du] if du else UNITS[phrase_key(t.group("u1"))]
        return Decimal(dec.replace(",", "")) + adjust, unit
    if (w := t.group("w")) is not None:
        return Decimal(word_number(w)) + adjust, UNITS[phrase_key(t.group("u2"))]
    return FRACTION_SOLO[phrase_key(t.group("solo"))], UNITS[phrase_key(t.group("u3"))]


def _compound(norm: str, pos: int, limit: int) -> tuple[Decimal, int]:
    """Value and end of the terms from ``pos`` while multipliers strictly decrease ("2 lakh 50
    hazaar"); stops early at "5 hazaar 2 lakh" so the rest is read as an amount of its own."""
    total, end, last_unit = Decimal(0), pos, 0
    while (t := _TERM_RE.match(norm, pos)) is not None and t.end() <= limit:
        number, unit = _term_value(t)
        if last_unit and unit >= last_unit:
            break
        total, end, last_unit = total + number * unit, t.end(), unit
        pos = j.end() if (j := _JOIN_RE.match(norm, end)) else end
    if last_unit in (100, 1000) and end < limit and (r := _REST_RE.match(norm, end)) and r.end() <= limit:
        rest = int(r.group("rd")) if r.group("rd") else word_number(r.group("rw"))
        if rest < last_unit and not UNIT_AFTER.match(norm, r.end()):
            total, end = total + rest, r.end()
    return total, end


def _candidate(norm: str, m: re.Match[str]) -> _Candidate | None:
    """The amount a master-regex match stands for (its body may end early, see :func:`_compound`)."""
    body_start, body_end = m.span("body")
    raw = ""
    if (num := m.group("num")) is not None:
        if m.group("range") is not None:
            return None  # "5000-6000", "2 to 5000": not a range of amounts we read
        value, end, strong = Decimal(num.replace(",", "")), body_end, "," in num
        raw = "" if strong else num
    elif (implied := m.group("implied")) is not None:
        value, end, strong = Decimal(UNITS[phrase_key(implied)]), body_end, True
    else:
        value, end = _compound(norm, body_start, body_end)
        strong = True
        if end <= body_start:
            return None
    whole = end == body_end
    marker = m.group("pre") is not None or (whole and m.group("suf") is not None)
    return _Candidate(value, m.start(), m.end() if whole else end, body_start, end, marker, strong, raw)


def _candidates(norm: str) -> Iterator[_Candidate]:
    """Every amount phrase in folded text, left to right, not overlapping."""
    taken = 0
    for pos in starts(_AMOUNT_INDEX.candidates(norm).get(_AMOUNT_ID, []), len(norm)):
        if pos < taken:
            continue
        if (m := _AMOUNT_RE.match(norm, pos)) is not None and (c := _candidate(norm, m)) is not None:
            yield c
            taken = c.end


def _in_phone_number(norm: str, start: int, end: int) -> bool:
    """Whether ``norm[start:end]`` is part of a phone number (or of a 9+ digit number)."""
    for m in _PHONE_RE.finditer(norm, max(0, start - _PHONE_REACH), end + _PHONE_REACH):
        if m.start() < end and start < m.end():
            return True
    return False


def _words_before(norm: str, pos: int) -> list[str]:
    """The words (up to :data:`_CONTEXT_CHARS` back) before ``pos`` in the same sentence."""
    window = norm[max(0, pos - _CONTEXT_CHARS) : pos]
    breaks = [b.end() for b in SENTENCE_BREAK.finditer(window)]
    return (window[breaks[-1] :] if breaks else window).split()


def _words_after(norm: str, pos: int) -> list[str]:
    """The words (up to :data:`_CONTEXT_CHARS` on) after ``pos`` in the same sentence."""
    window = norm[pos : pos + _CONTEXT_CHARS]
    b = SENTENCE_BREAK.search(window)
    return (window if b is None else window[: b.start()]).split()


# A payment verb right after a year-like number makes it money: "25 tareekh ko 1999 daal dunga".
_PAID_RIGHT_AFTER: Final = re.compile(
    rf"\s+(?:{alt(('daal', 'dal', 'bhar', 'jama', 'bhej', 'pay', 'transfer', 'de', 'dunga', 'dungi'))}"
    rf"|{alt(('denge', 'deta', 'deti', 'kar dunga', 'kar dungi', 'kar denge'))}"
    rf"|{alt(('जमा', 'भर', 'दे', 'दूंगा'))}){WORD_END}"
)


def _is_year(value: Decimal, raw: str) -> bool:
    """A bare 4-digit 1990-2099 is a year ("loan 2019 mein liya"); 2000 is also a round amount."""
    return len(raw) == 4 and 1990 <= value <= 2099 and value != 2000


def _accept(norm: str, c: _Candidate, need_context: bool) -> bool:
    """Whether a candidate is money (the rules in the module docstring)."""
    verdict = _verdict(norm, c)
    if isinstance(verdict, bool):
        return verdict
    return not need_context or _pay_context(norm, c, verdict)


def _verdict(norm: str, c: _Candidate) -> bool | list[str]:
    """Whether a candidate is money by every rule but rule 3's payment words; for a bare number
    that only those words can decide, the words before it instead (what they are read in)."""
    if c.marker:
        return True
    if _NON_MONEY_AFTER.match(norm, c.body_end):
        return False
    if c.strong:
        return True
    digits = c.raw.split(".")[0]
    if c.value < 100 or len(digits) > 8 or digits.startswith("0"):
        return False
    if _is_year(c.value, c.raw) and not _PAID_RIGHT_AFTER.match(norm, c.body_end):
        return False
    if len(digits) >= 5 and _in_phone_number(norm, c.start, c.end):  # "98765 43210": two 5-digit halves
        return False
    before = _words_before(norm, c.start)
    if _NOT_AMOUNT_BEFORE.search(" ".join(before[-2:])):
        return False
    return before


def _pay_context(norm: str, c: _Candidate, before: list[str]) -> bool:
    """Whether payment words are next to a bare number (rule 3), ``before`` being the words before it."""
    return bool(
        _PAY_CONTEXT.search(" ".join(before[-_CONTEXT_TOKENS:]))
        or _PAY_CONTEXT.search(" ".join(_words_after(norm, c.end)[:_CONTEXT_TOKENS]))
    )


def _rupees(value: Decimal) -> int:
    """Whole rupees, rounded half-up."""
    return max(0, int(value.to_integral_value(rounding=ROUND_HALF_UP)))


def _find(text: str, need_context: bool) -> list[AmountMatch]:
    norm = fold(text)
    if _AMOUNT_GATE.search(norm) is None:
        return []
    return [
        AmountMatch(_rupees(c.value), c.start, c.end, text[c.start : c.end])
        for c in _candidates(norm)
        if _accept(norm, c, need_context)
    ]


def find_amounts_and_bare(text: str) -> tuple[list[AmountMatch], list[AmountMatch]]:
    """``find_amounts(text)``, and the bare numbers that only ``need_context=False`` adds (those
    without payment words nearby), from one reading of ``text``: together, in order, they are
    ``find_amounts(text, need_context=False)``. For a caller that wants both."""
    if not text:
        return [], []
    norm = fold(text)
    if _AMOUNT_GATE.search(norm) is None:
        return [], []
    money: list[AmountMatch] = []
    bare: list[AmountMatch] = []
    for c in _candidates(norm):
        verdict = _verdict(norm, c)
        if verdict is False:
            continue
        found = AmountMatch(_rupees(c.value), c.start, c.end, text[c.start : c.end])
        (money if verdict is True or _pay_context(norm, c, verdict) else bare).append(found)
    return money, bare


def find_amounts(text: str, *, need_context: bool = True) -> list[AmountMatch]:
    """Every rupee amount mentioned in ``text``, in order ("Sir main 5 tareekh ko 15,600 bhar dunga"
    -> one match, 15600 at "15,600"). Bare numbers count only with payment words nearby; see the
    module docstring for the exact rule. ``need_context=False`` drops that one requirement (rule 3's
    payment words), for a caller that knows from elsewhere that a number is money ("2100" said back
    by a borrower after the agent's "EMI 2100"). Never raises."""
    if not text:
        return []
    return _find(text, need_context=need_context)


def parse_amount(text: str) -> int | None:
    """The rupee value of a single amount phrase ("Rs. 5,000" -> 5000, "dedh lakh" -> 150000,
    "₹१५,६००" -> 15600, "15600" -> 15600), or ``None`` when there is none or several differing ones.

    A string that is one amount phrase throughout (surrounding spaces and final punctuation aside)
    is accepted even as a bare number; otherwise amounts are searched like :func:`find_amounts`
    without requiring payment words ("approx 15600 total" -> 15600, "5 tareekh" -> None)."""
    if not text:
        return None
    norm = fold(text).strip().rstrip(" .,;:!?")
    m = _AMOUNT_RE.fullmatch(norm)
    if m is not None and (c := _candidate(norm, m)) is not None and c.end == len(norm):
        return _rupees(c.value)
    values = {a.value for a in _find(text, need_context=False)}
    return values.pop() if len(values) == 1 else None
