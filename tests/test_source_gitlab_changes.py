"""GitLabSource changes: every commit a deployment shipped (compare with the previous
success), merge requests only adding context — real python-gitlab against FakeGitLab, on
``gitlab_scenarios.mixed`` (expected values worked out in its docstring)."""

from __future__ import annotations

import pytest

from opsmaturity.config import DeploymentDetection, MetricsOptions
from opsmaturity.period import Period
from opsmaturity.records import Change, CollectionNote, Deployment, Incident, Repository
from opsmaturity.sources.base import Window
from tests.fakeforge.gitlab import FakeGitLab
from tests.fakeforge.gitlab_scenarios import at, mixed
from tests.gitlab_helpers import Store, collect, make_source, of_kind

SHIPPED = [
    [],  # E0, the baseline
    ["Hotfix config", "Add search part 1", "Add search part 2", "Merge pull request #1 from pr-1"]
    + ["Tweak docs"],
    ["Squash it (#2)", "Bump deps", "Fix typo"],
    [],  # E3: E2's SHA again
    ["Direct only"],
    [],  # E5: rollback
    ["Direct only"],  # E6: re-shipped after the rollback
]

GITLAB_SCENARIO = mixed


def shipped(store: Store) -> list[list[str]]:
    """Messages of each deployment's changes, deployments in time order."""
    changes = {c.sha: c for c in of_kind(store, Change)}
    deps = sorted(of_kind(store, Deployment), key=lambda d: d.created_at)
    return [[changes[s].message for s in d.change_shas] for d in deps]


def test_every_commit_shipped_is_a_change(fake: FakeGitLab) -> None:
    store = collect(make_source(fake), {})
    assert shipped(store) == SHIPPED
    by_message = {c.message: c for c in of_kind(store, Change)}
    assert {m: c.pr_number for m, c in by_message.items()} == {
        "Hotfix config": None,
        "Add search part 1": 1,
        "Add search part 2": 1,
        "Merge pull request #1 from pr-1": 1,
        "Tweak docs": None,
        "Squash it (#2)": 2,
        "Bump deps": None,
        "Fix typo": None,
        "Direct only": None,
    }
    squash = by_message["Squash it (#2)"]
    assert squash.pr_labels == ("feature",) and squash.pr_merged_at == at(7, 5, 10)
    assert squash.pr_first_commit_at == at(7, 4, 9)  # "Squash it part 1", before squashing
    merge = by_message["Merge pull request #1 from pr-1"]
    assert len(merge.parents) == 2 and merge.pr_merged_at == at(7, 2, 10)
    assert by_message["Hotfix config"].pr_merged_at is None
    assert [c.is_bot for c in of_kind(store, Change)].count(True) == 1  # Bump deps


def test_one_compare_per_new_sha_and_mrs_only_where_commits_shipped(fake: FakeGitLab) -> None:
    collect(make_source(fake), {})
    assert fake.log.count("compare") == 5  # E1, E2, E4, E5, E6 (E3 = E2's SHA: none)
    assert fake.log.count("deployment_merge_requests") == 4  # not for E5's empty compare
    assert fake.log.count("merge_request_commits") == 2  # !1 and !2, once each
    assert fake.log.count("merge_requests") == 1  # E4/E6 have no linked MR: the index, once


def test_pipelines_detection_ships_the_same_commits(fake: FakeGitLab) -> None:
    store = collect(make_source(fake, detection=DeploymentDetection(method="pipelines")), {})
    assert shipped(store) == SHIPPED
    assert fake.log.count("deployment_merge_requests") == 0
    changes = {c.message: c.pr_number for c in of_kind(store, Change)}
    assert (changes["Squash it (#2)"], changes["Merge pull request #1 from pr-1"]) == (2, 1)


def test_first_deployment_without_predecessor_keeps_its_merge_requests(
    fake: FakeGitLab,
) -> None:
    """A window opening before E0: no success before it, so E0 has nothing to compare
    with and ships its linked MRs' commits (none); the rest is compared as before."""
    store = collect(make_source(fake), {}, window=Window(at(6, 1), at(10, 1)))
    assert shipped(store) == SHIPPED
    assert fake.log.count("compare") == 5
    assert fake.log.count("deployment_merge_requests") == 5  # E0's own, and 4 as before


def test_failed_compare_falls_back_to_the_deployments_merge_requests(fake: FakeGitLab) -> None:
    fake.faults.status(404, times=1, endpoint="compare")  # E1's
    store = collect(make_source(fake), {})
    assert shipped(store) == [[], ["Add search part 1", "Add search part 2"], *SHIPPED[2:]]
    notes = [n.message for n in of_kind(store, CollectionNote) if n.resource == "changes"]
    assert len(notes) == 1 and "(404)" in notes[0] and "merge requests' commits" in notes[0]


def test_lead_time_from_merge_counts_direct_pushes_by_commit_time(fake: FakeGitLab) -> None:
    """Our engine with ``lead_time_start=merge``: an MR is one value from its merge, a
    commit without MR one value from its committer time (with a warning) — so direct
    pushes move our figure away from GitLab's, which counts MRs only."""
    from opsmaturity.metrics import engine

    q3 = Period.quarter("2026Q3")
    store = collect(make_source(fake), {})
    report = engine.compute_metrics(
        repositories=of_kind(store, Repository),
        deployments=of_kind(store, Deployment),
        changes=of_kind(store, Change),
        incidents=of_kind(store, Incident),
        teams={},
        period=q3,
        options=MetricsOptions(lead_time_start="merge"),
    )
    lead = report.scope("repository", "northwind/mixed").lead_time_for_changes
    assert lead.n == 6
    assert lead.median_hours == pytest.approx((1 + 5 / 60 + 24 + 5 / 60) / 2)
    warnings = {w.code: w.count for w in report.scope("repository", "northwind/mixed").warnings}
    assert warnings.get("pull_request_fallback") == 4
    gitlab = make_source(fake).dora_metrics(q3, project="northwind/mixed")
    assert gitlab is not None and gitlab["lead_time_for_changes"] == 86_700.0
