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


def test_history_once_and_merged_mrs_once_not_per_deployment(fake: FakeGitLab) -> None:
    collect(make_source(fake), {})
    assert fake.log.count("commits") == 1  # the history, one page, once
    assert fake.log.count("merge_requests") == 1  # merged MRs, once
    # every deployed SHA is in the history; E0's (the base, 06-01) is older than it reaches
    # (E0's deployment, 06-10, less 7 days): E1 is compared with it instead
    assert fake.log.count("compare") == 1
    assert fake.log.count("deployment_merge_requests") == 0
    assert fake.log.count("merge_request_commits") == 1  # !2, a squash: its first commit


def test_without_first_commit_lead_times_no_merge_request_commits(fake: FakeGitLab) -> None:
    store = collect(make_source(fake, first_commits=False), {})
    assert shipped(store) == SHIPPED
    assert fake.log.count("merge_request_commits") == 0
    squash = next(c for c in of_kind(store, Change) if c.message == "Squash it (#2)")
    # the fake keeps the first commit's author time on the squash commit, as git does
    assert squash.pr_first_commit_at == at(7, 4, 9)


def test_pipelines_detection_ships_the_same_commits(fake: FakeGitLab) -> None:
    store = collect(make_source(fake, detection=DeploymentDetection(method="pipelines")), {})
    assert shipped(store) == SHIPPED
    assert fake.log.count("deployment_merge_requests") == 0
    changes = {c.message: c.pr_number for c in of_kind(store, Change)}
    assert (changes["Squash it (#2)"], changes["Merge pull request #1 from pr-1"]) == (2, 1)


def test_first_deployment_without_predecessor_ships_its_commits_since_the_window_start(
    fake: FakeGitLab,
) -> None:
    """A window opening before E0: no success before it, so E0 ships the commits reachable
    from it since the look-back start (the window's), with a note saying so."""
    store = collect(make_source(fake), {}, window=Window(at(6, 1), at(10, 1)))
    assert shipped(store) == [["Initial commit"], *SHIPPED[1:]]
    assert fake.log.count("deployment_merge_requests") == 0
    notes = [n.message for n in of_kind(store, CollectionNote) if n.resource == "changes"]
    assert len(notes) == 1 and "no earlier successful deployment" in notes[0]
    later = collect(make_source(fake), {}, window=Window(at(6, 5), at(10, 1)))
    assert shipped(later)[0] == []  # Initial commit (06-01) is older than the window


def test_a_deployed_sha_the_history_lacks_is_added_by_one_compare(fake: FakeGitLab) -> None:
    fake.faults.status(404, times=1, endpoint="commits")  # E6's SHA cannot be listed
    store = collect(make_source(fake), {})
    assert shipped(store) == SHIPPED  # read from E5's SHA (E2's), E4's added by a compare
    assert fake.log.count("compare") == 2  # and E1 compared with E0's (older) SHA
    assert not [n for n in of_kind(store, CollectionNote) if "(404)" in n.message]


def test_a_force_pushed_sha_is_a_note_and_ships_nothing(fake: FakeGitLab) -> None:
    fake.faults.status(404, times=1, endpoint="commits")
    fake.faults.status(404, times=1, endpoint="compare")  # and GitLab no longer has it
    store = collect(make_source(fake), {})
    # E4 and E6 deployed the lost SHA; E5 rolled back from it
    assert shipped(store) == [*SHIPPED[:4], [], [], []]
    notes = [n.message for n in of_kind(store, CollectionNote) if "compare not found" in n.message]
    assert len(notes) == 3 and all("has no change records" in n for n in notes)


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
