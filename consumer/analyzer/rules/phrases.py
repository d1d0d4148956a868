# ruff: noqa: E501 - one phrase family per line, however long the regex.
"""Day, date and amount phrases in the customer's words, and the one nearest to a cue."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, NamedTuple

from consumer.analyzer.rules.cues import CLAUSE_BREAK, INDEX, Doc, whole_word
from consumer.analyzer.text.dates import find_dates

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


class When(NamedTuple):
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
    *((whole_word(pat), f"wd:{i}") for i, (_, pat) in enumerate(_WEEKDAYS)),
    (whole_word(rf"(?P<d>\d{{1,2}}) (?P<mon>{_MONTH_ALT})"), "dm"),
    (whole_word(r"(?P<d>\d{1,2}) ?(?:tareekh|tarikh|taarikh|tarik|tareek|tarrikh|date|तारीख|तारिख)"), "dom"),
    (whole_word(r"(?:the )?(?P<d>\d{1,2})(?:st|nd|rd|th)"), "dom"),
    (whole_word(r"(?P<d>\d{1,2}) (?:ko|tak|को|तक)"), "dom"),
    (whole_word(r"day after tomorrow|parso|parson|parsoon|परसों|परसो"), "rel:2"),
    (whole_word(r"tomorrow|kal|कल"), "rel:1"),
    (whole_word(r"today|tonight|aaj|aj|आज|end of (?:the )?day|eod"), "rel:0"),
    (whole_word(r"abhi|अभी|right now|immediately"), "now"),
    (
        whole_word(r"agle (?:hafte|week)|next week|अगले (?:हफ्ते|सप्ताह)|is (?:hafte|week)|this week"),
        "lbl:Next week",
    ),
    (whole_word(r"agle mahine|next month|अगले महीने"), "lbl:Next month"),
    (
        whole_word(r"month end|mahine (?:ke )?(?:end|aakhir|akhir)|end of (?:the |this )?month"),
        "lbl:Month end",
    ),
    (
        whole_word(
            r"(?:salary|tankhwah|tankhwa|pagaar|तनख्वाह|वेतन|पगार) (?:aane|aate|milne|milte|credit|aayegi|आने|आते|मिलने|मिलते)~"
            r"|(?:after|once) (?:i get )?(?:my |the )?salary|salary (?:ke baad|milte hi)"
        ),
        "lbl:On salary credit",
    ),
)
_PART_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (whole_word(r"shaam|sham|evening|शाम"), "evening"),
    (whole_word(r"subah|morning|सुबह"), "morning"),
    (whole_word(r"dopahar|dopeher|afternoon|दोपहर"), "afternoon"),
    (whole_word(r"raat|night|रात"), "night"),
    (
        whole_word(
            r"(?P<n>\d+|ek|do|aadha|half an?|one|two) (?:ghante|ghanta|hour|hours|घंटे|घंटा) (?:baad|later|बाद)"
            r"|in (?:an?|one|two|\d+) hours?|(?:in )?(?P<m>\d+) (?:minutes|minute|mins|min|मिनट)(?: (?:baad|later|बाद))?"
        ),
        "hours",
    ),
    (
        whole_word(r"(?:thodi|थोडी) (?:der|देर) (?:baad|बाद)|baad (?:mein|me|में)|later|बाद में"),
        "later",
    ),
)

_AMOUNT_RE = whole_word(
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


_AMOUNT_IDS = INDEX.add_all([_AMOUNT_RE])


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_DAY_IDS = INDEX.add_all(rx for rx, _ in _DAY_PATTERNS)
_PART_IDS = INDEX.add_all(rx for rx, _ in _PART_PATTERNS)


def find_whens(doc: Doc) -> list[When]:
    """Every day/date or part-of-day phrase in the text, in order."""
    out: list[When] = []
    for pid, matches in doc.scans(_DAY_IDS):
        kind = _DAY_PATTERNS[pid - _DAY_IDS.start][1]
        for m in matches:
            if kind.startswith("wd:"):
                i = int(kind[3:])
                out.append(When(m.start(), m.end(), _WEEKDAYS[i][0], "day", weekday=i))
            elif kind == "dm":
                d = int(m.group("d"))
                mon = _MONTHS.index(m.group("mon")[:3]) + 1
                if 1 <= d <= 31:
                    out.append(
                        When(m.start(), m.end(), f"{d} {_MONTH_NAMES[mon - 1]}", "day", dom=d, month=mon)
                    )
            elif kind == "dom":
                d = int(m.group("d"))
                if 1 <= d <= 31:
                    out.append(When(m.start(), m.end(), _ordinal(d), "day", dom=d))
            elif kind == "now":
                out.append(When(m.start(), m.end(), "Today", "day", offset=0, now=True))
            elif kind.startswith("rel:"):
                off = int(kind[4:])
                label = {0: "Today", 1: "Tomorrow", 2: "Day after tomorrow"}[off]
                out.append(When(m.start(), m.end(), label, "day", offset=off))
            else:
                out.append(When(m.start(), m.end(), kind[4:], "day"))
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
            out.append(When(m.start(), m.end(), label, "part"))
    # Drop phrases nested inside a longer one (e.g. "kal" inside nothing, "date" inside "due date").
    out.sort(key=lambda w: (w.start, -(w.end - w.start)))
    kept: list[When] = []
    for w in out:
        if kept and w.start < kept[-1].end:
            continue
        kept.append(w)
    return kept


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


SENTENCE_BREAK = re.compile(r"[!?\n\u0964]|\.(?!\d)")


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


def nearest_when(
    text: str, whens: Sequence[When], anchors: Sequence[tuple[int, int]], limit: int
) -> When | None:
    """The day phrase closest to an anchor, within ``limit`` characters and in the same sentence.

    Part-of-day phrases ("shaam ko", "1 ghante baad") are used only when no day phrase is near;
    one right next to the chosen day is merged into its label ("Tomorrow morning").
    """
    near = _near([(w.start, w.end) for w in whens], anchors, limit)

    def gap(w: When, close: list[tuple[int, int]]) -> tuple[bool, int] | None:
        # Rank by (in another clause?, distance): "kal tak 2,000 de dunga, baaki next week" -> kal.
        best: tuple[bool, int] | None = None
        for a in close:
            d = _distance((w.start, w.end), a)
            lo, hi = min(w.end, a[1]), max(w.start, a[0])
            lo, hi = min(lo, hi), max(lo, hi)
            if d <= limit and not SENTENCE_BREAK.search(text, lo, hi):
                key = (bool(CLAUSE_BREAK.search(text, lo, hi)), d)
                best = key if best is None else min(best, key)
        return best

    def closest(kind: str) -> When | None:
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
            return When(
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


def spoken_date(text: str, when: When, anchor: datetime) -> date | None:
    """The date ``when`` (a phrase of ``text``) names, as the one date resolver of the analyzer
    (``dates.find_dates``) reads it, so the summary says the date the promise's fields say.
    Only the phrase and the words just before it are read."""
    start = max(0, when.start - _DATE_CONTEXT)
    for found in find_dates(text[start : when.end + 1], anchor):
        if start + found.start < when.end and when.start < start + found.end:
            return found.date
    return None


def amount_near(doc: Doc, anchors: Sequence[tuple[int, int]], limit: int = 40) -> str | None:
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
