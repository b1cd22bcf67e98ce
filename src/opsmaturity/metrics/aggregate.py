"""Per-group totals and percentiles of every metric, for scopes and trend buckets alike.

The caller maps each row of each table to groups (a scope, or a scope × bucket); this
module only counts and takes percentiles, so the same code serves the headline figures
and the trend, and organization and team figures pool rows instead of averaging.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .failures import RULES
from .leadtime import EXCLUDED
from .stats import count, distinct, grouped_quantiles


@dataclass(frozen=True)
class Rows:
    """Per-row values of the period's deployments, lead-time values and incidents."""

    day: np.ndarray  # per deployment: local day index within the period
    n_days: int
    rules: np.ndarray
    recovery: np.ndarray  # hours, NaN when not failed or not recovered
    unrecovered: np.ndarray
    rework: np.ndarray
    no_changes: np.ndarray
    lt_hours: np.ndarray  # ascending
    lt_skew: np.ndarray
    lt_fallback: np.ndarray
    out_reason: np.ndarray
    inc_hours: np.ndarray  # NaN while open
    inc_unlinked: np.ndarray
    inc_no_severity: np.ndarray


@dataclass(frozen=True)
class Groups:
    """(group, row) membership pairs for each table."""

    dep: tuple[np.ndarray, np.ndarray]
    lt: tuple[np.ndarray, np.ndarray]
    out: tuple[np.ndarray, np.ndarray]
    inc: tuple[np.ndarray, np.ndarray]


def _quantiles_unsorted(
    g: np.ndarray, values: np.ndarray, n: int, qs: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(values, kind="stable")
    return grouped_quantiles(g[order], values[order], n, qs)


def aggregate(rows: Rows, groups: Groups, n: int) -> dict[str, np.ndarray]:
    """Every count and percentile the results need, as arrays indexed by group."""
    out: dict[str, np.ndarray] = {}
    g, r = groups.dep
    out["deployments"] = count(g, n)
    out["deployment_days"] = distinct(g, rows.day[r], n, rows.n_days)
    out["failed"] = count(g, n, rows.rules[r] != 0)
    for name, bit in RULES.items():
        out[f"rule_{name}"] = count(g, n, (rows.rules[r] & bit) != 0)
    out["unrecovered"] = count(g, n, rows.unrecovered[r])
    out["rework"] = count(g, n, rows.rework[r])
    out["no_changes"] = count(g, n, rows.no_changes[r])
    ok = ~np.isnan(rows.recovery[r])
    out["fdrt_n"], fq = _quantiles_unsorted(g[ok], rows.recovery[r][ok], n, (0.5, 0.9))
    out["fdrt_median"], out["fdrt_p90"] = fq[:, 0], fq[:, 1]
    g, r = groups.lt
    out["lt_n"], lq = grouped_quantiles(g, rows.lt_hours[r], n)
    out["lt_median"], out["lt_p75"], out["lt_p90"] = lq[:, 0], lq[:, 1], lq[:, 2]
    out["clock_skew"] = count(g, n, rows.lt_skew[r])
    out["pull_request_fallback"] = count(g, n, rows.lt_fallback[r])
    g, r = groups.out
    for code, name in EXCLUDED.items():
        out[name] = count(g, n, rows.out_reason[r] == code)
    g, r = groups.inc
    counted = ~rows.inc_no_severity[r]
    done = ~np.isnan(rows.inc_hours[r]) & counted
    out["mttr_n"], mq = _quantiles_unsorted(g[done], rows.inc_hours[r][done], n, (0.5, 0.9))
    out["mttr_median"], out["mttr_p90"] = mq[:, 0], mq[:, 1]
    out["open_incidents"] = count(g, n, ~done & counted)
    out["unlinked_incidents"] = count(g, n, rows.inc_unlinked[r])
    out["incidents_without_severity"] = count(g, n, rows.inc_no_severity[r])
    return out
