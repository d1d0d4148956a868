"""Calibration arithmetic: confidence bands, expected calibration error, Brier score and the
needs_review groups, on lists small enough to check by hand."""

from __future__ import annotations

import pytest

from consumer.analyzer.calibration import BAND_EDGES, band_index, calibrate, review_groups


@pytest.mark.parametrize(
    ("confidence", "band"),
    [(0.0, 0), (0.4999, 0), (0.5, 1), (0.59, 1), (0.6, 2), (0.85, 4), (0.9, 5), (0.999, 5), (1.0, 5)],
)
def test_band_index_puts_the_lower_edge_in_and_one_in_the_last_band(confidence: float, band: int) -> None:
    assert band_index(confidence) == band
    assert len(BAND_EDGES) - 1 == 6


@pytest.mark.parametrize("bad", [-0.1, 1.01])
def test_band_index_rejects_a_confidence_outside_0_1(bad: float) -> None:
    with pytest.raises(ValueError, match=r"within 0\.\.1"):
        band_index(bad)


def test_calibrate_by_hand() -> None:
    cal = calibrate(
        "intent_category",
        [0.95, 0.95, 0.55, 0.3],
        [True, False, True, False],
        needs_review=[False, True, True, True],
    )
    assert cal.n == 4
    by_low = {b.low: b for b in cal.bands}
    assert [b.n for b in cal.bands] == [1, 1, 0, 0, 0, 2]
    top = by_low[0.9]
    assert (top.n, top.accuracy, top.review_rate) == (2, 0.5, 0.5)
    assert top.mean_confidence == pytest.approx(0.95)
    assert top.gap == pytest.approx(-0.45)  # overconfident
    assert by_low[0.5].accuracy == 1.0
    assert by_low[0.5].mean_confidence == pytest.approx(0.55)
    assert (by_low[0.0].accuracy, by_low[0.0].review_rate) == (0.0, 1.0)
    empty = by_low[0.7]
    assert (empty.mean_confidence, empty.accuracy, empty.review_rate, empty.gap) == (None, None, None, None)
    # ECE: 2/4 * |0.5 - 0.95| + 1/4 * |1 - 0.55| + 1/4 * |0 - 0.3|
    assert cal.ece == pytest.approx(0.225 + 0.1125 + 0.075)
    # Brier: mean of (0.95-1)^2, (0.95-0)^2, (0.55-1)^2, (0.3-0)^2
    assert cal.brier == pytest.approx((0.0025 + 0.9025 + 0.2025 + 0.09) / 4)
    assert cal.accuracy == 0.5
    assert cal.mean_confidence == pytest.approx(0.6875)


def test_a_calibrated_band_has_no_error_but_a_brier_score() -> None:
    cal = calibrate("x", [0.75] * 4, [True, True, True, False])
    assert cal.ece == pytest.approx(0.0)
    assert cal.brier == pytest.approx((3 * 0.25**2 + 0.75**2) / 4)
    assert all(b.review_rate is None for b in cal.bands)


def test_calibrate_with_no_calls_is_empty() -> None:
    cal = calibrate("x", [], [])
    assert (cal.n, cal.ece, cal.brier) == (0, 0.0, 0.0)
    assert all(b.n == 0 for b in cal.bands)


def test_calibrate_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="same length"):
        calibrate("x", [0.5], [True, False])
    with pytest.raises(ValueError, match="same length"):
        calibrate("x", [0.5], [True], needs_review=[])
    with pytest.raises(ValueError, match=r"0\.0 to 1\.0"):
        calibrate("x", [0.5], [True], edges=(0.2, 1.0))
    with pytest.raises(ValueError, match="increase"):
        calibrate("x", [0.5], [True], edges=(0.0, 0.6, 0.6, 1.0))


def test_review_groups_by_hand() -> None:
    flagged, rest = review_groups(
        [True, True, False, False, False],
        {"a": [True, False, True, True, False], "b": [True, True, True, False, True]},
    )
    assert (flagged.needs_review, flagged.n, flagged.share) == (True, 2, 0.4)
    assert flagged.accuracy == {"a": 0.5, "b": 1.0}
    assert flagged.all_correct == 0.5
    assert (rest.needs_review, rest.n) == (False, 3)
    assert rest.accuracy == {"a": pytest.approx(2 / 3), "b": pytest.approx(2 / 3)}
    assert rest.all_correct == pytest.approx(1 / 3)


def test_review_groups_with_nobody_flagged() -> None:
    flagged, rest = review_groups([False], {"a": [True]})
    assert (flagged.n, flagged.share, flagged.accuracy, flagged.all_correct) == (0, 0.0, {"a": 0.0}, 0.0)
    assert rest.accuracy == {"a": 1.0}
