"""DORA's shared vocabulary: the five metric ids and the tier names, in report order.

One definition for the metrics engine's consumers — assessment, recommendation, report —
so a renamed or added metric cannot drift between them.
"""

from __future__ import annotations

METRICS = (
    "deployment_frequency",
    "lead_time_for_changes",
    "change_failure_rate",
    "failed_deployment_recovery_time",
    "rework_rate",
)
"""The five DORA metrics, in the order the report shows them."""

HEADLINE_FIELD = {
    "deployment_frequency": "per_week",
    "lead_time_for_changes": "median_hours",
    "change_failure_rate": "value",
    "failed_deployment_recovery_time": "median_hours",
    "rework_rate": "value",
}
"""The one figure of each metric that summaries show, deltas and self-reports compare."""

TIERS = ("elite", "high", "medium", "low")
"""Benchmark tiers, best first."""
