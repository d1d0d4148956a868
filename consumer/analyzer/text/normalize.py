"""Money amounts and promised dates in Hinglish debt-collection talk, as numbers and calendar dates.

Shared by the Gemini and the offline analyzers, so both read "dedh lakh", "15,600/-", "₹१५,६००",
"agle mahine 5 tareekh ko" or "परसों" the same way. Everything here is pure: no I/O, no network, no
clock (except :func:`to_ist` given ``None``), regexes compiled once at import. A typical 200-character
utterance costs a few tens of microseconds per call.

Text handling
-------------
Matching runs on a *folded* copy of the text that has exactly the same length as the input, so every
reported ``start``/``end`` indexes the caller's string: lower case, Devanagari digits as ASCII digits
("५००० जमा" -> "5000 जमा"), chandrabindu as anusvara ("पाँच" -> "पांच") and precomposed nukta letters
as their base letter ("हज़ार" -> "हजार"); a decomposed nukta (U+093C) is accepted by every Devanagari
pattern instead of being removed. Every date and amount pattern must start a word, and is tried
only where a word it can begin with (derived from the pattern by ``consumer.analyzer.text.matcher``), a number
or a "₹" starts: never at every position.

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

Dates
-----
The anchor is the call time (``call_started_at or now``). It is converted to IST before its date is
taken (a naive anchor is taken to be IST already), so 20:00 UTC is the next calendar day. Phrases and
what they resolve to (``kind`` in brackets):

- aaj/today/this evening/this afternoon/आज +0, kal/kaal/tomorrow/कल/udya (Marathi) +1, parso/day after
  tomorrow/परसों +2, narso +3, yesterday -1 [relative]. Hindi "kal" and "parso" mean both directions; they
  are read as future (the promise sense) unless a simple past-tense marker ("tha", "thi", "kiya", "kar
  diya", "ho gaya", "bheja", "किया", "हो गया" ...) follows in the same clause, or precedes it there with no
  future-tense verb ("dunga", "karenge", "hoga", "will" ...) after it: "kal kiya tha" and "payment kar diya
  tha kal" are yesterday (-1), "parso bhej diya tha" is -2; "kal tak kar diya jayega" (passive future) and
  "maine bola tha kal dunga" stay +1.
- Weekdays in English (and "mon".."fri" abbreviations), romanised Hindi (somvar, mangalvar, budhvar,
  guruvar/brihaspativar/veervar, shukravar, shanivar, ravivar/itwar/etwar), the Bengali, Punjabi
  and Marathi forms callers mix into Hinglish (shukrobar, robibar, budhvaar, mangalvari) and
  Devanagari, with an optional "ko"/"tak" [weekday]. Plain, "is"/"this"/"coming": the next such day
  strictly after the anchor date (1-7 days ahead; on a Wednesday, "Wednesday" is a week later).
  "agle"/"next" (Marathi "pudhchya", Bengali "porer"/"agami"): that weekday in the following
  calendar week (weeks start on Monday), 1-13 days ahead: on a Monday "next Wednesday" is 9 days
  ahead, on a Friday 5. "pichle"/"last": the latest such day strictly before.
  Short forms ("mangal", "budh", "shukra", "shani", "sat", "sun") need "ko"/"tak" or a prefix
  because alone they are ordinary words ("sun lijiye"); Bhojpuri "budh ke" is "budh ko" (not for
  "sun"/"sat": "sun ke" is "having heard"). After "kabhi", "har", "every" a weekday is a habit
  ("kabhi somvaar kabhi mangal"), no date.
- "5 tareekh", "5th", "5th ko", "5 ko", "paanch tareekh", "५ तारीख", "on tenth", "by the twenty-first",
  "tenth ko" [day_of_month] (an English ordinal word needs "on"/"by"/"the" before it or "ko"/"tak" after,
  and is no day before "week", "time" ...; "tenth November" is [absolute]): that day of the anchor's month
  if it is not before the anchor date (today counts), else of the next month; a day past the month's end is
  clamped to its last day ("31 tareekh" in February). "agle mahine 5 tareekh"/"next month 5th"/"5th of next
  month": that day of the next month.
- "15 December", "Dec 15", "15/12", "15-12-2026", "15.12.2026", "2026-12-15", "15 दिसंबर" [absolute]:
  day/month order is Indian (dd/mm). Without a year: the anchor's year, or the next year when that
  date is more than 7 days before the anchor. "May" alone is an English month only with an ordinal,
  a year or a capital M (in Hinglish "may" is often "mein"). Without a year only "/" counts ("2-3
  din" is a range of days), and "24/7" or a number-slash-number followed by a unit ("2/3 din") is no
  date.
- "mahine ke end tak" (Punjabi "mahine de end"), "month end", "end of month" [relative]: the anchor month's
  last day (the next month's when the anchor is already the last day); "agle mahine ke end" is next month's
  last day.
- "agle hafte"/"next week"/"अगले हफ्ते", "is hafte"/"this week" with no day [vague]: no date, reason
  ``"vague"`` (a week names no day; the labelling guide leaves such a promise undated). With a day
  they are that weekday: "agle hafte Monday" is the Monday of the next calendar week, "is hafte
  Friday" the coming Friday [weekday].
- "2 din mein", "in 3 days", "teen din baad", "ek hafte mein", "within a week", "do mahine mein"
  [relative]: +N days, +7 per week, +N calendar months (day clamped); a range ("2-3 din mein", "ek
  ya do din mein") counts as its upper end; "2 din pehle" / "3 days ago" is -N.
- "agle mahine"/"next month" alone [vague]: no date, reason ``"vague"``, for the same reason.
- "salary aane pe", "salary milte hi", "when salary comes", "तनख्वाह आने पर", and the same of other
  income ("payout aane pe", "bonus milte hi", "paise aate hi") [conditional]: no date, reason
  ``"salary_day_unknown"``.
- "jaldi", "soon", "jab paise honge", "kuch din mein", "baad mein", "aaj kal" [vague]: no date, reason
  ``"vague"``.

Overlapping phrases are resolved by keeping the earliest, then the longest ("agle mahine 5 tareekh
ko" is one phrase, not "agle mahine" plus "5 tareekh ko"). ``reason`` is set only when ``date`` is
``None`` (also "out_of_range" past 9999-12-31). :func:`resolve_date` takes the first phrase that has
a date, else the first phrase, else reports kind "unknown", reason "unrecognized".
"""

from __future__ import annotations

import datetime as _dt
import re
from calendar import monthrange
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from consumer.analyzer.text.matcher import Index, starts

__all__ = [
    "IST",
    "IST_OFFSET",
    "NUMBER_WORDS",
    "OUT_OF_RANGE",
    "SALARY_DAY_UNKNOWN",
    "UNRECOGNIZED",
    "VAGUE",
    "AmountMatch",
    "DateKind",
    "DateMatch",
    "DateResolution",
    "find_amounts",
    "find_amounts_and_bare",
    "find_dates",
    "parse_amount",
    "resolve_date",
    "to_ist",
]

# ---------------------------------------------------------------------------------------------
# Time zone
# ---------------------------------------------------------------------------------------------

IST_OFFSET: Final = _dt.timedelta(hours=5, minutes=30)


def _load_ist() -> _dt.tzinfo:
    """Asia/Kolkata from the system tz database; a fixed +05:30 zone (the same since 1945) without one."""
    try:
        return ZoneInfo("Asia/Kolkata")
    except ZoneInfoNotFoundError:  # pragma: no cover - only on machines without tzdata
        return _dt.timezone(IST_OFFSET, "IST")


IST: Final[_dt.tzinfo] = _load_ist()
"""India Standard Time (Asia/Kolkata, UTC+05:30), the zone every call date is taken in."""


def to_ist(dt: _dt.datetime | None) -> _dt.datetime:
    """``dt`` as an aware datetime in IST: aware values are converted, naive ones are taken to be IST
    already (call-centre platforms log local time), ``None`` means now (the only clock read here)."""
    if dt is None:
        return _dt.datetime.now(IST)
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt.replace(tzinfo=IST)
    return dt.astimezone(IST)


# ---------------------------------------------------------------------------------------------
# Text folding and pattern helpers
# ---------------------------------------------------------------------------------------------

# The decimal digits of Indian scripts (Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil,
# Telugu, Kannada, Malayalam) as ASCII digits: "₹১৫০০" and "₹१५००" are 1500.
INDIC_DIGITS: Final[dict[int, int]] = {
    zero + i: 0x30 + i for zero in range(0x0966, 0x0D67, 0x80) for i in range(10)
}
_FOLD_TABLE: Final[dict[int, int]] = {
    **INDIC_DIGITS,
    0x0901: 0x0902,  # chandrabindu -> anusvara: पाँच -> पांच
    # precomposed nukta letters -> base letters: ज़ -> ज, ड़ -> ड, ढ़ -> ढ ...
    0x0958: 0x0915,
    0x0959: 0x0916,
    0x095A: 0x0917,
    0x095B: 0x091C,
    0x095C: 0x0921,
    0x095D: 0x0922,
    0x095E: 0x092B,
    0x095F: 0x092F,
}
_NUKTA: Final = "\u093c"
_NUKTA_BASES: Final = frozenset("कखगजडढफय")


def _fold(text: str) -> str:
    """Lower-cased ``text`` with Devanagari spelling variants unified, of exactly the same length
    (so match offsets are offsets into ``text``)."""
    low = text.lower()
    if len(low) != len(text):  # a few characters grow when lower-cased ("İ"): keep those as they are
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return low if low.isascii() else low.translate(_FOLD_TABLE)


def _key(phrase: str) -> str:
    """Dictionary key of a matched word or phrase: folded, single-spaced, without nukta signs."""
    return " ".join(_fold(phrase).replace(_NUKTA, "").split())


def _units(phrase: str) -> list[str]:
    """A literal phrase as regex pieces, one per character: any whitespace between words, and an
    optional nukta after the Devanagari consonants that take one."""
    out: list[str] = []
    for i, word in enumerate(_key(phrase).split(" ")):
        if i:
            out.append(r"\s+")
        out.extend(re.escape(ch) + (_NUKTA + "?" if ch in _NUKTA_BASES else "") for ch in word)
    return out


_Trie: TypeAlias = dict[str, "_Trie"]
_END: Final = ""  # trie key marking that a phrase ends at this node


def _trie_regex(node: _Trie) -> str:
    """Regex of a trie: siblings as alternatives, a phrase end as an optional (greedy) tail."""
    branches = [piece + _trie_regex(child) for piece, child in sorted(node.items()) if piece != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if _END in node else body


def _trie(phrases: Iterable[str]) -> _Trie:
    trie: _Trie = {}
    for phrase in phrases:
        if phrase.strip():
            node = trie
            for piece in _units(phrase):
                node = node.setdefault(piece, {})
            node[_END] = {}
    return trie


def _alt(phrases: Iterable[str]) -> str:
    """Non-capturing regex matching any of the literal phrases, longest first (so a phrase beats its
    prefix and backtracks to it), built as a prefix trie: hundreds of words cost a few steps."""
    return f"(?:{_trie_regex(_trie(phrases))})"


def _first_chars(phrases: Iterable[str]) -> list[str]:
    """The same trie as top-level alternatives, each starting with a literal character (so ``re``
    can skip to positions where one of those characters is)."""
    return [piece + _trie_regex(child) for piece, child in sorted(_trie(phrases).items())]


_WORD_CLASS: Final = r"\w\u0900-\u0963\u0966-\u097F"  # Devanagari letters *and* vowel signs; not dandas
_L: Final = rf"(?<![{_WORD_CLASS}])"  # a word starts here
_R: Final = rf"(?![{_WORD_CLASS}])"  # a word ends here
_NOT_AFTER_NUM: Final = r"(?<![0-9][.,/:-])"  # not the tail of 15/12, 10:30, 98765-43210
_NOT_BEFORE_NUM: Final = r"(?![0-9]|[.,/:-][0-9])"  # not the head of one
# A full stop ends a sentence unless it is a decimal point or ends "no." / "rs." / "a/c." / "mr." ...
# (Break patterns start with a character, never a look-behind, so ``re`` can skip to candidates.)
_SENTENCE_BREAK: Final = re.compile(
    r"[!?\n\u0964\u0965]|\.(?<!\bno\.)(?<!\brs\.)(?<!\bmr\.)(?<!\bdr\.)(?<!\bsr\.)(?<!a/c\.)(?<!\bac\.)(?![0-9])"
)
_CLAUSE_BREAK: Final = re.compile(
    rf"[,;:!?\n\u0964\u0965|]|\.(?![0-9])|\s(?:lekin|magar|but|लेकिन|मगर)(?![{_WORD_CLASS}])"
)


def _table(groups: Mapping[int, Iterable[str]]) -> dict[str, int]:
    """Spelling -> value, keyed like :func:`_key`."""
    return {_key(word): value for value, words in groups.items() for word in words}


# ---------------------------------------------------------------------------------------------
# Number words
# ---------------------------------------------------------------------------------------------

_HINDI_NUMBERS: Final = _table(
    {
        1: ("ek", "एक"),
        2: ("do", "दो", "दू"),  # "दू हजार": Bhojpuri, Awadhi
        3: ("teen", "tin", "तीन"),
        4: ("char", "chaar", "chār", "चार"),
        5: ("paanch", "panch", "paach", "panj", "पांच", "पाँच", "पाच"),
        6: ("chhe", "chhah", "chah", "chhai", "chheh", "che", "छह", "छः", "छे"),
        7: ("saat", "sat", "सात"),
        8: ("aath", "ath", "aat", "आठ"),
        9: ("nau", "nao", "नौ"),
        10: ("das", "dus", "दस"),
        11: ("gyarah", "gyara", "gyaarah", "gyaara", "igyarah", "ग्यारह"),
        12: ("barah", "bara", "baarah", "baara", "बारह"),
        13: ("terah", "tera", "तेरह"),
        14: ("chaudah", "chauda", "chodah", "choda", "chaudha", "चौदह"),
        15: ("pandrah", "pandra", "pandhra", "pundrah", "pandrah", "पंद्रह", "पन्द्रह"),
        16: ("solah", "sola", "सोलह"),
        17: ("satrah", "satra", "sattrah", "सत्रह"),
        18: ("atharah", "athara", "attharah", "athaarah", "अठारह"),
        19: ("unnees", "unnis", "unees", "unis", "उन्नीस"),
        20: ("bees", "bis", "बीस"),
        21: ("ikkees", "ikkis", "इक्कीस"),
        22: ("baees", "bais", "baais", "बाईस"),
        23: ("teis", "teyis", "teyees", "तेईस"),
        24: ("chaubees", "chaubis", "chobis", "चौबीस"),
        25: ("pachees", "pachis", "pachchis", "pachchees", "pacchis", "पच्चीस"),
        26: ("chhabbees", "chhabbis", "chabbis", "छब्बीस"),
        27: ("sattaees", "sattais", "satais", "सत्ताईस"),
        28: ("atthaees", "atthais", "athais", "अट्ठाईस"),
        29: ("untees", "untis", "unatees", "उनतीस"),
        30: ("tees", "tis", "तीस"),
        31: ("ikattees", "ikattis", "iktees", "iktis", "इकतीस"),
        32: ("battees", "battis", "बत्तीस"),
        33: ("taintees", "taintis", "tetis", "तैंतीस"),
        34: ("chauntees", "chauntis", "chautis", "चौंतीस"),
        35: ("paintees", "paintis", "pentis", "पैंतीस"),
        36: ("chhattees", "chhattis", "chattis", "छत्तीस"),
        37: ("saintees", "saintis", "sentis", "सैंतीस"),
        38: ("artees", "artis", "adtis", "अड़तीस"),
        39: ("untalees", "untalis", "unchalis", "उनतालीस"),
        40: ("chalees", "chalis", "chaalis", "chaalees", "चालीस"),
        41: ("iktalees", "iktalis", "इकतालीस"),
        42: ("bayalees", "bayalis", "biyalis", "बयालीस"),
        43: ("taintalees", "taintalis", "tentalis", "तैंतालीस"),
        44: ("chavalees", "chawalis", "chauvalis", "chauwalis", "चवालीस"),
        45: ("paintalees", "paintalis", "pentalis", "पैंतालीस"),
        46: ("chhiyalees", "chhiyalis", "chiyalis", "छियालीस"),
        47: ("saintalees", "saintalis", "sentalis", "सैंतालीस"),
        48: ("artalees", "artalis", "adtalis", "अड़तालीस"),
        49: ("unchas", "unchaas", "उनचास"),
        50: ("pachas", "pachaas", "पचास"),
        51: ("ikyavan", "ikyawan", "इक्यावन"),
        52: ("bavan", "bawan", "baawan", "बावन"),
        53: ("tirpan", "tirepan", "तिरपन"),
        54: ("chauvan", "chauwan", "chowan", "चौवन"),
        55: ("pachpan", "पचपन"),
        56: ("chhappan", "chappan", "छप्पन"),
        57: ("sattavan", "sattawan", "सत्तावन"),
        58: ("atthavan", "athawan", "atthawan", "अट्ठावन"),
        59: ("unsath", "unsaath", "उनसठ"),
        60: ("saath", "sath", "साठ"),
        61: ("iksath", "iksaath", "इकसठ"),
        62: ("basath", "baasath", "बासठ"),
        63: ("tirsath", "tiresath", "तिरसठ"),
        64: ("chausath", "chaunsath", "चौंसठ"),
        65: ("painsath", "pensath", "पैंसठ"),
        66: ("chhiyasath", "chiyasath", "छियासठ"),
        67: ("sarsath", "sadsath", "सड़सठ"),
        68: ("arsath", "adsath", "अड़सठ"),
        69: ("unhattar", "unhatar", "उनहत्तर"),
        70: ("sattar", "सत्तर"),
        71: ("ikhattar", "इकहत्तर"),
        72: ("bahattar", "बहत्तर"),
        73: ("tihattar", "तिहत्तर"),
        74: ("chauhattar", "चौहत्तर"),
        75: ("pachhattar", "pachattar", "पचहत्तर"),
        76: ("chhihattar", "chihattar", "छिहत्तर"),
        77: ("satattar", "sathattar", "सतहत्तर"),
        78: ("athattar", "अठहत्तर"),
        79: ("unnasi", "unaasi", "unasi", "उन्यासी"),
        80: ("assi", "assee", "अस्सी"),
        81: ("ikyasi", "ikyaasi", "इक्यासी"),
        82: ("bayasi", "बयासी"),
        83: ("tirasi", "तिरासी"),
        84: ("chaurasi", "चौरासी"),
        85: ("pachasi", "pachaasi", "पचासी"),
        86: ("chhiyasi", "छियासी"),
        87: ("sattasi", "सत्तासी"),
        88: ("atthasi", "अट्ठासी"),
        89: ("navasi", "nawasi", "नवासी"),
        90: ("nabbe", "nabbey", "nabbay", "नब्बे"),
        91: ("ikyanave", "इक्यानवे"),
        92: ("banave", "बानवे"),
        93: ("tiranave", "तिरानवे"),
        94: ("chauranave", "चौरानवे"),
        95: ("pachanave", "pachanve", "पचानवे", "पंचानवे"),
        96: ("chhiyanave", "छियानवे"),
        97: ("sattanave", "सत्तानवे"),
        98: ("atthanave", "अट्ठानवे"),
        99: ("ninyanave", "ninyanve", "निन्यानवे"),
    }
)
_EN_ONES: Final = _table(
    {1: ("one",), 2: ("two",), 3: ("three",), 4: ("four",), 5: ("five",), 6: ("six",), 7: ("seven",)}
    | {8: ("eight",), 9: ("nine",)}
)
_EN_TEENS: Final = _table(
    {10: ("ten",), 11: ("eleven",), 12: ("twelve",), 13: ("thirteen",), 14: ("fourteen",)}
    | {15: ("fifteen",), 16: ("sixteen",), 17: ("seventeen",), 18: ("eighteen",), 19: ("nineteen",)}
)
_EN_TENS: Final = _table(
    {20: ("twenty",), 30: ("thirty",), 40: ("forty", "fourty"), 50: ("fifty",), 60: ("sixty",)}
    | {70: ("seventy",), 80: ("eighty",), 90: ("ninety",)}
)
NUMBER_WORDS: Final[dict[str, int]] = {**_HINDI_NUMBERS, **_EN_ONES, **_EN_TEENS, **_EN_TENS, "a": 1}
"""Every single-word number (romanised Hindi, Devanagari Hindi, English) -> its value, 1..99."""

_FRACTION_PREFIX: Final[dict[str, Decimal]] = {
    _key(w): Decimal(v)
    for v, ws in {
        "0.25": ("sawa", "sava", "sawaa", "savaa", "सवा"),
        "0.5": ("saadhe", "sadhe", "saade", "sade", "saadhey", "sadhey", "saarhe", "sarhe", "साढ़े", "साढे"),
        "-0.25": ("paune", "pone", "paone", "paun", "पौने"),
    }.items()
    for w in ws
}
_FRACTION_SOLO: Final[dict[str, Decimal]] = {
    _key(w): Decimal(v)
    for v, ws in {
        "1.5": ("dedh", "derh", "dedhh", "dedd", "डेढ़", "डेढ"),
        "2.5": ("dhai", "dhaai", "dhaee", "adhai", "adhaai", "arhai", "ढाई", "अढ़ाई", "अढाई"),
        "1.25": ("sawa", "sava", "सवा"),
        "0.5": ("aadha", "adha", "aadhe", "आधा"),
    }.items()
    for w in ws
}
_UNITS: Final = _table(
    {
        100: ("sau", "hundred", "hundreds", "सौ"),
        1000: (
            *("hazaar", "hazar", "hajar", "hajaar", "hazzar", "hazzaar", "hzar", "thousand", "thousands"),
            *("हजार", "हज़ार"),
        ),
        100_000: ("lakh", "lakhs", "lac", "lacs", "laakh", "lakhon", "लाख"),
        1_000_000: ("million", "millions"),
        10_000_000: ("crore", "crores", "cr", "karod", "karor", "करोड़", "करोड"),
    }
)
_DIGIT_UNITS: Final[dict[str, int]] = {"k": 1000, "l": 100_000}  # only right after digits: 5k, 1.5L

_NUMWORD_RE: Final = _alt(NUMBER_WORDS)
_EN_COMPOUND_RE: Final = rf"{_alt(_EN_TENS)}[\s-]+{_alt(_EN_ONES)}"  # twenty five, twenty-five
_WORDNUM_RE: Final = rf"(?:{_EN_COMPOUND_RE}|{_NUMWORD_RE})"
_UNIT_RE: Final = _alt(_UNITS)
_FRAC_PREFIX_RE: Final = _alt(_FRACTION_PREFIX)
_FRAC_SOLO_RE: Final = _alt(_FRACTION_SOLO)
# 15,600 / 1,23,456 (Indian) / 123,456,789 (Western) / 15600 / 2.5 ; at most 15 integer digits
_DEC_RE: Final = (
    r"(?:[1-9][0-9]?(?:,[0-9]{2})+,[0-9]{3}|[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]{1,15})(?:\.[0-9]{1,6})?"
)


def _word_number(words: str) -> int:
    """Value of a matched number word or English tens-ones pair ("twenty five")."""
    return sum(NUMBER_WORDS[w] for w in re.split(r"[\s-]+", _key(words)))


# ---------------------------------------------------------------------------------------------
# Amounts
# ---------------------------------------------------------------------------------------------


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
_PREFIX_RE: Final = _alt(_PREFIXES)
_SUFFIX_CORE: Final = rf"(?:{_alt(_SUFFIXES)}{_R}|₹)"
# Giving words after a lone multiplier that make it one of them ("hazaar de denge", "हजार भर दूंगी").
_GIVE_AFTER: Final = _alt(
    ("de", "dunga", "dungi", "denge", "bhar", "bhej", "jama", "दे", "दूंगा", "दूंगी", "देंगे", "भर", "भेज", "जमा")
)


def _term_pattern(named: bool) -> str:
    """One "number x multiplier" term ("5k", "saadhe teen hazaar", "dedh lakh"); group names only
    for the copy that evaluates a matched body term by term."""

    def g(name: str, pat: str) -> str:
        return f"(?P<{name}>{pat})" if named else f"(?:{pat})"

    return (
        rf"(?:(?:{g('fp', _FRAC_PREFIX_RE)}\s+)?"
        rf"(?:{g('dec', _DEC_RE)}(?:\s?{g('du', 'k|l')}|\s*{g('u1', _UNIT_RE)})"
        rf"|{g('w', _WORDNUM_RE)}\s+{g('u2', _UNIT_RE)}){_R}"
        rf"|{g('solo', _FRAC_SOLO_RE)}\s+{g('u3', _UNIT_RE)}{_R})"
    )


def _rest_pattern(named: bool) -> str:
    """The units left after a thousand or a hundred ("5 hazaar *500*", "paanch sau *pachas*")."""
    words = _alt(w for w in NUMBER_WORDS if w not in {"do", "a"})  # "do hazaar do": "do" is "give"
    words = f"(?:{_EN_COMPOUND_RE}|{words})"  # "seven hundred forty nine"
    digits, word = (r"(?P<rd>[1-9][0-9]{0,2})", f"(?P<rw>{words})") if named else (r"[1-9][0-9]{0,2}", words)
    return rf"\s+(?:(?:aur|and|और)\s+)?(?:{digits}{_NOT_BEFORE_NUM}|{word}){_R}"


_JOIN_RE: Final = re.compile(r"\s+(?:(?:aur|and|&|और)\s+)?")
_TERM_RE: Final = re.compile(_term_pattern(named=True))
_REST_RE: Final = re.compile(_rest_pattern(named=True))
_TERM: Final = _term_pattern(named=False)
_AMOUNT_RE: Final = re.compile(
    rf"{_L}{_NOT_AFTER_NUM}"
    rf"(?:(?P<pre>{_PREFIX_RE})\s*)?"
    # "2-3 hazaar", "2 se 3 lakh": a range counts as its upper end (only with a multiplier)
    rf"(?:(?P<range>[0-9]{{1,3}}(?:\.[0-9]{{1,2}})?)\s*(?:-|–|\s(?:to|se|ya|or)\s)\s*(?=[0-9]))?"
    rf"(?P<body>{_TERM}(?:{_JOIN_RE.pattern}{_TERM})*(?:{_rest_pattern(named=False)})?"
    # "sau rupaye", "hazaar rupaye", "hazaar de denge": one of them
    rf"|(?P<implied>{_UNIT_RE}){_R}(?=\s*(?:{_SUFFIX_CORE}|{_GIVE_AFTER}{_R}))"
    rf"|(?P<num>{_DEC_RE}))"
    rf"{_NOT_BEFORE_NUM}"
    rf"(?P<suf>\s*{_SUFFIX_CORE}(?:\s*/-)?|\s*/-)?"
    rf"(?(suf)|{_R})"
)
# Every amount phrase has a digit or a multiplier word: a text with neither has no amount.
_AMOUNT_GATE: Final = re.compile("|".join([*"0123456789", *_first_chars(_UNITS)]))
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
_NON_MONEY_AFTER: Final = re.compile(rf"\s*(?:%|(?!{_MONTH_END}){_alt(_NON_MONEY_UNITS)}{_R})")
# A unit right after a number: "5 hazaar *2 lakh*" is two amounts, "5 hazaar *2 din*" no rest at all.
_UNIT_AFTER: Final = re.compile(rf"{_NON_MONEY_AFTER.pattern}|\s*(?:{_UNIT_RE}|k|l){_R}")

_MONTH_NAMES: Final = _table(
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
_MONTH_RE: Final = _alt(_MONTH_NAMES)

# The one or two words right before a bare number that make it an identifier or a year.
_IDENTIFIER_WORDS: Final = (
    *("account", "acct", "acc", "a/c", "ac", "number", "no", "no.", "num", "nmbr", "nbr", "id", "ref"),
    *("reference", "utr", "txn", "transaction", "order", "ticket", "case", "otp", "pin", "pincode", "mobile"),
    *("phone", "contact", "whatsapp", "flat", "house", "plot", "sector", "room", "code", "cif", "policy"),
    *("aadhaar", "aadhar", "pan", "year", "saal", "san", "since", "खाता", "नंबर", "नम्बर", "सन", "साल"),
)
_NOT_AMOUNT_BEFORE: Final = re.compile(rf"#|{_L}(?:{_alt(_IDENTIFIER_WORDS)}|{_MONTH_RE}){_R}")

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
_PAY_CONTEXT: Final = re.compile(rf"{_L}(?:{_alt(_PAY_STEMS)}[{_WORD_CLASS}]*|{_alt(_PAY_WORDS)}{_R})")
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
    adjust = _FRACTION_PREFIX[_key(fp)] if fp else Decimal(0)
    if (dec := t.group("dec")) is not None:
        du = t.group("du")
        unit = _DIGIT_UNITS[du] if du else _UNITS[_key(t.group("u1"))]
        return Decimal(dec.replace(",", "")) + adjust, unit
    if (w := t.group("w")) is not None:
        return Decimal(_word_number(w)) + adjust, _UNITS[_key(t.group("u2"))]
    return _FRACTION_SOLO[_key(t.group("solo"))], _UNITS[_key(t.group("u3"))]


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
        rest = int(r.group("rd")) if r.group("rd") else _word_number(r.group("rw"))
        if rest < last_unit and not _UNIT_AFTER.match(norm, r.end()):
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
        value, end, strong = Decimal(_UNITS[_key(implied)]), body_end, True
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
    breaks = [b.end() for b in _SENTENCE_BREAK.finditer(window)]
    return (window[breaks[-1] :] if breaks else window).split()


def _words_after(norm: str, pos: int) -> list[str]:
    """The words (up to :data:`_CONTEXT_CHARS` on) after ``pos`` in the same sentence."""
    window = norm[pos : pos + _CONTEXT_CHARS]
    b = _SENTENCE_BREAK.search(window)
    return (window if b is None else window[: b.start()]).split()


# A payment verb right after a year-like number makes it money: "25 tareekh ko 1999 daal dunga".
_PAID_RIGHT_AFTER: Final = re.compile(
    rf"\s+(?:{_alt(('daal', 'dal', 'bhar', 'jama', 'bhej', 'pay', 'transfer', 'de', 'dunga', 'dungi'))}"
    rf"|{_alt(('denge', 'deta', 'deti', 'kar dunga', 'kar dungi', 'kar denge'))}"
    rf"|{_alt(('जमा', 'भर', 'दे', 'दूंगा'))}){_R}"
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
    norm = _fold(text)
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
    norm = _fold(text)
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
    norm = _fold(text).strip().rstrip(" .,;:!?")
    m = _AMOUNT_RE.fullmatch(norm)
    if m is not None and (c := _candidate(norm, m)) is not None and c.end == len(norm):
        return _rupees(c.value)
    values = {a.value for a in _find(text, need_context=False)}
    return values.pop() if len(values) == 1 else None


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

DateKind = Literal["relative", "weekday", "day_of_month", "absolute", "conditional", "vague", "unknown"]
"""How a date phrase pins its day; "unknown" only from :func:`resolve_date` when nothing matched."""

SALARY_DAY_UNKNOWN: Final = "salary_day_unknown"
VAGUE: Final = "vague"
UNRECOGNIZED: Final = "unrecognized"
OUT_OF_RANGE: Final = "out_of_range"


@dataclass(frozen=True, slots=True)
class DateResolution:
    """The calendar date (IST) a phrase points at, or ``None`` with the ``reason``."""

    date: _dt.date | None
    kind: DateKind
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DateMatch:
    """One date phrase found in a text (``text[start:end]``) and the date it resolves to."""

    date: _dt.date | None
    reason: str | None
    start: int
    end: int
    text: str
    kind: DateKind


# Word lists (data for both the patterns and their lead words).
_NEXT_WORDS: Final = (
    *("agle", "agli", "agla", "agale", "next", "अगले", "अगली", "अगला"),
    *("pudhchya", "pudhcha", "pudhchi", "pudhil", "porer", "agami"),  # Marathi, Bengali
)
_COMING_WORDS: Final = ("aane wale", "aane waale", "aanewale", "coming", "upcoming", "आने वाले")
_THIS_WORDS: Final = ("is", "iss", "isi", "this", "इस", "इसी")
_LAST_WORDS: Final = ("pichle", "pichhle", "pichli", "picchle", "last", "previous", "पिछले", "पिछली")
_NEXT_KEYS: Final = frozenset(_key(w) for w in _NEXT_WORDS)  # "next Wednesday": in the following week
_LAST_KEYS: Final = frozenset(_key(w) for w in _LAST_WORDS)
_MONTH_WORDS: Final = ("mahine", "mahina", "mahinay", "month", "महीने", "महीना")
_WEEK_WORDS: Final = ("hafte", "hafta", "hapte", "week", "saptah", "हफ्ते", "हफ्ता", "सप्ताह")
_TAREEKH_WORDS: Final = (
    *("tareekh", "tarikh", "taarikh", "tarik", "tareek", "tarrikh", "tarekh"),
    *("तारीख", "तारिख"),
)
_KO_TAK_WORDS: Final = ("ko", "tak", "se pehle", "se pahle", "को", "तक", "से पहले")
_DAY_NUMBERS: Final = {w: v for w, v in NUMBER_WORDS.items() if v <= 31 and w != "a"}
_ORDINAL_ONES: Final = (
    *("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"),
    *("eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth"),
    *("eighteenth", "nineteenth"),
)
# English ordinal words for a day of the month: "on tenth", "twenty-first November".
_DAY_ORDINALS: Final[dict[str, int]] = {
    **{w: i for i, w in enumerate(_ORDINAL_ONES, 1)},
    "twentieth": 20,
    "thirtieth": 30,
    **{
        f"{tens}{sep}{w}": base + i
        for tens, base in (("twenty", 20), ("thirty", 30))
        for sep in (" ", "-")
        for i, w in enumerate(_ORDINAL_ONES[:9], 1)
        if base + i <= 31
    },
}
# Words after an ordinal that make it something other than a day ("by the first week", "second time").
_NOT_A_DAY_AFTER: Final = (
    *("week", "weeks", "time", "times", "thing", "things", "emi", "emis", "instalment", "installment"),
    *("kisht", "hafte", "hafta", "half", "quarter", "payment", "one", "day", "floor", "year", "month"),
    *("of all", "of them", "person", "call", "hand", "option", "priority", "notice", "reminder"),
    *("thought", "attempt", "try", "chance", "place", "number", "line", "page"),
)
_WEEKDAYS: Final = _table(
    {
        0: (
            *("monday", "mon", "somvar", "somwar", "somvaar", "somwaar", "सोमवार"),
            *("somvari", "somwari", "sombar", "shombar", "somobar"),
        ),
        1: (
            *("tuesday", "tue", "tues", "mangalvar", "mangalwar", "mangalvaar", "mangalwaar", "मंगलवार"),
            *("mangalvari", "mangalwari", "mongolbar", "mongalbar", "mangalbar"),
        ),
        2: (
            *("wednesday", "wed", "weds", "budhvar", "budhwar", "budhvaar", "budhwaar", "बुधवार"),
            *("budhvari", "budhwari", "budhbar", "budhobar", "budbar"),
        ),
        3: (
            *(
                "thursday",
                "thu",
                "thur",
                "thurs",
                "guruvar",
                "guruwar",
                "guruvaar",
                "guruwaar",
                "brihaspativar",
            ),
            *("brihaspatiwar", "veervar", "veerwar", "virvar", "गुरुवार", "बृहस्पतिवार", "वीरवार"),
            *("veervaar", "veerwaar", "guruvari", "guruwari", "brihospotibar", "brihaspatibar", "bishudbar"),
        ),
        4: (
            *("friday", "fri", "shukravar", "shukrawar", "shukravaar", "shukrawaar", "शुक्रवार"),
            *("shukarvaar", "shukarvar", "shukkarvaar", "shukravari", "shukrawari", "shukrobar", "sukrobar"),
        ),
        5: (
            *("saturday", "shanivar", "shaniwar", "shanivaar", "shaniwaar", "शनिवार"),
            *("shanivari", "shaniwari", "shonibar", "sonibar", "shanibar", "sanicharvaar", "shanichar"),
        ),
        6: (
            *("sunday", "ravivar", "raviwar", "ravivaar", "raviwaar", "itwar", "itvar", "itwaar", "itvaar"),
            *("etwar", "etvar", "aitwar", "aitvar", "रविवार", "इतवार", "एतवार"),
            *("aitvaar", "aitwaar", "ravivari", "raviwari", "robibar", "rabibar", "robbar"),
        ),
    }
)
# Alone these are ordinary words ("sun lijiye", "shani dev"): they need "ko"/"tak" or a prefix.
_WEEKDAYS_SHORT: Final = _table(
    {1: ("mangal", "मंगल"), 2: ("budh", "बुध"), 4: ("shukra", "shukr", "शुक्र"), 5: ("shani", "sat", "शनि")}
    | {6: ("sun",)}
)
_WEEKDAY_ANY: Final = {**_WEEKDAYS_SHORT, **_WEEKDAYS}
# Short forms that Bhojpuri and Magahi speakers follow with "ke" for "ko" ("Budh ke de denge"); not
# "sun"/"sat", where "sun ke" is "having heard".
_WEEKDAYS_SHORT_KE: Final = {w: v for w, v in _WEEKDAYS_SHORT.items() if w not in ("sun", "sat")}
# A weekday after these is a habit, not a day ("kabhi somvaar kabhi mangal", "every Monday").
_HABITUAL_BEFORE: Final = re.compile(rf"{_L}(?:kabhi|har|every|each|sometimes|हर|कभी)\s+$")
_RELATIVE: Final = _table(
    {
        0: (
            *("aaj", "aj", "today", "tonight", "आज", "this evening", "this afternoon", "this morning"),
            *("today evening", "today night", "this night"),
        ),
        1: (
            "kal",
            "kaal",
            "tomorrow",
            "tomorow",
            "tommorow",
            "tommorrow",
            "tmrw",
            "tmr",
            "कल",
            "udya",
            "bhalke",
        ),
        2: (
            *("parso", "parson", "parsoon", "parsu", "parsun", "day after tomorrow", "परसों", "परसो"),
            *("porshu", "porshu din"),
        ),
        3: ("narso", "narson", "नरसों", "नरसो"),
        -1: ("yesterday",),
        -2: ("day before yesterday",),
    }
)
_TWO_WAY: Final = frozenset(
    _key(w) for w in ("kal", "kaal", "कल", "parso", "parson", "parsoon", "परसों", "परसो")
)
_PERIOD_UNITS: Final[dict[str, tuple[str, int]]] = {
    _key(w): unit
    for unit, words in {
        ("days", 1): ("din", "dino", "dinon", "day", "days", "दिन", "दिनों"),
        ("days", 7): ("hafte", "hafta", "hafton", "week", "weeks", "हफ्ते", "हफ्तों", "सप्ताह"),
        ("months", 1): ("mahine", "mahino", "mahinon", "month", "months", "महीने", "महीनों"),
    }.items()
    for w in words
}
_PERIOD_NUMBERS: Final = {**NUMBER_WORDS, "an": 1}
_PERIOD_INTRO: Final = ("in", "within", "after", "under")
_WITHIN_WORDS: Final = (
    *("mein", "me", "main", "men", "mai", "baad", "bad", "ke andar", "ke baad", "ke bad", "ke bheetar"),
    *("ke bhitar", "tak", "later", "from now", "ka time", "ka samay", "में", "बाद", "के अंदर", "के बाद"),
    *("के भीतर", "तक", "का समय"),
)
_AGO_WORDS: Final = ("pehle", "pahle", "phle", "ago", "back", "पहले")
_MONTH_END_WORDS: Final = (
    *("end", "aakhir", "akhir", "aakhri", "akhri", "last", "ant"),
    *("अंत", "अन्त", "आखिर", "आखिरी"),
)
_SALARY_WORDS: Final = (
    *("salary", "sallary", "salery", "salry", "tankhwah", "tankhwa", "tankha", "tankhah", "pagaar", "pagar"),
    *("vetan", "सैलरी", "तनख्वाह", "तनख़्वाह", "तनखाह", "वेतन", "पगार"),
)
# Other money that comes on a day the caller does not know: "payout aane pe", "bonus milte hi".
_INCOME_WORDS: Final = (
    *("payout", "paisa", "paise", "pesa", "paisay", "payment", "bonus", "pension", "arrear", "arrears"),
    *("पैसा", "पैसे", "पेमेंट", "बोनस", "पेंशन"),
)
_SALARY_VERBS: Final = (
    *("aane", "aate", "aayegi", "aaegi", "aayega", "aaega", "ane", "ate", "aaye", "aaygi", "aa jaye"),
    *("aa jaaye", "aa jayegi", "milne", "milte", "milegi", "milega", "mile", "mil jaye", "mil jayegi"),
    *("credit", "credited", "ke baad", "ke bad", "hone", "आने", "आते", "आएगी", "आयेगी", "मिलने", "मिलते"),
    *("मिलेगी", "के बाद", "आ जाए"),
)
_SALARY_TAILS: Final = ("pe", "par", "pr", "hi", "tak", "ke baad", "ke bad", "पर", "पे", "ही", "तक", "के बाद")
_SALARY_INTRO: Final = ("when", "once", "after", "till", "until", "on")
_VAGUE_WORDS: Final = (
    *("jaldi", "jaldi hi", "jaldi se", "jald hi", "soon", "very soon", "asap", "as soon as possible"),
    *("kuch din", "kuch dino", "kuch dinon", "kuch din mein", "kuch dino mein", "kuch dinon mein"),
    *("kuch din baad", "thode din", "thode dino", "thode din mein", "thode dino mein", "few days"),
    *("a few days", "some days", "some time", "baad mein", "baad me", "baad main", "later", "aaj kal"),
    *("aajkal", "aaj-kal", "when i have the money", "when i have money", "when i get the money"),
    *("जल्दी", "जल्द ही", "बाद में", "कुछ दिन", "कुछ दिनों में", "कुछ दिन में", "आजकल", "आज कल"),
)
_WHEN_FUNDS: Final = ("jab", "जब")
_FUNDS_WORDS: Final = (
    *("paise", "paisa", "pese", "paisay", "funds", "fund", "money", "arrangement", "intezaam", "intezam"),
    *("vyavastha", "पैसे", "पैसा", "इंतजाम"),
)
_FUNDS_VERBS: Final = (
    *("honge", "hoga", "hoge", "ho jayenge", "ho jaenge", "ho jayega", "ho jaega", "aayenge", "aaenge"),
    *("aayega", "aaega", "aa jayenge", "aa jaenge", "milenge", "milega", "होंगे", "होगा", "आएंगे", "आयेंगे"),
    *("हो जाएंगे", "मिलेंगे"),
)

_OF_WORDS: Final = ("ke", "ki", "ka", "mein", "me", "on", "के", "की", "में")  # "agle hafte ke Monday"
_DIG12: Final = rf"{_NOT_AFTER_NUM}(?<![0-9])[0-9]{{1,2}}{_NOT_BEFORE_NUM}"
_ORD: Final = r"(?:st|nd|rd|th)"
_NEXT: Final = _alt(_NEXT_WORDS + _COMING_WORDS)  # "next week" = "coming week"
_THIS: Final = _alt(_THIS_WORDS)
_LAST: Final = _alt(_LAST_WORDS)
_MONTH_WORD: Final = _alt(_MONTH_WORDS)
_KO_TAK: Final = rf"{_alt(_KO_TAK_WORDS)}{_R}"
_TAREEKH: Final = _alt((*_TAREEKH_WORDS, "date"))
_TAREEKH_HI: Final = _alt(_TAREEKH_WORDS)  # not "date" after a word: "koi ek date bata do" is no date
# "5 tareekh", "5th", "5th ko", "5 ko", "paanch tareekh"
_DOM_CORE: Final = (
    rf"(?:(?P<d>{_DIG12})(?:\s*{_ORD}(?:\s*{_TAREEKH})?|\s*{_TAREEKH}|(?=\s+{_KO_TAK}))"
    rf"|(?P<dw>{_alt(_DAY_NUMBERS)})\s+{_TAREEKH_HI}){_R}(?:\s+{_KO_TAK})?"
)
_PERIOD_N: Final = rf"(?:(?<![0-9])[0-9]{{1,3}}(?![0-9])|{_alt(_PERIOD_NUMBERS)})"
# "2-3 din mein", "ek ya do din mein", "3 se 4 din": a range counts as its upper end
_PERIOD_RANGE: Final = rf"(?:{_PERIOD_N}\s*(?:-|–|\s(?:se|to|ya|or|या|से)\s)\s*)?"


@dataclass(frozen=True, slots=True)
class _DatePattern:
    """One date pattern: what it means (``tag``) and the regex."""

    tag: str
    regex: re.Pattern[str]


def _date_pattern(tag: str, pattern: str) -> _DatePattern:
    """A date pattern that must start a word (every branch of it)."""
    return _DatePattern(tag, re.compile(f"{_L}(?:{pattern})"))


_DATE_PATTERNS: Final[tuple[_DatePattern, ...]] = (
    _date_pattern(
        "next_month_dom",
        rf"{_NEXT}\s+{_MONTH_WORD}\s+(?:(?:ki|ke|ka|की|के|का|of\s+the|of)\s+)?{_DOM_CORE}",
    ),
    _date_pattern(
        "next_month_dom",
        rf"(?:the\s+)?{_DOM_CORE}\s+(?:(?:of|ko|को)\s+)?(?:the\s+)?{_NEXT}\s+{_MONTH_WORD}{_R}",
    ),
    _date_pattern("next_month", rf"{_NEXT}\s+{_MONTH_WORD}{_R}"),
    _date_pattern(
        "month_end",
        rf"(?:(?P<nx>{_NEXT})\s+|{_THIS}\s+)?(?:{_MONTH_WORD}\s+(?:(?:ke|ka|ki|de|da|di|के|का|की)\s+)?{_alt(_MONTH_END_WORDS)}"
        rf"|month[\s-]end|end\s+of\s+(?:the\s+|this\s+|(?P<nx2>next)\s+)?month){_R}"
        rf"(?:\s+{_alt(('tak', 'mein', 'me', 'main', 'तक', 'में'))}{_R})?",
    ),
    _date_pattern("next_week", rf"{_NEXT}\s+{_alt(_WEEK_WORDS)}{_R}"),
    _date_pattern(
        "this_week",
        rf"{_THIS}\s+{_alt(_WEEK_WORDS)}{_R}(?:\s+{_alt(('mein', 'me', 'tak', 'में', 'तक'))}{_R})?",
    ),
    _date_pattern(
        "period",
        rf"{_NOT_AFTER_NUM}(?:{_alt(_PERIOD_INTRO)}\s+(?:the\s+next\s+)?{_PERIOD_RANGE}"
        rf"(?P<n>{_PERIOD_N})\s+(?P<u>{_alt(_PERIOD_UNITS)})"
        rf"|{_PERIOD_RANGE}(?P<n2>{_PERIOD_N})\s+(?P<u2>{_alt(_PERIOD_UNITS)})\s+{_alt(_WITHIN_WORDS)}"
        rf"|(?P<n3>{_PERIOD_N})\s+(?P<u3>{_alt(_PERIOD_UNITS)})\s+{_alt(_AGO_WORDS)}){_R}",
    ),
    _date_pattern("relative", rf"(?P<rel>{_alt(_RELATIVE)}){_R}"),
    _date_pattern(
        "weekday",
        rf"(?:(?P<pfx>{_NEXT}|{_THIS}|{_LAST})\s+(?:{_alt(_WEEK_WORDS)}\s+(?:{_alt(_OF_WORDS)}\s+)?)?)?"
        rf"(?P<wd>{_alt(_WEEKDAYS)}){_R}(?:\s+{_KO_TAK})?",
    ),
    _date_pattern(
        "weekday",
        rf"(?:(?P<pfx>{_NEXT}|{_THIS}|{_LAST})\s+(?P<wd>{_alt(_WEEKDAYS_SHORT)}){_R}(?:\s+{_KO_TAK})?"
        rf"|(?P<wd2>{_alt(_WEEKDAYS_SHORT)})\s+{_KO_TAK}"
        rf"|(?P<wd3>{_alt(_WEEKDAYS_SHORT_KE)})\s+(?:ke|के){_R})",  # Bhojpuri/Magahi "budh ke" = "budh ko"
    ),
    _date_pattern("dom", rf"(?:the\s+)?{_DOM_CORE}"),
    _date_pattern(  # "on tenth", "by the twenty-first", "tenth ko"; "on the first of May" is May's
        "dom",
        rf"(?:on|by|before|till|until)\s+(?:the\s+)?(?P<ow>{_alt(_DAY_ORDINALS)}){_R}"
        rf"(?!\s+(?:of\s+)?(?:{_alt(_NOT_A_DAY_AFTER)}|{_MONTH_RE}){_R})"
        rf"|(?P<ow2>{_alt(_DAY_ORDINALS)})\s+{_KO_TAK}",
    ),
    _date_pattern(
        "dmy",
        rf"(?:the\s+)?(?P<ow>{_alt(_DAY_ORDINALS)})\s+(?:of\s+)?(?P<mon>{_MONTH_RE}){_R}"
        rf"(?:,?\s*(?P<y>[0-9]{{4}}){_NOT_BEFORE_NUM})?",
    ),
    _date_pattern(
        "dmy",
        rf"(?P<d>{_DIG12})(?P<ord>\s*{_ORD})?\s*(?:of\s+)?(?P<mon>{_MONTH_RE}){_R}"
        rf"(?:,?\s*(?P<y>[0-9]{{4}}){_NOT_BEFORE_NUM})?",
    ),
    _date_pattern(
        "dmy",
        rf"(?P<mon>{_MONTH_RE})\.?\s+(?P<d>{_DIG12})(?P<ord>\s*{_ORD})?{_R}"
        rf"(?:,?\s*(?P<y>[0-9]{{4}}){_NOT_BEFORE_NUM})?",
    ),
    _date_pattern(  # without a year only "15/12": "2-3 din" is a range of days, not 2 March
        "numeric",
        rf"{_NOT_AFTER_NUM}(?P<d>[0-9]{{1,2}})(?:(?P<sep>[/.-])(?P<m>[0-9]{{1,2}})(?P=sep)"
        rf"(?P<y>[0-9]{{4}}|[0-9]{{2}})|/(?P<m2>[0-9]{{1,2}})){_NOT_BEFORE_NUM}",
    ),
    _date_pattern("iso", r"(?P<y>[0-9]{4})(?P<sep>[/-])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})(?![0-9])"),
    _date_pattern(
        "salary",
        rf"{_alt((*_SALARY_WORDS, *_INCOME_WORDS))}\s+(?:(?:ke|ka|ki|की|के)\s+)?{_alt(_SALARY_VERBS)}{_R}"
        rf"(?:\s+{_alt(_SALARY_TAILS)}{_R})?"
        rf"|{_alt(_SALARY_INTRO)}\s+(?:i\s+(?:get|receive)\s+)?(?:my\s+|the\s+)?"
        rf"(?:salary|paycheck|pay\s+day|payday)"
        rf"(?:\s+{_alt(('comes', 'come', 'is credited', 'gets credited', 'credit', 'arrives', 'day'))})?{_R}"
        rf"|salary\s+(?:day|date){_R}",
    ),
    _date_pattern(
        "vague",
        rf"{_alt(_VAGUE_WORDS)}{_R}|{_alt(_WHEN_FUNDS)}\s+(?:(?:bhi|भी)\s+)?{_alt(_FUNDS_WORDS)}\s+"
        rf"{_alt(_FUNDS_VERBS)}{_R}",
    ),
)
# Where each date pattern may start (its id there is its place in ``_DATE_PATTERNS``).
_DATE_INDEX: Final = Index(whole_words=True)
_DATE_INDEX.add_all(p.regex for p in _DATE_PATTERNS)

_PAST_MARKER: Final = re.compile(
    rf"{_L}(?:{_alt(('tha', 'thi', 'kiya', 'kiye', 'kia', 'diya', 'diye', 'dia', 'kar di', 'de di'))}"
    rf"(?!\s+(?:ja|जा|debo|dibo|ashbo|jabo))"  # "kar diya jayega" is a passive future, "diye debo" a future
    rf"|{_alt(('bhej di', 'bhar di', 'ho gaya', 'ho gayi', 'ho gya', 'ho gyi', 'ho gai', 'ho chuka'))}"
    rf"|{_alt(('ho chuki', 'hua', 'hui', 'huaa', 'bheja', 'bheji', 'bhara', 'bhari', 'paid', 'sent'))}"
    rf"|{_alt(('था', 'थी', 'थे', 'किया', 'किए', 'दिया', 'दिए', 'भेजा', 'भरा', 'हुआ', 'हुई', 'हो गया'))}"
    rf"|{_alt(('हो गई', 'कर दी', 'दे दी'))}){_R}"
)
# Hindi future endings: karunga, dunga, bhejungi, denge, hoga, jayega, karoge; करूंगा, देंगे, होगा.
_FUTURE_MARKER: Final = re.compile(
    rf"[a-z](?:unga|ungi|oonga|oongi|enge|engi|ega|egi|oga|ogi|oge){_R}|{_L}(?:will|shall|gonna){_R}"
    # Bengali, Punjabi and Marathi futures in Hinglish: "kal dibo", "kal pa dinda", "udya bharto"
    rf"|{_L}(?:debo|dibo|korbo|ashbo|pathabo|bhorbo|dinda|dindi|bharto|deto|karto|deil|karel){_R}"
    r"|(?:ूंगा|ूंगी|ेंगे|ेंगी|ेगा|ेगी|ोगा|ोगी|ोगे)(?![\u0900-\u097F])"
)
_CLAUSE_CHARS: Final = 48


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def _clamped(year: int, month: int, day: int) -> _dt.date:
    """``day`` of the month, or the month's last day when it has fewer days."""
    return _dt.date(year, month, min(day, monthrange(year, month)[1]))


def _month_end(today: _dt.date, months_ahead: int) -> _dt.date:
    """The last day of this (or a later) month; on the last day itself "month end" is next month's."""
    year, month = _add_months(today.year, today.month, months_ahead)
    end = _dt.date(year, month, monthrange(year, month)[1])
    return _month_end(today, 1) if months_ahead == 0 and end == today else end


def _day_of_month(today: _dt.date, day: int) -> _dt.date:
    """``day`` of this month if not already past, else of the next month (clamped)."""
    year, month = (today.year, today.month) if day >= today.day else _add_months(today.year, today.month, 1)
    return _clamped(year, month, day)


def _weekday(today: _dt.date, weekday: int, prefix: str | None) -> _dt.date:
    """The day meant by "[prefix] <weekday>": plain / this / coming -> next one strictly after today;
    next / agle -> that day in the following calendar week; last / pichle -> the latest before today."""
    key = _key(prefix) if prefix else ""
    if key in _NEXT_KEYS:
        return today + _dt.timedelta(days=7 - today.weekday() + weekday)
    if key in _LAST_KEYS:
        return today - _dt.timedelta(days=(today.weekday() - weekday) % 7 or 7)
    return today + _dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _clause_after(norm: str, end: int) -> str:
    window = norm[end : end + _CLAUSE_CHARS]
    b = _CLAUSE_BREAK.search(window)
    return window if b is None else window[: b.start()]


def _clause_before(norm: str, start: int) -> str:
    window = norm[max(0, start - _CLAUSE_CHARS) : start]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    return window if not breaks else window[breaks[-1].end() :]


def _is_past(norm: str, start: int, end: int) -> bool:
    """Whether a Hindi "kal"/"parso" points back: a past-tense marker after it in its clause before
    any future-tense verb ("kal kiya tha"), or before it when no future marker follows ("payment kar
    diya tha kal")."""
    after = _clause_after(norm, end)
    past, future = _PAST_MARKER.search(after), _FUTURE_MARKER.search(after)
    if past is not None and (future is None or past.start() < future.start()):
        return True  # "kal kiya tha"; not "kal dibo 700, ... diye ashbo"
    if future is not None:
        return False
    return _PAST_MARKER.search(_clause_before(norm, start)) is not None


def _absolute(today: _dt.date, day: int, month: int, year: str | None) -> _dt.date | None:
    """An explicit day and month; the year as given, else the nearest not more than a week past."""
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    if year is not None:
        y = int(year) + (2000 if len(year) == 2 else 0)
        return _clamped(y, month, day) if 1 <= y <= 9999 else None
    found = _clamped(today.year, month, day)
    if found < today - _dt.timedelta(days=7):
        found = _clamped(today.year + 1, month, day)
    return found


_Resolved: TypeAlias = tuple[_dt.date | None, DateKind, str | None]


def _day_number(g: dict[str, str | None]) -> int:
    """The day of the month a day-of-month or day-month match names: digits, a Hindi number
    word or an English ordinal word."""
    if d := g.get("d"):
        return int(d)
    if dw := g.get("dw"):
        return _DAY_NUMBERS[_key(dw)]
    return _DAY_ORDINALS[_key(g.get("ow") or g.get("ow2") or "")]


def _resolve(tag: str, m: re.Match[str], text: str, norm: str, today: _dt.date) -> _Resolved | None:
    """What one pattern match means on the call date ``today`` (``None``: not a date after all)."""
    g = m.groupdict()
    if tag in ("dom", "next_month_dom"):
        day = _day_number(g)
        if not 1 <= day <= 31:
            return None
        if tag == "dom":
            return _day_of_month(today, day), "day_of_month", None
        return _clamped(*_add_months(today.year, today.month, 1), day), "day_of_month", None
    if tag == "relative":
        word = _key(g["rel"])
        offset = _RELATIVE[word]
        if word in _TWO_WAY and _is_past(norm, m.start(), m.end()):
            offset = -offset
        return today + _dt.timedelta(days=offset), "relative", None
    if tag == "weekday":
        if not g.get("pfx") and _HABITUAL_BEFORE.search(norm, max(0, m.start() - 12), m.start()):
            return None
        name = g["wd"] or g.get("wd2") or g.get("wd3") or ""
        return _weekday(today, _WEEKDAY_ANY[_key(name)], g.get("pfx")), "weekday", None
    if tag == "period":
        n, unit = (g["n"], g["u"]) if g["n"] else (g["n2"], g["u2"]) if g["n2"] else (g["n3"], g["u3"])
        count = int(n) if n[0].isdigit() else _PERIOD_NUMBERS[_key(n)]
        if g["n3"]:  # "2 din pehle", "3 days ago"
            count = -count
        kind, size = _PERIOD_UNITS[_key(unit)]
        if kind == "months":
            return _clamped(*_add_months(today.year, today.month, count * size), today.day), "relative", None
        return today + _dt.timedelta(days=count * size), "relative", None
    if tag == "dmy":
        mon = _key(g["mon"])
        # Hinglish "may" is often "mein": it is May only with an ordinal, a year or a capital M.
        if mon == "may" and not (g.get("ord") or g.get("ow") or g["y"] or text[m.start("mon")] == "M"):
            return None
        found = _absolute(today, _day_number(g), _MONTH_NAMES[mon], g["y"])
        return None if found is None else (found, "absolute", None)
    if tag in ("numeric", "iso"):
        if g.get("m2") is not None and ((g["d"], g["m2"]) == ("24", "7") or _UNIT_AFTER.match(norm, m.end())):
            return None  # "24/7 call karte ho", "2/3 din", "1/2 lakh": not dates
        found = _absolute(today, int(g["d"]), int(g.get("m2") or g["m"]), g["y"])
        return None if found is None else (found, "absolute", None)
    if tag == "month_end":
        return _month_end(today, 1 if g["nx"] or g["nx2"] else 0), "relative", None
    if tag == "salary":
        return None, "conditional", SALARY_DAY_UNKNOWN
    return None, "vague", VAGUE


def find_dates(text: str, anchor: _dt.datetime) -> list[DateMatch]:
    """Every date phrase in ``text``, in order, resolved against the call time ``anchor`` (taken in
    IST; naive means IST). Overlaps keep the earliest, then the longest phrase. Never raises on any
    text; a date beyond the calendar (after 9999-12-31) comes back as ``None``, "out_of_range"."""
    if not text:
        return []
    norm = _fold(text)
    found: list[tuple[int, int, int, re.Match[str]]] = []
    for pid, positions in _DATE_INDEX.candidates(norm).items():
        match = _DATE_PATTERNS[pid].regex.match
        for pos in starts(positions, len(norm)):
            if (m := match(norm, pos)) is not None:
                found.append((pos, -m.end(), pid, m))
    if not found:
        return []
    today = to_ist(anchor).date()
    # The earliest first, then the longest, then in pattern order (no two hits share a
    # position and a pattern, so the matches themselves are never compared).
    found.sort()
    out: list[DateMatch] = []
    taken = 0
    for start, neg_end, pid, m in found:
        end, tag = -neg_end, _DATE_PATTERNS[pid].tag
        if start < taken:
            continue
        resolved: _Resolved | None
        try:
            resolved = _resolve(tag, m, text, norm, today)
        except (OverflowError, ValueError):  # e.g. "kal" on 9999-12-31
            resolved = None, "absolute" if tag in ("dmy", "numeric", "iso") else "relative", OUT_OF_RANGE
        if resolved is not None:
            day, kind, reason = resolved
            out.append(DateMatch(day, reason, start, end, text[start:end], kind))
            taken = end
    return out


def resolve_date(phrase: str, anchor: _dt.datetime) -> DateResolution:
    """The date one phrase points at ("agle mahine 5 tareekh", "Wednesday ko", "2026-12-15",
    "salary aane pe"), against the call time ``anchor``. With several phrases the first one that
    has a date wins, else the first one ("salary aane pe ya 5 tareekh tak" -> the 5th); with none,
    ``DateResolution(None, "unknown", "unrecognized")``."""
    found = find_dates(phrase, anchor)
    best = next((d for d in found if d.date is not None), found[0] if found else None)
    if best is None:
        return DateResolution(None, "unknown", UNRECOGNIZED)
    return DateResolution(best.date, best.kind, best.reason)
