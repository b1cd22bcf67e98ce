"""Text outputs: the terminal table, CSV, and docs/metrics.md from the definition data."""

from __future__ import annotations

import csv
import io

from rich.table import Table

from .model import MetricsReport, ScopeMetrics
from .tiers import benchmark_table, metric_definitions, metrics_notes

CSV_COLUMNS = (
    "scope",
    "name",
    "deployments",
    "deployments_per_week",
    "deployment_days",
    "deployment_frequency_tier",
    "lead_time_median_hours",
    "lead_time_p75_hours",
    "lead_time_p90_hours",
    "lead_time_n",
    "lead_time_tier",
    "change_failure_rate",
    "failed_deployments",
    "change_failure_rate_tier",
    "recovery_median_hours",
    "recovery_p90_hours",
    "recovery_n",
    "recovery_tier",
    "rework_rate",
    "incident_mttr_median_hours",
    "overall_tier",
    "score",
    "warnings",
)


def _row(s: ScopeMetrics) -> list[object]:
    df, lt = s.deployment_frequency, s.lead_time_for_changes
    cfr, fd = s.change_failure_rate, s.failed_deployment_recovery_time
    return [
        s.scope,
        s.name,
        df.deployments,
        df.per_week,
        df.deployment_days,
        df.tier,
        lt.median_hours,
        lt.p75_hours,
        lt.p90_hours,
        lt.n,
        lt.tier,
        cfr.value,
        cfr.failed,
        cfr.tier,
        fd.median_hours,
        fd.p90_hours,
        fd.n,
        fd.tier,
        s.rework_rate.value,
        s.incident_mttr.median_hours,
        s.overall_tier,
        s.score,
        "; ".join(w.code for w in s.warnings),
    ]


def to_csv(report: MetricsReport) -> str:
    """One row per scope; unknown values are empty cells, never 0."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for scope in report.scopes:
        writer.writerow(["" if v is None else v for v in _row(scope)])
    return buf.getvalue()


def _num(value: float | None, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def render_table(report: MetricsReport) -> Table:
    """A rich table, one row per scope; '—' marks unknown values."""
    table = Table(title=f"DORA metrics {report.start} – {report.end} ({report.benchmark})")
    for column in ("Scope", "Name", "Deploys/wk", "Lead time h (p50)", "CFR", "Recovery h (p50)",
                   "Rework", "Tier", "Score", "Warnings"):
        table.add_column(column, overflow="fold")
    for s in report.scopes:
        df, lt = s.deployment_frequency, s.lead_time_for_changes
        fd = s.failed_deployment_recovery_time
        table.add_row(
            s.scope,
            s.name,
            f"{_num(df.per_week, '{:.2f}')} ({df.deployments})",
            f"{_num(lt.median_hours)} (n={lt.n})",
            f"{_pct(s.change_failure_rate.value)} ({s.change_failure_rate.failed})",
            f"{_num(fd.median_hours)} (n={fd.n})",
            _pct(s.rework_rate.value),
            s.overall_tier or "—",
            _num(s.score),
            str(len(s.warnings)),
        )
    return table


def metrics_doc() -> str:
    """docs/metrics.md, rendered from metrics.yaml and the benchmark tables."""
    lines = [
        "# DORA metrics: definitions",
        "",
        "<!-- Generated from src/opsmaturity/data/metrics.yaml and data/benchmarks/ by",
        "     `python -m opsmaturity.metrics.render`; tests/test_metrics_docs.py keeps it in step. -->",
        "",
    ]
    for m in metric_definitions():
        lines += [f"## {m.name}", "", f"*{m.summary}* Unit: {m.unit}. In DORA since {m.since}.",
                  "", m.definition, "",
                  f"Score 0–10 ({m.interpolation} interpolation between anchors, clamped): "
                  + ", ".join(f"{v:g} → {s:g}" for v, s in m.points), ""]
    notes = metrics_notes()
    lines += ["## Overall tier and score", "", notes["overall"]["tier"], "",
              notes["overall"]["score"], "", "## Warnings", ""]
    lines += [f"- `{code}`: {text}" for code, text in notes["warnings"].items()]
    for year in (2024, 2023, 2022):
        b = benchmark_table(year)
        lines += ["", f"## Benchmark: {b.title} (`{b.id}`)", "", f"Source: {b.source['url']}", "",
                  b.notes, "", "| Metric | " + " | ".join(b.tiers) + " |",
                  "|---|" + "---|" * len(b.tiers)]
        for metric, bands in b.bands.items():
            cells = [f"{band.label} ({b.compare[metric]} {band.bound:g})" if band.bound is not None
                     else f"{band.label} (rest)" for band in bands]
            lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates docs/metrics.md
    import sys

    sys.stdout.write(metrics_doc())
