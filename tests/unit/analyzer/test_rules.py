"""The offline rules: categories, speakers, negation, sentiment, actions, texts, speed."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consumer.analyzer.offline import OfflineAnalyzer
from consumer.analyzer.rules import analyze_text, normalize, split_turns
from schemas import CallAnalysis, InsightDetails, IntentCategory, Sentiment

SAMPLES = Path(__file__).resolve().parents[3] / "producer_tools" / "samples" / "transcripts.jsonl"
MONDAY = datetime.fromisoformat("2026-11-16T11:00:00+05:30")  # a Monday

IC = IntentCategory
SE = Sentiment


def intent(text: str) -> IntentCategory:
    return IntentCategory(analyze_text(text).intent_category)


def sentiment(text: str) -> Sentiment:
    return Sentiment(analyze_text(text).sentiment)


# ---------------------------------------------------------------------------------------------
# Categories, one block each
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Agent: EMI overdue hai.\nCustomer: Haan pata hai, kal tak kar dunga.",
        "Customer: Salary aane pe poora bhar dunga, 7 tareekh ko.",
        "Customer: Parso tak 5,000 jama kar deta hoon.",
        "Customer: Aaj shaam tak UPI se kar deti hoon.",
        "ग्राहक: सोमवार को पूरा पैसा जमा कर दूँगी।",
        "Customer: I'll transfer the full amount by Friday.",
        "Customer: Agle hafte payment kar denge sir.",
    ],
)
def test_promise_to_pay(text: str) -> None:
    assert intent(text) is IC.PROMISE_TO_PAY


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Maine kal hi payment kar diya tha, UTR number bhi hai.",
        "Customer: already paid hai bhai, check karo",
        "Customer: I paid it yesterday through the app.",
        "ग्राहक: मैंने पिछले हफ्ते ही पूरी किस्त जमा कर दी थी।",
        "Customer: Payment ho chuka hai, 2 din pehle auto-debit hua tha.",
    ],
)
def test_already_paid(text: str) -> None:
    assert intent(text) is IC.ALREADY_PAID


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Maine ye loan liya hi nahi, kisi ne fraud kiya hai.",
        "Customer: Ye bounce charge galat laga hai, hatao isko.",
        "Customer: That's not correct. These charges are wrong.",
        "ग्राहक: मैंने यह लोन कभी लिया ही नहीं।",
        "Customer: Late fee galat lagayi hai, meri EMI time pe kati thi.",
    ],
)
def test_dispute(text: str) -> None:
    assert intent(text) is IC.DISPUTE


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Meri job chali gayi hai, abhi EMI nahi bhar paunga.",
        "Customer: Papa hospital mein admit hain, saara paisa ilaaj mein lag gaya.",
        "ग्राहक: मेरी नौकरी छूट गई है, अभी किस्त नहीं दे पाऊँगा।",
        "Customer: I had a medical emergency and can't pay right now.",
        "Customer: Business band ho gaya, bahut loss hua. EMI kam kar do.",
    ],
)
def test_hardship(text: str) -> None:
    assert intent(text) is IC.HARDSHIP


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Poora nahi de sakta, settlement kar do.",
        "Customer: OTS ka koi scheme hai kya? Interest waive ho jaye to 60,000 de dunga.",
        "ग्राहक: मैं एकमुश्त सेटलमेंट करना चाहता हूँ।",
        "Customer: Can I pay one lakh as full and final?",
        "Customer: 80 hazaar mein settle kar do, penalty hata do.",
    ],
)
def test_settlement_request(text: str) -> None:
    assert intent(text) is IC.SETTLEMENT_REQUEST


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Ek paisa nahi dunga, jo karna hai kar lo.",
        "Customer: Nahi karunga payment.",
        "Customer: I'm not going to pay this.",
        "ग्राहक: नहीं, मैं भुगतान नहीं करूँगा।",
        "Customer: Maine bola na, nahi bharunga.",
    ],
)
def test_refuse_to_pay(text: str) -> None:
    assert intent(text) is IC.REFUSE_TO_PAY


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Abhi meeting mein hoon, shaam ko call karo.",
        "Customer: Driving kar raha hoon, 1 ghante baad call kijiye.",
        "ग्राहक: अभी ऑफिस में हूँ, शाम को फोन कीजिए।",
        "Customer: Can you call me back tomorrow morning?",
        "Customer: Abhi train mein hoon, Monday ko call karna.",
    ],
)
def test_callback_request(text: str) -> None:
    assert intent(text) is IC.CALLBACK_REQUEST


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Ye galat number hai.",
        "Customer: Main unka bhai bol raha hoon, main unko bata dunga.",
        "ग्राहक: यह गलत नंबर है, मैं किसी सुनील को नहीं जानता।",
        "Customer: Sorry, you have the wrong number.",
        "Customer: Yahan koi Rakesh nahi rehta.",
    ],
)
def test_wrong_party(text: str) -> None:
    assert intent(text) is IC.WRONG_PARTY


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Foreclosure amount kitna hoga?",
        "Customer: Mera loan statement email pe bhej do.",
        "ग्राहक: मुझे अपने लोन का स्टेटमेंट चाहिए।",
        "Customer: How much is the bounce charge?",
        "Customer: Please send the NOC to my address.",
    ],
)
def test_information_request(text: str) -> None:
    assert intent(text) is IC.INFORMATION_REQUEST


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Aapke agent ne gaali di, main complaint karunga.",
        "Customer: Raat ke 10 baje call karte ho, ye harassment hai.",
        "ग्राहक: आपके एजेंट बदतमीज़ी से बात करते हैं, मैं शिकायत करूँगा।",
        "Customer: Your recovery agent was rude to my mother, I want to file a complaint.",
        "Customer: Mere relatives ko call kyun kar rahe ho? Main shikayat karungi.",
    ],
)
def test_complaint(text: str) -> None:
    assert intent(text) is IC.COMPLAINT


@pytest.mark.parametrize(
    "text",
    [
        "Agent: Kya meri baat Vikas ji se ho rahi hai?\nCustomer: Hello? Hello? Awaaz nahi aa rahi...",
        "Agent: This call is regarding your loan.\nCustomer: Okay, noted.",
        "ग्राहक: हैलो? आवाज़ कट रही है।",
        "Agent: Hello?",  # no customer words at all
        "   ",
    ],
)
def test_other(text: str) -> None:
    result = analyze_text(text)
    assert result.intent_category is IC.OTHER
    assert result.action_required is False


# ---------------------------------------------------------------------------------------------
# Priorities between categories
# ---------------------------------------------------------------------------------------------


def test_dated_promise_wins_over_the_hardship_reason() -> None:
    assert intent("Emergency tha, Wednesday ko pakka karunga.") is IC.PROMISE_TO_PAY


def test_undated_promise_next_to_hardship_is_hardship() -> None:
    text = "Customer: Haath mein bilkul paisa nahi hai, majboori hai. Jaise hi kaam milega de dunga."
    assert intent(text) is IC.HARDSHIP


def test_wrong_party_wins_over_a_third_party_promise() -> None:
    text = "Customer: Main unki wife bol rahi hoon, wo kal payment kar denge."
    assert intent(text) is IC.WRONG_PARTY


def test_dispute_wins_over_refusal() -> None:
    text = "Customer: Ye charge galat hai, jab tak hataoge nahi main ek rupaya nahi bharunga."
    assert intent(text) is IC.DISPUTE


def test_settlement_wins_over_an_undated_offer_to_pay() -> None:
    assert (
        intent("Customer: One time settlement mil jaye to 70,000 ek saath de dunga.") is IC.SETTLEMENT_REQUEST
    )


def test_full_dated_promise_wins_over_talk_of_settlement() -> None:
    text = "Customer: Settlement se record kharab hota hai. Next Monday ko pura 45,000 transfer kar dunga."
    assert intent(text) is IC.PROMISE_TO_PAY


def test_promise_wins_over_asking_for_the_payment_link() -> None:
    assert intent("Customer: Aap link bhej do, main abhi kar deta hoon.") is IC.PROMISE_TO_PAY


def test_annoyance_does_not_turn_a_promise_into_a_complaint() -> None:
    text = "Customer: Roz roz call karke pareshaan mat karo, salary aane pe kar dunga."
    result = analyze_text(text)
    assert result.intent_category is IC.PROMISE_TO_PAY
    assert result.sentiment is SE.NEGATIVE


# ---------------------------------------------------------------------------------------------
# Speakers
# ---------------------------------------------------------------------------------------------


def test_agent_keywords_do_not_decide_the_intent() -> None:
    text = (
        "Agent: Payment nahi hua to legal action hoga, complaint bhi jayegi. Settlement ka option bhi hai.\n"
        "Customer: Theek hai, parso tak poora bhar dunga."
    )
    assert intent(text) is IC.PROMISE_TO_PAY


def test_agent_question_answered_with_a_bare_no_is_a_refusal() -> None:
    assert intent("Agent: Kya aap payment karenge?\nCustomer: Nahi.") is IC.REFUSE_TO_PAY
    assert intent("एजेंट: क्या आप आज भुगतान करेंगे?\nग्राहक: नहीं।") is IC.REFUSE_TO_PAY


def test_a_bare_no_to_an_unrelated_question_is_not_a_refusal() -> None:
    assert intent("Agent: Kya aap Mumbai mein rehte hain?\nCustomer: Nahi.") is not IC.REFUSE_TO_PAY


def test_agent_asking_about_payment_is_not_the_customer_paying() -> None:
    text = "Agent: Kya aapne payment kar diya?\nCustomer: Nahi, kal kar dunga."
    assert intent(text) is IC.PROMISE_TO_PAY


def test_no_labels_means_the_whole_text_is_the_customers() -> None:
    assert split_turns("Kal tak kar dunga.") == [split_turns("Customer: Kal tak kar dunga.")[0]]
    assert intent("Maine ye loan liya hi nahi.") is IC.DISPUTE


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        ("Collector: EMI due hai.\nBorrower: Kal dunga.", ["agent", "customer"]),
        ("Executive: Hello\nCustomer: Haan", ["agent", "customer"]),
        ("एजेंट: नमस्ते\nग्राहक: हाँ जी", ["agent", "customer"]),
        ("Agent: Payment kab? Customer: Kal. Agent: Theek hai.", ["agent", "customer", "agent"]),
        ("AGENT 1: hi\ncustomer (Ravi): ok", ["agent", "customer"]),
        ("Other: main unka bhai hoon", ["customer"]),
    ],
)
def test_split_turns_recognises_labels(text: str, speakers: list[str]) -> None:
    assert [t.speaker for t in split_turns(text)] == speakers


def test_agent_only_keywords_with_labels_give_other() -> None:
    result = analyze_text("Agent: Aapne settlement ke liye complaint ki thi, legal notice bhi jayega.")
    assert result.intent_category is IC.OTHER
    assert result.sentiment is SE.NEUTRAL


# ---------------------------------------------------------------------------------------------
# Negation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Nahi karunga payment.",
        "Customer: Paisa nahin dunga.",
        "Customer: I won't pay anything.",
        "ग्राहक: मैं किस्त नहीं भरूँगा।",
    ],
)
def test_negated_promise_is_a_refusal(text: str) -> None:
    assert intent(text) is IC.REFUSE_TO_PAY


def test_negated_settlement_does_not_count() -> None:
    text = "Customer: Nahi nahi, settlement nahi chahiye. Poora amount parso bhar dunga."
    assert intent(text) is IC.PROMISE_TO_PAY


def test_negation_stays_inside_its_clause() -> None:
    assert intent("Customer: Nahi, kal tak kar dunga.") is IC.PROMISE_TO_PAY


def test_prohibitive_mat_is_not_a_call_request() -> None:
    assert intent("Customer: Ye number Sanjay ka nahi hai, dobara call mat karna.") is IC.WRONG_PARTY


def test_negated_positive_word_is_negative_and_negated_problem_is_not() -> None:
    assert sentiment("Customer: Main aapki service se bilkul khush nahi hoon.") is SE.NEGATIVE
    assert sentiment("Customer: Thank you, koi problem nahi hui.") is SE.POSITIVE


# ---------------------------------------------------------------------------------------------
# Sentiment
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Customer: Haan ji zaroor, kal kar dunga. Thank you so much.", SE.POSITIVE),
        ("ग्राहक: हाँ जी, पक्का परसों कर दूँगा। धन्यवाद।", SE.POSITIVE),
        ("Customer: Yes, will pay on time!", SE.POSITIVE),
        ("Customer: Haan pata hai, kal tak kar dunga.", SE.NEUTRAL),
        ("Customer: Abhi meeting mein hoon, shaam ko call karo.", SE.NEUTRAL),
        ("Customer: Bakwas service hai, roz pareshaan karte ho.", SE.NEGATIVE),
        ("ग्राहक: मैं बहुत परेशान हो गया हूँ।", SE.NEGATIVE),
        ("Customer: Stop calling me, this is harassment.", SE.NEGATIVE),
    ],
)
def test_sentiment(text: str, expected: Sentiment) -> None:
    assert sentiment(text) is expected


def test_sentiment_is_the_customers_not_the_agents() -> None:
    text = (
        "Agent: Thank you so much sir, bahut badhiya, aap great ho!\n"
        "Customer: Bakwas band karo, pareshaan mat karo."
    )
    assert sentiment(text) is SE.NEGATIVE


def test_wrong_number_is_not_negative_by_itself() -> None:
    assert sentiment("Customer: Sorry, you have the wrong number.") is SE.NEUTRAL


# ---------------------------------------------------------------------------------------------
# action_required
# ---------------------------------------------------------------------------------------------


def test_on_time_payment_of_a_not_yet_due_instalment_needs_no_action() -> None:
    text = (
        "Agent: Ye reminder call hai, aapki EMI 5 tareekh ko due hai.\n"
        "Customer: Haan ji, auto debit time pe ho jayega."
    )
    result = analyze_text(text)
    assert result.intent_category is IC.PROMISE_TO_PAY
    assert result.action_required is False


def test_promise_on_an_overdue_amount_needs_tracking() -> None:
    text = "Agent: Aapki EMI 15 din se overdue hai.\nCustomer: Time pe kar dunga is baar, kal tak."
    assert analyze_text(text).action_required is True


def test_claimed_payment_needs_verification_unless_the_agent_confirms_it() -> None:
    claim = "Customer: Maine 3 tareekh ko hi bhar diya tha."
    assert analyze_text(claim).action_required is True
    confirmed = claim + "\nAgent: Ji sir, payment receive ho gaya hai, sorry.\nCustomer: Ok."
    assert analyze_text(confirmed).action_required is False
    not_seen = claim + "\nAgent: Sir abhi system mein update nahi dikh raha."
    assert analyze_text(not_seen).action_required is True


def test_information_request_action_depends_on_whether_something_must_be_sent() -> None:
    answered = "Customer: Bounce charge kitna hai?\nAgent: 590 plus GST.\nCustomer: Achha ok."
    assert analyze_text(answered).action_required is False
    to_send = "Customer: Statement email pe bhej do.\nAgent: Ji sir."
    assert analyze_text(to_send).action_required is True
    unanswered = "Customer: Foreclosure amount kitna hoga?"
    assert analyze_text(unanswered).action_required is True


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Maine ye loan liya hi nahi.",
        "Customer: Meri job chali gayi hai.",
        "Customer: Settlement kar do.",
        "Customer: Ek paisa nahi dunga.",
        "Customer: Shaam ko call karo.",
        "Customer: Ye galat number hai.",
        "Customer: Main complaint karunga, agent ne gaali di.",
    ],
)
def test_categories_that_always_need_follow_up(text: str) -> None:
    assert analyze_text(text).action_required is True


# ---------------------------------------------------------------------------------------------
# customer_intent and summary
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Emergency tha, Wednesday ko pakka karunga.", "Promise to Pay - Wednesday"),
        ("Somvar ko bhar dunga.", "Promise to Pay - Monday"),
        ("Kal tak kar dunga.", "Promise to Pay - Tomorrow"),
        ("Parso tak jama kar dunga.", "Promise to Pay - Day after tomorrow"),
        ("5 tareekh ko bhar dunga.", "Promise to Pay - 5th"),
        ("Agle hafte payment kar dunga.", "Promise to Pay - Next week"),
        ("Salary aane pe kar dunga.", "Promise to Pay - On salary credit"),
        ("Theek hai, payment kar dunga.", "Promise to Pay"),
        ("Abhi meeting mein hoon, shaam ko call karo.", "Callback Request - Evening"),
    ],
)
def test_customer_intent_names_the_day(text: str, expected: str) -> None:
    assert analyze_text(text).customer_intent == expected


def test_relative_days_are_resolved_from_the_call_date() -> None:
    assert "(2026-11-18)" in analyze_text("Wednesday ko pakka karunga.", MONDAY).summary
    assert "(2026-11-17)" in analyze_text("Kal tak kar dunga.", MONDAY).summary
    # The 5th has passed on the 16th, so "5 tareekh" is next month's.
    assert "(2026-12-05)" in analyze_text("5 tareekh ko kar dunga.", MONDAY).summary
    assert "(2026-11-20)" in analyze_text("20 tareekh ko kar dunga.", MONDAY).summary


def test_summary_is_english_and_mentions_amount_and_day() -> None:
    summary = analyze_text("Customer: 2 tareekh tak poora 8,400 jama kar dunga.", MONDAY).summary
    assert summary.startswith("The customer promised to pay Rs 8,400 by the 2nd")
    assert summary.isascii()


def test_the_three_original_samples() -> None:
    a = analyze_text("Yes, will pay on time!")
    assert (a.intent_category, a.sentiment, a.action_required) == (IC.PROMISE_TO_PAY, SE.POSITIVE, False)
    b = analyze_text("Emergency tha, Wednesday ko pakka karunga.")
    assert (b.intent_category, b.sentiment, b.action_required) == (IC.PROMISE_TO_PAY, SE.NEUTRAL, True)
    assert b.customer_intent == "Promise to Pay - Wednesday"
    c = analyze_text("Financial hardship hai, restructuring chahiye.")
    assert (c.intent_category, c.sentiment, c.action_required) == (IC.HARDSHIP, SE.NEGATIVE, True)


# ---------------------------------------------------------------------------------------------
# Normalisation, determinism, validity, speed
# ---------------------------------------------------------------------------------------------


def test_normalize_folds_devanagari_variants_and_repeats() -> None:
    assert normalize("दूँगा") == normalize("दूंगा")
    assert normalize("ज़रूर") == "जरूर"
    assert normalize("NAHIIIII") == "nahii"
    assert normalize("१५ तारीख") == "15 तारीख"


def _sample_rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_deterministic_over_the_samples() -> None:
    rows = _sample_rows()
    first = [analyze_text(str(r["transcript"])).model_dump() for r in rows]
    second = [analyze_text(str(r["transcript"])).model_dump() for r in rows]
    assert first == second


def test_every_sample_output_validates() -> None:
    for r in _sample_rows():
        started = datetime.fromisoformat(str(r["call_started_at"]))
        out = analyze_text(str(r["transcript"]), started)
        assert CallAnalysis.model_validate(out.model_dump()) == out


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_valid_deterministic_analysis(text: str) -> None:
    out = analyze_text(text)
    assert CallAnalysis.model_validate(out.model_dump()) == out
    assert analyze_text(text) == out


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Agent", "Customer", "एजेंट", "ग्राहक", "Borrower"]),
            st.sampled_from(
                [
                    "kal tak kar dunga",
                    "nahi",
                    "galat number",
                    "settlement",
                    "नहीं दूँगा",
                    "thank you",
                    "?",
                    "5 tareekh",
                ]
            ),
        ),
        max_size=12,
    )
)
def test_any_dialogue_gives_a_valid_analysis(turns: list[tuple[str, str]]) -> None:
    text = "\n".join(f"{who}: {what}" for who, what in turns)
    assert CallAnalysis.model_validate(analyze_text(text).model_dump())


async def test_offline_analyzer_implements_the_protocol() -> None:
    assert OfflineAnalyzer().info.model.startswith("rules-v1+linear-")  # the learned model beside
    analyzer = OfflineAnalyzer(learned=False)
    assert analyzer.info.provider == "offline"
    assert analyzer.info.model == "rules-v1"
    await analyzer.check()
    out = await analyzer.analyze("Kal tak kar dunga.", call_started_at=MONDAY)
    core = analyze_text("Kal tak kar dunga.", MONDAY)
    # the core fields are the rules'; the analyzer adds the debt-collection detail on top
    assert out.model_dump(include=set(CallAnalysis.model_fields) - set(InsightDetails.model_fields)) == (
        core.model_dump(include=set(CallAnalysis.model_fields) - set(InsightDetails.model_fields))
    )
    assert out.promise_to_pay is not None
    await analyzer.aclose()
