"""Definitions, DORA tier tables and the 0–10 scores, all loaded from data files.

The numbers live in ``data/metrics.yaml`` and ``data/benchmarks/dora-YEAR.yaml`` so the
report's methodology page, ``docs/metrics.md`` and this module can never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from ..resources import data_dir

TIERED = (
    "deployment_frequency",
    "lead_time_for_changes",
    "change_failure_rate",
    "failed_deployment_recovery_time",
)
# Deployments per week at the lower edge of each DORA answer bucket (mean-rate rule).
DAY, MONTH, SIX_MONTHS = 1.0, 30.4375, 182.625
BUCKETS = (
    ("on_demand", 7 / DAY),
    ("daily_weekly", 1.0),
    ("weekly_monthly", 7 / MONTH),
    ("monthly_six_monthly", 7 / SIX_MONTHS),
    ("fewer", 0.0),
)


@dataclass(frozen=True, slots=True)
class MetricDefinition:
    """One metric as the methodology page shows it."""

    id: str
    name: str
    summary: str
    definition: str
    unit: str
    since: int
    interpolation: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Band:
    """One tier's band for one metric in one DORA report."""

    tier: str
    bound: float | None
    label: str
    confidence: str


@dataclass(frozen=True, slots=True)
class Benchmark:
    """One DORA report's cluster table."""

    id: str
    year: int
    title: str
    source: dict[str, Any]
    notes: str
    tiers: tuple[str, ...]
    respondents: dict[str, float]
    compare: dict[str, str]
    bands: dict[str, tuple[Band, ...]]

    def tier(self, metric: str, value: float | None) -> str | None:
        """The first band (best first) whose bound holds; the last band takes the rest."""
        if value is None or metric not in self.bands:
            return None
        op = self.compare[metric]
        for band in self.bands[metric]:
            if band.bound is None or _holds(value, op, band.bound):
                return band.tier
        return None  # pragma: no cover - the data test requires an open last band


def _holds(value: float, op: str, bound: float) -> bool:
    return {">=": value >= bound, "<": value < bound, "<=": value <= bound}[op]


def _load(path: str) -> Any:
    with (data_dir() / path).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def _definitions() -> tuple[MetricDefinition, ...]:
    return tuple(
        MetricDefinition(
            id=m["id"],
            name=m["name"],
            summary=m["summary"],
            definition=m["definition"],
            unit=m["unit"],
            since=m["since"],
            interpolation=m["score"]["interpolation"],
            points=tuple((float(v), float(s)) for v, s in m["score"]["points"]),
        )
        for m in _load("metrics.yaml")["metrics"]
    )


@cache
def _by_id() -> dict[str, MetricDefinition]:
    return {d.id: d for d in _definitions()}


def metric_definitions() -> list[MetricDefinition]:
    """Every metric's definition, in report order."""
    return list(_definitions())


@cache
def metrics_notes() -> dict[str, Any]:
    """The overall-tier rule, the score rule, which records count, the warning glossary and
    the columns of the rows behind the figures, from metrics.yaml."""
    doc = _load("metrics.yaml")
    keys = ("overall", "records", "warnings", "rows")
    return {k: doc[k] for k in keys}


@cache
def benchmark_table(year: int = 2024) -> Benchmark:
    """The DORA cluster table of ``year`` (2022, 2023 or 2024)."""
    try:
        doc = _load(f"benchmarks/dora-{year}.yaml")
    except FileNotFoundError:
        raise ValueError(f"no DORA benchmark table for {year}; use 2022, 2023 or 2024") from None
    return Benchmark(
        id=doc["id"],
        year=doc["year"],
        title=doc["title"],
        source=doc["source"],
        notes=doc["notes"],
        tiers=tuple(doc["tiers"]),
        respondents=doc["respondents"],
        compare={k: v["compare"] for k, v in doc["metrics"].items()},
        bands={
            k: tuple(
                Band(b["tier"], b.get("bound"), str(b["label"]), b["confidence"])
                for b in v["bands"]
            )
            for k, v in doc["metrics"].items()
        },
    )


def score(metric: str, value: float | None) -> float | None:
    """0–10 score on the metric's documented anchors; None when the value is unknown."""
    if value is None:
        return None
    d = _by_id()[metric]
    pts = d.points
    if value <= pts[0][0]:
        return pts[0][1]
    if value >= pts[-1][0]:
        return pts[-1][1]
    for (x0, s0), (x1, s1) in zip(pts, pts[1:], strict=False):
        if x0 <= value <= x1:
            if d.interpolation == "log":
                frac = (math.log10(value) - math.log10(x0)) / (math.log10(x1) - math.log10(x0))
            else:
                frac = (value - x0) / (x1 - x0)
            return round(s0 + frac * (s1 - s0), 2)
    raise AssertionError("unreachable: anchors are sorted")  # pragma: no cover


def frequency_bucket(per_week: float | None) -> str | None:
    """The DORA answer bucket of a mean deployment rate (see metrics.yaml)."""
    if per_week is None or per_week <= 0:
        return None
    return next(name for name, low in BUCKETS if per_week >= low)


def overall_tier(benchmark: Benchmark, tiers: dict[str, str | None]) -> str | None:
    """Median of the known metric tiers, rounded toward the worse tier (see metrics.yaml)."""
    needed = ("deployment_frequency", "lead_time_for_changes", "change_failure_rate")
    if any(tiers.get(m) is None for m in needed):
        return None
    ranks = sorted(benchmark.tiers.index(t) for m in TIERED if (t := tiers.get(m)) is not None)
    return benchmark.tiers[ranks[len(ranks) // 2]]


def overall_score(scores: list[float | None]) -> float | None:
    """Mean of the known scores."""
    known = [s for s in scores if s is not None]
    return round(sum(known) / len(known), 2) if known else None
