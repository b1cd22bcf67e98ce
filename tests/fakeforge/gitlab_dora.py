"""GitLab's DORA metrics, computed from a scenario the way GitLab computes them.

Sources: ``doc/api/dora/metrics.md``, ``doc/user/analytics/dora_metrics.md`` and the
``Dora::*Metric`` classes of gitlab-org/gitlab (``ee/app/models/dora/``). GitLab first
stores one row of daily values per production-tier environment (UTC days), then
aggregates those rows over the requested bucket:

* ``deployment_frequency``: successful deployments finished that day; bucket = SUM.
  (The API gives a count; GitLab's UI divides it by days, a mean per day.)
* ``lead_time_for_changes``: per day, the median of ``GREATEST(0, finished − merged_at)``
  seconds over the MRs that day's successful deployments shipped; bucket = median of
  the daily medians.
* ``time_to_restore_service``: per day, the median seconds incidents closed that day
  were open; bucket = median of the daily medians.
* ``change_failure_rate``: incidents created that day and deployments; bucket =
  ``SUM(incidents) / GREATEST(SUM(deployments), 1)`` — no incident→deployment link.

A day without any event has no row, so a bucket without rows is ``null`` (deployment
frequency says ``0``, as in GitLab's documented example).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

from .gitlab_render_ci import DEPLOYMENT_STATUS, deployment_finished
from .scenario import Deployment, Pull, Repo

METRICS = (
    "deployment_frequency",
    "lead_time_for_changes",
    "time_to_restore_service",
    "change_failure_rate",
)
INTERVALS = ("all", "monthly", "daily")


def is_tier(repo: Repo, d: Deployment, tiers: Iterable[str]) -> bool:
    if d.production is not None:
        return ("production" in tiers) == d.production
    env = repo.environment(d.environment)
    return (env.tier if env else "other") in tiers


def successes(repo: Repo, environment: str) -> list[Deployment]:
    """Successful deployments to ``environment``, in finishing order."""
    done = [
        d
        for d in repo.deployments
        if d.environment == environment and DEPLOYMENT_STATUS.get(d.final_state) == "success"
    ]
    return sorted(done, key=lambda d: (deployment_finished(d) or d.created_at, d.id))


def deployed_merge_requests(repo: Repo, d: Deployment) -> list[Pull]:
    """MRs a successful deployment shipped: merged into its SHA since the previous success
    to the same environment (GitLab links them when the deployment succeeds)."""
    if DEPLOYMENT_STATUS.get(d.final_state) != "success":
        return []
    ordered = successes(repo, d.environment)
    index = next(i for i, x in enumerate(ordered) if x.id == d.id)
    shipped = repo.ancestors(d.sha)  # memoised by the scenario: never mutate it
    if index > 0:
        shipped = shipped - repo.ancestors(ordered[index - 1].sha)
    return [p for p in repo.pulls if p.state == "merged" and p.landed and p.landed[-1] in shipped]


def _buckets(start: date, end: date, interval: str) -> list[tuple[date, date]]:
    """``(first day, last day)`` of each bucket covering ``[start, end]``."""
    if interval == "all":
        return [(start, end)]
    out: list[tuple[date, date]] = []
    day = start
    while day <= end:
        if interval == "daily":
            last = day
        else:
            nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1)
            last = min(end, nxt - timedelta(days=1))
        out.append((day, last))
        day = last + timedelta(days=1)
    return out


Event = tuple[date, float]


def _events(repos: list[Repo], tiers: list[str]) -> dict[str, list[Event]]:
    """Per metric, ``(day, value)`` events: one per deployment, MR, incident."""
    out: dict[str, list[Event]] = {"deploy": [], "lead": [], "restore": [], "incident": []}
    for repo in repos:
        for d in repo.deployments:
            finished = deployment_finished(d)
            if not finished or DEPLOYMENT_STATUS.get(d.final_state) != "success":
                continue
            if not is_tier(repo, d, tiers):
                continue
            day = _day(finished)
            out["deploy"].append((day, 1.0))
            for p in deployed_merge_requests(repo, d):
                assert p.merged_at is not None
                out["lead"].append((day, max(0.0, (finished - p.merged_at).total_seconds())))
        for i in repo.issues:
            if i.issue_type != "incident":
                continue
            out["incident"].append((_day(i.created_at), 1.0))
            if i.closed_at is not None:
                seconds = (i.closed_at - i.created_at).total_seconds()
                out["restore"].append((_day(i.closed_at), seconds))
    return out


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _in(events: list[Event], first: date, last: date) -> list[float]:
    return [v for d, v in events if first <= d <= last]


def _daily_medians(events: list[Event], first: date, last: date) -> list[float]:
    days: dict[date, list[float]] = {}
    for day, value in events:
        if first <= day <= last:
            days.setdefault(day, []).append(value)
    return [float(median(values)) for values in days.values()]


def _value(metric: str, ev: dict[str, list[Event]], first: date, last: date) -> float | None:
    deploys = len(_in(ev["deploy"], first, last))
    if metric == "deployment_frequency":
        return deploys
    if metric == "change_failure_rate":
        incidents = len(_in(ev["incident"], first, last))
        rows = deploys or incidents or _in(ev["restore"], first, last)
        return incidents / max(deploys, 1) if rows else None
    daily = _daily_medians(
        ev["lead" if metric == "lead_time_for_changes" else "restore"], first, last
    )
    return float(median(daily)) if daily else None


def dora_metrics(
    repos: list[Repo], metric: str, start: date, end: date, interval: str, tiers: list[str]
) -> list[dict[str, Any]]:
    """The API body: ``[{"date": "YYYY-MM-DD", "value": …}, …]``."""
    ev = _events(repos, tiers)
    return [
        {"date": first.isoformat(), "value": _value(metric, ev, first, last)}
        for first, last in _buckets(start, end, interval)
    ]
