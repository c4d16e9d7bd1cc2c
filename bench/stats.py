"""Summaries of repeated fresh measurements: median, min and max, and the ratio to a same-run baseline."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

Row = dict[str, Any]
"""One figure of the results: a name, a unit, the summary of its samples and its ratio to a baseline."""


def summary(samples: Sequence[float]) -> dict[str, float]:
    """Median, min and max of the samples (and how many there were)."""
    if not samples:
        raise ValueError("a figure needs at least one measurement")
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "n": len(samples),
    }


def figure(name: str, unit: str, samples: Sequence[float], **extra: Any) -> Row:
    """Build a row of the results from its samples; `extra` adds the ratio and other columns."""
    return {"name": name, "unit": unit, **summary(samples), "samples": list(samples), **extra}


def figure_against(
    name: str,
    unit: str,
    samples: Sequence[float],
    baseline: str,
    baseline_samples: Sequence[float],
    **extra: Any,
) -> Row:
    """Build a row whose ratio is its median over the median of a baseline measured in the same run."""
    ratio = summary(samples)["median"] / summary(baseline_samples)["median"]
    return figure(name, unit, samples, baseline=baseline, ratio=ratio, **extra)


def paired_ratios(samples: Sequence[float], baseline: Sequence[float]) -> dict[str, float]:
    """Ratio of each measurement to the baseline measured right next to it, summarised.

    Pairing cancels the drift of a shared machine: both numbers of a pair saw the same background load.
    """
    return summary([value / base for value, base in zip(samples, baseline, strict=True) if base])
