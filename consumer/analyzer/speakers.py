"""Speaker labels: the one list every part of the analyzer reads turns by.

A label is a word before a colon at the start of a line ("Agent:", "Borrower 2:", "ग्राहक:"). The
agent's side is the collector, whatever the platform calls them; the customer's side is whoever
answered: the borrower, or a relative or stranger on the line (their words decide a wrong party).
"""

from __future__ import annotations

from typing import Final

AGENT_LABELS: Final = (
    "agent",
    "collector",
    "collection agent",
    "recovery agent",
    "executive",
    "exec",
    "officer",
    "representative",
    "rep",
    "telecaller",
    "tele caller",
    "caller",
    "csr",
    "advisor",
    "एजेंट",
    "कलेक्टर",
    "अधिकारी",
    "प्रतिनिधि",
    "कर्मचारी",
)
CUSTOMER_LABELS: Final = (
    "customer",
    "borrower",
    "client",
    "debtor",
    "cust",
    "user",
    "receiver",
    "other",
    "ग्राहक",
    "कस्टमर",
    "उधारकर्ता",
    "कर्जदार",
    "कर्ज़दार",
)
