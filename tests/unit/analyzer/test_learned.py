"""The offline analyzer's learned model: reproducible from the data, read without the training
libraries, the same in every process, and its probabilities are the analysis's confidence."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path

import pytest

from consumer.analyzer.details import rules_contact
from consumer.analyzer.learned import (
    MODEL_PATH,
    Head,
    LearnedModel,
    contact_features,
    features,
    shipped_model,
    shipped_version,
)
from consumer.analyzer.offline import OfflineAnalyzer, analyze_offline
from consumer.analyzer.rules import analyze_text, speaker_turns
from consumer.analyzer.train import train
from schemas import ContactStatus

ROOT = Path(__file__).resolve().parents[3]
IST = timezone(timedelta(hours=5, minutes=30))
AT = datetime(2026, 11, 18, 12, 0, tzinfo=IST)


@pytest.mark.timeout(600)  # a full training run: about 80 s alone, more on a busy machine
def test_the_shipped_model_is_what_train_produces(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    summary = train(out)
    built = json.loads(out.read_text(encoding="utf-8"))
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert built["version"] == shipped["version"] == summary["version"]
    assert built["features"] == shipped["features"]
    for name, head in built["heads"].items():
        other = shipped["heads"][name]
        assert head["classes"] == other["classes"]
        assert head["weights"].keys() == other["weights"].keys()
        assert head["temperature"] == other["temperature"]
        worst = max(
            abs(a - b)
            for i, row in head["weights"].items()
            for a, b in zip(row, other["weights"][i], strict=True)
        )
        assert worst <= 0.002, name  # the last rounded digit may differ with the platform's BLAS
    assert summary["bytes"] < 2_500_000  # small beside the package: a table of weights, loaded once


def file_heads() -> dict[str, Head]:
    """The heads with their weights as the file has them (the loaded model keeps them packed)."""
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    names = data["features"]
    return {
        key: Head(
            classes=tuple(head["classes"]),
            bias=tuple(head["bias"]),
            weights={names[int(i)]: row for i, row in head["weights"].items()},
            temperature=float(head["temperature"]),
        )
        for key, head in data["heads"].items()
    }


def test_the_loaded_model_keeps_its_weights_only_packed() -> None:
    model = shipped_model()
    assert model is not None
    assert model.contact_head is not None
    heads = file_heads()
    for mine, theirs in zip(
        (model.intent, model.sentiment, model.action, model.contact_head),
        (heads["intent"], heads["sentiment"], heads["action"], heads["contact"]),
        strict=True,
    ):
        assert mine.weights == {}
        assert (mine.classes, mine.bias, mine.temperature) == (
            theirs.classes,
            theirs.bias,
            theirs.temperature,
        )
    assert model.rows.keys() == {name for head in heads.values() for name in head.weights}


def test_the_version_is_read_without_loading_the_model() -> None:
    code = (
        "from consumer.analyzer.learned import shipped_model, shipped_version\n"
        "from consumer.analyzer.pool import PooledOfflineAnalyzer\n"
        "pool = PooledOfflineAnalyzer(1); print(pool.info.model, shipped_model.cache_info().currsize)\n"
        "pool._pool.shutdown()"
    )
    name, loaded = run_python(code).split()
    assert name == OfflineAnalyzer().info.model == f"rules-v1+{shipped_version()}"
    assert shipped_version() == shipped_model().version  # type: ignore[union-attr]
    assert loaded == "0"


def run_python(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_the_service_reads_the_model_without_scikit_learn() -> None:
    code = (
        "import sys; sys.modules['sklearn'] = None; sys.modules['scipy'] = None\n"
        "from consumer.analyzer.learned import shipped_model\n"
        "m = shipped_model(); print(m.version)"
    )
    assert run_python(code).strip() == shipped_model().version  # type: ignore[union-attr]


def test_the_same_call_gets_the_same_probabilities_in_every_process() -> None:
    code = (
        "from consumer.analyzer.learned import shipped_model\n"
        "from consumer.analyzer.rules import speaker_turns\n"
        "from producer_tools.samples import SAMPLES_PATH, load_rows\n"
        "m = shipped_model()\n"
        "for r in load_rows(SAMPLES_PATH)[:30]:\n"
        "    p = m.predict(speaker_turns(r['transcript']), ('other', 'Neutral', True)); print(repr(p))\n"
    )
    assert run_python(code, PYTHONHASHSEED="1") == run_python(code, PYTHONHASHSEED="2")


def test_the_models_probabilities_are_the_confidence() -> None:
    model = shipped_model()
    assert model is not None
    text = "Agent: main ravi, sugam finance se. kya aap vinod ji hain\nCustomer: haan kal 5000 de dunga"
    analysis = analyze_offline(text, AT, model)
    rules = analyze_text(text, AT)
    prediction = model.predict(
        speaker_turns(text), (rules.intent_category.value, rules.sentiment.value, rules.action_required)
    )
    assert analysis.confidence is not None
    assert analysis.intent_category is prediction.intent
    assert 0 < analysis.confidence.intent_category <= 1
    assert analysis.confidence.sentiment == prediction.sentiment_p
    assert analysis.confidence.action_required == prediction.action_p
    contact = model.contact(prediction, rules_contact(text).value)
    assert contact is not None
    assert (analysis.contact_status, analysis.confidence.contact_status) == contact
    ptp = analysis.confidence.promise_to_pay
    assert analysis.needs_review is (
        min(prediction.intent_p, prediction.sentiment_p, prediction.action_p, contact[1], ptp or 1) < 0.6
    )


def test_the_contact_head_reads_the_rules_contact_and_the_decided_intent() -> None:
    """The second stage: the first stage's features plus the rules' contact status and the
    intent the first stage decided, summed exactly like the other heads."""
    model = shipped_model()
    assert model is not None
    assert model.contact_head is not None
    head = file_heads()["contact"]
    turns = speaker_turns(sample_call())
    names = features(turns, ("dispute", "Negative", True))
    prediction = model.predict(turns, ("dispute", "Negative", True))
    seen = set()
    for rules_contact_value in head.classes:
        got = model.contact(prediction, rules_contact_value)
        assert got is not None
        every = names | set(contact_features(rules_contact_value, prediction.intent.value))
        scores = [
            Fraction(round(b * 1000))
            + sum(Fraction(round(head.weights[n][k] * 1000)) for n in every if n in head.weights)
            for k, b in enumerate(head.bias)
        ]
        top = max(scores)
        assert got[0].value == head.classes[scores.index(top)]
        expected = 1.0 / sum(math.exp(float(s - top) / 1000 / head.temperature) for s in scores)
        assert abs(got[1] - expected) < 1e-12
        seen.add(got[0])
    # What the rules said of the contact is read: a borrower who disputes stays the right party
    # whatever the rules said, and the decision is not always the same class for every call.
    assert ContactStatus.RIGHT_PARTY in seen
    wrong = (
        "Agent: kya main suresh ji se baat kar raha hoon\n"
        "Customer: nahi ji, galat number hai, yahan koi suresh nahi"
    )
    wrong_turns = speaker_turns(wrong)
    wrong_rules = analyze_text(wrong, AT)
    wrong_prediction = model.predict(
        wrong_turns,
        (wrong_rules.intent_category.value, wrong_rules.sentiment.value, wrong_rules.action_required),
    )
    assert model.contact(wrong_prediction, rules_contact(wrong).value) == (
        analyze_offline(wrong, AT, model).contact_status,
        analyze_offline(wrong, AT, model).confidence.contact_status,  # type: ignore[union-attr]
    )
    assert analyze_offline(wrong, AT, model).contact_status is ContactStatus.WRONG_NUMBER


def test_a_model_without_a_contact_head_leaves_the_contact_to_the_rules() -> None:
    model = shipped_model()
    assert model is not None
    heads = file_heads()
    first_stage = LearnedModel.of(model.version, heads["intent"], heads["sentiment"], heads["action"])
    assert first_stage.contact_head is None
    text = "Agent: kya main suresh ji se baat kar raha hoon\nCustomer: nahi ji, galat number hai"
    prediction = first_stage.predict(speaker_turns(text), ("wrong_number", "Neutral", False))
    assert first_stage.contact(prediction, "wrong_number") is None
    assert prediction == model.predict(speaker_turns(text), ("wrong_number", "Neutral", False))
    assert analyze_offline(text, AT, first_stage).contact_status is analyze_offline(text, AT).contact_status


async def test_the_offline_analyzer_names_the_model() -> None:
    model = shipped_model()
    assert model is not None
    assert OfflineAnalyzer().info.model == f"rules-v1+{model.version}"


def test_scores_are_the_exact_sums_of_the_weights_in_any_order() -> None:
    model = shipped_model()
    assert model is not None
    names = sorted(features(speaker_turns(sample_call()), ("dispute", "Negative", True)))
    assert len(names) > 20
    file = file_heads()
    heads = (file["intent"], file["sentiment"], file["action"])
    for subset in (names, names[::2], names[1::3], list(reversed(names))):
        got = model.decide(subset)
        for head, (label, p) in zip(
            heads,
            (
                (got.intent.value, got.intent_p),
                (got.sentiment.value, got.sentiment_p),
                (str(got.action).lower(), got.action_p),
            ),
            strict=True,
        ):
            # The reference: exact sums of the thousandths in the file, then a plain softmax.
            scores = [
                Fraction(round(b * 1000))
                + sum(Fraction(round(head.weights[n][k] * 1000)) for n in subset if n in head.weights)
                for k, b in enumerate(head.bias)
            ]
            top = max(scores)
            assert label == head.classes[scores.index(top)]
            expected = 1.0 / sum(math.exp(float(s - top) / 1000 / head.temperature) for s in scores)
            assert abs(p - expected) < 1e-12
    assert model.decide(names) == model.decide(reversed(names)) == model.decide(names + names)


def sample_call() -> str:
    return (
        "Agent: Namaste, main Ritu bol rahi hoon Sugam Finance se. Kya main Arjun ji se baat kar rahi hoon?\n"
        "Customer: Haan bol raha hoon. Lekin ye 12000 ka bill galat hai, maine ye loan kabhi liya hi nahi.\n"
        "Agent: Sir aapke account mein 12000 baki dikh raha hai.\n"
        "Customer: Main complaint karunga, documents bhejiye,\n"
        "main paisa nahi dunga jab tak proof nahi milta."
    )


def test_predict_reads_the_words_like_the_named_features() -> None:
    """``predict`` looks the words up without building feature names: the same rows as
    ``decide(features(...))``, to the last bit, on the train and dev calls and variants of them."""
    model = shipped_model()
    assert model is not None
    splits = json.loads((ROOT / "data" / "splits.json").read_text(encoding="utf-8"))
    texts = [
        json.loads(line)["transcript"]
        for brief in splits["train"][:3] + splits["dev"][:1]
        for line in (ROOT / "data" / "labelled" / f"{brief}.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts += [t.upper() for t in texts[:50]]
    texts += [sample_call(), "", "Customer's wife: wo ghar pe nahi hain\nAgent: kab aayenge?"]
    calls = [speaker_turns(text) for text in texts]
    numbers = [("customer", "१२३ ka ४५ab 500,00 क१ emi 2100"), ("agent", "₹३०० 12.5 x1"), ("relative", "")]
    calls.append(numbers)  # Devanagari digits too, which ``speaker_turns`` would have made ASCII
    assert any(name.startswith("c:<num> ") for name in model.rows)
    checked = 0
    for turns in calls:
        text = str(turns)
        for rules in (("promise_to_pay", "Positive", True), ("other", "Neutral", False)):
            names = features(turns, rules)
            predicted, decided = model.predict(turns, rules), model.decide(names)
            assert predicted == decided, text
            assert (predicted.packed, predicted.matched) == (decided.packed, decided.matched), text
            assert model.contact(predicted, "right_party") == model.contact(decided, "right_party")
            checked += len(names)
    assert checked > 10_000


def test_a_model_too_large_for_32_bit_fields_still_sums_exactly() -> None:
    """The packed fields are 32 bits wide while every call's sum fits, else 64: a call matching
    all 33,000 features of weight 65 (a sum beyond 2**32 with the offsets) scores exactly."""
    names = [f"c:w{i}" for i in range(33_000)]
    head = Head(classes=("a", "b"), bias=(1.0, -1.0), weights=dict.fromkeys(names, (65.0, -65.0)))
    other = Head(classes=("x", "y"), bias=(0.0, 0.0), weights={})
    model = LearnedModel.of("wide", head, other, other)
    assert model.scores(names) == [33_000 * 65 + 1.0, -33_000 * 65 - 1.0, 0.0, 0.0, 0.0, 0.0]
    small = LearnedModel.of(
        "narrow", replace(head, weights=dict.fromkeys(names[:1000], (65.0, -65.0))), other, other
    )
    assert small.scores(names[:1000]) == [1000 * 65 + 1.0, -1000 * 65 - 1.0, 0.0, 0.0, 0.0, 0.0]
