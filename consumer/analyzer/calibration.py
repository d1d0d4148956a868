"""How far an analyzer's confidence can be trusted: reliability by confidence band, expected
calibration error, Brier score, and the accuracy of calls flagged ``needs_review`` against the rest.

A calibrated analyzer that says 0.8 is right on about 80% of such calls. The calls are grouped
into bands of the confidence in the predicted label (``BAND_EDGES``: [0, 0.5), [0.5, 0.6), ...,
[0.9, 1.0]); each band's accuracy is set beside its mean confidence. The expected calibration error
(ECE) is the mean gap between the two, weighted by the share of calls in each band; the Brier
score is the mean squared difference between the confidence and the outcome (1 right, 0 wrong) of
the predicted label. Both are 0 for a perfect analyzer; both are pure arithmetic on the two lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

__all__ = ["BAND_EDGES", "Band", "Calibration", "ReviewGroup", "band_index", "calibrate", "review_groups"]

BAND_EDGES: Final = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass(frozen=True, slots=True)
class Band:
    """The calls whose confidence is in [low, high) ([low, high] for the last band).

    ``mean_confidence``, ``accuracy`` and ``review_rate`` are ``None`` for an empty band;
    ``review_rate`` (the share flagged ``needs_review``) also when no flags were given.
    """

    low: float
    high: float
    n: int
    mean_confidence: float | None
    accuracy: float | None
    review_rate: float | None = None

    @property
    def gap(self) -> float | None:
        """Accuracy minus mean confidence: negative when the analyzer is overconfident."""
        if self.accuracy is None or self.mean_confidence is None:
            return None
        return self.accuracy - self.mean_confidence


@dataclass(frozen=True, slots=True)
class Calibration:
    """Reliability of one field's confidence over ``n`` calls."""

    field: str
    n: int
    bands: tuple[Band, ...]
    ece: float
    brier: float
    accuracy: float
    mean_confidence: float


@dataclass(frozen=True, slots=True)
class ReviewGroup:
    """The calls flagged ``needs_review`` (or those not flagged) and how often each field was right."""

    needs_review: bool
    n: int
    share: float  # of all calls scored
    accuracy: dict[str, float]  # field -> accuracy within the group (0.0 when the group is empty)
    all_correct: float  # share of the group's calls with every field right


def _check_edges(edges: Sequence[float]) -> None:
    if len(edges) < 2 or edges[0] != 0.0 or edges[-1] != 1.0:
        msg = "band edges must run from 0.0 to 1.0"
        raise ValueError(msg)
    if any(a >= b for a, b in pairwise(edges)):
        msg = "band edges must increase"
        raise ValueError(msg)


def band_index(confidence: float, edges: Sequence[float] = BAND_EDGES) -> int:
    """The band ``confidence`` falls in: ``edges[i] <= confidence < edges[i + 1]``; 1.0 is in the last."""
    if not 0.0 <= confidence <= 1.0:
        msg = f"confidence must be within 0..1, got {confidence!r}"
        raise ValueError(msg)
    for i in range(len(edges) - 2, -1, -1):
        if confidence >= edges[i]:
            return i
    return 0


def calibrate(
    field: str,
    confidences: Sequence[float],
    correct: Sequence[bool],
    *,
    needs_review: Sequence[bool] | None = None,
    edges: Sequence[float] = BAND_EDGES,
) -> Calibration:
    """Bands, ECE and Brier score of one field's confidence against whether it was right.

    ``needs_review`` (one flag per call) adds each band's share of flagged calls.
    """
    _check_edges(edges)
    if len(confidences) != len(correct) or (needs_review is not None and len(needs_review) != len(correct)):
        msg = "confidences, correct and needs_review must have the same length"
        raise ValueError(msg)
    n = len(confidences)
    members: list[list[int]] = [[] for _ in edges[:-1]]
    for i, c in enumerate(confidences):
        members[band_index(c, edges)].append(i)
    bands: list[Band] = []
    ece = 0.0
    for b, idx in enumerate(members):
        if not idx:
            bands.append(Band(edges[b], edges[b + 1], 0, None, None, None))
            continue
        mean_c = sum(confidences[i] for i in idx) / len(idx)
        acc = sum(1 for i in idx if correct[i]) / len(idx)
        review = sum(1 for i in idx if needs_review[i]) / len(idx) if needs_review is not None else None
        bands.append(Band(edges[b], edges[b + 1], len(idx), mean_c, acc, review))
        ece += len(idx) / n * abs(acc - mean_c)
    brier = sum((c - (1.0 if ok else 0.0)) ** 2 for c, ok in zip(confidences, correct, strict=True))
    return Calibration(
        field=field,
        n=n,
        bands=tuple(bands),
        ece=ece,
        brier=brier / n if n else 0.0,
        accuracy=sum(correct) / n if n else 0.0,
        mean_confidence=sum(confidences) / n if n else 0.0,
    )


def review_groups(
    flags: Sequence[bool], correct: Mapping[str, Sequence[bool]]
) -> tuple[ReviewGroup, ReviewGroup]:
    """The calls flagged ``needs_review``, then the others, with each field's accuracy in the group."""
    if any(len(v) != len(flags) for v in correct.values()):
        msg = "every field needs one outcome per flag"
        raise ValueError(msg)
    groups: list[ReviewGroup] = []
    for flagged in (True, False):
        idx = [i for i, f in enumerate(flags) if f is flagged]
        k = len(idx)
        accuracy = {name: sum(1 for i in idx if v[i]) / k if k else 0.0 for name, v in correct.items()}
        every = sum(1 for i in idx if all(v[i] for v in correct.values()))
        groups.append(
            ReviewGroup(flagged, k, k / len(flags) if flags else 0.0, accuracy, every / k if k else 0.0)
        )
    return groups[0], groups[1]
