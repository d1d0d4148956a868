# ruff: noqa: E501 - the lexicons keep one phrase family per line, however long the regex.
"""The cue lists (data): the intent lexicons and the sentiment lexicons over the customer's words,
the context lexicons over the agent's and the customer's words.

Every cue registers its patterns in ``cues.INDEX`` when it is built, in the order of this module.
"""

from __future__ import annotations

import re

from consumer.analyzer.rules.cues import INDEX, NEGATORS, Cue, Lexicons, expand, make_cue, whole_word
from schemas import IntentCategory

# --------------------------------------------------------------------------------------------
# Intent lexicons (customer's words)
# --------------------------------------------------------------------------------------------

_NOT_PAYMENT_OBJECTS = (
    "bata",
    "batata",
    "batati",
    "complaint",
    "complain",
    "shikayat",
    "shikayt",
    "baat",
    "call",
    "phone",
    "fon",
    "check",
    "verify",
    "receipt",
    "rasid",
    "raseed",
    "photo",
    "screenshot",
    "proof",
    "details",
    "document",
    "documents",
    "message",
    "mail",
    "email",
    "report",
    "case",
    "court",
    "police",
    "rbi",
    "jawab",
    "review",
    "statement",
    "letter",
    "noc",
    "copy",
    "certificate",
    "link",
    "स्टेटमेंट",
    "feedback",
    "shikayat",
    "शिकायत",
    "बात",
    "फोन",
    "कॉल",
    "रसीद",
    "फोटो",
    "जानकारी",
)

# Concept classes, combined inside one clause by the compositional cues below.
_PAY_NOUN = (
    r"(?:payment|emi~|paisa|paise|paison|amount|cash|kist|kisht|installment|instalment|dues|money|rakam|bhugtan"
    r"|पैसा|पैसे|किस्त~|ईएमआई|भुगतान|रकम|राशि)"
)
_PAST_TRANSFER = (
    r"(?:(?:de|jama kar|bhar|bhej|pay kar|jama karwa) (?:aaya|aayi|aaye|aa gaya|aa gayi|diya|di|diye|chuka|chuki)"
    r"|(?:kat|cut|debit|deduct) (?:gaya|gayi|gai|ho gaya|ho gayi|ho chuka|hua|chuka|chuki)"
    r"|ho (?:gaya|gayi|chuka|chuki) (?:tha|thi|hai)|went out|(?:was|got|has been|have been|were) (?:debited|deducted|paid|cleared|credited|transferred)"
    r"|(?:कट|जमा हो|दे) (?:गया|गई|गए|चुका|चुकी|दिया|दी|दिए|आया|आई))"
)
_STAFF_NOUN = (
    r"(?:agent|aadmi|banda|bande|staff|executive|recovery (?:wala|wale|agent|walon)|collection (?:wala|wale|walon|agent)"
    r"|aapke log|your (?:people|staff|agent|executive|recovery agent|collection agent)|caller|एजेंट|आदमी|लोग|कर्मचारी)"
)
_INSULT = r"(?:chor|fraud|dhokebaaz|dhokebaz|bhikhari|bhikari|besharam|kamina|thief|cheat|beggar|loser|चोर|भिखारी|बेशर्म)"

_FUT = r"(?:d[uo]o?n?g[ai]|denge|dengi|deta (?:hoon|hu|hun|hai)|deti (?:hoon|hu|hun|hai)|dete (?:hain|hai))"

PROMISE: tuple[Cue, ...] = (
    make_cue(
        "pay_verb",
        2,
        rf"(?:bhar|jama kar|jama|pay kar|payment kar|transfer kar|clear kar|chuka|daal|dal|bhej|de) ?{_FUT}",
        r"bhar[uo]o?n?g[ai]|bharenge|chukaa?[uo]o?n?g[ai]|chukayenge",
        r"(?:pay|payment|jama|transfer|clear) (?:kar[uo]o?n?g[ai]|karenge|kr[uo]o?n?g[ai])",
        rf"(?:jama|bhar|clear|pay|payment) ?(?:karwa|karva|kara) ?{_FUT}",
        r"(?:i'm |i am )?(?:transferring|paying|sending|depositing|clearing) (?:it|the (?:amount|money|payment|emi|dues|balance)|you)",
        r"(?:i )?promise (?:to pay|i will pay|i'll pay)|will be paid (?:by|on|before)",
        r"(?:i'?ll|i will|i shall|i'm going to|i am going to|we will|we'll|will) "
        r"(?:definitely |surely |certainly |try to |be able to |make sure to )?"
        r"(?:pay|transfer|clear|deposit|make (?:the |a )?payment|arrange|send (?:the )?(?:money|amount|payment)|keep (?:the )?balance"
        r"|settle (?:it|your dues|the dues|my dues|the bill|the payment|the emi))",
        r"(?:कर|भर|जमा कर|दे|डाल|भेज|चुका) ?(?:दूंगा|दूंगी|दूगा|दूगी|देंगे|देंगी|देता हूं|देती हूं)",
        r"भरूंगा|भरूंगी|भरेंगे|चुकाऊंगा|चुकाऊंगी|चुकाएंगे",
        exclude=_NOT_PAYMENT_OBJECTS,
    ),
    make_cue(
        "generic_future",
        1,
        rf"(?:kar|kr) ?{_FUT}",
        r"kar[uo]o?n?g[ai]|karenge|kardunga|kardungi|kr[uo]o?n?g[ai]",
        r"d[uo]o?n?g[ai]|denge",
        r"करूंगा|करूंगी|करेंगे|दूंगा|दूंगी|देंगे",
        r"i can pay|i'll do (?:it|the payment)|will do (?:it|the payment)",
        exclude=_NOT_PAYMENT_OBJECTS,
    ),
    make_cue(
        "auto_debit_future",
        1,
        r"(?:kat|cut|कट) (?:ja+y?e?g[ai]|जाएगी|जाएगा)",
        r"(?:auto[- ]?debit|emi|payment|ecs|nach|kist|kisht|balance|time pe|time par) [^.!?,\n]{0,20}?(?:ho|kat|cut) ja+y?e?g[ai]",
        r"(?:it|emi|payment|ecs|nach|auto[- ]?debit) will (?:go through|be (?:paid|debited|deducted|cleared|processed))",
        r"(?:amount|money|balance|funds) will be (?:in|there|available|ready|credited|maintained)",
        r"(?:balance|paisa|paise|amount) (?:rahega|rahenge|maintain (?:rahega|karunga|karungi))",
        r"(?:किस्त|ईएमआई|emi|पैसा|पैसे|भुगतान|समय पर) [^.!?,\n\u0964]{0,20}(?:कट|हो) जाए(?:गी|गा)",
        exclude=("phone", "line", "call", "network", "फोन", "कॉल", "लाइन"),
    ),
)

REFUSE: tuple[Cue, ...] = (
    make_cue(
        "refusal",
        2,
        r"(?:won't|will not|wont|not going to|refuse to|never going to|i'm not|i am not) (?:be )?pay~",
        r"not paying|no way i(?:'m| am) paying|i refuse",
        r"jo (?:karna|karne|krna) (?:hai|ho|h) (?:kar|karo|kar lo|karlo|kar lijiye|kar lena)~",
        r"jo marzi~|court (?:jaana|jana|chale jao|le jao)~ [^.!?\n]{0,15}(?:jao|jaiye|jaao)",
        r"farak nahi+n? (?:padta|pada)|koi matlab nahi+n?",
        r"(?:koi )?lena dena nahi+n?|लेना देना नहीं|nothing to do with (?:you|your)|"
        r"nahi+n? (?:dene|bharne|chukane) wal[aei]|mujhe (?:koi |ek )?(?:paisa |paise |payment )?nahi+n? (?:dena|bharna|karna)",
        r"(?:ek|koi) (?:paisa|rupaya|rupya|rupee|rupiya) (?:bhi )?nahi+n?",
        r"जो करना है कर~|(?:एक|कोई) (?:पैसा|रुपया) (?:भी )?नहीं",
        negation="none",
    ),
)

ALREADY_PAID: tuple[Cue, ...] = (
    make_cue(
        "paid",
        2,
        r"(?:payment|pay|paisa|paise|emi|kist|kisht|amount|bhugtan|dues?) (?:bhi |to |toh |maine )?(?:kar|kr|bhar|jama kar|bhej|de|transfer kar) ?(?:diya|di|diye|dia|chuka|chuki|chuke)",
        r"maine [^.!?\n]{0,30}?(?:bhar|jama kar|pay kar|payment kar|bhej|transfer kar|de) (?:diya|di|diye|dia)",
        r"(?:maine|humne) [^.!?\n]{0,30}?(?:jama|pay|payment|transfer) (?:kiya|ki|kiye|karaya|karwaya|kar chuka|kar chuki)",
        r"(?:bhar|jama kar|pay kar|payment kar|clear kar) (?:diya|di|diye|chuka|chuki|chuke)",
        r"(?:payment|emi|paisa|paise|amount|kist|kisht) [^.!?,\n]{0,25}?(?:ho gaya|ho gayi|ho chuka|ho chuki|hua tha|kat gaya|kat gayi|kat chuka|kat chuki|cut ho gaya|debit ho gaya|debit hua)",
        r"auto[- ]?debit (?:hua|ho gaya|ho chuka|ho gayi)",
        rf"{_PAY_NOUN} [^.!?,\n\u0964]{{0,30}}?{_PAST_TRANSFER}",
        r"(?:gpay|google pay|phonepe|phone pe|paytm|upi|neft|imps|rtgs|net ?banking|online|ऑनलाइन|यूपीआई) (?:se |से |through |via |by )?"
        r"[^.!?\n\u0964]{0,20}?(?:kar (?:diya|di|diye)|bhej (?:diya|di|diye)|bhar (?:diya|di)|de (?:diya|di)|paid|transferred|कर (?:दिया|दी)|भेज (?:दिया|दी|दिए)|भर (?:दिया|दी))",
        r"(?:paisa|paise|payment|amount|emi) [^.!?,\n]{0,25}?(?:bhar|jama kar|bhej|de|transfer kar) (?:diya|di|diye|dia)",
        r"(?:पैसा|पैसे|किस्त|ईएमआई|emi|भुगतान|रकम) [^.!?,\n\u0964]{0,30}?(?:कट|जमा हो|हो) (?:गया|गई|गए|चुका|चुकी)",
        r"already (?:paid|pay|done|jama|bhar|de diya|kar diya|clear~|made)|paid already|(?:emi|payment) (?:is )?already (?:paid|done|cleared)",
        r"(?:i|we) (?:have |had |already |have already )*(?:paid|cleared|transferred|deposited|made the payment)",
        r"(?:paid|cleared|transferred) (?:it|the (?:emi|amount|dues|payment|instal~))",
        r"payment (?:is |was |has been )?(?:done|made|completed|cleared)",
        r"(?:जमा|भुगतान|पेमेंट|भर) (?:कर )?(?:दी|दिया|दिए|चुका|चुकी)",
        r"(?:पैसे|पैसा|किस्त|भुगतान) [^.!?\n\u0964]{0,25}?(?:भेज|जमा कर|भर) (?:दिए|दिया|दी)",
        r"जमा (?:किया|की|किए) (?:था|थी|थे|है)",
    ),
    make_cue(
        "proof",
        1,
        r"utr|txn~|transaction (?:id|no|number|reference|ref)|reference (?:number|no|id)|ref (?:no|number)",
        r"receipt|rasee?d|रसीद|screenshot|bank confirmation|payment confirmation",
        r"(?:see|check) it (?:in|on) my (?:bank )?(?:statement|passbook|account)|bank statement (?:mein|me|में) dikh",
        negation="none",
    ),
)

DISPUTE: tuple[Cue, ...] = (
    make_cue(
        "not_my_loan",
        3,
        r"(?:loan|lon|karz|karza) (?:kabhi )?(?:liya|li) (?:hi )?nahi+n?",
        r"liya hi nahi+n?",
        r"maine (?:koi|ye|yeh|yah|aisa|is|kabhi) (?:@ ){0,2}nahi+n? (?:liya|li|liye|kharida|khareeda)",
        r"never (?:took|taken|applied|availed|borrowed)",
        r"(?:didn't|did not|didnt|never) (?:take|apply|avail|borrow)",
        r"not my (?:loan|account)|(?:mera|meri) (?:loan|account) nahi+n?|(?:loan|account|लोन) (?:mera|मेरा) (?:nahi+n?|नहीं)",
        r"(?:galat|गलत) (?:istemal|istemaal|use|इस्तेमाल|उपयोग)|misuse~|दुरुपयोग",
        r"(?:loan|lon|लोन) (?:@ )?(?:maine|मैंने) (?:nahi+n?|नहीं)|(?:zimmedar|jimmedar|zimmedaar|जिम्मेदार) nahi+n?|not (?:responsible|liable)",
        r"लोन कभी (?:लिया )?(?:ही )?नहीं|लिया ही नहीं|नहीं लिया|मेरा लोन नहीं",
        negation="none",
        label="loan not taken",
    ),
    make_cue(
        "fraud",
        3,
        r"fraud~|फ्रॉड|identity (?:theft|misuse)|mere naam (?:pe|par) (?:kisi|galat)|मेरे नाम पर (?:किसी|गलत)",
        r"dhokha|धोखा",
        negation="around",
        label="fraud on the account",
    ),
    make_cue(
        "wrong_charges",
        2,
        r"(?:charge|charges|fee|fees|penalty|penalti|interest|byaj|byaaj|amount|amt|insurance|bill|rate|gst|late fee|चार्ज|फीस|पेनल्टी|ब्याज|रकम|राशि|बीमा)"
        r"[^.!?,;\n\u0964]{0,30}?(?:galat|wrong|incorrect|not correct|error|mistake|extra|double|twice|गलत|दो बार)~",
        r"(?:galat|wrong|incorrect|extra|double|गलत) [^.!?,;\n\u0964]{0,15}?(?:charge|charges|fee|fees|penalty|interest|byaj|byaaj|amount|insurance|चार्ज|फीस|ब्याज|रकम|लोन)~",
        r"(?:charge|fee|penalty|चार्ज|फीस) (?:kyun|kyu|kaise|क्यों) (?:laga|lagaya|lagi|liya|लगा|लगाया)~",
        r"(?:why|how) (?:is|was|were|am i|have i been|did you) [^.!?\n]{0,30}?(?:charged|charge|outstanding|amount|it)",
        r"charged (?:twice|double|extra|wrongly|incorrectly)",
        r"(?:double|dabal|twice|do baar|डबल|दो बार) (?:kat|cut|deduct|debit|कट)~",
        r"(?:should not|shouldn't|should never) be (?:there|charged|applied|added|on my account)",
        r"(?:get|have|has) (?:it|this|that|them) (?:removed|reversed|waived off|corrected)",
        r"(?:what|which|kaun ?sa|kaisa|kaisi) (?:penalty|charge|charges|fee|fine|dues|overdue|emi|loan)",
        r"never missed|kabhi (?:bhi )?(?:emi |payment )?(?:miss|late) nahi+n?",
        r"(?:galat|wrong|गलत) (?:record|entry|data|hisaab|hisab|calculation|रिकॉर्ड)~",
        r"(?:\w+ emi|itna|itni|itne|amount|outstanding) kaise",
        r"(?:maine|i) (?:sirf|only|bas|just) [^.!?\n]{0,20}?(?:liya|li|took|borrowed)~",
        r"(?:aap|you) [^.!?,\n]{0,15}?(?:bol rahe|keh rahe|bata rahe|dikha rahe|are saying|are showing)~",
        r"hisaa?b [^.!?\n]{0,20}?(?:samajh nahi+n?|galat|theek nahi+n?)|(?:calculation|breakup) [^.!?\n]{0,15}?(?:galat|wrong)",
        r"(?:never|nahi+n?|नहीं) (?:approve|approved|authori[sz]ed|agree|agreed)~|(?:approve|authori[sz]e) nahi+n? (?:kiya|ki)",
        negation="none",
        label="wrong charges",
    ),
    make_cue(
        "fix_request",
        1,
        r"(?:theek|thik|sahi|correct) (?:kijiye|karo|kar do|kar dijiye|karein|kariye)",
        r"hatao|hataiye|hata do|hata dijiye|remove (?:it|this|the charge~)|revers~|हटाइए|हटाओ|हटा दीजिए",
        r"(?:paise |paisa )?wapas (?:karo|kijiye|kar do|chahiye)|refund|वापस (?:करो|कीजिए|करें)|(?:lautao|lautaiye|लौटाइए|लौटाओ)",
        r"not correct|isn't correct|not right",
        negation="none",
        label="wrong charges",
    ),
    make_cue(
        "terms",
        1,
        r"agreement (?:mein|me|में)|as per (?:the |my )?(?:agreement|sanction letter)|एग्रीमेंट|sanction letter (?:mein|me)",
        negation="none",
        label="wrong charges",
    ),
    make_cue(
        "overcharge",
        1,
        r"(?:aap|aapne|you|you've|you have) [^.!?\n]{0,20}?(?:laga rahe|lagaya|laga diya|jod diya|jod rahe|charge kar rahe|charging|charged|added)~",
        r"(?:you're|you are|you've|you have) (?:now )?(?:showing|saying|charging|charged|added)",
        r"(?:आप|aap) [^.!?,\n\u0964]{0,20}?(?:दिखा रहे|बोल रहे|कह रहे|लगा रहे)",
        r"(?:extra|zyada|jyada|excess|more) (?:rs ?|₹ ?)?\d[\d,]*|kis (?:baat|cheez|chij) (?:ka|ke|ki)|for what\?",
        negation="none",
        label="wrong charges",
    ),
    make_cue(
        "contest",
        1,
        r"(?:simply |just )?not possible|impossible|(?:ho hi|aisa ho hi) nahi+n? sakta",
        r"(?:i|maine) (?:already )?(?:closed|close kar (?:diya|di)|band kar (?:diya|di)|foreclos~) (?:this |the |my |apna |mera )?(?:loan|account)",
        negation="none",
        label="the amount due",
    ),
)

WRONG_PARTY: tuple[Cue, ...] = (
    make_cue(
        "wrong_number",
        3,
        r"galat (?:number|no|nambar|numbar)|wrong (?:number|no|person)|(?:number|no) galat|rong number",
        r"गलत (?:नंबर|नम्बर)|(?:नंबर|नम्बर) गलत",
        r"(?:don't|do not|dont) know (?:any|anyone|him|her|this person|who)~",
        r"kisi (?:@ ){0,2}ko (?:bhi )?nahi+n? (?:jaan|jan)~|किसी (?:@ ){0,2}को (?:भी )?नहीं जान~",
        r"(?:galat|wrong|गलत) (?:jagah|place|house|ghar|जगह|घर|banda|aadmi|insaan)",
        r"is naam (?:ka|ki|se) koi|इस नाम (?:का|की|से) कोई",
        r"(?:yaha|yahan|yahaan|idhar) (?:pe |par )?koi (?:@ ){0,2}nahi+n? (?:reh|rah|hai)~|यहां कोई (?:@ ){0,2}नहीं (?:रहता|रहती|है)",
        r"(?:ye|yeh|yah|this) (?:number|no|sim) (?:@ )?(?:ka|ki|ke) nahi+n?|यह नंबर (?:@ )?का नहीं",
        r"(?:number|sim) [^.!?\n]{0,25}?(?:pehle|abhi|naya|recently) (?:liya|li|liye|khareeda|diya|mila|allot~)",
        r"(?:ye|yeh|is|this) number (?:use|istemal|istemaal) nahi+n? (?:karta|karti|karte)|(?:doesn't|does not|no longer) use (?:this|the) number",
        r"not (?:his|her|their) number",
        r"@ (?:ji )?(?:ka|ki|का|की) (?:number|no|नंबर) (?:nahi+n?|नहीं)",
        negation="none",
        label="wrong number",
    ),
    make_cue(
        "third_party",
        3,
        r"main (?:unka|unki|unke|uska|uski|uske|inka|inki|inke|iska|iski) @ (?:hoon|hu|hun|bol)~",
        r"(?:unka|unki|uska|uski|inka|inki) (?:bhai|bhaiya|behen|behan|bahan|wife|biwi|patni|husband|pati|beta|beti|papa|father|pita|mummy|mother|maa|mom|dost|friend|bhabhi|chacha|mama|relative|rishtedar|padosi|neighbou?r|son|daughter|brother|sister)",
        r"(?:i am|i'm|this is) (?:his|her|their) @|(?:he|she)(?:'s| is) my @|(?:he|she) (?:left|quit) (?:the|this) (?:company|job|office)",
        r"मैं (?:उनका|उनकी|उनके|इनका|इनकी) @|(?:उनका|उनकी) (?:भाई|बहन|पत्नी|पति|बेटा|बेटी|पिता|मां|दोस्त)",
        # someone ringing in about a relative's loan: "meri mummy Shanti Devi ka group loan hai"
        r"(?:mere|meri|mera|hamare|humare|hamari|humari) (?:chhote |chhota |bade |bada )?(?:bhai|bhaiya|behen|behan|wife|biwi|patni|husband|pati|bete|beta|beti|papa|pitaji|father|mummy|mother|maa|saas|sasur|dost|friend|bhabhi|chacha|mama)"
        r",? (?:@,? ){0,3}?(?:ka|ki|ke|unka|unki|unke|uska|uski|uske) (?:@ )?loan",
        negation="none",
        label="third party",
    ),
    make_cue(
        "moved",
        2,
        r"(?:is|iss) (?:number|no) (?:par|pe|pr) nahi+n? (?:reh|rah|hai|hain)~|इस नंबर (?:पर|पे) नहीं",
        r"(?:yahan|yaha|yahaan) nahi+n? (?:reh|rah)~|no longer (?:uses?|using|lives?|living|has)",
        r"(?:dusre|doosre) (?:sheher|shehar|city)|दूसरे शहर|shift(?:ed)? ho (?:gaye|gaya|gayi)|moved (?:out|away)",
        r"(?:don't|do not) have (?:his|her|their) (?:new )?number",
        r"(?:apne|aapke) record (?:se|से) hata~|remove (?:my|this) number",
        negation="none",
        label="contact moved",
    ),
)

COMPLAINT: tuple[Cue, ...] = (
    make_cue(
        "complaint",
        3,
        r"complain~|shika?ya?t~|शिकायत|harass~|हैरास~|rbi|ombudsman|consumer (?:court|forum)",
        r"police (?:complaint|mein|me|को|में)|escalat~",
        r"report (?:kar|karunga|karungi|karenge|karo|karna|it|this|him|her)~|supervisor|(?:manager|senior) (?:se|to) (?:baat|talk|speak)|grievance",
        r"(?:ke |uske |unke |inke |agent ke )?khilaf|against (?:him|her|the agent|your agent|them)|(?:action|karwai) (?:lo|lijiye|karo)",
        negation="around",
        label="a formal complaint",
    ),
    make_cue(
        "behaviour",
        2,
        r"gaa?li (?:de|di|diya|dete|deta|dena|bak)~|gaa?liyan|गाली",
        r"badtame?e?z~|बदतमीज~|rude~|abus~|dhamk~|धमक~|threat~|chilla~|चिल्ला~|badnaa?m~|बदनाम~",
        r"misbehav~|insult~|beiz+a?t~|बेइज्जत~|(?:kaun sa|kaunsa|ye kya|yeh kya) tareeka|tameez (?:nahi|se baat)",
        rf"{_STAFF_NOUN} [^.!?\n\u0964]{{0,40}}?{_INSULT}|{_INSULT} (?:bola|kaha|bulaya|called)~",
        r"izz?at|इज्जत|zor zor se|sab(?:ke|ki) saamne|padosiyon ke saamne|in front of (?:everyone|my|the)",
        label="agent behaviour",
    ),
    make_cue(
        "third_party_contact",
        2,
        r"(?:relatives?|rishtedaa?r~|family|ghar (?:walon|wale)|padosi~|neighbou?rs?|office|behen|bhai|papa|mummy|mother|father|boss|colleague~|parivar~|रिश्तेदार~|परिवार|ऑफिस|दफ्तर|पडोस~)"
        r" (?:ko |को |में |mein |me )?[^.!?\n]{0,20}?(?:call|phone|फोन|कॉल) (?:kar|kiya|kiye|kyun|करके|किया|कर)~",
        r"(?:calling|called|call) my (?:family|relatives|office|boss|mother|father|wife|husband|colleagues)",
        negation="none",
        label="calls to family or office",
    ),
    make_cue(
        "odd_hours",
        2,
        r"raat (?:ke|ko|mein|me) [^.!?\n]{0,15}?(?:call|phone|baje)~|(?:late night|midnight|at night) [^.!?\n]{0,15}?call~",
        r"call~ [^.!?\n]{0,10}?(?:at night|late night)|रात (?:को|के|में) [^.!?\n]{0,15}?(?:फोन|कॉल|बजे)",
        negation="none",
        label="calls at odd hours",
    ),
    make_cue(
        "too_many_calls",
        1,
        r"(?:din|roz) (?:mein |me |में )?[^.!?\n]{0,10}?(?:baar|times|बार) (?:call|phone|फोन|कॉल)~",
        r"baar baar (?:call|phone)|बार बार|(?:too many|so many|repeated~) calls|roz roz call|दिन में [^.!?\n]{0,10}?बार",
        r"every (?:single )?day|har (?:roz|din)|(?:calls?|phone) (?:at|@) \d+ (?:in the morning|am|pm|at night)",
        negation="none",
        label="too many calls",
    ),
    make_cue(
        "service",
        2,
        r"ghatiya|घटिया|worst (?:service|experience)|(?:bekar|bakwas) service",
        r"(?:customer care|helpline|support) [^.!?\n]{0,20}?(?:jawab nahi|response nahi|no response|not respond~|doesn't respond|nahi uthat~)",
        r"koi jawab nahi+n? (?:de|mil)~",
        negation="none",
        label="poor service",
    ),
    make_cue(
        "distress",
        1,
        r"pareshaa?n (?:kar|ho gaya|ho gayi|hu|hoon)~|परेशान (?:कर|हो)~|tang (?:aa|kar)~|तंग|fed up|pagal kar~",
        negation="none",
        label="harassment",
    ),
)

SETTLEMENT: tuple[Cue, ...] = (
    make_cue(
        "settlement",
        2,
        r"settle~|सेटल~|ots|one[- ]time settlement|full (?:and|&) final|ekmusht|एकमुश्त|samjh?auta|samjhota|समझौता",
        r"beech ka (?:raasta|rasta)|बीच का रास्ता|middle (?:ground|path)|compromise",
        r"(?:isme|isi mein|itne mein|itne me|is amount (?:mein|me)|for this amount|इतने में|इसमें) [^.!?\n]{0,20}?(?:close|band|settle|khatam|बंद|खत्म)~",
        r"(?:reduc~|lower|discounted) (?:payoff|amount|balance|settlement|figure)|payoff amount",
        r"lump ?sum [^.!?\n]{0,20}?(?:close|settle)~|(?:ek baar|एक बार) (?:mein|में) [^.!?\n]{0,25}?(?:khatam|close|band|खत्म|बंद)~",
        negation="around",
        label="settlement",
        exclude=("i'll", "will", "shall"),  # "I'll settle your dues" is a promise to pay
    ),
    make_cue(
        "waiver",
        2,
        r"waive~|discount",
        r"(?:byaj|byaaj|interest|penalty|penalti|charges|late fee|ब्याज|पेनल्टी) [^.!?\n]{0,15}?(?:maaf|maf|माफ|waive~|hata|kam|कम)~",
        r"(?:kam|कम) (?:karke|करके|kar ke)",
        r"(?:baaki|baki|बाकी|rest|remaining) (?:ka |sab )?(?:chhod|chod|maaf|waive|छोड|माफ)~",
        r"(?:penalty|penalti|interest|byaj|byaaj|charges|late fee|ब्याज|पेनल्टी) [^.!?\n]{0,15}?(?:chhod|chod|छोड)~",
        r"(?:kuch |थोडी |कुछ |thodi )?(?:chhoot|chhut|छूट) (?:mil|de|di|chahiye|मिल|दे|दी|चाहिए)~|rebate",
        r"kuch (?:hazaar|hazar|thousand|lakh|k) (?:mein|me|में) (?:baat |matter |account |loan |case )?(?:close|band|settle|khatam)~",
        negation="around",
        label="a waiver",
    ),
    # Same cue, split out because a leading digit defeats the pre-filter.
    make_cue(
        "waiver",
        2,
        r"\d+ ?(?:%|percent|pratishat) (?:pe|par|mein|me|पर) (?:close|band|settle)~",
        r"\d+ ?(?:%|percent|pratishat) (?:le lo|lelo|le lijiye|lijiye|accept|rakh lo)",
        r"\d+ (?:hazaar|hazar|thousand|lakh|k) (?:mein|me|में) (?:baat |matter |account |loan |case )?(?:close|band|settle|khatam)~",
        negation="around",
        label="a waiver",
    ),
)

HARDSHIP: tuple[Cue, ...] = (
    make_cue(
        "job_loss",
        2,
        r"(?:job|naukri|naukari|nokri|kaam) (?:bhi )?(?:chali gayi|chali gai|chala gaya|chhut|chhoot|chut|gayi|gai|nahi+n? (?:hai|rahi|raha)|lost)~",
        r"नौकरी (?:भी )?(?:छूट|चली|नहीं|गई)~|(?:kaam|kaam dhanda|naukri|job) (?:bhi )?band (?:ho gaya|ho gayi|hai|pada)",
        r"laid off|layoff|lost (?:my|his|her) (?:job|work)|unemployed|berozgaa?r~|बेरोजगार~|retrench~|(?:out of|without) (?:a )?(?:job|work)",
        negation="none",
        label="job loss",
    ),
    make_cue(
        "medical",
        2,
        r"hospital~|अस्पताल|हॉस्पिटल|admit~|ilaa?j|इलाज|operation|ऑपरेशन|medical|bimaa?r~|बीमार~|accident|एक्सीडेंट",
        r"surgery|treatment|icu|dialysis|cancer|dawai|दवा~|medical leave|sick leave|chemo~|beemari|bimari|बीमारी",
        r"(?:tabiyat|tabiyet|tabiat|तबीयत) (?:theek nahi+n?|thik nahi+n?|kharab|ठीक नहीं|खराब)|(?:bistar|बिस्तर) (?:par|pe|पर)|unwell|(?:not|haven't been) (?:keeping )?well",
        negation="none",
        label="a medical emergency",
    ),
    make_cue(
        "death",
        2,
        r"death|died|passed away|expire~|guzar (?:gaye|gayi|gaya)|nidhan|dehant|देहांत|निधन|मृत्यु|मौत|maut",
        negation="none",
        label="a death in the family",
    ),
    make_cue(
        "business",
        2,
        r"(?:business|dhandha|dhanda|dukaan|dukan|shop|karobar|व्यापार|धंधा|दुकान|बिजनेस)~ [^.!?\n]{0,20}?(?:band|loss|thap|ठप|बंद|nahi+n? chal|नहीं चल|down|slow|mandi|manda|mandaa|thanda|मंदा|मंदी|ठंडा)~",
        r"(?:loss|nuksaa?n|नुकसान|घाटा|ghata) (?:hua|ho gaya|हुआ|हो गया)~|(?:bahut|heavy|huge) (?:loss|nuksaan)",
        r"(?:fasal|fasl|crop|फसल)~ [^.!?\n]{0,15}?(?:kharab|kharaab|barbaad|barbad|fail~|damage~|खराब|बर्बाद)~|(?:baadh|flood|drought|sukha|सूखा|बाढ)",
        r"(?:shop|business|dukaan|factory|ghar) [^.!?\n]{0,15}?(?:burn~|fire|aag|jal gay~)",
        r"divorce|talaa?q|तलाक|court case|legal case|(?:ghar|family|parivar) (?:mein|me) (?:problem|dikkat|pareshani|jhagda)",
        negation="none",
        label="business loss",
    ),
    make_cue(
        "salary",
        2,
        r"(?:salary|tankhwah|tankhwa|pagaar|पगार|तनख्वाह|वेतन) [^.!?\n]{0,25}?(?:nahi+n? (?:aayi|aai|mili|di|aa rahi|mil rahi)|नहीं (?:आई|मिली|दी)|ruki|rok|delay|late|hi nahi+n?)~",
        r"salary (?:not (?:paid|received|credited)|hasn't|has not|delayed)|(?:haven't|have not|not) (?:been )?(?:paid|received) (?:my )?(?:salary|wages)",
        negation="none",
        label="salary not paid",
    ),
    make_cue(
        "no_money",
        2,
        r"(?:paisa|paise|paisey|money|funds|income|kamai|पैसा|पैसे|कमाई|आमदनी) [^.!?,\n]{0,12}?(?:nahi+n? (?:hai|hain|h|bacha|bache)|नहीं (?:है|हैं|बचा)|khatam|खत्म)",
        r"(?:no|don't have (?:the |any |enough )?|do not have (?:the |any |enough )?)(?:money|income|funds)",
        r"haath (?:mein|me|में) [^.!?,\n]{0,15}?nahi+n?|koi income nahi+n?",
        r"(?:paas|पास) (?:abhi )?(?:kuch|kuchh|paisa|paise|कुछ|पैसे) (?:bhi |भी )?(?:nahi+n?|नहीं) (?:hai|hain|h|है|हैं)|"
        r"(?:kuch|kuchh) (?:bhi )?nahi+n? (?:bacha|bache|raha)|कुछ (?:भी )?नहीं (?:बचा|रहा)|nothing left|(?:i )?(?:have|got) nothing",
        r"(?:kaise|kahan se|कैसे|कहां से) (?:bharun|bharu|bharoon|dun|doon|chukaun|दूं|भरूं|चुकाऊं)",
        r"(?:ghar|घर) (?:chalana|chalane|चलाना) [^.!?\n]{0,15}?(?:mushkil|मुश्किल|nahi+n?)|kiraya [^.!?\n]{0,15}?nahi+n?",
        r"financial~ (?:hardship|problem|crisis|difficult~|issue~|constraint~|trouble)|hardship|आर्थिक (?:तंगी|समस्या|संकट)",
        r"paison ki (?:tangi|dikkat|problem|kami)|पैसों की (?:तंगी|दिक्कत|कमी)",
        negation="none",
        label="financial hardship",
    ),
    make_cue(
        "relief",
        2,
        r"restructur~|moratorium|(?:pause|defer|postpone|reduce|lower) (?:the |my )?(?:emi|emis|payments?|instal~)",
        r"emi (?:kam|chhoti|कम|tod)~|(?:emi|kist|kisht|किस्त|ईएमआई) [^.!?\n]{0,10}?(?:kam|कम) (?:kar|कर)~",
        r"mohlat|मोहलत|grace period",
        negation="none",
        label="financial hardship",
    ),
    make_cue(
        "time_request",
        1,
        r"(?:more|some|extra) time|(?:thoda|kuch) (?:time|samay|waqt)|थोडा (?:समय|वक्त)|extension",
        negation="none",
        label="financial hardship",
    ),
    make_cue(
        "difficulty",
        1,
        r"mushkil|मुश्किल|majboo?ri|मजबूरी|emergency|इमरजेंसी|dikkat|दिक्कत|problem chal~",
        r"(?:tight|tough|difficult) (?:time|situation|phase|month)|struggl~|karz|karza|कर्ज~|udhaar|उधार",
        r"kahan (?:se|say) (?:laun|laaun|lau|dun|doon|bharun|bharu)|कहां से (?:लाऊं|दूं)",
        r"(?:haalat|halat|haalaat|हालत|situation) (?:bahut )?(?:kharab|bigad|theek nahi+n?|खराब|bad)~",
        negation="none",
        label="an emergency",
    ),
    make_cue(
        "inability",
        1,
        r"nahi+n? (?:bhar|de|kar|chuka|jama kar|pay kar) ?(?:paunga|paungi|paaunga|paaungi|payenge|paa rahe|pa raha|paa raha|pa rahi|sakta|sakti|sakte|sakunga)~",
        r"(?:possible|mumkin|sambhav|संभव) nahi+n?|nahi+n? ho (?:payega|paayega|paega|sakega)",
        r"(?:intezaa?m|intazaam|inteja?am|इंतजाम|arrange~) (?:nahi+n?|नहीं) (?:ho|हो)~|(?:can't|cannot|unable to) arrange|"
        r"(?:bas|bass|बस) (?:ki baat|ka kaam|की बात|में) (?:nahi+n?|नहीं)|(?:can't|cannot) afford|beyond my means|(?:don't|do not) know how (?:i'll|i will|to) (?:manage|pay)",
        r"(?:can't|cannot|can not|unable to|not able to|won't be able to) (?:pay|afford|manage|make the payment)",
        r"नहीं (?:दे|भर|कर|चुका) (?:पाऊंगा|पाऊंगी|पाएंगे|सकता|सकती|सकते|पा रहा)~",
        negation="none",
        label="financial hardship",
    ),
)

CALLBACK: tuple[Cue, ...] = (
    make_cue(
        "call_later",
        2,
        r"(?:baad|bad) (?:mein|me|main|में) (?:call|phone|baat|karna|karo|kijiye|kariye|karein|fon)~",
        r"(?:call|phone|fon|कॉल|फोन) (?:karo|karna|kijiye|kariye|karein|kar lijiye|kar lena|kar dena|kar do|करें|कीजिए|करना|कर लीजिए|कर लेना|करो)",
        r"call (?:me )?(?:back|later)|call ?back|(?:call|ring) me (?:tomorrow|later|in|after|at|on|next)~|(?:talk|speak) later",
        r"बाद में (?:बात|कॉल|फोन)",
        r"(?:main|mai|मैं) (?:khud |खुद )?(?:call|phone|कॉल|फोन) (?:karta|karti|karunga|karungi|करता|करती|करूंगा|करूंगी)~",
        r"(?:i'll|i will) call (?:you )?back|will call (?:you )?later|try me (?:after|later|tomorrow|at|on|in)~|can (?:this|it) wait",
        r"(?:kal|कल|shaam|sham|शाम|subah|सुबह|dopahar|दोपहर|baad|बाद|later|tomorrow|parso|परसों) (?:ko |को |mein |में )?(?:baat|बात) (?:karte|karenge|karna|karo|करते|करेंगे|करना)~",
        label="callback",
    ),
    make_cue(
        "busy",
        1,
        r"sunai nahi+n? de|shor (?:hai|ho)|(?:shaadi|shadi|function) (?:mein|me|में) (?:hoon|hu|hun)|"
        r"meeting (?:mein|me|में)|busy|व्यस्त|driving|(?:gaadi|gadi) chala~|गाडी चला~|(?:puja|pooja|पूजा|namaz|नमाज) (?:mein|में)",
        r"baat nahi+n? kar (?:sakta|sakti|sakte|paunga)|बात नहीं कर (?:सकता|सकती)|can'?t (?:talk|speak)",
        r"in the middle of|not a good time|so (?:raha|rahi) (?:hoon|hu|tha)",
        r"(?:train|bus|flight|office|ऑफिस|class) (?:mein|me|में) (?:hoon|hu|हूं)|network (?:nahi|issue|problem)",
        r"(?:thodi|थोडी) (?:der|देर) (?:baad|बाद)|(?:ek|do|aadha|half an?) (?:ghante|ghanta|hour|hours|minute|minutes|min|घंटे) (?:baad|later|बाद)",
        negation="none",
        label="callback",
    ),
    # Same cue, split out because a leading digit defeats the pre-filter.
    make_cue(
        "busy",
        1,
        r"\d+ (?:ghante|ghanta|hour|hours|minute|minutes|min|घंटे) (?:baad|later|बाद)",
        negation="none",
        label="callback",
    ),
)

_INFO_ITEMS = (
    r"statement|noc|no dues|no objection|foreclos~|preclos~|schedule|certificate|closure letter|soa|"
    r"account details|bank details|details|upi id|payment link|link|letter|copy|स्टेटमेंट|एनओसी|लेटर|लिंक"
    r"|विवरण|जानकारी|डिटेल~|पत्र"
)

INFO: tuple[Cue, ...] = (
    make_cue(
        "send",
        2,
        rf"(?:bhej|bhejo|bhejiye|bhejna|send|email|e-mail|mail|sms|whatsapp|share|भेज)~ [^.!?\n]{{0,25}}?(?:{_INFO_ITEMS})",
        rf"(?:{_INFO_ITEMS}) [^.!?\n\u0964]{{0,25}}?(?:bhej|send|email|mail|sms|whatsapp|share|भेज|ईमेल|मेल|chahiye|चाहिए|need|want|required)~",
        r"(?:please )?send (?:it|me|them)|(?:sms|email|mail|whatsapp) kar (?:do|dijiye|dena)",
        rf"(?:{_INFO_ITEMS}) [^.!?\n\u0964]{{0,30}}?(?:nahi+n? (?:mil|aaya|aayi)|not (?:received|got)|haven't (?:received|got)|नहीं (?:मिला|मिली|आया))~",
        label="documents",
    ),
    # "Jaldi bhejiye": a request to send, counted as one only when a document is named too.
    make_cue(
        "send_generic",
        1,
        r"bhejiye|bhej (?:do|dijiye|dena)|jaldi bhej~|भेजिए|भेज (?:दो|दीजिए)",
        label="documents",
    ),
    make_cue(
        "ask",
        1,
        r"kitn[aie](?! baar)|कितन[ाीे]|how (?:much|many|can i|do i|to)|(?:what is|what's|whats|what are|what will be|what would be) (?:the|my)",
        r"(?:can|could) you (?:tell|let) me|tell me (?:the|my|how|what|when)|kya aap bata (?:sakte|sakti)~",
        r"(?:kab|when) (?:tak )?(?:due|hai|hoga|is|karna|bharna)~|kab due|(?:kab|when) [^.!?\n]{0,15}?(?:khatam|close|end|last)~",
        r"(?:upi id|account (?:number|details|no)|ifsc|balance|outstanding|due date|amount|interest rate|foreclosure|बकाया) [^.!?\n]{0,10}?(?:kya|kitna|क्या|कितना)",
        r"(?:bata (?:do|dijiye|dena)|bataiye|batao|बताइए|बता दीजिए)",
        r"(?:kaise|how) [^.!?\n]{0,15}?(?:pay|bhar|karu|karun|kare|karein)~",
        label="details",
    ),
    make_cue("item", 0.5, _INFO_ITEMS, negation="none", label="details"),
)

# Synthetic cues for the turn-level signals found in ``collect``.
LEADING_NO_CUE = Cue("leading_no", 1, re.compile("(?!)"), "none", "refusal")
QUESTION_CUE = Cue("question", 1, re.compile("(?!)"), "none", "details")

# --------------------------------------------------------------------------------------------
# Context lexicons (agent's and customer's words)
# --------------------------------------------------------------------------------------------

AGENT_CONFIRMS_PAYMENT: tuple[Cue, ...] = (
    make_cue(
        "confirm",
        1,
        r"payment [^.!?\n]{0,20}?(?:receive~|mil gaya|mil gayi|aa gaya|aa gayi|credit~|dikh raha|reflect~|update ho gaya)",
        r"(?:can see|i see|we have received|we've received|received) (?:the |your )?payment",
        r"(?:account|emi|loan) (?:is )?(?:now )?(?:up to date|clear|cleared|regular)|(?:emi|account) clear hai|entry aa (?:gaya|gayi)",
        r"(?:भुगतान|पेमेंट|पैसे) [^.!?\n\u0964]{0,15}?(?:मिल गया|मिल गए|आ गया|प्राप्त)",
        negation="around",
    ),
    make_cue(
        "no_dues",
        1,
        r"कोई बकाया नहीं|no (?:dues|outstanding)|(?:kuch|koi) (?:bhi )?(?:pending|baaki|dues) nahi+n?",
        negation="none",
    ),
)

_ON_TIME = whole_word(
    r"on time|in time|time (?:pe|par|se)|samay (?:pe|par)|समय (?:पर|से)|before (?:the due date|that|the \d+\w*)"
    r"|due date (?:se )?pehle|advance (?:mein|me)|in advance|reminder|रिमाइंडर|courtesy|yaad dila~|याद दिला~"
    r"|auto[- ]?debit (?:ho jayega|set)|(?:ecs|nach|mandate) is set"
)
_OVERDUE = whole_word(
    r"overdue|over due|pending|bounce~|late|baaki|baki|बाकी|bakaya|बकाया|missed|miss ho|abhi tak|अभी तक|outstanding"
    r"|nahi+n? aaya|नहीं आया|dpd|legal|cibil|notice|\d+ (?:din|days|दिन) (?:se|से|ho gaye|हो गए)"
    r"|(?:se|since) due|due tha|was due|pichle mahine|last month|bhool (?:hi |bhi )?(?:gaya|gayi|gaye)|bhul (?:hi )?(?:gaya|gayi)|forgot"
)
# Neither pattern can match a line break, so a match in "agent text + newline + customer text"
# is a match in one of the two: each side is searched through its own index.
ON_TIME_IDS = INDEX.add_all([_ON_TIME])
OVERDUE_IDS = INDEX.add_all([_OVERDUE])
BARE_NO = re.compile(
    expand(
        r"^(?:nahi+n?|no|nope|na|नहीं|ना|bilkul nahi+n?|never|kabhi nahi+n?|कभी नहीं|no way)"
        r"(?:[ ,]+(?:ji|sir|madam|ma'am|yaar|yar|bhai|bhaiya|sorry|जी|भाई))*[\s.!\u0964]*$"
    )
)
# A turn that opens with a negation ("No. I'm not agreeing...", "Nahi, ...").
LEADING_NO = re.compile(
    expand(
        r"^(?:nahi+n?|no|nope|never|kabhi nahi+n?|नहीं|ना)(?:[ ,]+(?:ji|sir|madam|ma'am|yaar|bhai|जी))*[.,!\u0964]"
    )
)
# A question about the account: the fallback signal for an information request. The matches are
# those of r"[^.!?\n\u0964]+\?"; the look-behind only stops the engine from retrying that from
# every character of a long stretch without a question mark (which took quadratic time).
QUESTION = re.compile(r"(?<![^.!?\n\u0964])[^.!?\n\u0964]+\?")
DOMAIN = whole_word(
    r"loan|emi~|payment|pay|amount|charge~|penalty|penalti|interest|due|account|statement|kist|kisht|balance|fee~|noc"
    r"|outstanding|installment|instalment|किस्त~|लोन|भुगतान|बकाया|खाता|खाते"
)
PAY_ASK = whole_word(
    r"pay~|bhar~|jama|kar[eo]nge|karengi|kab tak|amount|emi|किस्त|भुगतान|जमा|overdue|dues|clear~|paisa|paise"
)

# --------------------------------------------------------------------------------------------
# Sentiment lexicons (customer's words)
# --------------------------------------------------------------------------------------------

POSITIVE: tuple[Cue, ...] = (
    make_cue(
        "thanks",
        1,
        r"thank~|thanx|thnx|thx|dhanyavaa?d|dhanyawaa?d|dhanyvaa?d|धन्यवाद|shukriya|शुक्रिया",
        negation="none",
    ),
    make_cue(
        "thanks_plus",
        0.5,
        r"thank you so much|thanks a lot|bahut bahut (?:dhanyavaa?d|shukriya)|very helpful",
        negation="none",
    ),
    make_cue("grace", 0.5, r"meherbani|mehrbani|मेहरबानी", negation="none"),
    make_cue(
        "agree",
        0.5,
        r"zaroor|zarur|jaroor|jarur|जरूर|sure|definitely|certainly|absolutely|pakka|पक्का",
        r"no problem|no worries|koi (?:problem|tension|dikkat|issue|pareshani) nahi+n?~|कोई (?:दिक्कत|समस्या|परेशानी) नहीं",
    ),
    make_cue(
        "good",
        1,
        r"(?:bahut )?(?:achha|accha|acha|achhi|acchi|अच्छा|अच्छी) (?:hua|laga|hai|raha|tha|thi|service|experience|offer|kaam|काम|लगा|हुआ)",
        r"badhiya|badiya|बढिया|bahut achha|बहुत अच्छा|achhe se|great|excellent|awesome|wonderful|perfect|happy|glad|pleased",
        r"helpful|appreciate~|polite|nice|wah|waah|khush~|खुश~|samjhaya",
        negation="around",
    ),
    make_cue(
        "willing",
        0.5,
        r"(?:want|wish|intend) to pay|(?:pay|bharna|dena|chukana|karna) (?:chahta|chahti|chahte)|sabse pehle|as soon as (?:i|possible)",
        negation="around",
    ),
    make_cue("on_time", 0.5, r"on time|time (?:pe|par)|samay par|समय पर", negation="none"),
    make_cue("yes", 0.25, r"yes|haan ji|ha ji|ji haan|जी हां|हां जी", negation="none"),
    make_cue("okay", 0.25, r"theek hai|thik hai|ठीक है", negation="none"),
)

# "pareshaan mat karo" / "dhamki mat dijiye" is still negative: the prohibitive "mat" does not
# cancel a negative word, only a statement negator does ("pareshaan nahi hoon").
_STATEMENT_NEGATORS = NEGATORS - {"mat", "मत"}

NEGATIVE: tuple[Cue, ...] = (
    make_cue(
        "anger",
        1,
        r"pareshaa?n~|परेशान|harass~|gussa|गुस्सा|angry|annoyed|irritat~|frustrat~|disgust~|fed up",
        r"bakwas|बकवास|nonsense|rubbish|ghatiya|घटिया|worst|pathetic|useless|beka+r|pagal|पागल|disappoint~|shame|sharam",
        r"(?:bahut )?bur[aie] (?:laga|hai|tha|thi|hua|behaviour|bartav)|बुरा (?:लगा|है)",
        r"kitni (?:baar|bar)|कितनी बार|how many times|stop calling|call mat|phone mat|फोन मत|dobara (?:call|phone)",
        r"(?:teesri|tisri|chauthi|paanchvi|third|fourth|fifth|\d+(?:th|rd|nd)?) (?:baar|bar|time) (?:call|phone|bol|bata)~",
        r"phone rakho|shut up|farak nahi+n? padta|jo (?:karna|marzi)~|जो करना है|(?:tang|तंग) (?:aa|kar|हो)~",
        r"dhokha|धोखा|fraud~|cheat~|loot~|लूट",
        r"hadd (?:hai|ho gayi|ho gai)|हद (?:है|हो)|mazaa?k|मजाक|ridiculous|unacceptable|gundagardi|गुंडागर्दी|not agreeing",
        r"gaa?li|गाली|dhamk~|धमक~|threat~|rude|badtamee?z~|बदतमीज~|chilla~|चिल्ला~|badnaa?m~|बदनाम",
        r"galat(?! (?:number|no|nambar|numbar|jagah|ghar|banda|aadmi|insaan))|गलत(?! (?:नंबर|नम्बर|जगह|घर))"
        r"|wrong(?! (?:number|no|person|place|house))|incorrect|not correct|error|mistake",
        negation="around",
        negators=_STATEMENT_NEGATORS,
    ),
    make_cue(
        "distress",
        1,
        r"mushkil|मुश्किल|majboo?ri|मजबूरी|takleef|तकलीफ|dukhi|दुखी|ghabra~|helpless|desperate|struggl~",
        r"kahan (?:se|say) (?:laun|laaun|lau|dun|doon|bharun|bharu)|कहां से",
        r"(?:bahut|heavy|huge) loss|nuksaa?n|नुकसान",
        negation="around",
        negators=_STATEMENT_NEGATORS,
    ),
    make_cue(
        "trouble",
        0.5,
        r"problem|dikkat|दिक्कत|pareshani|tension",
        negation="around",
        negators=_STATEMENT_NEGATORS,
    ),
    make_cue("emergency", 0.5, r"emergency|hospital~|अस्पताल|medical", negation="none"),
    make_cue(
        "inability",
        0.5,
        r"can't|cannot|nahi+n? (?:de|bhar) ?(?:sakta|sakti|paunga|paungi)|nahi+n? ho (?:payega|paayega)|possible nahi+n?|नहीं (?:दे|भर) (?:पाऊंगा|सकता)",
        negation="none",
    ),
    make_cue("mat", 0.5, r"mat (?:karo|kijiye|dijiye|karna|do)|मत (?:करो|कीजिए|दीजिए)", negation="none"),
)

SENTIMENT_PRIOR: dict[IntentCategory, float] = {
    IntentCategory.COMPLAINT: -1.0,
    IntentCategory.REFUSE_TO_PAY: -1.0,
    IntentCategory.HARDSHIP: -1.0,
    IntentCategory.DISPUTE: -1.0,
}

# The customer's words are matched against all these cue lists in one pass (see ``collect``).
_CATEGORY_CUES: tuple[tuple[IntentCategory, tuple[Cue, ...]], ...] = (
    (IntentCategory.PROMISE_TO_PAY, PROMISE),
    (IntentCategory.REFUSE_TO_PAY, REFUSE),
    (IntentCategory.ALREADY_PAID, ALREADY_PAID),
    (IntentCategory.DISPUTE, DISPUTE),
    (IntentCategory.WRONG_PARTY, WRONG_PARTY),
    (IntentCategory.COMPLAINT, COMPLAINT),
    (IntentCategory.SETTLEMENT_REQUEST, SETTLEMENT),
    (IntentCategory.HARDSHIP, HARDSHIP),
    (IntentCategory.CALLBACK_REQUEST, CALLBACK),
    (IntentCategory.INFORMATION_REQUEST, INFO),
)
CATEGORIES = tuple(cat for cat, _ in _CATEGORY_CUES)
CUSTOMER_LEXICONS = Lexicons.of(*(cues for _, cues in _CATEGORY_CUES), POSITIVE, NEGATIVE)
AGENT_LEXICONS = Lexicons.of(AGENT_CONFIRMS_PAYMENT)
