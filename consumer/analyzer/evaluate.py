"""Score an analyzer against labelled transcripts, and show where it fails.

Input is JSON Lines, one object per line::

    {"transcript": "...", "labels": {"intent_category": "...", "sentiment": "...",
     "action_required": true}, "call_started_at": "2026-11-20T10:30:00+05:30", "id": "s001"}

``call_started_at`` and ``id`` are optional; other keys are ignored; blank lines are skipped.
Several files may be scored together, or a split of the labelled corpus by name: ``split_files``
reads ``data/splits.json`` and returns the files of ``train``, ``dev``, ``test`` or ``all`` briefs.

Rows may also carry the extended labels, each key optional: ``contact_status`` (one of
``ContactStatus``), ``promise_to_pay`` (``null`` for no promise, or ``{"amount_inr": int | null,
"due_date": "YYYY-MM-DD" | null, ...}``), ``distress`` (a list of ``DistressKind``) and ``compliance``
(a list of ``ComplianceRule``). When any row has one, the report adds contact-status accuracy and
confusion, promise detection precision / recall / F1 with exact-match rates of the amount and the
date (over the rows whose gold has a promise), per-kind distress and per-rule compliance scores.
Each metric is computed over the rows that carry its label. ``compliance_micro_f1`` leaves out
``outside_calling_hours``, which is set by rule from ``call_started_at``; its own row is still listed.

The report gives per-field accuracy, per-class precision / recall / F1 for ``intent_category``
and ``sentiment``, a confusion matrix for each of the three fields, then where the analyzer fails:

- the mistakes it was most confident about, per field (``Mistake.confidence`` is the analysis's
  ``confidence`` of that field; for a promise, the promise's). Each shows the row's id, gold,
  prediction, confidence and the transcript's opening words. Distress and compliance list false
  flags (most severe first, with the analyzer's quote) and misses apart;
- calibration (``consumer.analyzer.calibration``): for intent, sentiment and action, the calls by band of
  their confidence, each band's accuracy beside its mean confidence, the expected calibration
  error and the Brier score; and the accuracy of calls flagged ``needs_review`` against the others.

Its last line is one JSON object with the headline figures (``EvalReport.summary``), the ECE of
each field's confidence among them. ``report_document`` is the whole report as one JSON document.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from consumer.analyzer.base import Analyzer
from consumer.analyzer.calibration import Calibration, ReviewGroup, calibrate, review_groups
from consumer.errors import InsightsError
from schemas import (
    CallAnalysis,
    ComplianceRule,
    ContactStatus,
    DistressKind,
    IntentCategory,
    PromiseToPay,
    Sentiment,
    Severity,
)

__all__ = [
    "ClassMetrics",
    "DatasetError",
    "EvalReport",
    "ExtendedLabels",
    "ExtendedReport",
    "FieldReport",
    "GoldPromise",
    "LabelledRow",
    "Labels",
    "Mistake",
    "SetReport",
    "WorstGroup",
    "evaluate",
    "excerpt",
    "field_report",
    "find_data_dir",
    "format_report",
    "load_labelled",
    "report_document",
    "run_eval",
    "set_report",
    "split_files",
    "worst_mistakes",
]

FIELDS = ("intent_category", "sentiment", "action_required")
ERROR_LABEL = "ERROR"  # the "prediction" recorded when the analyzer raised
INTENT_CLASSES: tuple[str, ...] = tuple(c.value for c in IntentCategory)
SENTIMENT_CLASSES: tuple[str, ...] = tuple(s.value for s in Sentiment)
ACTION_CLASSES: tuple[str, ...] = ("true", "false")
CONTACT_CLASSES: tuple[str, ...] = tuple(c.value for c in ContactStatus)
DISTRESS_KINDS: tuple[str, ...] = tuple(k.value for k in DistressKind)
COMPLIANCE_RULES: tuple[str, ...] = tuple(r.value for r in ComplianceRule)
RULE_SET_BY_TIME = ComplianceRule.OUTSIDE_CALLING_HOURS.value  # left out of compliance_micro_f1
SPLITS: tuple[str, ...] = ("train", "dev", "test", "all")
WORST_DEFAULT = 5
CHECKOUT_DATA = Path(__file__).resolve().parents[2] / "data"  # the labelled corpus of a checkout
EXCERPT_CHARS = 160
NOT_SET = "-"  # the gold of a false flag, the prediction of a missed one
# the order of the fields in the worst-mistakes section
MISTAKE_FIELDS: tuple[str, ...] = (
    *FIELDS,
    "contact_status",
    "promise_to_pay",
    "promise_amount",
    "promise_due_date",
    "distress",
    "compliance",
)
_SEVERITY_RANK = {Severity.HIGH.value: 3, Severity.MEDIUM.value: 2, Severity.LOW.value: 1}
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
class GoldPromise:
    """The promise a labeller found: the amount and date, each possibly unknown."""

    amount_inr: int | None = None
    due_date: date | None = None


@dataclass(frozen=True, slots=True)
class ExtendedLabels:
    """The optional detail labels of one transcript; ``None`` (or ``has_promise`` False) = not labelled."""

    contact_status: str | None = None
    has_promise: bool = False  # whether the row labels promise_to_pay at all (null is a label: "none")
    promise: GoldPromise | None = None
    distress: frozenset[str] | None = None
    compliance: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Labels:
    """The gold labels of one transcript."""

    intent_category: IntentCategory
    sentiment: Sentiment
    action_required: bool
    extended: ExtendedLabels | None = None


@dataclass(frozen=True, slots=True)
class LabelledRow:
    """One labelled transcript from the input file."""

    line: int
    transcript: str
    labels: Labels
    call_started_at: datetime | None = None
    id: str | None = None
    source: str | None = None  # the file's name, when read from one

    @property
    def name(self) -> str:
        """How the report names the row: its id, else its file and line."""
        if self.id:
            return self.id
        return f"{self.source} line {self.line}" if self.source else f"line {self.line}"


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
class SetReport:
    """Per-label and micro-averaged scores of a multi-label field (distress kinds, compliance rules)."""

    name: str
    n: int  # rows scored
    per_label: tuple[ClassMetrics, ...]
    micro_precision: float
    micro_recall: float
    micro_f1: float


@dataclass(frozen=True, slots=True)
class ExtendedReport:
    """The detail-field metrics; each part is ``None`` when no row carries its label."""

    contact_status: FieldReport | None = None
    ptp_n: int = 0  # rows with a promise label
    ptp_gold: int = 0  # of which the gold has a promise
    ptp_precision: float = 0.0
    ptp_recall: float = 0.0
    ptp_f1: float = 0.0
    ptp_amount_exact: float = 0.0
    ptp_date_exact: float = 0.0
    distress: SetReport | None = None
    compliance: SetReport | None = None


MistakeKind = Literal["wrong", "false_flag", "missed"]


@dataclass(frozen=True, slots=True)
class Mistake:
    """One wrong prediction, for the error listing.

    ``kind`` is ``wrong`` for a single-valued field; for distress kinds and compliance rules, one
    mistake per label: ``false_flag`` (predicted, not in the gold; ``gold`` is ``-``) or ``missed``
    (in the gold, not predicted; ``predicted`` is ``-``). ``confidence`` is the analyzer's confidence
    in its prediction of the field (``None`` when it gave none, or gave no prediction to be sure of);
    ``evidence`` the quote the analyzer gave for a flag, ``severity`` a compliance flag's severity.
    """

    row: str
    field: str
    gold: str
    predicted: str
    confidence: float | None = None
    excerpt: str = ""
    kind: MistakeKind = "wrong"
    evidence: str | None = None
    severity: str | None = None


@dataclass(frozen=True, slots=True)
class WorstGroup:
    """The mistakes of one field (and kind) the analyzer was most sure of, worst first."""

    field: str
    kind: MistakeKind
    total: int  # mistakes of this field and kind
    shown: tuple[Mistake, ...]


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
    extended: ExtendedReport | None = None
    calibration: dict[str, Calibration] = field(default_factory=dict)  # by field; empty: no confidence
    review: tuple[ReviewGroup, ReviewGroup] | None = None  # needs_review, then not flagged
    sources: tuple[str, ...] = ()  # the files the rows came from

    def summary(self) -> dict[str, Any]:
        """The headline figures (the report's last line); detail keys only when the data has them."""
        out: dict[str, Any] = {
            "n": self.n,
            "intent_category": round(self.fields["intent_category"].accuracy, 4),
            "sentiment": round(self.fields["sentiment"].accuracy, 4),
            "action_required": round(self.fields["action_required"].accuracy, 4),
            "sentiment_macro_f1": round(self.fields["sentiment"].macro_f1, 4),
        }
        ext = self.extended
        if ext is not None:
            if ext.contact_status is not None:
                out["contact_status"] = round(ext.contact_status.accuracy, 4)
            if ext.ptp_n:
                out["ptp_f1"] = round(ext.ptp_f1, 4)
                out["ptp_amount_exact"] = round(ext.ptp_amount_exact, 4)
                out["ptp_date_exact"] = round(ext.ptp_date_exact, 4)
            if ext.compliance is not None:
                out["compliance_micro_f1"] = round(ext.compliance.micro_f1, 4)
            if ext.distress is not None:
                out["distress_micro_f1"] = round(ext.distress.micro_f1, 4)
        for name, cal in self.calibration.items():
            out[f"{name}_ece"] = round(cal.ece, 4)
        return out


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _parse_row(obj: Any, line: int, source: str | None = None) -> LabelledRow:
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
        labels=Labels(intent, sentiment, action, _parse_extended(labels, line)),
        call_started_at=started,
        id=str(row_id) if row_id is not None else None,
        source=source,
    )


def _label_list(
    labels: dict[str, Any], key: str, allowed: tuple[str, ...], line: int
) -> frozenset[str] | None:
    if key not in labels:
        return None
    raw = labels[key]
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or any(x not in allowed for x in raw):
        raise DatasetError(f"line {line}: labels.{key} must be a list of {', '.join(allowed)}, got {raw!r}")
    return frozenset(raw)


def _parse_promise(raw: Any, line: int) -> GoldPromise | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise DatasetError(f"line {line}: labels.promise_to_pay must be an object or null")
    amount = raw.get("amount_inr")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount < 0):
        raise DatasetError(f"line {line}: labels.promise_to_pay.amount_inr must be a whole number or null")
    due_raw = raw.get("due_date")
    due: date | None = None
    if due_raw is not None:
        try:
            due = date.fromisoformat(str(due_raw))
        except ValueError:
            raise DatasetError(
                f"line {line}: labels.promise_to_pay.due_date must be YYYY-MM-DD or null, got {due_raw!r}"
            ) from None
    return GoldPromise(amount, due)


def _parse_extended(labels: dict[str, Any], line: int) -> ExtendedLabels | None:
    keys = ("contact_status", "promise_to_pay", "distress", "compliance")
    if not any(k in labels for k in keys):
        return None
    contact: str | None = None
    if "contact_status" in labels:
        contact = str(labels["contact_status"])
        if contact not in CONTACT_CLASSES:
            raise DatasetError(
                f"line {line}: labels.contact_status must be one of "
                f"{', '.join(CONTACT_CLASSES)}, got {contact!r}"
            )
    has_promise = "promise_to_pay" in labels
    return ExtendedLabels(
        contact_status=contact,
        has_promise=has_promise,
        promise=_parse_promise(labels["promise_to_pay"], line) if has_promise else None,
        distress=_label_list(labels, "distress", DISTRESS_KINDS, line),
        compliance=_label_list(labels, "compliance", COMPLIANCE_RULES, line),
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
            rows.append(_parse_row(obj, line_no, Path(path).name))
    if not rows:
        raise DatasetError("no labelled rows in the file")
    return rows


def find_data_dir(start: str | Path | None = None, *, fallback: Path | None = CHECKOUT_DATA) -> Path:
    """The labelled corpus's directory: the first ``data/`` holding ``splits.json`` in ``start``
    (default: the current directory) or one of its parents, else ``fallback`` (the repository
    this package was imported from, when it is a checkout).

    Raises ``DatasetError`` saying where it looked.
    """
    here = Path(start if start is not None else Path.cwd()).resolve()
    candidates = [d / "data" for d in (here, *here.parents)]
    if fallback is not None:
        candidates.append(fallback)
    for candidate in candidates:
        if (candidate / "splits.json").is_file():
            return candidate
    msg = (
        f"no data/splits.json in {here}, its parents or the repository of this package; "
        "run from the repository root or pass --data DIR"
    )
    raise DatasetError(msg)


def split_files(split: str, data_dir: str | Path | None = None) -> list[Path]:
    """The labelled files of one split (``train``, ``dev``, ``test``, or ``all`` of them in that
    order), from ``data_dir/splits.json`` (default: ``find_data_dir()``).

    Raises ``DatasetError`` for an unknown split, an unreadable ``splits.json`` or a missing file.
    """
    if split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}; one of {', '.join(SPLITS)}")
    root = Path(data_dir) if data_dir is not None else find_data_dir()
    splits_path = root / "splits.json"
    try:
        splits = json.loads(splits_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(f"cannot read {splits_path}: {exc}") from None
    if not isinstance(splits, dict):
        raise DatasetError(f"{splits_path}: expected an object of split name -> list of briefs")
    names = [s for s in SPLITS if s != "all"] if split == "all" else [split]
    briefs: list[str] = []
    for name in names:
        listed = splits.get(name)
        if not isinstance(listed, list) or not all(isinstance(b, str) for b in listed):
            raise DatasetError(f"{splits_path}: {name!r} must be a list of brief names")
        briefs += listed
    files = [root / "labelled" / f"{brief}.jsonl" for brief in briefs]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise DatasetError(f"split {split!r} names files that do not exist: {', '.join(missing)}")
    if not files:
        raise DatasetError(f"split {split!r} has no briefs in {splits_path}")
    return files


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


def set_report(
    name: str,
    gold: Sequence[frozenset[str]],
    predicted: Sequence[frozenset[str]],
    labels: Iterable[str],
    *,
    exclude: frozenset[str] = frozenset(),
) -> SetReport:
    """Per-label precision/recall/F1 and micro averages of a multi-label field.

    ``labels`` fixes the order (labels seen but not listed are appended); labels in ``exclude``
    keep their row but are left out of the micro averages.
    """
    if len(gold) != len(predicted):
        msg = "gold and predicted must have the same length"
        raise ValueError(msg)
    order = list(dict.fromkeys(labels))
    for s in (*gold, *predicted):
        order += [x for x in sorted(s) if x not in order]
    per: list[ClassMetrics] = []
    tp_all = fp_all = fn_all = 0
    for label in order:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label not in p)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        per.append(
            ClassMetrics(
                label, precision, recall, _ratio(2 * precision * recall, precision + recall), tp + fn
            )
        )
        if label not in exclude:
            tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    precision, recall = _ratio(tp_all, tp_all + fp_all), _ratio(tp_all, tp_all + fn_all)
    return SetReport(
        name, len(gold), tuple(per), precision, recall, _ratio(2 * precision * recall, precision + recall)
    )


def excerpt(transcript: str, limit: int = EXCERPT_CHARS) -> str:
    """The transcript's opening on one line: whitespace collapsed, at most ``limit`` characters
    (the last an ellipsis when cut)."""
    flat = " ".join(transcript.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"


def _field_confidence(result: CallAnalysis | None, name: str) -> float | None:
    """The analysis's confidence in one of its fields (a ``FieldConfidence`` attribute)."""
    if result is None or result.confidence is None:
        return None
    value = getattr(result.confidence, name)
    return float(value) if value is not None else None


def _promise_confidence(result: CallAnalysis | None) -> float | None:
    """How sure the analysis is of its promise: the field's confidence, else the promise's own."""
    if result is None or result.promise_to_pay is None:
        return None
    value = _field_confidence(result, "promise_to_pay")
    return value if value is not None else result.promise_to_pay.confidence


def _promise_text(amount: int | None, due: date | None) -> str:
    return f"{amount if amount is not None else 'no amount'} by {due if due is not None else 'no date'}"


def _promise_mistakes(
    row: LabelledRow, gold: GoldPromise | None, result: CallAnalysis | None, text: str
) -> list[Mistake]:
    """Detection mistakes as ``promise_to_pay``; a found promise's wrong amount or date apart."""
    pred: PromiseToPay | None = result.promise_to_pay if result is not None else None
    conf = _promise_confidence(result)
    if gold is None and pred is None:
        return []
    if gold is None or pred is None:
        g_txt = "none" if gold is None else _promise_text(gold.amount_inr, gold.due_date)
        p_txt = "none" if pred is None else _promise_text(pred.amount_inr, pred.due_date)
        return [Mistake(row.name, "promise_to_pay", g_txt, p_txt, conf, text)]
    out: list[Mistake] = []
    if pred.amount_inr != gold.amount_inr:
        g_amount, p_amount = (str(a) if a is not None else "none" for a in (gold.amount_inr, pred.amount_inr))
        out.append(Mistake(row.name, "promise_amount", g_amount, p_amount, conf, text))
    if pred.due_date != gold.due_date:
        g_due, p_due = (str(d) if d is not None else "none" for d in (gold.due_date, pred.due_date))
        out.append(Mistake(row.name, "promise_due_date", g_due, p_due, conf, text))
    return out


def _set_mistakes(
    row: LabelledRow,
    name: str,
    gold: frozenset[str],
    predicted: dict[str, tuple[str | None, str | None]],
    text: str,
) -> list[Mistake]:
    """One mistake per label wrongly flagged (with its quote and severity) or missed.

    ``predicted`` maps each predicted label to its (quote, severity).
    """
    out = [
        Mistake(row.name, name, NOT_SET, label, None, text, "false_flag", quote or None, severity)
        for label, (quote, severity) in predicted.items()
        if label not in gold
    ]
    out += [
        Mistake(row.name, name, label, NOT_SET, None, text, "missed")
        for label in sorted(gold)
        if label not in predicted
    ]
    return out


def _distress_flags(res: CallAnalysis | None) -> dict[str, tuple[str | None, str | None]]:
    if res is None or res.distress is None:
        return {}
    return {DistressKind(k).value: (res.distress.quote, None) for k in res.distress.kinds}


def _compliance_flags(res: CallAnalysis | None) -> dict[str, tuple[str | None, str | None]]:
    flags: dict[str, tuple[str | None, str | None]] = {}
    if res is None:
        return flags
    for f in sorted(res.compliance_flags, key=lambda f: -_SEVERITY_RANK[Severity(f.severity).value]):
        flags.setdefault(ComplianceRule(f.rule).value, (f.quote, Severity(f.severity).value))
    return flags


def _extended(
    rows: Sequence[LabelledRow], results: Sequence[CallAnalysis | None], texts: Sequence[str]
) -> tuple[ExtendedReport | None, list[Mistake]]:
    pairs = [(r, r.labels.extended, res, t) for r, res, t in zip(rows, results, texts, strict=True)]
    labelled = [(r, e, res, t) for r, e, res, t in pairs if e is not None]
    if not labelled:
        return None, []
    mistakes: list[Mistake] = []

    contact_rows = [
        (r, e.contact_status, res, t) for r, e, res, t in labelled if e.contact_status is not None
    ]
    contact: FieldReport | None = None
    if contact_rows:
        gold_c = [g for _, g, _, _ in contact_rows]
        pred_c = [
            ContactStatus(res.contact_status).value if res is not None else ERROR_LABEL
            for _, _, res, _ in contact_rows
        ]
        contact = field_report("contact_status", gold_c, pred_c, CONTACT_CLASSES)
        mistakes += [
            Mistake(r.name, "contact_status", g, p, _field_confidence(res, "contact_status"), t)
            for (r, g, res, t), p in zip(contact_rows, pred_c, strict=True)
            if g != p
        ]

    ptp_rows = [(r, e.promise, res, t) for r, e, res, t in labelled if e.has_promise]
    tp = fp = fn = amount_ok = date_ok = gold_n = 0
    for r, gold_p, res, t in ptp_rows:
        pred_p = res.promise_to_pay if res is not None else None
        if gold_p is not None:
            gold_n += 1
            if pred_p is not None:
                tp += 1
                amount_ok += pred_p.amount_inr == gold_p.amount_inr
                date_ok += pred_p.due_date == gold_p.due_date
            else:
                fn += 1
        elif pred_p is not None:
            fp += 1
        mistakes += _promise_mistakes(r, gold_p, res, t)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)

    distress: SetReport | None = None
    d_rows = [(r, e.distress, res, t) for r, e, res, t in labelled if e.distress is not None]
    if d_rows:
        gold_d = [g for _, g, _, _ in d_rows if g is not None]
        pred_d = [_distress_flags(res) for _, _, res, _ in d_rows]
        distress = set_report("distress", gold_d, [frozenset(p) for p in pred_d], DISTRESS_KINDS)
        for (r, _, _, t), g, p in zip(d_rows, gold_d, pred_d, strict=True):
            mistakes += _set_mistakes(r, "distress", g, p, t)
    compliance: SetReport | None = None
    c_rows = [(r, e.compliance, res, t) for r, e, res, t in labelled if e.compliance is not None]
    if c_rows:
        gold_r = [g for _, g, _, _ in c_rows if g is not None]
        pred_r = [_compliance_flags(res) for _, _, res, _ in c_rows]
        compliance = set_report(
            "compliance",
            gold_r,
            [frozenset(p) for p in pred_r],
            COMPLIANCE_RULES,
            exclude=frozenset({RULE_SET_BY_TIME}),
        )
        for (r, _, _, t), g, p in zip(c_rows, gold_r, pred_r, strict=True):
            mistakes += _set_mistakes(r, "compliance", g, p, t)
    report = ExtendedReport(
        contact_status=contact,
        ptp_n=len(ptp_rows),
        ptp_gold=gold_n,
        ptp_precision=precision,
        ptp_recall=recall,
        ptp_f1=_ratio(2 * precision * recall, precision + recall),
        ptp_amount_exact=_ratio(amount_ok, gold_n),
        ptp_date_exact=_ratio(date_ok, gold_n),
        distress=distress,
        compliance=compliance,
    )
    return report, mistakes


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


def _reliability(
    gold: Sequence[dict[str, str]], pred: Sequence[dict[str, str]], results: Sequence[CallAnalysis | None]
) -> tuple[dict[str, Calibration], tuple[ReviewGroup, ReviewGroup] | None]:
    """Calibration of each core field's confidence (over the analyses that carry one) and the
    accuracy of calls flagged ``needs_review`` against the rest (over every analysis made)."""
    made = [(g, p, res) for g, p, res in zip(gold, pred, results, strict=True) if res is not None]
    if not made:
        return {}, None
    correct = {f: [g[f] == p[f] for g, p, _ in made] for f in FIELDS}
    review = review_groups([res.needs_review for _, _, res in made], correct)
    sure = [(i, res.confidence) for i, (_, _, res) in enumerate(made) if res.confidence is not None]
    if not sure:
        return {}, review
    calibration = {
        f: calibrate(
            f,
            [float(getattr(conf, f)) for _, conf in sure],
            [correct[f][i] for i, _ in sure],
            needs_review=[made[i][2].needs_review for i, _ in sure],
        )
        for f in FIELDS
    }
    return calibration, review


async def evaluate(rows: Sequence[LabelledRow], analyzer: Analyzer, *, concurrency: int = 8) -> EvalReport:
    """Run ``analyzer`` over ``rows`` and score it.

    An analyzer error (``InsightsError``) on a row is recorded as an ``ERROR`` prediction, which
    counts as wrong for every field and is left out of the calibration. At most ``concurrency``
    analyses run at once.
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
    texts = [excerpt(r.transcript) for r in rows]
    classes = {
        "intent_category": INTENT_CLASSES,
        "sentiment": SENTIMENT_CLASSES,
        "action_required": ACTION_CLASSES,
    }
    fields = {f: field_report(f, [g[f] for g in gold], [p[f] for p in pred], classes[f]) for f in FIELDS}
    mistakes = [
        Mistake(r.name, f, g[f], p[f], _field_confidence(res, f), t)
        for r, res, t, g, p in zip(rows, results, texts, gold, pred, strict=True)
        for f in FIELDS
        if g[f] != p[f]
    ]
    extended, more_mistakes = _extended(rows, results, texts)
    mistakes += more_mistakes
    calibration, review = _reliability(gold, pred, results)
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
        extended=extended,
        calibration=calibration,
        review=review,
        sources=tuple(dict.fromkeys(r.source for r in rows if r.source)),
    )


def worst_mistakes(mistakes: Iterable[Mistake], n: int = WORST_DEFAULT) -> list[WorstGroup]:
    """Per field (in ``MISTAKE_FIELDS`` order, unknown fields after) and kind, the ``n`` mistakes
    the analyzer was most confident about: highest confidence first, then (for flags) the most
    severe; mistakes without a confidence come last; ties keep the input order.
    ``n`` = 0 gives no groups.
    """
    if n <= 0:
        return []
    groups: dict[tuple[str, MistakeKind], list[Mistake]] = {}
    for m in mistakes:
        groups.setdefault((m.field, m.kind), []).append(m)
    kind_order = {"wrong": 0, "false_flag": 1, "missed": 2}

    def group_key(key: tuple[str, MistakeKind]) -> tuple[int, str, int]:
        name, kind = key
        pos = MISTAKE_FIELDS.index(name) if name in MISTAKE_FIELDS else len(MISTAKE_FIELDS)
        return pos, name, kind_order[kind]

    def rank(m: Mistake) -> tuple[bool, float, int]:
        severity = _SEVERITY_RANK.get(m.severity or "", 0)
        return m.confidence is None, -(m.confidence or 0.0), -severity

    out: list[WorstGroup] = []
    for key in sorted(groups, key=group_key):
        ranked = sorted(groups[key], key=rank)
        out.append(WorstGroup(key[0], key[1], len(ranked), tuple(ranked[:n])))
    return out


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


def _set_lines(sr: SetReport, title: str) -> list[str]:
    w = max(len("label"), *(len(m.label) for m in sr.per_label))
    lines = [
        f"{title} over {sr.n} rows: micro precision {sr.micro_precision:.4f}, "
        f"recall {sr.micro_recall:.4f}, F1 {sr.micro_f1:.4f}"
    ]
    lines.append(f"  {'label':<{w}} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>7}")
    for m in sr.per_label:
        lines.append(f"  {m.label:<{w}} {m.precision:>9.3f} {m.recall:>7.3f} {m.f1:>7.3f} {m.support:>7d}")
    return lines


def _extended_lines(ext: ExtendedReport) -> list[str]:
    lines: list[str] = []
    if ext.contact_status is not None:
        fr = ext.contact_status
        lines.append(f"Accuracy: contact_status {fr.accuracy:.4f} over {sum(fr.confusion.values())} rows")
        lines += _confusion_lines(fr)
        lines.append("")
    if ext.ptp_n:
        lines.append(
            f"Promise to pay over {ext.ptp_n} rows ({ext.ptp_gold} with a promise): "
            f"detection precision {ext.ptp_precision:.4f}, recall {ext.ptp_recall:.4f}, F1 {ext.ptp_f1:.4f}; "
            f"exact amount {ext.ptp_amount_exact:.4f}, exact date {ext.ptp_date_exact:.4f} "
            "(over the rows whose gold has a promise)"
        )
        lines.append("")
    if ext.distress is not None:
        lines += _set_lines(ext.distress, "Distress kinds")
        lines.append("")
    if ext.compliance is not None:
        lines += _set_lines(ext.compliance, f"Compliance rules (micro excludes {RULE_SET_BY_TIME})")
        lines.append("")
    return lines


def _conf(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "-"


def _mistake_lines(m: Mistake) -> list[str]:
    if m.kind == "false_flag":
        what = f"flagged {m.predicted}" + (f" ({m.severity})" if m.severity else "")
    elif m.kind == "missed":
        what = f"missed {m.gold}"
    else:
        what = f"gold {m.gold}, predicted {m.predicted}"
    lines = [f"  {_conf(m.confidence):>5}  {m.row}  {what}"]
    if m.evidence:
        lines.append(f'         quote: "{excerpt(m.evidence)}"')
    lines.append(f"         | {m.excerpt}")
    return lines


def _worst_lines(groups: Sequence[WorstGroup]) -> list[str]:
    titles = {"wrong": "Most confident mistakes", "false_flag": "False flags", "missed": "Missed"}
    lines: list[str] = []
    for g in groups:
        lines.append(f"{titles[g.kind]}, {g.field} ({len(g.shown)} of {g.total})")
        for m in g.shown:
            lines += _mistake_lines(m)
        lines.append("")
    return lines


def _pct(value: float | None) -> str:
    return f"{value * 100:.1f}%" if value is not None else "-"


def _calibration_lines(cal: Calibration) -> list[str]:
    lines = [
        f"Calibration of {cal.field} confidence over {cal.n} calls: ECE {cal.ece:.4f}, "
        f"Brier {cal.brier:.4f} (accuracy {cal.accuracy:.4f}, mean confidence {cal.mean_confidence:.4f})",
        f"  {'band':<10} {'calls':>6} {'confidence':>10} {'accuracy':>8} {'gap':>7} {'needs_review':>12}",
    ]
    for b in cal.bands:
        close = "]" if b.high == cal.bands[-1].high else ")"
        gap = f"{b.gap:+.3f}" if b.gap is not None else "-"
        lines.append(
            f"  {f'[{b.low:.1f}, {b.high:.1f}{close}':<10} {b.n:>6} {_conf(b.mean_confidence):>10} "
            f"{_conf(b.accuracy):>8} {gap:>7} {_pct(b.review_rate):>12}"
        )
    return lines


def _review_lines(groups: Sequence[ReviewGroup]) -> list[str]:
    total = sum(g.n for g in groups)
    lines = [
        f"needs_review against accuracy over {total} calls",
        f"  {'group':<13} {'calls':>6} {'share':>6} "
        + " ".join(f"{name:>{len(name)}}" for name in FIELDS)
        + f" {'all three':>9}",
    ]
    for g in groups:
        label = "needs_review" if g.needs_review else "not flagged"
        cells = " ".join(f"{_conf(g.accuracy[name] if g.n else None):>{len(name)}}" for name in FIELDS)
        all_three = _conf(g.all_correct if g.n else None)
        lines.append(f"  {label:<13} {g.n:>6} {_pct(g.share):>6} {cells} {all_three:>9}")
    return lines


def format_report(report: EvalReport, *, worst: int = WORST_DEFAULT, all_mistakes: bool = False) -> list[str]:
    """The report as text lines; the last line is one JSON object with the headline figures.

    ``worst``: how many of each field's most confident mistakes to show (0: none);
    ``all_mistakes``: list every mistake too.
    """
    f = report.fields
    sources = f" from {', '.join(report.sources)}" if report.sources else ""
    lines = [
        f"Evaluated {report.n} transcripts{sources} with {report.analyzer} "
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
    if report.extended is not None:
        lines += _extended_lines(report.extended)
    for cal in report.calibration.values():
        lines += _calibration_lines(cal)
        lines.append("")
    if report.review is not None:
        lines += _review_lines(report.review)
        lines.append("")
    lines += _worst_lines(worst_mistakes(report.mistakes, worst))
    if all_mistakes and report.mistakes:
        lines.append(f"All mistakes ({len(report.mistakes)}):")
        lines += [
            f"  {m.row}: {m.field} gold={m.gold} predicted={m.predicted} confidence={_conf(m.confidence)}"
            for m in report.mistakes
        ]
        lines.append("")
    lines.append(json.dumps(report.summary()))
    return lines


def _field_document(fr: FieldReport) -> dict[str, Any]:
    confusion: dict[str, dict[str, int]] = {}
    for (g, p), count in fr.confusion.items():
        confusion.setdefault(g, {})[p] = count
    return {
        "accuracy": fr.accuracy,
        "macro_f1": fr.macro_f1,
        "classes": list(fr.classes),
        "per_class": [asdict(m) for m in fr.per_class],
        "confusion": confusion,  # gold -> predicted -> count, non-zero cells only
    }


def _extended_document(ext: ExtendedReport) -> dict[str, Any]:
    return {
        "contact_status": _field_document(ext.contact_status) if ext.contact_status is not None else None,
        "promise_to_pay": {
            "n": ext.ptp_n,
            "gold": ext.ptp_gold,
            "precision": ext.ptp_precision,
            "recall": ext.ptp_recall,
            "f1": ext.ptp_f1,
            "amount_exact": ext.ptp_amount_exact,
            "date_exact": ext.ptp_date_exact,
        }
        if ext.ptp_n
        else None,
        "distress": asdict(ext.distress) if ext.distress is not None else None,
        "compliance": asdict(ext.compliance) if ext.compliance is not None else None,
    }


def _calibration_document(cal: Calibration) -> dict[str, Any]:
    out = asdict(cal)
    out["bands"] = [{**asdict(b), "gap": b.gap} for b in cal.bands]
    return out


def report_document(report: EvalReport, *, worst: int = WORST_DEFAULT) -> dict[str, Any]:
    """The whole report as one JSON-ready document: every figure of the text report, every
    mistake, the ``worst`` most confident mistakes per field, and ``summary`` (the headline)."""
    return {
        "n": report.n,
        "analyzer": report.analyzer,
        "sources": list(report.sources),
        "errors": report.errors,
        "mean_ms": report.mean_ms,
        "max_ms": report.max_ms,
        "fields": {name: _field_document(fr) for name, fr in report.fields.items()},
        "extended": _extended_document(report.extended) if report.extended is not None else None,
        "calibration": {name: _calibration_document(c) for name, c in report.calibration.items()},
        "needs_review": [asdict(g) for g in report.review] if report.review is not None else None,
        "worst": [asdict(g) for g in worst_mistakes(report.mistakes, worst)],
        "mistakes": [asdict(m) for m in report.mistakes],
        "summary": report.summary(),
    }


async def run_eval(
    paths: str | Sequence[str],
    analyzer: Analyzer,
    *,
    split: str | None = None,
    data_dir: str | Path | None = None,
    worst: int = WORST_DEFAULT,
    all_mistakes: bool = False,
    as_json: bool = False,
) -> int:
    """Evaluate ``analyzer`` on the files at ``paths`` and those of ``split`` and print the
    report (text, or with ``as_json`` one JSON document).

    Returns 0, or 2 (with a message on stderr) when there is nothing to read, a file cannot be
    read or is invalid, or the split cannot be found. The caller owns the analyzer and closes it.
    """
    files: list[str | Path] = [paths] if isinstance(paths, str) else list(paths)
    if split is not None:
        try:
            files += split_files(split, data_dir)
        except DatasetError as exc:
            print(f"error: cannot evaluate split {split!r}: {exc}", file=sys.stderr)
            return 2
    if not files:
        print("error: nothing to evaluate: give a FILE or --split", file=sys.stderr)
        return 2
    rows: list[LabelledRow] = []
    for path in files:
        try:
            rows += load_labelled(path)
        except (OSError, UnicodeDecodeError, DatasetError) as exc:
            print(f"error: cannot evaluate {path}: {exc}", file=sys.stderr)
            return 2
    report = await evaluate(rows, analyzer)
    if as_json:
        print(json.dumps(report_document(report, worst=worst), indent=2))
        return 0
    for line in format_report(report, worst=worst, all_mistakes=all_mistakes):
        print(line)
    return 0
