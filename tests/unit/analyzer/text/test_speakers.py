"""One list of speaker labels: the intent rules and the detail rules read the same turns, so a
promise the rules see is a promise the details can date and price."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consumer.analyzer.details import split_turns
from consumer.analyzer.offline import analyze_offline
from consumer.analyzer.rules import speaker_turns
from consumer.analyzer.text import speakers
from consumer.analyzer.text.speakers import AGENT_LABELS, CUSTOMER_LABELS
from producer_tools.samples import SAMPLES_PATH, load_rows
from schemas import ContactStatus, IntentCategory, Speaker

IST = timezone(timedelta(hours=5, minutes=30))
MONDAY = datetime(2026, 11, 16, 10, 30, tzinfo=IST)


@pytest.mark.parametrize("label", CUSTOMER_LABELS)
def test_a_customer_label_carries_the_promise_to_its_details(label: str) -> None:
    transcript = (
        f"Agent: aapki EMI overdue hai.\n{label.title()}: agle mahine 5 tareekh ko dedh lakh de dunga"
    )

    analysis = analyze_offline(transcript, MONDAY)

    assert analysis.intent_category is IntentCategory.PROMISE_TO_PAY
    assert analysis.promise_to_pay is not None
    assert analysis.promise_to_pay.amount_inr == 150_000
    assert analysis.promise_to_pay.due_date == date(2026, 12, 5)


@pytest.mark.parametrize("label", AGENT_LABELS)
def test_an_agent_label_is_the_agents_side(label: str) -> None:
    turns, labelled = split_turns(f"{label.title()}: namaste, EMI overdue hai.\nCustomer: kal de dunga")

    assert labelled
    assert [t.speaker for t in turns] == [Speaker.AGENT, Speaker.CUSTOMER]


# ---------------------------------------------------------------------------------------------
# The one splitter: labels, numbered speakers decided by content, relatives, transcription marks
# ---------------------------------------------------------------------------------------------

ALL_LABELS = set(speakers._KINDS)


def _plain_labels(transcript: str) -> list[tuple[int, int, str]]:
    """The reading ``speakers._labels`` is a fast form of: (label start, body start, kind)."""
    found: list[tuple[int, int, str]] = []
    bare_numbered: list[int] = []
    for colon in re.finditer("[:：]", transcript):
        at = colon.start()
        if re.fullmatch(r"\d[:：]\d", transcript[at - 1 : at + 2]) and at > 0:
            continue  # a time
        lo = max(found[-1][1] if found else 0, at - 64)
        word = transcript[lo:at].rstrip()
        if word.endswith(")"):
            opening = word.rfind("(", max(0, len(word) - 42))
            if opening == -1 or "\n" in word[opening:]:
                continue
            word = word[:opening].rstrip()
        number = re.search(r"(?:\s*#?\d{1,2}|\s+[a-dA-D])$", word)
        bare = word[: number.start()] if number else word
        tokens = list(re.finditer(r"\S+", bare))
        for k in range(len(tokens), 0, -1):  # the most words first
            first = tokens[-k].group().lstrip(".!?।\"')]")
            name = " ".join([first, *(t.group() for t in tokens[len(tokens) - k + 1 :])]).lower()
            start = lo + tokens[-k].end() - len(first)
            if name in ALL_LABELS and (
                start == 0 or transcript[start - 1] in ".!?।\"')]" or transcript[start - 1].isspace()
            ):
                break
        else:
            continue
        kind = speakers._KINDS[name]
        if number and kind != "numbered" and not number.group().strip().lstrip("#").isdigit():
            continue
        if kind == "numbered" and not number:
            bare_numbered.append(len(found))  # a bare "Speaker:": a label only beside role labels
        found.append((start, colon.end(), kind))
    if bare_numbered and all(kind == "numbered" for _, _, kind in found):
        return [label for i, label in enumerate(found) if i not in bare_numbered]
    return found


LABEL_PARTS = [
    *("Agent", "agent", "AGENT", "Customer", "collection agent", "recovery agent", "tele caller", "caller"),
    *("telecaller", "xagent", "Agent 2", "Agent (Hindi)", "(x\ny)", ":", "：", "\n", " ", ".", "'", ")"),
    *("(", "İ", "İagent", "ग्राहक", "एजेंट", "exec", "executive", "cust", "12", "a" * 70, "Speaker 1"),
    *("speaker", " A", " #2", "Customer's wife", "wife", "son-in-law", "ग्राहक की पत्नी", "पत्नी", "IVR"),
]


def test_labels_are_found_like_by_their_plain_reading() -> None:
    rows = load_rows(SAMPLES_PATH)
    for transcript in [r["transcript"] for r in rows] + [r["transcript"].upper() for r in rows[:50]]:
        got = [(x.start, x.body, x.kind) for x in speakers._labels(transcript)]
        assert got == _plain_labels(transcript), transcript


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LABEL_PARTS), max_size=16).map("".join))
def test_labels_are_found_like_by_their_plain_reading_on_random_text(text: str) -> None:
    assert [(x.start, x.body, x.kind) for x in speakers._labels(text)] == _plain_labels(text), text


def sides(transcript: str) -> list[tuple[str, bool, str]]:
    turns, _ = speakers.split_turns(transcript)
    return [(t.speaker.value, t.relative, transcript[t.start : t.end]) for t in turns]


@pytest.mark.parametrize(
    "transcript",
    [
        "Speaker 1: Hello?\nSpeaker 2: Namaste, main Ritu bol rahi hoon Sugam Finance se. Kya Arjun ji se "
        "baat ho rahi hai?\nSpeaker 1: Haan ji bol raha hoon.\nSpeaker 2: Aapka EMI 5000 due hai.",
        "speaker a: hello\nspeaker b: good morning this is ritu calling from sugam finance, am i speaking "
        "with arjun\nspeaker a: yes who is this\nspeaker b: your loan payment is overdue",
        "Speaker 2: हेलो\nSpeaker 1: नमस्ते, मैं रितु बोल रही हूँ सुगम फाइनेंस से। क्या अर्जुन जी से बात हो रही है?\n"
        "Speaker 2: हाँ जी बोलिए",
    ],
)
def test_numbered_speakers_are_decided_by_what_they_say(transcript: str) -> None:
    got = sides(transcript)
    agent_turns = [text for side, _, text in got if side == "agent"]
    assert agent_turns, got
    assert all(("se" in t or "from" in t or "से" in t or "loan" in t or "EMI" in t) for t in agent_turns)
    assert {side for side, _, _ in got} == {"agent", "customer"}


def test_numbered_speakers_beside_a_labelled_agent_are_the_other_side() -> None:
    got = sides("Agent: EMI due hai.\nSpeaker 2: bhai bahar gaye hain\nSpeaker 3: kaun hai")
    assert [side for side, _, _ in got] == ["agent", "customer", "customer"]


@pytest.mark.parametrize("agent", ["Agent", "Executive", "Collector"])
def test_a_caller_beside_a_labelled_agent_is_the_customer_who_rang_in(agent: str) -> None:
    turns, _ = split_turns(
        f"{agent}: Suryoday Fincap, main Neha, boliye.\n"
        f"Caller: main Farhan, meri kisht ke baare mein puchna tha\n{agent}: date of birth bataiye"
    )
    assert [t.speaker for t in turns] == [Speaker.AGENT, Speaker.CUSTOMER, Speaker.AGENT]


def test_a_caller_beside_a_customer_is_the_collector() -> None:
    turns, _ = split_turns("Caller: main Neha, Suryoday Fincap se.\nCustomer: haan boliye")
    assert [t.speaker for t in turns] == [Speaker.AGENT, Speaker.CUSTOMER]


@pytest.mark.parametrize(
    "label",
    ["Customer's wife", "Customer’s son", "Borrower's mother-in-law", "Neighbour", "ग्राहक की पत्नी", "Bhai"],
)
def test_a_relatives_label_is_the_customers_side_and_marked(label: str) -> None:
    got = sides(f"Agent: Kya Arjun ji se baat ho sakti hai?\n{label}: woh ghar pe nahi hain")
    assert got[1] == ("customer", True, "woh ghar pe nahi hain")


def test_only_a_relative_on_the_line_is_a_wrong_party_and_a_third_party_contact() -> None:
    analysis = analyze_offline(
        "Agent: Namaste, main Priya, Sugam Finance se. Kya Arjun Bhatia ji se baat ho sakti hai?\n"
        "Customer's wife: Woh office gaye hain, shaam ko aayenge.\n"
        "Agent: Theek hai, main shaam ko call karungi.",
        MONDAY,
    )
    assert analysis.intent_category is IntentCategory.WRONG_PARTY
    assert analysis.contact_status is ContactStatus.THIRD_PARTY


def test_a_relative_who_hands_over_to_the_borrower_leaves_the_borrowers_intent() -> None:
    analysis = analyze_offline(
        "Agent: Kya Arjun ji se baat ho sakti hai?\nCustomer's wife: Ek minute, dete hain.\n"
        "Customer: Haan bolo, main Arjun.\nAgent: Aapki EMI 4000 overdue hai.\n"
        "Customer: Parso 4000 de dunga.",
        MONDAY,
    )
    assert analysis.intent_category is IntentCategory.PROMISE_TO_PAY


def test_transcription_marks_are_not_words_or_turns() -> None:
    transcript = (
        "[00:01] Agent: hello [inaudible] EMI due hai [00:04]\n[00:05] Customer: <unk> haan (crosstalk) kal"
    )
    assert [side for side, _, _ in sides(transcript)] == ["agent", "customer"]
    assert speaker_turns(transcript) == [("agent", "hello emi due hai"), ("customer", "haan kal")]


def test_fillers_and_repeats_read_as_said() -> None:
    assert speaker_turns(
        "Agent: umm aapki EMI due hai\nCustomer: uhh haan haan haan haan, kal erm de dunga"
    ) == [
        ("agent", "aapki emi due hai"),
        ("customer", "haan haan, kal de dunga"),
    ]
    assert speakers.spoken("ummid hai, umbrella le lo") == "ummid hai, umbrella le lo"


_SAID = [
    *"uUeEmMhHrR",
    "haan",
    "HAAN",
    "ji",
    "umm",
    "Uhh",
    "erm",
    "eh",
    "'",
    ",",
    ".",
    " ",
    ", ",
    "\n",
    "[x]",
    "ह",
    "१",
]


def _said_texts() -> list[str]:
    texts = [r["transcript"] for r in load_rows(SAMPLES_PATH)]
    texts += ["umm, haan haan HAAN, uhh erm ok eh", "ummid, 'umm uh' e", "xhaan haan haan", "ok'ok ok ok"]
    texts += ["a, a ,a a", "ji ji jiji ji ji ji'", "rumm uhh.eh,erm'"]
    return [*texts, *(t.upper() for t in texts)]


@pytest.mark.parametrize(
    ("fast", "plain"),
    [(speakers._FILLERS, speakers._FILLERS_PLAIN), (speakers._REPEATED, speakers._REPEATED_PLAIN)],
)
def test_the_filler_and_repeat_searches_match_like_their_plain_forms(
    fast: re.Pattern[str], plain: str
) -> None:
    reference = re.compile(plain, re.IGNORECASE)
    for text in _said_texts():
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in reference.finditer(text)]
        assert [m.groups() for m in fast.finditer(text)] == [m.groups() for m in reference.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_SAID), max_size=30).map("".join))
def test_the_filler_and_repeat_searches_match_like_their_plain_forms_on_random_text(text: str) -> None:
    for fast, plain in (
        (speakers._FILLERS, speakers._FILLERS_PLAIN),
        (speakers._REPEATED, speakers._REPEATED_PLAIN),
    ):
        reference = re.compile(plain, re.IGNORECASE)
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == [
            (m.span(), m.groups()) for m in reference.finditer(text)
        ]


def _spoken_plainly(text: str) -> str:
    text = speakers.without_marks(text)
    text = re.sub(speakers._FILLERS_PLAIN, " ", text, flags=re.IGNORECASE)
    return re.sub(speakers._REPEATED_PLAIN, r"\1 \1", text, flags=re.IGNORECASE)


_CASED = ["haan", "HAAN", "Haan", "ji", "JI", "ΣΑΣ", "σας", "Σ", "ς", "İ", "i", "I", "\u212a", "k", "ह", "है"]


def test_what_was_said_is_read_like_with_the_plain_searches() -> None:
    texts = [*_said_texts(), "haan, haan ,haan.", "ΣΑΣ σας σας", "İi İ i i", "\u212a k K", "है है है।"]
    texts += ["x.i İ i", "x.ασ ΑΣ ασ"]  # letters lower-casing reads otherwise than the regex
    changed = 0
    for text in texts:
        assert speakers.spoken(text) == _spoken_plainly(text)
        changed += speakers.spoken(text) != speakers.without_marks(text)
    assert changed > 5


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_SAID + _CASED), max_size=30).map("".join))
def test_what_was_said_is_read_like_with_the_plain_searches_on_random_text(text: str) -> None:
    assert speakers.spoken(text) == _spoken_plainly(text)


def test_short_labels_opening_every_line_name_the_sides() -> None:
    text = (
        "A: Namaste, main Lata bol rahi hoon\nC: haan ji\nA: aapki kisht baaki hai\nC: kal\n[line kat gayi]"
    )
    turns, labelled = split_turns(text)
    assert labelled
    assert [t.speaker for t in turns] == [Speaker.AGENT, Speaker.CUSTOMER, Speaker.AGENT, Speaker.CUSTOMER]
    assert [t.text for t in turns][:2] == ["Namaste, main Lata bol rahi hoon", "haan ji"]
    dashes = "Agent - Namaste ji\nCust - haan\nAgent - kisht baaki hai\nCust - kal"
    assert [t.text for t in split_turns(dashes)[0]] == ["Namaste ji", "haan", "kisht baaki hai", "kal"]


def test_a_bare_speaker_label_beside_a_collector_is_the_other_side() -> None:
    text = "Collector: Girish ji ghar pe hain?\nSpeaker: Main unki behen hoon.\nCollector: Achha, baad mein."
    turns, _ = split_turns(text)
    assert [t.speaker for t in turns] == [Speaker.AGENT, Speaker.CUSTOMER, Speaker.AGENT]
    assert turns[1].text == "Main unki behen hoon."
    # on its own, a bare "Speaker:" still says nothing of who speaks
    assert speakers._labels("Speaker: hello\nSpeaker: haan ji\nSpeaker: kaun") == []
