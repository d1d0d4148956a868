"""The bundled labelled samples: shape, coverage, and the offline analyzer's figures on them."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from consumer.analyzer.evaluate import evaluate, load_labelled
from consumer.analyzer.offline import OfflineAnalyzer
from schemas import ComplianceRule, ContactStatus, DistressKind, IntentCategory, Sentiment

SAMPLES = Path(__file__).resolve().parents[3] / "producer_tools" / "samples" / "transcripts.jsonl"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
SPEAKER = re.compile(
    r"^\s*(agent|customer|collector|executive|borrower|एजेंट|ग्राहक)\s*:", re.IGNORECASE | re.MULTILINE
)
ORIGINALS = {
    "Yes, will pay on time!",
    "Emergency tha, Wednesday ko pakka karunga.",
    "Financial hardship hai, restructuring chahiye.",
}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    lines = SAMPLES.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_at_least_80_rows(rows: list[dict[str, Any]]) -> None:
    assert len(rows) >= 150


def test_every_row_is_well_formed(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        assert set(r) >= {"id", "transcript", "language", "call_started_at", "labels"}, r.get("id")
        assert re.fullmatch(r"s\d{3}", r["id"])
        assert isinstance(r["transcript"], str)
        assert r["transcript"].strip()
        assert r["language"] in {"hi-en", "hi", "en"}
        started = datetime.fromisoformat(r["call_started_at"])
        assert started.utcoffset() is not None
        labels = r["labels"]
        assert set(labels) == {
            "intent_category", "sentiment", "action_required", "contact_status", "promise_to_pay",
            "distress", "compliance",
        }  # fmt: skip
        IntentCategory(labels["intent_category"])
        Sentiment(labels["sentiment"])
        assert isinstance(labels["action_required"], bool)
        ContactStatus(labels["contact_status"])
        for kind in labels["distress"]:
            DistressKind(kind)
        for rule in labels["compliance"]:
            ComplianceRule(rule)
        promise = labels["promise_to_pay"]
        if promise is not None:
            assert promise["amount_inr"] is None or promise["amount_inr"] > 0
            if promise["due_date"] is not None:  # never before the call
                assert date.fromisoformat(promise["due_date"]) >= started.date()
        if labels["distress"]:
            assert labels["action_required"] is True


def test_ids_and_transcripts_are_unique(rows: list[dict[str, Any]]) -> None:
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["transcript"].strip().lower() for r in rows}) == len(rows)


def test_every_category_at_least_5_times(rows: list[dict[str, Any]]) -> None:
    counts = Counter(r["labels"]["intent_category"] for r in rows)
    assert {c.value for c in IntentCategory} == set(counts)
    assert min(counts.values()) >= 5, counts


def test_every_sentiment_at_least_15_times(rows: list[dict[str, Any]]) -> None:
    counts = Counter(r["labels"]["sentiment"] for r in rows)
    assert {s.value for s in Sentiment} == set(counts)
    assert min(counts.values()) >= 15, counts


def test_both_action_values(rows: list[dict[str, Any]]) -> None:
    counts = Counter(r["labels"]["action_required"] for r in rows)
    assert counts[True] >= 12
    assert counts[False] >= 12


def test_at_least_12_devanagari_rows(rows: list[dict[str, Any]]) -> None:
    devanagari = [r for r in rows if DEVANAGARI.search(r["transcript"])]
    assert len(devanagari) >= 12
    assert all(r["language"] == "hi" for r in devanagari if r["language"] != "hi-en")
    assert sum(r["language"] == "hi" for r in rows) >= 12


def test_mix_of_languages_and_lengths(rows: list[dict[str, Any]]) -> None:
    langs = Counter(r["language"] for r in rows)
    assert langs["hi-en"] > langs["hi"]
    assert langs["hi-en"] > langs["en"]
    assert langs["en"] >= 5
    turns = [len(SPEAKER.findall(r["transcript"])) for r in rows]
    assert sum(t <= 2 for t in turns) >= 10  # short calls
    assert sum(t >= 10 for t in turns) >= 5  # long calls


def test_the_three_original_samples_are_there_without_speaker_labels(rows: list[dict[str, Any]]) -> None:
    by_text = {r["transcript"]: r for r in rows}
    assert set(by_text) >= ORIGINALS
    for text in ORIGINALS:
        assert not SPEAKER.search(text)
    emergency = by_text["Emergency tha, Wednesday ko pakka karunga."]["labels"]
    hardship = by_text["Financial hardship hai, restructuring chahiye."]["labels"]
    assert emergency["intent_category"] == "promise_to_pay"
    assert hardship["intent_category"] == "hardship"


def test_the_loader_accepts_the_file() -> None:
    assert len(load_labelled(SAMPLES)) >= 150


async def test_offline_analyzer_meets_the_targets_on_the_samples() -> None:
    report = await evaluate(load_labelled(SAMPLES), OfflineAnalyzer())
    assert report.fields["intent_category"].accuracy >= 0.85
    assert report.fields["sentiment"].macro_f1 >= 0.80
    assert report.fields["action_required"].accuracy >= 0.90
