# ruff: noqa: E501
"""The debt-collection details of a call, by rule: who answered, the promise, distress, conduct.

``add_details`` fills the ``InsightDetails`` fields of an analysis that already has the five core
fields (from ``consumer.analyzer.rules.analyze_text``):

- speaker turns are split on the ORIGINAL text, so every quote keeps the words as spoken;
- ``contact_status`` from what the person who answered says (wrong number, relative, colleague);
- ``promise_to_pay`` from the customer's turns only, amounts and dates by ``consumer.analyzer.text.normalize``;
- ``distress`` from the customer's words (self-harm, medical emergency, bereavement, job loss);
- ``compliance_flags`` from the agent's turns only (threats, abuse, third-party disclosure, no
  identification, disclosure before verification); ``outside_calling_hours`` is left to
  ``enrich.finish``, which knows the call time;
- ``hardship_reason`` / ``dispute_reason``, ``callback_at`` and per-field ``confidence``.

Pure and deterministic given ``call_started_at`` (without one, relative dates are anchored at now).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from consumer.analyzer.enrich import parse_callback
from consumer.analyzer.text import speakers
from consumer.analyzer.text.lexicon import Lexicon, Scan, lexicon
from consumer.analyzer.text.matcher import regroup
from consumer.analyzer.text.normalize import (
    AmountMatch,
    DateMatch,
    find_amounts,
    find_amounts_and_bare,
    find_dates,
)
from schemas import (
    CallAnalysis,
    ComplianceFlag,
    ComplianceRule,
    ContactStatus,
    Distress,
    DistressKind,
    FieldConfidence,
    Instalment,
    IntentCategory,
    PromiseToPay,
    Severity,
    Speaker,
)

__all__ = ["Turn", "add_details", "detail_fields", "split_turns"]

_I = re.IGNORECASE
_QUOTE_MAX = 300
_REASON_MAX = 160

# --------------------------------------------------------------------------------------------
# Turns
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance in the original wording; ``relative``: its label named someone on the
    borrower's side who is not the borrower ("Customer's wife:")."""

    speaker: Speaker
    text: str
    relative: bool = False


def split_turns(transcript: str) -> tuple[list[Turn], bool]:
    """The turns of ``transcript`` and whether it had speaker labels (without any: one customer turn)."""
    turns, labelled = speakers.split_turns(transcript)
    return [Turn(t.speaker, transcript[t.start : t.end], t.relative) for t in turns], labelled


# --------------------------------------------------------------------------------------------
# Lexicons
# --------------------------------------------------------------------------------------------


def _plain(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), _I)


_W = r"(?<![\w])"  # start of a word (works for Devanagari too, where \b is unreliable with matras)
_E = r"(?![\w])"

# Negation close to a cue, in the same clause: "police nahi bulayenge", "won't call the police".
_NEG_AFTER = re.compile(
    r"^[^.!?।\n,]{0,25}?(?<![\w])(?:nahi|nahin|nai|na|mat|never|not|नहीं|मत|न)(?![\w])", _I
)
_NEG_BEFORE = re.compile(
    r"(?<![\w])(?:no|not|never|won'?t|will not|don'?t|do not|koi|kabhi|bina|without|nahi|nahin|कोई|नहीं|बिना)(?![\w])[^.!?।\n,]{0,18}$",
    _I,
)

_CONDITION = re.compile(
    r"(?<![\w])(?:to|toh|tou|warna|varna|verna|then|otherwise|else|or|तो|वरना|नहीं\s+तो)(?![\w])", _I
)
_ENGAGED = lexicon(
    r"\b(?:pata hai|maloom hai|i know|i'?m aware|aware|noted|samajh gaya|samajh gayi|theek hai|thik hai|ok|okay)\b.{0,60}\b(?:emi|loan|payment|kar dunga|de dunga|pay|bhar|jama|salary|kal|parso)",
    r"\b(?:emi|loan|payment|paisa|paise|salary|income|job|naukri|kisht|dunga|dungi|karunga|karungi|pay|paid|transfer|settlement|statement|charges?|interest|hospital|mahine|hafte)\b",
    r"किस्त|लोन|भुगतान|पैसे|पैसा|तनख्वाह|नौकरी|दूँगा|दूंगा|दूँगी|करूँगा|बकाया|ब्याज|पता\s+है",
)
_BAD_LINE = lexicon(
    r"\b(?:awaaz nahi|awaz nahi|sunai nahi|can'?t hear|cannot hear|not audible|line (?:is )?(?:bad|cut)|call cut)\b",
    r"\b(?:aa?waa?z\s+(?:kat|toot|break)\w*|signal\s+(?:nahi|nahin|weak|kam)|network\s+(?:nahi|nahin|issue|problem|weak)|no\s+(?:signal|network)|call\s+(?:dropped|disconnected))\b",
    r"सुनाई\s+नहीं|आवाज़\s+नहीं|आवाज\s+नहीं|कॉल\s+कट|कट\s+गई",
)
_WORD = re.compile(r"[^\s.,!?।…'\"-]+")
_ACK_WORDS = frozenset(
    {
        "ok",
        "okay",
        "noted",
        "fine",
        "alright",
        "sure",
        "hmm",
        "hm",
        "accha",
        "achha",
        "acha",
        "theek",
        "thik",
        "hai",
        "ji",
        "haan",
        "han",
        "yes",
        "who",
        "is",
        "this",
        "kaun",
        "bol",
        "raha",
        "rahi",
        "hello",
        "hi",
        "कौन",
        "बोल",
        "रहा",
        "रही",
        "है",
        "अच्छा",
        "ठीक",
        "हाँ",
        "जी",
        "हैलो",
    }
)
_STATUS = lexicon(
    rf"{_W}(?:overdue|pending|bakaya|due|baaki|baki|outstanding)\s+(?:hai|hain|h|ho gaya|is|are|has|have|since|by){_E}",
    rf"{_W}(?:is|are|has been|have been)\s+(?:overdue|pending|due|unpaid){_E}",
    r"बाकी\s+हैं|बाकी\s+है|बकाया|ओवरड्यू|भुगतान\s+मिल",
)
_ON_TIME = lexicon(
    r"\b(?:on time|time pe|time par|samay pe|samay par|before the due date|by the due date|due date (?:se pehle|tak|pe|par))\b",
    r"\b(?:auto[- ]?debit|(?:it'll|it will|will) go through)\b",
    r"समय\s+पर|समय\s+पे|टाइम\s+पर|टाइम\s+पे",
)
_DEBT_WORDS = lexicon(  # without "loan", which is also part of lenders' names (see _tells_debt)
    rf"{_W}(?:emi|emis|overdue|outstanding|dues?|bakaya|kisht|kishtein|kist|kisten|instal+ments?|arrears|default|defaulter|"
    rf"card (?:ka|ki) bill|bill|interest|auction|npa|penalty|late fee|bounce|repayment){_E}",
    rf"{_W}(?:payment|paisa|paise|rupaye|rupees|rs\.?)\s+(?:pending|due|nahi|baaki|baki|bhara|bhari|ka|ki|kab){_E}",
    rf"{_W}(?:pending|baaki|baki)\s+(?:hai|hain|h){_E}",
    rf"{_W}(?:payment|part payment|settlement|waiver){_E}",
    r"किस्त|किश्त|बकाया|बाकी\s+है|बाक़ी|ऋण|कर्ज|कर्ज़|भुगतान|ईएमआई|रुपये\s+बाकी|ओवरड्यू",
)
# A debt word followed by one of these is part of the lender's name ("EasyKart EMI Finance").
_LENDER_WORD = re.compile(
    r"\s+(?:finance|finserv|fincorp|finvest|microfin\w*|capital|credit|bank|services|ltd|limited|pay|later|app)\b",
    _I,
)
_YOUR_LOAN = lexicon(
    rf"{_W}(?:aapka|aapke|aapki|aapne|apka|apke|apki|apne|your|you|tumhara|tumhare|tumhari|tumne|unka|unke|unki|unhone|inka|inke|inki|his|her|their)\s+(?:\w+\s+){{0,2}}loans?{_E}",
    r"(?:आपका|आपके|आपकी|आपने|तुम्हारा|तुम्हारे|तुम्हारी|उनका|उनके|उनकी|उन्होंने)\s+(?:\S+\s+){0,2}लोन",
)
_THREAT = lexicon(
    rf"{_W}(?:police|polis|arrest|arrested|giraftar|girftaar|jail|hawalat|thane (?:mein|me|le)|thana){_E}",
    rf"{_W}andar\s+(?:jayega|jaoge|jaega|karwa|kara|kar denge|ho jayega){_E}",
    rf"{_W}(?:ghar|gaon|gaanv|office|dukaan|dukan)\s+(?:pe\s+|par\s+|tak\s+)?(?:aa|aake|aakar|pahunch)\s*(?:jayenge|jaenge|jaayenge|rahe|denge|lenge|karenge)?{_E}",
    rf"{_W}(?:ghar|gaon|office)\s+(?:pe\s+|par\s+)?(?:log|aadmi|ladke|banda|bande)\s+(?:bhejenge|bhej denge|aayenge){_E}",
    rf"{_W}(?:mohalle|mohalla|padosi|padosiyon|neighbou?rs?|relatives|rishtedaron|contacts|poore bazaar|bazaar|society|colony)\s+(?:ko|mein|me|sab)?\s*(?:ko\s+)?(?:pata chalega|bata denge|bataenge|batayenge|message|msg|call|sms|inform){_E}",
    rf"{_W}(?:aapke|apke|tere|tumhare|uske|unke)\s+(?:saare\s+|sab\s+)?(?:contacts|relatives|rishtedaron|padosiyon|neighbou?rs|family|boss|employer|office|hr|colleagues)\s+(?:ko|mein|me|se|par|pe)\s+(?:\w+\s+){{0,3}}?(?:bata|batayenge|bataenge|message|msg|call|phone|inform|pata|aa|aake|aakar|bhej|jayega|jayenge)",
    rf"{_W}(?:hr|boss|employer)\s+(?:ko|se)\s+(?:mail|call|phone|bata|inform|complain|shikayat)\w*\s+(?:kar\s+)?(?:denge|dunga|karenge|karunga|kar denge|kar dunga|bhejenge|jayega|jaayega){_E}",
    rf"{_W}(?:tell|telling|inform|informing|call|calling|contact|contacting|message|messaging|visit|visiting)\s+your\s+(?:employer|boss|manager|hr|office|neighbou?rs|family|relatives|contacts|workplace){_E}",
    rf"{_W}(?:board|poster|banner)\s+laga{_E}",
    # Coming to the borrower's home or village, shaming them before others.
    rf"{_W}(?:ghar|gaon|gaanv|pind|society|colony|mohalle|mohalla|building|dukaan|dukan|office)\s+(?:mein\s+|me\s+|pe\s+|par\s+|tak\s+)?(?:aa\s+jayenge|aa\s+jaayenge|aa\s+jaenge|aayenge|aaenge|aauge|aa\s+rahe\s+hain|pahunch\s+jayenge|aake\s+vasooli){_E}(?![^.!?\n]*\?)",
    rf"{_W}(?:poore|pure)\s+(?:gaon|mohalle|society|colony)\s+ke\s+(?:saamne|samne){_E}",
    rf"{_W}(?:ghar|gaon|office|dukaan|dukan)\s+(?:pe\s+|par\s+)?aana\s+pad(?:ega|egi|enge){_E}",  # "warna ghar aana padega"
    rf"{_W}(?:sabke|sab\s+ke|sabhi\s+ke)\s+(?:saamne|samne)\s+(?:\w+\s+){{0,4}}?(?:vasooli|vasuli|bezzati|beizzati|tamasha|utha\w*|le\s+jayenge|aayenge|bolenge|puchenge|maangenge|insult){_E}",
    rf"{_W}(?:sarpanch|pradhan|contact\s+list|phone\s+book)\s+(?:\w+\s+){{0,2}}?(?:ko|nu|mein|me)\s+(?:vi\s+|bhi\s+|sabko\s+)?(?:bata|batayenge|bataenge|dassange|message|msg|sms|call|pata)",
    rf"{_W}(?:mohalle|colony|society|gaon|gali)\s+(?:mein|me)\s+(?:sabko|sab\s+ko|sabhi\s+ko)\s+pata\s+chal",
    rf"{_W}(?:hr|boss|employer|md|manager)\s+(?:aur\s+\w+\s+)?(?:ko|se)\s+(?:letter|mail|email|message|notice)\s+(?:bhejenge|bhej\s+denge|bhejunga|karenge|kar\s+denge){_E}",
    rf"{_W}naam\s+(?:\w+\s+){{0,2}}?(?:chipka|laga|likh)\s*(?:denge|dunga|ke){_E}",
    rf"{_W}(?:utha lenge|utha le jayenge|uthwa denge|tod denge|maar denge|haddi|bahut bura hoga|jaan se)",
    rf"{_W}(?:tumhe|tumhein|tujhe|tumko|tujhko|aapko|apko|aap ko|aapse|tumse|tujhse)\s+(?:\w+\s+){{0,2}}?dekh\s+(?:lenge|lunga|lungi|liya jayega){_E}",
    rf"{_W}(?:(?:tumhara|tera|aapka|apka|uska)\s+(?:\w+\s+)?bura\s+haal|bura\s+haal\s+(?:kar\s+denge|karenge|kar dunga|ho\s+jayega|hoga)){_E}",
    rf"{_W}(?:send (?:the )?police|call (?:the )?police|police will|you will be arrested|go to jail|put you in jail|come to your (?:house|home|office)|visit your (?:house|home|office) and)",
    r"पुलिस|एफआईआर|एफ़आईआर|गिरफ्तार|गिरफ़्तार|जेल|थाने|थाना|हवालात|अंदर\s+जाएगा|अंदर\s+करवा|घर\s+(?:पर\s+|पे\s+)?आ\s*(?:जाएँगे|जाएंगे|जायेंगे)|गाँव\s+आएँगे|गांव\s+आएंगे|मोहल्ले|पड़ोसियों|दफ्तर\s+में\s+बता",
    r"घर\s+(?:पर\s+|पे\s+)?(?:आएँगे|आएंगे|आयेंगे)|सबके\s+सामने|(?:गाँव|गांव|मोहल्ले|समूह)\s+(?:\S+\s+){0,2}?को\s+पता\s+चल",
)

_FIR = re.compile(r"\bF\.?I\.?R\b")
# A borrower being helped to report or claim: "FIR ki copy bhejiye", "police complaint kar dijiye".
_HELPS_REPORT = lexicon(
    rf"{_W}(?:copy|copies|fraud|cyber\s+(?:cell|crime|police|complaint|fraud|thana)|investigation|grievance|insurance|claim|ombudsman|declaration){_E}",
    rf"{_W}(?:aap|aapne|apne|you)\s+(?:\w+\s+){{0,4}}?(?:kar|karwa|karva|file kar|darj kar|likhwa)\s*(?:dijiye|lijiye|sakte|sakti|do|lo|chuke|diya|di|rakhi|rakha){_E}",
    rf"{_W}(?:you can|you could|please)\s+(?:file|lodge|raise|register){_E}",
    rf"{_W}(?:documents?|kaagzat|kagzat|papers)\s+(?:\w+\s+){{0,2}}?(?:bhej|share|upload|jama)",  # "FIR ke documents bhejiye"
)
_ABUSE = lexicon(
    rf"{_W}(?:chor|chor kahin ka|dhokebaaz|dhokebaz|dhokhebaaz|besharam|beshram|kamina|kamine|kameena|harami|haramkhor|saala|saale|sala|kutta|kutte|kutiya|gadha|gadhe|ullu|bewakoof|bevakoof|bewkoof|nalayak|nikamma|badtameez|bhikari|bhikhari|haraam|chutiya|madarchod|behenchod|bc|mc|gawar|ganwar|jahil){_E}",
    rf"{_W}(?:idiot|stupid|moron|fool|bastard|bloody|shameless|liar|cheater|scumbag|loser|shut up|damn you){_E}",
    rf"{_W}(?:jhooth|jhoot)\s+mat\s+bol{_E}",
    # calling the borrower a liar: "jhooth bolne mein expert ho", "jhoothe log"
    rf"{_W}(?:jhooth|jhoot)\s+bolne\s+(?:mein|me|ka|ke)\s+(?:expert|ustaad|ustad|master|maahir|mahir){_E}",
    rf"{_W}(?:jhoothe|jhootha|jhoothi|jhoote|jhoota)\s+(?:ho|hai|hain|log|insaan|aadmi|kahin\s+ke|kahin\s+ka){_E}",
    rf"{_W}(?:tu|tum|aap)\s+(?:fraud|chor|dhokebaaz)\s+(?:ho|hai|hain){_E}",
    r"चोर|धोखेबाज़|धोखेबाज|बेशर्म|कमीना|कमीने|हरामी|साला|साले|कुत्ते|गधे|उल्लू|बेवकूफ|बेवक़ूफ़|नालायक|निकम्मा|भिखारी",
)

# Identification: the agent's own name and the lender / agency.
# "Loan department se", "recovery team se": a department names no lender.
_NOT_DEPARTMENT = (
    r"(?!\s+(?:department|dept|office|team|section|vibhag|wale|waale)\b)(?!\s*(?:डिपार्टमेंट|विभाग|ऑफिस))"
)
_ORG = _plain(
    rf"{_W}(?:bank|finance|finserv|fincorp|finvest|microfin|financial|financials|capital|credit|cards?|loans?|recoveries|recovery|agency|collections?|nbfc|ltd|limited|microfinance|housing|fintech){_E}{_NOT_DEPARTMENT}",
    r"\bfrom\s+[A-Z][\w&.]+",
    r"[A-Z][\w&.]*\s+se(?:\s|[.,])",
    r"बैंक|कलेक्शंस|कलेक्शन|फाइनेंस|फ़ाइनेंस|फायनेंस|कैपिटल|क्रेडिट|फिनकॉर्प|फिनसर्व|रिकवरी|एजेंसी|\S+\s+से\s+\S+(?:\s+\S+)?\s+बोल",
    r"माइक्रोफिन|माइक्रोफाइनेंस|लोन्स|फिनलीज|फिनकैप|\S+\s+लोन(?:\s+से|,)",
    r"की\s+(?:तरफ|ओर)\s+से|\S+\s+से(?:[।,.]|\s+(?:बोल|बात))",
    r"\b(?:theke|madhun|kadun|ton)\b|\b(?:ki|ke)\s+taraf\s+se\b|\bon behalf of\b",
)
# "Vicky bol raha hai?" asks who is on the line; "Vicky bol raha hoon" is the agent's name.
_NOT_ASKED = r"(?!\s+(?:hai|hain|he|ho)\b)"
# The words of a lender's name ("... Finance", "... Bank").
_ORG_WORDS = (
    "bank|finance|finserv|fincorp|finvest|microfin|financial|financials|capital|credit|cards?|loans?|recoveries|"
    "recovery|agency|collections?|nbfc|ltd|limited|microfinance|housing|fintech|fincap|finlease|microcredit"
)
_NAME = re.compile(
    r"(?:\b(?:main|mai|myself|this is|i am|i'm|my name is|mera naam|naam)\s+(?:hai\s+)?(?!(?:Sir|Madam)\b|Ma'am)[A-Z][a-z]+(?![\w&]*(?:\s+[\w&]+){0,3}?\s+(?:se|ji)\b))"
    r"|(?:\b(?!(?:Sir|Madam|Maam|Mam|Hello|Namaste|Hi|Calling|Call)\b)[A-Z][a-z]+\s+from\s+[A-Z])"
    rf"|(?:\b(?!(?:Sir|Madam|Maam|Mam|Hello|Namaste|Hi)\b)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+(?:bol raha|bol rahi|here|calling|speaking)\b{_NOT_ASKED})"
    r"|(?:\bse\s+(?!(?:Sir|Madam|Maam|Mam)\b)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s*(?:[.,!\n]|bol|kya\b|$))"
    # a name, a comma, the lender, and the clause ends: "Namaste ji. Kavita, Sahyog Finance se."
    r"|(?:\b(?!(?:Sir|Madam|Maam|Mam|Hello|Namaste|Hi)\b)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?,\s+(?:[A-Z][\w&]*\s+){1,3}"
    rf"(?i:{_ORG_WORDS})(?:\s+(?:se|ki\s+taraf\s+se))?\s*(?:[.,!]|$))"
    r"|(?:से\s+(?!बोल)\S+(?:\s+(?!बोल)\S+)?\s+बोल)|(?:मैं\s+(?!\S*(?:फाइनेंस|बैंक))\S+(?:\s+\S+)?\s+बोल)|(?:मेरा\s+नाम\s+\S+)|(?:मैं\s+[^\s,।]+[,।])"
    r"|(?:से\s+[^\s,।?]+[,।])|(?:मैं\s+[^\s,।]+\s+[^\s,।]+[,।])"
    # "संदीप बोल रहा हूँ ...", "नमस्कार, लोकेश, चोलामंडलम से।"
    r"|(?:(?<!\S)(?!(?:मैं|जी|हाँ|हां|सर|मैडम|आप|हम|से|को|में|पर|ही|भी)\s)[^\s,।?]+\s+बोल\s+(?:रहा|रही)\s+(?:हूँ|हूं|हू))"
    r"|(?:(?:^|[\n,।!]\s*)(?!(?:मैं|जी|हाँ|हां|सर|मैडम|आप|हम)[\s,])[^\s,।?]+,\s*[^\s,।?]+(?:\s+[^\s,।?]+){0,2}\s+से[।,.])",
)

# The same searches for ASCII text, where only whether they match is used: each alternative starts
# with a literal character or a small class, so the engine skips ahead (a leading ``\b`` is
# checked just after the first character: ``b(?<!\w.)ank`` is ``\bbank``), and a phrase
# ending in "se" is looked for from the "se".
_ORG_ASCII = re.compile(  # on lower-cased text
    "|".join(rf"{w[0]}(?<!\w.){w[1:]}(?!\w){_NOT_DEPARTMENT}" for w in _ORG_WORDS.split("|"))
    + r"|f(?<!\w.)rom\s+[a-z][\w&.]+"
    r"|t(?<!\w.)(?:heke|on)(?!\w)|m(?<!\w.)adhun(?!\w)|k(?<!\w.)adun(?!\w)|t(?<!\w.)araf\s+se(?!\w)"
    r"|o(?<!\w.)n behalf of(?!\w)"
)
_SE = re.compile(r"\s+se(?=[\s.,])")
_NAME_NOT = r"(?!(?:Sir|Madam)\b|Ma'am)[A-Z][a-z]+(?![\w&]*(?:\s+[\w&]+){0,3}?\s+(?:se|ji)\b)"
_NAME_LOWER = re.compile(
    rf"m(?<!\w.)(?:ain|ai|yself|y name is|era naam)\s+(?:hai\s+)?{_NAME_NOT}"
    rf"|t(?<!\w.)his is\s+(?:hai\s+)?{_NAME_NOT}|i(?<!\w.)(?: am|'m)\s+(?:hai\s+)?{_NAME_NOT}"
    rf"|n(?<!\w.)aam\s+(?:hai\s+)?{_NAME_NOT}"
    r"|s(?<!\w.)e\s+(?!(?:Sir|Madam|Maam|Mam)\b)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s*(?:[.,!\n]|bol|kya\b|$)"
)
_NAME_UPPER = re.compile(  # "(?!(?<=S)ir" after the capital is "(?!Sir" before it
    r"[A-Z](?<!\w.)(?:(?!(?:(?<=S)ir|(?<=M)adam|(?<=M)aam|(?<=M)am|(?<=H)ello|(?<=N)amaste|(?<=H)i|(?<=C)alling|(?<=C)all)\b)[a-z]+\s+from\s+[A-Z]"
    rf"|(?!(?:(?<=S)ir|(?<=M)adam|(?<=M)aam|(?<=M)am|(?<=H)ello|(?<=N)amaste|(?<=H)i)\b)[a-z]+(?:\s+[A-Z][a-z]+)?\s+(?:bol raha|bol rahi|here|calling|speaking)\b{_NOT_ASKED}"
    # a name, a comma, the lender, and the clause ends: "Namaste ji. Kavita, Sahyog Finance se."
    r"|(?!(?:(?<=S)ir|(?<=M)adam|(?<=M)aam|(?<=M)am|(?<=H)ello|(?<=N)amaste|(?<=H)i)\b)[a-z]+(?:\s+[A-Z][a-z]+)?,\s+(?:[A-Z][\w&]*\s+){1,3}"
    rf"(?i:{_ORG_WORDS})(?:\s+(?:se|ki\s+taraf\s+se))?\s*(?:[.,!]|$))"
)


# The agent's name in lower-cased text, as speech recognition writes it ("main jyoti bol rahi hoon",
# "this is megha from sugam capital"): a word in an introduction, where the words around it say it
# is a name ("main X bol rahi", "main X, ...", "my name is X", "X here") and it is not one of the
# words an agent says there instead ("main aapko", "main Fullerton India se bol raha hoon").
_NOT_A_NAME = (
    "sir|madam|mam|maam|ma'am|ji|hi|hello|aap|ap|aapki|aapka|aapke|aapko|aapse|aapne|apni|apna|apke|tum|tumhara|"
    "tujhe|mujhe|hum|kaun|baat|bol|bolna|call|calling|phone|collection|collections|recovery|department|team|"
    "office|bank|from|se|ek|yeh|ye|wo|woh|kal|aaj|abhi|phir|fir|sirf|bhi|to|toh|hoon|hun|hu|kya|kaise|nahi|"
    "na|haan|theek|thik|achhe|acha|accha|achha|samajh|aa|ja|kar|de|le|dekh|bata|puch|pooch|request|sorry|"
    "really|just|the|a|an|not|your|here|speaking|regarding|about|final|only|also|again|sab|is|it|very|"
    "unke|unka|unki|uske|uska|uski|inke|iske|apne|mere|mera|meri|hamare|wahan|yahan|ghar|bas|payment|emi"
)
# The words grouped by first letter (the same words): the look-ahead is tried at every word start,
# and the engine then tries only the words that start with that word's letter. A name is a whole
# run of letters (what follows it never starts with one), so the run is not given back letter by
# letter when the rest fails.
_NOT_A_NAME_GROUPED = (regroup(_NOT_A_NAME.split("|")) or (_NOT_A_NAME, []))[0]
_A_NAME = rf"(?!(?:{_NOT_A_NAME_GROUPED})\b)[a-z]{{2,}}+"
# Every alternative starts a word with an ASCII letter. The engine skips ahead only to a pattern's
# possible first characters, so the search looks for the character before such a word (not a word
# character) and a word start at the very beginning is matched on its own: ``_names_any_case``.
_NAME_ANY_CASE_WORDS = (
    rf"(?:my name is|mera naam|this is|i am|i'm|myself)\s+(?:hai\s+)?{_A_NAME}\b"
    rf"|(?:main|mai)\s+{_A_NAME}(?:\s+[a-z]+)?(?:\s*[,.]|\s+(?:bol|here|from|speaking|calling)\b)"
    rf"|(?<!kya )(?:main|mai)\s+{_A_NAME}(?:\s+(?!ji\b)[a-z&.]+){{2,4}}\s+(?:se|ki taraf se)\b"
    rf"|(?:hello|hi|namaste|namaskar|morning|afternoon|evening)[,.]?\s+{_A_NAME}\s+(?:here|speaking|from)\b"
    rf"|{_A_NAME}\s+this\s+side\b"
    # "namaste sir ajit from kuber motor finance"
    rf"|(?:sir|madam|mam|maam|ji)[,.]?\s+{_A_NAME}\s+from\s+(?:[a-z&.]+\s+){{0,3}}?(?:{_ORG_WORDS})\b"
    rf"|(?!(?:main|mai)\b){_A_NAME}\s+(?:bol raha|bol rahi|bol reha|bolchi|bolto|bolte|bolat|baat kar raha|baat kar rahi)\b{_NOT_ASKED}"
    rf"|(?:ami|amar naam|hum|ham)\s+{_A_NAME}(?:\s+[a-z]+)?(?:\s*[,.]|\s+(?:bol|bolchi|here|from|speaking|calling)\b)"
)
_NAME_ANY_CASE_FIRST = re.compile(rf"(?=[a-z])(?:{_NAME_ANY_CASE_WORDS})")
_NAME_ANY_CASE_AFTER = re.compile(rf"[^\w](?=[a-z])(?:{_NAME_ANY_CASE_WORDS})")


def _names_any_case(low: str) -> bool:
    r"""Whether lower-cased ``low`` has ``\b(?=[a-z])`` and then one of ``_NAME_ANY_CASE_WORDS``."""
    return _NAME_ANY_CASE_FIRST.match(low) is not None or _NAME_ANY_CASE_AFTER.search(low) is not None


def _identifies(side: _Side) -> bool:
    """Whether the agent names the lender or agency (``_ORG``) and themselves (``_NAME``), in any
    letter case: speech recognition often writes names in lower case."""
    joined = side.joined
    if not joined.isascii():
        return bool(_ORG.search(joined) and (_NAME.search(joined) or _names_any_case(joined.lower())))
    low = side.scan.low
    return bool(
        (_ORG_ASCII.search(low) or _word_before_se(low))
        and (_NAME_LOWER.search(joined) or _NAME_UPPER.search(joined) or _names_any_case(low))
    )


def _word_before_se(low: str) -> bool:
    r"""Whether lower-cased ASCII ``low`` has ``[a-z][\w&.]*\s+se(?:\s|[.,])`` (an ``_ORG`` phrase)."""
    for m in _SE.finditer(low):
        i = m.start()
        while i and (low[i - 1].isalnum() or low[i - 1] in "_&."):
            i -= 1
            if low[i].isalpha():
                return True
    return False


_ASKS_WHO = (  # a yes/no question about who answered, as speech recognition writes it (no "?")
    r"|\bkya\s+(?:meri|main|mai|aap|ap|ye|yeh|mera|hum|ham|hamar|humar)\b|\bji\s+se\s+(?:ho|baat)\b|\b(?:se|sa|ji)\s+baat\b"
    r"|\b(?:naal|nal)\s+gal\b|\bse\s+(?:baat\s+)?(?:ho|kar)\s+rah"
    r"|\b(?:speaking|talking)\s+(?:to|with)\b|\bam\s+i\s+talking\b"
    # a greeting that names the borrower ("hello mister kumaravel")
    r"|\b(?:hello|hi|namaste|namaskar|vanakkam|good\s+(?:morning|afternoon|evening))\W+(?:mister|mr|mrs|ms|miss|shri|smt)\b"
    # or greets them by name and a respectful word ("Namaskaram Raju garu", "hello Bheemappa avare")
    r"|\b(?:hello|hi|namaste|namaskar|namaskara|namaskaram|vanakkam|salaam|adaab|good\s+(?:morning|afternoon|evening))"
    r"\W+(?!(?:sir|madam|mam|ji|bhai|bhaiya|aap|main)\b)[a-z]+(?:\s+[a-z]+)?\s+(?:ji|garu|gaaru|avare|sahab|saab|sahib|bhai|bhaiya|didi)\b"
    # "kya devendra singh ji": the borrower's name as a question without its "?"
    r"|\bkya\s+(?!(?:aap|ap|main|mai|hum|ham|aapka|aapki)\b)[a-z]+(?:\s+[a-z]+)?\s+(?:ji|garu|sahab|saab)\s*(?=$|[\n.,!])"
)
_IDENTITY_Q = _plain(
    r"\b(?:baat\s+(?:ho|kar)|speaking with|speak (?:with|to)|am i speaking|is this|bol rahe|bol rahi hain|hain kya|hai kya|available|phone do|call kar sakta|aap\s+\w+(?:\s+\w+)?\s+(?:ji\s+)?(?:hi\s+)?(?:hain|ho|bol))"
    + _ASKS_WHO,
    r"\b(?:ji|jee|hai|hain|na)\s*\?",
    r"बात\s+हो|बात\s+कर|बोल\s+रहे|बोल\s+रही|जी\s*(?:ही\s+)?(?:हैं|है|हो)|जी\s*\?|हैं\s+ना|का\s+नंबर|\?",
    r"क्या\s+(?:मेरी\s+)?बात|से\s+(?:बात\s+)?हो\s+रही",
)
# "(dheemi awaaz) haan ji"; a greeting first: "ram ram sa, haan bolo", "Jai Hind beti. Haan, ..."
_STAGE = (
    r"(?:\([^()]{0,30}\)\W*)?(?:(?:ram\s+ram|jai\s+hind|namaste|namaskar|namaskara|namaskaram|pranam|vanakkam|hello|hi|"
    r"good\s+(?:morning|afternoon|evening))(?:\s+(?:sa|ji|sir|madam|bhaiya|bhai|didi|beti|beta|babu|dada|uncle))?\W+)?"
)
# "houdu" (Kannada), "hoi" (Assamese), "haw" (Chhattisgarhi), "athe" (Malayalam), "avunu" (Telugu)
_YES_WORDS = (
    "haan|haa|han|ha|hanji|haanji|ji|jee|yes+|yeah|yep|yup|speaking|bolo|boliye|bataiye|ha ji|ho|hau|hav|aama|aam|"
    "hyan|hoy|bilkul|houdu|howdu|hoi|haw|athe|athey|avunu|ya"
)
# "This is Farah." / "... Yes, it's Anusha": the borrower naming themself.
_NAMES_SELF = (
    r"(?!(?:not|wrong|the|a|an|his|her|my|your|me|ok|okay|fine|alright|done|nothing|over|true)\b)[a-z]+"
)
# "It's me" in the languages collectors meet ("Kuljit taan main haan", "ami bolchi", "Senthil here").
_SAYS_ME = (
    r"\b|\b(?:main|mai|mi|ami)\s+(?:hi\s+)?(?:haan|hoon|hu|hun|bolchi|bolto|bolte|bolat)\b|\b(?:bolchi|bolto|bolti)\b"
    r"|\b(?:haan|haa|ha)\s+(?:main|mai)(?:\s*[.!,]|\s*$)"
    r"|^\W*(?:yes,?\s+)?(?!(?:not|no|nobody|nothing)\b)[a-z]+\s+here\b"
)
# A clear yes, not a "haan nahi".
_YES_AFTER = r"\b(?:haan|haa|hanji|haanji|yes|yeah|yep|bilkul)\b(?!\W*(?:nahi|nahin|no|not)\b)"
_AFFIRM = _plain(
    rf"^\W*{_STAGE}(?:[a-z]-)?(?:{_YES_WORDS})\b|^\W*{_STAGE}(?:\w+\W+)?(?:bolo|boliye|bolun|bola|bolen|bataiye|batao)\b",
    rf"^\W*(?:this is|it'?s)\s+{_NAMES_SELF}\W*$",
    rf"\b(?:main hi|mai hi|bol raha|bol rahi|speaking|this is me|that's me|it's me|yes,? this is){_SAYS_ME}",
    rf"\b(?:yes|yeah|haan),?\s+(?:it'?s|this is)\s+{_NAMES_SELF}",
    r"^\W*(?:\([^()]{0,30}\)\W*)?(?:(?:राम\s+राम|नमस्ते|नमस्कार|प्रणाम|जय\s+हिंद)(?:\s+\S+)?[\s,।!]+)?(?:हाँ|हां|जी|बोलिए|बोलो|हो|हा)(?=[\s,.।!?…]|$)",
    r"मैं\s+ही|(?:ही|हि)\s+(?:हूँ|हूं|हैं)|बोल\s+रहा|बोल\s+रही|बोलत[ोीाे]|बोलत\s+(?:बानी|बाड़ी|हईं|हई)",
    r"\bhi\s+(?:hoon|hun|hu)\b",  # "Jagadish hi hoon"
    rf"[.?!,]\s*{_YES_AFTER}",  # "subah subah? haan bolo", "Good morning Yamini, yes."
)
# The same for an ASCII turn (the case-insensitive searches then read the lower-cased text), as
# lexicons, so a speaker's text is scanned only when a first word is there; the "?" and Devanagari
# alternatives are left out (a "?" is checked apart, and cannot be in an ASCII turn without one).
_IDENTITY_Q_ASCII = lexicon(
    r"\b(?:baat\s+(?:ho|kar)|speaking with|speak (?:with|to)|am i speaking|is this|bol rahe|bol rahi hain|hain kya|hai kya|available|phone do|call kar sakta|aap\s+\w+(?:\s+\w+)?\s+(?:ji\s+)?(?:hi\s+)?(?:hain|ho|bol))"
    + _ASKS_WHO,
)
# The agent asking for a detail that proves identity, and then thanking the customer for it.
_VERIFY_ASKED = lexicon(
    r"\b(?:verification|verify|confirm karne|confirm kar|last (?:4|four|char|chaar) digits?|date of birth|dob|"
    r"janm tithi|pin ?code|registered (?:address|mobile|number))\b",
    r"वेरिफिकेशन|पुष्टि|जन्म\s+तिथि|पिन\s*कोड",
)
_THANKS_FIRST = re.compile(
    r"^\W*(?:thank you|thanks|thank u|thanku|shukriya|dhanyavaad|dhanyavad|dhanyawad|dhanyawaad|dhanvaad|"
    r"dhanyabad|धन्यवाद|शुक्रिया)",
    _I,
)
# The agent saying the identity check passed (after a date of birth or the last digits of a card).
_VERIFIED_SAID = lexicon(
    r"\b(?:verification\s+(?:ho gaya|ho gayi|complete|completed|done|successful)|verify ho gaya|"
    r"thank(?:s| you) for (?:the )?(?:verification|verifying|confirming)|(?:you are|aap) verified)\b",
    r"वेरिफिकेशन\s+हो\s+गया|पुष्टि\s+हो\s+गई|सत्यापन\s+हो\s+गया",
)
# A customer's answer to an identity check gives a figure (a date of birth, the last digits of a
# number, a PIN code): the agent asked for it, so the borrower answered it.
_FIGURE = re.compile(r"[0-9०-९]")
_AFFIRM_START = re.compile(  # "ho" (Marathi), "hau" (Hyderabadi), "aama" (Tamil) are a yes too
    rf"^\W*{_STAGE}(?:[a-z]-)?(?:{_YES_WORDS})\b|^\W*{_STAGE}(?:\w+\W+)?(?:bolo|boliye|bolun|bola|bolen|bataiye|batao)\b"
    rf"|^\W*(?:this is|it'?s)\s+{_NAMES_SELF}\W*$"
    r"|^\W*(?:yes,?\s+)?(?!(?:not|no|nobody|nothing)\b)[a-z]+\s+here\b",
    _I,
)
_AFFIRM_ASCII = lexicon(
    r"\b(?:main hi|mai hi|bol raha|bol rahi|speaking|this is me|that's me|it's me|yes,? this is)\b",
    r"\b(?:main|mai|mi|ami)\s+(?:hi\s+)?(?:haan|hoon|hu|hun|bolchi|bolto|bolte|bolat)\b|\b(?:bolchi|bolto|bolti)\b",
    r"\b(?:haan|haa|ha)\s+(?:main|mai)(?:\s*[.!,]|\s*$)",
    rf"\b(?:yes|yeah|haan),?\s+(?:it'?s|this is)\s+{_NAMES_SELF}",
    r"\bhi\s+(?:hoon|hun|hu)\b",
)
# A yes after a complaint or a greeting, starting a sentence or clause: read where a sentence
# mark is just before (``_yes_after_break``).
_YES_AFTER_BREAK = lexicon(_YES_AFTER)
# The agent answering a call the customer made: the lender's name first, then an offer to help
# ("Chetak Auto Finance, main Vikram bol raha hoon", "collections desk, boliye").
_ANSWERS = lexicon(
    rf"\b(?:{_ORG_WORDS}|fincap|finlease|microcredit|money)\s*[,.]",
    r"\b(?:boliye|bataiye|batayiye|kya\s+madad|kaise\s+madad|how\s+(?:can|may)\s+i\s+(?:help|assist)|helpline|desk)\b",
)
_OWN_DEBT = lexicon(
    r"\b(?:meri|mera|mere|my|hamari|hamara)\s+(?:\w+\s+){0,2}(?:emi|loan|kisht|installment|card|account|payment)",
    r"मेरी\s+किस्त|मेरा\s+लोन|मेरे\s+लोन",
)

_WRONG_NUMBER = lexicon(
    r"\b(?:galat|wrong|ghalat)\s*(?:number|no\.?|nambar|numbr)\b",
    r"गलत\s+नंबर|ग़लत\s+नंबर|गलत\s+नम्बर",
    r"\bnumber\s+(?:\w+\s+){0,2}(?:ka|ki|ke)\s+nahi\b",
    r"\b(?:don'?t|do not)\s+know\s+(?:any|anyone|this|him|her)\b",
    r"\bkisi\s+(?:\w+\s+){0,2}ko\s+(?:nahi|nahin)\s+(?:jaan|jaant|pehchan)",
    r"किसी\s+\S+(?:\s+\S+)?\s+को\s+नहीं\s+जान",
    r"\b(?:yahan|yahaan|idhar|yaha)\s+koi\s+\w+\s+(?:nahi|nahin)\b",
    r"\bthere'?s\s+no\s+\w+\s+here\b|\bno\s+one\s+(?:by|named)\b",
    r"\b(?:not|isn'?t)\s+(?:his|her)\s+number\b|\bnot my (?:loan|number)\b",
    r"\bsim\s+(?:\w+\s+){0,4}liya\b|\bnumber\s+(?:\w+\s+){0,3}(?:do|teen|char|\d+)\s+saal\s+se\b",
)
_RELATION = (
    r"(?:bhai|bhaiya|brother|wife|husband|patni|pati|beta|beti|son|daughter|father|mother|papa|pitaji|"
    r"maa|mummy|mom|dad|abbu|abba|ammi|colleague|friend|dost|munim|neighbou?r|padosi|sister|behen|bahen|relative|rishtedar|"
    r"landlord|tenant|kirayedar|boss|manager|secretary|driver|assistant|saathi|sathi|mehraru|mehrarui|babuji|saas|sasur|bahu|damaad|mama|chacha|chachi|uncle|aunty|bhabhi|devar|saala|jija|"
    r"baap|bapu|bhra|veer|flatmate|roommate|room mate|partner|cousin|nephew|bhatija|bhanja|nana|nani|dada|dadi|"
    r"grandson|granddaughter|pota|poti|naukar|servant|maid|bai|cook|receptionist|staff|employee)"
)
_THIRD_PARTY = lexicon(
    rf"\b(?:main|mai|me|i'?m|i am|this is)\s+(?:unka|unki|unke|uska|uski|uske|inka|inki|his|her|their|unhaan\s+da|unhaan\s+di|ohna\s+da|ohda|ohdi)\s+(?:\w+\s+){{0,2}}?{_RELATION}\b",
    r"\b(?:main|mai)\s+\w+\s+(?:nahi|nahin)\s*(?:hoon|hun|hu|haan|hoo)?\s*[,.]?\s+(?:main|mai)\s+",
    r"\b(?:i'?m|i am|this is)\s+not\s+\w+\s*[,.]?\s+(?:i'?m|i am|this is|my name)\b",
    r"\b(?:main|mai)\s+(?:to\s+|toh\s+)?(?:yahan|yaha|idhar|inke\s+yahan|unke\s+yahan|(?:dukaan|dukan|shop|office|godown)\s+(?:pe|par|mein|me))\s+kaam\s+kar(?:ta|ti|te)\b",
    rf"\b(?:main|mai|hum|ham)\s+(?:unka|unki|unke|uska|uski|uske|okar|unkar|ohkar|inkar|hunkar)\s+(?:\w+\s+){{0,2}}?{_RELATION}\b",
    rf"\b(?:unka|unki|unke|uska|uski|uske)\s+(?:chhota\s+|chhoti\s+|bada\s+|badi\s+)?{_RELATION}\s+(?:hoon|hu|hun|hain)\b",
    rf"\b{_RELATION}\s+(?:hoon|hu|hun|hain)\s+(?:unka|unki|unke|uska|uski|uske)\b",
    r"\b(?:reception|front\s+desk)\s+se\s+bol",
    rf"\b(?:main|mai|hum|ham|i'?m|i am)\s+(?:\w+,?\s+){{0,3}}?(?:ka|ki|ke|'s)\s+(?:chhota\s+|chhoti\s+|bada\s+|badi\s+)?{_RELATION}\b",
    rf"\b(?:his|her)\s+{_RELATION}\s+(?:here|speaking)\b|\bthis is the\s+{_RELATION}'?s?\b|\blandlord'?s\b",
    r"\bshe rents\b|\bhe rents\b",
    r"\bab\s+nahi\s+(?:raha|rahe|rahi)(?=\s*[.!?,।]|\s*$)",
    r"मैं\s+(?:उनका|उनकी|उनके|उसका|उसकी|उसके|इनका|इनकी)\s|(?:पिता|पिताजी|भाई|पत्नी|पति|बेटा|बेटी|माँ)\s+(?:हूँ|हूं|बोल)",
)
# The borrower is away ("woh duty pe gaye hain", "she is not available") or the one on the line asks
# about a relative's loan ("meri saas, Kamla ji, unka loan hai"): someone else answered, unless the
# borrower had already said it was them (then it is someone they talk about: "mere bhai ke loan mein
# guarantor banna hai").
_AWAY = lexicon(
    rf"\b(?:mere|meri|mera|hamare|humare|hamari|humari)\s+(?:chhote\s+|chhota\s+|bade\s+|bada\s+)?{_RELATION}\s*,?\s+(?:\w+,?\s+){{0,3}}?(?:ka|ki|ke|unka|unki|unke|uska|uski|uske)\s+(?:\w+\s+)?loans?\b",
    r"\b(?:wo|woh|vo|voh|bhaiya|ji|sahab|saab)\s+(?:\w+\s+){0,2}?(?:pe|par|mein|bahar|godown|office|duty|kaam|dukaan|market|gaon|shahar|bahar)\s+(?:\w+\s+)?gaye\s+(?:hain|hai|hue|huye)\b",
    r"\b(?:wo|woh|vo|voh)\s+(?:abhi\s+)?(?:ghar|seat|office|yahan|available|duty)\s+(?:pe\s+|par\s+|mein\s+)?(?:nahi|nahin)\b",
    r"\b(?:he|she)\s+(?:is|isn'?t|is not)\s+(?:not\s+)?(?:available|home|here|in)\b",
    r"(?:वो|वह|वे)\s+(?:अभी\s+)?(?:घर\s+पर|यहाँ|इस\s+नंबर\s+पर)\s+नहीं",
)

_COMMIT = lexicon(
    r"\b(?:de|kar|bhar|bhej|jama kar|jama|daal|transfer kar|pay kar|clear kar|chuka|jamaa kar|nikal)\s*(?:dunga|dungi|doonga|doongi|denge|dengi|dete|deta hoon|deti hoon|deta hu|deti hu|sakta hoon|sakti hoon|sakta hu|sakti hu|dunga|lunga|loonga)\b",
    r"\b(?:kar|bhar|bhej|daal|jama|de)\s+(?:dunga|dungi|doonga|denge|deta|deti)\b",
    r"\b(?:dunga|dungi|doonga|karunga|karungi|bharunga|bharungi|bhejunga|bhejungi|karenge|bharenge|bhejenge|denge|ho jayega|ho jaayega|kar diya jayega)\b",
    r"\b(?:will|i'?ll|can|shall|i will|going to)\s+(?:\w+\s+){0,2}?(?:pay|transfer|clear|deposit|send|settle|move|put|keep|arrange|give|make the payment|do (?:it|the|neft|imps|upi|rtgs|gpay|phonepe|paytm|online|payment|transfer)|make sure|ensure)\b",
    # "I will come to the branch and pay", "I'll do", "I can do 10k"
    r"\b(?:will|i'?ll|shall)\s+(?:\w+\s+){2,6}?and\s+(?:pay|deposit|clear|give|transfer|settle)\b|\b(?:i will|i'?ll|i can|we will|we'?ll|we can)\s+do\b",
    r"\b(?:will pay|pay on|pay by|paying|i can pay)\b",
    r"\ble\s+(?:aaunga|aaungi|aaoonga|aayenge|aayengi|aaenge)\b|\bkat\s+(?:jayega|jaega|jaayega|jaata|jata|jayegi|jaegi)\b",
    # an auto-debit left to run ("kat jaane do", "chala jayega", "10th it will go"), money offered ("3000 le lena")
    r"\b(?:kat|cut)\s+jaane\s+(?:do|dijiye)\b|\b(?:chala|chali|chale)\s+(?:jayega|jaega|jaayega|jayegi|jaegi|jaayegi)\b",
    r"\bit\s+will\s+(?:go|get\s+debited|be\s+debited|be\s+deducted|get\s+deducted)\b|\ble\s+(?:lena|lijiye|lijiyega)\b",
    # the present for the near future: "kal 3000 bhejta hoon", "tuesday tak jama karta hoon"
    r"\b(?:bhejta|bhejti|bharta|bharti|daalta|dalta|daalti|dalti|chukata|chukati)\s+(?:hoon|hun|hu|hoo)\b",
    r"\b(?:jama|pay|transfer|clear|payment)\s+(?:karta|karti)\s+(?:hoon|hun|hu|hoo)\b",
    # Bhojpuri, Maithili, Chhattisgarhi and Rajasthani futures: "de deb", "de debai", "kar dehu", "kar dyunga"
    r"\b(?:de|kar|bhar|jama kar|jama|daal|bhej|chuka)\s+(?:deb|debai|debau|dehu|dehun|dyunga|dyungi)\b|\b(?:dyunga|dyungi|debai|dehu)\b",
    # Bengali, Punjabi and Marathi speakers' Hinglish: "diye debo", "pa dinda haan", "bharto"
    r"\b(?:debo|dibo|korbo|pathabo|dinda|dindi|dende|paavanga|pavanga|paunga|dewanga|deyanga|jaaugi|jaauga|jaugi|jauga)\b",
    r"\b(?:bharto|bharte|bharin|bharun deto|deto|karto|thevto|thevte|pathavto|bharel|deil|karel)\b",
    r"दूँगा|दूंगा|दूँगी|दूंगी|दे\s+दूँ|करूँगा|करूंगा|करूँगी|करूंगी|भरूँगा|भरूंगा|करवा\s+दूँगा|करवा\s+दूंगा|कर\s+दूँगा|कर\s+दूंगा|जमा\s+कर|दे\s+सकता|दे\s+दूँगी|हो\s+जाएगा",
    r"देंगे|देंगी|करेंगे|करेंगी|भरेंगे|भरेंगी|भेजेंगे|डालेंगे|चुकाएंगे|भरूंगी|भरूँगी|डाल\s+दूंगी|डाल\s+दूँगी|कट\s+जाएगा|कट\s+जाएगी",
    r"(?:दे|कर|भर|जमा\s+कर)\s+(?:देब|देबै|देहु|द्यूंगा)",
)
_FULL = lexicon(
    r"\b(?:poora|pura|poori|puri|full|entire|total|whole|saara|sara|sab clear|complete)\b", r"पूरा|पूरी|सारा|पूरे"
)
_REST = lexicon(r"\b(?:baaki|baki|bakaya|rest|balance|remaining|baad mein baaki)\b", r"बाकी|बाक़ी|शेष")
# Some money, no figure: "kuch na kuch daal dunga", "jitna hoga utna" (the guide: no amount said).
_SOME = lexicon(
    r"\bkuch\s+(?:kar|de|bhar|daal|bhej|jama)\b|\b(?:kuch na kuch|kuch toh|kuch to|jitna ho sake|jitna hoga|jitna ho paye|jitna ban|thoda bahut|thoda sa|whatever i can|something)\b",
    r"कुछ\s+न\s+कुछ|जितना\s+हो",
)
# A "now" that is no time to pay: in a negated clause ("abhi wallet mein kuch nahi"), or under a
# condition ("jab paisa aayi turant de denge").
_NOT_NOW = lexicon(
    r"\b(?:nahi|nahin|nai|not|no|don'?t|jab|jaise hi|when|once|as soon as)\b", r"नहीं|जब|जैसे\s+ही"
)
# "Now" as "at present I can": "right now I can do 10k. By tomorrow." - a day said with it is the day.
_ABLE = lexicon(r"\b(?:sakta|sakti|sakte|can|could|possible)\b", r"सकता|सकती|सकते")
# After "baaki" / "balance", words that make it the money in an account ("balance is in the
# account", "balance maintain rahega") or a clause's subject ("jo baaki hai wo ..."), not the rest of a debt.
_ACCOUNT_BALANCE = re.compile(
    r"\s+(?:is|will be|in|there|maintain\w*|rakh\w*|rahega|rahegi|hai|hoga)(?![\w])|\s*(?:maintain|rakh)", _I
)
# Between a bare figure and the commitment verb it goes with: "3000 le lena", "5000 ka kar dunga".
_RIGHT_BEFORE = re.compile(r"\s*(?:ka|ki|ke|का|की)?\s*", _I)
# A day refused right after it is said: "aaj to nahi ho payega", "kal nahi, parso".
_REFUSED_AFTER = re.compile(
    r"\s*(?:to|toh|tho|तो)?\s*(?:nahi|nahin|nai|not|no|नहीं)(?![\w])"
    r"(?!\s+(?:problem|issue|tension|dikkat|chinta|doubt|worries|pakka)\b)",
    _I,
)
# "Now" as a time to pay; "abhi tak" (until now), "abhi bhi" (still), "abhi nahi" (not now) are not.
_NOW = lexicon(
    r"\b(?:abhi|abi)\b(?!\s+(?:tak|bhi|nahi|nahin|nai|to nahi|toh nahi)\b)|\b(?:right now|immediately|turant|isi waqt)\b",
    r"अभी(?!\s+(?:तक|भी|नहीं))|तुरंत",
)

_DISTRESS: tuple[tuple[DistressKind, Lexicon], ...] = (
    (
        DistressKind.SELF_HARM,
        lexicon(
            r"\b(?:suicide|suicidal|kill myself|end my life|end it all|ending it all|ending my life|take my (?:own )?life|no reason to live|don'?t want to live|better off dead|harm myself)\b",
            r"\b(?:khudkushi|khudkhushi|aatmahatya|atmahatya|atmhatya)\b",
            r"\b(?:jaan|jan)\s+(?:de\s+)?(?:dunga|dungi|de doonga|dena padega|de dun|de du)\b",
            r"\b(?:mar|marr)\s+(?:jaunga|jaungi|jaaunga|jaaungi|jaana|jana|jaun|jau)\b|\bmarne\s+(?:ka|ke)\s+(?:mann|man|khayal|siwa|alawa)\b",
            r"\b(?:zeher|zehar|jahar|zaher)\s+(?:kha|pee|pi)\b|\b(?:phansi|fanda|fansi)\s+(?:laga|lagana|lagaa)\b",
            r"\bjeene\s+ka\s+(?:mann|man|koi)\b|\bjeena\s+(?:nahi|nahin|bekaar)\b|\bsab\s+khatam\s+kar\s+(?:dunga|lunga|dungi)\b",
            r"आत्महत्या|ख़ुदकुशी|खुदकुशी|जान\s+दे\s+दूँ|जान\s+दे\s+दूंगा|मर\s+जाऊँ|मर\s+जाऊं|मर\s+जाऊँगा|ज़हर\s+खा|जहर\s+खा|फाँसी|फांसी|जीने\s+का\s+मन\s+नहीं",
        ),
    ),
    (
        DistressKind.MEDICAL_EMERGENCY,
        lexicon(
            r"\b(?:hospital|hospitali[sz]ed|admit (?:hai|hain|hua|hui|kiya|karwaya|karaya)|admitted|bharti (?:hai|hain|hua|hui|kiya|karwaya)|icu|ventilator|operation|surgery|heart attack|stroke|cancer|chemo|chemotherapy|dialysis|dengue|malaria|typhoid|accident(?!\s+(?:mein|me|main)\s+(?:chala|chale|chali|maut|death|died|mar))|fracture|ilaaj|ilaj|treatment|medical emergency|critical|paralysis|lakwa|delivery complication|kidney|brain tumou?r|tumou?r|covid positive)\b",
            r"अस्पताल|हॉस्पिटल|भर्ती|ऑपरेशन|आपरेशन|इलाज|हार्ट\s+अटैक|दिल\s+का\s+दौरा|कैंसर|आईसीयू|डायलिसिस|एक्सीडेंट|दुर्घटना|लकवा",
        ),
    ),
    (
        DistressKind.BEREAVEMENT,
        lexicon(
            r"\b(?:dehant|dehaant|swargwas|swargvas|guzar gaye|guzar gayi|guzar gaya|gujar gaye|gujar gayi|passed away|died|death|funeral|antim sanskar|maut|shraddh|chal base|chal basi|chal basa|lost my (?:father|mother|husband|wife|son|daughter|brother|sister|dad|mom))\b",
            r"\baccident\s+(?:mein|me)\s+(?:chala|chale|chali)\s+(?:gaya|gaye|gayi)\b",
            r"\b(?:ab|abhi)\s+nahi\s+(?:rahe|rahi|raha)(?=\s*[.!?,।]|\s*$)",
            r"\b(?:papa|pitaji|mummy|maa|pati|husband|wife|patni|beta|beti|bhai|ji)\s+(?:ab\s+)?nahi\s+(?:rahe|rahi)(?=\s*[.!?,।]|\s*$)",
            r"\b(?:father|mother|husband|wife|son|daughter|brother|sister|dad|mom)\s+(?:\w+\s+)?expired\b",
            r"देहांत|निधन|गुज़र\s+गए|गुजर\s+गए|गुज़र\s+गई|गुजर\s+गई|नहीं\s+रहे|नहीं\s+रही|मौत|मृत्यु|स्वर्गवास|चल\s+बसे|अंतिम\s+संस्कार",
        ),
    ),
    (
        DistressKind.JOB_LOSS,
        lexicon(
            r"\b(?:job|naukri|nokri|kaam)\s+(?:\w+\s+)?(?:chali gayi|chali gai|chala gaya|gayi|gai|chhoot gayi|chhut gayi|chut gayi|chhoot gai|nahi hai|nahi rahi|khatam|se nikal)",
            r"\b(?:lost my job|laid off|layoff|lay off|layoffs|retrenched|fired|terminated|unemployed|jobless|out of work|let (?:\w+\s+){0,3}go|looking for (?:a )?(?:job|work)|no income|no job)\b",
            r"\b(?:berozgar|berozgaar|berojgar|nikal diya|nikaal diya|nikala gaya|chhatni|chhantni|chantni)\b",
            r"\b(?:business|dukaan|dukan|factory|company|shop|dhandha|kaam dhandha)\s+(?:\w+\s+)?(?:band|bandh|shut|closed|shut down|doob)",
            r"\b(?:salary|income|kamai)\s+(?:band|nahi aa rahi|ruk gayi|stopped)\b|\bshut down\b",
            r"नौकरी\s+(?:छूट|चली|नहीं|गई)|बेरोज़गार|बेरोजगार|छँटनी|छंटनी|निकाल\s+दिया|काम\s+छूट|दुकान\s+बंद|फैक्ट्री\s+बंद|धंधा\s+बंद",
        ),
    ),
)

_CALLBACK = lexicon(
    r"\b(?:call|phone|fon)\s+(?:\w+\s+){0,2}?(?:karna|karo|kariye|karein|karen|kar lena|kar lijiye|kar dena|back|later|me|kariyega|kijiye|kijiyega)\b",
    r"\b(?:baad|baadmein|later)\s+(?:\w+\s+)?(?:call|phone|baat)\b|\bcall back\b|\bcallback\b",
    r"कॉल\s+(?:करना|करें|करिए|कीजिए|कर\s+लेना)|फोन\s+(?:करना|करें|करिए|कीजिए|कर\s+लेना)|फ़ोन\s+(?:करना|करें|करिए|कीजिए)",
)
_HARDSHIP_CUE = lexicon(
    r"\b(?:job|naukri|salary|income|hospital|medical|operation|loss|business|paisa nahi|paise nahi|kamai|mushkil|hardship|problem|dikkat|takleef|pareshani|emergency|bimar|beemar|ilaaj|laid off|lost|accident|shaadi|fees|death|dehant|kharcha|rent)\b",
    r"नौकरी|तनख्वाह|अस्पताल|बीमार|इलाज|नुकसान|मुश्किल|परेशान|पैसे\s+नहीं|दिक्कत|बेरोज़गार|छँटनी|ऑपरेशन",
)
_DISPUTE_CUE = lexicon(
    r"\b(?:already paid|paid|bhar diya|bhar chuka|de diya|de chuka|kar diya|galat|wrong|incorrect|never took|nahi liya|liya hi nahi|fraud|extra|charge|charges|penalty|double|not mine|mera nahi|receipt|statement|dispute|interest|amount|jyada|zyada|mismatch|unauthori[sz]ed)\b",
    r"गलत|भर\s+दिया|जमा\s+कर\s+दिया|लिया\s+ही\s+नहीं|चार्ज|ज़्यादा|ज्यादा|रसीद|धोखा",
)
_SENTENCE = re.compile(r"[^.!?।\n]+[.!?।]?")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _clip(text: str, limit: int = _QUOTE_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _window(text: str, start: int, end: int, limit: int = _QUOTE_MAX) -> str:
    """The sentence(s) around ``text[start:end]``, at most ``limit`` characters."""
    if len(text) <= limit:
        return _clip(text, limit)
    left = max(text.rfind(p, 0, start) for p in ".!?।\n") + 1
    right_candidates = [i for i in (text.find(p, end) for p in ".!?।\n") if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    if right - left > limit:
        left = max(0, start - limit // 3)
        right = min(len(text), left + limit - 1)
    return _clip(text[left:right], limit)


_NEG_RIGHT_AFTER = re.compile(r"^\s*(?:nahi|nahin|nai|not|नहीं)(?![\w])", _I)


# A plan the customer had ("socha tha aaj hi karungi"), not what they commit to now.
_PLANNED_BEFORE = re.compile(
    r"\b(?:socha|sochi|sochaa|soch rahi|soch raha|thought|was going to|was planning)\b(?:\s+(?:tha|thi|the|ki|ke|that))*"
    r"(?:\s+\S+){0,3}\s*$|सोचा\s+था(?:\s+\S+){0,3}\s*$|सोची\s+थी(?:\s+\S+){0,3}\s*$",
    _I,
)


def _commitment_negated(text: str, start: int, end: int) -> bool:
    """A commitment negated before it ("nahi de paunga") or right after it ("dunga nahi"), or only
    a plan the customer had ("socha tha aaj hi karungi, par parso tak kar dungi"); a "mat"
    further on is someone else's verb ("kar deta hoon, please ghar mat bhejna")."""
    return (
        bool(_NEG_RIGHT_AFTER.search(text[end : end + 12]))
        or _negated_before(text, start)
        or _PLANNED_BEFORE.search(text[max(0, start - 40) : start]) is not None
    )


def _negated(text: str, start: int, end: int) -> bool:
    """A negation in the same clause, not across a condition ("nahi diya to police ..." is no negation)."""
    return bool(_NEG_AFTER.search(text[end : end + 30])) or _negated_before(text, start)


def _negated_before(text: str, start: int) -> bool:
    """A negation in the 30 characters before ``start``, after the last condition there."""
    before = text[max(0, start - 30) : start]
    cuts = list(_CONDITION.finditer(before))
    if cuts:
        before = before[cuts[-1].end() :]
    return _NEG_BEFORE.search(before) is not None


class _Side:
    """The turns of one speaker: their indices among all turns, their texts, and the texts
    joined by line breaks, the form the lexicons scan (once per transcript for all of them)."""

    __slots__ = ("joined", "scan", "starts", "texts", "turns")

    def __init__(self) -> None:
        self.turns: list[int] = []
        self.texts: list[str] = []
        self.starts: list[int] = []  # where each text starts in ``joined``
        self.joined = ""
        self.scan = _NO_SCAN

    @classmethod
    def pair(cls, turns: list[Turn]) -> tuple[_Side, _Side]:
        """The customer's and the agent's sides of ``turns``, in one pass."""
        customer, agent = cls(), cls()
        ends = [0, 0]  # where the next text of each starts in its ``joined``
        for i, t in enumerate(turns):
            if t.speaker is Speaker.CUSTOMER:
                side, n = customer, 0
            elif t.speaker is Speaker.AGENT:
                side, n = agent, 1
            else:
                continue
            side.turns.append(i)
            side.texts.append(t.text)
            side.starts.append(ends[n])
            ends[n] += len(t.text) + 1
        for side in (customer, agent):
            side.joined = "\n".join(side.texts)
            side.scan = Scan(side.joined, gate=True)
        return customer, agent

    def search(self, pattern: Lexicon, k: int) -> bool:
        """Whether ``pattern`` matches the ``k``-th text on its own."""
        if not self.scan.lowered:  # then each text is lower-cased on its own
            return pattern.search(self.texts[k]) is not None
        start = self.starts[k]
        return pattern.search_in(self.scan, start, start + len(self.texts[k])) is not None


_NO_SCAN = Scan("")


def _live_hits(
    pattern: Lexicon, side: _Side, *, negation: bool, negated: Callable[[str, int, int], bool] = _negated
) -> dict[int, tuple[int, int]]:
    """The first live match in each text of ``side`` (index -> local span), with one scan of them all;
    with ``negation``, a match ``negated`` says is negated is not live."""
    joined, starts = side.joined, side.starts
    hits: dict[int, tuple[int, int]] = {}
    for m in pattern.scan(side.scan):
        k = bisect_right(starts, m.start()) - 1
        if k in hits or (negation and negated(joined, m.start(), m.end())):
            continue
        hits[k] = (m.start() - starts[k], m.end() - starts[k])
    return hits


def _tells_debt(call: _Call, k: int) -> bool:
    """Whether the agent's ``k``-th text tells someone of the debt: a figure, a debt word, or "your
    loan". A bare "loan" is not enough, since lenders put it in their names ("Kuber Swarna Loans se
    bol rahi hoon")."""
    side = call.agent
    text = side.texts[k]
    if side.scan.lowered:  # the matches in the text, from the one scan of the agent's side
        start = side.starts[k]
        found = _DEBT_WORDS.scan(side.scan, start, start + len(text))
    else:
        start, found = 0, _DEBT_WORDS.finditer(text)
    if any(not _LENDER_WORD.match(text, m.end() - start) for m in found):
        return True
    return side.search(_YOUR_LOAN, k) or bool(call.amounts(side.turns[k]))


def _has_account_status(call: _Call, k: int) -> bool:
    """Account-specific facts (a figure, what is due or pending), not general product information."""
    return call.agent.search(_STATUS, k) or bool(call.amounts(call.agent.turns[k]))


def _helps_report(text: str, start: int, end: int) -> bool:
    """Whether the sentence around ``text[start:end]`` helps the borrower report something (a
    police complaint or FIR copy for a fraud, an insurance claim, a grievance): police words there
    are not a threat."""
    return any(
        (s.start() <= start < s.end() or s.start() < end <= s.end()) and _HELPS_REPORT.search(s.group(0))
        for s in _SENTENCE.finditer(text)
    )


def _sentence_with(text: str, pattern: Lexicon) -> str | None:
    for s in _SENTENCE.finditer(text):
        if pattern.search(s.group(0)):
            return s.group(0).strip()
    return None


# --------------------------------------------------------------------------------------------
# Contact status and compliance
# --------------------------------------------------------------------------------------------


class _Call:
    """One transcript as the detail rules read it: its turns and each speaker's side.

    The amounts and dates of a turn, and whether an agent turn tells of the debt, are worked
    out once, when first asked: the promise and conduct rules come back to the same turns.
    ``anchor`` is the call time the dates are resolved against.
    """

    __slots__ = (
        "_agent_amounts",
        "_amounts",
        "_dates",
        "_said",
        "_told",
        "_verified",
        "agent",
        "anchor",
        "customer",
        "labelled",
        "turns",
    )

    def __init__(self, transcript: str, anchor: datetime | None = None) -> None:
        self.turns, self.labelled = split_turns(transcript)
        self.customer, self.agent = _Side.pair(self.turns)
        self.anchor = anchor
        self._verified: list[int | None] = []
        self._agent_amounts: set[int] | None = None
        self._amounts: dict[int, list[AmountMatch]] = {}
        self._said: dict[int, tuple[list[AmountMatch], list[AmountMatch]]] = {}
        self._dates: dict[int, list[DateMatch]] = {}
        self._told: dict[tuple[int, bool], bool] = {}

    def amounts(self, i: int) -> list[AmountMatch]:
        """``find_amounts`` of the ``i``-th turn's text."""
        found = self._amounts.get(i)
        if found is None:
            found = self._amounts[i] = find_amounts(self.turns[i].text)
        return found

    def amounts_and_bare(self, i: int) -> tuple[list[AmountMatch], list[AmountMatch]]:
        """``find_amounts_and_bare`` of the ``i``-th turn's text."""
        found = self._said.get(i)
        if found is None:
            found = self._said[i] = find_amounts_and_bare(self.turns[i].text)
        return found

    def dates(self, i: int) -> list[DateMatch]:
        """``find_dates`` of the ``i``-th turn's text, against the call's ``anchor``."""
        found = self._dates.get(i)
        if found is None:
            assert self.anchor is not None, "dates are read only in a call with its anchor"
            found = self._dates[i] = find_dates(self.turns[i].text, self.anchor)
        return found

    def tells(self, k: int, *, status_only: bool) -> bool:
        """``_has_account_status`` (with ``status_only``) or ``_tells_debt`` of the agent's ``k``-th text."""
        told = self._told.get((k, status_only))
        if told is None:
            told = self._told[k, status_only] = (
                _has_account_status(self, k) if status_only else _tells_debt(self, k)
            )
        return told

    def agent_amounts(self) -> set[int]:
        """The figures the agent named as money (worked out once, when first asked)."""
        if self._agent_amounts is None:
            self._agent_amounts = {a.value for i in self.agent.turns for a in self.amounts(i)}
        return self._agent_amounts

    def verified(self) -> int | None:
        """The index of the customer turn that confirms the borrower is on the line, if any
        (whatever the contact status; worked out once)."""
        if not self._verified:
            self._verified.append(_verified_index(self))
        return self._verified[0]


def _contact(call: _Call) -> tuple[ContactStatus, float]:
    customer = call.customer
    scan = customer.scan
    if _WRONG_NUMBER.search_in(scan) and not _OWN_DEBT.search_in(scan):
        return ContactStatus.WRONG_NUMBER, 0.85
    relatives = {t.relative for t in call.turns if t.speaker is Speaker.CUSTOMER}
    # A relative's label and then the borrower's: the relative handed the phone over, so what the
    # relative said of themself ("main unki bahu hoon") does not make the call a third party's.
    handed_over = relatives == {True, False}
    for m in _THIRD_PARTY.scan(scan):
        if (
            not handed_over
            or not call.turns[customer.turns[bisect_right(customer.starts, m.start()) - 1]].relative
        ):
            return ContactStatus.THIRD_PARTY, 0.8
    away = _AWAY.search_in(scan)
    if away is not None:
        verified = call.verified()
        if verified is None or verified >= customer.turns[bisect_right(customer.starts, away.start()) - 1]:
            return ContactStatus.THIRD_PARTY, 0.8
    if relatives == {True}:  # only people labelled as the borrower's relatives answered
        return ContactStatus.THIRD_PARTY, 0.85
    if not call.labelled or not customer.texts:
        return ContactStatus.UNKNOWN, 0.5
    if (_BAD_LINE.search_in(scan) or _BAD_LINE.search_in(call.agent.scan)) and not _ENGAGED.search_in(scan):
        return ContactStatus.UNKNOWN, 0.5
    if call.verified() is not None:
        return ContactStatus.RIGHT_PARTY, 0.85
    low = scan.low if scan.lowered else customer.joined.lower()
    if _only_acknowledges(low):  # "Okay, noted." / "Who is this? OK."
        return ContactStatus.UNKNOWN, 0.5
    return ContactStatus.RIGHT_PARTY, 0.7


def rules_contact(transcript: str) -> ContactStatus:
    """The contact status the rules read in ``transcript`` (what ``decide_contact`` is given)."""
    return _contact(_Call(transcript))[0]


def _only_acknowledges(low: str) -> bool:
    """Whether every word of lower-cased ``low`` is an acknowledgement or a "who is this"
    (read only up to the first word that is not)."""
    return all(word.group() in _ACK_WORDS for word in _WORD.finditer(low))


def _verified_index(call: _Call) -> int | None:
    """The index of the customer turn that confirms the borrower is on the line, if any."""
    asked = verify_asked = False
    sides = {Speaker.AGENT: call.agent, Speaker.CUSTOMER: call.customer}
    seen = {Speaker.AGENT: 0, Speaker.CUSTOMER: 0, Speaker.OTHER: 0}  # turns of each speaker so far
    for i, t in enumerate(call.turns):
        side = sides.get(t.speaker)
        k = seen[t.speaker]
        seen[t.speaker] = k + 1
        text = t.text
        fast = side is not None and text.isascii()  # else the plain searches on the turn
        if t.speaker is Speaker.AGENT and side is not None:
            # (the agent's side reads its lexicons once for all its turns: see ``_Side.search``)
            passed = side.search(_VERIFIED_SAID, k) or (verify_asked and _THANKS_FIRST.match(text))
            verify_asked = verify_asked or side.search(_VERIFY_ASKED, k)
            if passed:  # the check passed on the customer's last answer
                last = next(
                    (j for j in range(i - 1, -1, -1) if call.turns[j].speaker is Speaker.CUSTOMER), None
                )
                if last is not None:
                    return last
            if not asked:  # a "?" is a match
                asked = "?" in text or (
                    side.search(_IDENTITY_Q_ASCII, k)
                    if fast and side is not None
                    else bool(_IDENTITY_Q.search(text))
                )
            continue
        if asked and (
            (
                _AFFIRM_START.match(text) is not None
                or side.search(_AFFIRM_ASCII, k)
                or _yes_after_break(side, k)
            )
            if fast and side is not None
            else _AFFIRM.search(text)
        ):
            return i
        if verify_asked and t.speaker is Speaker.CUSTOMER and _FIGURE.search(text):
            return i  # the check the agent asked for, answered
    return None


def _yes_after_break(side: _Side, k: int) -> bool:
    """Whether the ``k``-th text of ``side`` has a yes (``_YES_AFTER``) just after a sentence
    mark or comma: "Subah saat baje? Haan bolo."."""
    if not side.search(_YES_AFTER_BREAK, k):
        return False
    text = side.texts[k]
    for m in _YES_AFTER_BREAK.finditer(text):
        before = text[: m.start()].rstrip()
        if before and before[-1] in ".?!,":
            return True
    return False


def _flag(rule: ComplianceRule, severity: Severity, quote: str) -> ComplianceFlag:
    return ComplianceFlag(rule=rule, severity=severity, quote=_clip(quote), speaker=Speaker.AGENT)


def _compliance(call: _Call, contact: ContactStatus) -> list[ComplianceFlag]:
    side = call.agent
    if not side.texts:
        return []
    flags: list[ComplianceFlag] = []
    texts = side.texts
    threats = _live_hits(_THREAT, side, negation=True)
    for k, text in enumerate(texts):  # "FIR" only in capitals ("fir" is "then" in Hinglish)
        if k not in threats and "FIR" in text.replace(".", ""):
            f = next((f for f in _FIR.finditer(text) if not _negated(text, f.start(), f.end())), None)
            if f is not None:
                threats[k] = f.span()
    threats = {k: span for k, span in threats.items() if not _helps_report(texts[k], *span)}
    if threats:
        k = min(threats)
        quote = _window(texts[k], *threats[k])
        flags.append(_flag(ComplianceRule.THREAT_OR_INTIMIDATION, Severity.HIGH, quote))
    abuse = _live_hits(_ABUSE, side, negation=False)
    if abuse:
        k = min(abuse)
        flags.append(_flag(ComplianceRule.ABUSIVE_LANGUAGE, Severity.HIGH, _window(texts[k], *abuse[k])))
    if contact in (ContactStatus.WRONG_NUMBER, ContactStatus.THIRD_PARTY):
        disclosed = _first_told(call, None)
        if disclosed is not None:
            flags.append(_flag(ComplianceRule.THIRD_PARTY_DISCLOSURE, Severity.HIGH, disclosed))
    if not _identifies(side):
        flags.append(_flag(ComplianceRule.NO_IDENTIFICATION, Severity.LOW, texts[0]))
    if contact not in (ContactStatus.WRONG_NUMBER, ContactStatus.THIRD_PARTY):
        until = call.verified()
    else:
        # told before the one who answered said who they are; told to a known third party later
        # is the disclosure alone
        until = _other_party_turn(call)
    early = _first_told(call, until)
    if early is not None:
        flags.append(_flag(ComplianceRule.DISCLOSURE_BEFORE_VERIFICATION, Severity.MEDIUM, early))
    return flags


def _first_told(call: _Call, until: int | None) -> str | None:
    """The first agent text before turn ``until`` (``None``: in the whole call) that tells of the debt.
    In a call the customer made, from their first words on only account facts count: they named the
    loan, and the agent answering about it, or declining to, discloses nothing."""
    side = call.agent

    def told(first_customer: int) -> str | None:
        return next(
            (
                text
                for k, (i, text) in enumerate(zip(side.turns, side.texts, strict=True))
                if (until is None or i < until) and call.tells(k, status_only=i >= first_customer)
            ),
            None,
        )

    early = told(len(call.turns))
    if (
        early is not None
        and call.customer.turns
        and (call.turns[0].speaker is Speaker.CUSTOMER or _answers(call))
    ):
        return told(call.customer.turns[0])
    return early


def _answers(call: _Call) -> bool:
    """Whether the agent's first turn, before anyone else spoke, answers a call the customer made
    (the lender's name and an offer to help, no question about who is on the line)."""
    agent = call.agent
    if not agent.turns or agent.turns[0] != 0:
        return False
    text = agent.texts[0]
    return (
        "?" not in text
        and agent.search(_ANSWERS, 0)
        and not (agent.search(_IDENTITY_Q_ASCII, 0) if text.isascii() else _IDENTITY_Q.search(text))
    )


def _other_party_turn(call: _Call) -> int:
    """The index of the first turn where whoever answered shows they are not the borrower (a wrong
    number, a relative, someone saying the borrower is away, a relative's label), else of their
    first turn."""
    customer = call.customer
    for k, i in enumerate(customer.turns):
        if call.turns[i].relative or any(
            customer.search(cue, k) for cue in (_WRONG_NUMBER, _THIRD_PARTY, _AWAY)
        ):
            return i
    return customer.turns[0] if customer.turns else len(call.turns)


# --------------------------------------------------------------------------------------------
# Promise, distress, reasons, callback
# --------------------------------------------------------------------------------------------


def _agent_date(call: _Call, before: int) -> DateMatch | None:
    """The due date the agent stated before the customer's "on time" ("your EMI is due on the 8th")."""
    for i in reversed(range(before)):
        if call.turns[i].speaker is Speaker.AGENT:
            dated = [d for d in call.dates(i) if d.date is not None]
            if dated:
                return dated[0]
    return None


def _agent_amount(call: _Call, before: int) -> int | None:
    """The amount the agent stated: first in the latest agent turn before ``before``, else after it."""
    agent = call.agent.turns
    for i in (*reversed([i for i in agent if i < before]), *(i for i in agent if i >= before)):
        if found := call.amounts(i):
            return found[0].value
    return None


def _read_back(call: _Call, after: int) -> int | None:
    """The amount the agent reads back after the customer's commitment at ``after`` ("Ji sir, kal
    3,200." / "Next Thursday tak, 2,780"): in one of the next two agent turns, beside a day."""
    for i in [i for i in call.agent.turns if i > after][:2]:
        text = call.turns[i].text
        found = [a for a in call.amounts(i) if not _after_rest(text, a.start)]
        if found and call.dates(i):
            return found[-1].value
    return None


def _unnamed_amount(call: _Call, at: int, said: str) -> int | None:
    """The promised amount when the customer names no figure (the labelling guide's reading): the
    figure the agent reads back with the day; else, unless the customer speaks of the whole amount
    without a figure ("pura kar dunga", whose sum the call leaves open), the figure the agent stated."""
    agreed = _read_back(call, at)
    if agreed is not None or _FULL.search(said) or _SOME.search(said):
        return agreed
    return _agent_amount(call, at)


_CLAUSE_END = re.compile(r"[,;](?=\s)|[.!?।\n](?=\s|$)")
_SENTENCE_END = re.compile(r"[.!?।\n](?=\s|$)")


def _span(text: str, pos: int, ends: re.Pattern[str]) -> tuple[int, int]:
    """The clause or sentence around ``pos`` ("22,400" has no clause break in it)."""
    left, right = 0, len(text)
    for m in ends.finditer(text):
        if m.end() <= pos:
            left = m.end()
        else:
            right = m.start()
            break
    return left, right


def _after_rest(text: str, pos: int) -> bool:
    """Whether ``pos`` follows "baaki" / "balance" in its clause ("..., baaki 7,000 agle mahine");
    not an account's balance ("the balance is in the account by the 15th")."""
    lo, _ = _span(text, pos, _CLAUSE_END)
    return any(_ACCOUNT_BALANCE.match(text, lo + m.end()) is None for m in _REST.finditer(text[lo:pos]))


def _promised_dates(text: str, dates: list[DateMatch]) -> list[DateMatch]:
    """The date phrases that can be the promise's: not the rest's ("baaki agle hafte") and not a
    day refused as it is said ("aaj to nahi ho payega")."""
    return [d for d in dates if not _after_rest(text, d.start) and not _REFUSED_AFTER.match(text, d.end)]


def _promised_amount(text: str, at: int, amounts: list[AmountMatch]) -> AmountMatch | None:
    """The amount that goes with the commitment at ``at``: in its sentence, nearest to it and not
    the rest's ("pura 7,800 abhi nahi hai. Aaj 3,000 bhej deta hoon"); else the first said."""
    lo, hi = _span(text, at, _SENTENCE_END)
    inside = [a for a in amounts if lo <= a.start < hi and not _after_rest(text, a.start)]
    if inside:
        return min(inside, key=lambda a: abs(a.start - at))
    return amounts[0] if amounts else None


def _clause_date(text: str, pos: int, dates: list[DateMatch], today: date) -> DateMatch | None:
    """The dated phrase in the clause of the commitment verb at ``pos`` ("Salary 1 ko aa gayi, 3150
    rakh diya. 5 ko kat jaata": the 5th goes with "kat jaata"), nearest to it."""
    lo, hi = _span(text, pos, _CLAUSE_END)
    rest = _REST.search(text[lo:hi])
    if rest is not None and lo + rest.start() > pos:  # "... kar dunga, baaki do hafte mein": the rest's day
        hi = lo + rest.start()
    inside = [d for d in dates if d.date is not None and d.date >= today and lo <= d.start < hi]
    before = [d for d in inside if d.start < pos]  # the day comes before the verb ("kal de dunga")
    if before:
        return before[-1]
    return inside[0] if inside else None


def _now_in_clause(text: str, pos: int) -> bool:
    """Whether the clause around ``pos`` says "now" ("abhi", "right now")."""
    lo, hi = _span(text, pos, _CLAUSE_END)
    return _NOW.search(text[lo:hi]) is not None


def _pick_date(text: str, focus: int, dates: list[DateMatch], today: date) -> DateMatch | None:
    """The dated phrase that goes with the commitment at ``focus``: same clause, same sentence, nearest."""
    dated = [d for d in dates if d.date is not None and d.date >= today]
    for ends in (_CLAUSE_END, _SENTENCE_END):
        lo, hi = _span(text, focus, ends)
        inside = [d for d in dated if lo <= d.start < hi]
        if inside:
            return min(inside, key=lambda d: abs(d.start - focus))
        if ends is _CLAUSE_END:
            clause = text[lo:hi]
            rest = _REST.search(clause)
            own = clause[: rest.start()] if rest else clause
            if (
                (now := _NOW.search(own)) is not None
                and _NOT_NOW.search(own) is None
                and not (dated and _ABLE.search(own))
            ):
                a, b = lo + now.start(), lo + now.end()
                return DateMatch(None, None, a, b, text[a:b], "relative")
    return min(dated, key=lambda d: abs(d.start - focus)) if dated else None


def _amounts_said(call: _Call, i: int, at: int | None = None) -> list[AmountMatch]:
    """The amounts in a customer's ``text``: those ``find_amounts`` reads, and bare numbers that
    repeat a figure the agent named as money ("wo 2100 main monday ko kar dungi" after "EMI 2100"),
    however far the payment words are, or that stand right before the commitment verb at ``at``
    ("5000 kar sakta hoon", "Thursday ko 3000 le lena")."""
    found, bare = call.amounts_and_bare(i)
    if not bare:
        return found
    named = call.agent_amounts()
    text = call.turns[i].text
    echoed = [
        a for a in bare if a.value in named or (at is not None and _RIGHT_BEFORE.fullmatch(text, a.end, at))
    ]
    return sorted([*found, *echoed], key=lambda a: a.start) if echoed else found


def _informative(text: str, amounts: list[AmountMatch], dates: list[DateMatch], today: date) -> int:
    """How much a customer turn says of a promise: a day to pay by (2) and a figure (1)."""
    dated = any(d.date is not None and d.date >= today for d in _promised_dates(text, dates))
    return (2 if dated else 0) + (1 if amounts else 0)


def _most_informative(call: _Call, today: date) -> tuple[int, str, int, list[AmountMatch], list[DateMatch]]:
    """The latest customer turn that says the most of a promise (``_informative``), as ``_promise``
    ranks its commitments. Read from the last turn back, so the search stops at the first that
    names both a day and a figure, and a turn's dates are not read when they cannot lift it above
    the best so far (a turn with no figure, after one with a day)."""
    best: tuple[int, str, int, list[AmountMatch], list[DateMatch]] | None = None
    best_score = -1
    for i in reversed(call.customer.turns):
        text = call.turns[i].text
        amounts = _amounts_said(call, i)
        if best_score >= 2 and not amounts:
            continue  # at most 2, which does not beat a later turn's 2
        dates = call.dates(i)
        score = _informative(text, amounts, dates, today)
        if score > best_score:
            best, best_score = (i, text, 0, amounts, dates), score
            if score == 3:
                break
    assert best is not None  # (the call has customer turns)
    return best


def _answered_date(call: _Call, at: int, anchor: datetime) -> DateMatch | None:
    """A day the customer names in a turn next to the commitment at turn ``at`` that has none
    ("I will pay 5,000" - "When? Parso?" - "Day after tomorrow, yes."): the nearest such turn
    within two of the customer's turns, later ones first."""
    order = call.customer.turns
    k = order.index(at)
    near = [j for d in (1, -1, 2, -2) if 0 <= (j := k + d) < len(order)]
    for j in near:
        text = call.turns[order[j]].text
        dated = [
            d
            for d in _promised_dates(text, call.dates(order[j]))
            if d.date is not None and d.date >= anchor.date()
        ]
        if dated:
            return dated[0]
    return None


def _on_time(call: _Call, best: int) -> tuple[int, str] | None:
    """The customer's "on time" ("auto-debit is set up, it'll go through") and its turn: in the
    commitment's turn ``best``, else the first customer turn that says it."""
    for i in sorted(call.customer.turns, key=lambda i: i != best):
        if (m := _ON_TIME.search(call.turns[i].text)) is not None:
            return i, m.group()
    return None


def _restated_amount(call: _Call, after: int, due: date) -> int | None:
    """A figure the customer names with the promise's own day in a later turn, with no commitment
    verb ("kal 2650 plus charge daal dunga" - "total 3,240" - "theek hai, 3240 kal"): the sum the
    promise settles on, the latest such turn."""
    for i in reversed(call.customer.turns):
        if i <= after:
            break
        text = call.turns[i].text
        said = _amounts_said(call, i)
        if len({a.value for a in said}) != 1 or _REST.search(text):
            continue
        days = {d.date for d in _promised_dates(text, call.dates(i)) if d.date is not None}
        if days == {due}:
            return said[0].value
    return None


# Classes the labelling guide ranks above a promise: whatever the customer offers, no promise.
_BEFORE_PROMISE = frozenset({IntentCategory.WRONG_PARTY, IntentCategory.ALREADY_PAID, IntentCategory.DISPUTE})
# A commitment made on a condition ("charges hata do to aaj bhar deta hoon", "agar settlement ho
# sake, ek mahine mein arrange kar lunga").
_IF_BEFORE = re.compile(rf"{_CONDITION.pattern}|(?<![\w])(?:agar|if|अगर|yadi|यदि)(?![\w])", _I)
# The customer taking a commitment back in a later turn ("rehne do", "mat likho", "koi promise nahi").
_TAKEN_BACK = lexicon(
    rf"{_W}(?:rehne do|rahne do|mat likho|mat likhiye|note mat|promise nahi|promise nahin|vaada nahi|vada nahi|"
    rf"wada nahi|can'?t promise|cannot promise){_E}",
    r"रहने\s+दो|मत\s+लिखो|वादा\s+नहीं",
)


def _firm(call: _Call, k: int, text: str, at: int) -> bool:
    """Whether the commitment at ``at`` in the customer's ``k``-th turn stands on its own: made on
    no condition and not taken back in a later turn."""
    lo, _ = _span(text, at, _SENTENCE_END)
    if _IF_BEFORE.search(text[lo:at]):
        return False
    return not any(_TAKEN_BACK.search(later) for later in call.customer.texts[k + 1 :])


def _promise(call: _Call, category: IntentCategory, anchor: datetime) -> PromiseToPay | None:
    """The customer's commitment: a promise-to-pay call, or a firm "figure + date + will pay" in a
    call classed below a promise in the labelling guide (a settlement request with "mahine ke end
    tak 10,000 de deta hoon" in it); none in a class that outranks one (a dispute's "EMI 7 ko de
    dunga, par charge nahi")."""
    if category in _BEFORE_PROMISE:
        return None
    turns = call.turns
    today = anchor.date()
    firm_only = category is not IntentCategory.PROMISE_TO_PAY
    found: list[tuple[int, str, int, list[AmountMatch], list[DateMatch]]] = []
    customer = [(i, turns[i]) for i in call.customer.turns]
    commits = _live_hits(_COMMIT, call.customer, negation=True, negated=_commitment_negated)
    if firm_only and not commits:
        return None
    for k, (i, t) in enumerate(customer):
        if k not in commits:
            continue
        at = commits[k][0]
        amounts = _amounts_said(call, i, at)
        if firm_only and not amounts:  # (then its dates do not matter)
            continue
        dates = call.dates(i)
        if firm_only and not (any(d.date is not None for d in dates) or _now_in_clause(t.text, at)):
            continue  # a firm commitment names its day ("abhi bhej deti hoon" is today)
        if firm_only and not _firm(call, k, t.text, at):
            continue
        found.append((i, t.text, at, amounts, dates))
    if not found:
        if firm_only or not customer:
            return None
        # No commitment verb ("Next Monday ko 3600 pakka", "Month end tak. 2,999 pura."): the
        # latest customer turn that says the most of a day and a figure, else the last one.
        found = [_most_informative(call, today)]

    # The most informative commitment; of equals the latest, since a promise revised in the call
    # ("6000 Saturday ko ... accha, 8000 kar deta hoon, Saturday tak") is the one that holds.
    def rank(item: tuple[int, str, int, list[AmountMatch], list[DateMatch]]) -> tuple[int, int]:
        score = _informative(item[1], item[3], item[4], today)
        return score, item[0] if score else -item[0]  # of turns that say nothing, the first

    best_i, best, at, amounts, dates = max(found, key=rank)
    own_dates = _promised_dates(best, dates)
    chosen = _promised_amount(best, at, amounts)
    # A figure named later with nothing else ("late fee bhi? theek hai, 7350 kar dunga") revises it.
    for i, text, at2, later, more in found:
        single = len({a.value for a in later}) == 1
        if i > best_i and single and not _promised_dates(text, more) and not _REST.search(text):
            chosen = _promised_amount(text, at2, later)
    focus = chosen.start if chosen is not None and chosen in amounts else at
    amount = chosen.value if chosen is not None else None
    if amount is None:
        amount = _unnamed_amount(call, best_i, best)
    picked = _clause_date(best, at, own_dates, today) or _pick_date(best, focus, own_dates, today)
    if picked is None:
        for _, text, at2, _, more in found:
            picked = _pick_date(text, at2, _promised_dates(text, more), today)
            if picked is not None:
                break
    if picked is None and not any(_promised_dates(text, more) for _, text, _, _, more in found):
        picked = _answered_date(call, best_i, anchor)  # (not when the commitment is for salary day)
    if not own_dates:
        own_dates = dates
    due: date | None = None
    reason: str | None = None
    due_text: str | None = None
    if picked is not None:
        due, due_text = (picked.date or anchor.date()), picked.text
    elif own_dates:
        reason, due_text = own_dates[0].reason, own_dates[0].text
    elif (on_time := _on_time(call, best_i)) is not None and (agent_due := _agent_date(call, on_time[0])):
        due, due_text = agent_due.date, on_time[1]
    else:
        reason = "not_stated"
    if due is not None:
        amount = _restated_amount(call, best_i, due) or amount
    partial = True if (_REST.search(best) or len(amounts) > 1) else None
    dated = [d for d in dates if d.date is not None]
    instalments: list[Instalment] = []
    if len(amounts) >= 2 and len(dated) == len(amounts):
        instalments = [
            Instalment(amount_inr=a.value, due_date=d.date) for a, d in zip(amounts, dated, strict=True)
        ]
    filled = (amount is not None) + (due is not None)
    return PromiseToPay(
        amount_inr=amount,
        due_date=due,
        due_text=due_text[:120] if due_text else None,
        date_unresolved_reason=reason if due is None else None,
        is_partial=partial,
        instalments=instalments,
        confidence=(0.5, 0.65, 0.8)[filled],
    )


def _distress(call: _Call) -> Distress | None:
    """Distress the customer shows; negated mentions ("koi hospital nahi") do not count, except
    self-harm, where negative phrasing is the signal ("I don't want to live")."""
    texts = call.customer.texts
    found: list[tuple[DistressKind, int, tuple[int, int]]] = []
    for kind, pattern in _DISTRESS:
        hits = _live_hits(pattern, call.customer, negation=kind is not DistressKind.SELF_HARM)
        if hits:
            k = min(hits)
            found.append((kind, k, hits[k]))
    if not found:
        return None
    kind, k, span = found[0] if found[0][0] is DistressKind.SELF_HARM else min(found, key=lambda f: f[1])
    return Distress(kinds=[f[0] for f in found], quote=_window(texts[k], *span))


def _reason(call: _Call, cue: Lexicon) -> str | None:
    customer = call.customer.texts
    for text in customer:
        found = _sentence_with(text, cue)
        if found:
            return _clip(found, _REASON_MAX)
    return _clip(customer[0], _REASON_MAX) if customer else None


def _callback(call: _Call, category: IntentCategory, anchor: datetime) -> datetime | None:
    """When the customer asks to be called back; a turn's dates are those the promise rules read
    when they are resolved against the same ``anchor``."""
    side = call.customer
    shared = call.anchor is anchor
    for k, text in enumerate(side.texts):
        if category is IntentCategory.CALLBACK_REQUEST or side.search(_CALLBACK, k):
            when = parse_callback(text, anchor, partial(call.dates, side.turns[k]) if shared else None)
            if when is not None:
                return when
    return None


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def add_details(analysis: CallAnalysis, transcript: str, call_started_at: datetime | None) -> CallAnalysis:
    """``analysis`` with the detail fields filled from ``transcript`` (``outside_calling_hours``,
    priority and ``needs_review`` are left to ``enrich.finish``)."""
    update = detail_fields(transcript, call_started_at, IntentCategory(analysis.intent_category))
    kept = [f for f in analysis.compliance_flags if f.rule is ComplianceRule.OUTSIDE_CALLING_HOURS]
    if kept:
        update["compliance_flags"] = [*kept, *update["compliance_flags"]]
    return analysis.model_copy(update=update)


def detail_fields(
    transcript: str,
    call_started_at: datetime | None,
    category: IntentCategory,
    *,
    decide_contact: Callable[[ContactStatus], tuple[ContactStatus, float] | None] | None = None,
) -> dict[str, Any]:
    """The detail fields ``add_details`` fills, for a call of ``category``, as keyword arguments
    of ``CallAnalysis`` (for a caller that builds the analysis once with all its fields).

    ``decide_contact`` may replace the rules' contact status (and its confidence) before the
    conduct rules read it: the learned model's contact head does.
    """
    anchor = call_started_at or datetime.now(UTC)
    call = _Call(transcript, anchor)
    contact, contact_conf = _contact(call)
    if decide_contact is not None and (decided := decide_contact(contact)) is not None:
        contact, contact_conf = decided
    ptp = _promise(call, category, anchor)
    return {
        "contact_status": contact,
        "promise_to_pay": ptp,
        "distress": _distress(call),
        "compliance_flags": _compliance(call, contact),
        "hardship_reason": _reason(call, _HARDSHIP_CUE) if category is IntentCategory.HARDSHIP else None,
        "dispute_reason": _reason(call, _DISPUTE_CUE) if category is IntentCategory.DISPUTE else None,
        "callback_at": _callback(call, category, anchor),
        "confidence": FieldConfidence(
            intent_category=0.45 if category is IntentCategory.OTHER else 0.75,
            sentiment=0.7,
            action_required=0.75,
            contact_status=contact_conf,
            promise_to_pay=ptp.confidence if ptp is not None else None,
        ),
    }
