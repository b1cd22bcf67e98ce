"""Record builders shared by the metrics tests (imported as ``test_metrics_fixtures``).

The period is 2026Q3 (1 July – 30 September 2026, 92 days) unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from opsmaturity.config import MetricsOptions, Team
from opsmaturity.metrics import MetricsReport, ScopeMetrics, compute_metrics
from opsmaturity.period import Period
from opsmaturity.records import Change, Deployment, Incident, Repository

Q3 = Period.quarter("2026Q3")
REPO = "org/a"


def at(day: int, hour: float = 0, month: int = 7, year: int = 2026) -> datetime:
    """A UTC instant: ``at(2, 12)`` is 2 July 2026 12:00 UTC."""
    return datetime(year, month, day, tzinfo=UTC) + timedelta(hours=hour)


def dep(
    id: str,
    finished: datetime | None,
    shas: Sequence[str] = (),
    *,
    repo: str = REPO,
    head: str | None = None,
    env: str = "production",
    status: str = "success",
    is_production: bool = True,
) -> Deployment:
    """A deployment whose head is its last shipped commit unless ``head`` says otherwise."""
    return Deployment(
        id=id,
        repository=repo,
        environment=env,
        sha=head or (shas[-1] if shas else f"head-{id}"),
        created_at=finished or at(1),
        finished_at=finished,
        status=status,  # type: ignore[arg-type]
        detection="deployment",  # type: ignore[arg-type]
        change_shas=tuple(shas),
        is_production=is_production,
    )


def chg(sha: str, authored: datetime, *, repo: str = REPO, **kw: Any) -> Change:
    kw.setdefault("committed_at", authored)
    return Change(repository=repo, sha=sha, authored_at=authored, **kw)


def inc(
    id: str, created: datetime, resolved: datetime | None = None, *, repo: str = REPO, **kw: Any
) -> Incident:
    return Incident(
        id=id,
        repository=repo,
        title=f"incident {id}",
        created_at=created,
        resolved_at=resolved,
        **kw,
    )


def run(
    deployments: Sequence[Deployment] = (),
    changes: Sequence[Change] = (),
    incidents: Sequence[Incident] = (),
    *,
    repositories: Sequence[str] | None = None,
    teams: Mapping[str, Team] | None = None,
    period: Period = Q3,
    trend_bucket: str = "month",
    **options: Any,
) -> MetricsReport:
    names = (
        repositories if repositories is not None else sorted({d.repository for d in deployments})
    )
    return compute_metrics(
        repositories=[Repository(n) for n in names],
        deployments=deployments,
        changes=changes,
        incidents=incidents,
        teams=teams or {},
        period=period,
        options=MetricsOptions(**options),
        trend_bucket=trend_bucket,  # type: ignore[arg-type]
    )


def org(report: MetricsReport) -> ScopeMetrics:
    return report.scope("organization")


def codes(scope: ScopeMetrics) -> dict[str, int | None]:
    """Warning code → count (codes repeat only for small_sample, keyed by metric then)."""
    out: dict[str, int | None] = {}
    for w in scope.warnings:
        out[w.code if w.code != "small_sample" else f"small_sample:{w.metric}"] = w.count
    return out


def test_builders_make_valid_records() -> None:
    d = dep("1", at(2), ["c1", "c2"])
    assert d.sha == "c2" and d.finished_at == at(2)
    assert chg("c1", at(1)).committed_at == at(1)
    assert Q3.days == 92
