"""Procedural conduct flags read openings as speech recognition and Devanagari write them: a clean
agent is not flagged, and a real breach still is."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from consumer.analyzer.offline import analyze_offline

IST = timezone(timedelta(hours=5, minutes=30))
NOON = datetime(2026, 11, 18, 12, 0, tzinfo=IST)
PROCEDURAL = {"no_identification", "disclosure_before_verification"}


def flags(transcript: str) -> set[str]:
    return {f.rule.value for f in analyze_offline(transcript, NOON).compliance_flags}


@pytest.mark.parametrize(
    "transcript",
    [
        "agent: good evening this is megha from sugam capital am i speaking with mister arjun bhatia\n"
        "customer: yes speaking\nagent: sir your emi of 4200 is overdue by 9 days\n"
        "customer: i will pay friday",
        "Agent: hello main ritu bol rahi hoon prakash fincorp se kya meri baat sanjay ji se ho rahi hai\n"
        "Customer: haan ji\nAgent: sir aapki emi 3100 pending hai\nCustomer: kal kar dunga",
        "Agent: namaste main ajay golconda fincorp se kya aap kiran bol rahe hain\nCustomer: haan haan bolo\n"
        "Agent: aapki do kisht baki hain 5600\nCustomer: salary aate hi",
        "एजेंट: नमस्ते, मैं सुरेश, ग्रामीण उत्थान माइक्रोफिन से। क्या सुनीता देवी जी बोल रही हैं?\n"
        "ग्राहक: हाँ, बोल रही हूँ।\nएजेंट: सुनीता जी, आपकी किस्त ९८० रुपये बाकी है।\nग्राहक: मंगलवार को दे दूँगी।",
        "एजेंट: नमस्कार, कुबेर स्वर्ण लोन्स से मैं आरती। क्या लक्ष्मी जी से बात हो रही है?\nग्राहक: हाँ।\n"
        "एजेंट: लक्ष्मी जी, आपका ब्याज ८९० बाकी है।\nग्राहक: शुक्रवार को दे दूँगी।",
        "Agent: Namaste, main Shruti, Kuber Swarna Loans se. Kya meri baat Kishori Lal ji se ho rahi hai?\n"
        "Customer: ji haan.\nAgent: Kishori ji, aapka byaaj 1,450 rupaye 25 tareekh ko due hai.\n"
        "Customer: theek hai.",
        "Agent: hello main sachin bol raha hoon kanak finserv se verification ke liye\n"
        "Agent: date of birth bata dijiye\n"
        "Customer: umm 12 march 1988\nAgent: thank you sir verification ho gaya aapki emi 6200 pending hai\n"
        "Customer: kal kar dunga",
    ],
)
def test_a_clean_agent_is_not_flagged(transcript: str) -> None:
    assert not flags(transcript) & PROCEDURAL


@pytest.mark.parametrize(
    ("transcript", "rule"),
    [
        (
            "Agent: sir aapki emi 4500 overdue hai kab bharoge\nCustomer: kaun bol raha hai",
            "no_identification",
        ),
        (
            "Agent: hello aapke personal loan ki teen emi pending hain 9300\nCustomer: kaun bol raha hai\n"
            "Agent: main rakesh, sugam capital se. kya aap vinod ji hain\nCustomer: haan",
            "disclosure_before_verification",
        ),
        (
            "Agent: main Fullerton India se bol raha hoon, aapki EMI pending hai\nCustomer: achha",
            "no_identification",
        ),
    ],
)
def test_a_real_breach_is_still_flagged(transcript: str, rule: str) -> None:
    assert rule in flags(transcript)


@pytest.mark.parametrize(
    "transcript",
    [
        # Bengali, Marathi and Punjabi openings; a stage direction before the yes; "X here".
        "Agent: Nomoskar, ami Rupa bolchi, Dakshin Microfin theke. Anjali Das ji?\nCustomer: Haan, bolchi.\n"
        "Agent: Anjali di, aapka kisti 1,200 baki hai.\nCustomer: Shukrobar dibo.",
        "Agent: Namaskar, Sahyadri Recovery madhun Sagar Jadhav bolto. Ganesh Pawar saheb?\n"
        "Customer: Ho, mi Ganesh. Bola.\nAgent: Saheb, aapka EMI 3,400 baki hai.\n"
        "Customer: Somvar la bharto.",
        "Agent: Sat Sri Akal, main Harpreet bol reha haan Doaba Finance ton. "
        "Kya Gurdeep ji naal gal ho rahi hai?\n"
        "Customer: (halki awaaz) Haan ji... Gurdeep.\nAgent: Tuhadi EMI 7,000 pending hai.\n"
        "Customer: Kal kar dunga.",
        "Agent: Good morning, I'm Kavya from Nilgiri Finance. Is this Mr Raman?\n"
        "Customer: Aama, Raman here.\n"
        "Agent: Your EMI of 2,300 is due on the 5th.\nCustomer: I will pay on the 4th.",
        "Agent: Pranam, hum Sonu bol rahe hain Kosi Credit se. Kya Meena Devi ji se baat ho rahi hai?\n"
        "Customer: Haan hum Meena.\nAgent: Didi aapka kisht 900 baaki hai.\nCustomer: Budh ko de denge.",
        # A debt word inside the lender's name is not a disclosure.
        "Agent: Namaste, main Pooja, Trikon EMI Finance se. Rahul Verma ji?\nCustomer: Haan, bol raha hoon.\n"
        "Agent: Sir aapki EMI 1,999 due hai.\nCustomer: Kal kar dunga.",
    ],
)
def test_openings_in_other_languages_are_identification_and_verification(transcript: str) -> None:
    assert not flags(transcript) & PROCEDURAL


def test_a_department_is_not_a_lender() -> None:
    got = flags(
        "Agent: Hello, Sunil Yadav bol rahe ho?\nCustomer: Haan.\n"
        "Agent: Recovery department se bol raha hoon, "
        "aapka 7,000 pending hai.\nCustomer: Kal dunga."
    )
    assert "no_identification" in got


@pytest.mark.parametrize(
    "transcript",
    [
        "Agent: Ma'am, aap FIR ki copy aur written complaint mail kar dijiye, fraud team dekhegi.\n"
        "Customer: Theek hai.",
        "Agent: Main branch manager ko bataunga, aapke liye relief dekhenge.\nCustomer: Dhanyavaad.",
        "Agent: Theek hai, baaki agle hafte dekh lenge, main phir call karunga.\nCustomer: Ok.",
        "Agent: Aaj traffic ka bura haal hai na. Aap kab tak ghar aayenge?\nCustomer: Shaam ko.",
    ],
)
def test_helping_or_small_talk_is_not_a_threat(transcript: str) -> None:
    assert "threat_or_intimidation" not in flags(transcript)


@pytest.mark.parametrize(
    "transcript",
    [
        "Agent: Kal tak paisa nahi aaya to hum gaon mein aa jayenge, sabke saamne vasooli hogi.\n"
        "Customer: Aisa mat karo.",
        "Agent: Payment nahi kiya to colony mein sabko pata chalega.\nCustomer: Please.",
        "Agent: Nahi bhara to sarpanch ko bhi bata denge ki tum kaisa aadmi ho.\nCustomer: Ruko.",
        "Agent: Tumhe dekh lenge hum, samjhe?\nCustomer: Kya bol rahe ho.",
        "Agent: Aaj nahi diya to tumhare HR aur MD ko letter bhejenge.\nCustomer: Mat karo.",
        "एजेंट: नहीं भरोगी तो तुम्हारे घर आएँगे, पूरे गाँव को पता चलेगा।\nग्राहक: ऐसा मत करो।",
    ],
)
def test_shaming_and_home_visits_are_threats(transcript: str) -> None:
    assert "threat_or_intimidation" in flags(transcript)


@pytest.mark.parametrize(
    "answer",
    [
        "Nahi, main uska baap bol raha hoon.",
        "Main Rohit nahi hoon, main unka flatmate hoon.",
        "Ji main to yahan kaam karti hoon, sahab bahar gaye.",
        "Main reception se bol rahi hoon, sir site pe hain.",
    ],
)
def test_someone_else_answering_makes_telling_them_the_debt_a_disclosure(answer: str) -> None:
    got = flags(
        f"Agent: Hello, main Amit, Vardhan Finance se. Rohit Jain ji se baat ho sakti hai?\n"
        f"Customer: {answer}\n"
        "Agent: Unko bolna unka 12,000 ka EMI overdue hai.\nCustomer: Bata dunga."
    )
    assert "third_party_disclosure" in got
