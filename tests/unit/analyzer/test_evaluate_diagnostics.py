"""Where the analyzer fails: its most confident mistakes per field, calibration by confidence band,
needs_review against accuracy, splits by name and the JSON report, on hand-made rows with known answers."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from consumer.__main__ import main
from consumer.analyzer.evaluate import (
    DatasetError,
    ExtendedLabels,
    LabelledRow,
    Labels,
    Mistake,
    evaluate,
    excerpt,
    find_data_dir,
    format_report,
    report_document,
    run_eval,
    split_files,
    worst_mistakes,
)
from schemas import (
    AnalyzerInfo,
    CallAnalysis,
    ComplianceFlag,
    ComplianceRule,
    FieldConfidence,
    IntentCategory,
    Sentiment,
    Severity,
)

IC = IntentCategory
SE = Sentiment

# ---------------------------------------------------------------------------------------------
# excerpt and worst_mistakes
# ---------------------------------------------------------------------------------------------


def test_excerpt_is_one_line_and_cut_with_an_ellipsis() -> None:
    assert excerpt("Agent:  Namaste\n\tCustomer: haan ") == "Agent: Namaste Customer: haan"
    long = "Agent: " + "paisa " * 100
    cut = excerpt(long)
    assert len(cut) == 160
    assert cut.endswith("\u2026")
    assert "\n" not in cut
    assert excerpt("abc", limit=3) == "abc"


def _m(row: str, confidence: float | None, field: str = "intent_category") -> Mistake:
    return Mistake(row, field, "dispute", "other", confidence)


def test_worst_mistakes_rank_by_confidence_and_keep_n() -> None:
    mistakes = [
        _m("a", 0.61),
        _m("b", None),
        _m("c", 0.97),
        _m("d", 0.80),
        _m("e", 0.97),  # ties keep the input order
        _m("s1", 0.5, "sentiment"),
    ]
    groups = worst_mistakes(mistakes, 3)
    assert [(g.field, g.kind, g.total) for g in groups] == [
        ("intent_category", "wrong", 5),
        ("sentiment", "wrong", 1),
    ]
    assert [m.row for m in groups[0].shown] == ["c", "e", "d"]
    assert [m.row for m in worst_mistakes(mistakes, 10)[0].shown] == ["c", "e", "d", "a", "b"]
    assert worst_mistakes(mistakes, 0) == []


def test_worst_flags_put_the_most_severe_first_and_misses_apart() -> None:
    def flag(row: str, severity: str | None, kind: str = "false_flag") -> Mistake:
        return Mistake(row, "compliance", "-", "r", None, "", kind, "q", severity)  # type: ignore[arg-type]

    groups = worst_mistakes(
        [flag("low", "low"), flag("miss", None, "missed"), flag("high", "high"), flag("mid", "medium")], 5
    )
    assert [(g.kind, [m.row for m in g.shown]) for g in groups] == [
        ("false_flag", ["high", "mid", "low"]),
        ("missed", ["miss"]),
    ]


# ---------------------------------------------------------------------------------------------
# evaluate with an analyzer of fixed answers
# ---------------------------------------------------------------------------------------------


class TableAnalyzer:
    """Answers each transcript from a table."""

    info = AnalyzerInfo(provider="offline", model="table")

    def __init__(self, answers: dict[str, CallAnalysis]) -> None:
        self.answers = answers

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        return self.answers[transcript]

    async def check(self) -> None:
        return None

    async def aclose(self) -> None:
        return None


def _answer(
    intent: IntentCategory, confidence: float, *, needs_review: bool = False, **extra: object
) -> CallAnalysis:
    return CallAnalysis(
        customer_intent="x",
        intent_category=intent,
        sentiment=SE.NEUTRAL,
        action_required=True,
        summary="x",
        confidence=FieldConfidence(intent_category=confidence, sentiment=0.9, action_required=0.95),
        needs_review=needs_review,
        **extra,
    )


def _row(n: int, text: str, intent: IntentCategory, ext: ExtendedLabels | None = None) -> LabelledRow:
    return LabelledRow(line=n, transcript=text, labels=Labels(intent, SE.NEUTRAL, True, ext), id=f"r{n}")


ROWS = [
    _row(1, "Agent: hello\n  Customer:   kal dunga", IC.PROMISE_TO_PAY),  # right, 0.95
    _row(2, "t2", IC.DISPUTE),  # wrong, 0.92
    _row(3, "t3", IC.HARDSHIP),  # wrong, 0.55
    _row(4, "t4", IC.COMPLAINT),  # wrong, 0.81
    _row(5, "t5", IC.OTHER),  # right, 0.3
]
ANSWERS = {
    "Agent: hello\n  Customer:   kal dunga": _answer(IC.PROMISE_TO_PAY, 0.95),
    "t2": _answer(IC.PROMISE_TO_PAY, 0.92),
    "t3": _answer(IC.OTHER, 0.55, needs_review=True),
    "t4": _answer(IC.OTHER, 0.81),
    "t5": _answer(IC.OTHER, 0.3, needs_review=True),
}


async def test_the_most_confident_intent_mistakes_come_first() -> None:
    report = await evaluate(ROWS, TableAnalyzer(ANSWERS))
    groups = worst_mistakes(report.mistakes, 2)
    intent = next(g for g in groups if g.field == "intent_category")
    assert intent.total == 3
    assert [(m.row, m.gold, m.predicted, m.confidence) for m in intent.shown] == [
        ("r2", "dispute", "promise_to_pay", 0.92),
        ("r4", "complaint", "other", 0.81),
    ]
    assert [g.field for g in groups] == ["intent_category"]  # sentiment and action are all right
    lines = format_report(report, worst=2)
    start = lines.index("Most confident mistakes, intent_category (2 of 3)")
    assert lines[start + 1].split() == ["0.920", "r2", "gold", "dispute,", "predicted", "promise_to_pay"]
    assert lines[start + 2].strip() == "| t2"
    assert lines[start + 3].split()[:2] == ["0.810", "r4"]
    assert "r3" not in "\n".join(lines[start : start + 6])
    assert not any(line.startswith("Most confident") for line in format_report(report, worst=0))


async def test_excerpts_of_mistakes_are_collapsed_to_one_line() -> None:
    rows = [_row(1, "Agent: hello\n  Customer:   kal dunga", IC.DISPUTE)]
    report = await evaluate(rows, TableAnalyzer(ANSWERS))
    assert report.mistakes[0].excerpt == "Agent: hello Customer: kal dunga"


async def test_calibration_bands_and_ece_of_the_intent_confidence() -> None:
    report = await evaluate(ROWS, TableAnalyzer(ANSWERS))
    cal = report.calibration["intent_category"]
    assert cal.n == 5
    counts = {b.low: b.n for b in cal.bands}
    assert counts == {0.0: 1, 0.5: 1, 0.6: 0, 0.7: 0, 0.8: 1, 0.9: 2}
    top = cal.bands[-1]
    assert top.accuracy == 0.5
    assert top.mean_confidence == pytest.approx(0.935)
    # |1 - 0.3| + |0 - 0.55| + |0 - 0.81| + 2 * |0.5 - 0.935|, over 5 calls
    expected = (0.7 + 0.55 + 0.81 + 2 * 0.435) / 5
    assert cal.ece == pytest.approx(expected)
    assert cal.brier == pytest.approx((0.05**2 + 0.92**2 + 0.55**2 + 0.81**2 + 0.7**2) / 5)
    assert cal.bands[0].review_rate == 1.0
    assert report.summary()["intent_category_ece"] == round(expected, 4)
    assert report.calibration["action_required"].ece == pytest.approx(0.05)
    text = format_report(report)
    assert any(line.startswith("Calibration of intent_category confidence over 5 calls") for line in text)
    assert json.loads(text[-1])["intent_category_ece"] == round(expected, 4)


async def test_needs_review_against_accuracy() -> None:
    report = await evaluate(ROWS, TableAnalyzer(ANSWERS))
    assert report.review is not None
    flagged, rest = report.review
    assert (flagged.n, rest.n) == (2, 3)
    assert flagged.accuracy["intent_category"] == 0.5  # r3 wrong, r5 right
    assert rest.accuracy["intent_category"] == pytest.approx(1 / 3)  # r1 right; r2, r4 wrong
    lines = format_report(report)
    row = next(line for line in lines if line.startswith("  needs_review "))
    assert row.split()[:3] == ["needs_review", "2", "40.0%"]


async def test_an_analyzer_without_confidence_has_no_calibration() -> None:
    bare = {k: v.model_copy(update={"confidence": None}) for k, v in ANSWERS.items()}
    report = await evaluate(ROWS, TableAnalyzer(bare))
    assert report.calibration == {}
    assert not any(k.endswith("_ece") for k in report.summary())
    assert report.review is not None  # needs_review is still there to compare
    worst = worst_mistakes(report.mistakes, 5)[0]
    assert [m.row for m in worst.shown] == ["r2", "r3", "r4"]  # no confidence: input order


async def test_compliance_false_flags_carry_their_quote_and_misses_are_listed() -> None:
    threat = ComplianceFlag(
        rule=ComplianceRule.THREAT_OR_INTIMIDATION, severity=Severity.HIGH, quote="legal notice bhejenge"
    )
    no_id = ComplianceFlag(rule=ComplianceRule.NO_IDENTIFICATION, severity=Severity.LOW, quote="")
    rows = [
        _row(1, "t1", IC.OTHER, ExtendedLabels(compliance=frozenset())),
        _row(2, "t2", IC.OTHER, ExtendedLabels(compliance=frozenset({"third_party_disclosure"}))),
    ]
    answers = {
        "t1": _answer(IC.OTHER, 0.9, compliance_flags=[no_id, threat]),
        "t2": _answer(IC.OTHER, 0.9),
    }
    report = await evaluate(rows, TableAnalyzer(answers))
    groups = {(g.field, g.kind): g for g in worst_mistakes(report.mistakes, 5)}
    false = groups[("compliance", "false_flag")]
    assert [(m.row, m.predicted, m.severity, m.evidence) for m in false.shown] == [
        ("r1", "threat_or_intimidation", "high", "legal notice bhejenge"),
        ("r1", "no_identification", "low", None),
    ]
    missed = groups[("compliance", "missed")]
    assert [(m.row, m.gold, m.predicted) for m in missed.shown] == [("r2", "third_party_disclosure", "-")]
    text = format_report(report)
    start = text.index("False flags, compliance (2 of 2)")
    assert text[start + 1].split()[1:] == ["r1", "flagged", "threat_or_intimidation", "(high)"]
    assert text[start + 2].strip() == 'quote: "legal notice bhejenge"'
    assert "Missed, compliance (1 of 1)" in text


async def test_all_mistakes_are_listed_only_when_asked() -> None:
    report = await evaluate(ROWS, TableAnalyzer(ANSWERS))
    assert not any(line.startswith("All mistakes") for line in format_report(report))
    lines = format_report(report, all_mistakes=True)
    start = lines.index("All mistakes (3):")
    assert lines[start + 1].strip() == (
        "r2: intent_category gold=dispute predicted=promise_to_pay confidence=0.920"
    )


async def test_report_document_is_the_whole_report_as_json() -> None:
    report = await evaluate(ROWS, TableAnalyzer(ANSWERS))
    doc = json.loads(json.dumps(report_document(report, worst=1)))
    assert doc["summary"] == report.summary()
    assert doc["fields"]["intent_category"]["confusion"]["dispute"] == {"promise_to_pay": 1}
    assert len(doc["mistakes"]) == 3
    assert [m["row"] for m in doc["worst"][0]["shown"]] == ["r2"]
    assert doc["calibration"]["intent_category"]["bands"][-1]["n"] == 2
    assert doc["needs_review"][0]["n"] == 2
    assert doc["extended"] is None


# ---------------------------------------------------------------------------------------------
# splits by name, several files, the command line
# ---------------------------------------------------------------------------------------------


def _line(text: str, intent: str = "other", row_id: str | None = None) -> str:
    row: dict[str, object] = {
        "transcript": text,
        "labels": {"intent_category": intent, "sentiment": "Neutral", "action_required": False},
    }
    if row_id is not None:
        row["id"] = row_id
    return json.dumps(row)


def _corpus(root: Path) -> Path:
    data = root / "data"
    (data / "labelled").mkdir(parents=True)
    (data / "splits.json").write_text(
        json.dumps({"train": ["a1", "a2"], "dev": ["d1"], "test": ["z1"]}), encoding="utf-8"
    )
    for brief in ("a1", "a2", "d1", "z1"):
        (data / "labelled" / f"{brief}.jsonl").write_text(
            _line(f"{brief} ki call", row_id=f"{brief}-1") + "\n", encoding="utf-8"
        )
    return data


def test_split_files_by_name(tmp_path: Path) -> None:
    data = _corpus(tmp_path)
    assert [p.name for p in split_files("train", data)] == ["a1.jsonl", "a2.jsonl"]
    assert [p.name for p in split_files("dev", data)] == ["d1.jsonl"]
    assert [p.name for p in split_files("all", data)] == ["a1.jsonl", "a2.jsonl", "d1.jsonl", "z1.jsonl"]
    with pytest.raises(DatasetError, match="unknown split 'val'"):
        split_files("val", data)
    (data / "labelled" / "d1.jsonl").unlink()
    with pytest.raises(DatasetError, match=r"d1\.jsonl"):
        split_files("dev", data)


def test_find_data_dir_looks_in_the_parents(tmp_path: Path) -> None:
    data = _corpus(tmp_path / "repo")
    deep = tmp_path / "repo" / "x" / "y"
    deep.mkdir(parents=True)
    assert find_data_dir(deep, fallback=None) == data.resolve()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert find_data_dir(elsewhere, fallback=data) == data
    with pytest.raises(DatasetError, match="run from the repository root or pass --data DIR"):
        find_data_dir(elsewhere, fallback=None)


async def test_run_eval_reads_a_split_and_extra_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _corpus(tmp_path)
    extra = tmp_path / "extra.jsonl"
    extra.write_text(_line("Ye galat number hai", "wrong_party") + "\n", encoding="utf-8")
    answers = {
        "d1 ki call": _answer(IC.OTHER, 0.9).model_copy(update={"action_required": False}),
        "Ye galat number hai": _answer(IC.OTHER, 0.7).model_copy(update={"action_required": False}),
    }
    assert await run_eval([str(extra)], TableAnalyzer(answers), split="dev", data_dir=data) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Evaluated 2 transcripts from extra.jsonl, d1.jsonl with offline/table")
    assert json.loads(out[-1])["intent_category"] == 0.5
    # a row without an id is named by its file and line
    assert any(line.split()[:3] == ["0.700", "extra.jsonl", "line"] for line in out)


async def test_run_eval_json_prints_one_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _corpus(tmp_path)
    answers = {"d1 ki call": _answer(IC.DISPUTE, 0.9)}
    assert await run_eval([], TableAnalyzer(answers), split="dev", data_dir=data, as_json=True) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["sources"] == ["d1.jsonl"]
    assert doc["summary"]["intent_category"] == 0.0
    assert doc["worst"][0]["shown"][0]["row"] == "d1-1"


async def test_run_eval_returns_2_when_the_split_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_eval([], TableAnalyzer({}), split="dev", data_dir=tmp_path / "nowhere") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "cannot evaluate split 'dev'" in captured.err
    assert await run_eval([], TableAnalyzer({})) == 2
    assert "nothing to evaluate" in capsys.readouterr().err


def test_cli_eval_by_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _corpus(tmp_path)
    monkeypatch.chdir(tmp_path)  # no .env; data/ is found from here
    monkeypatch.setenv("LLM_PROVIDER", "offline")
    assert main(["eval", "--split", "train", "--worst", "1"]) == 0
    last = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert last["n"] == 2
    assert main(["eval", str(data / "labelled" / "a1.jsonl"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 1


@pytest.mark.parametrize("argv", [["eval"], ["eval", "x.jsonl", "--worst", "-1"], ["eval", "--split", "val"]])
def test_cli_eval_rejects_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err
