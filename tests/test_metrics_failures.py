"""Change failure rate rules, failed deployment recovery time, rework rate, incident MTTR."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsmaturity.config import Team

from .test_metrics_fixtures import at, chg, codes, dep, inc, org, run

# d1 day 10 00:00 (ships a), d2 day 10 10:00 (ships b), d3 day 12 00:00 (ships c)
DEPS = [dep("1", at(10), ["a"]), dep("2", at(10, 10), ["b"]), dep("3", at(12), ["c"])]
CHANGES = [chg("a", at(9)), chg("b", at(10, 9)), chg("c", at(11))]


def failed(report) -> dict[str, tuple[str, ...]]:
    return {f.id: f.rules for f in report.failed_deployments}


@pytest.mark.parametrize(
    ("incidents", "marked", "recovery"),
    [
        # opened after d1 and before d2, resolved 3 h later: restoration = resolution
        ([inc("i", at(10, 1), at(10, 4))], {"1": ("incident",)}, 4.0),
        # resolved after d2 finished: restoration = the next deployment (fix forward)
        ([inc("i", at(10, 1), at(11))], {"1": ("incident",)}, 10.0),
        # still open: the next deployment restores
        ([inc("i", at(10, 1))], {"1": ("incident",)}, 10.0),
        # opened after d3, the last one: d3 failed; its resolution restores
        ([inc("i", at(13), at(13, 6))], {"3": ("incident",)}, 30.0),
        # opened the very second d2 finishes: d2 owns [its finish, d3's), so d2 failed and
        # its incident's resolution 2 h later restores it (metrics.yaml, issue 12)
        ([inc("i", at(10, 10), at(10, 12))], {"2": ("incident",)}, 2.0),
        # one second earlier it is still d1's, restored by d2 one second later
        ([inc("i", at(10, 10) - timedelta(seconds=1), at(10, 12))], {"1": ("incident",)}, 10.0),
    ],
)
def test_incident_rule_and_recovery(incidents, marked, recovery) -> None:
    report = run(DEPS, CHANGES, incidents)
    assert failed(report) == marked
    cfr = org(report).change_failure_rate
    assert (cfr.failed, cfr.deployments) == (1, 3)
    assert cfr.value == pytest.approx(1 / 3)
    assert cfr.by_rule["incident"] == 1
    fd = org(report).failed_deployment_recovery_time
    assert (fd.n, fd.median_hours) == (1, pytest.approx(recovery))


def test_overlapping_incidents_fail_one_deployment_once() -> None:
    incidents = [inc("i1", at(10, 1), at(10, 5)), inc("i2", at(10, 2), at(10, 3))]
    report = run(DEPS, CHANGES, incidents)
    assert org(report).change_failure_rate.failed == 1
    # restored when the last incident is resolved (5 h), before d2 (10 h)
    assert org(report).failed_deployment_recovery_time.median_hours == pytest.approx(5)
    mttr = org(report).incident_mttr
    assert (mttr.n, mttr.median_hours) == (2, pytest.approx((4 + 1) / 2))


def test_an_incident_before_any_deployment_is_not_linked() -> None:
    report = run(DEPS, CHANGES, [inc("i", at(2), at(3))])
    assert org(report).change_failure_rate.failed == 0
    assert codes(org(report))["unlinked_incidents"] == 1
    assert org(report).incident_mttr.n == 1  # still an incident for MTTR


def test_incidents_of_another_repository_do_not_count_unless_incident_scope_is_team() -> None:
    incidents = [inc("i", at(10, 1), at(10, 2), repo="org/b")]
    teams = {"t": Team(repositories=["org/a", "org/b"])}
    alone = run(DEPS, CHANGES, incidents, teams=teams, repositories=["org/a", "org/b"])
    assert org(alone).change_failure_rate.failed == 0
    assert codes(org(alone))["unlinked_incidents"] == 1
    shared = run(
        DEPS,
        CHANGES,
        incidents,
        teams=teams,
        repositories=["org/a", "org/b"],
        incident_scope="team",
    )
    assert failed(shared) == {"1": ("incident",)}


def test_an_incident_names_its_deployment_or_commit() -> None:
    by_id = run(DEPS, CHANGES, [inc("i", at(20), at(21), linked_deployment="2")])
    assert failed(by_id) == {"2": ("incident",)}
    by_sha = run(DEPS, CHANGES, [inc("i", at(20), at(21), linked_sha="a")])
    assert failed(by_sha) == {"1": ("incident",)}
    # d1's recovery: the next deployment (d2, 10 h) came before the resolution
    assert org(by_sha).failed_deployment_recovery_time.median_hours == pytest.approx(10)


@pytest.mark.parametrize(
    ("severities", "severity", "counted", "warning"),
    [
        (None, "SEV3", True, None),
        (["SEV1", "SEV2"], "sev-2", True, None),
        (["SEV1", "SEV2"], "SEV3", False, None),
        (["SEV1"], None, False, 1),
    ],
)
def test_severity_filter(severities, severity, counted, warning) -> None:
    incidents = [inc("i", at(10, 1), at(10, 2), severity=severity)]
    report = run(DEPS, CHANGES, incidents, severities=severities)
    assert org(report).change_failure_rate.failed == int(counted)
    assert org(report).incident_mttr.n == int(counted)
    assert codes(org(report)).get("incidents_without_severity") == warning


@pytest.mark.parametrize(
    ("deployments", "marked"),
    [
        # d3 goes back to a, which d1 shipped: d2 is rolled back
        (
            [dep("1", at(10), ["a"]), dep("2", at(11), ["b"]), dep("3", at(12), [], head="a")],
            {"2": ("rollback",)},
        ),
        # redeploying the same head is not a rollback
        ([dep("1", at(10), ["a"]), dep("2", at(11), ["b"]), dep("3", at(12), [], head="b")], {}),
        # a fresh commit is not a rollback
        ([dep("1", at(10), ["a"]), dep("2", at(11), ["b"]), dep("3", at(12), ["c"])], {}),
    ],
)
def test_rollback_rule(deployments, marked) -> None:
    report = run(deployments, CHANGES)
    assert failed(report) == marked
    if marked:
        fd = org(report).failed_deployment_recovery_time
        assert fd.median_hours == pytest.approx(24)  # restored by the rollback itself


def test_revert_rule() -> None:
    changes = [*CHANGES, chg("r", at(11, 12), reverts="a", message='Revert "a"')]
    deployments = [
        dep("1", at(10), ["a"]),
        dep("2", at(10, 10), ["b"]),
        dep("3", at(12), ["c", "r"]),
    ]
    report = run(deployments, changes)
    assert failed(report) == {"1": ("revert",)}
    assert org(report).failed_deployment_recovery_time.median_hours == pytest.approx(10)
    # d2 restored d1 (rework); d3 shipped a revert (rework)
    assert org(report).rework_rate.rework == 2


@pytest.mark.parametrize(
    ("window", "rules", "marked"),
    [
        (24, None, {"1": ("hotfix",)}),  # d2 (hotfix) 10 h after d1
        (8, None, {}),  # outside an 8 h window
        (24, ["incident", "rollback", "revert"], {}),  # rule switched off
    ],
)
def test_hotfix_rule(window, rules, marked) -> None:
    changes = [chg("a", at(9)), chg("b", at(10, 9), pr_labels=("HotFix",)), chg("c", at(11))]
    options = {"hotfix_window_hours": window}
    if rules is not None:
        options["failure_rules"] = rules
    report = run(DEPS, changes, **options)
    assert failed(report) == marked


def test_several_rules_on_one_deployment_are_all_kept() -> None:
    changes = [chg("a", at(9)), chg("b", at(10, 9), pr_labels=("hotfix",)), chg("c", at(11))]
    report = run(DEPS, changes, [inc("i", at(10, 1), at(10, 2))])
    assert failed(report) == {"1": ("incident", "hotfix")}
    assert org(report).change_failure_rate.failed == 1


def test_unrecovered_failure_is_left_out_and_reported() -> None:
    report = run(DEPS, CHANGES, [inc("i", at(13))])  # after d3, still open, no later deployment
    fd = org(report).failed_deployment_recovery_time
    assert (fd.n, fd.unrecovered, fd.median_hours) == (0, 1, None)
    assert fd.reason
    assert codes(org(report))["unrecovered_failures"] == 1
    assert codes(org(report))["open_incidents"] == 1


def test_recovery_counts_a_fix_deployed_after_the_period() -> None:
    deployments = [dep("1", at(30, 20, month=9), ["a"]), dep("2", at(1, 2, month=10), ["b"])]
    report = run(deployments, CHANGES, [inc("i", at(30, 21, month=9))])
    fd = org(report).failed_deployment_recovery_time
    assert (fd.n, fd.median_hours) == (1, pytest.approx(6))
    assert org(report).deployment_frequency.deployments == 1


def test_no_failure_gives_null_recovery_with_a_reason() -> None:
    scope = org(run(DEPS, CHANGES))
    assert scope.change_failure_rate.value == 0.0  # known: 0 of 3
    fd = scope.failed_deployment_recovery_time
    assert fd.median_hours is None and fd.tier is None and fd.reason


def test_rework_counts_restoring_and_labelled_deployments() -> None:
    changes = [chg("a", at(9)), chg("b", at(10, 9)), chg("c", at(11), pr_labels=("bug",))]
    report = run(DEPS, changes, [inc("i", at(10, 1), at(10, 12))])
    rework = org(report).rework_rate
    # d2 restored d1 (before the incident was resolved); d3 shipped a bug fix
    assert (rework.rework, rework.deployments) == (2, 3)
    assert rework.value == pytest.approx(2 / 3)


def test_a_deployment_after_the_incident_was_resolved_is_not_rework() -> None:
    report = run(DEPS, CHANGES, [inc("i", at(10, 1), at(10, 2))])
    assert org(report).rework_rate.rework == 0


def test_incident_mttr_uses_incidents_opened_in_the_period() -> None:
    incidents = [
        inc("before", at(29, month=6), at(2)),
        inc("i1", at(10, 1), at(10, 3)),
        inc("i2", at(20), at(20, 10)),
        inc("open", at(21)),
    ]
    mttr = org(run(DEPS, CHANGES, incidents)).incident_mttr
    assert (mttr.n, mttr.open) == (2, 1)
    assert (mttr.median_hours, mttr.p90_hours) == (pytest.approx(6), pytest.approx(9.2))


@pytest.mark.parametrize(
    ("labels", "rework"),
    [(["hotfix", "bug"], 1), (["hotfix"], 0), (["BUG"], 1)],
)
def test_rework_labels_option(labels, rework) -> None:
    changes = [chg("a", at(9)), chg("b", at(10, 9), pr_labels=("Bug",)), chg("c", at(11))]
    report = run(DEPS, changes, rework_labels=labels)
    assert org(report).rework_rate.rework == rework


@pytest.mark.parametrize(("min_sample", "warned"), [(3, False), (4, True)])
def test_min_sample_threshold(min_sample, warned) -> None:
    scope = org(run(DEPS, CHANGES, min_sample=min_sample))
    assert ("small_sample:deployment_frequency" in codes(scope)) is warned
    assert scope.deployment_frequency.per_week is not None  # the value is still given
