"""Aggregate arrays → result objects with tiers, scores, reasons and warnings."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from ..config import MetricsOptions
from ..period import Period
from .deployments import bucket_label
from .failures import RULES
from .frames import Frames
from .model import (
    Caveat,
    ChangeFailureRate,
    DeploymentFrequency,
    IncidentMTTR,
    LeadTime,
    RecoveryTime,
    ReworkRate,
    ScopeMetrics,
    TrendPoint,
)
from .scopes import ScopeIndex
from .tiers import Benchmark, frequency_bucket, overall_score, overall_tier, score

Agg = dict[str, list]  # type: ignore[type-arg]


@dataclass(frozen=True)
class Context:
    frames: Frames
    index: ScopeIndex
    options: MetricsOptions
    bench: Benchmark
    period: Period
    no_paths: np.ndarray


def _f(value: float) -> float | None:
    return None if math.isnan(value) else value


def _lists(agg: dict[str, np.ndarray]) -> Agg:
    """Plain lists: indexing them per scope is far cheaper than numpy scalars."""
    return {k: v.tolist() for k, v in agg.items()}


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def scope_results(ctx: Context, arrays: dict[str, np.ndarray]) -> list[ScopeMetrics]:
    """One ScopeMetrics per scope id, in index order."""
    idle = _idle_repositories(ctx, arrays)
    agg = _lists(arrays)
    return [_scope(ctx, agg, sid, idle.get(sid, [])) for sid in range(ctx.index.n)]


def _idle_repositories(ctx: Context, agg: dict[str, np.ndarray]) -> dict[int, list[str]]:
    """Per organization/team scope: its repositories with no deployment in the period."""
    index = ctx.index
    codes = np.flatnonzero(index.repo_sid >= 0)
    idle = codes[agg["deployments"][index.repo_sid[codes]] == 0]
    names = ctx.frames.repo_names
    out: dict[int, list[str]] = {0: [names[c] for c in idle]}
    idle_set = set(idle.tolist())
    for code, team in index.team_of.tolist():
        if code in idle_set:
            out.setdefault(team, []).append(names[code])
    for team, repos in index.mono.items():
        out.setdefault(team, []).extend(names[c] for c in repos if c in idle_set)
    return out


def _scope(ctx: Context, agg: Agg, sid: int, idle: list[str]) -> ScopeMetrics:
    bench, opts = ctx.bench, ctx.options
    deps = int(agg["deployments"][sid])
    per_week = deps * 7 / ctx.period.days
    known = deps > 0
    df = DeploymentFrequency(
        deployments=deps,
        per_week=per_week,
        per_day=deps / ctx.period.days,
        deployment_days=int(agg["deployment_days"][sid]),
        days=ctx.period.days,
        bucket=frequency_bucket(per_week),
        tier=bench.tier("deployment_frequency", per_week) if known else None,
        score=score("deployment_frequency", per_week) if known else None,
        reason=None if known else "no successful production deployment in the period",
    )
    n_lt = int(agg["lt_n"][sid])
    median = _f(agg["lt_median"][sid])
    lt = LeadTime(
        median_hours=median,
        p75_hours=_f(agg["lt_p75"][sid]),
        p90_hours=_f(agg["lt_p90"][sid]),
        n=n_lt,
        start=opts.lead_time_start,
        tier=bench.tier("lead_time_for_changes", median),
        score=score("lead_time_for_changes", median),
        reason=None if n_lt else "no deployed change with a known start time in the period",
    )
    failed = int(agg["failed"][sid])
    cfr_value = _rate(failed, deps)
    cfr = ChangeFailureRate(
        value=cfr_value,
        failed=failed,
        deployments=deps,
        by_rule={name: int(agg[f"rule_{name}"][sid]) for name in RULES},
        tier=bench.tier("change_failure_rate", cfr_value),
        score=score("change_failure_rate", cfr_value),
        reason=None if deps else "no successful production deployment in the period",
    )
    fdrt = _recovery(ctx, agg, sid, failed)
    rework_value = _rate(int(agg["rework"][sid]), deps)
    rework = ReworkRate(
        value=rework_value,
        rework=int(agg["rework"][sid]),
        deployments=deps,
        score=score("rework_rate", rework_value),
        reason=None if deps else "no successful production deployment in the period",
    )
    n_inc = int(agg["mttr_n"][sid])
    mttr = IncidentMTTR(
        median_hours=_f(agg["mttr_median"][sid]),
        p90_hours=_f(agg["mttr_p90"][sid]),
        n=n_inc,
        open=int(agg["open_incidents"][sid]),
        reason=None if n_inc else "no resolved incident opened in the period",
    )
    tiers = {"deployment_frequency": df.tier, "lead_time_for_changes": lt.tier}
    tiers |= {"change_failure_rate": cfr.tier, "failed_deployment_recovery_time": fdrt.tier}
    return ScopeMetrics(
        scope=ctx.index.kinds[sid],
        name=ctx.index.names[sid],
        deployment_frequency=df,
        lead_time_for_changes=lt,
        change_failure_rate=cfr,
        failed_deployment_recovery_time=fdrt,
        rework_rate=rework,
        incident_mttr=mttr,
        overall_tier=overall_tier(bench, tiers),
        score=overall_score([df.score, lt.score, cfr.score, fdrt.score, rework.score]),
        warnings=tuple(_warnings(ctx, agg, sid, idle) + _placements(bench, df, lt, cfr, fdrt)),
    )


def _placements(
    bench: Benchmark,
    df: DeploymentFrequency,
    lt: LeadTime,
    cfr: ChangeFailureRate,
    fdrt: RecoveryTime,
) -> list[Caveat]:
    """A tier whose cluster answered otherwise than the value, explained in words."""
    values = {
        "deployment_frequency": df.per_week if df.tier else None,
        "lead_time_for_changes": lt.median_hours,
        "change_failure_rate": cfr.value,
        "failed_deployment_recovery_time": fdrt.median_hours,
    }
    out = []
    for metric, value in values.items():
        note = bench.placement_note(metric, value)
        if note:
            out.append(Caveat("tier_outside_cluster", note, metric))
    return out


def _recovery(ctx: Context, agg: Agg, sid: int, failed: int) -> RecoveryTime:
    n = int(agg["fdrt_n"][sid])
    median = _f(agg["fdrt_median"][sid])
    reason = None
    if not failed:
        reason = "no failed deployment in the period"
    elif not n:
        reason = "no failed deployment of the period has recovered yet"
    return RecoveryTime(
        median_hours=median,
        p90_hours=_f(agg["fdrt_p90"][sid]),
        n=n,
        unrecovered=int(agg["unrecovered"][sid]),
        tier=ctx.bench.tier("failed_deployment_recovery_time", median),
        score=score("failed_deployment_recovery_time", median),
        reason=reason,
    )


_COUNTED = (
    (
        "deployments_without_changes",
        "no_changes",
        "deployment_frequency",
        "{n} deployment(s) shipped no linked commits and add nothing to lead time",
    ),
    (
        "missing_change_records",
        "missing_change_records",
        "lead_time_for_changes",
        "{n} shipped commit(s) have no change record, so no start time",
    ),
    (
        "bots_excluded",
        "bots_excluded",
        "lead_time_for_changes",
        "{n} change(s) by bots excluded from lead time",
    ),
    (
        "first_deployment_lookback",
        "lookback",
        "lead_time_for_changes",
        "{n} change(s) of a repository's first deployment started more than {lookback} days "
        "before it and are left out of lead time",
    ),
    (
        "clock_skew",
        "clock_skew",
        "lead_time_for_changes",
        "{n} change(s) started after their deployment finished (clock skew); clamped to 0 hours",
    ),
    (
        "pull_request_fallback",
        "pull_request_fallback",
        "lead_time_for_changes",
        "{n} commit(s) without a pull request timed from their own commit time",
    ),
    (
        "unrecovered_failures",
        "unrecovered",
        "failed_deployment_recovery_time",
        "{n} failed deployment(s) not yet recovered, left out of recovery time",
    ),
    (
        "unlinked_incidents",
        "unlinked_incidents",
        "change_failure_rate",
        "{n} incident(s) linked to no deployment: none finished before them in their repository",
    ),
    (
        "incidents_without_severity",
        "incidents_without_severity",
        "change_failure_rate",
        "{n} incident(s) without a severity left out by the severity filter",
    ),
    (
        "open_incidents",
        "open_incidents",
        "incident_mttr",
        "{n} incident(s) still open, left out of incident MTTR",
    ),
)


def _warnings(ctx: Context, agg: Agg, sid: int, idle: list[str]) -> list[Caveat]:
    out: list[Caveat] = []
    opts = ctx.options
    deps = int(agg["deployments"][sid])
    if not deps:
        out.append(
            Caveat(
                "no_deployments",
                "no successful production deployment in the period",
                "deployment_frequency",
                0,
            )
        )
    if idle and ctx.index.kinds[sid] != "repository":
        shown = ", ".join(idle[:5]) + (", …" if len(idle) > 5 else "")
        out.append(
            Caveat(
                "repositories_without_deployments",
                f"{len(idle)} repositories without a production deployment: {shown}",
                "deployment_frequency",
                len(idle),
            )
        )
    for metric, key in (
        ("deployment_frequency", "deployments"),
        ("lead_time_for_changes", "lt_n"),
        ("failed_deployment_recovery_time", "fdrt_n"),
    ):
        n = int(agg[key][sid])
        if 0 < n < opts.min_sample:
            out.append(
                Caveat("small_sample", f"only {n} sample(s), below {opts.min_sample}", metric, n)
            )
    for code, key, metric, text in _COUNTED:
        n = int(agg[key][sid])
        if n:
            message = text.format(n=n, lookback=opts.first_deployment_lookback_days)
            out.append(Caveat(code, message, metric, n))
    if sid in ctx.index.mono:
        n = int(
            np.isin(
                ctx.frames.changes["repo"].to_numpy()[ctx.no_paths], list(ctx.index.mono[sid])
            ).sum()
        )
        if n:
            out.append(
                Caveat(
                    "monorepo_changes_without_paths",
                    f"{n} monorepo change(s) have no file paths; no team can claim them",
                    "lead_time_for_changes",
                    n,
                )
            )
    return out


def trend_points(
    ctx: Context, arrays: dict[str, np.ndarray], buckets: list[tuple[date, date]], kind: str
) -> list[TrendPoint]:
    """Organization and team figures per bucket, buckets clipped to the period."""
    agg = _lists(arrays)
    nb = len(buckets)
    out = []
    for sid in range(1 + ctx.index.n_teams):
        for b, (lo, hi) in enumerate(buckets):
            g = sid * nb + b
            days = (hi - lo).days + 1
            deps, failed = int(agg["deployments"][g]), int(agg["failed"][g])
            out.append(
                TrendPoint(
                    scope=ctx.index.kinds[sid],
                    name=ctx.index.names[sid],
                    bucket=bucket_label(lo, kind),
                    start=lo,
                    end=hi,
                    days=days,
                    deployments=deps,
                    per_week=deps * 7 / days,
                    deployment_days=int(agg["deployment_days"][g]),
                    lead_time_median_hours=_f(agg["lt_median"][g]),
                    lead_time_n=int(agg["lt_n"][g]),
                    change_failure_rate=_rate(failed, deps),
                    failed=failed,
                    recovery_median_hours=_f(agg["fdrt_median"][g]),
                    recovery_n=int(agg["fdrt_n"][g]),
                    rework_rate=_rate(int(agg["rework"][g]), deps),
                )
            )
    return out
