# ruff: noqa: E501 - one phrase family per line, however long the regex.
"""The phrase lists of the detail rules (data): what the customer and the agent say that tells who
answered, a promise, distress, and the agent's conduct."""

from __future__ import annotations

import re

from consumer.analyzer.text.lexicon import Lexicon, lexicon
from consumer.analyzer.text.matcher import regroup
from schemas import (
    DistressKind,
)

_I = re.IGNORECASE


def _plain(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), _I)


WORD_START = r"(?<![\w])"  # start of a word (works for Devanagari too, where \b is unreliable with matras)
WORD_END = r"(?![\w])"

# Negation close to a cue, in the same clause: "police nahi bulayenge", "won't call the police".
NEG_AFTER = re.compile(r"^[^.!?।\n,]{0,25}?(?<![\w])(?:nahi|nahin|nai|na|mat|never|not|नहीं|मत|न)(?![\w])", _I)
NEG_BEFORE = re.compile(
    r"(?<![\w])(?:no|not|never|won'?t|will not|don'?t|do not|koi|kabhi|bina|without|nahi|nahin|कोई|नहीं|बिना)(?![\w])[^.!?।\n,]{0,18}$",
    _I,
)

CONDITION = re.compile(
    r"(?<![\w])(?:to|toh|tou|warna|varna|verna|then|otherwise|else|or|तो|वरना|नहीं\s+तो)(?![\w])", _I
)
ENGAGED = lexicon(
    r"\b(?:pata hai|maloom hai|i know|i'?m aware|aware|noted|samajh gaya|samajh gayi|theek hai|thik hai|ok|okay)\b.{0,60}\b(?:emi|loan|payment|kar dunga|de dunga|pay|bhar|jama|salary|kal|parso)",
    r"\b(?:emi|loan|payment|paisa|paise|salary|income|job|naukri|kisht|dunga|dungi|karunga|karungi|pay|paid|transfer|settlement|statement|charges?|interest|hospital|mahine|hafte)\b",
    r"किस्त|लोन|भुगतान|पैसे|पैसा|तनख्वाह|नौकरी|दूँगा|दूंगा|दूँगी|करूँगा|बकाया|ब्याज|पता\s+है",
)
BAD_LINE = lexicon(
    r"\b(?:awaaz nahi|awaz nahi|sunai nahi|can'?t hear|cannot hear|not audible|line (?:is )?(?:bad|cut)|call cut)\b",
    r"\b(?:aa?waa?z\s+(?:kat|toot|break)\w*|signal\s+(?:nahi|nahin|weak|kam)|network\s+(?:nahi|nahin|issue|problem|weak)|no\s+(?:signal|network)|call\s+(?:dropped|disconnected))\b",
    r"सुनाई\s+नहीं|आवाज़\s+नहीं|आवाज\s+नहीं|कॉल\s+कट|कट\s+गई",
)
WORD = re.compile(r"[^\s.,!?।…'\"-]+")
ACK_WORDS = frozenset(
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
STATUS = lexicon(
    rf"{WORD_START}(?:overdue|pending|bakaya|due|baaki|baki|outstanding)\s+(?:hai|hain|h|ho gaya|is|are|has|have|since|by){WORD_END}",
    rf"{WORD_START}(?:is|are|has been|have been)\s+(?:overdue|pending|due|unpaid){WORD_END}",
    r"बाकी\s+हैं|बाकी\s+है|बकाया|ओवरड्यू|भुगतान\s+मिल",
)
ON_TIME = lexicon(
    r"\b(?:on time|time pe|time par|samay pe|samay par|before the due date|by the due date|due date (?:se pehle|tak|pe|par))\b",
    r"\b(?:auto[- ]?debit|(?:it'll|it will|will) go through)\b",
    r"समय\s+पर|समय\s+पे|टाइम\s+पर|टाइम\s+पे",
)
DEBT_WORDS = lexicon(  # without "loan", which is also part of lenders' names (see _tells_debt)
    rf"{WORD_START}(?:emi|emis|overdue|outstanding|dues?|bakaya|kisht|kishtein|kist|kisten|instal+ments?|arrears|default|defaulter|"
    rf"card (?:ka|ki) bill|bill|interest|auction|npa|penalty|late fee|bounce|repayment){WORD_END}",
    rf"{WORD_START}(?:payment|paisa|paise|rupaye|rupees|rs\.?)\s+(?:pending|due|nahi|baaki|baki|bhara|bhari|ka|ki|kab){WORD_END}",
    rf"{WORD_START}(?:pending|baaki|baki)\s+(?:hai|hain|h){WORD_END}",
    rf"{WORD_START}(?:payment|part payment|settlement|waiver){WORD_END}",
    r"किस्त|किश्त|बकाया|बाकी\s+है|बाक़ी|ऋण|कर्ज|कर्ज़|भुगतान|ईएमआई|रुपये\s+बाकी|ओवरड्यू",
)
# A debt word followed by one of these is part of the lender's name ("EasyKart EMI Finance").
LENDER_WORD = re.compile(
    r"\s+(?:finance|finserv|fincorp|finvest|microfin\w*|capital|credit|bank|services|ltd|limited|pay|later|app)\b",
    _I,
)
YOUR_LOAN = lexicon(
    rf"{WORD_START}(?:aapka|aapke|aapki|aapne|apka|apke|apki|apne|your|you|tumhara|tumhare|tumhari|tumne|unka|unke|unki|unhone|inka|inke|inki|his|her|their)\s+(?:\w+\s+){{0,2}}loans?{WORD_END}",
    r"(?:आपका|आपके|आपकी|आपने|तुम्हारा|तुम्हारे|तुम्हारी|उनका|उनके|उनकी|उन्होंने)\s+(?:\S+\s+){0,2}लोन",
)
THREAT = lexicon(
    rf"{WORD_START}(?:police|polis|arrest|arrested|giraftar|girftaar|jail|hawalat|thane (?:mein|me|le)|thana){WORD_END}",
    rf"{WORD_START}andar\s+(?:jayega|jaoge|jaega|karwa|kara|kar denge|ho jayega){WORD_END}",
    rf"{WORD_START}(?:ghar|gaon|gaanv|office|dukaan|dukan)\s+(?:pe\s+|par\s+|tak\s+)?(?:aa|aake|aakar|pahunch)\s*(?:jayenge|jaenge|jaayenge|rahe|denge|lenge|karenge)?{WORD_END}",
    rf"{WORD_START}(?:ghar|gaon|office)\s+(?:pe\s+|par\s+)?(?:log|aadmi|ladke|banda|bande)\s+(?:bhejenge|bhej denge|aayenge){WORD_END}",
    rf"{WORD_START}(?:mohalle|mohalla|padosi|padosiyon|neighbou?rs?|relatives|rishtedaron|contacts|poore bazaar|bazaar|society|colony)\s+(?:ko|mein|me|sab)?\s*(?:ko\s+)?(?:pata chalega|bata denge|bataenge|batayenge|message|msg|call|sms|inform){WORD_END}",
    rf"{WORD_START}(?:aapke|apke|tere|tumhare|uske|unke)\s+(?:saare\s+|sab\s+)?(?:contacts|relatives|rishtedaron|padosiyon|neighbou?rs|family|boss|employer|office|hr|colleagues)\s+(?:ko|mein|me|se|par|pe)\s+(?:\w+\s+){{0,3}}?(?:bata|batayenge|bataenge|message|msg|call|phone|inform|pata|aa|aake|aakar|bhej|jayega|jayenge)",
    rf"{WORD_START}(?:hr|boss|employer)\s+(?:ko|se)\s+(?:mail|call|phone|bata|inform|complain|shikayat)\w*\s+(?:kar\s+)?(?:denge|dunga|karenge|karunga|kar denge|kar dunga|bhejenge|jayega|jaayega){WORD_END}",
    rf"{WORD_START}(?:tell|telling|inform|informing|call|calling|contact|contacting|message|messaging|visit|visiting)\s+your\s+(?:employer|boss|manager|hr|office|neighbou?rs|family|relatives|contacts|workplace){WORD_END}",
    rf"{WORD_START}(?:board|poster|banner)\s+laga{WORD_END}",
    # Coming to the borrower's home or village, shaming them before others.
    rf"{WORD_START}(?:ghar|gaon|gaanv|pind|society|colony|mohalle|mohalla|building|dukaan|dukan|office)\s+(?:mein\s+|me\s+|pe\s+|par\s+|tak\s+)?(?:aa\s+jayenge|aa\s+jaayenge|aa\s+jaenge|aayenge|aaenge|aauge|aa\s+rahe\s+hain|pahunch\s+jayenge|aake\s+vasooli){WORD_END}(?![^.!?\n]*\?)",
    rf"{WORD_START}(?:poore|pure)\s+(?:gaon|mohalle|society|colony)\s+ke\s+(?:saamne|samne){WORD_END}",
    rf"{WORD_START}(?:ghar|gaon|office|dukaan|dukan)\s+(?:pe\s+|par\s+)?aana\s+pad(?:ega|egi|enge){WORD_END}",  # "warna ghar aana padega"
    rf"{WORD_START}(?:sabke|sab\s+ke|sabhi\s+ke)\s+(?:saamne|samne)\s+(?:\w+\s+){{0,4}}?(?:vasooli|vasuli|bezzati|beizzati|tamasha|utha\w*|le\s+jayenge|aayenge|bolenge|puchenge|maangenge|insult){WORD_END}",
    rf"{WORD_START}(?:sarpanch|pradhan|contact\s+list|phone\s+book)\s+(?:\w+\s+){{0,2}}?(?:ko|nu|mein|me)\s+(?:vi\s+|bhi\s+|sabko\s+)?(?:bata|batayenge|bataenge|dassange|message|msg|sms|call|pata)",
    rf"{WORD_START}(?:mohalle|colony|society|gaon|gali)\s+(?:mein|me)\s+(?:sabko|sab\s+ko|sabhi\s+ko)\s+pata\s+chal",
    rf"{WORD_START}(?:hr|boss|employer|md|manager)\s+(?:aur\s+\w+\s+)?(?:ko|se)\s+(?:letter|mail|email|message|notice)\s+(?:bhejenge|bhej\s+denge|bhejunga|karenge|kar\s+denge){WORD_END}",
    rf"{WORD_START}naam\s+(?:\w+\s+){{0,2}}?(?:chipka|laga|likh)\s*(?:denge|dunga|ke){WORD_END}",
    rf"{WORD_START}(?:utha lenge|utha le jayenge|uthwa denge|tod denge|maar denge|haddi|bahut bura hoga|jaan se)",
    rf"{WORD_START}(?:tumhe|tumhein|tujhe|tumko|tujhko|aapko|apko|aap ko|aapse|tumse|tujhse)\s+(?:\w+\s+){{0,2}}?dekh\s+(?:lenge|lunga|lungi|liya jayega){WORD_END}",
    rf"{WORD_START}(?:(?:tumhara|tera|aapka|apka|uska)\s+(?:\w+\s+)?bura\s+haal|bura\s+haal\s+(?:kar\s+denge|karenge|kar dunga|ho\s+jayega|hoga)){WORD_END}",
    rf"{WORD_START}(?:send (?:the )?police|call (?:the )?police|police will|you will be arrested|go to jail|put you in jail|come to your (?:house|home|office)|visit your (?:house|home|office) and)",
    r"पुलिस|एफआईआर|एफ़आईआर|गिरफ्तार|गिरफ़्तार|जेल|थाने|थाना|हवालात|अंदर\s+जाएगा|अंदर\s+करवा|घर\s+(?:पर\s+|पे\s+)?आ\s*(?:जाएँगे|जाएंगे|जायेंगे)|गाँव\s+आएँगे|गांव\s+आएंगे|मोहल्ले|पड़ोसियों|दफ्तर\s+में\s+बता",
    r"घर\s+(?:पर\s+|पे\s+)?(?:आएँगे|आएंगे|आयेंगे)|सबके\s+सामने|(?:गाँव|गांव|मोहल्ले|समूह)\s+(?:\S+\s+){0,2}?को\s+पता\s+चल",
)

FIR = re.compile(r"\bF\.?I\.?R\b")
# A borrower being helped to report or claim: "FIR ki copy bhejiye", "police complaint kar dijiye".
HELPS_REPORT = lexicon(
    rf"{WORD_START}(?:copy|copies|fraud|cyber\s+(?:cell|crime|police|complaint|fraud|thana)|investigation|grievance|insurance|claim|ombudsman|declaration){WORD_END}",
    rf"{WORD_START}(?:aap|aapne|apne|you)\s+(?:\w+\s+){{0,4}}?(?:kar|karwa|karva|file kar|darj kar|likhwa)\s*(?:dijiye|lijiye|sakte|sakti|do|lo|chuke|diya|di|rakhi|rakha){WORD_END}",
    rf"{WORD_START}(?:you can|you could|please)\s+(?:file|lodge|raise|register){WORD_END}",
    rf"{WORD_START}(?:documents?|kaagzat|kagzat|papers)\s+(?:\w+\s+){{0,2}}?(?:bhej|share|upload|jama)",  # "FIR ke documents bhejiye"
)
ABUSE = lexicon(
    rf"{WORD_START}(?:chor|chor kahin ka|dhokebaaz|dhokebaz|dhokhebaaz|besharam|beshram|kamina|kamine|kameena|harami|haramkhor|saala|saale|sala|kutta|kutte|kutiya|gadha|gadhe|ullu|bewakoof|bevakoof|bewkoof|nalayak|nikamma|badtameez|bhikari|bhikhari|haraam|chutiya|madarchod|behenchod|bc|mc|gawar|ganwar|jahil){WORD_END}",
    rf"{WORD_START}(?:idiot|stupid|moron|fool|bastard|bloody|shameless|liar|cheater|scumbag|loser|shut up|damn you){WORD_END}",
    rf"{WORD_START}(?:jhooth|jhoot)\s+mat\s+bol{WORD_END}",
    # calling the borrower a liar: "jhooth bolne mein expert ho", "jhoothe log"
    rf"{WORD_START}(?:jhooth|jhoot)\s+bolne\s+(?:mein|me|ka|ke)\s+(?:expert|ustaad|ustad|master|maahir|mahir){WORD_END}",
    rf"{WORD_START}(?:jhoothe|jhootha|jhoothi|jhoote|jhoota)\s+(?:ho|hai|hain|log|insaan|aadmi|kahin\s+ke|kahin\s+ka){WORD_END}",
    rf"{WORD_START}(?:tu|tum|aap)\s+(?:fraud|chor|dhokebaaz)\s+(?:ho|hai|hain){WORD_END}",
    r"चोर|धोखेबाज़|धोखेबाज|बेशर्म|कमीना|कमीने|हरामी|साला|साले|कुत्ते|गधे|उल्लू|बेवकूफ|बेवक़ूफ़|नालायक|निकम्मा|भिखारी",
)

# Identification: the agent's own name and the lender / agency.
# "Loan department se", "recovery team se": a department names no lender.
_NOT_DEPARTMENT = (
    r"(?!\s+(?:department|dept|office|team|section|vibhag|wale|waale)\b)(?!\s*(?:डिपार्टमेंट|विभाग|ऑफिस))"
)
ORG = _plain(
    rf"{WORD_START}(?:bank|finance|finserv|fincorp|finvest|microfin|financial|financials|capital|credit|cards?|loans?|recoveries|recovery|agency|collections?|nbfc|ltd|limited|microfinance|housing|fintech){WORD_END}{_NOT_DEPARTMENT}",
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
NAME = re.compile(
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
ORG_ASCII = re.compile(  # on lower-cased text
    "|".join(rf"{w[0]}(?<!\w.){w[1:]}(?!\w){_NOT_DEPARTMENT}" for w in _ORG_WORDS.split("|"))
    + r"|f(?<!\w.)rom\s+[a-z][\w&.]+"
    r"|t(?<!\w.)(?:heke|on)(?!\w)|m(?<!\w.)adhun(?!\w)|k(?<!\w.)adun(?!\w)|t(?<!\w.)araf\s+se(?!\w)"
    r"|o(?<!\w.)n behalf of(?!\w)"
)
SE_WORD = re.compile(r"\s+se(?=[\s.,])")
_NAME_NOT = r"(?!(?:Sir|Madam)\b|Ma'am)[A-Z][a-z]+(?![\w&]*(?:\s+[\w&]+){0,3}?\s+(?:se|ji)\b)"
NAME_LOWER = re.compile(
    rf"m(?<!\w.)(?:ain|ai|yself|y name is|era naam)\s+(?:hai\s+)?{_NAME_NOT}"
    rf"|t(?<!\w.)his is\s+(?:hai\s+)?{_NAME_NOT}|i(?<!\w.)(?: am|'m)\s+(?:hai\s+)?{_NAME_NOT}"
    rf"|n(?<!\w.)aam\s+(?:hai\s+)?{_NAME_NOT}"
    r"|s(?<!\w.)e\s+(?!(?:Sir|Madam|Maam|Mam)\b)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s*(?:[.,!\n]|bol|kya\b|$)"
)
NAME_UPPER = re.compile(  # "(?!(?<=S)ir" after the capital is "(?!Sir" before it
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
NAME_ANY_CASE_FIRST = re.compile(rf"(?=[a-z])(?:{_NAME_ANY_CASE_WORDS})")
NAME_ANY_CASE_AFTER = re.compile(rf"[^\w](?=[a-z])(?:{_NAME_ANY_CASE_WORDS})")
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
IDENTITY_Q = _plain(
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
AFFIRM = _plain(
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
IDENTITY_Q_ASCII = lexicon(
    r"\b(?:baat\s+(?:ho|kar)|speaking with|speak (?:with|to)|am i speaking|is this|bol rahe|bol rahi hain|hain kya|hai kya|available|phone do|call kar sakta|aap\s+\w+(?:\s+\w+)?\s+(?:ji\s+)?(?:hi\s+)?(?:hain|ho|bol))"
    + _ASKS_WHO,
)
# The agent asking for a detail that proves identity, and then thanking the customer for it.
VERIFY_ASKED = lexicon(
    r"\b(?:verification|verify|confirm karne|confirm kar|last (?:4|four|char|chaar) digits?|date of birth|dob|"
    r"janm tithi|pin ?code|registered (?:address|mobile|number))\b",
    r"वेरिफिकेशन|पुष्टि|जन्म\s+तिथि|पिन\s*कोड",
)
THANKS_FIRST = re.compile(
    r"^\W*(?:thank you|thanks|thank u|thanku|shukriya|dhanyavaad|dhanyavad|dhanyawad|dhanyawaad|dhanvaad|"
    r"dhanyabad|धन्यवाद|शुक्रिया)",
    _I,
)
# The agent saying the identity check passed (after a date of birth or the last digits of a card).
VERIFIED_SAID = lexicon(
    r"\b(?:verification\s+(?:ho gaya|ho gayi|complete|completed|done|successful)|verify ho gaya|"
    r"thank(?:s| you) for (?:the )?(?:verification|verifying|confirming)|(?:you are|aap) verified)\b",
    r"वेरिफिकेशन\s+हो\s+गया|पुष्टि\s+हो\s+गई|सत्यापन\s+हो\s+गया",
)
# A customer's answer to an identity check gives a figure (a date of birth, the last digits of a
# number, a PIN code): the agent asked for it, so the borrower answered it.
FIGURE = re.compile(r"[0-9०-९]")
AFFIRM_START = re.compile(  # "ho" (Marathi), "hau" (Hyderabadi), "aama" (Tamil) are a yes too
    rf"^\W*{_STAGE}(?:[a-z]-)?(?:{_YES_WORDS})\b|^\W*{_STAGE}(?:\w+\W+)?(?:bolo|boliye|bolun|bola|bolen|bataiye|batao)\b"
    rf"|^\W*(?:this is|it'?s)\s+{_NAMES_SELF}\W*$"
    r"|^\W*(?:yes,?\s+)?(?!(?:not|no|nobody|nothing)\b)[a-z]+\s+here\b",
    _I,
)
AFFIRM_ASCII = lexicon(
    r"\b(?:main hi|mai hi|bol raha|bol rahi|speaking|this is me|that's me|it's me|yes,? this is)\b",
    r"\b(?:main|mai|mi|ami)\s+(?:hi\s+)?(?:haan|hoon|hu|hun|bolchi|bolto|bolte|bolat)\b|\b(?:bolchi|bolto|bolti)\b",
    r"\b(?:haan|haa|ha)\s+(?:main|mai)(?:\s*[.!,]|\s*$)",
    rf"\b(?:yes|yeah|haan),?\s+(?:it'?s|this is)\s+{_NAMES_SELF}",
    r"\bhi\s+(?:hoon|hun|hu)\b",
)
# A yes after a complaint or a greeting, starting a sentence or clause: read where a sentence
# mark is just before (``_yes_after_break``).
YES_AFTER_BREAK = lexicon(_YES_AFTER)
# The agent answering a call the customer made: the lender's name first, then an offer to help
# ("Chetak Auto Finance, main Vikram bol raha hoon", "collections desk, boliye").
ANSWERS = lexicon(
    rf"\b(?:{_ORG_WORDS}|fincap|finlease|microcredit|money)\s*[,.]",
    r"\b(?:boliye|bataiye|batayiye|kya\s+madad|kaise\s+madad|how\s+(?:can|may)\s+i\s+(?:help|assist)|helpline|desk)\b",
)
OWN_DEBT = lexicon(
    r"\b(?:meri|mera|mere|my|hamari|hamara)\s+(?:\w+\s+){0,2}(?:emi|loan|kisht|installment|card|account|payment)",
    r"मेरी\s+किस्त|मेरा\s+लोन|मेरे\s+लोन",
)

WRONG_NUMBER = lexicon(
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
THIRD_PARTY = lexicon(
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
AWAY = lexicon(
    rf"\b(?:mere|meri|mera|hamare|humare|hamari|humari)\s+(?:chhote\s+|chhota\s+|bade\s+|bada\s+)?{_RELATION}\s*,?\s+(?:\w+,?\s+){{0,3}}?(?:ka|ki|ke|unka|unki|unke|uska|uski|uske)\s+(?:\w+\s+)?loans?\b",
    r"\b(?:wo|woh|vo|voh|bhaiya|ji|sahab|saab)\s+(?:\w+\s+){0,2}?(?:pe|par|mein|bahar|godown|office|duty|kaam|dukaan|market|gaon|shahar|bahar)\s+(?:\w+\s+)?gaye\s+(?:hain|hai|hue|huye)\b",
    r"\b(?:wo|woh|vo|voh)\s+(?:abhi\s+)?(?:ghar|seat|office|yahan|available|duty)\s+(?:pe\s+|par\s+|mein\s+)?(?:nahi|nahin)\b",
    r"\b(?:he|she)\s+(?:is|isn'?t|is not)\s+(?:not\s+)?(?:available|home|here|in)\b",
    r"(?:वो|वह|वे)\s+(?:अभी\s+)?(?:घर\s+पर|यहाँ|इस\s+नंबर\s+पर)\s+नहीं",
)

COMMIT = lexicon(
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
FULL = lexicon(
    r"\b(?:poora|pura|poori|puri|full|entire|total|whole|saara|sara|sab clear|complete)\b", r"पूरा|पूरी|सारा|पूरे"
)
REST = lexicon(r"\b(?:baaki|baki|bakaya|rest|balance|remaining|baad mein baaki)\b", r"बाकी|बाक़ी|शेष")
# Some money, no figure: "kuch na kuch daal dunga", "jitna hoga utna" (the guide: no amount said).
SOME = lexicon(
    r"\bkuch\s+(?:kar|de|bhar|daal|bhej|jama)\b|\b(?:kuch na kuch|kuch toh|kuch to|jitna ho sake|jitna hoga|jitna ho paye|jitna ban|thoda bahut|thoda sa|whatever i can|something)\b",
    r"कुछ\s+न\s+कुछ|जितना\s+हो",
)
# A "now" that is no time to pay: in a negated clause ("abhi wallet mein kuch nahi"), or under a
# condition ("jab paisa aayi turant de denge").
NOT_NOW = lexicon(
    r"\b(?:nahi|nahin|nai|not|no|don'?t|jab|jaise hi|when|once|as soon as)\b", r"नहीं|जब|जैसे\s+ही"
)
# "Now" as "at present I can": "right now I can do 10k. By tomorrow." - a day said with it is the day.
ABLE = lexicon(r"\b(?:sakta|sakti|sakte|can|could|possible)\b", r"सकता|सकती|सकते")
# After "baaki" / "balance", words that make it the money in an account ("balance is in the
# account", "balance maintain rahega") or a clause's subject ("jo baaki hai wo ..."), not the rest of a debt.
ACCOUNT_BALANCE = re.compile(
    r"\s+(?:is|will be|in|there|maintain\w*|rakh\w*|rahega|rahegi|hai|hoga)(?![\w])|\s*(?:maintain|rakh)", _I
)
# Between a bare figure and the commitment verb it goes with: "3000 le lena", "5000 ka kar dunga".
RIGHT_BEFORE = re.compile(r"\s*(?:ka|ki|ke|का|की)?\s*", _I)
# A day refused right after it is said: "aaj to nahi ho payega", "kal nahi, parso".
REFUSED_AFTER = re.compile(
    r"\s*(?:to|toh|tho|तो)?\s*(?:nahi|nahin|nai|not|no|नहीं)(?![\w])"
    r"(?!\s+(?:problem|issue|tension|dikkat|chinta|doubt|worries|pakka)\b)",
    _I,
)
# "Now" as a time to pay; "abhi tak" (until now), "abhi bhi" (still), "abhi nahi" (not now) are not.
NOW = lexicon(
    r"\b(?:abhi|abi)\b(?!\s+(?:tak|bhi|nahi|nahin|nai|to nahi|toh nahi)\b)|\b(?:right now|immediately|turant|isi waqt)\b",
    r"अभी(?!\s+(?:तक|भी|नहीं))|तुरंत",
)

DISTRESS: tuple[tuple[DistressKind, Lexicon], ...] = (
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

CALLBACK = lexicon(
    r"\b(?:call|phone|fon)\s+(?:\w+\s+){0,2}?(?:karna|karo|kariye|karein|karen|kar lena|kar lijiye|kar dena|back|later|me|kariyega|kijiye|kijiyega)\b",
    r"\b(?:baad|baadmein|later)\s+(?:\w+\s+)?(?:call|phone|baat)\b|\bcall back\b|\bcallback\b",
    r"कॉल\s+(?:करना|करें|करिए|कीजिए|कर\s+लेना)|फोन\s+(?:करना|करें|करिए|कीजिए|कर\s+लेना)|फ़ोन\s+(?:करना|करें|करिए|कीजिए)",
)
HARDSHIP_CUE = lexicon(
    r"\b(?:job|naukri|salary|income|hospital|medical|operation|loss|business|paisa nahi|paise nahi|kamai|mushkil|hardship|problem|dikkat|takleef|pareshani|emergency|bimar|beemar|ilaaj|laid off|lost|accident|shaadi|fees|death|dehant|kharcha|rent)\b",
    r"नौकरी|तनख्वाह|अस्पताल|बीमार|इलाज|नुकसान|मुश्किल|परेशान|पैसे\s+नहीं|दिक्कत|बेरोज़गार|छँटनी|ऑपरेशन",
)
DISPUTE_CUE = lexicon(
    r"\b(?:already paid|paid|bhar diya|bhar chuka|de diya|de chuka|kar diya|galat|wrong|incorrect|never took|nahi liya|liya hi nahi|fraud|extra|charge|charges|penalty|double|not mine|mera nahi|receipt|statement|dispute|interest|amount|jyada|zyada|mismatch|unauthori[sz]ed)\b",
    r"गलत|भर\s+दिया|जमा\s+कर\s+दिया|लिया\s+ही\s+नहीं|चार्ज|ज़्यादा|ज्यादा|रसीद|धोखा",
)
SENTENCE = re.compile(r"[^.!?।\n]+[.!?।]?")
# The customer taking a commitment back in a later turn ("rehne do", "mat likho", "koi promise nahi").
TAKEN_BACK = lexicon(
    rf"{WORD_START}(?:rehne do|rahne do|mat likho|mat likhiye|note mat|promise nahi|promise nahin|vaada nahi|vada nahi|"
    rf"wada nahi|can'?t promise|cannot promise){WORD_END}",
    r"रहने\s+दो|मत\s+लिखो|वादा\s+नहीं",
)
