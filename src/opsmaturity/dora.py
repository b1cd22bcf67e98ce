"""DORA's shared vocabulary: the five metric ids, how each is shown, and the tier names.

One definition for the metrics engine's consumers — assessment, recommendation, report —
so a renamed or added metric cannot drift between them. The per-metric display facts live
in ``data/metrics.yaml`` (each metric's ``display`` block), beside the definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, get_args

import yaml

from .resources import data_dir

Format = Literal["per_week", "hours", "rate"]
FORMATS: tuple[str, ...] = get_args(Format)


@dataclass(frozen=True, slots=True)
class MetricDisplay:
    """How one metric is shown: names, its headline figure and which way is better."""

    id: str
    name: str
    """Full name (``Lead time for changes``), the metric's top-level ``name``."""
    short: str
    """Short name for narrow table headers (``Lead time``)."""
    words: str
    """Its name inside a sentence of prose (``recovery time``), as the recommendation writes."""
    unit: str
    """Unit of its raw figures in words (``hours``), the metric's top-level ``unit``."""
    headline: str
    """The field of the metric's result that summaries show and deltas compare."""
    format: Format
    """How its numbers are written: ``per_week``, ``hours`` or ``rate`` (a 0–1 fraction)."""
    higher_is_better: bool
    """Direction of improvement (only deployment frequency improves as it rises)."""
    sample_field: str
    """The result field holding the sample size (``n``, ``deployments``)."""
    sample_noun: str
    """What the sample counts (``changes``)."""
    trend_field: str
    """The trend point field charted for this metric."""
    trend_label: str
    """What the trend chart's axis shows (``Median hours``)."""

    @property
    def headline_unit(self) -> str:
        """The headline figure's unit, abbreviated for narrow headers (``h, median``)."""
        return HEADLINE_UNITS[self.format]


#: How each number format's headline is abbreviated in narrow headers (terminal tables).
HEADLINE_UNITS: dict[str, str] = {"per_week": "/wk", "hours": "h, median", "rate": "%"}


@cache
def metric_display() -> dict[str, MetricDisplay]:
    """Every metric's display facts, in report order (the order of metrics.yaml)."""
    with (data_dir() / "metrics.yaml").open(encoding="utf-8") as fh:
        entries = yaml.safe_load(fh)["metrics"]
    return {m["id"]: _display(m) for m in entries}


def _display(entry: dict[str, Any]) -> MetricDisplay:
    """One metric's names, unit and ``display`` block; a missing or unknown entry names the
    metric and key."""
    metric = entry["id"]
    try:
        d = entry["display"]
        if d["format"] not in FORMATS:
            raise ValueError(f"format {d['format']!r} is not one of {', '.join(FORMATS)}")
        return MetricDisplay(
            id=metric,
            name=str(entry["name"]),
            short=str(d["short"]),
            words=str(d["words"]),
            unit=str(entry["unit"]),
            headline=str(d["headline"]),
            format=d["format"],
            higher_is_better=bool(d["higher_is_better"]),
            sample_field=str(d["sample"]["field"]),
            sample_noun=str(d["sample"]["noun"]),
            trend_field=str(d["trend"]["field"]),
            trend_label=str(d["trend"]["label"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"data/metrics.yaml: {metric}: display: {exc}") from None


METRICS = tuple(metric_display())
"""The five DORA metrics, in the order the report shows them."""

HEADLINE_FIELD = {m: d.headline for m, d in metric_display().items()}
"""The one figure of each metric that summaries show, deltas and self-reports compare."""

TIERS = ("elite", "high", "medium", "low")
"""Benchmark tiers, best first."""
