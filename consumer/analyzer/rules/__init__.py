"""Deterministic, rule-based call analysis for Hinglish debt-collection transcripts.

Pure functions only: no I/O, no randomness, no clock. Every regular expression is compiled at
import time, and the ~100 cue patterns are registered in an index of the first letters their
matches can start with (``consumer.analyzer.text.matcher.Index``): one pass over the words of a transcript
tells which patterns to try where, so a typical transcript takes about 0.05 ms, and time grows
linearly with its length.

How a transcript is read
------------------------
1. The text is normalised (Unicode NFC, Devanagari nukta and chandrabindu folded, lower case,
   curly quotes straightened, Devanagari digits made ASCII, runs of spaces squeezed).
2. It is split into turns on speaker labels ("Agent:", "Customer:", "Collector:", "Borrower:",
   "एजेंट:", "ग्राहक:" ...). Without any label the whole text is the customer's.
3. Cue lexicons (romanised Hindi, Devanagari and English) are matched against the CUSTOMER's
   words only; the agent's words are used just for context (did the agent confirm a payment, was
   this a reminder for an instalment that is not yet due, did the agent answer a question).
   A cue whose match is negated in its clause ("nahi kar dunga", "settlement nahi chahiye",
   "won't pay") does not count; a negated promise counts as a refusal instead.
4. Each category gets a score; a fixed priority order (see ``decide.decide_category``) picks one category.
5. Sentiment is a lexicon score over the customer's words (negation aware, "!" amplifies) plus
   a small prior from the category.
6. ``action_required`` follows from the category and the context, and a short
   ``customer_intent`` and an English ``summary`` are built from templates.

Modules: ``turns`` (normalisation, speaker turns), ``cues`` (the cue machinery and the pattern
index), ``lexicons`` (the cue lists, data), ``phrases`` (day, date and amount phrases near a cue),
``decide`` (the evidence and the verdicts), ``describe`` (intent text and summary), ``analyze``
(the entry points).
"""

from consumer.analyzer.rules.analyze import (
    Reading,
    SpeakerTurns,
    Verdicts,
    analyze_text,
    core_fields,
    read_call,
    speaker_turns,
    write_core,
)
from consumer.analyzer.rules.turns import Turn, normalize, split_turns

__all__ = [
    "Reading",
    "SpeakerTurns",
    "Turn",
    "Verdicts",
    "analyze_text",
    "core_fields",
    "normalize",
    "read_call",
    "speaker_turns",
    "split_turns",
    "write_core",
]
