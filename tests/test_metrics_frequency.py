"""Deployment frequency: counting rule, per week/day, deployment days, bucket, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from opsmaturity.period import Period

from .test_metrics_fixtures import Q3, at, codes, dep, org, run


@pytest.mark.parametrize(
    ("deployments", "expected"),
    [
        # one a day for the whole quarter: 92 × 7 / 92
        ([dep(str(d), at(1) + (at(2) - at(1)) * d) for d in range(92)], (92, 7.0, 92, "on_demand")),
        # one deployment: 7 / 92 a week, once per ~13 weeks
        ([dep("1", at(15))], (1, 7 / 92, 1, "monthly_six_monthly")),
        # two on the same local day count one deployment day
        ([dep("1", at(15, 1)), dep("2", at(15, 23))], (2, 14 / 92, 1, "monthly_six_monthly")),
        # 14 in the quarter: 14 × 7 / 92 = 1.065 a week
        ([dep(str(d), at(1 + d)) for d in range(14)], (14, 98 / 92, 14, "daily_weekly")),
        # 3 in the quarter: 0.228 a week, just under once a month (0.22998)
        ([dep(str(d), at(1 + d)) for d in range(3)], (3, 21 / 92, 3, "monthly_six_monthly")),
        # 4 in the quarter: 0.304 a week
        ([dep(str(d), at(1 + d)) for d in range(4)], (4, 28 / 92, 4, "weekly_monthly")),
    ],
)
def test_counts_per_week_days_and_bucket(deployments, expected) -> None:
    df = org(run(deployments)).deployment_frequency
    n, per_week, days, bucket = expected
    assert (df.deployments, df.deployment_days, df.bucket) == (n, days, bucket)
    assert df.per_week == pytest.approx(per_week)
    assert df.per_day == pytest.approx(n / 92)
    assert df.days == 92


@pytest.mark.parametrize(
    ("deployment", "counted"),
    [
        (dep("1", at(2)), True),
        (dep("1", at(2), env="PROD"), True),  # case-insensitive environment names
        (dep("1", at(2), env="staging"), False),
        (dep("1", at(2), is_production=False), False),
        (dep("1", at(2), status="failure"), False),
        (dep("1", None), False),  # still running
        (dep("1", at(30, month=6)), False),  # before the period
        (dep("1", at(1, month=10)), False),  # first instant after the period
        (dep("1", at(30, 23.99, month=9)), True),  # last minutes of the period
    ],
)
def test_which_deployments_count(deployment, counted) -> None:
    report = run([deployment], repositories=["org/a"])
    assert org(report).deployment_frequency.deployments == int(counted)


def test_environment_option_replaces_the_default_list() -> None:
    deployments = [dep("1", at(2)), dep("2", at(3), env="Live")]
    assert org(run(deployments, environments=["live"])).deployment_frequency.deployments == 1


def test_duplicate_deployment_records_count_once() -> None:
    assert org(run([dep("1", at(2)), dep("1", at(2))])).deployment_frequency.deployments == 1


def test_no_deployments_is_unknown_not_zero_tier() -> None:
    scope = org(run([], repositories=["org/a"]))
    df = scope.deployment_frequency
    assert (df.deployments, df.per_week, df.bucket, df.tier, df.score) == (0, 0.0, None, None, None)
    assert df.reason
    assert scope.change_failure_rate.value is None and scope.change_failure_rate.reason
    assert scope.rework_rate.value is None
    assert scope.lead_time_for_changes.median_hours is None
    assert scope.overall_tier is None
    assert "no_deployments" in codes(scope)
    assert codes(scope)["repositories_without_deployments"] == 1


@pytest.mark.parametrize(
    ("finished", "tz", "counted"),
    [
        # 30 June 23:30 UTC is 1 July 01:30 in Paris (UTC+2 in summer)
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "Europe/Paris", True),
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "UTC", False),
        # 30 September 22:30 UTC is 1 October 00:30 in Paris: after the period
        (datetime(2026, 9, 30, 22, 30, tzinfo=UTC), "Europe/Paris", False),
        (datetime(2026, 9, 30, 22, 30, tzinfo=UTC), "UTC", True),
        # 1 July 03:00 UTC is still 30 June in New York (UTC-4)
        (datetime(2026, 7, 1, 3, 0, tzinfo=UTC), "America/New_York", False),
    ],
)
def test_period_boundaries_follow_the_time_zone(finished, tz, counted) -> None:
    report = run([dep("1", finished)], timezone=tz)
    assert org(report).deployment_frequency.deployments == int(counted)


def test_dst_end_local_days_and_weeks() -> None:
    """Paris leaves summer time on Sunday 25 October 2026 (UTC+2 → UTC+1)."""
    october = Period(date(2026, 10, 1), date(2026, 10, 31))
    deployments = [
        dep("1", datetime(2026, 10, 24, 22, 30, tzinfo=UTC)),  # Sun 25 Oct 00:30 CEST
        dep("2", datetime(2026, 10, 25, 22, 30, tzinfo=UTC)),  # Sun 25 Oct 23:30 CET
        dep("3", datetime(2026, 10, 25, 23, 30, tzinfo=UTC)),  # Mon 26 Oct 00:30 CET
    ]
    paris = run(deployments, period=october, timezone="Europe/Paris", trend_bucket="week")
    assert org(paris).deployment_frequency.deployment_days == 2
    weeks = {t.bucket: t.deployments for t in paris.trend if t.scope == "organization"}
    assert weeks["2026-W43"] == 2 and weeks["2026-W44"] == 1
    utc = run(deployments, period=october, timezone="UTC", trend_bucket="week")
    assert org(utc).deployment_frequency.deployment_days == 2  # Sat 24 and Sun 25 in UTC
    weeks = {t.bucket: t.deployments for t in utc.trend if t.scope == "organization"}
    assert weeks["2026-W43"] == 3 and weeks["2026-W44"] == 0


@pytest.mark.parametrize(
    ("bucket", "labels", "days"),
    [
        ("month", ["2026-07", "2026-08", "2026-09"], [31, 31, 30]),
        ("quarter", ["2026Q3"], [92]),
    ],
)
def test_trend_buckets_cover_the_period(bucket, labels, days) -> None:
    report = run([dep("1", at(2)), dep("2", at(3, month=8))], trend_bucket=bucket)
    points = [t for t in report.trend if t.scope == "organization"]
    assert [t.bucket for t in points] == labels
    assert [t.days for t in points] == days
    assert sum(t.deployments for t in points) == 2


def test_weekly_trend_clips_partial_weeks_to_the_period() -> None:
    """1 July 2026 is a Wednesday: the first week has 5 days in the period."""
    points = [t for t in run([dep("1", at(2))], trend_bucket="week").trend]
    assert points[0].bucket == "2026-W27" and points[0].start == date(2026, 7, 1)
    assert points[0].days == 5 and points[0].per_week == pytest.approx(7 / 5)
    assert points[-1].end == date(2026, 9, 30)
    assert sum(t.days for t in points) == Q3.days
