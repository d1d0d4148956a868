"""The labelled corpus in data/: every file loads as labelled rows, ids are unique and name their
brief, and every brief is in exactly one split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consumer.analyzer.evaluate import load_labelled

DATA = Path(__file__).resolve().parents[3] / "data"
FILES = sorted((DATA / "labelled").glob("*.jsonl"))


def test_there_are_briefs() -> None:
    assert len(FILES) >= 7


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_a_brief_loads_and_its_rows_name_it(path: Path) -> None:
    assert len(load_labelled(str(path))) > 0
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert row["brief"] == path.stem
        assert row["id"].startswith(f"{path.stem}-")
        labels = row["labels"]
        assert {"contact_status", "promise_to_pay", "distress", "compliance"} <= labels.keys()
        assert (labels["promise_to_pay"] is not None) == (labels["intent_category"] == "promise_to_pay")


def test_ids_are_unique_across_briefs() -> None:
    ids = [json.loads(line)["id"] for path in FILES for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(ids) == len(set(ids))


def test_every_brief_is_in_exactly_one_split() -> None:
    splits = json.loads((DATA / "splits.json").read_text(encoding="utf-8"))
    assert set(splits) == {"train", "dev", "test"}
    placed = [brief for briefs in splits.values() for brief in briefs]
    assert sorted(placed) == sorted(p.stem for p in FILES)
