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


def contact(transcript: str) -> str:
    status = analyze_offline(transcript, NOON).contact_status
    return status.value if status is not None else ""


@pytest.mark.parametrize(
    "answer",
    [
        # regional yeses, a greeting before the yes, the borrower naming themself
        "Houdu, Manjunath.",
        "hoi, Manjunath. Namaskar.",
        "Haw ji, main Manjunath.",
        "Athe, Manjunath. Who?",
        "ram ram sa, haan boliye",
        "Jai Hind beta. Haan, Manjunath.",
        "Namaskar ji, haan, bolo bhai, Manjunath hi hoon.",
        "This is Manjunath.",
        "Ugh, third call today. Yes, it's Manjunath.",
        "Manju... Manju bolo. Haan main. Kya hai?",
        "राम राम भैया, हाँ मंजुनाथ ही हूँ।",
    ],
)
def test_a_borrower_confirming_in_their_own_words_is_verified(answer: str) -> None:
    got = flags(
        "Agent: Namaste, main Ritika, Neelgiri Finance se. Kya Manjunath ji se baat ho rahi hai?\n"
        f"Customer: {answer}\n"
        "Agent: Sir, aapke loan ki EMI 6,100 pending hai.\nCustomer: Agle hafte kar dunga."
    )
    assert not got & PROCEDURAL, got


@pytest.mark.parametrize(
    "question",
    [
        "good evening this is ravi from nellai finance am i talking to mister velu",
        "good evening this is ravi from nellai finance speaking to mister velu",
        "hello mister velu this is ravi from nellai finance",
    ],
)
def test_lowercase_questions_about_who_answered_are_read(question: str) -> None:
    got = flags(
        f"agent: {question}\ncustomer: aama velu\nagent: sir your emi 2200 is pending\ncustomer: ok friday"
    )
    assert not got & PROCEDURAL, got


def test_a_date_of_birth_given_when_asked_verifies_the_borrower() -> None:
    got = flags(
        "Agent: Namaste, main Deepa, Sarthi Fincorp se. Verification ke liye date of birth bataiye.\n"
        "Customer: 14 February 1990.\nAgent: Aapki do EMI, 8,800, overdue hain.\nCustomer: Somvar ko dunga."
    )
    assert not got & PROCEDURAL, got


def test_disclosing_before_the_check_is_answered_is_still_flagged() -> None:
    got = flags(
        "Agent: Namaste, main Deepa, Sarthi Fincorp se. Aapki do EMI, 8,800, overdue hain. Date of birth?\n"
        "Customer: 14 February 1990.\nAgent: Theek hai.\nCustomer: Somvar ko dunga."
    )
    assert "disclosure_before_verification" in got


def test_a_call_the_borrower_made_is_read_as_theirs() -> None:
    got = flags(
        "Agent: Sarthi Fincorp, main Deepa bol rahi hoon, boliye.\n"
        "Caller: Ji, mera naam Harish hai, mere loan number ke baare mein poochhna tha.\n"
        "Agent: Pehle apna naam aur loan account number bata dijiye, aur date of birth.\n"
        "Caller: Harish Gupta, SF-1102, 3 March 1985.\nAgent: Dhanyavaad. Aapki EMI 4,300 pending hai.\n"
        "Caller: Kal bhar dunga."
    )
    assert not got & PROCEDURAL, got


def test_telling_an_unknown_caller_the_dues_before_asking_who_they_are_is_flagged() -> None:
    got = flags(
        "Agent: Sarthi Fincorp, main Deepa, boliye.\nCaller: Ek loan number hai SF-7781, kitna baaki hai?\n"
        "Agent: Is pe 22,000 overdue hai. Aap kaun bol rahe hain?\n"
        "Caller: Main Harish ka chacha hoon, Meerut se.\n"
        "Agent: Achha, unko bolna jama karein.\nCaller: Theek."
    )
    assert {"disclosure_before_verification", "third_party_disclosure"} <= got, got


@pytest.mark.parametrize(
    "answer",
    [
        "Main Vinay nahi hoon, uska chhota bhai hoon.",
        "Bada bhai hoon uska, wo Pune mein rehta hai.",
        "Main Karan hoon, Vinay ka dost.",
        "Vinay Mumbai mein baa, hum okar papa bol rahe hain.",
        "Na, wo kaam pe gaye hain. Hum unkar mehraru.",
        "Main toh dukaan pe kaam karta hoon, seth ji bahar hain.",
    ],
)
def test_kin_and_staff_in_more_words_are_a_third_party(answer: str) -> None:
    got = flags(
        f"Agent: Hello, main Amit, Vardhan Finance se. Vinay ji hain?\nCustomer: {answer}\n"
        "Agent: Unko bolna 9,000 ka EMI overdue hai.\nCustomer: Bol denge."
    )
    assert "third_party_disclosure" in got, got


def test_a_relative_calling_about_their_loan_is_a_third_party() -> None:
    transcript = (
        "Agent: Vardhan Finance, main Amit, boliye.\n"
        "Caller: Namaste, main Sonal bol rahi hoon. Meri saas, Kamla ji, unka gold loan hai aapke yahan.\n"
        "Agent: Ji, loan ki baatein main sirf unse kar sakta hoon.\nCaller: Theek hai."
    )
    assert contact(transcript) == "third_party"


def test_the_borrower_talking_about_family_who_are_away_is_still_the_borrower() -> None:
    transcript = (
        "Agent: Hello, main Amit, Vardhan Finance se. Kya Rekha ji se baat ho rahi hai?\n"
        "Customer: Yes, Rekha.\nAgent: Ma'am aapki EMI 3,000 pending hai.\n"
        "Customer: My husband handles it, he is in Dubai now, he will send next week."
    )
    assert contact(transcript) == "right_party"
    assert "third_party_disclosure" not in flags(transcript)


def test_a_relative_handing_the_phone_to_the_borrower_leaves_the_borrower_on_the_line() -> None:
    transcript = (
        "Agent: Namaste, main Ritika, Neelgiri Finance se. Kya Suresh Nair ji se baat ho sakti hai?\n"
        "Customer's son: Main unka beta hoon, ek minute, papa ko deta hoon.\n"
        "Customer: Haan, Suresh bol raha hoon.\nAgent: Sir aapki EMI 5,200 pending hai.\n"
        "Customer: Monday ko kar dunga."
    )
    assert contact(transcript) == "right_party"
    assert "third_party_disclosure" not in flags(transcript)


def test_the_borrower_mentioning_a_relatives_loan_after_confirming_is_still_the_borrower() -> None:
    transcript = (
        "Agent: Namaste, main Ritika, Neelgiri Finance se. Kya Farid ji bol rahe hain?\n"
        "Customer: Ji haan, Farid.\nAgent: Sir aapki tractor EMI 15 tareekh ko due hai.\n"
        "Customer: Ji. Meri behen ke home loan mein co-applicant banna hai, NOC chahiye.\n"
        "Agent: Main NOC ki request daal deti hoon."
    )
    assert contact(transcript) == "right_party"
    assert not flags(transcript) & {"third_party_disclosure", "disclosure_before_verification"}


@pytest.mark.parametrize(
    ("reply", "disclosed"),
    [
        ("Loan ki jaankari main sirf unhi ko de sakti hoon. Unse kahiye khud phone karein.", False),
        ("Ji, unki kisht ka sandesh main note kar leti hoon.", False),
        ("Unka 7,400 ka EMI do mahine se pending hai.", True),
    ],
)
def test_a_relative_who_rang_about_a_loan_hears_a_disclosure_only_of_account_facts(
    reply: str, disclosed: bool
) -> None:
    transcript = (
        "Agent: Neelgiri Finance, main Ritika, boliye.\n"
        "Caller: Namaste, main Imran bol raha hoon. Mere abbu, Salim ji, unka loan hai aapke yahan.\n"
        f"Agent: {reply}\nCaller: Theek hai, shukriya."
    )
    assert contact(transcript) == "third_party"
    got = flags(transcript)
    assert ("third_party_disclosure" in got) is disclosed, got


@pytest.mark.parametrize("answer", ["It's okay.", "This is fine.", "It's alright!"])
def test_an_its_fine_is_not_the_borrower_naming_themself(answer: str) -> None:
    got = flags(
        "Agent: Namaste, main Ritika, Neelgiri Finance se. Kya Manjunath ji se baat ho rahi hai?\n"
        f"Customer: {answer}\n"
        "Agent: Sir, aapke loan ki EMI 6,100 pending hai.\nCustomer: Kaun Manjunath?"
    )
    assert "disclosure_before_verification" in got, got


@pytest.mark.parametrize(
    "opening",
    [
        "Namaste ji. Kavita, Sahyog Housing Finance se. Kya Rohit ji bol rahe hain?",
        "Rohit Mehra ji? Sir, Pallavi Joshi, Sahyog Capital.",
        "Good evening, Kavita this side from Sahyog Motor Loans. Am I speaking to Rohit?",
        "Sahyog Fincap, main Kavita bol rahi hoon. Rohit ji?",
    ],
)
def test_an_agent_naming_themself_and_the_lender_tersely_is_identified(opening: str) -> None:
    got = flags(f"Agent: {opening}\nCustomer: Haan, Rohit.\nAgent: EMI 3,100 pending hai.\nCustomer: Kal.")
    assert "no_identification" not in got, got


@pytest.mark.parametrize(
    "opening",
    ["Namaste, Rohit ji? Kya aap bol rahe hain?", "Rohit, Sahyog Finance ka loan aapka hai na?"],
)
def test_an_opening_without_the_agents_own_name_is_still_unidentified(opening: str) -> None:
    got = flags(f"Agent: {opening}\nCustomer: Haan.\nAgent: EMI 3,100 pending hai.\nCustomer: Kal.")
    assert "no_identification" in got, got


@pytest.mark.parametrize(
    "opening",
    [
        "Hello madam, Mahesh from Tarang Finance. Aap Leela ji?",  # a name starting "Ma"
        "Namaskar, Himesh bol raha hoon Tarang Finance se. Leela ji?",  # a name starting "Hi"
        "Namaste, Tarang Finance se Mohan\nAgent: Leela ji se baat ho rahi hai?",  # the name ends the turn
        "good morning madam gopal from tarang credit leela ji",
        "नमस्ते, गिरीश बोल रहा हूँ, तरंग फाइनेंस से। लीला जी?",
        "नमस्कार, गिरीश, तरंग कैपिटल से। लीला जी बोल रही हैं?",
    ],
)
def test_an_agent_named_in_less_usual_words_is_identified(opening: str) -> None:
    got = flags(f"Agent: {opening}\nCustomer: Haan.\nAgent: EMI 2,400 pending hai.\nCustomer: Kal.")
    assert "no_identification" not in got, got


@pytest.mark.parametrize(
    "opening",
    [
        "Haan Girish bol raha hai? Tarang Finance se, paisa kab doge",  # the borrower's name, asked
        "हेलो, मैं वसूली डिपार्टमेंट से बोल रहा हूँ। गिरीश जी?",  # a department, no lender
        "hello kya main girish verma se baat kar raha hoon",  # the borrower's name, asked
    ],
)
def test_asking_for_the_borrower_by_name_does_not_name_the_agent(opening: str) -> None:
    got = flags(f"Agent: {opening}\nCustomer: Haan.\nAgent: EMI 2,400 pending hai.\nCustomer: Kal.")
    assert "no_identification" in got, got


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Kya Girish ji se baat ho rahi hai?", "Itni raat ko? Haan bolo, kya hai."),
        ("Am I speaking with Mr Girish?", "On the highway right now, yes."),
        ("Girish ji?", "G-haan, boliye."),
        ("Girish ji?", "Girish hi hoon, kahiye."),
        ("Girish ji?", "Namaskaram madam, haan."),
        ("", "Haan madam."),  # greeted by name: "Vanakkam Girish garu"
        ("kya girish verma ji", "haan"),
    ],
)
def test_a_yes_in_the_borrowers_own_order_verifies(question: str, answer: str) -> None:
    opening = (
        f"Main Lata, Tarang Finance se. {question}"
        if question
        else "Vanakkam Girish garu, main Lata, Tarang Finance se."
    )
    got = flags(f"Agent: {opening}\nCustomer: {answer}\nAgent: Sir EMI 2,400 pending hai.\nCustomer: Kal.")
    assert "disclosure_before_verification" not in got, got


@pytest.mark.parametrize("answer", ["Kaun? Haan nahi, galat hai.", "Abhi? Haan nahi, baad mein."])
def test_a_yes_undone_at_once_does_not_verify(answer: str) -> None:
    got = flags(
        f"Agent: Main Lata, Tarang Finance se. Girish ji?\nCustomer: {answer}\n"
        "Agent: Sir EMI 2,400 pending hai.\nCustomer: Kal."
    )
    assert "disclosure_before_verification" in got, got


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Nahi bhara toh humein aapke ghar aana padega.", "threat_or_intimidation"),
        ("Paisa nahi diya toh hum aapke office aayenge, sabke beech.", "threat_or_intimidation"),
        ("Aap log jhooth bolne mein ustaad ho.", "abusive_language"),
        ("Tum jhoothe log ho, sab.", "abusive_language"),
        # a place called "Cyber ..." is not a cyber-crime report
        ("Nahi diya toh police aayegi aapke Cyber Hub wale office mein.", "threat_or_intimidation"),
    ],
)
def test_visits_and_calling_the_borrower_a_liar_are_breaches(line: str, rule: str) -> None:
    got = flags(
        "Agent: Main Lata, Tarang Finance se. Girish ji?\nCustomer: Haan.\n"
        f"Agent: Sir EMI 2,400 pending hai. {line}\nCustomer: Dekhta hoon."
    )
    assert rule in got, got


@pytest.mark.parametrize(
    "line",
    [
        "Chori ki FIR ke documents email pe bhej dijiye, main claim aage badhaungi.",
        "FIR ki copy aur bill ke papers upload kar dijiye, insurance wale dekh lenge.",
    ],
)
def test_helping_with_a_report_is_not_a_threat(line: str) -> None:
    got = flags(
        "Agent: Main Lata, Tarang Finance se. Girish ji?\nCustomer: Haan, dukaan mein chori hui thi.\n"
        f"Agent: Oh. {line}\nCustomer: Theek hai."
    )
    assert "threat_or_intimidation" not in got, got
