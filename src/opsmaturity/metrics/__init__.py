"""DORA metrics engine: five metrics per organization, team, repository and time bucket.

Computed from canonical records only (``opsmaturity.records``); every number carries its
unit, sample size, tier, 0–10 score and the warnings that qualify it. Definitions and
DORA tier tables are data (``data/metrics.yaml``, ``data/benchmarks/``). Large inputs
skip record objects: ``metrics_from_store`` reads the store's columns directly.
"""

from .columnar import frames_from_store, metrics_from_store
from .columns import Columns, columns_from_records
from .engine import compute_from_frames, compute_metrics
from .frames import Frames, build_frames, frames_from_columns
from .model import (
    Caveat,
    ChangeFailureRate,
    DeploymentFrequency,
    FailedDeployment,
    IncidentMTTR,
    LeadTime,
    MetricsReport,
    RecoveryTime,
    ReworkRate,
    ScopeMetrics,
    TrendPoint,
)
from .render import render_table, to_csv
from .tiers import (
    Benchmark,
    MetricDefinition,
    benchmark_table,
    metric_definitions,
    metrics_notes,
    score,
)

__all__ = [
    "Benchmark",
    "Caveat",
    "ChangeFailureRate",
    "Columns",
    "DeploymentFrequency",
    "FailedDeployment",
    "Frames",
    "IncidentMTTR",
    "LeadTime",
    "MetricDefinition",
    "MetricsReport",
    "RecoveryTime",
    "ReworkRate",
    "ScopeMetrics",
    "TrendPoint",
    "benchmark_table",
    "build_frames",
    "columns_from_records",
    "compute_from_frames",
    "compute_metrics",
    "frames_from_columns",
    "frames_from_store",
    "metric_definitions",
    "metrics_from_store",
    "metrics_notes",
    "render_table",
    "score",
    "to_csv",
]
