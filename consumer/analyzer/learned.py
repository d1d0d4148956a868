"""The offline analyzer's learned model: linear models over a call's words and the rules' verdicts.

The rules are exact where wording is fixed (amounts, dates, quotes, calling hours) but miss what
nobody listed; a linear model over the words of many independently written calls generalises
where the rules do not. Each call becomes a set of binary features:

- ``c:w`` and ``c:w1 w2``: the customer's words and word pairs (everything whoever answered said);
- ``l:w``: the words of the customer's last two turns (the labelling guide weighs sentiment
  towards how the call ends);
- ``a:w``: the agent's words;
- ``x:relative``: someone whose label names them as the borrower's relative or neighbour spoke;
- ``r:intent=…``, ``r:sentiment=…``, ``r:action=…``: what the rules decided, so the model learns
  when to trust them.

The words are those of the turns as the rules read them (split by speaker, folded), lower-cased;
every number is ``<num>``. The three heads (intent, sentiment, action) are multinomial logistic
regressions; their probabilities become the analysis's ``confidence``.

A fourth head, contact status, is a second stage: it reads the same features plus what the detail
rules said of the contact (``k:contact=…``) and the intent the first stage decided (``k:intent=…``),
so that the analysis does not contradict itself (a wrong number answered by the borrower).

``python -m consumer train`` fits them (``consumer/analyzer/train.py``, with scikit-learn) and writes the
weights, in thousandths, to ``learned_model.json`` beside this file. Reading it needs nothing but
the standard library: a linear model is a table of weights.

A call's scores are whole thousandths, summed exactly: each feature's weights for all the heads'
classes are packed into one integer (a fixed-width field per class, offset to stay positive), so
the scores of a call are one ``sum`` of its features' integers, the same in any order and in every
process, and the fields are read back with one ``struct`` unpack. The fields are as narrow as the
model allows (32 bits for up to 32,767 features), since the cost of the sum grows with the width.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from itertools import chain, pairwise
from pathlib import Path
from typing import Any, Final, NamedTuple

from consumer.analyzer.rules import SpeakerTurns
from schemas import ContactStatus, IntentCategory, Sentiment

# Beside this package's __init__, not this module: compiled (consumer.analyzer.native), this
# module's file lives in the build's own folder.
MODEL_PATH: Final = Path(str(resources.files("consumer.analyzer") / "learned_model.json"))
FORMAT: Final = 1
DECIMALS: Final = 3  # weights are whole thousandths
_SCALE: Final = 10**DECIMALS
# Added to every weight (in thousandths, below it in size) so each field stays positive.
_OFFSET: Final = 1 << 16
# A call's words: runs of letters (Devanagari included) and numbers. A number (also one that
# starts with a Devanagari digit, the only digits in the letters' class) is matched outside the
# group, so ``findall`` gives "" for it: the words need no pass of their own to rename numbers.
_WORD_OR_NUMBER: Final = re.compile(r"[\u0966-\u096f][a-z\u0900-\u097f]*|([a-z\u0900-\u097f]+)|\d[\d,.]*")
_NUMBER: Final = "<num>"  # how a feature's name writes a number ("" among a call's words)


_LAST_TURNS: Final = 2  # how the call ends weighs on its sentiment


class _CallWords(NamedTuple):
    """What a call's features are made of, each once ("" for a number)."""

    customer: set[str]  # the words of whoever answered
    pairs: set[tuple[str, str]]  # their adjacent words
    agent: set[str]
    last: set[str]  # the words of the customer's last ``_LAST_TURNS`` turns
    relative: bool  # someone labelled as the borrower's relative spoke

    @classmethod
    def of(cls, turns: SpeakerTurns) -> _CallWords:
        """The words of ``turns`` (lower-cased), by kind."""
        customer: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        agent: set[str] = set()
        last: list[list[str]] = []
        relative = False
        find = _WORD_OR_NUMBER.findall
        for speaker, text in turns:
            words = find(text.lower())
            if speaker == "agent":
                agent.update(words)
            else:
                relative = relative or speaker == "relative"
                customer.update(words)
                pairs.update(pairwise(words))
                last = [*last[-(_LAST_TURNS - 1) :], words]
        return cls(customer, pairs, agent, set(chain.from_iterable(last)), relative)


def features(turns: SpeakerTurns, rules: tuple[str, str, bool]) -> set[str]:
    """The binary features of one call, from its turns as the rules read them and what the rules
    decided (intent, sentiment, action)."""
    words = _CallWords.of(turns)

    def name(word: str) -> str:
        return word or _NUMBER

    out = set(_rule_features(rules, relative=words.relative))
    out.update(f"c:{name(w)}" for w in words.customer)
    out.update(f"c:{name(a)} {name(b)}" for a, b in words.pairs)
    out.update(f"a:{name(w)}" for w in words.agent)
    out.update(f"l:{name(w)}" for w in words.last)
    return out


def contact_features(rules_contact: str, intent: str) -> list[str]:
    """The contact head's own features: what the detail rules said of the contact, and the intent
    the first stage decided."""
    return [f"k:contact={rules_contact}", f"k:intent={intent}"]


def _rule_features(rules: tuple[str, str, bool], *, relative: bool) -> list[str]:
    """The features named outright: the rules' verdicts, and ``x:relative`` when a relative spoke."""
    intent, sentiment, action = rules
    names = [f"r:intent={intent}", f"r:sentiment={sentiment}", f"r:action={action}"]
    return [*names, "x:relative"] if relative else names


class _Lookup(NamedTuple):
    """The packed rows of the model's features, split by kind, so the features of a call are
    looked up from its words as they are instead of as names built for them (``c:w``, ``c:w1 w2``
    ...): per call, that string building and hashing cost more than the sum itself."""

    customer: Mapping[str, int]  # "c:w", by w ("" for "<num>")
    pairs: Mapping[tuple[str, str], int]  # "c:w1 w2", by (w1, w2)
    last: Mapping[str, int]  # "l:w", by w
    agent: Mapping[str, int]  # "a:w", by w
    named: Mapping[str, int]  # the others ("r:...", "x:relative"), by name

    @classmethod
    def of(cls, rows: Mapping[str, int]) -> _Lookup:
        """The tables of ``rows``. A name ``features`` cannot give (a word with a space) is left
        out: no call has it."""
        by_kind: dict[str, dict[str, int]] = {"c": {}, "l": {}, "a": {}}
        pairs: dict[tuple[str, str], int] = {}
        named: dict[str, int] = {}
        for name, row in rows.items():
            kind, _, rest = name.partition(":")
            if kind not in by_kind:
                named[name] = row
                continue
            words = rest.split(" ")
            if "" in words or len(words) > (2 if kind == "c" else 1):
                continue
            keys = ["" if word == _NUMBER else word for word in words]  # as ``_WORD_OR_NUMBER`` reads them
            if len(keys) == 1:
                by_kind[kind][keys[0]] = row
            else:
                pairs[keys[0], keys[1]] = row
        return cls(by_kind["c"], pairs, by_kind["l"], by_kind["a"], named)

    def rows(self, turns: SpeakerTurns, rules: tuple[str, str, bool]) -> list[int]:
        """The rows of the features ``features(turns, rules)`` names that the model has, each
        once (the same ``_CallWords``, looked up without building their names)."""
        words = _CallWords.of(turns)
        found = [
            row
            for row in map(self.named.get, _rule_features(rules, relative=words.relative))
            if row is not None
        ]
        found += [row for row in map(self.customer.get, words.customer) if row is not None]
        found += [row for row in map(self.pairs.get, words.pairs) if row is not None]
        found += [row for row in map(self.agent.get, words.agent) if row is not None]
        found += [row for row in map(self.last.get, words.last) if row is not None]
        return found


def _field_bits(features: int) -> int:
    """The width of each class's field in a model of ``features`` features. A call matches each
    feature at most once, so a field sums at most ``features + 1`` terms (the bias too), each
    below ``2 * _OFFSET``: 32 bits while that stays below 2**32, else 64."""
    return 32 if (features + 1) * 2 * _OFFSET <= 1 << 32 else 64


def _pack(values: Iterable[float], bits: int) -> int:
    """Weights as one integer: whole thousandths, one offset field of ``bits`` bits per class."""
    packed = 0
    for i, value in enumerate(values):
        units = round(value * _SCALE)
        if abs(units) >= _OFFSET:
            msg = f"learned model weight {value} out of range"
            raise ValueError(msg)
        packed |= (units + _OFFSET) << (bits * i)
    return packed


@dataclass(frozen=True, slots=True)
class Head:
    """One multinomial logistic regression: per feature, a weight for each class. Its scores are
    divided by ``temperature`` before the softmax (fitted on the dev briefs, so that a
    probability of 0.8 is right about four times in five); the verdict does not change.

    A ``LearnedModel`` keeps the weights packed in its ``rows`` only: its heads have none (as
    lists of floats they took twice the memory of the rest of the model, in every process)."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, Sequence[float]]
    temperature: float = 1.0


@dataclass(frozen=True, slots=True)
class Prediction:
    """The model's verdicts and how sure it is of each (0..1)."""

    intent: IntentCategory
    intent_p: float
    sentiment: Sentiment
    sentiment_p: float
    action: bool
    action_p: float
    # The packed sum of the call's feature rows and how many there were: the contact head
    # adds its own two features to them (see ``LearnedModel.contact``).
    packed: int = field(default=0, repr=False, compare=False)
    matched: int = field(default=0, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class LearnedModel:
    """The heads, as ``python -m consumer train`` wrote them: intent, sentiment and action, and
    when the model has one, the second-stage contact head.

    For speed the heads' weights are also kept side by side, one packed integer per feature
    (intent classes, then sentiment's, action's and contact's; see the module's docstring): a
    call's scores are one sum of integers.
    """

    version: str
    intent: Head
    sentiment: Head
    action: Head
    rows: Mapping[str, int]
    bias: int
    contact_head: Head | None = None
    _fields: struct.Struct = field(init=False, repr=False, compare=False)
    _lookup: _Lookup = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = sum(len(head.classes) for head in self._heads())
        kind = "I" if _field_bits(len(self.rows)) == 32 else "Q"  # unsigned 32 or 64 bits
        object.__setattr__(self, "_fields", struct.Struct(f"<{n}{kind}"))  # one field per class
        object.__setattr__(self, "_lookup", _Lookup.of(self.rows))

    def _heads(self) -> tuple[Head, ...]:
        """The heads in the order of the packed fields."""
        first = (self.intent, self.sentiment, self.action)
        return first if self.contact_head is None else (*first, self.contact_head)

    @classmethod
    def of(
        cls, version: str, intent: Head, sentiment: Head, action: Head, contact: Head | None = None
    ) -> LearnedModel:
        """The model of these heads, their weights packed into its rows (its heads keep none)."""
        heads = (intent, sentiment, action) if contact is None else (intent, sentiment, action, contact)
        names = {name for head in heads for name in head.weights}
        bits = _field_bits(len(names))
        rows = {
            name: _pack(
                (w for head in heads for w in head.weights.get(name, (0.0,) * len(head.classes))), bits
            )
            for name in names
        }
        bias = _pack((b for head in heads for b in head.bias), bits)
        bare = [replace(head, weights={}) for head in heads]
        return cls(version, bare[0], bare[1], bare[2], rows, bias, bare[3] if contact is not None else None)

    def predict(self, turns: SpeakerTurns, rules: tuple[str, str, bool]) -> Prediction:
        """Intent, sentiment and action for one call (its turns as the rules read them), with the
        rules' verdicts among the features: the same as ``decide(features(turns, rules))``."""
        matched = self._lookup.rows(turns, rules)
        total = sum(matched, self.bias)
        return self._decide(self._unpack(total, len(matched)), total, len(matched))

    def contact(self, prediction: Prediction, rules_contact: str) -> tuple[ContactStatus, float] | None:
        """The contact status of the call ``prediction`` was made for, given what the detail rules
        said of it, and its probability; None when the model has no contact head."""
        head = self.contact_head
        if head is None:
            return None
        names = contact_features(rules_contact, prediction.intent.value)
        extra = [row for row in map(self.rows.get, names) if row is not None]
        scores = self._unpack(sum(extra, prediction.packed), prediction.matched + len(extra))
        label, p = _best(head, scores[-len(head.classes) :])
        return ContactStatus(label), p

    def scores(self, names: Iterable[str]) -> list[float]:
        """The scores of every class (intent's, sentiment's, action's, contact's) for a call with
        these features (a name given twice counts once), before temperature."""
        matched = self._matched(names)
        return self._unpack(sum(matched, self.bias), len(matched))

    def _matched(self, names: Iterable[str]) -> list[int]:
        """The rows of the features ``names`` that the model has, each once."""
        return [row for row in map(self.rows.get, set(names)) if row is not None]

    def _unpack(self, total: int, matched: int) -> list[float]:
        """The scores in ``total``, the packed sum of the bias and ``matched`` feature rows."""
        base = (matched + 1) * _OFFSET
        fields = self._fields.unpack(total.to_bytes(self._fields.size, "little"))
        return [(units - base) / _SCALE for units in fields]

    def decide(self, names: Iterable[str]) -> Prediction:
        """The verdicts for a call with these features (a name given twice counts once)."""
        matched = self._matched(names)
        total = sum(matched, self.bias)
        return self._decide(self._unpack(total, len(matched)), total, len(matched))

    def _decide(self, scores: Sequence[float], packed: int, matched: int) -> Prediction:
        n_intent, n_sentiment = len(self.intent.classes), len(self.sentiment.classes)
        n_action = len(self.action.classes)
        intent = _best(self.intent, scores[:n_intent])
        sentiment = _best(self.sentiment, scores[n_intent : n_intent + n_sentiment])
        action = _best(self.action, scores[n_intent + n_sentiment : n_intent + n_sentiment + n_action])
        return Prediction(
            intent=_INTENTS.get(intent[0]) or IntentCategory(intent[0]),
            intent_p=intent[1],
            sentiment=_SENTIMENTS.get(sentiment[0]) or Sentiment(sentiment[0]),
            sentiment_p=sentiment[1],
            action=action[0] == "true",
            action_p=action[1],
            packed=packed,
            matched=matched,
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LearnedModel:
        """The model from the JSON ``train`` wrote (raises ``ValueError`` for another format)."""
        if data.get("format") != FORMAT:
            msg = f"learned model format {data.get('format')!r}, expected {FORMAT}"
            raise ValueError(msg)
        names: list[str] = data["features"]
        heads = {
            key: Head(
                classes=tuple(head["classes"]),
                bias=tuple(head["bias"]),
                weights={names[int(i)]: row for i, row in head["weights"].items()},
                temperature=float(head.get("temperature", 1.0)),
            )
            for key, head in data["heads"].items()
        }
        return cls.of(
            str(data["version"]), heads["intent"], heads["sentiment"], heads["action"], heads.get("contact")
        )


# The verdicts by value: a look-up, not an enum call, per prediction (an unknown value still
# raises what the enum call raises).
_INTENTS: Final = {c.value: c for c in IntentCategory}
_SENTIMENTS: Final = {s.value: s for s in Sentiment}


def _best(head: Head, scores: Sequence[float]) -> tuple[str, float]:
    """The class with the highest score (the first of equals) and its probability: the softmax of
    the scores over the head's temperature."""
    top = max(scores)
    t = head.temperature
    return head.classes[scores.index(top)], 1.0 / sum([math.exp((x - top) / t) for x in scores])


# ``train`` writes the file's keys sorted: the version is its last value.
_VERSION_AT_END: Final = re.compile(r'"version":("(?:[^"\\]|\\.)*")\}\s*$')


@cache
def shipped_version() -> str | None:
    """The shipped model's version, read from the end of its file without building the model:
    a process that hands every call to worker processes names their model without holding its
    weights. None when there is no model; a file written otherwise is read whole."""
    if not MODEL_PATH.exists():
        return None
    with MODEL_PATH.open("rb") as f:
        f.seek(max(0, MODEL_PATH.stat().st_size - 256))
        tail = f.read().decode("utf-8", errors="replace")
    if (m := _VERSION_AT_END.search(tail)) is not None:
        return str(json.loads(m.group(1)))
    model = shipped_model()
    return model.version if model is not None else None


@cache
def shipped_model() -> LearnedModel | None:
    """The model shipped in the package, loaded once; None when there is none."""
    if not MODEL_PATH.exists():
        return None
    return LearnedModel.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
