"""Grouped percentiles: hand-computed team figures where a team claims whole repositories
and monorepo paths at once (issue 12), and the engine's refusal of impossible figures."""

from __future__ import annotations

import numpy as np
import pytest

from opsmaturity.config import Team
from opsmaturity.metrics.invariants import MetricsInvariantError, check_aggregates
from opsmaturity.metrics.stats import grouped_quantiles

from .test_metrics_fixtures import at, chg, dep, run

TEAMS = {"plat": Team(repositories=["org/infra"], paths={"org/mono": ["plat/**"]})}


def _world():
    deployments = [
        dep("i1", at(10, 12), ["i1", "i2", "i3"], repo="org/infra"),
        dep("m1", at(20, 12), ["p1", "p2", "o1"], repo="org/mono"),
    ]
    changes = [
        chg("i1", at(10, 11), repo="org/infra"),  # 1 h
        chg("i2", at(10, 10), repo="org/infra"),  # 2 h
        chg("i3", at(9, 6), repo="org/infra"),  # 30 h
        chg("p1", at(20, 2), repo="org/mono", paths=("plat/a.py",)),  # 10 h
        chg("p2", at(19, 16), repo="org/mono", paths=("plat/b.py",)),  # 20 h
        chg("o1", at(20, 11), repo="org/mono", paths=("other/c.py",)),  # 1 h, not plat's
    ]
    return deployments, changes


def test_a_team_with_repositories_and_monorepo_paths_pools_its_values_in_order() -> None:
    deployments, changes = _world()
    report = run(deployments, changes, repositories=["org/infra", "org/mono"], teams=TEAMS)
    lt = report.scope("team", "plat").lead_time_for_changes
    # values 1, 2, 10, 20, 30 h: median 10; p75 at position 3 → 20; p90 at 3.6 → 20 + 0.6 × 10
    assert lt.n == 5
    assert lt.median_hours == pytest.approx(10)
    assert lt.p75_hours == pytest.approx(20)
    assert lt.p90_hours == pytest.approx(26)
    month = [t for t in report.trend if t.scope == "team" and t.start.month == 7]
    assert month[0].lead_time_median_hours == pytest.approx(10)
    assert month[0].lead_time_n == 5


def test_grouped_quantiles_equal_numpy_whatever_the_order_within_groups() -> None:
    groups = np.array([0, 0, 0, 1, 1, 0, 1])
    values = np.array([1.0, 2.0, 30.0, 5.0, 4.0, 10.0, 3.0])
    counts, q = grouped_quantiles(groups, values, 3)
    assert counts.tolist() == [4, 3, 0]
    for g in (0, 1):
        expected = np.percentile(values[groups == g], [50, 75, 90])
        assert q[g] == pytest.approx(expected)
    assert np.isnan(q[2]).all()


def _arrays(**override: list[float]) -> dict[str, np.ndarray]:
    base = {
        "lt_n": [3],
        "lt_median": [5.0],
        "lt_p75": [6.0],
        "lt_p90": [7.0],
        "fdrt_n": [0],
        "fdrt_median": [np.nan],
        "fdrt_p90": [np.nan],
        "mttr_n": [1],
        "mttr_median": [2.0],
        "mttr_p90": [2.0],
        "failed": [1],
        "rework": [0],
        "deployment_days": [2],
        "deployments": [2],
    }
    return {k: np.array(v) for k, v in (base | override).items()}


def test_consistent_aggregates_pass() -> None:
    check_aggregates(_arrays(), ["team plat"])


@pytest.mark.parametrize(
    "override",
    [
        {"lt_median": [331.9], "lt_p75": [161.3], "lt_p90": [271.7]},  # the demo's Platform
        {"lt_p75": [91.7], "lt_p90": [72.7]},  # the demo's Catalog
        {"lt_n": [0]},  # percentiles without values
        {"fdrt_n": [2]},  # values claimed, none given
        {"mttr_median": [3.0]},  # median above p90
        {"failed": [3]},  # more failures than deployments
    ],
)
def test_impossible_aggregates_are_an_internal_error(override) -> None:
    with pytest.raises(MetricsInvariantError, match="internal error: team plat"):
        check_aggregates(_arrays(**override), ["team plat"])
