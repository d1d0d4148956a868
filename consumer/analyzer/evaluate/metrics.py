"""The scores of an analyzer against labelled rows: per-field and per-class metrics, the extended
labels, calibration, and the mistakes it was most confident about."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from consumer.analyzer.base import Analyzer
from consumer.analyzer.calibration import Calibration, ReviewGroup, calibrate, review_groups
from consumer.analyzer.evaluate.dataset import (
    ACTION_CLASSES,
    COMPLIANCE_RULES,
    CONTACT_CLASSES,
    DISTRESS_KINDS,
    ERROR_LABEL,
    EXCERPT_CHARS,
    FIELDS,
    INTENT_CLASSES,
    MISTAKE_FIELDS,
    NOT_SET,
    RULE_SET_BY_TIME,
    SENTIMENT_CLASSES,
    SEVERITY_RANK,
    WORST_DEFAULT,
    GoldPromise,
    LabelledRow,
    Labels,
)
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
    for f in sorted(res.compliance_flags, key=lambda f: -SEVERITY_RANK[Severity(f.severity).value]):
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
        severity = SEVERITY_RANK.get(m.severity or "", 0)
        return m.confidence is None, -(m.confidence or 0.0), -severity

    out: list[WorstGroup] = []
    for key in sorted(groups, key=group_key):
        ranked = sorted(groups[key], key=rank)
        out.append(WorstGroup(key[0], key[1], len(ranked), tuple(ranked[:n])))
    return out
