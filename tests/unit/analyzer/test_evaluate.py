"""Evaluation metrics, the report format and the JSONL loader, on tiny inputs with known answers."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from consumer.analyzer.evaluate import (
    DatasetError,
    ExtendedLabels,
    GoldPromise,
    LabelledRow,
    Labels,
    evaluate,
    field_report,
    format_report,
    load_labelled,
    run_eval,
    set_report,
)
from consumer.analyzer.offline import OfflineAnalyzer
from consumer.errors import AnalyzerError
from schemas import (
    AnalyzerInfo,
    CallAnalysis,
    ComplianceFlag,
    ComplianceRule,
    ContactStatus,
    Distress,
    DistressKind,
    IntentCategory,
    PromiseToPay,
    Sentiment,
    Severity,
)

IC = IntentCategory
SE = Sentiment


# ---------------------------------------------------------------------------------------------
# field_report
# ---------------------------------------------------------------------------------------------


def test_field_report_by_hand() -> None:
    gold = ["a", "a", "b", "c"]
    pred = ["a", "b", "b", "c"]
    fr = field_report("x", gold, pred, ["a", "b", "c"])
    assert fr.accuracy == pytest.approx(0.75)
    by = {m.label: m for m in fr.per_class}
    # a: tp=1, predicted a once, gold a twice -> P=1, R=1/2, F1=2/3
    assert (by["a"].precision, by["a"].recall, by["a"].f1) == pytest.approx((1.0, 0.5, 2 / 3))
    # b: tp=1, predicted b twice, gold b once -> P=1/2, R=1, F1=2/3
    assert (by["b"].precision, by["b"].recall, by["b"].f1) == pytest.approx((0.5, 1.0, 2 / 3))
    assert (by["c"].precision, by["c"].recall, by["c"].f1) == pytest.approx((1.0, 1.0, 1.0))
    assert fr.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    assert (by["a"].support, by["b"].support, by["c"].support) == (2, 1, 1)
    assert fr.confusion == {("a", "a"): 1, ("a", "b"): 1, ("b", "b"): 1, ("c", "c"): 1}


def test_macro_f1_ignores_classes_absent_from_gold_and_predictions() -> None:
    fr = field_report(
        "sentiment", ["Positive", "Negative"], ["Positive", "Positive"], ["Positive", "Neutral", "Negative"]
    )
    by = {m.label: m for m in fr.per_class}
    # Positive: P=1/2, R=1, F1=2/3; Negative: F1=0; Neutral never seen -> listed, not averaged.
    assert by["Neutral"].f1 == 0.0
    assert fr.macro_f1 == pytest.approx((2 / 3 + 0.0) / 2)
    assert fr.classes == ("Positive", "Neutral", "Negative")


def test_unknown_labels_are_appended_to_the_classes() -> None:
    fr = field_report("x", ["a", "a"], ["a", "ERROR"], ["a"])
    assert fr.classes == ("a", "ERROR")
    assert fr.accuracy == 0.5
    assert [m.label for m in fr.per_class] == ["a"]  # ERROR is never a class of its own


def test_field_report_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        field_report("x", ["a"], [], ["a"])


# ---------------------------------------------------------------------------------------------
# evaluate and format_report
# ---------------------------------------------------------------------------------------------


class FixedAnalyzer:
    """Answers every transcript with the same analysis."""

    info = AnalyzerInfo(provider="offline", model="fixed")

    def __init__(self, answer: CallAnalysis | None) -> None:
        self.answer = answer
        self.seen: list[tuple[str, datetime | None]] = []

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        self.seen.append((transcript, call_started_at))
        if self.answer is None:
            raise AnalyzerError("boom")
        return self.answer

    async def check(self) -> None:
        return None

    async def aclose(self) -> None:
        return None


def _row(n: int, intent: IntentCategory, sent: Sentiment, action: bool) -> LabelledRow:
    return LabelledRow(line=n, transcript=f"t{n}", labels=Labels(intent, sent, action), id=f"r{n}")


ROWS = [
    _row(1, IC.PROMISE_TO_PAY, SE.POSITIVE, True),
    _row(2, IC.PROMISE_TO_PAY, SE.NEUTRAL, True),
    _row(3, IC.DISPUTE, SE.NEGATIVE, True),
    _row(4, IC.OTHER, SE.NEUTRAL, False),
]
ANSWER = CallAnalysis(
    customer_intent="Promise to Pay",
    intent_category=IC.PROMISE_TO_PAY,
    sentiment=SE.NEUTRAL,
    action_required=True,
    summary="x",
)


async def test_evaluate_scores_a_constant_analyzer() -> None:
    analyzer = FixedAnalyzer(ANSWER)
    report = await evaluate(ROWS, analyzer)
    assert report.n == 4
    assert report.analyzer == "offline/fixed"
    assert report.fields["intent_category"].accuracy == 0.5
    assert report.fields["sentiment"].accuracy == 0.5
    assert report.fields["action_required"].accuracy == 0.75
    # sentiment: only Neutral is predicted. Neutral P=2/4, R=2/2 -> F1=2/3; Positive and Negative F1=0.
    assert report.fields["sentiment"].macro_f1 == pytest.approx((2 / 3) / 3)
    assert report.errors == 0
    assert {(m.row, m.field) for m in report.mistakes} >= {
        ("r3", "intent_category"),
        ("r4", "action_required"),
    }
    assert sorted(t for t, _ in analyzer.seen) == ["t1", "t2", "t3", "t4"]


async def test_analyzer_errors_count_as_wrong() -> None:
    report = await evaluate(ROWS, FixedAnalyzer(None))
    assert report.errors == 4
    assert all(report.fields[f].accuracy == 0.0 for f in ("intent_category", "sentiment", "action_required"))
    assert "ERROR" in report.fields["intent_category"].classes


async def test_format_report_ends_with_the_json_summary() -> None:
    lines = format_report(await evaluate(ROWS, FixedAnalyzer(ANSWER)))
    last = json.loads(lines[-1])
    assert list(last) == ["n", "intent_category", "sentiment", "action_required", "sentiment_macro_f1"]
    assert last == {
        "n": 4,
        "intent_category": 0.5,
        "sentiment": 0.5,
        "action_required": 0.75,
        "sentiment_macro_f1": round((2 / 3) / 3, 4),
    }
    text = "\n".join(lines)
    for name in ("intent_category", "sentiment", "action_required"):
        assert f"Confusion matrix, {name}" in text
    assert "Per class, intent_category" in text
    assert "Per class, sentiment" in text
    assert "precision" in text


async def test_confusion_table_rows_hold_the_counts() -> None:
    lines = format_report(await evaluate(ROWS, FixedAnalyzer(ANSWER)))
    start = lines.index("Confusion matrix, action_required (rows: gold, columns: predicted)")
    header, true_row, false_row = lines[start + 1 : start + 4]
    assert header.split()[-2:] == ["true", "false"]
    assert true_row.split() == ["true", "3", "."]
    assert false_row.split() == ["false", "1", "."]


async def test_evaluate_passes_call_started_at() -> None:
    started = datetime.fromisoformat("2026-11-20T10:30:00+05:30")
    row = LabelledRow(1, "x", Labels(IC.OTHER, SE.NEUTRAL, False), started)
    analyzer = FixedAnalyzer(ANSWER)
    await evaluate([row], analyzer)
    assert analyzer.seen == [("x", started)]


# ---------------------------------------------------------------------------------------------
# load_labelled and run_eval
# ---------------------------------------------------------------------------------------------


def _line(transcript: str = "Kal tak kar dunga.", **labels: object) -> str:
    base: dict[str, object] = {
        "intent_category": "promise_to_pay",
        "sentiment": "Neutral",
        "action_required": True,
    }
    base.update(labels)
    return json.dumps({"transcript": transcript, "labels": base, "extra": 1})


def test_load_labelled_reads_rows_and_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    row2 = json.loads(_line("Ye galat number hai.", intent_category="wrong_party"))
    row2["call_started_at"] = "2026-11-20T10:30:00+05:30"
    row2["id"] = "x2"
    path.write_text(_line() + "\n\n" + json.dumps(row2) + "\n", encoding="utf-8")
    rows = load_labelled(path)
    assert [r.line for r in rows] == [1, 3]
    assert rows[0].labels == Labels(IC.PROMISE_TO_PAY, SE.NEUTRAL, True)
    assert rows[1].labels.intent_category is IC.WRONG_PARTY
    assert rows[1].call_started_at == datetime.fromisoformat("2026-11-20T10:30:00+05:30")
    assert rows[1].id == "x2"
    assert rows[0].call_started_at is None


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "line 2: invalid JSON"),
        ("[1, 2]", "line 2: expected a JSON object"),
        (json.dumps({"labels": {}}), "line 2: 'transcript'"),
        (json.dumps({"transcript": "x"}), "line 2: 'labels'"),
        (_line(intent_category="maybe"), "line 2: labels.intent_category"),
        (_line(sentiment="positive"), "line 2: labels.sentiment"),
        (_line(action_required="yes"), "line 2: labels.action_required"),
        (
            json.dumps({"transcript": "x", "labels": {}, "call_started_at": "soon"}),
            "line 2: labels.intent_category",
        ),
    ],
)
def test_load_labelled_names_the_bad_line(tmp_path: Path, bad: str, message: str) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(_line() + "\n" + bad + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        load_labelled(path)


def test_load_labelled_rejects_a_bad_timestamp(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    row = json.loads(_line())
    row["call_started_at"] = "next tuesday"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="line 1: 'call_started_at' is not ISO 8601"):
        load_labelled(path)


def test_load_labelled_rejects_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="no labelled rows"):
        load_labelled(path)


async def test_run_eval_prints_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(
        _line() + "\n" + _line("Ye galat number hai.", intent_category="wrong_party") + "\n", encoding="utf-8"
    )
    assert await run_eval(str(path), OfflineAnalyzer()) == 0
    out = capsys.readouterr().out.splitlines()
    last = json.loads(out[-1])
    assert {k: last[k] for k in ("n", "intent_category", "sentiment", "action_required")} == {
        "n": 2,
        "intent_category": 1.0,
        "sentiment": 1.0,
        "action_required": 1.0,
    }
    assert last["sentiment_macro_f1"] == 1.0
    # the offline analyzer states its confidence, so the summary carries its calibration error
    assert {"intent_category_ece", "sentiment_ece", "action_required_ece"} <= set(last)
    assert all(0.0 <= last[k] <= 1.0 for k in ("intent_category_ece", "sentiment_ece"))


async def test_run_eval_returns_2_for_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_eval(str(tmp_path / "nope.jsonl"), OfflineAnalyzer()) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nope.jsonl" in captured.err


async def test_run_eval_returns_2_for_an_invalid_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(_line() + "\n" + "oops\n", encoding="utf-8")
    assert await run_eval(str(path), OfflineAnalyzer()) == 2
    assert "line 2" in capsys.readouterr().err


async def test_run_eval_returns_2_for_undecodable_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"\xff\xfe\x00garbage\n")
    assert await run_eval(str(path), OfflineAnalyzer()) == 2
    assert "error" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# Extended labels: contact status, promise, distress, compliance
# ---------------------------------------------------------------------------------------------


def test_set_report_per_label_and_micro() -> None:
    gold = [frozenset({"a", "t"}), frozenset({"b"}), frozenset()]
    pred = [frozenset({"a"}), frozenset({"a", "b"}), frozenset({"t"})]
    sr = set_report("x", gold, pred, ["a", "b", "t"], exclude=frozenset({"t"}))
    by = {m.label: m for m in sr.per_label}
    assert (by["a"].precision, by["a"].recall, by["a"].support) == (0.5, 1.0, 1)
    assert (by["b"].precision, by["b"].recall) == (1.0, 1.0)
    assert (by["t"].precision, by["t"].recall) == (0.0, 0.0)  # listed, but not in the micro figures
    # micro over a and b: tp=2, fp=1, fn=0
    assert sr.micro_precision == pytest.approx(2 / 3)
    assert sr.micro_recall == 1.0
    assert sr.micro_f1 == pytest.approx(0.8)


def _ext_row(n: int, ext: ExtendedLabels) -> LabelledRow:
    return LabelledRow(
        line=n, transcript=f"t{n}", labels=Labels(IC.OTHER, SE.NEUTRAL, False, ext), id=f"e{n}"
    )


class MapAnalyzer(FixedAnalyzer):
    """Answers each transcript from a dict."""

    def __init__(self, answers: dict[str, CallAnalysis]) -> None:
        super().__init__(None)
        self.answers = answers

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        return self.answers[transcript]


def _answer(**details: object) -> CallAnalysis:
    return ANSWER.model_copy(update={"intent_category": IC.OTHER, "action_required": False, **details})


async def test_extended_metrics_on_known_answers() -> None:
    ptp = PromiseToPay(amount_inr=5000, due_date=date(2026, 11, 26))
    rows = [
        _ext_row(
            1,
            ExtendedLabels(
                "right_party",
                True,
                GoldPromise(5000, date(2026, 11, 26)),
                frozenset(),
                frozenset({"no_identification"}),
            ),
        ),
        _ext_row(
            2,
            ExtendedLabels(
                "right_party",
                True,
                GoldPromise(4000, date(2026, 11, 27)),
                frozenset({"job_loss"}),
                frozenset(),
            ),
        ),
        _ext_row(
            3, ExtendedLabels("wrong_number", True, None, frozenset(), frozenset({"outside_calling_hours"}))
        ),
        _ext_row(4, ExtendedLabels("third_party", True, GoldPromise(None, None), frozenset(), frozenset())),
    ]
    flag = ComplianceFlag(rule=ComplianceRule.NO_IDENTIFICATION, severity=Severity.LOW)
    answers = {
        "t1": _answer(contact_status=ContactStatus.RIGHT_PARTY, promise_to_pay=ptp, compliance_flags=[flag]),
        "t2": _answer(
            contact_status=ContactStatus.RIGHT_PARTY,
            promise_to_pay=ptp,
            distress=Distress(kinds=[DistressKind.JOB_LOSS]),
        ),
        "t3": _answer(contact_status=ContactStatus.THIRD_PARTY, promise_to_pay=ptp),
        "t4": _answer(contact_status=ContactStatus.THIRD_PARTY),
    }
    report = await evaluate(rows, MapAnalyzer(answers))
    ext = report.extended
    assert ext is not None
    assert ext.contact_status is not None
    assert ext.contact_status.accuracy == 0.75
    assert ext.contact_status.confusion[("wrong_number", "third_party")] == 1
    # promise detection: tp=2 (t1, t2), fp=1 (t3), fn=1 (t4)
    assert ext.ptp_precision == pytest.approx(2 / 3)
    assert ext.ptp_recall == pytest.approx(2 / 3)
    assert ext.ptp_gold == 3
    assert ext.ptp_amount_exact == pytest.approx(1 / 3)  # t1 only; t2 wrong, t4 missed
    assert ext.ptp_date_exact == pytest.approx(1 / 3)
    assert ext.distress is not None
    assert ext.distress.micro_f1 == 1.0
    assert ext.compliance is not None
    assert ext.compliance.micro_f1 == 1.0  # outside_calling_hours (missed on t3) is excluded
    by_rule = {m.label: m for m in ext.compliance.per_label}
    assert by_rule["outside_calling_hours"].recall == 0.0
    assert {(m.row, m.field) for m in report.mistakes} >= {
        ("e3", "contact_status"),
        ("e3", "promise_to_pay"),  # a promise where the gold has none
        ("e4", "promise_to_pay"),  # missed
        ("e2", "promise_amount"),  # found, with the wrong amount and date
        ("e2", "promise_due_date"),
    }
    assert ("e1", "promise_amount") not in {(m.row, m.field) for m in report.mistakes}
    lines = format_report(report)
    last = json.loads(lines[-1])
    assert list(last)[:5] == ["n", "intent_category", "sentiment", "action_required", "sentiment_macro_f1"]
    assert last["contact_status"] == 0.75
    assert last["ptp_amount_exact"] == round(1 / 3, 4)
    assert last["ptp_date_exact"] == round(1 / 3, 4)
    assert last["compliance_micro_f1"] == 1.0
    assert last["distress_micro_f1"] == 1.0
    text = "\n".join(lines)
    assert "Confusion matrix, contact_status" in text
    assert "Compliance rules (micro excludes outside_calling_hours)" in text


async def test_only_the_labelled_extended_keys_are_reported() -> None:
    rows = [_ext_row(1, ExtendedLabels(contact_status="right_party"))]
    report = await evaluate(rows, MapAnalyzer({"t1": _answer(contact_status=ContactStatus.RIGHT_PARTY)}))
    last = report.summary()
    assert last["contact_status"] == 1.0
    assert not {"ptp_f1", "ptp_amount_exact", "compliance_micro_f1", "distress_micro_f1"} & set(last)


async def test_analyzer_errors_count_against_the_extended_fields() -> None:
    rows = [
        _ext_row(1, ExtendedLabels("right_party", True, GoldPromise(1, None), frozenset({"job_loss"}), None))
    ]
    report = await evaluate(rows, FixedAnalyzer(None))
    ext = report.extended
    assert ext is not None
    assert ext.contact_status is not None
    assert ext.contact_status.accuracy == 0.0
    assert ext.ptp_recall == 0.0
    assert ext.distress is not None
    assert ext.distress.micro_recall == 0.0


def test_load_labelled_reads_extended_labels(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    row = json.loads(_line())
    row["labels"].update(
        contact_status="third_party",
        promise_to_pay={"amount_inr": 8400, "due_date": "2026-12-02", "due_text": "2 tareekh tak"},
        distress=["job_loss"],
        compliance=["no_identification", "outside_calling_hours"],
    )
    plain = json.loads(_line())
    none_row = json.loads(_line())
    none_row["labels"].update(promise_to_pay=None)
    path.write_text("\n".join(json.dumps(r) for r in (row, plain, none_row)) + "\n", encoding="utf-8")
    first, second, third = load_labelled(path)
    assert first.labels.extended == ExtendedLabels(
        "third_party",
        True,
        GoldPromise(8400, date(2026, 12, 2)),
        frozenset({"job_loss"}),
        frozenset({"no_identification", "outside_calling_hours"}),
    )
    assert second.labels.extended is None
    assert third.labels.extended == ExtendedLabels(has_promise=True)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"contact_status": "someone"}, "labels.contact_status"),
        ({"promise_to_pay": "soon"}, "labels.promise_to_pay must be an object"),
        ({"promise_to_pay": {"amount_inr": "5k"}}, "amount_inr"),
        ({"promise_to_pay": {"due_date": "parso"}}, "due_date"),
        ({"distress": ["sad"]}, "labels.distress"),
        ({"compliance": "threats"}, "labels.compliance"),
    ],
)
def test_load_labelled_rejects_bad_extended_labels(
    tmp_path: Path, extra: dict[str, object], message: str
) -> None:
    path = tmp_path / "rows.jsonl"
    row = json.loads(_line())
    row["labels"].update(extra)
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=f"line 1: {message}" if message.startswith("labels") else message):
        load_labelled(path)
