"""Incident-tool records in the metrics: boundaries, open incidents, severity filters, and the
same incidents through PagerDuty and through a ``files`` import giving identical figures.

Deployments of org/checkout (2026Q3): d0 28 June (before the period), d1 10 July,
d2 20 July, d3 29 September (the last). Incidents are linked by the existing rule: the
repository's latest deployment finished before the incident was opened.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from opsmaturity.records import Incident
from opsmaturity.sources.base import MemoryCheckpoints, NullProgress, Window
from opsmaturity.sources.files import FilesSource
from opsmaturity.sources.incidents.pagerduty import PagerDutySource
from opsmaturity.sources.incidents.services import ServiceMap

from .fakeforge.pagerduty import FakePagerDuty, PDIncident
from .test_metrics_fixtures import at, dep, org, run

REPO = "org/checkout"
DEPS = [
    dep("d0", at(28, month=6), repo=REPO),
    dep("d1", at(10), repo=REPO),
    dep("d2", at(20), repo=REPO),
    dep("d3", at(29, month=9), repo=REPO),
]
WINDOW = Window(at(17, month=5), datetime(2026, 10, 1, tzinfo=UTC))
KEY = "pd-fake-key-0123"

# (id, created, resolved, priority)
PLAN = [
    ("PSPAN", at(30, 22, month=6), at(1, 2), "P1"),  # spans the period's start
    ("PJUL", at(12), at(12, 3), "P2"),  # inside: d1 failed, restored by resolution
    ("PLOW", at(21), at(21, 1), "P4"),  # low priority: d2 failed unless filtered
    ("POPEN", at(30, 20, month=9), None, "P1"),  # still open at the period's end: d3
]


def pd_incidents() -> list[PDIncident]:
    return [
        PDIncident(
            pid,
            n,
            f"incident {pid}",
            created,
            "PCHK",
            "Checkout",
            priority=prio,
            status="resolved" if resolved else "triggered",
            resolved_at=resolved,
        )
        for n, (pid, created, resolved, prio) in enumerate(PLAN, start=1)
    ]


@pytest.fixture
def from_pagerduty(tmp_path: Path) -> Iterator[list[Incident]]:
    with FakePagerDuty(pd_incidents(), token=KEY, tls_dir=tmp_path) as fake:
        src = PagerDutySource(
            "pagerduty",
            token=KEY,
            token_env="PAGERDUTY_TOKEN",
            base_url=fake.api,
            ca_bundle=str(fake.cert),
            services=ServiceMap.from_config({"Checkout": [REPO]}, {}),
        )
        try:
            yield [r for r in src.collect_incidents(WINDOW) if isinstance(r, Incident)]
        finally:
            src.close()


def from_files(tmp_path: Path) -> list[Incident]:
    path = tmp_path / "incidents.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "repository", "title", "created_at", "resolved_at", "severity"])
        for pid, created, resolved, prio in PLAN:
            writer.writerow(
                [
                    pid,
                    REPO,
                    f"incident {pid}",
                    created.isoformat(),
                    resolved.isoformat() if resolved else "",
                    prio,
                ]
            )
    return FilesSource("files", incidents=path)._incidents


def test_incident_spanning_the_period_start_fails_the_deployment_before_it(from_pagerduty) -> None:
    report = run(DEPS, (), from_pagerduty)
    assert "d0" not in failed_ids(report)  # failed, but before the period: not counted
    mttr = org(report).incident_mttr
    # opened before the period: not one of the period's incidents
    assert mttr.n == 2 and mttr.open == 1


def test_incident_open_at_period_end_is_an_unrecovered_failure(from_pagerduty) -> None:
    report = run(DEPS, (), from_pagerduty)
    assert failed_ids(report) == {"d1", "d2", "d3"}
    recovery = org(report).failed_deployment_recovery_time
    assert recovery.unrecovered == 1  # d3: its incident is open and no deployment followed
    # d1 restored when PJUL resolved (2 days 3 h after d1); d2 when PLOW resolved (1 day 1 h)
    assert recovery.n == 2
    assert recovery.median_hours == pytest.approx((51 + 25) / 2)


def test_severity_filter_leaves_low_priority_incidents_out(from_pagerduty) -> None:
    report = run(DEPS, (), from_pagerduty, severities=["P1", "P2"])
    assert failed_ids(report) == {"d1", "d3"}
    assert org(report).incident_mttr.n == 1  # PJUL; POPEN is open, PLOW filtered


def test_pagerduty_and_files_give_identical_metrics(from_pagerduty, tmp_path: Path) -> None:
    from_csv = from_files(tmp_path)
    assert len(from_csv) == len(from_pagerduty) == len(PLAN)
    for options in ({}, {"severities": ["P1"]}):
        a = run(DEPS, (), from_pagerduty, **options)
        b = run(DEPS, (), from_csv, **options)
        assert dataclasses.asdict(org(a)) == dataclasses.asdict(org(b))
        assert a.failed_deployments == b.failed_deployments


def test_unmapped_incidents_count_for_the_organization_but_fail_nothing() -> None:
    unmapped = Incident("PX", "unmapped:Search", "search down", at(12), at(12, 2))
    report = run(DEPS, (), [unmapped], repositories=[REPO])
    assert failed_ids(report) == set()
    assert org(report).incident_mttr.n == 1
    assert all(s.name != "unmapped:Search" for s in report.scopes if s.scope == "repository")


def failed_ids(report) -> set[str]:
    return {f.id for f in report.failed_deployments}


def test_property_pagerduty_delivers_what_the_records_say(tmp_path: Path) -> None:
    """Any set of incidents (second precision, as PagerDuty writes times) read through the
    fake and the client gives the same metrics as the records themselves."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    seconds = st.integers(min_value=0, max_value=120 * 86400)
    start = at(17, month=5)
    plan = st.lists(
        st.tuples(
            seconds,
            st.one_of(st.none(), st.integers(min_value=0, max_value=3 * 86400)),
            st.sampled_from(["P1", "P2", "P3", None]),
        ),
        max_size=25,
    )
    with FakePagerDuty([], token=KEY, tls_dir=tmp_path) as fake:
        src = PagerDutySource(
            "pagerduty",
            token=KEY,
            token_env="PAGERDUTY_TOKEN",
            base_url=fake.api,
            ca_bundle=str(fake.cert),
            services=ServiceMap.from_config({"Checkout": [REPO]}, {}),
        )

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        @given(plan)
        def check(rows: list[tuple[int, int | None, str | None]]) -> None:
            expected = []
            fake.scenario[:] = []
            for n, (offset, duration, prio) in enumerate(rows, start=1):
                created = start + timedelta(seconds=offset)
                resolved = created + timedelta(seconds=duration) if duration is not None else None
                fake.scenario.append(
                    PDIncident(
                        f"P{n}",
                        n,
                        f"i{n}",
                        created,
                        "PCHK",
                        "Checkout",
                        priority=prio,
                        status="resolved" if resolved else "triggered",
                        resolved_at=resolved,
                    )
                )
                expected.append(Incident(f"P{n}", REPO, f"i{n}", created, resolved, severity=prio))
            src.open(NullProgress(), MemoryCheckpoints())  # each example is a first run
            got = [r for r in src.collect_incidents(WINDOW) if isinstance(r, Incident)]
            for options in ({}, {"severities": ["P1"]}):
                a, b = run(DEPS, (), got, **options), run(DEPS, (), expected, **options)
                assert dataclasses.asdict(org(a)) == dataclasses.asdict(org(b))

        try:
            check()
        finally:
            src.close()
