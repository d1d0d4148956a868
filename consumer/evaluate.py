"""Score an analyzer against labelled transcripts.

Input is JSON Lines, one object per line::

    {"transcript": "...", "labels": {"intent_category": "...", "sentiment": "...",
     "action_required": true}, "call_started_at": "2026-11-20T10:30:00+05:30", "id": "s001"}

``call_started_at`` and ``id`` are optional; other keys are ignored; blank lines are skipped.

Rows may also carry the extended labels, each key optional: ``contact_status`` (one of
``ContactStatus``), ``promise_to_pay`` (``null`` for no promise, or ``{"amount_inr": int | null,
"due_date": "YYYY-MM-DD" | null, ...}``), ``distress`` (a list of ``DistressKind``) and ``compliance``
(a list of ``ComplianceRule``). When any row has one, the report adds contact-status accuracy and
confusion, promise detection precision / recall / F1 with exact-match rates of the amount and the
date (over the rows whose gold has a promise), per-kind distress and per-rule compliance scores.
Each metric is computed over the rows that carry its label. ``compliance_micro_f1`` leaves out
``outside_calling_hours``, which is set by rule from ``call_started_at``; its own row is still listed.

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
from datetime import date, datetime
from pathlib import Path
from typing import Any

from consumer.analyzer.base import Analyzer
from consumer.errors import InsightsError
from schemas import CallAnalysis, ComplianceRule, ContactStatus, DistressKind, IntentCategory, Sentiment

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
    "evaluate",
    "field_report",
    "format_report",
    "load_labelled",
    "run_eval",
    "set_report",
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
    extended: ExtendedReport | None = None

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
        if ext is None:
            return out
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
        return out


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
        labels=Labels(intent, sentiment, action, _parse_extended(labels, line)),
        call_started_at=started,
        id=str(row_id) if row_id is not None else None,
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


def _extended(
    rows: Sequence[LabelledRow], results: Sequence[CallAnalysis | None]
) -> tuple[ExtendedReport | None, list[Mistake]]:
    pairs = [(r, r.labels.extended, res) for r, res in zip(rows, results, strict=True)]
    labelled = [(r, e, res) for r, e, res in pairs if e is not None]
    if not labelled:
        return None, []
    mistakes: list[Mistake] = []

    def row_name(r: LabelledRow) -> str:
        return r.id or f"line {r.line}"

    contact_rows = [(r, e.contact_status, res) for r, e, res in labelled if e.contact_status is not None]
    contact: FieldReport | None = None
    if contact_rows:
        gold_c = [g for _, g, _ in contact_rows]
        pred_c = [
            ContactStatus(res.contact_status).value if res is not None else ERROR_LABEL
            for _, _, res in contact_rows
        ]
        contact = field_report("contact_status", gold_c, pred_c, CONTACT_CLASSES)
        mistakes += [
            Mistake(row_name(r), "contact_status", g, p)
            for (r, g, _), p in zip(contact_rows, pred_c, strict=True)
            if g != p
        ]

    ptp_rows = [(r, e.promise, res) for r, e, res in labelled if e.has_promise]
    tp = fp = fn = amount_ok = date_ok = gold_n = 0
    for r, gold_p, res in ptp_rows:
        pred_p = res.promise_to_pay if res is not None else None
        if gold_p is not None:
            gold_n += 1
            if pred_p is not None:
                tp += 1
                amount_ok += pred_p.amount_inr == gold_p.amount_inr
                date_ok += pred_p.due_date == gold_p.due_date
        elif pred_p is not None:
            fp += 1
        if gold_p is not None and pred_p is None:
            fn += 1
        g_txt = "none" if gold_p is None else f"{gold_p.amount_inr} by {gold_p.due_date}"
        p_txt = "none" if pred_p is None else f"{pred_p.amount_inr} by {pred_p.due_date}"
        if g_txt != p_txt:
            mistakes.append(Mistake(row_name(r), "promise_to_pay", g_txt, p_txt))
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)

    def kinds(res: CallAnalysis | None) -> frozenset[str]:
        if res is None or res.distress is None:
            return frozenset()
        return frozenset(DistressKind(k).value for k in res.distress.kinds)

    def rules(res: CallAnalysis | None) -> frozenset[str]:
        return (
            frozenset(ComplianceRule(f.rule).value for f in res.compliance_flags)
            if res is not None
            else frozenset()
        )

    distress: SetReport | None = None
    d_rows = [(r, e.distress, res) for r, e, res in labelled if e.distress is not None]
    if d_rows:
        gold_d = [g for _, g, _ in d_rows if g is not None]
        pred_d = [kinds(res) for _, _, res in d_rows]
        distress = set_report("distress", gold_d, pred_d, DISTRESS_KINDS)
        mistakes += [
            Mistake(row_name(r), "distress", ",".join(sorted(g)) or "none", ",".join(sorted(p)) or "none")
            for (r, _, _), g, p in zip(d_rows, gold_d, pred_d, strict=True)
            if g != p
        ]
    compliance: SetReport | None = None
    c_rows = [(r, e.compliance, res) for r, e, res in labelled if e.compliance is not None]
    if c_rows:
        gold_r = [g for _, g, _ in c_rows if g is not None]
        pred_r = [rules(res) for _, _, res in c_rows]
        compliance = set_report(
            "compliance", gold_r, pred_r, COMPLIANCE_RULES, exclude=frozenset({RULE_SET_BY_TIME})
        )
        mistakes += [
            Mistake(row_name(r), "compliance", ",".join(sorted(g)) or "none", ",".join(sorted(p)) or "none")
            for (r, _, _), g, p in zip(c_rows, gold_r, pred_r, strict=True)
            if g != p
        ]
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
    extended, more_mistakes = _extended(rows, results)
    mistakes += more_mistakes
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
    if report.extended is not None:
        lines += _extended_lines(report.extended)
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
