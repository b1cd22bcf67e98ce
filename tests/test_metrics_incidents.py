"""Incident-tool figures (``metrics/incidents.py``) and one tool incident counted once.

Hand-computed throughout. A PagerDuty service mapped to two repositories gives one record
per repository: each repository's deployment is failed by it, but the organization and the
team count the incident once.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsmaturity.config import Team
from opsmaturity.metrics.incidents import (
    IncidentFigures,
    identity_codes,
    incident_figures,
    once_per_scope,
    time_to_acknowledge,
)
from opsmaturity.records import Incident

from .test_metrics_fixtures import at, dep, org, run

START = datetime(2026, 7, 1, tzinfo=UTC)
END = datetime(2026, 10, 1, tzinfo=UTC)
A, B = "org/api", "org/web"


def tool(
    id: str,
    created: datetime,
    *,
    repo: str = A,
    ack_min: float | None = None,
    resolved: datetime | None = None,
    **kw,
) -> Incident:
    ack = None if ack_min is None else created + timedelta(minutes=ack_min)
    return Incident(id, repo, f"incident {id}", created, resolved, acknowledged_at=ack, **kw)


# -- one tool incident, several repositories ----------------------------------------------

DEPS = [dep("a1", at(10), repo=A), dep("b1", at(10, 1), repo=B)]


def copies(id: str, created: datetime, resolved: datetime | None) -> list[Incident]:
    """What ``Placement.place`` makes of a service mapped to A and B."""
    one = tool(id, created, resolved=resolved, services=("Shop",))
    return [dataclasses.replace(one, repository=r) for r in (A, B)]


def test_incident_on_two_repositories_fails_both_but_counts_once() -> None:
    # P1: opened 12 July 00:00, resolved 04:00 (4 h); P2: opened 13 July, still open
    incidents = copies("P1", at(12), at(12, 4)) + copies("P2", at(13), None)
    report = run(DEPS, (), incidents, teams={"Shop": Team(repositories=[A, B])})
    assert {f.id for f in report.failed_deployments} == {"a1", "b1"}
    for scope in (org(report), report.scope("team", "Shop")):
        assert (scope.incident_mttr.n, scope.incident_mttr.open) == (1, 1)  # not 2 and 2
        assert scope.incident_mttr.median_hours == pytest.approx(4)
    for repo in (A, B):
        assert report.scope("repository", repo).incident_mttr.n == 1


def test_organization_counts_the_incident_linked_when_any_copy_is() -> None:
    # only org/web deployed before the incident: its copy is linked, org/api's is not
    late_api = [dep("b1", at(10, 1), repo=B), dep("a2", at(20), repo=A)]
    report = run(late_api, (), copies("P1", at(12), at(12, 4)))
    assert {f.id for f in report.failed_deployments} == {"b1"}
    assert org(report).incident_mttr.n == 1
    codes = {w.code: w.count for w in org(report).warnings}
    assert "unlinked_incidents" not in codes  # it did fail a deployment
    api = {w.code: w.count for w in report.scope("repository", A).warnings}
    assert api.get("unlinked_incidents") == 1  # but none of org/api's


def test_same_incident_twice_in_one_repository_is_never_merged() -> None:
    # e.g. a forge issue and a files import of it: the record rules keep both
    twice = [tool("7", at(12), resolved=at(12, 2)), tool("7", at(12), resolved=at(12, 2))]
    report = run(DEPS, (), twice)
    assert org(report).incident_mttr.n == report.scope("repository", A).incident_mttr.n == 2


def test_identity_codes_pair_the_kth_copies_across_repositories() -> None:
    ids = np.array(["7", "7", "7", "8"], dtype=object)
    created = np.array([1.0, 1.0, 1.0, 1.0])
    repo = np.array([0, 0, 1, 1])
    assert identity_codes(ids, created, repo).tolist() == [0, 1, 0, 2]


def test_distinct_incidents_keep_their_own_counts() -> None:
    # two different incidents in A and B with one id (forge issue numbers): opened apart
    incidents = [
        tool("7", at(12), repo=A, resolved=at(12, 2)),
        tool("7", at(14), repo=B, resolved=at(14, 6)),
    ]
    mttr = org(run(DEPS, (), incidents)).incident_mttr
    assert mttr.n == 2 and mttr.median_hours == pytest.approx(4)  # (2 + 6) / 2


def test_once_per_scope_keeps_first_pair_of_each_scope_and_identity() -> None:
    sid = np.array([0, 0, 0, 1, 2, 0], dtype=np.int32)
    rows = np.array([0, 1, 2, 0, 1, 3], dtype=np.int32)
    identity = np.array([5, 5, 6, 7])  # rows 0 and 1 are copies of one incident
    got_sid, got_rows = once_per_scope((sid, rows), identity)
    assert got_sid.tolist() == [0, 0, 1, 2, 0] and got_rows.tolist() == [0, 2, 0, 1, 3]


# -- the figures --------------------------------------------------------------------------


def figures(*pairs: tuple[str, Incident]) -> IncidentFigures:
    return incident_figures(pairs, start=START, end=END)


def test_counts_by_source_priority_and_urgency_count_each_tool_incident_once() -> None:
    pd1 = tool("PD1", at(2), priority="P1", urgency="high", services=("Shop",))
    got = figures(
        ("pagerduty", pd1),
        ("pagerduty", dataclasses.replace(pd1, repository=B)),  # same incident, second repository
        ("pagerduty", tool("PD2", at(3), priority="P2", urgency="low")),
        ("pagerduty", tool("PD3", at(5), priority="P2")),
        ("jira", tool("OPS-1", at(4), severity="SEV2")),
        ("jira", tool("OPS-2", at(30, month=6))),  # before the period
        ("jira", tool("OPS-3", END)),  # at the period's end: after it
    )
    assert (got.opened, got.records) == (4, 5)
    # sources by count; priorities and urgencies in their own order, "not given" last
    assert [(t.label, t.count) for t in got.by_source] == [("pagerduty", 3), ("jira", 1)]
    assert [(t.label, t.count) for t in got.by_priority] == [("P1", 1), ("P2", 2), ("SEV2", 1)]
    assert [(t.label, t.count) for t in got.by_urgency] == [
        ("high", 1),
        ("low", 1),
        ("not given", 2),
    ]


def test_same_id_in_two_sources_is_two_incidents() -> None:
    got = figures(("pd-eu", tool("X1", at(2))), ("pd-us", tool("X1", at(2))))
    assert got.opened == 2


@pytest.mark.parametrize(
    ("minutes", "median", "p90"),
    [
        ([4], 4, 4),
        ([2, 10], 6, 9.2),  # p90: 2 + 0.9 × 8
        ([1, 2, 3, 4, 100], 3, 61.6),  # p90 at position 3.6: 4 + 0.6 × 96
        ([-5, 10], 5, 9),  # acknowledged before opening (clock skew): zero
    ],
)
def test_time_to_acknowledge_median_and_p90(
    minutes: list[float], median: float, p90: float
) -> None:
    got = time_to_acknowledge([tool(f"I{k}", at(5), ack_min=m) for k, m in enumerate(minutes)])
    assert (got.n, got.not_acknowledged) == (len(minutes), 0)
    assert got.median_minutes == pytest.approx(median) and got.p90_minutes == pytest.approx(p90)


def test_time_to_acknowledge_without_data_is_unknown_not_zero() -> None:
    none = time_to_acknowledge([])
    assert (none.n, none.median_minutes, none.reason) == (
        0,
        None,
        "no incident opened in the period",
    )
    silent = time_to_acknowledge([tool("I", at(5))])
    assert (silent.median_minutes, silent.not_acknowledged) == (None, 1)
    assert silent.reason == "no acknowledgement time recorded"


def test_acknowledgement_counts_incidents_opened_in_the_period_once() -> None:
    one = tool("PD1", at(2), ack_min=3)
    got = figures(
        ("pd", one),
        ("pd", dataclasses.replace(one, repository=B)),
        ("pd", tool("PD2", at(3), ack_min=7)),
        ("pd", tool("PD0", at(1, month=6), ack_min=500)),
    )
    assert got.acknowledge.n == 2 and got.acknowledge.median_minutes == pytest.approx(5)


def test_open_at_period_end_includes_earlier_incidents_and_late_resolutions() -> None:
    late = tool("L", at(20, month=6), resolved=END + timedelta(hours=1), services=("Shop",))
    got = figures(
        ("pd", late),
        ("pd", dataclasses.replace(late, repository=B)),  # one incident, two repos
        ("pd", tool("O", at(29, month=9))),  # never resolved
        ("pd", tool("R", at(3), resolved=at(4))),  # resolved inside: not open
        ("pd", tool("E", END + timedelta(hours=2))),  # opened after the end: not in this period
        ("pd", tool("X", at(3), resolved=END)),  # resolved exactly at the end: open until then
    )
    assert [(o.id, o.repositories) for o in got.open_at_end] == [
        ("L", (A, B)),
        ("X", (A,)),
        ("O", (A,)),
    ]


def test_unmapped_services_are_tallied() -> None:
    got = figures(
        ("pd", tool("U1", at(2), repo="unmapped:Search")),
        ("pd", tool("U2", at(3), repo="unmapped:Search")),
        ("pd", tool("U3", at(4), repo="unmapped:CDN")),
        ("pd", tool("M", at(4))),
    )
    assert [(t.label, t.count) for t in got.unmapped] == [("Search", 2), ("CDN", 1)]


# -- properties ---------------------------------------------------------------------------

pairs_strategy = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 9)), max_size=40
)  # (scope id, incident row)


@settings(max_examples=200, deadline=None)
@given(
    pairs_strategy,
    st.lists(st.integers(0, 5), min_size=10, max_size=10),
    st.one_of(st.none(), st.lists(st.booleans(), min_size=10, max_size=10)),
)
def test_once_per_scope_equals_a_plain_filter(
    pairs: list[tuple[int, int]], identity: list[int], prefer: list[bool] | None
) -> None:
    """Plain: per (scope, identity), the first preferred pair, else the first pair."""
    chosen: dict[tuple[int, int], int] = {}
    for k, (sid, row) in enumerate(pairs):
        group = (sid, identity[row])
        held = chosen.get(group)
        if held is None or (prefer is not None and prefer[row] and not prefer[pairs[held][1]]):
            chosen[group] = k
    expected = [pairs[k] for k in sorted(chosen.values())]
    sids = np.array([p[0] for p in pairs], dtype=np.int32)
    rows = np.array([p[1] for p in pairs], dtype=np.int32)
    flags = None if prefer is None else np.array(prefer)
    got_sid, got_rows = once_per_scope((sids, rows), np.array(identity), flags)
    assert list(zip(got_sid.tolist(), got_rows.tolist(), strict=True)) == expected


incident_strategy = st.tuples(
    st.sampled_from(["pd", "jira"]),
    st.sampled_from(["I1", "I2", "I3", "I4"]),
    st.integers(-20, 110),  # opening day offset from the period's start
    st.one_of(st.none(), st.integers(0, 600)),  # minutes to acknowledge
    st.sampled_from([A, B, "unmapped:Search"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(incident_strategy, max_size=20), st.randoms(use_true_random=False))
def test_figures_do_not_depend_on_input_order(rows, rnd) -> None:
    pairs = [
        (src, tool(i, START + timedelta(days=day), repo=repo, ack_min=ack))
        for src, i, day, ack, repo in rows
    ]
    # copies of one tool incident agree on everything but the repository
    firsts: dict[tuple[str, str, datetime], Incident] = {}
    pairs = [
        (
            s,
            dataclasses.replace(
                firsts.setdefault((s, i.id, i.created_at), i), repository=i.repository
            ),
        )
        for s, i in pairs
    ]
    shuffled = list(pairs)
    rnd.shuffle(shuffled)
    a, b = (
        incident_figures(pairs, start=START, end=END),
        incident_figures(shuffled, start=START, end=END),
    )
    assert (a.opened, a.records, a.by_source, a.by_priority, a.by_urgency, a.unmapped) == (
        b.opened,
        b.records,
        b.by_source,
        b.by_priority,
        b.by_urgency,
        b.unmapped,
    )
    assert a.acknowledge == b.acknowledge
    assert a.open_at_end == b.open_at_end
    assert a.records >= a.opened
    ack = a.acknowledge
    assert ack.median_minutes is None or ack.median_minutes <= ack.p90_minutes  # type: ignore[operator]
