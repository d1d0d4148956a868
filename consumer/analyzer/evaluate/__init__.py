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

Modules: ``dataset`` (the labelled rows and the corpus splits), ``metrics`` (the scores and the
mistakes), ``report`` (the text report, the JSON document and ``run_eval``).
"""

from consumer.analyzer.evaluate.dataset import (
    DatasetError,
    ExtendedLabels,
    GoldPromise,
    LabelledRow,
    Labels,
    find_data_dir,
    load_labelled,
    split_files,
)
from consumer.analyzer.evaluate.metrics import (
    ClassMetrics,
    EvalReport,
    ExtendedReport,
    FieldReport,
    Mistake,
    SetReport,
    WorstGroup,
    evaluate,
    excerpt,
    field_report,
    set_report,
    worst_mistakes,
)
from consumer.analyzer.evaluate.report import format_report, report_document, run_eval

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
