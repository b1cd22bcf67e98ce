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
    """One tier's band for one metric in one DORA report.

    ``dora`` is the cluster's answer in DORA's words; ``label`` is what the report shows
    beside a value: those words, and the range of values this tool places in the tier when
    that range differs from them (clusters overlap and leave gaps), so the two never
    contradict.
    """

    tier: str
    bound: float | None
    label: str
    confidence: str
    dora: str = ""
    range: tuple[float | None, float | None] | None = None  # DORA's answer, in the unit
    read_in: tuple[str, ...] = ()  # ids of the benchmark's sources that give this value


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

    def placement_note(self, metric: str, value: float | None) -> str | None:
        """In words, why a value outside its tier's DORA answer gets that tier (it lies
        in a gap between clusters, or beyond the last); None when it lies inside."""
        tier = self.tier(metric, value)
        if value is None or tier is None:
            return None
        band = next(b for b in self.bands[metric] if b.tier == tier)
        if band.range is None or _inside(value, band.range):
            return None
        spans = [(b, b.range) for b in self.bands[metric] if b.range is not None]
        below = [(r[1], b) for b, r in spans if r[1] is not None and r[1] <= value]
        above = [(r[0], b) for b, r in spans if r[0] is not None and r[0] > value]
        lo = max(below, key=lambda x: x[0])[1] if below else None
        hi = min(above, key=lambda x: x[0])[1] if above else None
        shown = _show(metric, value)
        if lo is not None and hi is not None:
            where = (
                f"{shown} lies between the {_t(lo.tier)} cluster's answer ({lo.dora.lower()}) "
                f"and the {_t(hi.tier)} cluster's ({hi.dora.lower()}); no DORA {self.year} "
                "cluster answered in between"
            )
        else:
            near = lo or hi
            assert near is not None  # the value lies outside a range, so on one side of it
            where = (
                f"{shown} lies beyond the answers of every DORA {self.year} cluster "
                f"(nearest: {_t(near.tier)}, {near.dora.lower()})"
            )
        return (
            f"{where}. It is placed in {_t(tier)}, the first tier whose threshold it meets "
            "when tiers are tried from the best."
        )

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


def _inside(value: float, span: tuple[float | None, float | None]) -> bool:
    lo, hi = span
    return (lo is None or value >= lo) and (hi is None or value < hi)


def _t(tier: str) -> str:
    return tier.capitalize()


_HOURS = {1: "one hour", 24: "one day", 168: "one week", 730.5: "one month", 4383: "six months"}
_RATES = {
    7: "once a day",
    1: "once a week",
    0.22998: "once a month",
    0.03833: "once every six months",
}


def _amount(metric: str, value: float) -> str:
    """A bound in words: hours as durations, rates per week as 'once a …', fractions as %."""
    if metric == "deployment_frequency":
        return _RATES.get(value, f"{value:g} a week")
    if metric == "change_failure_rate":
        return f"{value:.0%}"
    return _HOURS.get(value, f"{value:g} hours")


def _show(metric: str, value: float) -> str:
    """A measured value as the report prints it."""
    if metric == "deployment_frequency":
        return f"{value:.2f} deployments a week"
    if metric == "change_failure_rate":
        return f"{value:.0%}"
    return f"{value:.1f} h"


def _applied(metric: str, op: str, prev: float | None, bound: float | None) -> str:
    """The values this tool places in a band, in words (bands are tried best first)."""
    a = None if bound is None else _amount(metric, bound)
    p = None if prev is None else _amount(metric, prev)
    if op == ">=":
        if p is None:
            return f"{a} or more often"
        return f"less often than {p}" if a is None else f"{a} or more often, below {p}"
    inclusive = op == "<="
    if p is None:
        return f"up to {a}" if inclusive else f"less than {a}"
    if a is None:
        return f"above {p}" if inclusive else f"{p} or more"
    return f"above {p}, up to {a}" if inclusive else f"{p} to less than {a}"


def _unreachable(op: str, prev: float | None, bound: float | None) -> bool:
    if prev is None or bound is None:
        return False
    return bound >= prev if op == ">=" else bound <= prev


def _bands(metric: str, spec: dict[str, Any]) -> tuple[Band, ...]:
    """A metric's bands, each labelled so that its words and its applied range agree."""
    op, out, prev, best = spec["compare"], [], None, None
    for b in spec["bands"]:
        bound = b.get("bound")
        span = tuple(b["range"]) if b.get("range") else None
        applied = _applied(metric, op, prev, bound)
        dora = str(b["label"])
        if _unreachable(op, prev, bound):
            label = f"{dora} (DORA's answer; never applied: the {_t(best or '')} tier covers it)"
        elif span is not None and _same_span(op, span, prev, bound):
            label = dora
        else:
            label = (
                f"{applied[0].upper()}{applied[1:]} (DORA's answer: {dora[0].lower()}{dora[1:]})"
            )
        out.append(
            Band(
                b["tier"],
                bound,
                label,
                b["confidence"],
                dora,
                span,  # type: ignore[arg-type]
                tuple(b.get("read_in") or ()),
            )
        )
        if not _unreachable(op, prev, bound):
            prev, best = bound if bound is not None else prev, b["tier"]
    return tuple(out)


def _provenance(doc: dict[str, Any], bands: dict[str, tuple[Band, ...]]) -> str:
    """Where the values were read, in words, and which values no source confirms."""
    read = doc["source"].get("read") or []
    where = "; ".join(f"{r['cite']}, which gives {r['gives']}" for r in read)
    text = f"The values were read in: {where}." if where else ""
    unconfirmed = [
        f"{metric.replace('_', ' ')} ({b.tier})"
        for metric, bs in bands.items()
        for b in bs
        if not b.read_in
    ]
    if not doc.get("respondents_read_in"):
        unconfirmed.append("the share of respondents in each cluster")
    if unconfirmed:
        text += (
            " No source consulted confirms "
            + ", ".join(unconfirmed)
            + "; these are shown as published in DORA's report, unverified."
        )
    return text.strip()


def _same_span(
    op: str, span: tuple[float | None, float | None], prev: float | None, bound: float | None
) -> bool:
    """Whether DORA's answer covers exactly the values placed in the band."""
    applied = (prev, bound) if op != ">=" else (bound, prev)
    return tuple(span) == applied


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
    bands = {k: _bands(k, v) for k, v in doc["metrics"].items()}
    return Benchmark(
        id=doc["id"],
        year=doc["year"],
        title=doc["title"],
        source=doc["source"],
        notes=f"{doc['notes']} {_provenance(doc, bands)}",
        tiers=tuple(doc["tiers"]),
        respondents=doc["respondents"],
        compare={k: v["compare"] for k, v in doc["metrics"].items()},
        bands=bands,
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
