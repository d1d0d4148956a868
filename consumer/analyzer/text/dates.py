"""Promised dates in Hinglish debt-collection talk, as calendar dates in IST.

Shared by the Gemini and the offline analyzers, so both read "agle mahine 5 tareekh ko" or "परसों"
the same way. Pure: no I/O and no clock (except :func:`to_ist` given ``None``), regexes compiled
once at import (matching runs on the folded text of ``consumer.analyzer.text.fold``).

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
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from consumer.analyzer.text.date_words import (
    AGO_WORDS,
    DAY_NUMBERS,
    DAY_ORDINALS,
    DIG12,
    DOM_CORE,
    FUNDS_VERBS,
    FUNDS_WORDS,
    HABITUAL_BEFORE,
    INCOME_WORDS,
    KO_TAK,
    LAST,
    LAST_KEYS,
    MONTH_END_WORDS,
    MONTH_WORD,
    NEXT,
    NEXT_KEYS,
    NOT_A_DAY_AFTER,
    OF_WORDS,
    ORD,
    PERIOD_INTRO,
    PERIOD_N,
    PERIOD_NUMBERS,
    PERIOD_RANGE,
    PERIOD_UNITS,
    RELATIVE,
    SALARY_INTRO,
    SALARY_TAILS,
    SALARY_VERBS,
    SALARY_WORDS,
    THIS,
    TWO_WAY,
    VAGUE_WORDS,
    WEEK_WORDS,
    WEEKDAY_ANY,
    WEEKDAYS,
    WEEKDAYS_SHORT,
    WEEKDAYS_SHORT_KE,
    WHEN_FUNDS,
    WITHIN_WORDS,
)
from consumer.analyzer.text.fold import (
    CLAUSE_BREAK,
    NOT_AFTER_NUM,
    NOT_BEFORE_NUM,
    WORD_END,
    WORD_START,
    alt,
    fold,
    phrase_key,
)
from consumer.analyzer.text.matcher import Index, starts
from consumer.analyzer.text.money import MONTH_NAMES, MONTH_RE, UNIT_AFTER

__all__ = [
    "IST",
    "IST_OFFSET",
    "OUT_OF_RANGE",
    "SALARY_DAY_UNKNOWN",
    "UNRECOGNIZED",
    "VAGUE",
    "DateKind",
    "DateMatch",
    "DateResolution",
    "find_dates",
    "resolve_date",
    "to_ist",
]


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


@dataclass(frozen=True, slots=True)
class _DatePattern:
    """One date pattern: what it means (``tag``) and the regex."""

    tag: str
    regex: re.Pattern[str]


def _date_pattern(tag: str, pattern: str) -> _DatePattern:
    """A date pattern that must start a word (every branch of it)."""
    return _DatePattern(tag, re.compile(f"{WORD_START}(?:{pattern})"))


_DATE_PATTERNS: Final[tuple[_DatePattern, ...]] = (
    _date_pattern(
        "next_month_dom",
        rf"{NEXT}\s+{MONTH_WORD}\s+(?:(?:ki|ke|ka|की|के|का|of\s+the|of)\s+)?{DOM_CORE}",
    ),
    _date_pattern(
        "next_month_dom",
        rf"(?:the\s+)?{DOM_CORE}\s+(?:(?:of|ko|को)\s+)?(?:the\s+)?{NEXT}\s+{MONTH_WORD}{WORD_END}",
    ),
    _date_pattern("next_month", rf"{NEXT}\s+{MONTH_WORD}{WORD_END}"),
    _date_pattern(
        "month_end",
        rf"(?:(?P<nx>{NEXT})\s+|{THIS}\s+)?(?:{MONTH_WORD}\s+(?:(?:ke|ka|ki|de|da|di|के|का|की)\s+)?{alt(MONTH_END_WORDS)}"
        rf"|month[\s-]end|end\s+of\s+(?:the\s+|this\s+|(?P<nx2>next)\s+)?month){WORD_END}"
        rf"(?:\s+{alt(('tak', 'mein', 'me', 'main', 'तक', 'में'))}{WORD_END})?",
    ),
    _date_pattern("next_week", rf"{NEXT}\s+{alt(WEEK_WORDS)}{WORD_END}"),
    _date_pattern(
        "this_week",
        rf"{THIS}\s+{alt(WEEK_WORDS)}{WORD_END}(?:\s+{alt(('mein', 'me', 'tak', 'में', 'तक'))}{WORD_END})?",
    ),
    _date_pattern(
        "period",
        rf"{NOT_AFTER_NUM}(?:{alt(PERIOD_INTRO)}\s+(?:the\s+next\s+)?{PERIOD_RANGE}"
        rf"(?P<n>{PERIOD_N})\s+(?P<u>{alt(PERIOD_UNITS)})"
        rf"|{PERIOD_RANGE}(?P<n2>{PERIOD_N})\s+(?P<u2>{alt(PERIOD_UNITS)})\s+{alt(WITHIN_WORDS)}"
        rf"|(?P<n3>{PERIOD_N})\s+(?P<u3>{alt(PERIOD_UNITS)})\s+{alt(AGO_WORDS)}){WORD_END}",
    ),
    _date_pattern("relative", rf"(?P<rel>{alt(RELATIVE)}){WORD_END}"),
    _date_pattern(
        "weekday",
        rf"(?:(?P<pfx>{NEXT}|{THIS}|{LAST})\s+(?:{alt(WEEK_WORDS)}\s+(?:{alt(OF_WORDS)}\s+)?)?)?"
        rf"(?P<wd>{alt(WEEKDAYS)}){WORD_END}(?:\s+{KO_TAK})?",
    ),
    _date_pattern(
        "weekday",
        rf"(?:(?P<pfx>{NEXT}|{THIS}|{LAST})\s+(?P<wd>{alt(WEEKDAYS_SHORT)}){WORD_END}(?:\s+{KO_TAK})?"
        rf"|(?P<wd2>{alt(WEEKDAYS_SHORT)})\s+{KO_TAK}"
        rf"|(?P<wd3>{alt(WEEKDAYS_SHORT_KE)})\s+(?:ke|के){WORD_END})",  # Bhojpuri/Magahi "budh ke" = "budh ko"
    ),
    _date_pattern("dom", rf"(?:the\s+)?{DOM_CORE}"),
    _date_pattern(  # "on tenth", "by the twenty-first", "tenth ko"; "on the first of May" is May's
        "dom",
        rf"(?:on|by|before|till|until)\s+(?:the\s+)?(?P<ow>{alt(DAY_ORDINALS)}){WORD_END}"
        rf"(?!\s+(?:of\s+)?(?:{alt(NOT_A_DAY_AFTER)}|{MONTH_RE}){WORD_END})"
        rf"|(?P<ow2>{alt(DAY_ORDINALS)})\s+{KO_TAK}",
    ),
    _date_pattern(
        "dmy",
        rf"(?:the\s+)?(?P<ow>{alt(DAY_ORDINALS)})\s+(?:of\s+)?(?P<mon>{MONTH_RE}){WORD_END}"
        rf"(?:,?\s*(?P<y>[0-9]{{4}}){NOT_BEFORE_NUM})?",
    ),
    _date_pattern(
        "dmy",
        rf"(?P<d>{DIG12})(?P<ord>\s*{ORD})?\s*(?:of\s+)?(?P<mon>{MONTH_RE}){WORD_END}"
        rf"(?:,?\s*(?P<y>[0-9]{{4}}){NOT_BEFORE_NUM})?",
    ),
    _date_pattern(
        "dmy",
        rf"(?P<mon>{MONTH_RE})\.?\s+(?P<d>{DIG12})(?P<ord>\s*{ORD})?{WORD_END}"
        rf"(?:,?\s*(?P<y>[0-9]{{4}}){NOT_BEFORE_NUM})?",
    ),
    _date_pattern(  # without a year only "15/12": "2-3 din" is a range of days, not 2 March
        "numeric",
        rf"{NOT_AFTER_NUM}(?P<d>[0-9]{{1,2}})(?:(?P<sep>[/.-])(?P<m>[0-9]{{1,2}})(?P=sep)"
        rf"(?P<y>[0-9]{{4}}|[0-9]{{2}})|/(?P<m2>[0-9]{{1,2}})){NOT_BEFORE_NUM}",
    ),
    _date_pattern("iso", r"(?P<y>[0-9]{4})(?P<sep>[/-])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})(?![0-9])"),
    _date_pattern(
        "salary",
        rf"{alt((*SALARY_WORDS, *INCOME_WORDS))}\s+(?:(?:ke|ka|ki|की|के)\s+)?{alt(SALARY_VERBS)}{WORD_END}"
        rf"(?:\s+{alt(SALARY_TAILS)}{WORD_END})?"
        rf"|{alt(SALARY_INTRO)}\s+(?:i\s+(?:get|receive)\s+)?(?:my\s+|the\s+)?"
        rf"(?:salary|paycheck|pay\s+day|payday)"
        rf"(?:\s+{alt(('comes', 'come', 'is credited', 'gets credited', 'credit', 'arrives', 'day'))})?"
        rf"{WORD_END}"
        rf"|salary\s+(?:day|date){WORD_END}",
    ),
    _date_pattern(
        "vague",
        rf"{alt(VAGUE_WORDS)}{WORD_END}|{alt(WHEN_FUNDS)}\s+(?:(?:bhi|भी)\s+)?{alt(FUNDS_WORDS)}\s+"
        rf"{alt(FUNDS_VERBS)}{WORD_END}",
    ),
)
# Where each date pattern may start (its id there is its place in ``_DATE_PATTERNS``).
_DATE_INDEX: Final = Index(whole_words=True)
_DATE_INDEX.add_all(p.regex for p in _DATE_PATTERNS)

_PAST_MARKER: Final = re.compile(
    rf"{WORD_START}(?:{alt(('tha', 'thi', 'kiya', 'kiye', 'kia', 'diya', 'diye', 'dia', 'kar di', 'de di'))}"
    rf"(?!\s+(?:ja|जा|debo|dibo|ashbo|jabo))"  # "kar diya jayega" is a passive future, "diye debo" a future
    rf"|{alt(('bhej di', 'bhar di', 'ho gaya', 'ho gayi', 'ho gya', 'ho gyi', 'ho gai', 'ho chuka'))}"
    rf"|{alt(('ho chuki', 'hua', 'hui', 'huaa', 'bheja', 'bheji', 'bhara', 'bhari', 'paid', 'sent'))}"
    rf"|{alt(('था', 'थी', 'थे', 'किया', 'किए', 'दिया', 'दिए', 'भेजा', 'भरा', 'हुआ', 'हुई', 'हो गया'))}"
    rf"|{alt(('हो गई', 'कर दी', 'दे दी'))}){WORD_END}"
)
# Hindi future endings: karunga, dunga, bhejungi, denge, hoga, jayega, karoge; करूंगा, देंगे, होगा.
_FUTURE_MARKER: Final = re.compile(
    rf"[a-z](?:unga|ungi|oonga|oongi|enge|engi|ega|egi|oga|ogi|oge){WORD_END}|{WORD_START}(?:will|shall|gonna){WORD_END}"
    # Bengali, Punjabi and Marathi futures in Hinglish: "kal dibo", "kal pa dinda", "udya bharto"
    rf"|{WORD_START}(?:debo|dibo|korbo|ashbo|pathabo|bhorbo|dinda|dindi|bharto|deto|karto|deil|karel){WORD_END}"
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
    key = phrase_key(prefix) if prefix else ""
    if key in NEXT_KEYS:
        return today + _dt.timedelta(days=7 - today.weekday() + weekday)
    if key in LAST_KEYS:
        return today - _dt.timedelta(days=(today.weekday() - weekday) % 7 or 7)
    return today + _dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _clause_after(norm: str, end: int) -> str:
    window = norm[end : end + _CLAUSE_CHARS]
    b = CLAUSE_BREAK.search(window)
    return window if b is None else window[: b.start()]


def _clause_before(norm: str, start: int) -> str:
    window = norm[max(0, start - _CLAUSE_CHARS) : start]
    breaks = list(CLAUSE_BREAK.finditer(window))
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
        return DAY_NUMBERS[phrase_key(dw)]
    return DAY_ORDINALS[phrase_key(g.get("ow") or g.get("ow2") or "")]


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
        word = phrase_key(g["rel"])
        offset = RELATIVE[word]
        if word in TWO_WAY and _is_past(norm, m.start(), m.end()):
            offset = -offset
        return today + _dt.timedelta(days=offset), "relative", None
    if tag == "weekday":
        if not g.get("pfx") and HABITUAL_BEFORE.search(norm, max(0, m.start() - 12), m.start()):
            return None
        name = g["wd"] or g.get("wd2") or g.get("wd3") or ""
        return _weekday(today, WEEKDAY_ANY[phrase_key(name)], g.get("pfx")), "weekday", None
    if tag == "period":
        n, unit = (g["n"], g["u"]) if g["n"] else (g["n2"], g["u2"]) if g["n2"] else (g["n3"], g["u3"])
        count = int(n) if n[0].isdigit() else PERIOD_NUMBERS[phrase_key(n)]
        if g["n3"]:  # "2 din pehle", "3 days ago"
            count = -count
        kind, size = PERIOD_UNITS[phrase_key(unit)]
        if kind == "months":
            return _clamped(*_add_months(today.year, today.month, count * size), today.day), "relative", None
        return today + _dt.timedelta(days=count * size), "relative", None
    if tag == "dmy":
        mon = phrase_key(g["mon"])
        # Hinglish "may" is often "mein": it is May only with an ordinal, a year or a capital M.
        if mon == "may" and not (g.get("ord") or g.get("ow") or g["y"] or text[m.start("mon")] == "M"):
            return None
        found = _absolute(today, _day_number(g), MONTH_NAMES[mon], g["y"])
        return None if found is None else (found, "absolute", None)
    if tag in ("numeric", "iso"):
        if g.get("m2") is not None and ((g["d"], g["m2"]) == ("24", "7") or UNIT_AFTER.match(norm, m.end())):
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
    norm = fold(text)
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
