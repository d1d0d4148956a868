"""A transcript as the rules read it: folded into the form the lexicons are written for and split
into speaker turns."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from consumer.analyzer.text import speakers
from consumer.analyzer.text.fold import INDIC_DIGITS
from schemas import Speaker

_PUNCT_MAP = {
    ord("\u2019"): "'",
    ord("\u2018"): "'",
    ord("\u201c"): '"',
    ord("\u201d"): '"',
    ord("\u2013"): "-",
    ord("\u2014"): "-",
    ord("\u00a0"): " ",
    ord("\u200b"): None,
    ord("\u200c"): None,
    ord("\u200d"): None,
    ord("\ufeff"): None,
    **INDIC_DIGITS,
}
# Any character the map changes (no need to translate a text without one).
_PUNCT_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in _PUNCT_MAP) + "]")
_SPACES = re.compile(r"[ \t\r\f\v]+")
# A letter repeated three or more times ("\1\1+" is "\1{2,}", but fails faster on the usual
# non-repeat: the engine need not enter a counted repeat at every letter).
_REPEATS = re.compile(r"([a-z])\1\1+")


def normalize(text: str) -> str:
    """Fold a transcript (or a pattern) into the form the lexicons are written for.

    Devanagari: nukta dropped (ज़ → ज, ढ़ → ढ), chandrabindu folded into anusvara (ँ → ं).
    Romanised: lower case, letters repeated 3+ times squeezed to two ("nahiii" → "nahii").
    """
    # Unicode normalisation and the punctuation map only ever change non-ASCII characters.
    if text.isascii():
        t = text.lower()
    else:
        t = fold_devanagari(text)
        if _PUNCT_CHARS.search(t):
            t = t.translate(_PUNCT_MAP)
        t = t.lower()
    if _REPEATS.search(t):
        t = _REPEATS.sub(r"\1\1", t)
    if "  " in t or "\t" in t or "\r" in t or "\f" in t or "\v" in t:
        # (A lone space is replaced by itself, so only these can change anything.)
        t = _SPACES.sub(" ", t)
    return t


# The characters whose canonical decomposition holds a nukta (U+093C) or a chandrabindu (U+0901):
# themselves and the precomposed nukta letters (checked against the whole Unicode range).
_FOLDED = re.compile("[\u0901\u0929\u0931\u0934\u093c\u0958-\u095f]")


def fold_devanagari(text: str) -> str:
    """NFC with the Devanagari nukta dropped and chandrabindu folded into anusvara."""
    if _FOLDED.search(text) is None and unicodedata.is_normalized("NFC", text):
        return text  # NFC(NFD(text)) is text, and there is nothing to fold
    t = unicodedata.normalize("NFD", text)
    t = t.replace("\u093c", "").replace("\u0901", "\u0902")
    return unicodedata.normalize("NFC", t)


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance: who spoke and the normalised text. ``relative`` is someone on the
    borrower's side whose label names them ("Customer's wife:"); the rules read their words with
    the customer's."""

    speaker: Literal["agent", "customer", "relative"]
    text: str


_Side = Literal["agent", "customer", "relative"]
TurnTuple = tuple[_Side, str]


def read_turns(transcript: str, split: speakers.Split | None = None) -> list[TurnTuple]:
    """The turns of ``transcript`` (as ``speakers.split_turns`` finds them, or ``split`` when the
    caller has it), each normalised."""
    turns: list[TurnTuple] = []
    for turn in (speakers.split_turns(transcript) if split is None else split)[0]:
        body = transcript[turn.start : turn.end]
        text = normalize(speakers.spoken(body)).strip()
        if text:
            side: _Side = (
                "agent" if turn.speaker is Speaker.AGENT else "relative" if turn.relative else "customer"
            )
            turns.append((side, text))
    return turns


def split_turns(transcript: str) -> list[Turn]:
    """Split a transcript into speaker turns (normalised text).

    Labels may start a line or follow sentence punctuation on the same line. Text before the
    first label, and the whole text when there is no label at all, is attributed to the customer.
    """
    return [Turn(speaker, body) for speaker, body in read_turns(transcript)]
