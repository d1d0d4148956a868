"""Number words (data): romanised Hindi, Devanagari Hindi and English numbers, fractions and
multipliers, and the patterns built from them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from consumer.analyzer.text.fold import alt, phrase_key, table

_HINDI_NUMBERS: Final = table(
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
_EN_ONES: Final = table(
    {1: ("one",), 2: ("two",), 3: ("three",), 4: ("four",), 5: ("five",), 6: ("six",), 7: ("seven",)}
    | {8: ("eight",), 9: ("nine",)}
)
_EN_TEENS: Final = table(
    {10: ("ten",), 11: ("eleven",), 12: ("twelve",), 13: ("thirteen",), 14: ("fourteen",)}
    | {15: ("fifteen",), 16: ("sixteen",), 17: ("seventeen",), 18: ("eighteen",), 19: ("nineteen",)}
)
_EN_TENS: Final = table(
    {20: ("twenty",), 30: ("thirty",), 40: ("forty", "fourty"), 50: ("fifty",), 60: ("sixty",)}
    | {70: ("seventy",), 80: ("eighty",), 90: ("ninety",)}
)
NUMBER_WORDS: Final[dict[str, int]] = {**_HINDI_NUMBERS, **_EN_ONES, **_EN_TEENS, **_EN_TENS, "a": 1}
"""Every single-word number (romanised Hindi, Devanagari Hindi, English) -> its value, 1..99."""

FRACTION_PREFIX: Final[dict[str, Decimal]] = {
    phrase_key(w): Decimal(v)
    for v, ws in {
        "0.25": ("sawa", "sava", "sawaa", "savaa", "सवा"),
        "0.5": ("saadhe", "sadhe", "saade", "sade", "saadhey", "sadhey", "saarhe", "sarhe", "साढ़े", "साढे"),
        "-0.25": ("paune", "pone", "paone", "paun", "पौने"),
    }.items()
    for w in ws
}
FRACTION_SOLO: Final[dict[str, Decimal]] = {
    phrase_key(w): Decimal(v)
    for v, ws in {
        "1.5": ("dedh", "derh", "dedhh", "dedd", "डेढ़", "डेढ"),
        "2.5": ("dhai", "dhaai", "dhaee", "adhai", "adhaai", "arhai", "ढाई", "अढ़ाई", "अढाई"),
        "1.25": ("sawa", "sava", "सवा"),
        "0.5": ("aadha", "adha", "aadhe", "आधा"),
    }.items()
    for w in ws
}
UNITS: Final = table(
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
DIGIT_UNITS: Final[dict[str, int]] = {"k": 1000, "l": 100_000}  # only right after digits: 5k, 1.5L

_NUMWORD_RE: Final = alt(NUMBER_WORDS)
EN_COMPOUND_RE: Final = rf"{alt(_EN_TENS)}[\s-]+{alt(_EN_ONES)}"  # twenty five, twenty-five
WORDNUM_RE: Final = rf"(?:{EN_COMPOUND_RE}|{_NUMWORD_RE})"
UNIT_RE: Final = alt(UNITS)
FRAC_PREFIX_RE: Final = alt(FRACTION_PREFIX)
FRAC_SOLO_RE: Final = alt(FRACTION_SOLO)
# 15,600 / 1,23,456 (Indian) / 123,456,789 (Western) / 15600 / 2.5 ; at most 15 integer digits
DEC_RE: Final = (
    r"(?:[1-9][0-9]?(?:,[0-9]{2})+,[0-9]{3}|[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]{1,15})(?:\.[0-9]{1,6})?"
)


def word_number(words: str) -> int:
    """Value of a matched number word or English tens-ones pair ("twenty five")."""
    return sum(NUMBER_WORDS[w] for w in re.split(r"[\s-]+", phrase_key(words)))
