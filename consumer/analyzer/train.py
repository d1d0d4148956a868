"""``python -m consumer train``: fit the offline analyzer's learned model from the labelled calls.

Trains on the ``train`` briefs of ``data/splits.json`` and the bundled samples, picks the
regularisation by accuracy on the ``dev`` briefs (ties: the smaller C), sets each head's temperature so its
probabilities are calibrated on the ``dev`` briefs, and writes the weights to
``consumer/analyzer/learned_model.json`` (or ``--out``). The ``test`` briefs are never read. The
same data and library versions give the same file: the features are sorted, the solver is
deterministic, and weights are rounded to three decimals.

Needs the ``train`` extra (scikit-learn); the service reads the file without it.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from consumer.analyzer.details import rules_contact
from consumer.analyzer.evaluate import split_files
from consumer.analyzer.learned import DECIMALS, FORMAT, MODEL_PATH, LearnedModel, contact_features, features
from consumer.analyzer.rules import SpeakerTurns, Verdicts, core_fields
from producer_tools.samples import SAMPLES_PATH
from schemas import ContactStatus, IntentCategory

ROOT: Final = Path(__file__).resolve().parents[2]
DATA: Final = ROOT / "data"
C_GRID: Final = (0.25, 0.5, 1.0, 2.0, 4.0)
MIN_COUNT: Final = 3  # a feature seen in fewer training calls carries no weight
MIN_WEIGHT: Final = 0.01  # a feature whose weights are all smaller changes no decision: left out


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled call as the model sees it."""

    features: frozenset[str]
    intent: str
    sentiment: str
    action: str
    contact: str
    rules_contact: str  # what the detail rules said of the contact (the contact head reads it)


def _rows(paths: Sequence[Path]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in paths:
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def _example(row: dict[str, Any]) -> Example:
    transcript = str(row["transcript"])
    started = datetime.fromisoformat(row["call_started_at"]) if row.get("call_started_at") else None
    seen: list[tuple[Verdicts, SpeakerTurns]] = []

    def record(verdicts: Verdicts, turns: SpeakerTurns) -> Verdicts:  # the inputs the model will get
        seen.append((verdicts, turns))
        return verdicts

    core_fields(transcript, started, decide=record)
    (category, sentiment, action), turns = seen[0]
    labels = row["labels"]
    return Example(
        features=frozenset(features(turns, (category.value, sentiment.value, action))),
        intent=str(labels["intent_category"]),
        sentiment=str(labels["sentiment"]),
        action="true" if labels["action_required"] else "false",
        contact=str(labels["contact_status"]),
        rules_contact=rules_contact(transcript).value,
    )


def _fit(train: Sequence[Example], c: float) -> dict[str, Any]:
    """Fit the heads; return the model as the JSON document ``learned.LearnedModel`` reads.

    Intent, sentiment and action first; then the contact head on the same features plus the
    contact the rules read and the intent the first stage decided for each training call.
    """
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    first = [ex.features for ex in train]
    heads: dict[str, Any] = {}
    fitted: dict[str, Any] = {}
    names: list[str] = []

    def matrix(calls: Sequence[Iterable[str]]) -> Any:
        index = {name: i for i, name in enumerate(names)}
        rows, cols = [], []
        for r, call in enumerate(calls):
            for name in call:
                if name in index:
                    rows.append(r)
                    cols.append(index[name])
        return csr_matrix(([1.0] * len(rows), (rows, cols)), shape=(len(calls), len(names)))

    def fit(head: str, calls: Sequence[Iterable[str]], labels: list[str]) -> None:
        model = LogisticRegression(C=c, max_iter=3000)
        model.fit(matrix(calls), labels)
        fitted[head] = model
        classes = [str(x) for x in model.classes_]
        coef = model.coef_
        bias = model.intercept_
        if len(classes) == 2:  # a binary model keeps one row: the score of the second class
            coef = [[-w for w in coef[0]], list(coef[0])]
            bias = [-bias[0], bias[0]]
        weights: dict[str, list[float]] = {}
        for j in range(len(names)):
            row = [round(float(coef[k][j]), DECIMALS) for k in range(len(classes))]
            if max(abs(w) for w in row) >= MIN_WEIGHT:
                weights[str(j)] = row
        heads[head] = {
            "classes": classes,
            "bias": [round(float(b), DECIMALS) for b in bias],
            "weights": weights,
        }

    # One list of names for every head. The contact head's own features (all of them: which
    # occur depends on the first stage's verdicts) never occur in the first stage's calls, so
    # the first heads give them no weight.
    counts: dict[str, int] = {}
    for call in first:
        for name in call:
            counts[name] = counts.get(name, 0) + 1
    own = {
        name
        for contact in ContactStatus
        for intent in IntentCategory
        for name in contact_features(contact.value, intent.value)
    }
    names = sorted({name for name, n in counts.items() if n >= MIN_COUNT} | own)
    for head in ("intent", "sentiment", "action"):
        fit(head, first, [getattr(ex, head) for ex in train])
    decided = [str(x) for x in fitted["intent"].predict(matrix(first))]
    second = [
        ex.features | frozenset(contact_features(ex.rules_contact, intent))
        for ex, intent in zip(train, decided, strict=True)
    ]
    fit("contact", second, [ex.contact for ex in train])
    return {"format": FORMAT, "features": names, "heads": heads}


HEADS: Final = ("intent", "sentiment", "action", "contact")


def _accuracy(document: dict[str, Any], examples: Sequence[Example]) -> dict[str, float]:
    model = LearnedModel.from_json({**document, "version": "candidate"})
    right = dict.fromkeys(HEADS, 0)
    for ex in examples:
        p = model.decide(ex.features)
        right["intent"] += p.intent.value == ex.intent
        right["sentiment"] += p.sentiment.value == ex.sentiment
        right["action"] += ("true" if p.action else "false") == ex.action
        contact = model.contact(p, ex.rules_contact)
        right["contact"] += contact is not None and contact[0].value == ex.contact
    return {head: round(n / len(examples), 4) if examples else 0.0 for head, n in right.items()}


TEMPERATURES: Final = tuple(round(0.25 * 1.1**k, 2) for k in range(34))  # 0.25 .. 6


def _calibrate(document: dict[str, Any], examples: Sequence[Example]) -> None:
    """Set each head's temperature to the one that gives the gold classes of ``examples`` the
    highest likelihood (temperature scaling; the verdicts stay the same)."""
    model = LearnedModel.from_json({**document, "version": "candidate"})
    spans: dict[str, tuple[int, int]] = {}
    lo = 0
    for head in HEADS:
        n = len(document["heads"][head]["classes"])
        spans[head] = (lo, lo + n)
        lo += n
    scored = []
    for ex in examples:
        # (the contact head's scores with its own features, on the first stage's intent)
        intent = model.decide(ex.features).intent.value
        scored.append((model.scores(ex.features | set(contact_features(ex.rules_contact, intent))), ex))
    for head, (lo, hi) in spans.items():
        classes: list[str] = document["heads"][head]["classes"]
        rows = [(scores[lo:hi], classes.index(getattr(ex, head))) for scores, ex in scored]

        def loss(t: float, rows: list[tuple[list[float], int]] = rows) -> float:
            total = 0.0
            for row, gold in rows:
                top = max(row)
                total += (top - row[gold]) / t + math.log(sum(math.exp((x - top) / t) for x in row))
            return total

        document["heads"][head]["temperature"] = min(TEMPERATURES, key=loss) if rows else 1.0


def train(out: Path = MODEL_PATH) -> dict[str, Any]:
    """Fit, choose C on dev, refit on train and write ``out``; return a summary."""
    train_rows = _rows([*split_files("train", DATA), Path(SAMPLES_PATH)])
    dev_rows = _rows(split_files("dev", DATA))
    train_set = [_example(r) for r in train_rows]
    dev_set = [_example(r) for r in dev_rows]
    scores: dict[float, dict[str, float]] = {}
    best, document = C_GRID[0], {}
    for c in C_GRID:  # the best fit is kept, not fitted again
        fitted = _fit(train_set, c)
        scores[c] = _accuracy(fitted, dev_set)
        if c == max(scores, key=lambda k: (sum(scores[k].values()), -k)):
            best, document = c, fitted
    _calibrate(document, dev_set)
    # What the model was trained on and what it reads (its feature names); not the weights, whose
    # last digit may differ with the platform's BLAS.
    data_hash = hashlib.sha256(
        "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in train_rows).encode()
        + "\n".join(document["features"]).encode()
    ).hexdigest()[:12]
    document["version"] = f"linear-{data_hash}-c{best:g}"
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    out.write_text(text + "\n", encoding="utf-8")
    return {
        "out": str(out),
        "version": document["version"],
        "train_calls": len(train_set),
        "dev_calls": len(dev_set),
        "features": len(document["features"]),
        "c": best,
        "dev_accuracy": scores[best],
        "dev_accuracy_by_c": {str(c): s for c, s in scores.items()},
        "temperature": {head: document["heads"][head]["temperature"] for head in HEADS},
        "bytes": len(text) + 1,
    }


def main(out: str | None = None) -> int:
    """Entry point of ``python -m consumer train``."""
    try:
        import sklearn  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        print("training needs scikit-learn: pip install 'call-insights[train]'", file=sys.stderr)
        return 2
    summary = train(Path(out) if out else MODEL_PATH)
    print(json.dumps(summary))
    return 0
