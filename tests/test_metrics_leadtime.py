"""Lead time for changes: starts, first shipment, look-back, bots, clock skew, pooling."""

from __future__ import annotations

import numpy as np
import pytest

from opsmaturity.config import Team

from .test_metrics_fixtures import at, chg, codes, dep, org, run

# A history deployment in June so that July deployments are not the repository's first.
HISTORY = [dep("0", at(1, month=6), ["h0"])]
HIST_CHANGE = [chg("h0", at(1, month=6))]


def lead(report, scope="organization", name=None):
    return report.scope(scope, name).lead_time_for_changes


@pytest.mark.parametrize(
    ("ages", "median", "p75", "p90"),
    [
        ([5], 5, 5, 5),
        ([1, 2, 3, 10], 2.5, 4.75, 7.9),  # linear interpolation: numpy's default
        ([0, 24, 48], 24, 36, 43.2),
        ([1, 1, 1, 100], 1, 25.75, 70.3),
    ],
)
def test_percentiles_interpolate_linearly(ages, median, p75, p90) -> None:
    shas = [f"c{k}" for k in range(len(ages))]
    changes = [chg(s, at(10, -a)) for s, a in zip(shas, ages, strict=True)]
    lt = lead(run([*HISTORY, dep("1", at(10), shas)], [*HIST_CHANGE, *changes]))
    assert lt.n == len(ages)
    assert (lt.median_hours, lt.p75_hours, lt.p90_hours) == pytest.approx((median, p75, p90))
    assert lt.median_hours == pytest.approx(np.percentile(ages, 50))
    assert lt.p90_hours == pytest.approx(np.percentile(ages, 90))


def test_a_change_deployed_twice_counts_once_at_its_first_deployment() -> None:
    deployments = [*HISTORY, dep("1", at(10), ["a"]), dep("2", at(12), ["a", "b"])]
    lt = lead(run(deployments, [*HIST_CHANGE, chg("a", at(9)), chg("b", at(11))]))
    assert lt.n == 2
    assert lt.median_hours == pytest.approx((24 + 24) / 2)


def test_after_a_rollback_reshipped_commits_keep_their_first_lead_time() -> None:
    deployments = [
        *HISTORY,
        dep("1", at(10), ["a", "b"]),  # ships a, b
        dep("2", at(11), [], head="a"),  # rolls back to a
        dep("3", at(20), ["b", "c"]),  # b again, and c
    ]
    changes = [*HIST_CHANGE, chg("a", at(9)), chg("b", at(9, 12)), chg("c", at(19))]
    lt = lead(run(deployments, changes))
    assert lt.n == 3  # a: 24 h, b: 12 h (not 10.5 days), c: 24 h
    assert (lt.median_hours, lt.p90_hours) == pytest.approx((24, 24))


def test_a_change_committed_before_the_period_counts_in_the_period_of_its_deployment() -> None:
    changes = [*HIST_CHANGE, chg("old", at(20, month=6))]
    report = run([*HISTORY, dep("1", at(2), ["old"])], changes)
    assert lead(report).n == 1 and lead(report).median_hours == pytest.approx(12 * 24)


def test_changes_deployed_before_the_period_do_not_count() -> None:
    report = run([*HISTORY, dep("1", at(2), ["a"])], [*HIST_CHANGE, chg("a", at(1))])
    assert lead(report).n == 1  # h0 shipped in June is not in Q3


@pytest.mark.parametrize(
    ("lookback", "n", "excluded"),
    [(30, 1, 1), (60, 2, None), (0, 0, 2)],
)
def test_first_deployment_look_back(lookback, n, excluded) -> None:
    """The repository's very first deployment ships its whole history: keep the recent part."""
    changes = [chg("ancient", at(1, month=6)), chg("recent", at(5))]  # 39 and 5 days old
    report = run(
        [dep("1", at(10), ["ancient", "recent"])], changes, first_deployment_lookback_days=lookback
    )
    assert lead(report).n == n
    assert codes(org(report)).get("first_deployment_lookback") == excluded


def test_bots_are_excluded_by_default_and_counted() -> None:
    changes = [*HIST_CHANGE, chg("a", at(9)), chg("bot", at(5), is_bot=True)]
    deployments = [*HISTORY, dep("1", at(10), ["a", "bot"])]
    report = run(deployments, changes)
    assert lead(report).n == 1 and lead(report).median_hours == pytest.approx(24)
    assert codes(org(report))["bots_excluded"] == 1
    with_bots = run(deployments, changes, exclude_bots=False)
    assert lead(with_bots).n == 2 and lead(with_bots).median_hours == pytest.approx(72)


def test_clock_skew_is_clamped_and_counted() -> None:
    changes = [*HIST_CHANGE, chg("a", at(10, 2)), chg("b", at(9))]
    report = run([*HISTORY, dep("1", at(10), ["a", "b"])], changes)
    lt = lead(report)
    assert lt.n == 2 and lt.median_hours == pytest.approx(12)  # values 0 and 24
    assert codes(org(report))["clock_skew"] == 1


def test_shipped_commits_without_a_change_record_are_counted_as_missing() -> None:
    report = run([*HISTORY, dep("1", at(10), ["a", "ghost"])], [*HIST_CHANGE, chg("a", at(9))])
    assert lead(report).n == 1
    assert codes(org(report))["missing_change_records"] == 1


def test_deployments_without_changes_are_flagged() -> None:
    report = run([*HISTORY, dep("1", at(10), [])], HIST_CHANGE)
    assert lead(report).median_hours is None and lead(report).reason
    assert codes(org(report))["deployments_without_changes"] == 1


@pytest.mark.parametrize(
    ("start", "n", "median"),
    [
        # commits a (day 5), b (day 7) of PR 1 merged day 8; c direct push day 9; deploy day 10
        ("commit", 3, 3 * 24),  # 5, 3, 1 days
        ("first_commit", 2, 3.5 * 24),  # PR 1 from its first commit day 4: 6 days; c: 1 day
        ("merge", 2, 1.5 * 24),  # PR 1 from merge day 8: 2 days; c (committed day 9): 1 day
    ],
)
def test_lead_time_start_options(start, n, median) -> None:
    pr = {"pr_number": 1, "pr_merged_at": at(8), "pr_first_commit_at": at(4)}
    changes = [*HIST_CHANGE, chg("a", at(5), **pr), chg("b", at(7), **pr), chg("c", at(9))]
    report = run([*HISTORY, dep("1", at(10), ["a", "b", "c"])], changes, lead_time_start=start)
    lt = lead(report)
    assert (lt.n, lt.start) == (n, start)
    assert lt.median_hours == pytest.approx(median)
    fallback = codes(org(report)).get("pull_request_fallback")
    assert fallback == (None if start == "commit" else 1)


def test_a_pull_request_ends_at_the_latest_first_deployment_of_its_commits() -> None:
    pr = {"pr_number": 7, "pr_merged_at": at(8)}
    changes = [*HIST_CHANGE, chg("a", at(7), **pr), chg("b", at(8), **pr)]
    deployments = [*HISTORY, dep("1", at(9), ["a"]), dep("2", at(11), ["b"])]
    lt = lead(run(deployments, changes, lead_time_start="merge"))
    assert lt.n == 1 and lt.median_hours == pytest.approx(3 * 24)


def test_organization_pools_changes_instead_of_averaging_repositories() -> None:
    deployments = [
        dep("0", at(1, month=6), ["ha"], repo="org/a"),
        dep("0", at(1, month=6), ["hb"], repo="org/b"),
        dep("1", at(10), ["a1", "a2", "a3"], repo="org/a"),
        dep("1", at(10), ["b1"], repo="org/b"),
    ]
    changes = [
        chg("ha", at(1, month=6), repo="org/a"),
        chg("hb", at(1, month=6), repo="org/b"),
        *[chg(s, at(10, -1), repo="org/a") for s in ("a1", "a2", "a3")],
        chg("b1", at(10, -100), repo="org/b"),
    ]
    report = run(deployments, changes)
    assert lead(report, "repository", "org/a").median_hours == pytest.approx(1)
    assert lead(report, "repository", "org/b").median_hours == pytest.approx(100)
    assert lead(report).median_hours == pytest.approx(1)  # not (1 + 100) / 2
    assert lead(report).n == 4


def test_the_same_sha_in_two_repositories_is_two_commits() -> None:
    deployments = [
        dep("0", at(1, month=6), ["h"], repo="org/a"),
        dep("0", at(1, month=6), ["h"], repo="org/fork"),
        dep("1", at(10), ["x"], repo="org/a"),
        dep("1", at(12), ["x"], repo="org/fork"),
    ]
    changes = [chg(s, at(1, month=6), repo=r) for r in ("org/a", "org/fork") for s in ("h",)]
    changes += [chg("x", at(9), repo="org/a"), chg("x", at(9), repo="org/fork")]
    lt = lead(run(deployments, changes))
    assert lt.n == 2 and lt.median_hours == pytest.approx(48)  # 24 h and 72 h


def test_monorepo_teams_claim_changes_by_path() -> None:
    teams = {
        "web": Team(paths={"org/mono": ["web/*"]}),
        "api": Team(paths={"org/mono": ["api/*"]}),
    }
    deployments = [
        dep("0", at(1, month=6), ["h"], repo="org/mono"),
        dep("1", at(10), ["w1", "a1"], repo="org/mono"),
        dep("2", at(20), ["a2", "nopath"], repo="org/mono"),
    ]
    changes = [
        chg("h", at(1, month=6), repo="org/mono", paths=("README",)),
        chg("w1", at(9), repo="org/mono", paths=("web/app.js",)),
        chg("a1", at(8), repo="org/mono", paths=("api/main.py", "docs/x.md")),
        chg("a2", at(19, 12), repo="org/mono", paths=("api/db.py",)),
        chg("nopath", at(19), repo="org/mono"),
    ]
    report = run(deployments, changes, teams=teams)
    web, api = report.scope("team", "web"), report.scope("team", "api")
    assert web.deployment_frequency.deployments == 1
    assert web.lead_time_for_changes.n == 1
    assert web.lead_time_for_changes.median_hours == pytest.approx(24)
    assert api.deployment_frequency.deployments == 2
    assert api.lead_time_for_changes.n == 2
    assert api.lead_time_for_changes.median_hours == pytest.approx((48 + 12) / 2)
    assert codes(api)["monorepo_changes_without_paths"] == 1
    assert lead(report).n == 4  # the organization keeps every change


def test_team_repository_globs() -> None:
    teams = {"pay": Team(repositories=["org/pay-*"]), "all": Team(repositories=["org/*"])}
    deployments = [dep("1", at(2), repo="org/pay-api"), dep("1", at(3), repo="org/web")]
    report = run(deployments, teams=teams)
    assert report.scope("team", "pay").deployment_frequency.deployments == 1
    assert report.scope("team", "all").deployment_frequency.deployments == 2
    assert [s.name for s in report.scopes] == [
        "organization",
        "pay",
        "all",
        "org/pay-api",
        "org/web",
    ]


def test_commits_shipped_with_no_change_records_at_all() -> None:
    """Changes never collected: nothing to time, said in a warning, and no crash (with or
    without the bot filter, which looks changes up)."""
    for exclude_bots in (True, False):
        org = run([dep("1", at(2), ["c1", "c2"])], exclude_bots=exclude_bots).scope("organization")
        assert org.lead_time_for_changes.median_hours is None
        assert org.lead_time_for_changes.n == 0
        assert any(w.code == "missing_change_records" for w in org.warnings)


def test_first_commit_is_one_span_not_devlakes_sum_of_segments() -> None:
    """Out of order (commit authored 10:00 after its pull request opened at 08:00, merged
    11:00, deployed 12:00): one span from the earliest commit, 2 h. DevLake would add the
    segments and drop the negative one: 0 + 3 h + 1 h = 4 h (see metrics.yaml)."""
    change = chg(
        "a",
        at(2, 10),
        pr_number=7,
        pr_opened_at=at(2, 8),
        pr_merged_at=at(2, 11),
        pr_first_commit_at=at(2, 10),
    )
    deployments = [*HISTORY, dep("1", at(2, 12), ["a"])]
    lt = lead(run(deployments, [change], lead_time_start="first_commit"))
    assert lt.n == 1 and lt.median_hours == pytest.approx(2.0)
