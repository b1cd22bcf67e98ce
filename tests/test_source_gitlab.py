"""GitLabSource with the real python-gitlab against FakeGitLab: scope, detection, changes,
incidents, bots and monorepo paths (expected values worked out in gitlab_scenarios)."""

from __future__ import annotations

from urllib.parse import parse_qs

from opsmaturity.config import DeploymentDetection
from opsmaturity.config import GitLabSource as GitLabConfig
from opsmaturity.records import (
    Change,
    CollectionNote,
    Deployment,
    Detection,
    Incident,
    record_key,
)
from opsmaturity.sources.base import Window
from opsmaturity.sources.gitlab import GitLabSource
from tests.fakeforge.gitlab import FakeGitLab
from tests.fakeforge.gitlab_scenarios import at
from tests.gitlab_helpers import TOKEN, WINDOW, Store, collect, make_source, of_kind


def run(fake: FakeGitLab, **kwargs: object) -> Store:
    return collect(make_source(fake, **kwargs), {})


def deployments_of(store: Store, repo: str) -> list[Deployment]:
    deps = [d for d in of_kind(store, Deployment) if d.repository == repo]
    return sorted(deps, key=lambda d: d.created_at)


# -- scope ------------------------------------------------------------------------------------
def test_group_with_subgroups_skips_archived_and_applies_globs(fake: FakeGitLab) -> None:

    def names(src: GitLabSource) -> list[str]:
        return [r.full_name for r in src.repositories()]

    assert names(make_source(fake)) == ["northwind/checkout", "northwind/platform/billing"]
    assert names(make_source(fake, include_archived=True)) == [
        "northwind/checkout",
        "northwind/legacy",
        "northwind/platform/billing",
    ]
    assert names(make_source(fake, include=["platform/*"])) == ["northwind/platform/billing"]
    assert names(make_source(fake, exclude=["check*"])) == ["northwind/platform/billing"]
    explicit = make_source(fake, group=None, projects=["northwind/checkout"])
    assert names(explicit) == ["northwind/checkout"]


def test_from_config_reads_the_token_from_the_named_env_var(fake: FakeGitLab) -> None:
    cfg = GitLabConfig(kind="gitlab", base_url=fake.url, group="northwind", token_env="GL_RO")
    source = GitLabSource.from_config(cfg, "gitlab", env={"GL_RO": TOKEN})
    assert [r.full_name for r in source.repositories()][0] == "northwind/checkout"


# -- detection methods -------------------------------------------------------------------------
def test_deployments_api_with_merge_request_changes(fake: FakeGitLab) -> None:
    store = run(fake)
    deps = deployments_of(store, "northwind/checkout")
    assert [(d.created_at, d.status.value, d.detection) for d in deps] == [
        (at(6, 10, 9), "success", Detection.DEPLOYMENT),  # baseline before the window
        (at(7, 3, 10), "success", Detection.DEPLOYMENT),
        (at(7, 7, 9), "failure", Detection.DEPLOYMENT),
        (at(7, 7, 18), "success", Detection.DEPLOYMENT),
        (at(7, 12, 0), "success", Detection.DEPLOYMENT),
    ]
    assert deps[3].finished_at == at(7, 7, 18, 5)
    # compare with the previous success: D1 = !1's 2 commits + its merge commit; D3 = !2's
    # squash commit + the bot's direct push; D4 = !4's 2 rebased commits
    assert [len(d.change_shas) for d in deps] == [0, 3, 0, 2, 2]  # staging deploy not listed
    changes = {c.sha: c for c in of_kind(store, Change) if c.repository == "northwind/checkout"}
    assert sorted(c.pr_number or 0 for c in changes.values()) == [0, 1, 1, 1, 2, 4, 4]
    assert {c.pr_labels for c in changes.values() if c.pr_number == 1} == {("feature",)}
    notes = [n.message for n in of_kind(store, CollectionNote)]
    assert "deployments from GitLab Deployments API, environment(s) production" in notes


def test_squash_merge_resolves_to_the_merge_request(fake: FakeGitLab) -> None:
    """The squash commit is what shipped; its MR gives the context, and the MR's own
    (pre-squash) commits the first-commit time."""
    store = run(fake)
    d3 = deployments_of(store, "northwind/checkout")[3]
    shipped = {c.sha: c for c in of_kind(store, Change) if c.sha in d3.change_shas}
    assert [(shipped[s].message, shipped[s].pr_number) for s in d3.change_shas] == [
        ("Pay faster (#2)", 2),
        ("Bump lodash", None),
    ]
    squash = shipped[d3.change_shas[0]]
    assert squash.pr_first_commit_at == at(7, 5, 8)  # "Pay faster part 1"
    assert (squash.pr_merged_at, squash.pr_opened_at) == (at(7, 6, 12), at(7, 5, 8))
    assert squash.committed_at == at(7, 6, 12)
    pre_squash = [c for c in of_kind(store, Change) if c.message.startswith("Pay faster part")]
    assert pre_squash == []  # never on the default branch, so never shipped


def test_pipelines_with_a_deploy_job_and_compare_between_them(fake: FakeGitLab) -> None:
    store = run(fake, detection=DeploymentDetection(method="pipelines"))
    deps = deployments_of(store, "northwind/checkout")
    assert {d.detection for d in deps} == {Detection.PIPELINE}
    assert [d.status.value for d in deps] == ["success", "success", "failure", "success", "success"]
    assert [len(d.change_shas) for d in deps] == [0, 3, 0, 2, 2]  # as from the Deployments API
    changes = {c.sha: c for c in of_kind(store, Change) if c.repository == "northwind/checkout"}
    d1 = [changes[s] for s in deps[1].change_shas]
    assert [(c.message, c.pr_number) for c in d1] == [
        ("Add cart part 1", 1),
        ("Add cart part 2", 1),
        ("Merge pull request #1 from pr-1", 1),
    ]  # merge commit included, with its MR
    d3 = [changes[s] for s in deps[3].change_shas]
    assert [(c.pr_number or 0, c.is_bot) for c in d3] == [(2, False), (0, True)]
    assert {changes[s].pr_number for s in deps[4].change_shas} == {4}  # fast-forward MR found


def test_auto_detection_falls_back_to_releases(fake: FakeGitLab) -> None:
    store = run(fake)
    deps = deployments_of(store, "northwind/platform/billing")
    assert [(d.id, d.detection) for d in deps] == [
        ("v0.1.0", Detection.RELEASE),
        ("v0.2.0", Detection.RELEASE),
    ]
    refunds = [c for c in of_kind(store, Change) if c.sha in deps[1].change_shas]
    assert sorted((c.message, c.pr_number) for c in refunds) == [
        ("Merge pull request #2 from pr-2", 2),
        ("Refunds part 1", 2),
    ]


def test_tags_method(fake: FakeGitLab) -> None:
    store = run(fake, detection=DeploymentDetection(method="tags"), include=["checkout"])
    deps = deployments_of(store, "northwind/checkout")
    assert [(d.id, d.detection, d.finished_at) for d in deps] == [
        ("v1.0.0", Detection.TAG, at(7, 11, 0))
    ]


def test_no_deployments_found_is_a_note_not_an_error(fake: FakeGitLab) -> None:
    store = run(
        fake,
        detection=DeploymentDetection(method="tags", tag_pattern="release-*"),
        include=["platform/*"],
    )
    assert of_kind(store, Deployment) == []
    store = run(fake, include=["legacy"], include_archived=True)
    assert any("no deployments found" in n.message for n in of_kind(store, CollectionNote))


# -- incidents ------------------------------------------------------------------------------------
def test_incidents_by_type_and_by_label(fake: FakeGitLab) -> None:
    store = run(fake, include=["checkout"])
    incidents = of_kind(store, Incident)
    assert [(i.title, i.created_at, i.resolved_at, i.severity) for i in incidents] == [
        ("Checkout down", at(7, 7, 9, 30), at(7, 7, 11, 30), "sev1"),
        ("Slow page", at(7, 20, 8), None, None),
    ]


def test_incident_title_pattern_and_open_before_the_window(fake: FakeGitLab) -> None:
    from opsmaturity.config import IncidentDetection

    rules = IncidentDetection(labels=[], title_pattern="^Typo")
    store = run(fake, include=["checkout"], incidents=rules)
    assert [i.title for i in of_kind(store, Incident)] == ["Checkout down", "Typo"]
    late = collect(make_source(fake, include=["checkout"]), {}, window=Window(at(7, 21), at(10, 1)))
    assert [i.title for i in of_kind(late, Incident)] == ["Slow page"]  # opened earlier, open


# -- bots, monorepo paths, paging discipline ---------------------------------------------------
def test_bots_flagged_and_monorepo_paths(fake: FakeGitLab) -> None:
    store = run(
        fake,
        detection=DeploymentDetection(method="pipelines"),
        monorepos=["northwind/checkout"],
        include=["checkout"],
    )
    changes = of_kind(store, Change)
    bot = [c for c in changes if c.is_bot]
    assert [(c.message, c.paths) for c in bot] == [("Bump lodash", ("package-lock.json",))]
    assert {c.paths for c in changes if c.pr_number == 1} == {("services/cart/app.py",)}
    assert fake.log.count("commit_diff") == len(changes)


def test_every_list_asks_for_100_per_page(fake: FakeGitLab) -> None:
    run(fake)
    lists = [e for e in fake.log.entries if e.endpoint not in ("gitlab.compare", "gitlab.project")]
    assert lists
    sizes = {parse_qs(e.query).get("per_page", ["?"])[0] for e in lists}
    assert sizes <= {"100", "1"}


def test_explicit_deployments_method_without_production_environment(fake: FakeGitLab) -> None:
    store = run(fake, detection=DeploymentDetection(method="deployments"), include=["platform/*"])
    assert of_kind(store, Deployment) == []
    assert [n.message for n in of_kind(store, CollectionNote)] == [
        "no production environment (tier production or a configured name) in this project"
    ]


def test_a_lost_history_is_a_note_and_collection_goes_on(fake: FakeGitLab) -> None:
    fake.faults.status(404, times=None, endpoint="commits")  # type: ignore[arg-type]
    fake.faults.status(404, times=None, endpoint="compare")  # type: ignore[arg-type]
    store = run(fake, include=["platform/*"])
    deps = deployments_of(store, "northwind/platform/billing")
    assert [d.change_shas for d in deps] == [(), ()]
    notes = [n.message for n in of_kind(store, CollectionNote) if "compare not found" in n.message]
    assert len(notes) == 2 and all(d.id in n for d, n in zip(deps, notes, strict=True))


def test_with_the_collector_and_store_concurrently(fake: FakeGitLab, tmp_path: object) -> None:
    """The lead's collector runs projects in parallel through one source."""
    from pathlib import Path

    from opsmaturity.collect import collect as collect_all
    from opsmaturity.store import Store

    expected = run(fake)
    with Store(Path(str(tmp_path)) / "store.sqlite") as store:
        summary = collect_all(make_source(fake), store, WINDOW, concurrency=4)
        assert summary.failed == {}
        for kind in (Deployment, Change, Incident):
            assert sorted(store.records(kind), key=record_key) == of_kind(expected, kind)


def test_workflow_runs_method_means_pipelines_on_gitlab(fake: FakeGitLab) -> None:
    store = run(fake, detection=DeploymentDetection(method="workflow_runs"), include=["checkout"])
    assert {d.detection for d in of_kind(store, Deployment)} == {Detection.PIPELINE}
    assert len(of_kind(store, Deployment)) == 5
