"""The methodology section of the context: definitions, benchmark, options, sources,
data-quality notes, the forge cross-check and caveats."""

from __future__ import annotations

from typing import Any

from ..dora import METRICS
from . import format as fmt
from .context import Methodology, MetricView, Note
from .data import ReportData
from .metrics_view import headline_text, metric_name, other_warnings

MAX_REPOSITORY_NAMES = 300
"""Names listed on the methodology page; the JSON lists every repository."""


def build_methodology(data: ReportData, metrics: list[MetricView]) -> Methodology:
    """How the figures were made and what they rest on."""
    bench = data.benchmark
    quality = data.data_quality
    bots = quality.bots_excluded
    repos = quality.repositories
    return Methodology(
        definitions=metrics,
        record_rules=data.record_rules,
        benchmark_title=bench.title or bench.id or fmt.DASH,
        benchmark_source=_source(bench.source),
        benchmark_notes=bench.notes,
        options=_options(quality.options),
        sources=[f"{s.name} ({s.kind})" for s in quality.sources],
        repositories=list(repos[:MAX_REPOSITORY_NAMES]),
        repositories_total=len(repos),
        bots="bots were not excluded" if bots is None else fmt.count(bots, "changes"),
        notes=[
            Note(level=n.level, where=f"{n.repository} · {n.resource}", message=n.message)
            for n in quality.notes
        ],
        cross_check=_cross_check(data),
        caveats=[*_changed_options(data), *other_warnings(data.organization_scope)],
    )


def _changed_options(data: ReportData) -> list[str]:
    """Measurement options that differ from the compared report's: deltas mix both."""
    if data.previous is None:
        return []
    previous, current = data.previous.options, data.data_quality.options
    label = data.previous.period.label
    return [
        f"{fmt.label(key)} was {previous[key]!r} in {label} and is {current[key]!r} now; "
        "changes since then reflect the method as well as delivery."
        for key in sorted(set(previous) & set(current))
        if previous[key] != current[key]
    ]


def _source(source: dict[str, Any]) -> str:
    parts = [source.get("publisher"), source.get("url")]  # a benchmark file may omit either
    return ", ".join(str(p) for p in parts if p) or "not recorded"


def _options(options: dict[str, Any]) -> list[tuple[str, str]]:
    def show(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or "none"
        if value is None:
            return "all"
        return str(value).lower() if isinstance(value, bool) else str(value)

    return [(fmt.label(k), show(v)) for k, v in options.items()]


def _cross_check(data: ReportData) -> list[tuple[str, str, str]]:
    """A forge's DORA API figures beside ours, as (metric, ours, theirs)."""
    if data.cross_check is None:
        return []
    return [
        (
            metric_name(metric),
            headline_text(metric, pair.ours),
            headline_text(metric, pair.gitlab),
        )
        for metric, pair in data.cross_check.metrics.items()
        if metric in METRICS
    ]
