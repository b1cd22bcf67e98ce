"""Text outputs of ``opsmaturity metrics``: the terminal table and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection

from rich.table import Table

from ..csvsafe import safe_row
from ..dora import metric_display
from .model import MetricsReport, ScopeMetrics

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
        writer.writerow(safe_row("" if v is None else v for v in _row(scope)))
    return buf.getvalue()


def _num(value: float | None, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _figures() -> list[tuple[str, str]]:
    """(label, result attribute) of every figure that can be unknown: the five metrics by
    their short names in ``data/metrics.yaml``, then the incident MTTR."""
    named = [(d.short, metric) for metric, d in metric_display().items()]
    return [*named, ("Incident MTTR", "incident_mttr")]


def unknown_reasons(report: MetricsReport, shown: int = 3) -> list[str]:
    """One line per unknown figure and reason: '—' never stands without its why."""
    scopes: dict[tuple[str, str], list[str]] = {}
    figures = _figures()
    for s in report.scopes:
        for label, attr in figures:
            reason = getattr(s, attr).reason
            if reason:
                scopes.setdefault((label, reason), []).append(s.name)
    lines = []
    for (label, reason), names in scopes.items():
        more = f" and {len(names) - shown} more" if len(names) > shown else ""
        lines.append(f"— {label}: {reason} ({', '.join(names[:shown])}{more})")
    return lines


def render_table(report: MetricsReport, incomplete: Collection[tuple[str, str]] = ()) -> Table:
    """A rich table, one row per scope; '—' marks unknown values, explained below it, and
    scopes listed in ``incomplete`` as ``(scope, name)`` (data missing) are marked as such."""
    table = Table(
        title=f"DORA metrics {report.start} – {report.end} ({report.benchmark})",
        caption="\n".join(unknown_reasons(report)) or None,
        caption_justify="left",
    )
    # one column per metric, in METRICS order as the rows below: short name over its unit
    metric_columns = [f"{d.short}\n{d.headline_unit}" for d in metric_display().values()]
    table.add_column("Scope", no_wrap=True)  # organization, team or repository: kept whole
    for column in ("Name", *metric_columns, "Tier", "Score", "Warnings"):
        table.add_column(column, overflow="fold")
    for s in report.scopes:
        df, lt = s.deployment_frequency, s.lead_time_for_changes
        fd = s.failed_deployment_recovery_time
        table.add_row(
            s.scope,
            s.name + (" (INCOMPLETE)" if (s.scope, s.name) in incomplete else ""),
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
