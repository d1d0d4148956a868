"""add_details: contact status, promise, distress, compliance, reasons, callback, on hand-made calls."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from consumer.analyzer.details import add_details, split_turns
from consumer.analyzer.enrich import finish
from consumer.analyzer.rules import analyze_text
from schemas import (
    CallAnalysis,
    ComplianceRule,
    ContactStatus,
    DistressKind,
    IntentCategory,
    Sentiment,
    Speaker,
)

CR = ComplianceRule
CS = ContactStatus
DK = DistressKind
IC = IntentCategory
NOON = datetime.fromisoformat("2026-11-24T12:00:00+05:30")  # a Tuesday


def _base(category: IntentCategory = IC.OTHER) -> CallAnalysis:
    return CallAnalysis(
        customer_intent="x",
        intent_category=category,
        sentiment=Sentiment.NEUTRAL,
        action_required=False,
        summary="x",
    )


def _details(transcript: str, category: IntentCategory = IC.OTHER, at: datetime = NOON) -> CallAnalysis:
    return add_details(_base(category), transcript, at)


def _rules(result: CallAnalysis) -> set[ComplianceRule]:
    return {f.rule for f in result.compliance_flags}


GOOD_OPENING = (
    "Agent: Namaste, main Kotak Finserv se Neha bol rahi hoon. Kya meri baat Manoj ji se ho rahi hai?\n"
    "Customer: Haan, bol raha hoon.\n"
)


# ---------------------------------------------------------------------------------------------
# Turns
# ---------------------------------------------------------------------------------------------


def test_split_turns_keeps_the_original_words_and_labels_mid_line() -> None:
    turns, labelled = split_turns("AGENT: Sir, EMI ₹4,250 BAAKI hai. customer: Haan JI, kal.\nएजेंट: ठीक है।")
    assert labelled
    assert [(t.speaker, t.text) for t in turns] == [
        (Speaker.AGENT, "Sir, EMI ₹4,250 BAAKI hai."),
        (Speaker.CUSTOMER, "Haan JI, kal."),
        (Speaker.AGENT, "ठीक है।"),
    ]


def test_no_labels_is_one_customer_turn() -> None:
    turns, labelled = split_turns("Kal tak kar dunga.")
    assert not labelled
    assert [(t.speaker, t.text) for t in turns] == [(Speaker.CUSTOMER, "Kal tak kar dunga.")]


@pytest.mark.parametrize("first", ["Speaker 1", "Speaker 2"])
def test_numbered_speakers_take_the_side_of_what_they_say(first: str) -> None:
    second = "Speaker 2" if first == "Speaker 1" else "Speaker 1"
    transcript = (
        f"{first}: hello?\n"
        f"{second}: namaste, main Neha bol rahi hoon Kotak Finserv se, kya Manoj ji se baat ho rahi hai?\n"
        f"{first}: haan bolo\n"
        f"{second}: sir aapki EMI 5,000 ki 8 tareekh se pending hai\n"
        f"{first}: Friday ko 5000 de dunga"
    )
    turns, labelled = split_turns(transcript)
    assert labelled
    assert [t.speaker for t in turns] == [Speaker.CUSTOMER, Speaker.AGENT] * 2 + [Speaker.CUSTOMER]
    ptp = _details(transcript, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (5000, date(2026, 11, 27))  # not the agent's 8th


@pytest.mark.parametrize("greeting", [[], ["hello"]])
def test_unlabelled_lines_alternate_between_the_collector_and_the_customer(greeting: list[str]) -> None:
    lines = [
        *greeting,
        "namaskar main dinesh bol raha hoon krushi finance se kya balasaheb ji se baat ho rahi hai",
        "haan main balasaheb bol raha hoon",
        "aapki emi 7000 pending hai 5 tareekh se",
        "agle mahine ki 5 tareekh ko 3500 kar dunga baaki baad mein",
    ]
    turns, labelled = split_turns("\n".join(lines))
    assert labelled
    assert [t.speaker for t in turns][-4:] == [Speaker.AGENT, Speaker.CUSTOMER] * 2
    ptp = _details("\n".join(lines), IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (3500, date(2026, 12, 5))


def test_lines_opening_with_a_label_that_lost_its_colon() -> None:
    turns, labelled = split_turns("agent namaste EMI baaki hai\ncustomer kal dunga\nagent theek hai")
    assert labelled
    assert [(t.speaker, t.text) for t in turns] == [
        (Speaker.AGENT, "namaste EMI baaki hai"),
        (Speaker.CUSTOMER, "kal dunga"),
        (Speaker.AGENT, "theek hai"),
    ]


def test_unlabelled_lines_without_a_collector_stay_one_customer_turn() -> None:
    turns, labelled = split_turns("haan ji\nkal kar dunga\ntheek hai")
    assert not labelled
    assert len(turns) == 1


def test_numbered_speakers_without_an_agents_words_are_the_customer() -> None:
    turns, _ = split_turns("Speaker 1: hello\nSpeaker 2: haan ji\nSpeaker: kaun")
    assert {t.speaker for t in turns} == {Speaker.CUSTOMER}
    assert len(turns) == 2  # a bare "Speaker:" is no label


# ---------------------------------------------------------------------------------------------
# Contact status
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transcript", "expected"),
    [
        (GOOD_OPENING + "Customer: EMI kal bhar dunga.", CS.RIGHT_PARTY),
        ("Agent: Kya Suresh ji hain?\nCustomer: Galat number hai bhai.", CS.WRONG_NUMBER),
        ("एजेंट: क्या रमेश जी से बात हो रही है?\nग्राहक: यह गलत नंबर है।", CS.WRONG_NUMBER),
        ("Agent: Is this Mr. Rao?\nCustomer: I don't know any Rao, sorry.", CS.WRONG_NUMBER),
        (
            "Agent: Kya Vinod ji hain?\nCustomer: Main unki wife bol rahi hoon, wo office gaye hain.",
            CS.THIRD_PARTY,
        ),
        ("एजेंट: अजय जी हैं?\nग्राहक: मैं उनका भाई हूँ, वो अभी घर पर नहीं हैं।", CS.THIRD_PARTY),
        ("Agent: Kya meri baat Vikas ji se ho rahi hai?\nCustomer: Hello? Awaaz nahi aa rahi...", CS.UNKNOWN),
        ("Kal tak kar dunga.", CS.UNKNOWN),
    ],
)
def test_contact_status(transcript: str, expected: ContactStatus) -> None:
    assert _details(transcript).contact_status is expected


# ---------------------------------------------------------------------------------------------
# Promise to pay
# ---------------------------------------------------------------------------------------------


def test_promise_amount_and_date_from_the_customer_turn() -> None:
    t = GOOD_OPENING + "Agent: Aapki EMI 8,400 pending hai.\nCustomer: Parso tak 8,400 jama kar dunga."
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date, ptp.due_text) == (8400, date(2026, 11, 26), "Parso")
    assert ptp.date_unresolved_reason is None
    assert ptp.confidence >= 0.8


def test_a_promise_without_a_figure_is_for_the_amount_the_agent_named() -> None:
    t = GOOD_OPENING + "Agent: Sir 12,500 overdue hai.\nCustomer: Friday ko bank jaake bhar dunga."
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (12500, date(2026, 11, 27))


def test_the_whole_amount_without_a_figure_has_no_amount() -> None:
    # The labelling guide: "pura kar dunga" with no figure named has amount null.
    t = GOOD_OPENING + "Agent: Sir 12,500 overdue hai.\nCustomer: Poora amount Friday ko bhar dunga."
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (None, date(2026, 11, 27))


def test_the_figure_the_agent_reads_back_with_the_day_is_the_promised_amount() -> None:
    t = (
        GOOD_OPENING
        + "Agent: Do kisht baaki hai, 1,800 ki ek, total 3,600.\n"
        + "Customer: 15 tareekh tak dono bhar dungi, poora.\n"
        + "Agent: Theek hai, 15 tareekh tak 3,600.\nCustomer: Haan."
    )
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (3600, date(2026, 12, 15))


def test_salary_promise_has_no_date_and_the_normalisers_reason() -> None:
    ptp = _details("Customer: Salary aane pe de dunga.", IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert ptp.due_date is None
    assert ptp.date_unresolved_reason == "salary_day_unknown"


@pytest.mark.parametrize(
    "said",
    [
        "agle hafte 2,500 kar dungi, din abhi nahi bata sakti",
        "is hafte ya agle hafte 2,500 kar dungi",
        "salary abhi tak nahi aayi, salary aate hi 2,500 kar dungi",
    ],
)
def test_a_promise_with_a_week_or_a_salary_and_no_day_has_no_date(said: str) -> None:
    ptp = _details(
        GOOD_OPENING + "Agent: 4,900 overdue hai.\nCustomer: " + said, IC.PROMISE_TO_PAY
    ).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (2500, None)
    assert ptp.date_unresolved_reason in ("vague", "salary_day_unknown")


@pytest.mark.parametrize(
    ("said", "amount", "due"),
    [
        ("Salary 1 ko aa gayi na, 3150 account mein rakh diya. 5 ko kat jayega.", 3150, date(2026, 12, 5)),
        ("saturday tak dhai hazaar kar dunga baaki do hafte mein", 2500, date(2026, 11, 28)),
        ("bonus 26 ko aane wala hai, 28 ko 3150 pura daal dunga", 3150, date(2026, 11, 28)),
    ],
)
def test_the_day_goes_with_the_commitment_verb(said: str, amount: int, due: date) -> None:
    t = GOOD_OPENING + "Agent: 3,150 ki EMI baaki hai.\nCustomer: " + said
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (amount, due)


def test_partial_promise_abhi_baaki() -> None:
    t = GOOD_OPENING + "Agent: 18,000 due hai.\nCustomer: Abhi 5,000 bhej deta hoon, baaki agle hafte."
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date, ptp.is_partial) == (5000, NOON.date(), True)


def test_a_phrase_inside_a_word_does_not_hide_a_commitment_right_after_it() -> None:
    # "GPay kar deta hoon" holds "pay kar deta hoon", which starts inside "GPay" and does not
    # count; the search must still find "kar deta hoon", which starts within it. A firm
    # commitment makes a promise even when the call was not classed as one.
    t = (
        GOOD_OPENING
        + "Agent: 6,900 ki EMI overdue hai.\nCustomer: Abhi 2000 GPay kar deta hoon, baaki next month."
    )
    ptp = _details(t, IC.OTHER).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date, ptp.is_partial) == (2000, NOON.date(), True)


@pytest.mark.parametrize(
    ("said", "due"),
    [
        ("Shukrobar ko branch e giye 650 diye debo, pakka.", date(2026, 11, 27)),  # Bengali
        ("Budhvaar nu 650 pa dinda haan.", date(2026, 11, 25)),  # Punjabi
        ("Parso pakka 650 bharto.", date(2026, 11, 26)),  # Marathi
        ("कल सुबह ब्रांच आके ६५० दे देंगे।", date(2026, 11, 25)),
        ("I will do the NEFT of 650 on Friday.", date(2026, 11, 27)),
        ("Parso tak 650 kar deta hoon, please ghar mat bhejna.", date(2026, 11, 26)),
    ],
)
def test_commitments_in_every_register_carry_the_promise(said: str, due: date) -> None:
    t = GOOD_OPENING + "Agent: Aapki 650 ki kisht baaki hai.\nCustomer: Theek hai.\nCustomer: " + said
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (650, due)


@pytest.mark.parametrize(
    ("said", "due"),
    [
        ("Mangal ke 650 jama kar deb, pakka.", date(2026, 12, 1)),  # Bhojpuri
        ("kaal 650 de debai, centre pe.", date(2026, 11, 25)),  # Maithili
        ("Parso 650 kar dehu, chinta jhan karo.", date(2026, 11, 26)),  # Chhattisgarhi
        ("12 tareekh ne 650 poora kar dyunga.", date(2026, 12, 12)),  # Rajasthani
        ("शुक्रवार तक ६५० दे देब।", date(2026, 11, 27)),
        ("Theek hai, parso tak 650 bhejta hoon.", date(2026, 11, 26)),  # the present for the near future
        ("Friday ko 650 le lena, bas.", date(2026, 11, 27)),
        ("Friday I will give 650 to the centre leader.", date(2026, 11, 27)),
        ("Monday. Monday I'll do, 650.", date(2026, 11, 30)),
        ("Thursday I will go to the bank and deposit 650.", date(2026, 11, 26)),
        ("This evening I'll transfer the 650.", date(2026, 11, 24)),
        ("On twelfth I can do 650.", date(2026, 12, 12)),
        ("Haan, 650 rahenge account mein, 5 ko chala jayega.", date(2026, 12, 5)),  # auto-debit
    ],
)
def test_commitments_in_more_registers_carry_the_promise(said: str, due: date) -> None:
    t = GOOD_OPENING + "Agent: Aapki 650 ki kisht baaki hai.\nCustomer: Theek hai.\nCustomer: " + said
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (650, due)


_ASKED = GOOD_OPENING + "Agent: Aapki 2,400 ki kisht baaki hai.\n"


@pytest.mark.parametrize(
    ("talk", "amount", "due"),
    [
        # a promise revised later in the call is the one that holds
        (
            "Customer: Friday ko 1,500 de dunga.\nAgent: 1,500 se kisht poori nahi hoti.\n"
            "Customer: accha, 2,400 kar dunga, Friday tak.",
            2400,
            date(2026, 11, 27),
        ),
        (
            "Customer: Monday tak 2,400 bhar dungi.\nAgent: 150 late fee bhi hai.\n"
            "Customer: theek hai, 2550 bhar dungi phir.",
            2550,
            date(2026, 11, 30),
        ),
        (  # two figures later are no single revision
            "Customer: Monday ko 2,400 bhar dungi.\nAgent: 150 late fee bhi hai.\n"
            "Customer: 2,400 pakka, 150 baad mein de dungi.",
            2400,
            date(2026, 11, 30),
        ),
        # no commitment verb at all: the turn that says a day and a figure
        ("Customer: Agle Monday ko 2,200 pakka.\nAgent: Theek hai.\nCustomer: Ok.", 2200, date(2026, 11, 30)),
        # the day answered in the next turn
        (
            "Customer: 2,200 bhar dunga.\nAgent: Kab? Parso?\nCustomer: Haan parso, pakka.",
            2200,
            date(2026, 11, 26),
        ),
        # the figure in the sentence of the commitment, not the one refused before it
        ("Customer: Poora 2,400 abhi nahi hai. Kal 1,100 bhej deta hoon.", 1100, date(2026, 11, 25)),
        # a bare figure in the commitment's own clause
        ("Customer: 1800 kar sakti hoon, Friday ko.", 1800, date(2026, 11, 27)),
        # "abhi ... de sakti hoon" is what one can give at present; the day said with it is the day
        ("Customer: abhi 1,100 de sakti hoon, parso tak.", 1100, date(2026, 11, 26)),
        # a day refused as it is said is not the promise's
        ("Customer: aaj nahi, agle hafte 1,100 kar dunga.", 1100, None),
        ("Customer: kal no problem, 1,100 bhar dunga.", 1100, date(2026, 11, 25)),
        # some money, no figure: no amount
        ("Customer: Friday tak kuch na kuch daal dunga.", None, date(2026, 11, 27)),
        # an account's balance is not the rest of the debt
        ("Customer: I'll keep the balance in the account by the 12th.", 2400, date(2026, 12, 12)),
    ],
)
def test_the_commitment_that_holds_gives_the_amount_and_day(
    talk: str, amount: int | None, due: date | None
) -> None:
    ptp = _details(_ASKED + talk, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (amount, due)


@pytest.mark.parametrize(
    "talk",
    [
        "Customer: Salary aate hi 2,400 bhar dunga.\nAgent: Salary kab aati hai?\n"
        "Customer: Kabhi 7 ko kabhi 12 ko.",
        "Customer: Jab bhai ka paisa aayega turant 2,400 de dunga.",
        "Customer: abhi wallet mein kuch nahi hai, payout aane pe 2,400 kar dunga.",
    ],
)
def test_a_promise_on_an_unknown_day_stays_undated(talk: str) -> None:
    ptp = _details(_ASKED + talk, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (2400, None)


def test_a_bare_number_the_agent_named_is_the_promised_amount() -> None:
    t = (
        GOOD_OPENING
        + "Agent: EMI 2100 abhi tak nahi aayi.\nCustomer: dekhiye wo 2100 main monday ko kar dungi pakka"
    )
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (2100, date(2026, 11, 30))
    other = (
        GOOD_OPENING + "Agent: EMI 2100 abhi tak nahi aayi.\nCustomer: wo 1800 main monday ko kar dungi pakka"
    )
    ptp = _details(other, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert ptp.amount_inr != 1800  # a number nobody called money stays a number


def test_a_commitment_negated_right_after_is_no_commitment() -> None:
    t = GOOD_OPENING + "Agent: 5,000 kab doge?\nCustomer: Parso 5,000 dunga nahi, jo karna hai karlo."
    assert _details(t, IC.REFUSE_TO_PAY).promise_to_pay is None


def test_devanagari_promise() -> None:
    t = "एजेंट: आपकी किस्त 6,000 रुपये बाकी है।\nग्राहक: परसों तक ६००० जमा कर दूँगा।"
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (6000, date(2026, 11, 26))


def test_agents_words_never_make_a_promise() -> None:
    t = GOOD_OPENING + "Agent: Aap kal 5,000 bhar denge?\nCustomer: Nahi, abhi nahi ho payega."
    assert _details(t, IC.REFUSE_TO_PAY).promise_to_pay is None


def test_firm_commitment_counts_outside_a_promise_call_but_refusal_does_not() -> None:
    t = GOOD_OPENING + "Customer: Job chali gayi, par 3,000 agle Monday ko de dunga."
    ptp = _details(t, IC.HARDSHIP).promise_to_pay
    assert ptp is not None
    assert ptp.amount_inr == 3000
    assert _details(GOOD_OPENING + "Customer: Ek paisa nahi dunga.", IC.REFUSE_TO_PAY).promise_to_pay is None


# ---------------------------------------------------------------------------------------------
# Distress
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("Kabhi kabhi lagta hai jaan de dunga, kuch samajh nahi aata.", DK.SELF_HARM),
        ("Honestly some days I feel like ending it all.", DK.SELF_HARM),
        ("मन करता है आत्महत्या कर लूँ।", DK.SELF_HARM),
        ("Papa ICU mein admit hain, operation hua hai.", DK.MEDICAL_EMERGENCY),
        ("माँ अस्पताल में भर्ती हैं।", DK.MEDICAL_EMERGENCY),
        ("Mere husband ka pichle mahine dehant ho gaya.", DK.BEREAVEMENT),
        ("My father passed away last week.", DK.BEREAVEMENT),
        ("Meri naukri chali gayi hai pichle mahine.", DK.JOB_LOSS),
        ("I was laid off in October.", DK.JOB_LOSS),
        ("कंपनी ने छँटनी कर दी, बेरोज़गार हूँ।", DK.JOB_LOSS),
    ],
)
def test_distress_kinds_with_the_customers_quote(words: str, kind: DistressKind) -> None:
    result = _details(GOOD_OPENING + "Customer: " + words)
    assert result.distress is not None
    assert result.distress.kinds == [kind]
    assert result.distress.quote == words


def test_distress_only_from_the_customer_and_not_when_negated() -> None:
    assert _details("Agent: Hospital mein ho kya?\nCustomer: Nahi, main theek hoon.").distress is None
    assert _details("Customer: Koi hospital ka kharcha nahi hai, bas bhool gaya.").distress is None


def test_distress_forces_high_priority_after_finish() -> None:
    t = GOOD_OPENING + "Customer: Meri job chali gayi hai."
    result = finish(add_details(analyze_text(t, NOON), t, NOON), NOON)
    assert result.priority.value == "high"
    assert result.action_required


# ---------------------------------------------------------------------------------------------
# Compliance
# ---------------------------------------------------------------------------------------------


def test_clean_call_has_no_flags() -> None:
    t = GOOD_OPENING + "Agent: Sir aapki EMI 8,400 pending hai.\nCustomer: Kal bhar dunga."
    assert _details(t).compliance_flags == []


@pytest.mark.parametrize(
    "threat",
    [
        "Paisa nahi diya to police lekar ghar aa jayenge.",
        "Kal tak nahi aaya to FIR karwa denge.",
        "Nahi bhara to tere office aake sabko bata denge.",
        "Nahi bhara to aapke family ko bata denge.",
        "Nahi bhara to aapke relatives ko sab kuch bata denge.",
        "If I don't see a payment by Friday, I'm calling your manager at work.",
        "वरना पुलिस लेकर गाँव आएँगे।",
    ],
)
def test_threats_are_high_severity_with_the_agents_original_quote(threat: str) -> None:
    flags = _details(GOOD_OPENING + "Agent: " + threat).compliance_flags
    flag = next(f for f in flags if f.rule is CR.THREAT_OR_INTIMIDATION)
    assert flag.severity.value == "high"
    assert flag.speaker is Speaker.AGENT
    assert flag.quote == threat


@pytest.mark.parametrize(
    "statement",
    [
        "Sir agar payment nahi hua to case legal team ko jayega aur CIBIL pe report hoga.",
        "Hum police nahi bulayenge sir, bas payment kar dijiye.",
        "Legal notice issue ho sakta hai.",
        "Fir bhi kuch to jama karna padega.",
    ],
)
def test_legal_action_cibil_and_negated_police_are_not_threats(statement: str) -> None:
    assert CR.THREAT_OR_INTIMIDATION not in _rules(_details(GOOD_OPENING + "Agent: " + statement))


def test_threat_from_the_customer_is_not_the_agents_breach() -> None:
    t = GOOD_OPENING + "Customer: Main police complaint karunga aapke against."
    assert CR.THREAT_OR_INTIMIDATION not in _rules(_details(t))


def test_abusive_language() -> None:
    t = GOOD_OPENING + "Agent: Chor kahin ka, paisa kab dega?"
    flag = next(f for f in _details(t).compliance_flags if f.rule is CR.ABUSIVE_LANGUAGE)
    assert flag.severity.value == "high"
    assert flag.quote == "Chor kahin ka, paisa kab dega?"


def test_third_party_disclosure() -> None:
    t = (
        "Agent: Namaste, ICICI Bank se Rajiv bol raha hoon. Naveen ji se baat ho sakti hai?\n"
        "Customer: Main unka bhai hoon, wo bahar gaye hain.\n"
        "Agent: Unki EMI 3 mahine se overdue hai, 45,000 baaki hai."
    )
    flags = {f.rule: f for f in _details(t).compliance_flags}
    assert flags[CR.THIRD_PARTY_DISCLOSURE].severity.value == "high"
    assert flags[CR.THIRD_PARTY_DISCLOSURE].quote == "Unki EMI 3 mahine se overdue hai, 45,000 baaki hai."
    assert CR.NO_IDENTIFICATION not in flags


def test_third_party_without_disclosure_is_clean() -> None:
    t = (
        "Agent: Namaste, ICICI Bank se Rajiv bol raha hoon. Naveen ji se baat ho sakti hai?\n"
        "Customer: Main unka bhai hoon, wo bahar gaye hain.\n"
        "Agent: Unhe bata dijiye Rajiv ka call tha, details main sirf unse share kar sakta hoon."
    )
    assert _details(t).compliance_flags == []


def test_wrong_number_disclosure() -> None:
    t = "Agent: Sanjay ji, aapka 6,800 payment pending hai.\nCustomer: Ye Sanjay ka nahi, galat number hai."
    rules = _rules(_details(t))
    assert {CR.THIRD_PARTY_DISCLOSURE, CR.NO_IDENTIFICATION} <= rules


def test_no_identification_and_disclosure_before_verification() -> None:
    t = "Agent: Sir aapki EMI 12 din se overdue hai.\nCustomer: Haan pata hai, kal tak kar dunga."
    flags = {f.rule: f for f in _details(t).compliance_flags}
    assert flags[CR.NO_IDENTIFICATION].severity.value == "low"
    assert flags[CR.DISCLOSURE_BEFORE_VERIFICATION].severity.value == "medium"
    assert flags[CR.DISCLOSURE_BEFORE_VERIFICATION].quote == "Sir aapki EMI 12 din se overdue hai."


def test_devanagari_identification_and_verification() -> None:
    t = (
        "एजेंट: नमस्ते, टीवीएस क्रेडिट से राहुल बोल रहा हूँ। संजय जी से बात हो रही है?\n"
        "ग्राहक: हाँ, मैं संजय बोल रहा हूँ।\n"
        "एजेंट: सर, आपकी किस्त 15 दिन से बाकी है।"
    )
    assert _details(t).compliance_flags == []
    unnamed = "एजेंट: नमस्ते, मैं फाइनेंस कंपनी से बोल रहा हूँ। आपकी तीन किस्तें बाकी हैं।\nग्राहक: जी।"
    assert {CR.NO_IDENTIFICATION, CR.DISCLOSURE_BEFORE_VERIFICATION} <= _rules(_details(unnamed))


def test_no_agent_turns_no_flags_and_outside_hours_left_to_finish() -> None:
    assert _details("Customer: Kal tak kar dunga.").compliance_flags == []
    late = datetime.fromisoformat("2026-11-24T21:30:00+05:30")
    t = GOOD_OPENING + "Customer: Kal bhar dunga."
    assert CR.OUTSIDE_CALLING_HOURS not in _rules(_details(t, at=late))
    assert CR.OUTSIDE_CALLING_HOURS in _rules(finish(_details(t, at=late), late))


def test_quotes_are_capped_at_300_characters() -> None:
    long_turn = "Sir " + "aapka account bahut purana hai aur " * 20 + "police aa jayegi ghar pe."
    flags = _details(GOOD_OPENING + "Agent: " + long_turn).compliance_flags
    assert all(len(f.quote) <= 300 for f in flags)
    assert any("police" in f.quote for f in flags if f.rule is CR.THREAT_OR_INTIMIDATION)


# ---------------------------------------------------------------------------------------------
# Reasons, callback, confidence
# ---------------------------------------------------------------------------------------------


def test_hardship_and_dispute_reasons_from_the_customer() -> None:
    hard = _details(GOOD_OPENING + "Customer: Meri job chali gayi hai. Thoda time dijiye.", IC.HARDSHIP)
    assert hard.hardship_reason == "Meri job chali gayi hai."
    assert hard.dispute_reason is None
    disp = _details(GOOD_OPENING + "Customer: Maine ye loan liya hi nahi, ye fraud hai.", IC.DISPUTE)
    assert disp.dispute_reason == "Maine ye loan liya hi nahi, ye fraud hai."


def test_callback_time() -> None:
    t = GOOD_OPENING + "Customer: Abhi meeting mein hoon, kal shaam 6 baje call karna."
    result = _details(t, IC.CALLBACK_REQUEST)
    assert result.callback_at is not None
    assert (result.callback_at.date(), result.callback_at.hour) == (date(2026, 11, 25), 18)
    assert _details(GOOD_OPENING + "Customer: Baad mein baat karte hain.").callback_at is None


def test_confidence_is_lower_for_other_and_unknown() -> None:
    low = _details("Hello?", IC.OTHER).confidence
    high = _details(GOOD_OPENING + "Customer: Kal bhar dunga.", IC.PROMISE_TO_PAY).confidence
    assert low is not None
    assert high is not None
    assert low.intent_category < high.intent_category
    assert low.contact_status < high.contact_status
    assert low.promise_to_pay is None


def test_deterministic_and_core_fields_untouched() -> None:
    t = GOOD_OPENING + "Agent: EMI 8,400 pending hai.\nCustomer: Kal bhar dunga."
    base = analyze_text(t, NOON)
    a, b = add_details(base, t, NOON), add_details(base, t, NOON)
    assert a == b
    for name in ("customer_intent", "intent_category", "sentiment", "action_required", "summary"):
        assert getattr(a, name) == getattr(base, name)


def test_a_figure_said_later_with_the_promises_day_settles_the_amount() -> None:
    t = (
        GOOD_OPENING
        + "Agent: Aapki 5,400 ki kisht pending hai.\n"
        + "Customer: Friday ko 5400 aur late fee jo bhi hai, daal dunga.\n"
        + "Agent: Late fee 350 hai, total 5,750 sir.\n"
        + "Customer: Achha thik, 5750 Friday."
    )
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (5750, date(2026, 11, 27))
    other_day = t.replace("5750 Friday.", "5750 agle mahine dekhte hain.")
    ptp = _details(other_day, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert ptp.amount_inr == 5400  # a figure for another day does not revise the promise


def test_a_plan_the_customer_had_gives_way_to_the_commitment_after_it() -> None:
    t = GOOD_OPENING + "Customer: Socha tha aaj hi bhar dungi, par Thursday tak pakka kar dungi, 3,900."
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (3900, date(2026, 11, 26))


def test_an_auto_debit_in_any_customer_turn_takes_the_due_date_the_agent_stated() -> None:
    t = (
        GOOD_OPENING
        + "Agent: Reminder sir, the instalment of 8,300 falls due on the 28th.\n"
        + "Customer: Yes, the auto-debit is active, it will go through.\n"
        + "Customer: Thanks for calling."
    )
    ptp = _details(t, IC.PROMISE_TO_PAY).promise_to_pay
    assert ptp is not None
    assert (ptp.amount_inr, ptp.due_date) == (8300, date(2026, 11, 28))


def test_a_class_the_guide_ranks_above_a_promise_has_none_however_firm_the_offer() -> None:
    t = (
        GOOD_OPENING
        + "Customer: Penalty galat lagayi hai, woh nahi bharunga. Kisht 4,500 budhwar ko de dunga."
    )
    assert _details(t, IC.DISPUTE).promise_to_pay is None
    assert _details(t, IC.ALREADY_PAID).promise_to_pay is None
    ptp = _details(t, IC.COMPLAINT).promise_to_pay
    assert ptp is not None
    assert ptp.amount_inr == 4500


def test_a_conditional_or_withdrawn_offer_is_no_firm_commitment_outside_a_promise_call() -> None:
    plain = GOOD_OPENING + "Customer: Dekho 9,000 shanivaar ko bhej dunga, baaki baad mein."
    ptp = _details(plain, IC.SETTLEMENT_REQUEST).promise_to_pay
    assert ptp is not None
    assert ptp.amount_inr == 9000
    conditional = GOOD_OPENING + "Customer: Penalty maaf karo to 9,000 shanivaar ko bhej dunga."
    assert _details(conditional, IC.SETTLEMENT_REQUEST).promise_to_pay is None
    iffy = GOOD_OPENING + "Customer: Agar byaaj kam ho, 9,000 shanivaar ko bhej dunga."
    assert _details(iffy, IC.SETTLEMENT_REQUEST).promise_to_pay is None
    withdrawn = plain + "\nAgent: Note kar rahi hoon.\nCustomer: Nahi, rehne do, pehle waiver ka batao."
    assert _details(withdrawn, IC.SETTLEMENT_REQUEST).promise_to_pay is None
