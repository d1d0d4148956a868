"""The labelled transcripts an analyzer is scored against: the rows, their labels, and the splits
of the labelled corpus (``data/splits.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from schemas import (
    ComplianceRule,
    ContactStatus,
    DistressKind,
    IntentCategory,
    Sentiment,
    Severity,
)

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
CHECKOUT_DATA = Path(__file__).resolve().parents[3] / "data"  # the labelled corpus of a checkout
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
SEVERITY_RANK = {Severity.HIGH.value: 3, Severity.MEDIUM.value: 2, Severity.LOW.value: 1}
SHORT = {
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
