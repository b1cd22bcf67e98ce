"""The engine on the demo organization, cross-checked against a naive reference computation.

The reference below is deliberately plain Python over the records (no pandas, no shared
code with the engine), so the two can only agree if both follow the documented rules.
"""

from __future__ import annotations

import statistics
from datetime import timedelta

import numpy as np
import pytest

from opsmaturity.config import MetricsOptions
from opsmaturity.demo import source as demo
from opsmaturity.metrics import compute_metrics
from opsmaturity.period import Period
from opsmaturity.records import DeploymentStatus


@pytest.fixture(scope="module")
def data():
    return demo.generate(42)


@pytest.fixture(scope="module")
def report(data):
    config = demo.demo_config()
    return compute_metrics(
        repositories=data.repositories,
        deployments=data.deployments,
        changes=data.changes,
        incidents=data.incidents,
        teams=config.teams,
        period=config.reporting_period,
        options=MetricsOptions(),
    )


def _production(data, options):
    envs = {e.lower() for e in options.environments}
    return sorted(
        (
            d
            for d in data.deployments
            if d.status is DeploymentStatus.SUCCESS
            and d.finished_at is not None
            and d.is_production
            and d.environment.lower() in envs
        ),
        key=lambda d: (d.repository, d.finished_at, d.id),
    )


def test_deployment_frequency_matches_a_plain_count(data, report) -> None:
    period: Period = demo.demo_config().reporting_period
    start, end = period.start_at(), period.end_at()
    inside = [d for d in _production(data, MetricsOptions()) if start <= d.finished_at < end]
    df = report.scope("organization").deployment_frequency
    assert df.deployments == len(inside) > 0
    assert df.deployment_days == len({d.finished_at.date() for d in inside})
    for repo in {d.repository for d in inside}:
        mine = [d for d in inside if d.repository == repo]
        assert report.scope("repository", repo).deployment_frequency.deployments == len(mine)


def test_lead_time_matches_a_plain_reference(data, report) -> None:
    options = MetricsOptions()
    period: Period = demo.demo_config().reporting_period
    start, end = period.start_at(), period.end_at()
    changes = {(c.repository, c.sha): c for c in data.changes}
    shipped: set[tuple[str, str]] = set()
    first_of_repo: set[str] = set()
    hours = []
    for d in _production(data, options):
        is_first = d.repository not in first_of_repo
        first_of_repo.add(d.repository)
        for sha in d.change_shas:
            key = (d.repository, sha)
            if key in shipped:
                continue
            shipped.add(key)
            c = changes.get(key)
            if c is None or c.is_bot or not start <= d.finished_at < end:
                continue
            lead = d.finished_at - c.authored_at
            if is_first and lead > timedelta(days=options.first_deployment_lookback_days):
                continue
            hours.append(max(lead.total_seconds() / 3600, 0.0))
    lt = report.scope("organization").lead_time_for_changes
    assert lt.n == len(hours) > 0
    assert lt.median_hours == pytest.approx(statistics.median(hours))
    assert lt.p90_hours == pytest.approx(float(np.percentile(hours, 90)))


def test_demo_teams_differ_and_every_result_is_qualified(report) -> None:
    teams = [s for s in report.scopes if s.scope == "team"]
    assert len(teams) >= 4
    assert len({s.lead_time_for_changes.median_hours for s in teams}) == len(teams)
    for s in report.scopes:
        cfr = s.change_failure_rate
        if cfr.deployments:
            assert cfr.value == pytest.approx(cfr.failed / cfr.deployments)
            assert sum(cfr.by_rule.values()) >= cfr.failed
        else:
            assert cfr.value is None and cfr.reason
    org = report.scope("organization")
    assert org.change_failure_rate.failed > 0
    assert org.failed_deployment_recovery_time.n > 0
    assert org.overall_tier is not None
