"""Amounts and dates in Hinglish collection talk: examples, edge cases, properties, speed."""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as clock_time
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from consumer.analyzer.text import date_words as text_date_words
from consumer.analyzer.text import dates as text_dates
from consumer.analyzer.text import fold as text_fold
from consumer.analyzer.text import money as text_money
from consumer.analyzer.text import numbers as text_numbers
from consumer.analyzer.text.dates import IST, DateMatch, DateResolution, find_dates, resolve_date, to_ist
from consumer.analyzer.text.matcher import starts
from consumer.analyzer.text.money import AmountMatch, find_amounts, find_amounts_and_bare, parse_amount

SAMPLES = Path(__file__).resolve().parents[4] / "producer_tools" / "samples" / "transcripts.jsonl"
MONDAY = datetime.fromisoformat("2026-11-16T11:00:00+05:30")  # a Monday
FRIDAY = datetime.fromisoformat("2026-11-20T11:00:00+05:30")
D = date.fromisoformat
DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")


def indian(n: int) -> str:
    """``n`` with Indian digit grouping: 1,23,45,678."""
    s = str(n)
    if len(s) <= 3:
        return s
    head, groups = s[:-3], [s[-3:]]
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *groups])


def devanagari(s: str) -> str:
    return s.translate(DEVANAGARI_DIGITS)


def values(text: str) -> list[int]:
    return [a.value for a in find_amounts(text)]


def ist_date(anchor: datetime) -> date:
    """The IST calendar date of an anchor, computed independently of the module."""
    if anchor.tzinfo is None:
        return anchor.date()
    return (anchor.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=5, minutes=30)).date()


def at(phrase: str, anchor: datetime = MONDAY) -> date | None:
    return resolve_date(phrase, anchor).date


anchors = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.none()
    | st.sampled_from([UTC, IST, timezone(timedelta(hours=-8)), timezone(timedelta(hours=14))]),
)


# ---------------------------------------------------------------------------------------------
# Amounts: single phrases
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "value"),
    [
        ("15,600", 15600),
        ("15600", 15600),
        ("1,23,456", 123456),
        ("12,34,56,789", 123456789),
        ("123,456,789", 123456789),
        ("Rs 5000", 5000),
        ("Rs. 5,000", 5000),
        ("rs.5000", 5000),
        ("₹5,000", 5000),
        ("₹ 5000", 5000),
        ("INR 5000", 5000),
        ("5000 rupaye", 5000),
        ("5000 rupees", 5000),
        ("5000 rupaiye", 5000),
        ("5000 rs", 5000),
        ("5000rs", 5000),
        ("5000/-", 5000),
        ("Rs. 5,000/-", 5000),
        ("5k", 5000),
        ("5K", 5000),
        ("2.5k", 2500),
        ("5 k", 5000),
        ("1.5L", 150000),
        ("5 hazaar", 5000),
        ("5 hazar", 5000),
        ("5 hajar", 5000),
        ("5 thousand", 5000),
        ("paanch hazaar", 5000),
        ("panch hazar", 5000),
        ("pachees hazaar", 25000),
        ("pachas hazaar", 50000),
        ("nabbe hazaar", 90000),
        ("dedh lakh", 150000),
        ("dhai lakh", 250000),
        ("dhaai lakh", 250000),
        ("sawa lakh", 125000),
        ("saadhe teen hazaar", 3500),
        ("sadhe 3 hazaar", 3500),
        ("paune do lakh", 175000),
        ("sawa do lakh", 225000),
        ("1.2 lakh", 120000),
        ("1.5 lac", 150000),
        ("2 lakh 50 hazaar", 250000),
        ("ek lakh pachas hazaar", 150000),
        ("do lakh aur paanch hazaar", 205000),
        ("ek crore", 10_000_000),
        ("1 cr", 10_000_000),
        ("2 crore 30 lakh", 23_000_000),
        ("paanch sau", 500),
        ("dedh sau", 150),
        ("pandrah sau", 1500),
        ("teen sau pachas", 350),
        ("ek hazaar paanch sau", 1500),
        ("5 hazaar 500", 5500),
        ("5 hazaar 500 rupaye", 5500),
        ("five hundred", 500),
        ("twenty five thousand", 25000),
        ("twenty-five thousand", 25000),
        ("one lakh twenty five thousand", 125000),
        ("a lakh", 100000),
        ("sau rupaye", 100),
        ("hazaar rupaye", 1000),
        ("५०००", 5000),
        ("₹१५,६००", 15600),
        ("५००० रुपये", 5000),
        ("पांच हजार", 5000),
        ("पाँच हज़ार", 5000),
        ("पाँच ह\u095bार", 5000),  # precomposed nukta letter (the line above is decomposed)
        ("डेढ़ लाख", 150000),
        ("ढाई लाख", 250000),
        ("सवा लाख", 125000),
        ("साढ़े तीन हजार", 3500),
        ("पौने दो लाख", 175000),
        ("दो लाख", 200000),
        ("एक करोड़", 10_000_000),
        ("पांच सौ", 500),
        ("Rs 99.50", 100),
        ("Rs 99.49", 99),
        ("2026", 2026),  # the caller says it is an amount
        ("5", 5),
        ("0", 0),
        ("  Rs 5000.  ", 5000),
    ],
)
def test_parse_amount(phrase: str, value: int) -> None:
    assert parse_amount(phrase) == value


@pytest.mark.parametrize(
    ("phrase", "value"),
    [
        ("approx 15600 total", 15600),
        ("₹15,600 (full outstanding)", 15600),
        ("Rs 5000 by Friday", 5000),
        ("5 tareekh tak 15,600", 15600),
        ("settlement of dedh lakh", 150000),
        ("2 EMIs of 5000", 5000),
    ],
)
def test_parse_amount_finds_the_one_amount_in_a_longer_phrase(phrase: str, value: int) -> None:
    assert parse_amount(phrase) == value


@pytest.mark.parametrize(
    "phrase",
    ["", "   ", "abc", "Rs", "5 tareekh", "kal", "2 din", "3 baje", "18%", "2000 aur 3000", "9876543210 pe"],
)
def test_parse_amount_none(phrase: str) -> None:
    assert parse_amount(phrase) is None


# ---------------------------------------------------------------------------------------------
# Amounts in free text
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sir main agle mahine 5 tareekh ko 15,600 bhar dunga", [15600]),
        ("dedh lakh ka settlement karwa do", [150000]),
        ("परसों ५००० जमा कर दूंगा", [5000]),
        ("Wednesday ko pakka 5k bhej dunga", [5000]),
        ("Sir EMI 8,400 rupaye pending hai, 24 din ho gaye", [8400]),
        (
            "total 18,000 overdue, abhi 5,000 aaj bhej deti hoon, baaki 13,000 agle hafte",
            [18000, 5000, 13000],
        ),
        ("2 lakh 50 hazaar mein settle kar do", [250000]),
        ("paune do lakh final hai sir", [175000]),
        ("bounce charge 590 lagta hai", [590]),
        ("5 hazaar abhi aur 2 lakh baad mein", [5000, 200000]),
        ("1.5 lac ka loan tha, EMI 3500 hai", [150000, 3500]),
        ("पांच हजार अभी दे दूंगा", [5000]),
        ("मैं ₹१५,६०० परसों भर दूंगा", [15600]),
        ("ek hazaar paanch sau abhi bhej raha hoon", [1500]),
        ("main 5000 de sakta hoon abhi", [5000]),
        ("total 45000 hai sir", [45000]),
        ("account no. 123456 ka due 5000 hai", [5000]),
        ("loan 2019 mein liya tha 2000 ka, EMI 2100 hai", [2000, 2100]),
        ("Rs 2026 jama kiya", [2026]),
        ("Rs5000 jama kiya, inr2000 bhi", [5000, 2000]),
        ("Main Monday ko 2-3 hazaar bhejunga", [3000]),
        ("do teen hazaar de sakta hoon", [3000]),
        ("2 se 3 lakh ka settlement", [300000]),
        ("EMI 12 months ki thi, har mahine 4500 jaati thi", [4500]),
        ("मैं अगले सोमवार को दस हजार रुपये जमा करूंगा", [10000]),
        ("mera number 9876543210 hai, 5000 bhar dunga", [5000]),
    ],
)
def test_find_amounts(text: str, expected: list[int]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "5 tareekh ko call karna",
        "2 din mein kar dunga",
        "3 baje call karo",
        "EMI 3 baki hai",
        "loan 2026 mein liya tha",
        "15 December 2026 tak pay karunga",
        "mera number 9876543210 hai, pay karne ka link bhejo",
        "+91 98765 43210 pe payment link bhejo",
        "98765-43210 pe pay karo",
        "account number 123456789012 pe pay kiya",
        "account 45678 mein jama kar diya",
        "interest 18% hai",
        "100% pay kar dunga",
        "OTP 4521 bataiye",
        "UTR number 412345 hai mere paas, payment ho gaya",
        "hazaar baar bola hai",
        "5 hazaar log aaye the",
        "24/7 call karte ho",
        "10:30 baje payment karunga",
        "ye 4567 kya hai",  # a bare number without payment words
        "5000-6000 bhar dunga",  # a range of bare numbers is not read
        "mera CIBIL 650 hai",
        "pin code 110001 hai mera",
    ],
)
def test_not_amounts(text: str) -> None:
    assert find_amounts(text) == []


def test_english_hundreds_take_a_tens_and_ones_rest() -> None:
    assert [a.value for a in find_amounts("one thousand seven hundred forty nine ka repayment")] == [1749]
    assert [a.value for a in find_amounts("EMI two thousand three hundred fifty-five")] == [2355]


def test_bare_numbers_without_payment_words_only_on_request() -> None:
    text = "wo 2100 main monday ko kar dungi pakka"
    assert find_amounts(text) == []
    assert [a.value for a in find_amounts(text, need_context=False)] == [2100]
    # the other rules still hold: dates, years, identifiers and small numbers are no money
    assert find_amounts("5 tareekh, 2019 mein, account 123456, 50 log", need_context=False) == []


def _both_ways(text: str) -> tuple[list[AmountMatch], list[AmountMatch]]:
    money = find_amounts(text)
    return money, [a for a in find_amounts(text, need_context=False) if a not in money]


def test_amounts_and_bare_numbers_are_read_in_one_pass_like_in_two() -> None:
    texts = [
        json.loads(line)["transcript"] for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line
    ]
    texts += ["wo 2100 main monday ko kar dungi pakka, Rs 500 aur 3000 EMI", "98765 43210 pe 4500 bhejo"]
    bare = 0
    for text in texts:
        for piece in (text, *text.splitlines()):
            assert find_amounts_and_bare(piece) == _both_ways(piece)
            bare += len(find_amounts_and_bare(piece)[1])
    assert bare > 10


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["2100", "5,000", "Rs", "emi", "kal", "de", "dunga", "2019", "50", "tareekh", "lakh", "."]
        ),
        max_size=12,
    ).map(" ".join)
)
def test_amounts_and_bare_numbers_are_read_in_one_pass_like_in_two_on_random_text(text: str) -> None:
    assert find_amounts_and_bare(text) == _both_ways(text)


@pytest.mark.parametrize("verb", ["kar deta", "daal deti", "diye debo", "pa dinda haan", "kal bharto"])
def test_regional_payment_verbs_make_a_bare_number_money(verb: str) -> None:
    assert [a.value for a in find_amounts(f"Friday tak 7800 {verb}")] == [7800]


def test_amount_match_fields_point_into_the_text() -> None:
    text = "Sir Rs. 5,000/- jama kar diya, baaki dedh lakh"
    found = find_amounts(text)
    assert found == [AmountMatch(5000, 4, 15, "Rs. 5,000/-"), AmountMatch(150000, 37, 46, "dedh lakh")]
    assert all(text[a.start : a.end] == a.text for a in found)


def test_devanagari_amount_spans_are_offsets_into_the_original() -> None:
    text = "ग्राहक: मैं ₹१५,६०० परसों भर दूंगा"
    (a,) = find_amounts(text)
    assert a.text == "₹१५,६००"
    assert text[a.start : a.end] == a.text


def test_every_number_word_with_a_multiplier() -> None:
    wrong = {
        w: parse_amount(f"{w} hazaar")
        for w, v in text_numbers.NUMBER_WORDS.items()
        if parse_amount(f"{w} hazaar") != v * 1000
    }
    assert wrong == {}


def test_number_word_spellings_are_unambiguous() -> None:
    seen: dict[str, int] = {}
    for value, words in (
        (v, w)
        for table in (
            text_numbers._HINDI_NUMBERS,
            text_numbers._EN_ONES,
            text_numbers._EN_TEENS,
            text_numbers._EN_TENS,
        )
        for w, v in table.items()
    ):
        assert seen.setdefault(words, value) == value
    assert text_numbers.NUMBER_WORDS["pachees"] == 25
    assert text_numbers.NUMBER_WORDS["saath"] == 60
    assert text_numbers.NUMBER_WORDS["saat"] == 7
    assert sorted(set(text_numbers._HINDI_NUMBERS.values())) == list(
        range(1, 100)
    )  # every number 1-99 is spelled


# ---------------------------------------------------------------------------------------------
# Amount properties
# ---------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_renderings_of_a_number_parse_to_it(n: int) -> None:
    renderings = [
        str(n),
        f"{n:,}",
        indian(n),
        f"Rs {n}",
        f"Rs. {indian(n)}",
        f"₹{n}",
        f"₹{indian(n)}",
        f"INR {n}",
        f"{indian(n)} rupaye",
        f"{n}/-",
        devanagari(str(n)),
        devanagari(f"₹{indian(n)}"),
        devanagari(f"{n} रुपये"),
    ]
    assert {r: parse_amount(r) for r in renderings} == dict.fromkeys(renderings, n)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9 - 1), st.sampled_from(["Rs {}", "₹{}", "{} rupaye", "{}/-"]))
def test_marked_amount_is_found_in_a_sentence(n: int, form: str) -> None:
    rendered = form.format(indian(n))
    prefix = "Sir main agle mahine 5 tareekh ko "
    text = f"{prefix}{rendered} bhar dunga"
    assert find_amounts(text) == [AmountMatch(n, len(prefix), len(prefix) + len(rendered), rendered)]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=100, max_value=99_999_999))
def test_bare_number_is_an_amount_only_with_payment_words(n: int) -> None:
    assume(not 1990 <= n <= 2099)
    assume(not (len(str(n)) >= 5 and str(n)[0] in "6789"))  # could be half of a phone number
    assert values(f"main {n} bhar dunga") == [n]
    assert values(f"EMI {n} hai") == [n]
    assert values(f"ye {n} kya hai") == []
    assert values(f"account {n} hai, pay karo") == []


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=1, max_value=99),
    st.sampled_from(["lakh", "lac", "lakhs", "लाख"]),
    st.booleans(),
)
def test_x_lakh(x: int, unit: str, as_word: bool) -> None:
    number = next(w for w, v in text_numbers._HINDI_NUMBERS.items() if v == x) if as_word else str(x)
    assert parse_amount(f"{number} {unit}") == x * 100_000
    assert values(f"{number} {unit} ka settlement") == [x * 100_000]


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=99), st.integers(min_value=1, max_value=99))
def test_lakh_and_hazaar_compound(lakh: int, hazaar: int) -> None:
    assert parse_amount(f"{lakh} lakh {hazaar} hazaar") == lakh * 100_000 + hazaar * 1000


@settings(max_examples=300, deadline=None)
@given(
    st.from_regex(r"[6-9][0-9]{9}", fullmatch=True),
    st.sampled_from(["{}", "+91 {}", "+91-{}", "0{}", "{a} {b}", "{a}-{b}", "91{}"]),
    st.sampled_from(
        [
            "mera number {p} hai",
            "is number pe pay karo {p}",
            "{p} pe payment link bhejo",
            "EMI bhar dunga, call {p} pe karna",
            "mera number {p} hai, 5000 bhar dunga",
        ]
    ),
)
def test_phone_numbers_are_never_amounts(digits: str, phone_form: str, template: str) -> None:
    phone = phone_form.format(digits, a=digits[:5], b=digits[5:])
    text = template.format(p=phone)
    start = text.index(phone)
    end = start + len(phone)
    found = find_amounts(text)
    assert all(a.end <= start or a.start >= end for a in found), found
    assert values(text) == ([5000] if "5000" in template else [])


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=31),
    st.sampled_from(["tareekh", "tarikh", "तारीख", "th", "ko", "tareekh ko"]),
    st.integers(min_value=100, max_value=10**7),
)
def test_tareekh_is_never_an_amount(day: int, word: str, amount: int) -> None:
    sep = "" if word == "th" else " "
    text = f"Sir {day}{sep}{word} tak Rs {indian(amount)} jama kar dunga, {day}{sep}{word} pakka"
    assert values(text) == [amount]


# ---------------------------------------------------------------------------------------------
# Time zone
# ---------------------------------------------------------------------------------------------


def test_ist_is_five_thirty_ahead() -> None:
    assert datetime(2026, 1, 1, tzinfo=IST).utcoffset() == timedelta(hours=5, minutes=30)
    assert datetime(2026, 7, 1, tzinfo=IST).utcoffset() == timedelta(hours=5, minutes=30)


def test_to_ist() -> None:
    utc_evening = datetime(2026, 11, 16, 20, 0, tzinfo=UTC)
    assert to_ist(utc_evening) == utc_evening
    assert (to_ist(utc_evening).date(), to_ist(utc_evening).hour, to_ist(utc_evening).minute) == (
        D("2026-11-17"),
        1,
        30,
    )
    naive = datetime(2026, 11, 16, 23, 30)
    assert to_ist(naive).date() == D("2026-11-16")
    assert to_ist(naive).utcoffset() == timedelta(hours=5, minutes=30)
    now = to_ist(None)
    assert now.utcoffset() == timedelta(hours=5, minutes=30)
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)


def test_anchor_at_20_utc_is_the_next_day_in_ist() -> None:
    anchor = datetime.fromisoformat("2026-11-16T20:00:00+00:00")
    assert at("aaj", anchor) == D("2026-11-17")
    assert at("kal", anchor) == D("2026-11-18")
    assert at("5 tareekh", datetime.fromisoformat("2026-11-30T20:00:00+00:00")) == D("2026-12-05")


def test_naive_anchor_is_taken_as_ist() -> None:
    assert at("aaj", datetime(2026, 11, 16, 23, 59)) == D("2026-11-16")


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 30)),
    st.times(),
)
def test_evening_utc_is_next_day_in_ist(day: date, clock: clock_time) -> None:
    anchor = datetime.combine(day, clock, tzinfo=UTC)
    expected = day + timedelta(days=1) if (clock.hour, clock.minute) >= (18, 30) else day
    assert to_ist(anchor).date() == expected
    assert at("aaj", anchor) == expected


# ---------------------------------------------------------------------------------------------
# Dates: single phrases, anchored on Monday 2026-11-16 IST
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected", "kind"),
    [
        ("aaj", "2026-11-16", "relative"),
        ("today", "2026-11-16", "relative"),
        ("आज", "2026-11-16", "relative"),
        ("kal", "2026-11-17", "relative"),
        ("tomorrow", "2026-11-17", "relative"),
        ("कल", "2026-11-17", "relative"),
        ("parso", "2026-11-18", "relative"),
        ("parson", "2026-11-18", "relative"),
        ("day after tomorrow", "2026-11-18", "relative"),
        ("परसों", "2026-11-18", "relative"),
        ("narso", "2026-11-19", "relative"),
        ("yesterday", "2026-11-15", "relative"),
        ("day before yesterday", "2026-11-14", "relative"),
        ("Wednesday", "2026-11-18", "weekday"),
        ("wed", "2026-11-18", "weekday"),
        ("Wednesday ko", "2026-11-18", "weekday"),
        ("budhvar ko", "2026-11-18", "weekday"),
        ("budhwar", "2026-11-18", "weekday"),
        ("budh ko", "2026-11-18", "weekday"),
        ("बुधवार", "2026-11-18", "weekday"),
        ("Monday", "2026-11-23", "weekday"),  # strictly after the anchor
        ("somwar ko", "2026-11-23", "weekday"),
        ("सोमवार को", "2026-11-23", "weekday"),
        ("mangalvar", "2026-11-17", "weekday"),
        ("mangal ko", "2026-11-17", "weekday"),
        ("मंगलवार", "2026-11-17", "weekday"),
        ("guruvar", "2026-11-19", "weekday"),
        ("brihaspativar", "2026-11-19", "weekday"),
        ("veervar", "2026-11-19", "weekday"),
        ("गुरुवार", "2026-11-19", "weekday"),
        ("shukravar", "2026-11-20", "weekday"),
        ("shukra ko", "2026-11-20", "weekday"),
        ("शुक्रवार", "2026-11-20", "weekday"),
        ("shanivar", "2026-11-21", "weekday"),
        ("shani ko", "2026-11-21", "weekday"),
        ("शनिवार", "2026-11-21", "weekday"),
        ("ravivar", "2026-11-22", "weekday"),
        ("itwar", "2026-11-22", "weekday"),
        ("etwar", "2026-11-22", "weekday"),
        ("रविवार", "2026-11-22", "weekday"),
        ("shukrobar", "2026-11-20", "weekday"),  # Bengali
        ("robibar e", "2026-11-22", "weekday"),
        ("agami budhbar", "2026-11-25", "weekday"),
        ("Budhvaar nu", "2026-11-18", "weekday"),  # Punjabi
        ("veervaar", "2026-11-19", "weekday"),
        ("Mangalvari", "2026-11-17", "weekday"),  # Marathi
        ("Pudhchya Mangalvari", "2026-11-24", "weekday"),
        ("udya sakali", "2026-11-17", "relative"),
        ("porshu", "2026-11-18", "relative"),
        ("is Wednesday", "2026-11-18", "weekday"),
        ("this Wednesday", "2026-11-18", "weekday"),
        ("coming Wednesday", "2026-11-18", "weekday"),
        ("agle Wednesday", "2026-11-25", "weekday"),
        ("next Wednesday", "2026-11-25", "weekday"),
        ("next Monday", "2026-11-23", "weekday"),
        ("pichle somvar", "2026-11-09", "weekday"),
        ("last Friday", "2026-11-13", "weekday"),
        ("agle hafte Monday", "2026-11-23", "weekday"),
        ("agle hafte ke budhwar ko", "2026-11-25", "weekday"),
        ("next week on Wednesday", "2026-11-25", "weekday"),
        ("अगले हफ्ते बुधवार को", "2026-11-25", "weekday"),
        ("is hafte Friday tak", "2026-11-20", "weekday"),
        ("5 tareekh", "2026-12-05", "day_of_month"),
        ("5 tarikh ko", "2026-12-05", "day_of_month"),
        ("5 ko", "2026-12-05", "day_of_month"),
        ("5th", "2026-12-05", "day_of_month"),
        ("5th ko", "2026-12-05", "day_of_month"),
        ("the 10th", "2026-12-10", "day_of_month"),
        ("paanch tareekh", "2026-12-05", "day_of_month"),
        ("५ तारीख", "2026-12-05", "day_of_month"),
        ("16 tareekh", "2026-11-16", "day_of_month"),  # today counts
        ("20 तारीख को", "2026-11-20", "day_of_month"),
        ("agle mahine 5 tareekh ko", "2026-12-05", "day_of_month"),
        ("agle mahine ki 20 tareekh", "2026-12-20", "day_of_month"),
        ("next month 5th", "2026-12-05", "day_of_month"),
        ("5th of next month", "2026-12-05", "day_of_month"),
        ("5 tareekh agle mahine", "2026-12-05", "day_of_month"),
        ("mahine ke end tak", "2026-11-30", "relative"),
        ("month end", "2026-11-30", "relative"),
        ("month-end", "2026-11-30", "relative"),
        ("end of month", "2026-11-30", "relative"),
        ("end of the month", "2026-11-30", "relative"),
        ("महीने के अंत तक", "2026-11-30", "relative"),
        ("agle mahine ke end tak", "2026-12-31", "relative"),
        ("15 December", "2026-12-15", "absolute"),
        ("15th Dec", "2026-12-15", "absolute"),
        ("Dec 15", "2026-12-15", "absolute"),
        ("December 15th, 2027", "2027-12-15", "absolute"),
        ("15/12", "2026-12-15", "absolute"),
        ("15/12/26", "2026-12-15", "absolute"),
        ("15-12-2026", "2026-12-15", "absolute"),
        ("15.12.2026", "2026-12-15", "absolute"),
        ("2026-12-15", "2026-12-15", "absolute"),
        ("2026-12-15T10:00:00+05:30", "2026-12-15", "absolute"),
        ("15 दिसंबर", "2026-12-15", "absolute"),
        ("१५ दिसंबर", "2026-12-15", "absolute"),
        ("10 Nov", "2026-11-10", "absolute"),  # 6 days ago: still this year
        ("5 Nov", "2027-11-05", "absolute"),  # 11 days ago: next year's
        ("5 January", "2027-01-05", "absolute"),
        ("31/02", "2027-02-28", "absolute"),  # clamped
        ("5th May", "2027-05-05", "absolute"),
        ("2 din mein", "2026-11-18", "relative"),
        ("in 3 days", "2026-11-19", "relative"),
        ("within 3 days", "2026-11-19", "relative"),
        ("teen din baad", "2026-11-19", "relative"),
        ("3 days later", "2026-11-19", "relative"),
        ("ek hafte mein", "2026-11-23", "relative"),
        ("within a week", "2026-11-23", "relative"),
        ("do hafte mein", "2026-11-30", "relative"),
        ("do mahine mein", "2027-01-16", "relative"),
        ("2-3 din mein", "2026-11-19", "relative"),
        ("ek ya do din mein", "2026-11-18", "relative"),
        ("2 din pehle", "2026-11-14", "relative"),
        ("do din ka time do", "2026-11-18", "relative"),
        ("3 days ago", "2026-11-13", "relative"),
    ],
)
def test_resolve_date(phrase: str, expected: str, kind: str) -> None:
    assert resolve_date(phrase, MONDAY) == DateResolution(D(expected), kind)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("phrase", "kind", "reason"),
    [
        ("salary aane pe", "conditional", "salary_day_unknown"),
        ("salary aate hi", "conditional", "salary_day_unknown"),
        ("salary milte hi", "conditional", "salary_day_unknown"),
        ("salary ke baad", "conditional", "salary_day_unknown"),
        ("when salary comes", "conditional", "salary_day_unknown"),
        ("after my salary", "conditional", "salary_day_unknown"),
        ("On salary credit", "conditional", "salary_day_unknown"),
        ("तनख्वाह आने पर", "conditional", "salary_day_unknown"),
        ("तनख़्वाह आते ही", "conditional", "salary_day_unknown"),
        ("सैलरी मिलते ही", "conditional", "salary_day_unknown"),
        ("agle hafte", "vague", "vague"),  # a week names no day
        ("next week", "vague", "vague"),
        ("अगले हफ्ते", "vague", "vague"),
        ("अगले हफ़्ते", "vague", "vague"),
        ("agle hafte ke andar", "vague", "vague"),
        ("is hafte", "vague", "vague"),
        ("this week", "vague", "vague"),
        ("agle mahine", "vague", "vague"),
        ("next month", "vague", "vague"),
        ("अगले महीने", "vague", "vague"),
        ("jaldi", "vague", "vague"),
        ("jaldi hi", "vague", "vague"),
        ("soon", "vague", "vague"),
        ("jab paise honge", "vague", "vague"),
        ("jab bhi paise aa jayenge", "vague", "vague"),
        ("kuch din mein", "vague", "vague"),
        ("baad mein", "vague", "vague"),
        ("aaj kal paise nahi hain", "vague", "vague"),
        ("जल्दी", "vague", "vague"),
        ("जब पैसे होंगे", "vague", "vague"),
        ("", "unknown", "unrecognized"),
        ("haan ji bolo", "unknown", "unrecognized"),
    ],
)
def test_resolve_date_without_a_date(phrase: str, kind: str, reason: str) -> None:
    assert resolve_date(phrase, MONDAY) == DateResolution(None, kind, reason)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "phrase",
    [
        "koi ek date bata do",
        "sun lijiye sir",
        "24/7 call karte ho",
        "2 may",
        "3 baje",
        "EMI 3",
        "2/3 din",
        "32/12",
    ],
)
def test_not_dates(phrase: str) -> None:
    assert find_dates(phrase, MONDAY) == []


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("kal kiya tha", "2026-11-15"),
        ("kal payment kar diya tha", "2026-11-15"),
        ("maine kal hi payment kar diya tha UPI se", "2026-11-15"),
        ("Maine payment kar diya tha kal", "2026-11-15"),
        ("kal ho gaya payment", "2026-11-15"),
        ("पैसे तो मैंने कल ही भेज दिए थे", "2026-11-15"),
        ("parso bhej diya tha", "2026-11-14"),
        ("kal pakka kar dunga", "2026-11-17"),
        ("kal tak kar diya jayega", "2026-11-17"),
        ("maine bola tha kal dunga", "2026-11-17"),
        ("pichli baar late hua tha, kal bhar dunga", "2026-11-17"),
        ("कल जमा कर दूंगा", "2026-11-17"),
        ("kal dibo, branch e diye ashbo", "2026-11-17"),  # Bengali futures
        ("kal dibo 700 taka, pichli baar diya tha", "2026-11-17"),
        ("kal de dunga jo pichli baar nahi diya tha", "2026-11-17"),  # the future comes first
    ],
)
def test_kal_and_parso_point_back_only_with_past_tense(phrase: str, expected: str) -> None:
    assert at(phrase) == D(expected)


@pytest.mark.parametrize(
    ("phrase", "expected", "kind"),
    [
        ("this evening after office", "2026-11-16", "relative"),
        ("this afternoon", "2026-11-16", "relative"),
        ("today evening", "2026-11-16", "relative"),
        ("kaal centre pe de debai", "2026-11-17", "relative"),  # Maithili/Bhojpuri "kaal"
        ("on twelfth", "2026-12-12", "day_of_month"),
        ("by the twenty-first", "2026-11-21", "day_of_month"),
        ("twenty second ko", "2026-11-22", "day_of_month"),
        ("on the ninth", "2026-12-09", "day_of_month"),
        ("third December", "2026-12-03", "absolute"),
        ("the fourth of January", "2027-01-04", "absolute"),
        ("Shukr ke de denge", "2026-11-20", "weekday"),  # Bhojpuri "ke" for "ko"
        ("mahine de end tak", "2026-11-30", "relative"),  # Punjabi "de" for "ke"
    ],
)
def test_dates_in_more_registers(phrase: str, expected: str, kind: str) -> None:
    assert resolve_date(phrase, MONDAY) == DateResolution(D(expected), kind)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "phrase",
    [
        "by the first week",
        "on second thought",
        "the third time",
        "sun ke bataunga",
        "har Tuesday market jaata hoon",
        "kabhi shukravar kabhi shanivar ko aata hai",
        "every Friday he calls",
    ],
)
def test_ordinals_and_weekdays_that_name_no_day(phrase: str) -> None:
    assert [d for d in find_dates(phrase, MONDAY) if d.date is not None] == []


@pytest.mark.parametrize("phrase", ["payout aane pe", "bonus milte hi", "पेंशन आने पर", "paise aate hi"])
def test_other_income_on_an_unknown_day_is_conditional(phrase: str) -> None:
    assert resolve_date(phrase, MONDAY) == DateResolution(None, "conditional", "salary_day_unknown")


def test_a_year_like_figure_before_a_payment_verb_is_money() -> None:
    assert [a.value for a in find_amounts("28 tareekh ko 2049 bhar dunga")] == [2049]
    assert find_amounts("loan 2019 mein liya tha, EMI chal rahi hai") == []
    assert find_amounts("2021 se pay kar raha hoon") == []


def test_next_weekday_means_the_following_calendar_week() -> None:
    # On a Monday "next Wednesday" skips this week's; on a Friday this week's is already gone.
    assert at("next Wednesday", MONDAY) == D("2026-11-25")
    assert at("next Wednesday", FRIDAY) == D("2026-11-25")
    assert at("Wednesday", FRIDAY) == D("2026-11-25")
    assert at("agle somvar", FRIDAY) == D("2026-11-23")
    assert at("Wednesday", datetime(2026, 11, 18, 10)) == D("2026-11-25")  # on a Wednesday: a week on


def test_a_week_with_a_day_is_that_day() -> None:
    # "agle hafte" + a day is the day in the next calendar week, like "agle" + the day.
    assert at("agle hafte Wednesday", MONDAY) == at("next Wednesday", MONDAY) == D("2026-11-25")
    assert at("agle hafte Monday", datetime(2026, 11, 22, 10)) == D("2026-11-23")  # Sunday: tomorrow
    assert at("agle hafte", MONDAY) is None
    assert at("salary agle hafte aayegi, Friday ko de dunga", MONDAY) == D("2026-11-20")


def test_month_end_on_the_last_day_is_next_months() -> None:
    assert at("month end", datetime(2026, 11, 30, 10)) == D("2026-12-31")
    assert at("mahine ke end tak", datetime(2026, 2, 3, 10)) == D("2026-02-28")
    assert at("mahine ke end tak", datetime(2028, 2, 3, 10)) == D("2028-02-29")


def test_day_of_month_is_clamped_and_rolls_over() -> None:
    assert at("31 tareekh", datetime(2026, 2, 10, 10)) == D("2026-02-28")
    assert at("31 tareekh", datetime(2028, 2, 10, 10)) == D("2028-02-29")
    assert at("31 tareekh", datetime(2026, 4, 20, 10)) == D("2026-04-30")
    assert at("5 tareekh", datetime(2026, 12, 20, 10)) == D("2027-01-05")
    assert at("agle mahine 31 tareekh", datetime(2026, 1, 20, 10)) == D("2026-02-28")
    assert at("agle mahine 5 tareekh", datetime(2026, 12, 1, 10)) == D("2027-01-05")


def test_absolute_dates_near_the_year_end() -> None:
    assert at("5 January", datetime(2026, 12, 20, 10)) == D("2027-01-05")
    assert at("15 December", datetime(2026, 12, 20, 10)) == D("2026-12-15")  # 5 days ago
    assert at("15 December", datetime(2026, 12, 30, 10)) == D("2027-12-15")  # 15 days ago


def test_may_is_a_month_only_when_it_clearly_is() -> None:
    assert at("5 May") == D("2027-05-05")
    assert at("5 may 2027") == D("2027-05-05")
    assert at("main may 5 tareekh tak de dunga") == D("2026-12-05")  # "may" = "mein"


def test_resolve_date_prefers_a_dated_phrase() -> None:
    assert resolve_date("salary aane pe ya 5 tareekh tak", MONDAY) == DateResolution(
        D("2026-12-05"), "day_of_month"
    )
    assert resolve_date("kal ya parso", MONDAY) == DateResolution(D("2026-11-17"), "relative")


def test_dates_beyond_the_calendar_do_not_raise() -> None:
    last = datetime(9999, 12, 31, 12)
    assert resolve_date("kal", last) == DateResolution(None, "relative", "out_of_range")
    assert resolve_date("aaj", last) == DateResolution(date(9999, 12, 31), "relative")


# ---------------------------------------------------------------------------------------------
# Dates in free text
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sir main agle mahine 5 tareekh ko 15,600 bhar dunga",
            [("agle mahine 5 tareekh ko", "2026-12-05", "day_of_month")],
        ),
        ("salary aane pe pura clear kar dunga", [("salary aane pe", None, "conditional")]),
        ("परसों ५००० जमा कर दूंगा", [("परसों", "2026-11-18", "relative")]),
        ("Wednesday ko pakka 5k bhej dunga", [("Wednesday ko", "2026-11-18", "weekday")]),
        (
            "Ek saath nahi ho payega. Abhi 5,000 aaj bhej deti hoon, baaki agle hafte.",
            [("aaj", "2026-11-16", "relative"), ("agle hafte", None, "vague")],
        ),
        (
            "Salary 1 tareekh ko aati hai. 2 tareekh tak poora 8,400 jama kar dunga.",
            [("1 tareekh ko", "2026-12-01", "day_of_month"), ("2 tareekh tak", "2026-12-02", "day_of_month")],
        ),
        (
            "तनख्वाह आते ही 10 तारीख तक 11,000 रुपये भर दूंगा",
            [("तनख्वाह आते ही", None, "conditional"), ("10 तारीख तक", "2026-12-10", "day_of_month")],
        ),
        ("2 din mein 3 baje EMI bhar dunga", [("2 din mein", "2026-11-18", "relative")]),
        ("jab paise honge tab de dunga, 2-3 baje call karna", [("jab paise honge", None, "vague")]),
    ],
)
def test_find_dates(text: str, expected: list[tuple[str, str | None, str]]) -> None:
    found = find_dates(text, MONDAY)
    assert [(d.text, d.date and d.date.isoformat(), d.kind) for d in found] == expected
    assert all(text[d.start : d.end] == d.text for d in found)


def test_date_match_fields() -> None:
    assert find_dates("jaldi kar dunga, kal pakka", MONDAY) == [
        DateMatch(None, "vague", 0, 5, "jaldi", "vague"),
        DateMatch(D("2026-11-17"), None, 17, 20, "kal", "relative"),
    ]


# ---------------------------------------------------------------------------------------------
# Date properties
# ---------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    anchors,
    st.integers(min_value=1, max_value=28),
    st.sampled_from(["{} tareekh", "{} ko", "{}th", "{}th ko"]),
)
def test_day_of_month_is_the_next_such_day(anchor: datetime, day: int, form: str) -> None:
    today = ist_date(anchor)
    found = at(form.format(day), anchor)
    assert found is not None
    assert found.day == day
    if day == today.day:
        assert found == today
    else:
        assert today < found <= today + timedelta(days=31)


WEEKDAY_PHRASES = [
    *text_date_words.WEEKDAYS.items(),
    *((f"{w} ko", v) for w, v in text_date_words.WEEKDAY_ANY.items()),
]


@settings(max_examples=300, deadline=None)
@given(anchors, st.sampled_from(WEEKDAY_PHRASES), st.sampled_from(["", "is ", "this ", "coming "]))
def test_weekday_is_within_the_next_seven_days(
    anchor: datetime, phrase: tuple[str, int], prefix: str
) -> None:
    words, weekday = phrase
    found = at(prefix + words, anchor)
    assert found is not None
    assert found.weekday() == weekday
    assert 1 <= (found - ist_date(anchor)).days <= 7


@settings(max_examples=200, deadline=None)
@given(
    anchors, st.sampled_from(list(text_date_words.WEEKDAYS.items())), st.sampled_from(["agle", "next", "अगले"])
)
def test_next_weekday_is_in_the_following_week(
    anchor: datetime, phrase: tuple[str, int], prefix: str
) -> None:
    words, weekday = phrase
    today = ist_date(anchor)
    found = at(f"{prefix} {words}", anchor)
    assert found is not None
    assert found.weekday() == weekday
    assert found.isocalendar()[:2] == (today + timedelta(days=7)).isocalendar()[:2]


@settings(max_examples=300, deadline=None)
@given(anchors, st.sampled_from([(w, v) for w, v in text_date_words.RELATIVE.items() if 0 <= v <= 2]))
def test_aaj_kal_parso_offsets(anchor: datetime, phrase: tuple[str, int]) -> None:
    words, offset = phrase
    assert at(words, anchor) == ist_date(anchor) + timedelta(days=offset)


@settings(max_examples=200, deadline=None)
@given(anchors)
def test_month_end_is_the_last_day_of_a_month(anchor: datetime) -> None:
    today = ist_date(anchor)
    found = at("mahine ke end tak", anchor)
    assert found is not None
    assert found.day == calendar.monthrange(found.year, found.month)[1]
    assert today < found <= today + timedelta(days=31)


@settings(max_examples=200, deadline=None)
@given(anchors, st.integers(min_value=1, max_value=28), st.integers(min_value=1, max_value=12))
def test_day_slash_month_is_within_a_year(anchor: datetime, day: int, month: int) -> None:
    assume((day, month) != (24, 7))  # "24/7" is round the clock
    today = ist_date(anchor)
    found = at(f"{day}/{month}", anchor)
    assert found is not None
    assert (found.month, found.day) == (month, day)
    assert today - timedelta(days=7) <= found < today + timedelta(days=366)


@settings(max_examples=200, deadline=None)
@given(
    anchors,
    st.integers(min_value=1, max_value=99),
    st.sampled_from(["{} din mein", "in {} days", "{} din baad"]),
)
def test_in_n_days(anchor: datetime, n: int, form: str) -> None:
    assert at(form.format(n), anchor) == ist_date(anchor) + timedelta(days=n)


# ---------------------------------------------------------------------------------------------
# Robustness: any text, offsets, the word gate
# ---------------------------------------------------------------------------------------------

VOCAB = [
    *("5", "15", "31", "100", "2026", "15,600", "1,23,456", "2.5", "9876543210", "98765", "43210", "5th"),
    *("5k", "₹", "rs", "Rs.", "INR", "rupaye", "/-", "%", "ko", "tak", "tareekh", "date", "agle", "next"),
    *("mahine", "month", "hafte", "week", "din", "days", "mein", "baad", "pehle", "salary", "aane", "pe"),
    *("jaldi", "kal", "parso", "aaj", "Wednesday", "budhvar", "budh", "sun", "Dec", "December", "may", "the"),
    *("of", "end", "is", "this", "jab", "paise", "honge", "lakh", "hazaar", "sau", "crore", "dedh", "sawa"),
    *("saadhe", "paune", "do", "teen", "ek", "pachees", "twenty", "five", "bhar", "dunga", "kiya", "tha"),
    *("EMI", "account", "no."),
    *("2-3", "24/7", "15/12", "15-12-2026", "2026-12-15", "बुधवार", "परसों", "५०००", "हज़ार", "हजार", "तारीख"),
    *("को", "लाख", "डेढ़", "पाँच", "सैलरी", "आने", "पर", "अगले", "महीने", "कल", "दिए", "थे", "।", ",", ".", "\n"),
]
SEPARATORS = [" ", " ", " ", ", ", ". ", "-", "/", ""]
vocab_texts = st.lists(st.tuples(st.sampled_from(VOCAB), st.sampled_from(SEPARATORS)), max_size=14).map(
    lambda parts: "".join(w + s for w, s in parts)
)
any_texts = st.one_of(st.text(), vocab_texts, st.text(alphabet=st.sampled_from("0123456789,.₹/- कलkaloRs५")))


@settings(max_examples=500, deadline=None)
@given(any_texts, anchors)
def test_never_raises_and_spans_are_consistent(text: str, anchor: datetime) -> None:
    parse_amount(text)
    resolve_date(text, anchor)
    for found in (find_amounts(text), find_dates(text, anchor)):
        ends = 0
        for m in found:
            assert ends <= m.start < m.end <= len(text)
            assert text[m.start : m.end] == m.text
            ends = m.end
    assert all(a.value >= 0 for a in find_amounts(text))
    assert all((d.date is None) == (d.reason is not None) for d in find_dates(text, anchor))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_folding_keeps_offsets(text: str) -> None:
    assert len(text_fold.fold(text)) == len(text)


@settings(max_examples=300, deadline=None)
@given(vocab_texts)
@example("rsडेढ़ lakh ")  # a Latin word run into a Devanagari one
@example("डेढ़5000 rs ")  # and the other way round
@example("rsdedh lakh bhar dunga")  # a currency word run into a number word
@example("xsalary day, xjaldi")  # a date word inside another word
def test_word_gate_misses_no_match(text: str) -> None:
    """Patterns are tried only at lead words; brute force over every position finds nothing more."""
    norm = text_fold.fold(text)
    brute: list[object] = []
    taken = 0
    for start in range(len(norm)):
        if (
            start >= taken
            and (m := text_money._AMOUNT_RE.match(norm, start))
            and (c := text_money._candidate(norm, m))
        ):
            brute.append(c)
            taken = c.end
    assert list(text_money._candidates(norm)) == brute
    date_starts = text_dates._DATE_INDEX.candidates(norm)
    for start in range(len(norm) + 1):
        for pid, p in enumerate(text_dates._DATE_PATTERNS):
            if p.regex.match(norm, start):
                assert start in starts(date_starts.get(pid, []), len(norm)), (text, start, p.tag)


def test_deterministic_over_the_samples() -> None:
    rows = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        text, anchor = str(row["transcript"]), datetime.fromisoformat(str(row["call_started_at"]))
        assert find_amounts(text) == find_amounts(text)
        assert find_dates(text, anchor) == find_dates(text, anchor)


@pytest.mark.parametrize(
    "text", ["₹১৫০০ kal de dunga", "₹੧੫੦੦ kal de dunga", "₹૧૫૦૦ kal de dunga", "₹१५०० kal de dunga"]
)
def test_digits_of_indian_scripts_are_digits(text: str) -> None:
    assert [a.value for a in find_amounts(text)] == [1500]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Parso tak hazaar bhar dungi, zyada nahi.", [1000]),  # a lone multiplier with a giving verb
        ("बस हजार दे देंगे इस बार।", [1000]),
        ("Sau bhej deta hoon abhi.", [100]),
        ("Somvaar tak दू हजार जमा करब।", [2000]),  # "दू": two, in Bhojpuri and Awadhi
        ("Ji 6200 month end tak bhar dunga.", [6200]),  # the month's end, not a count of months
        ("Ji 4800 mahine ke end tak jama kar dungi.", [4800]),
    ],
)
def test_amounts_in_words_a_lone_multiplier_and_month_end(text: str, expected: list[int]) -> None:
    assert [a.value for a in find_amounts(text)] == expected


@pytest.mark.parametrize("text", ["hazaar dikkatein hain", "6 mahine ki EMI bhari hai", "3 month se pending"])
def test_a_lone_multiplier_without_a_giving_verb_and_a_count_of_months_are_not_amounts(text: str) -> None:
    assert find_amounts(text) == []
