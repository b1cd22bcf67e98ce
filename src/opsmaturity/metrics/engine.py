"""The orchestration: records → frames → history → failures, recovery, lead times →
per-scope and per-bucket aggregates → result objects. Pure: time comes from the period.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import numpy as np

from ..config import MetricsOptions, Team
from ..period import Period
from ..records import Change, Deployment, Incident, Repository
from .aggregate import Groups, Rows, aggregate
from .deployments import History, bucket_starts, history, local_days, period_buckets
from .failures import Failures, find_failures, rule_names
from .frames import Frames, build_frames
from .incidents import identity_codes, once_per_scope
from .invariants import check_aggregates, check_trend
from .leadtime import LeadTimes, lead_times
from .model import FailedDeployment, MetricsReport, TrendPoint
from .recovery import Recovery, incident_mttr, recovery
from .results import Context, scope_results, trend_points
from .scopes import ScopeIndex, members, path_claims, scope_index
from .tiers import benchmark_table

Bucket = Literal["week", "month", "quarter"]


def compute_metrics(
    *,
    repositories: Sequence[Repository],
    deployments: Sequence[Deployment],
    changes: Sequence[Change],
    incidents: Sequence[Incident],
    teams: Mapping[str, Team],
    period: Period,
    options: MetricsOptions,
    trend_bucket: Bucket = "month",
    organization: str = "organization",
) -> MetricsReport:
    """All five DORA metrics for the organization, each team and each repository;
    ``organization`` names the organization scope in the results."""
    frames = build_frames(
        repositories=repositories,
        deployments=deployments,
        changes=changes,
        incidents=incidents,
        options=options,
        need_paths=any(t.paths for t in teams.values()),
    )
    return compute_from_frames(
        frames,
        teams=teams,
        period=period,
        options=options,
        trend_bucket=trend_bucket,
        organization=organization,
    )


def compute_from_frames(
    f: Frames,
    *,
    teams: Mapping[str, Team],
    period: Period,
    options: MetricsOptions,
    trend_bucket: Bucket = "month",
    organization: str = "organization",
) -> MetricsReport:
    """The engine proper, from already-encoded records (see ``frames.build_frames``)."""
    st = engine_state(f, teams=teams, period=period, options=options, organization=organization)
    tz = options.timezone
    finish = f.deps["finish"].to_numpy()
    p, lt, inc, index, fail, rec = st.p, st.lt, st.inc, st.index, st.fail, st.rec
    days = local_days(finish[p], tz)
    day = (days - np.datetime64(period.start.isoformat(), "D")).astype(np.int64)
    rows = Rows(
        day=day,
        n_days=period.days,
        rules=fail.rules[p],
        recovery=rec.hours[p],
        unrecovered=rec.unrecovered[p],
        rework=rec.rework[p],
        no_changes=f.deps["n_changes"].to_numpy()[p] == 0,
        lt_hours=lt.hours,
        lt_skew=lt.skew,
        lt_fallback=lt.fallback,
        out_reason=lt.out_reason,
        inc_hours=inc["hours"],
        inc_unlinked=inc["unlinked"],
        inc_no_severity=inc["no_severity"],
    )
    groups = _groups(f, index, p, lt, inc, st.dep_claims)
    bench = benchmark_table(options.benchmark)
    ctx = Context(f, index, options, bench, period, st.no_paths)
    arrays = aggregate(rows, groups, index.n)
    check_aggregates(arrays, [f"{k} {n}" for k, n in zip(index.kinds, index.names, strict=True)])
    scopes = scope_results(ctx, arrays)
    trend = _trend(ctx, rows, groups, p, days, lt, inc, trend_bucket, arrays)
    return MetricsReport(
        start=period.start,
        end=period.end,
        benchmark=bench.id,
        timezone=tz,
        lead_time_start=options.lead_time_start,
        scopes=tuple(scopes),
        trend_bucket=trend_bucket,
        trend=tuple(trend),
        failed_deployments=_failed(f, fail.rules, rec.hours, st.in_period),
    )


@dataclass(frozen=True)
class EngineState:
    """What the engine derives before aggregating; the rows behind the figures read it too."""

    history: History
    fail: Failures
    rec: Recovery
    index: ScopeIndex
    chg_claims: dict[int, np.ndarray]  # monorepo team sid → claimed per change row
    dep_claims: dict[int, np.ndarray]  # monorepo team sid → claimed per deployment row
    no_paths: np.ndarray
    lt: LeadTimes
    in_period: np.ndarray  # per deployment row
    p: np.ndarray  # rows of the period's deployments
    inc: dict[str, np.ndarray]  # the period's incidents (see _incident_rows)


def engine_state(
    f: Frames,
    *,
    teams: Mapping[str, Team],
    period: Period,
    options: MetricsOptions,
    organization: str = "organization",
) -> EngineState:
    """History, failures, recovery, scopes and lead times of the period."""
    tz = options.timezone
    start, end = period.start_at(tz).timestamp(), period.end_at(tz).timestamp()
    finish = f.deps["finish"].to_numpy()
    in_period = (finish >= start) & (finish < end)
    h = history(f)
    fail = find_failures(f, h, options, teams)
    index = scope_index(f.repo_names, teams, _repo_scopes(f), organization)
    chg_claims, no_paths = path_claims(index, f.changes["repo"].to_numpy(), f.paths)
    return EngineState(
        history=h,
        fail=fail,
        rec=recovery(f, h, fail),
        index=index,
        chg_claims=chg_claims,
        dep_claims=_dep_claims(f, h, chg_claims),
        no_paths=no_paths,
        lt=lead_times(f, h, options, in_period, chg_claims),
        in_period=in_period,
        p=np.flatnonzero(in_period),
        inc=_incident_rows(f, fail, start, end),
    )


def _groups(
    f: Frames,
    index: ScopeIndex,
    p: np.ndarray,
    lt: LeadTimes,
    inc: dict[str, np.ndarray],
    dep_claims: dict[int, np.ndarray],
) -> Groups:
    """Scope memberships of the period's deployments, lead-time values and incidents."""
    repo = f.deps["repo"].to_numpy()
    linked = inc["dep"]
    return Groups(
        dep=members(index, repo[p], {s: c[p] for s, c in dep_claims.items()}),
        lt=members(index, repo[lt.dep], lt.claims),
        out=members(index, repo[lt.out_dep], lt.out_claims),
        inc=once_per_scope(  # a tool incident placed on several repositories counts once
            members(
                index,
                inc["repo"],
                {s: np.append(c, False)[linked] for s, c in dep_claims.items()},  # -1: unlinked
            ),
            inc["ident"],
            prefer=linked >= 0,
        ),
    )


def _trend(
    ctx: Context,
    rows: Rows,
    groups: Groups,
    p: np.ndarray,
    days: np.ndarray,
    lt: LeadTimes,
    inc: dict[str, np.ndarray],
    kind: Bucket,
    scope_arrays: dict[str, np.ndarray],
) -> list[TrendPoint]:
    """Organization and team figures per week, month or quarter of the period."""
    period, index = ctx.period, ctx.index
    day0 = np.datetime64(period.start.isoformat(), "D")
    natural = np.unique(bucket_starts(np.arange(day0, day0 + period.days), kind))
    dep_bucket = np.searchsorted(natural, bucket_starts(days, kind))
    remap = np.full(len(ctx.frames.deps), -1)
    remap[p] = np.arange(len(p))
    inc_days = local_days(inc["created"], ctx.options.timezone)
    buckets = period_buckets(period, kind)
    nb = len(buckets)
    trend_groups = Groups(
        dep=_by_bucket(groups.dep, dep_bucket, index, nb),
        lt=_by_bucket(groups.lt, dep_bucket[remap[lt.dep]], index, nb),
        out=_by_bucket(groups.out, dep_bucket[remap[lt.out_dep]], index, nb),
        inc=_by_bucket(
            groups.inc, np.searchsorted(natural, bucket_starts(inc_days, kind)), index, nb
        ),
    )
    arrays = aggregate(rows, trend_groups, (1 + index.n_teams) * nb)
    labels = [f"{index.names[s]} {b[0]}" for s in range(1 + index.n_teams) for b in buckets]
    check_aggregates(arrays, labels)
    check_trend(scope_arrays, arrays, 1 + index.n_teams)
    return trend_points(ctx, arrays, buckets, kind)


def _repo_scopes(f: Frames) -> np.ndarray:
    """Repositories that get a scope: listed, deployed or with changes (not incident-only)."""
    mask = f.listed.copy()
    mask[f.deps["repo"].to_numpy()] = True
    mask[f.changes["repo"].to_numpy()] = True
    return mask


def _dep_claims(f: Frames, h: History, chg_claims: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    """A monorepo team claims a deployment that first shipped at least one of its changes."""
    out = {}
    first, chg = h.first, h.chg
    dep = f.ships["dep"].to_numpy()[first & (chg >= 0)]
    for sid, claim in chg_claims.items():
        hits = claim[chg[first & (chg >= 0)]]
        out[sid] = np.bincount(dep[hits], minlength=len(f.deps)) > 0
    return out


def _incident_rows(f: Frames, fail: Failures, start: float, end: float) -> dict[str, np.ndarray]:
    """Incidents opened in the period that count, or that the severity filter could not judge."""
    inside, hours = incident_mttr(f, fail, start, end)
    no_sev = fail.no_severity
    created = f.incidents["created"].to_numpy()
    take = np.flatnonzero(inside | (no_sev & (created >= start) & (created < end)))
    inc_dep = fail.inc_dep[take]
    return {
        "repo": f.incidents["repo"].to_numpy()[take],
        "created": created[take],
        "hours": hours[take],
        "dep": inc_dep,
        "unlinked": (inc_dep < 0) & ~no_sev[take],
        "no_severity": no_sev[take],
        "ident": identity_codes(
            f.incidents["id"].to_numpy()[take], created[take], f.incidents["repo"].to_numpy()[take]
        ),
    }


def _by_bucket(
    pairs: tuple[np.ndarray, np.ndarray], bucket: np.ndarray, index: ScopeIndex, nb: int
) -> tuple[np.ndarray, np.ndarray]:
    """Organization and team memberships split by bucket: group = scope × nb + bucket."""
    sid, rows = pairs
    keep = sid <= index.n_teams
    return sid[keep] * nb + bucket[rows[keep]], rows[keep]


def _failed(
    f: Frames, rules: np.ndarray, hours: np.ndarray, in_period: np.ndarray
) -> tuple[FailedDeployment, ...]:
    rows = np.flatnonzero(in_period & (rules != 0))
    repo = f.deps["repo"].to_numpy()[rows].tolist()
    ids = f.deps["id"].to_numpy()[rows].tolist()
    finish = f.deps["finish"].to_numpy()[rows].tolist()
    recovered = hours[rows].tolist()
    names = {bits: rule_names(bits) for bits in range(16)}
    return tuple(
        FailedDeployment(
            repository=f.repo_names[repo[j]],
            id=str(ids[j]),
            finished_at=datetime.fromtimestamp(finish[j], UTC).isoformat(),
            rules=names[int(bits)],
            recovery_hours=None if math.isnan(recovered[j]) else recovered[j],
        )
        for j, bits in enumerate(rules[rows].tolist())
    )
