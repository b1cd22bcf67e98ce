"""DORA metrics engine: five metrics per organization, team, repository and time bucket.

Computed from canonical records only (``opsmaturity.records``); every number carries its
unit, sample size, tier, 0–10 score and the warnings that qualify it. Definitions and
DORA tier tables are data (``data/metrics.yaml``, ``data/benchmarks/``). Large inputs
skip record objects: ``metrics_from_store`` reads per-repository packs the store caches.
"""

from .engine import compute_from_frames, compute_metrics
from .frames import Frames, build_frames, frames_from_packs
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
from .packs import Pack, pack_records, pack_repository
from .render import render_table, to_csv
from .rows import MetricRows, metric_rows
from .stored import (
    frames_from_store,
    load_packs,
    metrics_from_store,
    refresh_packs,
    rows_from_store,
)
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
    "DeploymentFrequency",
    "FailedDeployment",
    "Frames",
    "IncidentMTTR",
    "LeadTime",
    "MetricDefinition",
    "MetricRows",
    "MetricsReport",
    "Pack",
    "RecoveryTime",
    "ReworkRate",
    "ScopeMetrics",
    "TrendPoint",
    "benchmark_table",
    "build_frames",
    "compute_from_frames",
    "compute_metrics",
    "frames_from_packs",
    "frames_from_store",
    "load_packs",
    "metric_definitions",
    "metric_rows",
    "metrics_from_store",
    "metrics_notes",
    "pack_records",
    "pack_repository",
    "refresh_packs",
    "render_table",
    "rows_from_store",
    "score",
    "to_csv",
]
