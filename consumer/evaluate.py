"""Score an analyzer against labelled transcripts.

Input is JSON Lines, one object per line::

    {"transcript": "...", "labels": {"intent_category": "...", "sentiment": "...",
     "action_required": true}, "call_started_at": "2026-11-20T10:30:00+05:30", "id": "s001"}

``call_started_at`` and ``id`` are optional; other keys are ignored; blank lines are skipped.

The report gives per-field accuracy, per-class precision / recall / F1 for ``intent_category``
and ``sentiment``, a confusion matrix for each of the three fields and, as its last line, one
JSON object with the headline figures.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from consumer.analyzer.base import Analyzer
from consumer.errors import InsightsError
from schemas import CallAnalysis, IntentCategory, Sentiment

__all__ = [
    "ClassMetrics",
    "DatasetError",
    "EvalReport",
    "FieldReport",
    "LabelledRow",
    "Labels",
    "Mistake",
    "evaluate",
    "field_report",
    "format_report",
    "load_labelled",
    "run_eval",
]

FIELDS = ("intent_category", "sentiment", "action_required")
ERROR_LABEL = "ERROR"  # the "prediction" recorded when the analyzer raised
INTENT_CLASSES: tuple[str, ...] = tuple(c.value for c in IntentCategory)
SENTIMENT_CLASSES: tuple[str, ...] = tuple(s.value for s in Sentiment)
ACTION_CLASSES: tuple[str, ...] = ("true", "false")
_SHORT = {
    "promise_to_pay": "promise",
    "already_paid": "paid",
    "dispute": "dispute",
    "hardship": "hardship",
    "settlement_request": "settle",
    "refuse_to_pay": "refuse",
    "callback_request": "callback",
    "wrong_party": "wrong",
    "information_request": "info",
    "complaint": "complaint",
    "other": "other",
}


class DatasetError(ValueError):
    """The labelled file is not usable; the message names the line."""


@dataclass(frozen=True, slots=True)
class Labels:
    """The gold labels of one transcript."""

    intent_category: IntentCategory
    sentiment: Sentiment
    action_required: bool


@dataclass(frozen=True, slots=True)
class LabelledRow:
    """One labelled transcript from the input file."""

    line: int
    transcript: str
    labels: Labels
    call_started_at: datetime | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class ClassMetrics:
    """Precision, recall and F1 of one class (0.0 when undefined)."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class FieldReport:
    """Metrics of one field: accuracy, per-class scores, macro-F1 and the confusion counts."""

    name: str
    accuracy: float
    macro_f1: float
    classes: tuple[str, ...]  # rows and columns of the confusion matrix, in order
    per_class: tuple[ClassMetrics, ...]
    confusion: dict[tuple[str, str], int]  # (gold, predicted) -> count


@dataclass(frozen=True, slots=True)
class Mistake:
    """One wrong prediction, for the error listing."""

    row: str
    field: str
    gold: str
    predicted: str


@dataclass(slots=True)
class EvalReport:
    """Everything ``evaluate`` measured."""

    n: int
    analyzer: str
    fields: dict[str, FieldReport]
    errors: int = 0
    mean_ms: float = 0.0
    max_ms: float = 0.0
    mistakes: list[Mistake] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The headline figures (the report's last line)."""
        return {
            "n": self.n,
            "intent_category": round(self.fields["intent_category"].accuracy, 4),
            "sentiment": round(self.fields["sentiment"].accuracy, 4),
            "action_required": round(self.fields["action_required"].accuracy, 4),
            "sentiment_macro_f1": round(self.fields["sentiment"].macro_f1, 4),
        }


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _parse_row(obj: Any, line: int) -> LabelledRow:
    if not isinstance(obj, dict):
        raise DatasetError(f"line {line}: expected a JSON object, got {type(obj).__name__}")
    transcript = obj.get("transcript")
    if not isinstance(transcript, str) or not transcript.strip():
        raise DatasetError(f"line {line}: 'transcript' must be a non-empty string")
    labels = obj.get("labels")
    if not isinstance(labels, dict):
        raise DatasetError(f"line {line}: 'labels' must be an object")
    try:
        intent = IntentCategory(str(labels.get("intent_category")))
    except ValueError:
        raise DatasetError(
            f"line {line}: labels.intent_category must be one of {', '.join(INTENT_CLASSES)}, "
            f"got {labels.get('intent_category')!r}"
        ) from None
    try:
        sentiment = Sentiment(str(labels.get("sentiment")))
    except ValueError:
        raise DatasetError(
            f"line {line}: labels.sentiment must be one of {', '.join(SENTIMENT_CLASSES)}, "
            f"got {labels.get('sentiment')!r}"
        ) from None
    action = labels.get("action_required")
    if not isinstance(action, bool):
        raise DatasetError(f"line {line}: labels.action_required must be true or false, got {action!r}")
    started: datetime | None = None
    raw_started = obj.get("call_started_at")
    if raw_started is not None:
        if not isinstance(raw_started, str):
            raise DatasetError(f"line {line}: 'call_started_at' must be an ISO 8601 string")
        try:
            started = datetime.fromisoformat(raw_started)
        except ValueError:
            raise DatasetError(f"line {line}: 'call_started_at' is not ISO 8601: {raw_started!r}") from None
    row_id = obj.get("id")
    return LabelledRow(
        line=line,
        transcript=transcript,
        labels=Labels(intent, sentiment, action),
        call_started_at=started,
        id=str(row_id) if row_id is not None else None,
    )


def load_labelled(path: str | Path) -> list[LabelledRow]:
    """Read a labelled JSONL file.

    Raises ``DatasetError`` naming the line for malformed JSON or labels, or when the file has
    no rows, and ``OSError`` / ``UnicodeDecodeError`` when it cannot be read.
    """
    rows: list[LabelledRow] = []
    with Path(path).open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"line {line_no}: invalid JSON: {exc.msg} (column {exc.colno})") from None
            rows.append(_parse_row(obj, line_no))
    if not rows:
        raise DatasetError("no labelled rows in the file")
    return rows


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def field_report(
    name: str, gold: Sequence[str], predicted: Sequence[str], classes: Iterable[str]
) -> FieldReport:
    """Accuracy, per-class precision/recall/F1, macro-F1 and confusion counts for one field.

    ``classes`` fixes the order of the rows; labels seen in the data but not listed (such as
    ``ERROR``) are appended. Macro-F1 averages over the classes that occur in the gold labels
    or the predictions (the scikit-learn default), excluding ``ERROR``.
    """
    if len(gold) != len(predicted):
        msg = "gold and predicted must have the same length"
        raise ValueError(msg)
    order = list(dict.fromkeys(classes))
    for label in (*gold, *predicted):
        if label not in order:
            order.append(label)
    confusion = Counter(zip(gold, predicted, strict=True))
    per_class: list[ClassMetrics] = []
    for label in order:
        if label == ERROR_LABEL:
            continue
        tp = confusion[(label, label)]
        n_pred = sum(1 for p in predicted if p == label)
        n_gold = sum(1 for g in gold if g == label)
        precision, recall = _ratio(tp, n_pred), _ratio(tp, n_gold)
        f1 = _ratio(2 * precision * recall, precision + recall)
        per_class.append(ClassMetrics(label, precision, recall, f1, n_gold))
    seen = set(gold) | set(predicted)
    present = [m.f1 for m in per_class if m.label in seen]
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return FieldReport(
        name=name,
        accuracy=_ratio(correct, len(gold)),
        macro_f1=_ratio(sum(present), len(present)),
        classes=tuple(order),
        per_class=tuple(per_class),
        confusion=dict(confusion),
    )


def _values(result: CallAnalysis | None) -> dict[str, str]:
    if result is None:
        return dict.fromkeys(FIELDS, ERROR_LABEL)
    return {
        "intent_category": IntentCategory(result.intent_category).value,
        "sentiment": Sentiment(result.sentiment).value,
        "action_required": "true" if result.action_required else "false",
    }


def _gold(labels: Labels) -> dict[str, str]:
    return {
        "intent_category": labels.intent_category.value,
        "sentiment": labels.sentiment.value,
        "action_required": "true" if labels.action_required else "false",
    }


async def evaluate(rows: Sequence[LabelledRow], analyzer: Analyzer, *, concurrency: int = 8) -> EvalReport:
    """Run ``analyzer`` over ``rows`` and score it.

    An analyzer error (``InsightsError``) on a row is recorded as an ``ERROR`` prediction, which
    counts as wrong for every field. At most ``concurrency`` analyses run at once.
    """
    sem = asyncio.Semaphore(max(1, concurrency))
    timings: list[float] = []

    async def one(row: LabelledRow) -> CallAnalysis | None:
        async with sem:
            t0 = time.perf_counter()
            try:
                return await analyzer.analyze(row.transcript, call_started_at=row.call_started_at)
            except InsightsError:
                return None
            finally:
                timings.append((time.perf_counter() - t0) * 1000)

    results = await asyncio.gather(*(one(r) for r in rows))
    gold = [_gold(r.labels) for r in rows]
    pred = [_values(res) for res in results]
    classes = {
        "intent_category": INTENT_CLASSES,
        "sentiment": SENTIMENT_CLASSES,
        "action_required": ACTION_CLASSES,
    }
    fields = {f: field_report(f, [g[f] for g in gold], [p[f] for p in pred], classes[f]) for f in FIELDS}
    mistakes = [
        Mistake(r.id or f"line {r.line}", f, g[f], p[f])
        for r, g, p in zip(rows, gold, pred, strict=True)
        for f in FIELDS
        if g[f] != p[f]
    ]
    info = getattr(analyzer, "info", None)
    name = f"{info.provider}/{info.model}" if info is not None else type(analyzer).__name__
    return EvalReport(
        n=len(rows),
        analyzer=name,
        fields=fields,
        errors=sum(1 for res in results if res is None),
        mean_ms=_ratio(sum(timings), len(timings)),
        max_ms=max(timings, default=0.0),
        mistakes=mistakes,
    )


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def _short(label: str) -> str:
    return _SHORT.get(label, label)


def _confusion_lines(fr: FieldReport) -> list[str]:
    labels = list(fr.classes)
    heads = [_short(x) for x in labels]
    corner = "gold \\ predicted"
    row_w = max(len(corner), *(len(x) for x in labels))
    col_w = max(5, *(len(h) for h in heads))
    lines = [f"Confusion matrix, {fr.name} (rows: gold, columns: predicted)"]
    lines.append(f"  {corner:<{row_w}} " + " ".join(f"{h:>{col_w}}" for h in heads))
    for g in labels:
        counts = [fr.confusion.get((g, p), 0) for p in labels]
        cells = " ".join(f"{(str(c) if c else '.'):>{col_w}}" for c in counts)
        lines.append(f"  {g:<{row_w}} {cells}")
    return lines


def _class_lines(fr: FieldReport) -> list[str]:
    w = max(len("class"), *(len(m.label) for m in fr.per_class))
    lines = [f"Per class, {fr.name} (macro-F1 {fr.macro_f1:.4f})"]
    lines.append(f"  {'class':<{w}} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>7}")
    for m in fr.per_class:
        lines.append(f"  {m.label:<{w}} {m.precision:>9.3f} {m.recall:>7.3f} {m.f1:>7.3f} {m.support:>7d}")
    return lines


def format_report(report: EvalReport) -> list[str]:
    """The report as text lines; the last line is one JSON object with the headline figures."""
    f = report.fields
    lines = [
        f"Evaluated {report.n} transcripts with {report.analyzer} "
        f"(errors: {report.errors}; mean {report.mean_ms:.3f} ms, max {report.max_ms:.3f} ms per transcript)",
        "Accuracy: " + ", ".join(f"{name} {f[name].accuracy:.4f}" for name in FIELDS),
        "",
    ]
    for name in ("intent_category", "sentiment"):
        lines += _class_lines(f[name])
        lines.append("")
    for name in FIELDS:
        lines += _confusion_lines(f[name])
        lines.append("")
    if report.mistakes:
        lines.append(f"Mistakes ({len(report.mistakes)}):")
        lines += [f"  {m.row}: {m.field} gold={m.gold} predicted={m.predicted}" for m in report.mistakes]
        lines.append("")
    lines.append(json.dumps(report.summary()))
    return lines


async def run_eval(path: str, analyzer: Analyzer) -> int:
    """Evaluate ``analyzer`` on the file at ``path`` and print the report.

    Returns 0, or 2 (with a message on stderr) when the file cannot be read or is invalid.
    The caller owns the analyzer and closes it.
    """
    try:
        rows = load_labelled(path)
    except (OSError, UnicodeDecodeError, DatasetError) as exc:
        print(f"error: cannot evaluate {path}: {exc}", file=sys.stderr)
        return 2
    report = await evaluate(rows, analyzer)
    for line in format_report(report):
        print(line)
    return 0
