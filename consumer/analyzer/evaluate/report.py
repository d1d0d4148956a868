"""The evaluation report: as text lines, as one JSON document, and ``run_eval``, which scores an
analyzer on labelled files and prints the report."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from consumer.analyzer.base import Analyzer
from consumer.analyzer.calibration import Calibration, ReviewGroup
from consumer.analyzer.evaluate.dataset import (
    FIELDS,
    RULE_SET_BY_TIME,
    SHORT,
    WORST_DEFAULT,
    DatasetError,
    LabelledRow,
    load_labelled,
    split_files,
)
from consumer.analyzer.evaluate.metrics import (
    EvalReport,
    ExtendedReport,
    FieldReport,
    Mistake,
    SetReport,
    WorstGroup,
    evaluate,
    excerpt,
    worst_mistakes,
)


def _short(label: str) -> str:
    return SHORT.get(label, label)


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
