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
