"""The offline analyzer's learned model: linear models over a call's words and the rules' verdicts.

The rules are exact where wording is fixed (amounts, dates, quotes, calling hours) but miss what
nobody listed; a linear model over the words of many independently written calls generalises
where the rules do not. Each call becomes a set of binary features:

- ``c:w`` and ``c:w1 w2``: the customer's words and word pairs (everything whoever answered said);
- ``a:w``: the agent's words;
- ``r:intent=…``, ``r:sentiment=…``, ``r:action=…``: what the rules decided, so the model learns
  when to trust them.

The words are those of the turns as the rules read them (split by speaker, folded), lower-cased;
every number is ``<num>``. The three heads (intent, sentiment, action) are multinomial logistic
regressions; their probabilities become the analysis's ``confidence``. ``python -m consumer train``
fits them (``consumer/train.py``, with scikit-learn) and writes the weights to
``learned_model.json`` beside this file. Reading it needs nothing but the standard library: a
linear model is a table of weights.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

from consumer.analyzer.rules import SpeakerTurns
from schemas import IntentCategory, Sentiment

MODEL_PATH: Final = Path(__file__).with_name("learned_model.json")
FORMAT: Final = 1
_WORD: Final = re.compile(r"[a-z\u0900-\u097f]+|\d[\d,.]*")


def _words(text: str) -> list[str]:
    return ["<num>" if w[0].isdigit() else w for w in _WORD.findall(text.lower())]


def features(turns: SpeakerTurns, rules: tuple[str, str, bool]) -> list[str]:
    """The binary features of one call, each once, in the order the call says them (a fixed
    order: sums over them are the same in every process), from its turns as the rules read them
    and what the rules decided (intent, sentiment, action)."""
    out: dict[str, None] = {}
    for speaker, text in turns:
        words = _words(text)
        if speaker == "agent":
            out.update(dict.fromkeys(["a:" + w for w in words]))
        else:
            out.update(dict.fromkeys(["c:" + w for w in words]))
            out.update(dict.fromkeys([f"c:{a} {b}" for a, b in pairwise(words)]))
    intent, sentiment, action = rules
    out.update(dict.fromkeys((f"r:intent={intent}", f"r:sentiment={sentiment}", f"r:action={action}")))
    return list(out)


@dataclass(frozen=True, slots=True)
class Head:
    """One multinomial logistic regression: per feature, a weight for each class."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, Sequence[float]]


@dataclass(frozen=True, slots=True)
class Prediction:
    """The model's verdicts and how sure it is of each (0..1)."""

    intent: IntentCategory
    intent_p: float
    sentiment: Sentiment
    sentiment_p: float
    action: bool
    action_p: float


@dataclass(frozen=True, slots=True)
class LearnedModel:
    """The three heads, as ``python -m consumer train`` wrote them.

    For speed the heads' weights are also kept side by side, one row per feature (intent classes,
    then sentiment's, then action's): a call's scores are one sum of rows.
    """

    version: str
    intent: Head
    sentiment: Head
    action: Head
    rows: Mapping[str, tuple[float, ...]]
    bias: tuple[float, ...]

    @classmethod
    def of(cls, version: str, intent: Head, sentiment: Head, action: Head) -> LearnedModel:
        """The model of these heads."""
        heads = (intent, sentiment, action)
        names = {name for head in heads for name in head.weights}
        rows = {
            name: tuple(w for head in heads for w in head.weights.get(name, (0.0,) * len(head.classes)))
            for name in names
        }
        bias = tuple(b for head in heads for b in head.bias)
        return cls(version, intent, sentiment, action, rows, bias)

    def predict(self, turns: SpeakerTurns, rules: tuple[str, str, bool]) -> Prediction:
        """Intent, sentiment and action for one call (its turns as the rules read them), with the
        rules' verdicts among the features."""
        return self.decide(features(turns, rules))

    def decide(self, names: Iterable[str]) -> Prediction:
        """The verdicts for a call with these features; the same order of ``names`` gives the same
        sums to the last bit."""
        matched = [row for row in map(self.rows.get, names) if row is not None]
        scores = [sum(column) for column in zip(self.bias, *matched, strict=True)]
        n_intent, n_sentiment = len(self.intent.classes), len(self.sentiment.classes)
        intent = _best(self.intent.classes, scores[:n_intent])
        sentiment = _best(self.sentiment.classes, scores[n_intent : n_intent + n_sentiment])
        action = _best(self.action.classes, scores[n_intent + n_sentiment :])
        return Prediction(
            intent=IntentCategory(intent[0]),
            intent_p=intent[1],
            sentiment=Sentiment(sentiment[0]),
            sentiment_p=sentiment[1],
            action=action[0] == "true",
            action_p=action[1],
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
            )
            for key, head in data["heads"].items()
        }
        return cls.of(str(data["version"]), heads["intent"], heads["sentiment"], heads["action"])


def softmax(scores: Sequence[float]) -> list[float]:
    """Probabilities from scores."""
    top = max(scores)
    exps = [math.exp(x - top) for x in scores]
    total = sum(exps)
    return [e / total for e in exps]


def _best(classes: Sequence[str], scores: Sequence[float]) -> tuple[str, float]:
    probabilities = softmax(scores)
    i = max(range(len(probabilities)), key=probabilities.__getitem__)
    return classes[i], probabilities[i]


@cache
def shipped_model() -> LearnedModel | None:
    """The model shipped in the package, loaded once; None when there is none."""
    if not MODEL_PATH.exists():
        return None
    return LearnedModel.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
