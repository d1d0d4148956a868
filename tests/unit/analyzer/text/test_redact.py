"""PII redaction: each kind in Hinglish, English and Devanagari, what must survive, properties, speed."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from datetime import time as clock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consumer.analyzer.text.checksums import luhn_ok, verhoeff_ok
from consumer.analyzer.text.redact import KINDS, Redaction, redact, redact_text

# ---------------------------------------------------------------------------------------------
# Independent helpers (check digits, Indian digit grouping, Devanagari digits)
# ---------------------------------------------------------------------------------------------

_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def with_verhoeff(payload: str) -> str:
    """payload followed by its Verhoeff check digit."""
    c = 0
    for i, ch in enumerate(reversed(payload)):
        c = _D[c][_P[(i + 1) % 8][int(ch)]]
    return payload + str(_INV[c])


def with_luhn(payload: str) -> str:
    """payload followed by its Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return payload + str((10 - total % 10) % 10)


def indian(n: int) -> str:
    """1,23,45,678 style grouping."""
    s = str(n)
    if len(s) <= 3:
        return s
    head, tail = s[:-3], s[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *groups, tail])


def deva(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "०१२३४५६७८९"))


def digits_in(text: str) -> list[str]:
    return [c for c in text if c.isdigit()]


AADHAAR = with_verhoeff("23456789012")  # a checksum-valid Aadhaar-shaped number
AADHAAR_BAD = AADHAAR[:-1] + str((int(AADHAAR[-1]) + 1) % 10)  # same, checksum broken
CARD_15 = with_luhn("60000000000000")  # Luhn-valid, starts like a mobile: "6000 000000 00004"


def test_helpers_agree_with_the_module() -> None:
    assert with_verhoeff("236") == "2363"  # the textbook Verhoeff example
    assert verhoeff_ok(AADHAAR)
    assert not verhoeff_ok(AADHAAR_BAD)
    for card in (
        "4111111111111111",
        "5555555555554444",
        "378282246310005",
        "6011111111111117",
        "4222222222222",
    ):
        assert luhn_ok(card)
        assert with_luhn(card[:-1]) == card
    assert not luhn_ok("4111111111111112")
    assert indian(123456) == "1,23,456"
    assert indian(12345678) == "1,23,45,678"
    assert indian(999) == "999"


# ---------------------------------------------------------------------------------------------
# Each kind: realistic sentences, exact output
# ---------------------------------------------------------------------------------------------

PHONES = [
    ("Mera number 9876543210 hai", "Mera number [PHONE] hai"),
    ("Call karo +91 98765 43210 pe", "Call karo [PHONE] pe"),
    ("WhatsApp: +91-9876543210", "WhatsApp: [PHONE]"),
    ("Sir 09876543210 pe missed call dena", "Sir [PHONE] pe missed call dena"),
    ("Number 919876543210 save kar lo", "Number [PHONE] save kar lo"),
    ("Please call me at 98765-43210 after 6 pm", "Please call me at [PHONE] after 6 pm"),
    ("Mobile no. 98765 43210.", "Mobile no. [PHONE]."),
    ("My alternate number is (+91) 98765 43210", "My alternate number is [PHONE]"),
    ("0091 9876543210 pe international call", "[PHONE] pe international call"),
    ("+91 (0) 98765 43210 is my husband's", "[PHONE] is my husband's"),
    ("Bhai ka number 987 654 3210 hai", "Bhai ka number [PHONE] hai"),
    ("Likh lo 9876 543 210", "Likh lo [PHONE]"),
    ("Number likho: 9 8 7 6 5 4 3 2 1 0", "Number likho: [PHONE]"),
    ("98 76 54 32 10 pe call karna", "[PHONE] pe call karna"),
    ("Call 7012345678 or 6123456789", "Call [PHONE] or [PHONE]"),
    ("Number9876543210hai", "Number[PHONE]hai"),
    ("Office landline 022-24567890 hai", "Office landline [PHONE] hai"),
    ("Delhi office: 011 2345 6789", "Delhi office: [PHONE]"),
    ("Lucknow branch (0522) 234 5678", "Lucknow branch [PHONE]"),
    ("+91 22 2456 7890 pe call karein", "[PHONE] pe call karein"),
    ("मेरा नंबर ९८७६५४३२१० है", "मेरा नंबर [PHONE] है"),
    ("मोबाइल: +९१ ९८७६५ ४३२१०", "मोबाइल: [PHONE]"),
    ("फ़ोन नंबर ०२२-२४५६७८९० पर कॉल करें", "फ़ोन नंबर [PHONE] पर कॉल करें"),
    ("number ９８７６５４３２１０", "number [PHONE]"),  # full-width digits
    ("number 98765\u00a043210 – 98765\u201343210", "number [PHONE] – [PHONE]"),  # NBSP, en dash
]

AADHAARS = [
    ("Aadhaar number 2345 6789 0123 hai", "Aadhaar number [AADHAAR] hai"),
    ("Mera aadhar 2345-6789-0123 hai", "Mera aadhar [AADHAAR] hai"),
    ("Ye lo 2345 6789 0123, verify kar lo", "Ye lo [AADHAAR], verify kar lo"),  # 4-4-4, no label
    (f"adhar card no {AADHAAR_BAD} hai", "adhar card no [AADHAAR] hai"),  # label: checksum waived
    ("UID: 1234 5678 9012", "UID: [AADHAAR]"),  # label: first digit waived too
    (f"Number {AADHAAR} note karo", "Number [AADHAAR] note karo"),  # plain, checksum valid
    ("2345 6789 0123 mera aadhaar hai", "[AADHAAR] mera aadhaar hai"),  # label after
    ("आधार संख्या २३४५ ६७८९ ०१२३ है", "आधार संख्या [AADHAAR] है"),
    ("Aadhaar VID 9123 4567 8901 2345 hai", "Aadhaar VID [AADHAAR] hai"),  # 16-digit virtual id
]

PANS = [
    ("PAN ABCPE1234F hai", "PAN [PAN] hai"),
    ("mera pan card number abcpe1234f hai", "mera pan card number [PAN] hai"),
    ("KYC ke liye BNZPM2501F bheja tha", "KYC ke liye [PAN] bheja tha"),  # no label, holder P
    ("Company PAN AAACB1234C", "Company PAN [PAN]"),
    ("PAN: ABCDE1234F", "PAN: [PAN]"),  # holder "D" is no holder type; the label vouches
    ("pan no. ABCDE 1234 F", "pan no. [PAN]"),  # spoken with spaces, label
    ("पैन नंबर ABCPE1234F है", "पैन नंबर [PAN] है"),
    ("My PAN is abcpe1234f.", "My PAN is [PAN]."),
]

CARDS = [
    ("Card number 4111 1111 1111 1111 hai", "Card number [CARD] hai"),
    ("debit card 5555-5555-5555-4444 se pay kiya", "debit card [CARD] se pay kiya"),
    ("4111111111111111 wala card block karo", "[CARD] wala card block karo"),
    ("Amex 3782 822463 10005", "Amex [CARD]"),
    ("Visa 4222222222222", "Visa [CARD]"),  # 13 digits
    ("Card 6011 1111 1111 1117 expiry 12/27 hai", "Card [CARD] expiry 12/27 hai"),
    ("Credit card 4111 1111 1111 1112 hai", "Credit card [CARD] hai"),  # label: Luhn waived
    ("4111 1111 1111 1111 2026 tak valid", "[CARD] 2026 tak valid"),  # trailing year stays
    ("कार्ड ४१११ ११११ ११११ ११११ से", "कार्ड [CARD] से"),
]

ACCOUNTS = [
    ("Account number 123456789012 hai", "Account number [ACCOUNT] hai"),
    ("A/c no. 50100123456789", "A/c no. [ACCOUNT]"),
    ("a/c no:-12345678901", "a/c no:-[ACCOUNT]"),
    ("Khata 1234567890 SBI mein hai", "Khata [ACCOUNT] SBI mein hai"),
    ("खाता संख्या 12345678901 है", "खाता संख्या [ACCOUNT] है"),
    ("ICICI a/c 0123 4567 8901", "ICICI a/c [ACCOUNT]"),
    ("123456789012 mera account number hai", "[ACCOUNT] mera account number hai"),  # label after
    ("Loan account LN12345678 ka EMI", "Loan account [ACCOUNT] ka EMI"),  # alphanumeric id
    ("ref PL/2026/001234 quote karein", "ref [ACCOUNT] quote karein"),
    ("order id OD1234567890123 cancel", "order id [ACCOUNT] cancel"),
    ("Loan account number 9876543210 hai", "Loan account number [ACCOUNT] hai"),  # label beats phone
    ("Ref no 8765432109 quote kariye", "Ref no [ACCOUNT] quote kariye"),
    ("UTR 412345678901 aaya hai", "UTR [ACCOUNT] aaya hai"),
    ("IFSC HDFC0001234, account 50100123456789", "IFSC HDFC0001234, account [ACCOUNT]"),
]

EMAILS = [
    ("Email ramesh.kumar@gmail.com pe bhej do", "Email [EMAIL] pe bhej do"),
    ("mail id: priya_sharma99@yahoo.co.in", "mail id: [EMAIL]"),
    ("Statement RAMESH.K@OUTLOOK.COM pe aayega.", "Statement [EMAIL] pe aayega."),
    ("email: 9876543210@gmail.com", "email: [EMAIL]"),  # one email, not a phone
    ("ईमेल ramesh+loans@company.in है", "ईमेल [EMAIL] है"),
    ("ramesh dot kumar at the rate gmail dot com pe bhejo", "[EMAIL] pe bhejo"),  # spoken
    ("mail ramesh at gmail dot com", "mail [EMAIL]"),
    ("id hai sunita at the rate yahoo.co.in", "id hai [EMAIL]"),
]

UPIS = [
    ("UPI id ramesh.k@okaxis hai", "UPI id [UPI] hai"),
    ("9876543210@ybl pe bhej do", "[UPI] pe bhej do"),  # a UPI id, not "[PHONE]@ybl"
    ("GPay: sunita.sharma@oksbi", "GPay: [UPI]"),
    ("Paytm pe name@paytm, ya name@upi", "Paytm pe [UPI], ya [UPI]"),
    ("PhonePe id 98765432@ibl.", "PhonePe id [UPI]."),
    ("ramesh_99@axl pe", "[UPI] pe"),
    ("ramesh at the rate okaxis pe bhejo", "[UPI] pe bhejo"),  # spoken
    ("priya @ ybl", "[UPI]"),
    ("यूपीआई ramesh@okhdfcbank है", "यूपीआई [UPI] है"),
]

ALL_POSITIVE = {
    "PHONE": PHONES,
    "AADHAAR": AADHAARS,
    "PAN": PANS,
    "CARD": CARDS,
    "ACCOUNT": ACCOUNTS,
    "EMAIL": EMAILS,
    "UPI": UPIS,
}
POSITIVE = [(kind, text, want) for kind, cases in ALL_POSITIVE.items() for text, want in cases]


@pytest.mark.parametrize(("kind", "text", "want"), POSITIVE, ids=[f"{k}:{t[:40]}" for k, t, _ in POSITIVE])
def test_each_kind(kind: str, text: str, want: str) -> None:
    result = redact(text)
    assert result.text == want
    assert set(result.counts) == {kind}
    assert result.counts[kind] == want.count(f"[{kind}]")


# ---------------------------------------------------------------------------------------------
# What must survive
# ---------------------------------------------------------------------------------------------

UNTOUCHED = [
    "EMI 15,600 rupaye pending hai",
    "Total outstanding ₹1,50,000 hai",
    "Rs 98765 ka settlement offer hai",
    "1,23,45,678 ka loan tha, ₹ 12,34,567.50 baki",
    "15000/- abhi de dunga",
    "15/12/2026 tak pay kar dunga",
    "2026-12-15 ko 10:30 baje call karna",
    "15.12.2026, 10:30-11:30 ke beech",
    "Interest rate 18.5% hai, at the rate of 2% per month",
    "5k abhi, baaki 10k next week",
    "12 EMI mein se 3 pending, 24 din late",
    "Card ending 4321 se payment hua",
    "XXXX XXXX XXXX 1234 wala card",
    "A/c XXXXXX1234 se debit hua",
    "PAN XXXXX1234X mask kiya hua hai",
    "IFSC HDFC0001234 hai branch ka",
    "Order 12345 deliver hua",
    "Invoice 123456789 bheja",  # nine digits, no label
    "Ye 1234567890 kya hai?",  # ten digits starting 1: no mobile
    "Account mein Rs 123456789 jama hua",  # an amount next to "account"
    "Loan amount 150000000 tha",
    "Account balance 123456789 hai",
    "Years 2026 2027 2028 ka plan",
    "Payment at the branch. In 2 days",
    "I am at office. In two days I will pay",
    "Call me at 5 pm, CIBIL score 750 hai",
    "EMI ₹१५,६०० बाकी है, १२ दिन से ओवरड्यू",
    "कुल बकाया १,२०,००० है, १५ तारीख तक",
    "ramesh.kumar at office",
    "Sir @ 5 pm call karna",
    "",
]


@pytest.mark.parametrize("text", UNTOUCHED)
def test_ordinary_text_survives(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.counts == {}


def test_digits_keep_their_script_outside_redactions() -> None:
    text = "EMI ₹१५,६०० aur number ९८७६५४३२१० hai"
    assert redact_text(text) == "EMI ₹१५,६०० aur number [PHONE] hai"


# ---------------------------------------------------------------------------------------------
# Order, context, the combined transcript, the API
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("9876543210@ybl", "[UPI]"),
        ("9876543210@gmail.com", "[EMAIL]"),
        ("ramesh@gmail.com", "[EMAIL]"),
        ("account se linked mobile 9876543210", "account se linked mobile [PHONE]"),
        ("loan account 9876543210", "loan account [ACCOUNT]"),
        ("9876543210, account mein paise nahi", "[PHONE], account mein paise nahi"),
        ("aadhaar se linked bank account 123456789012", "aadhaar se linked bank account [ACCOUNT]"),
        ("account +91 98765 43210 pe OTP aata hai", "account [PHONE] pe OTP aata hai"),
        ("uid 4111 1111 1111 1111", "uid [AADHAAR]"),  # a 16-digit Virtual ID: the label decides
        ("card 4111 1111 1111 1111, aadhaar 2345 6789 0123", "card [CARD], aadhaar [AADHAAR]"),
        ("user@example.com9876543210", "[EMAIL][PHONE]"),
        # found by hypothesis (boundaries that settle only once a neighbour is gone, slices of a card)
        ("x@y.com9876543210x@y.com", "[EMAIL][PHONE][EMAIL]"),
        ("loan 98765 १२३४ 98765 98765", "loan [ACCOUNT] [PHONE]"),
        ("91 6000000000 account", "[PHONE] account"),  # the bare "91 " belongs to the phone
        ("account 3000 0000 0000 7", "account [ACCOUNT]"),  # a 13-digit card read out in fours
        (f"account {with_luhn('300000000000000000')}", "account [CARD]"),  # 19 digits: no account
        (f"Amex {CARD_15[:4]} {CARD_15[4:10]} {CARD_15[10:]}", "Amex [CARD]"),  # 4-6-5 holds a 4-6 phone
    ],
)
def test_order_and_context(text: str, want: str) -> None:
    assert redact_text(text) == want


TRANSCRIPT = (
    "Agent: Namaste, main HDFC Bank collections se bol rahi hoon. Kya Ramesh Kumar ji se baat ho rahi hai?\n"
    "Customer: Haan, boliye. Mera number 98765 43210 hai, usi pe WhatsApp kar dena.\n"
    "Agent: Sir aapke loan account LN12345678 ki EMI ₹15,600 15/12/2026 se pending hai.\n"
    "Customer: Main 5k abhi UPI se bhej deta hoon, ramesh.k@okaxis se. Baaki 1,50,000 next month.\n"
    "Agent: Verification ke liye aadhaar 2345 6789 0123 aur PAN ABCPE1234F confirm kijiye.\n"
    "Customer: Card 4111 1111 1111 1111 se auto-debit laga do, statement ramesh.kumar@gmail.com pe.\n"
    "Agent: Theek hai, a/c no. 50100123456789 se bhi NACH ho sakta hai. 10:30 baje call karungi.\n"
    "ग्राहक: ठीक है, मेरा दूसरा नंबर ९१२३४ ५६७८९ है।"
)
TRANSCRIPT_REDACTED = (
    "Agent: Namaste, main HDFC Bank collections se bol rahi hoon. Kya Ramesh Kumar ji se baat ho rahi hai?\n"
    "Customer: Haan, boliye. Mera number [PHONE] hai, usi pe WhatsApp kar dena.\n"
    "Agent: Sir aapke loan account [ACCOUNT] ki EMI ₹15,600 15/12/2026 se pending hai.\n"
    "Customer: Main 5k abhi UPI se bhej deta hoon, [UPI] se. Baaki 1,50,000 next month.\n"
    "Agent: Verification ke liye aadhaar [AADHAAR] aur PAN [PAN] confirm kijiye.\n"
    "Customer: Card [CARD] se auto-debit laga do, statement [EMAIL] pe.\n"
    "Agent: Theek hai, a/c no. [ACCOUNT] se bhi NACH ho sakta hai. 10:30 baje call karungi.\n"
    "ग्राहक: ठीक है, मेरा दूसरा नंबर [PHONE] है।"
)


def test_combined_transcript() -> None:
    result = redact(TRANSCRIPT)
    assert result.text == TRANSCRIPT_REDACTED
    assert result.counts == {
        "PHONE": 2,
        "AADHAAR": 1,
        "PAN": 1,
        "CARD": 1,
        "ACCOUNT": 2,
        "EMAIL": 1,
        "UPI": 1,
    }
    assert list(result.counts) == [kind for kind in KINDS if kind in result.counts]  # stable order


def test_redaction_is_a_frozen_value_without_a_mapping() -> None:
    result = redact("call 9876543210")
    assert isinstance(result, Redaction)
    assert [f.name for f in dataclasses.fields(Redaction)] == ["text", "counts"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]
    # irreversible: different values give the very same result, nothing remembers which
    assert redact("call 9876543210") == redact("call 7012345678") == Redaction("call [PHONE]", {"PHONE": 1})


def test_redact_text_and_nothing_found() -> None:
    text = "Kal tak 4,250 de dunga, pakka."
    assert redact_text(text) == text
    assert redact(text) == Redaction(text, {})
    assert redact_text("ramesh@gmail.com") == "[EMAIL]"
    assert set(KINDS) == {"PHONE", "AADHAAR", "PAN", "CARD", "ACCOUNT", "EMAIL", "UPI"}


def test_odd_input_does_not_raise() -> None:
    assert redact_text("\ud800 9876543210 \udfff") == "\ud800 [PHONE] \udfff"  # lone surrogates
    assert redact_text("İ 9876543210 İ") == "İ [PHONE] İ"  # "İ" lower-cases to two characters
    assert redact_text("(" * 5000 + "1" * 5000 + "@" * 100) is not None


EVERY_EXAMPLE = [text for _, text, _ in POSITIVE] + UNTOUCHED + [TRANSCRIPT]


@pytest.mark.parametrize("text", EVERY_EXAMPLE)
def test_idempotent_on_examples(text: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

FILLER = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,!?:;'()\n"
    "अआइईउएओकखगघचजटडतदनपबमयरलवशसहािीुूेैोौं।₹",
    max_size=30,
)
SEPARATOR = st.sampled_from([" ", "  ", "\n", " : ", " - ", ", "])


@st.composite
def embedded(draw: st.DrawFn, value: st.SearchStrategy[str]) -> tuple[str, str]:
    v = draw(value)
    return v, f"{draw(FILLER)}{draw(SEPARATOR)}{v}{draw(SEPARATOR)}{draw(FILLER)}"


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


MOBILE_BODY = st.builds(lambda first, rest: first + rest, st.sampled_from("6789"), _digits(9))
PHONE_FORMATS = [
    lambda b: b,
    lambda b: f"+91 {b[:5]} {b[5:]}",
    lambda b: f"+91-{b}",
    lambda b: f"0{b}",
    lambda b: f"91{b}",
    lambda b: f"91 {b}",
    lambda b: f"0091 {b}",
    lambda b: f"{b[:5]}-{b[5:]}",
    lambda b: f"{b[:5]} {b[5:]}",
    lambda b: f"{b[:3]} {b[3:6]} {b[6:]}",
    lambda b: f"(+91) {b}",
]
PHONES_ST = st.builds(
    lambda body, fmt, script: script(fmt(body)),
    MOBILE_BODY,
    st.sampled_from(PHONE_FORMATS),
    st.sampled_from([str, deva]),
)
AADHAAR_ST = st.builds(
    lambda first, rest, sep, script: script(sep.join(re.findall("....", with_verhoeff(first + rest)))),
    st.sampled_from("23456789"),
    _digits(10),
    st.sampled_from(["", " ", "-"]),
    st.sampled_from([str, deva]),
)


@st.composite
def cards(draw: st.DrawFn) -> str:
    length = draw(st.integers(13, 19))
    number = with_luhn(draw(st.sampled_from("3456")) + draw(_digits(length - 2)))
    style = draw(st.sampled_from(["plain", " ", "-", "amex"]))
    if style == "plain":
        return number
    if style == "amex" and length == 15:
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    sep = "-" if style == "-" else " "
    return sep.join(number[i : i + 4] for i in range(0, length, 4))


PAN_ST = st.builds(
    lambda head, holder, fifth, digits, last, upper: (
        (head + holder + fifth + digits + last).upper() if upper else head + holder + fifth + digits + last
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=3),
    st.sampled_from("pchfatbljg"),
    st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
    _digits(4),
    st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
    st.booleans(),
)
EMAIL_ST = st.builds(
    lambda local, labels, tld, upper: (
        f"{local}@{'.'.join(labels)}.{tld}".upper() if upper else f"{local}@{'.'.join(labels)}.{tld}"
    ),
    st.from_regex(r"[a-z0-9](?:[a-z0-9._%+-]{0,20}[a-z0-9])?", fullmatch=True),
    st.lists(st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True), min_size=1, max_size=3),
    st.from_regex(r"[a-z]{2,6}", fullmatch=True),
    st.booleans(),
)
UPI_ST = st.builds(
    lambda local, handle: f"{local}@{handle}",
    st.from_regex(r"[a-z0-9](?:[a-z0-9._-]{0,20}[a-z0-9])?", fullmatch=True),
    st.one_of(
        st.sampled_from(["okaxis", "ybl", "ibl", "axl", "paytm", "oksbi", "okhdfcbank", "upi", "apl"]),
        st.from_regex(r"[a-z]{2,12}", fullmatch=True),
    ),
)


@settings(max_examples=300)
@given(embedded(PHONES_ST))
def test_phones_are_always_removed(case: tuple[str, str]) -> None:
    _, text = case
    out = redact_text(text)
    assert digits_in(out) == [], out


@settings(max_examples=300)
@given(embedded(AADHAAR_ST))
def test_aadhaar_numbers_are_always_removed(case: tuple[str, str]) -> None:
    _, text = case
    assert digits_in(redact_text(text)) == []


@settings(max_examples=300)
@given(embedded(cards()))
def test_card_numbers_are_always_removed(case: tuple[str, str]) -> None:
    _, text = case
    assert digits_in(redact_text(text)) == []


@settings(max_examples=200)
@given(embedded(PAN_ST))
def test_pans_are_always_removed(case: tuple[str, str]) -> None:
    pan, text = case
    out = redact_text(text)
    assert pan.lower() not in out.lower()
    assert digits_in(out) == []


@settings(max_examples=200)
@given(embedded(EMAIL_ST))
def test_emails_are_always_removed(case: tuple[str, str]) -> None:
    email, text = case
    out = redact(text)
    assert email not in out.text
    assert "@" not in out.text
    assert out.counts.get("EMAIL") == 1


@settings(max_examples=200)
@given(embedded(UPI_ST))
def test_upi_ids_are_always_removed(case: tuple[str, str]) -> None:
    upi, text = case
    out = redact(text)
    assert upi not in out.text
    assert "@" not in out.text
    assert out.counts.get("UPI") == 1


AMOUNTS = st.integers(0, 10**8 - 1)


@settings(max_examples=300)
@given(AMOUNTS, AMOUNTS)
def test_amounts_are_never_changed(a: int, b: int) -> None:
    for text in (
        f"Rs {a:,}",
        f"Rs {a}",
        f"₹{indian(a)}",
        f"{indian(a)} rupaye",
        f"EMI {indian(a)} hai aur total {indian(b)} baki hai, {b:,} INR",
        deva(f"कुल बकाया ₹{indian(a)} है"),
        f"Settlement {a}/- mein, {b}.50 ka interest",
    ):
        assert redact(text) == Redaction(text, {}), text


@settings(max_examples=200)
@given(st.dates(date(1950, 1, 1), date(2100, 12, 31)), st.times())
def test_dates_and_times_are_never_changed(day: date, at: clock) -> None:
    moment = datetime.combine(day, at)
    for fmt in (
        "%d/%m/%Y",
        "%Y-%m-%d",
        "%d-%m-%Y",
        "%d.%m.%Y",
        "%d/%m/%y",
        "%Y-%m-%d %H:%M",
        "%d-%m-%Y %H:%M:%S",
    ):
        text = f"Payment {moment.strftime(fmt)} tak, {moment.strftime('%H:%M')} baje"
        assert redact_text(text) == text, text


@settings(max_examples=300)
@given(st.text())
def test_arbitrary_text_never_raises_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert isinstance(once.text, str)
    assert set(once.counts) <= set(KINDS)
    assert all(n > 0 for n in once.counts.values())
    assert redact_text(once.text) == once.text


# Pieces that make dense, awkward PII-like text: digit groups, prefixes, labels, "@" and handles.
FRAGMENTS = st.sampled_from(
    [
        "9876543210", "98765", "43210", "+91", "91", "0", "00", "2345", "6789", "0123", "4111", "1111",
        "12", "7", " ", " ", " ", "-", "(", ")", "+", "@", ".", ",", "/", "\n", "ybl", "okaxis",
        "gmail", "com", "ramesh", "k", "dot", "at the rate", "account", "a/c", "aadhaar", "uid", "card",
        "pan", "ABCPE", "1234", "F", "loan", "LN", "ref", "Rs", "₹", "mobile", "no.", "hai", "९८७६५",
        "१२३४", "[PHONE]", "[UPI]", "XXXX", "HDFC0001234", "2026", "/-",
    ]
)  # fmt: skip


@settings(max_examples=500)
@given(st.lists(FRAGMENTS, max_size=25).map("".join))
def test_idempotent_on_dense_pii_like_text(text: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once, (text, once)


# ---------------------------------------------------------------------------------------------
# Speed
# ---------------------------------------------------------------------------------------------

CLEAN = (
    "Agent: Namaste, main Kotak Finserv collections se Neha bol rahi hoon. Kya meri baat Manoj Yadav "
    "ji se ho rahi hai?\nCustomer: Haan, bol raha hoon.\nAgent: Sir aapke personal loan ki November ki "
    "EMI 8,400 rupaye abhi tak pending hai, 24 din ho gaye. Total outstanding 1,50,000 hai.\nCustomer: "
    "Haan madam, is mahine thoda late ho gaya. Salary 1 tareekh ko aati hai, 15/12/2026 tak 5k de "
    "dunga.\nAgent: Theek hai sir, 10:30 baje reminder bhejungi. Late fee 2.5% lagegi, interest rate "
    "18% hai.\nCustomer: OK, dhanyavaad."
)
CLEAN_DEVANAGARI = (
    "एजेंट: नमस्ते, मैं बजाज फाइनेंस से बोल रही हूँ। आपकी ईएमआई ₹१५,६०० बाकी है, १२ दिन से ओवरड्यू है।\n"
    "ग्राहक: हाँ पता है, अगले हफ्ते १५ तारीख तक कर दूँगा। अभी नौकरी चली गई है, थोड़ा समय चाहिए।\n"
    "एजेंट: ठीक है, मैं नोट कर लेती हूँ। कुल बकाया १,२०,००० है। कृपया समय पर भुगतान करें। धन्यवाद।"
)


@pytest.mark.parametrize("text", [CLEAN, CLEAN_DEVANAGARI], ids=["clean", "devanagari"])
def test_transcript_without_pii_is_returned_unchanged(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.counts == {}
