"""The words of date phrases (data): next / this / last, weekdays, months, relative days,
periods, salary and funds phrases, and the pattern fragments built from them."""

from __future__ import annotations

import re
from typing import Final

from consumer.analyzer.text.fold import (
    NOT_AFTER_NUM,
    NOT_BEFORE_NUM,
    WORD_END,
    WORD_START,
    alt,
    phrase_key,
    table,
)
from consumer.analyzer.text.numbers import NUMBER_WORDS

# Word lists (data for both the patterns and their lead words).
_NEXT_WORDS: Final = (
    *("agle", "agli", "agla", "agale", "next", "अगले", "अगली", "अगला"),
    *("pudhchya", "pudhcha", "pudhchi", "pudhil", "porer", "agami"),  # Marathi, Bengali
)
_COMING_WORDS: Final = ("aane wale", "aane waale", "aanewale", "coming", "upcoming", "आने वाले")
_THIS_WORDS: Final = ("is", "iss", "isi", "this", "इस", "इसी")
_LAST_WORDS: Final = ("pichle", "pichhle", "pichli", "picchle", "last", "previous", "पिछले", "पिछली")
NEXT_KEYS: Final = frozenset(phrase_key(w) for w in _NEXT_WORDS)  # "next Wednesday": in the following week
LAST_KEYS: Final = frozenset(phrase_key(w) for w in _LAST_WORDS)
_MONTH_WORDS: Final = ("mahine", "mahina", "mahinay", "month", "महीने", "महीना")
WEEK_WORDS: Final = ("hafte", "hafta", "hapte", "week", "saptah", "हफ्ते", "हफ्ता", "सप्ताह")
_TAREEKH_WORDS: Final = (
    *("tareekh", "tarikh", "taarikh", "tarik", "tareek", "tarrikh", "tarekh"),
    *("तारीख", "तारिख"),
)
_KO_TAK_WORDS: Final = ("ko", "tak", "se pehle", "se pahle", "को", "तक", "से पहले")
DAY_NUMBERS: Final = {w: v for w, v in NUMBER_WORDS.items() if v <= 31 and w != "a"}
_ORDINAL_ONES: Final = (
    *("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"),
    *("eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth"),
    *("eighteenth", "nineteenth"),
)
# English ordinal words for a day of the month: "on tenth", "twenty-first November".
DAY_ORDINALS: Final[dict[str, int]] = {
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
NOT_A_DAY_AFTER: Final = (
    *("week", "weeks", "time", "times", "thing", "things", "emi", "emis", "instalment", "installment"),
    *("kisht", "hafte", "hafta", "half", "quarter", "payment", "one", "day", "floor", "year", "month"),
    *("of all", "of them", "person", "call", "hand", "option", "priority", "notice", "reminder"),
    *("thought", "attempt", "try", "chance", "place", "number", "line", "page"),
)
WEEKDAYS: Final = table(
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
WEEKDAYS_SHORT: Final = table(
    {1: ("mangal", "मंगल"), 2: ("budh", "बुध"), 4: ("shukra", "shukr", "शुक्र"), 5: ("shani", "sat", "शनि")}
    | {6: ("sun",)}
)
WEEKDAY_ANY: Final = {**WEEKDAYS_SHORT, **WEEKDAYS}
# Short forms that Bhojpuri and Magahi speakers follow with "ke" for "ko" ("Budh ke de denge"); not
# "sun"/"sat", where "sun ke" is "having heard".
WEEKDAYS_SHORT_KE: Final = {w: v for w, v in WEEKDAYS_SHORT.items() if w not in ("sun", "sat")}
# A weekday after these is a habit, not a day ("kabhi somvaar kabhi mangal", "every Monday").
HABITUAL_BEFORE: Final = re.compile(rf"{WORD_START}(?:kabhi|har|every|each|sometimes|हर|कभी)\s+$")
RELATIVE: Final = table(
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
TWO_WAY: Final = frozenset(
    phrase_key(w) for w in ("kal", "kaal", "कल", "parso", "parson", "parsoon", "परसों", "परसो")
)
PERIOD_UNITS: Final[dict[str, tuple[str, int]]] = {
    phrase_key(w): unit
    for unit, words in {
        ("days", 1): ("din", "dino", "dinon", "day", "days", "दिन", "दिनों"),
        ("days", 7): ("hafte", "hafta", "hafton", "week", "weeks", "हफ्ते", "हफ्तों", "सप्ताह"),
        ("months", 1): ("mahine", "mahino", "mahinon", "month", "months", "महीने", "महीनों"),
    }.items()
    for w in words
}
PERIOD_NUMBERS: Final = {**NUMBER_WORDS, "an": 1}
PERIOD_INTRO: Final = ("in", "within", "after", "under")
WITHIN_WORDS: Final = (
    *("mein", "me", "main", "men", "mai", "baad", "bad", "ke andar", "ke baad", "ke bad", "ke bheetar"),
    *("ke bhitar", "tak", "later", "from now", "ka time", "ka samay", "में", "बाद", "के अंदर", "के बाद"),
    *("के भीतर", "तक", "का समय"),
)
AGO_WORDS: Final = ("pehle", "pahle", "phle", "ago", "back", "पहले")
MONTH_END_WORDS: Final = (
    *("end", "aakhir", "akhir", "aakhri", "akhri", "last", "ant"),
    *("अंत", "अन्त", "आखिर", "आखिरी"),
)
SALARY_WORDS: Final = (
    *("salary", "sallary", "salery", "salry", "tankhwah", "tankhwa", "tankha", "tankhah", "pagaar", "pagar"),
    *("vetan", "सैलरी", "तनख्वाह", "तनख़्वाह", "तनखाह", "वेतन", "पगार"),
)
# Other money that comes on a day the caller does not know: "payout aane pe", "bonus milte hi".
INCOME_WORDS: Final = (
    *("payout", "paisa", "paise", "pesa", "paisay", "payment", "bonus", "pension", "arrear", "arrears"),
    *("पैसा", "पैसे", "पेमेंट", "बोनस", "पेंशन"),
)
SALARY_VERBS: Final = (
    *("aane", "aate", "aayegi", "aaegi", "aayega", "aaega", "ane", "ate", "aaye", "aaygi", "aa jaye"),
    *("aa jaaye", "aa jayegi", "milne", "milte", "milegi", "milega", "mile", "mil jaye", "mil jayegi"),
    *("credit", "credited", "ke baad", "ke bad", "hone", "आने", "आते", "आएगी", "आयेगी", "मिलने", "मिलते"),
    *("मिलेगी", "के बाद", "आ जाए"),
)
SALARY_TAILS: Final = ("pe", "par", "pr", "hi", "tak", "ke baad", "ke bad", "पर", "पे", "ही", "तक", "के बाद")
SALARY_INTRO: Final = ("when", "once", "after", "till", "until", "on")
VAGUE_WORDS: Final = (
    *("jaldi", "jaldi hi", "jaldi se", "jald hi", "soon", "very soon", "asap", "as soon as possible"),
    *("kuch din", "kuch dino", "kuch dinon", "kuch din mein", "kuch dino mein", "kuch dinon mein"),
    *("kuch din baad", "thode din", "thode dino", "thode din mein", "thode dino mein", "few days"),
    *("a few days", "some days", "some time", "baad mein", "baad me", "baad main", "later", "aaj kal"),
    *("aajkal", "aaj-kal", "when i have the money", "when i have money", "when i get the money"),
    *("जल्दी", "जल्द ही", "बाद में", "कुछ दिन", "कुछ दिनों में", "कुछ दिन में", "आजकल", "आज कल"),
)
WHEN_FUNDS: Final = ("jab", "जब")
FUNDS_WORDS: Final = (
    *("paise", "paisa", "pese", "paisay", "funds", "fund", "money", "arrangement", "intezaam", "intezam"),
    *("vyavastha", "पैसे", "पैसा", "इंतजाम"),
)
FUNDS_VERBS: Final = (
    *("honge", "hoga", "hoge", "ho jayenge", "ho jaenge", "ho jayega", "ho jaega", "aayenge", "aaenge"),
    *("aayega", "aaega", "aa jayenge", "aa jaenge", "milenge", "milega", "होंगे", "होगा", "आएंगे", "आयेंगे"),
    *("हो जाएंगे", "मिलेंगे"),
)

OF_WORDS: Final = ("ke", "ki", "ka", "mein", "me", "on", "के", "की", "में")  # "agle hafte ke Monday"
DIG12: Final = rf"{NOT_AFTER_NUM}(?<![0-9])[0-9]{{1,2}}{NOT_BEFORE_NUM}"
ORD: Final = r"(?:st|nd|rd|th)"
NEXT: Final = alt(_NEXT_WORDS + _COMING_WORDS)  # "next week" = "coming week"
THIS: Final = alt(_THIS_WORDS)
LAST: Final = alt(_LAST_WORDS)
MONTH_WORD: Final = alt(_MONTH_WORDS)
KO_TAK: Final = rf"{alt(_KO_TAK_WORDS)}{WORD_END}"
_TAREEKH: Final = alt((*_TAREEKH_WORDS, "date"))
_TAREEKH_HI: Final = alt(_TAREEKH_WORDS)  # not "date" after a word: "koi ek date bata do" is no date
# "5 tareekh", "5th", "5th ko", "5 ko", "paanch tareekh"
DOM_CORE: Final = (
    rf"(?:(?P<d>{DIG12})(?:\s*{ORD}(?:\s*{_TAREEKH})?|\s*{_TAREEKH}|(?=\s+{KO_TAK}))"
    rf"|(?P<dw>{alt(DAY_NUMBERS)})\s+{_TAREEKH_HI}){WORD_END}(?:\s+{KO_TAK})?"
)
PERIOD_N: Final = rf"(?:(?<![0-9])[0-9]{{1,3}}(?![0-9])|{alt(PERIOD_NUMBERS)})"
# "2-3 din mein", "ek ya do din mein", "3 se 4 din": a range counts as its upper end
PERIOD_RANGE: Final = rf"(?:{PERIOD_N}\s*(?:-|–|\s(?:se|to|ya|or|या|से)\s)\s*)?"
