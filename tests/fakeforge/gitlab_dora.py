"""GitLab's DORA metrics, computed from a scenario as GitLab documents them.

Sources: ``doc/api/dora/metrics.md`` and ``doc/user/analytics/dora_metrics.md``
(gitlab-org/gitlab). Only environments whose tier is in ``environment_tiers``
(default ``production``) count, and days are UTC dates:

* ``deployment_frequency``: successful deployments, by the day they finished. The API
  value is the count in the bucket; GitLab's UI shows it as a mean per day.
* ``lead_time_for_changes``: seconds from a merge request's ``merged_at`` to the
  finish of the successful deployment that shipped it, ``GREATEST(0, …)``; median.
* ``time_to_restore_service``: seconds an incident was open (created → closed),
  bucketed by the day it closed; median.
* ``change_failure_rate``: incidents created in the bucket ÷ successful deployments
  finished in it (there is no incident→deployment link); null with no deployments.

Medians are taken over all items of a bucket, as the docs describe; GitLab's
implementation stores daily medians and takes their median, which is the same value
whenever each day has at most one item.
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


def _value(metric: str, ev: dict[str, list[Event]], first: date, last: date) -> float | None:
    deploys = len(_in(ev["deploy"], first, last))
    if metric == "deployment_frequency":
        return deploys
    if metric == "change_failure_rate":
        return len(_in(ev["incident"], first, last)) / deploys if deploys else None
    values = _in(ev["lead" if metric == "lead_time_for_changes" else "restore"], first, last)
    return float(median(values)) if values else None


def dora_metrics(
    repos: list[Repo], metric: str, start: date, end: date, interval: str, tiers: list[str]
) -> list[dict[str, Any]]:
    """The API body: ``[{"date": "YYYY-MM-DD", "value": …}, …]``."""
    ev = _events(repos, tiers)
    return [
        {"date": first.isoformat(), "value": _value(metric, ev, first, last)}
        for first, last in _buckets(start, end, interval)
    ]
