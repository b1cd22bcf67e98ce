"""Changes from the commit graph read once (issue 15), on both forges: every deployment
ships exactly git's ``previous..new`` (what a compare per deployment gave), PR/MR context
comes from the list endpoints, and the per-request extras are read only when asked for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from opsmaturity.config import Config
from opsmaturity.records import Change, Deployment, DeploymentStatus
from opsmaturity.sources import build_source
from opsmaturity.sources.base import Window
from opsmaturity.sources.org_shares import OrgShares
from tests import github_source_helpers as gh
from tests import gitlab_helpers as gl
from tests.fakeforge import Scenario, generate
from tests.fakeforge.github import FakeGitHub
from tests.fakeforge.gitlab import FakeGitLab

START, END = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC)
WINDOW = Window(START, END)


def scenario(seed: int) -> Scenario:
    return generate(seed, repos=2, deployments=12, commits=50, start=START, end=END)


def truth(sc: Scenario, deployments: list[Deployment]) -> dict[str, tuple[str, ...]]:
    """What a compare with the previous success gives, per deployment, oldest first."""
    expected: dict[str, tuple[str, ...]] = {}
    by_repo: dict[str, list[Deployment]] = {}
    for d in deployments:
        if d.status == DeploymentStatus.SUCCESS:
            by_repo.setdefault(d.repository, []).append(d)
    for name, deps in by_repo.items():
        repo = sc.repo(name)
        assert repo is not None
        deps.sort(key=lambda d: (d.finished_at, d.id))
        for prev, cur in zip(deps, deps[1:], strict=False):
            done = repo.ancestors(prev.sha)
            expected[cur.id] = tuple(c.sha for c in repo.history(cur.sha) if c.sha not in done)
    return expected


@pytest.mark.parametrize("seed", [1, 5, 11])
def test_github_ships_what_a_compare_per_deployment_would(seed: int) -> None:
    sc = scenario(seed)
    with FakeGitHub(sc) as server:
        store = gh.collect(gh.make_source(server, org="acme"), WINDOW)
        # the history once (one page); a compare only for the base before the window,
        # whose commit (30 days before the quarter) is older than the history read
        assert server.log.count("commits") == len(sc.repos)
        assert server.log.count("compare") <= len(sc.repos)
    deployments = list(gh.of_type(store, Deployment).values())
    expected = truth(sc, deployments)
    assert expected and {d.id: d.change_shas for d in deployments if d.id in expected} == expected


@pytest.mark.parametrize("seed", [1, 5, 11])
def test_gitlab_ships_what_a_compare_per_deployment_would(seed: int) -> None:
    sc = scenario(seed)
    with FakeGitLab(sc, token=gl.TOKEN) as fake:
        store = gl.collect(gl.make_source(fake, group="acme"), {}, WINDOW)
        assert fake.log.count("commits") == len(sc.repos)
        assert fake.log.count("compare") <= len(sc.repos)
        assert fake.log.count("deployment_merge_requests") == 0
    deployments = gl.of_kind(store, Deployment)
    expected = truth(sc, deployments)
    assert expected and {d.id: d.change_shas for d in deployments if d.id in expected} == expected


def test_both_forges_attribute_the_same_requests_and_bots() -> None:
    """One history, one answer: PR/MR number, bot flag and first-commit time per commit."""
    sc = scenario(7)
    with FakeGitHub(sc) as server:
        hub = gh.of_type(gh.collect(gh.make_source(server, org="acme"), WINDOW), Change)
    with FakeGitLab(sc, token=gl.TOKEN) as fake:
        lab = gl.of_kind(gl.collect(gl.make_source(fake, group="acme"), {}, WINDOW), Change)

    def facts(changes: list[Change]) -> dict[str, tuple[object, ...]]:
        return {
            c.sha: (c.pr_number, c.is_bot, c.pr_first_commit_at, c.pr_merged_at) for c in changes
        }

    assert facts(list(hub.values())) == facts(lab)
    kinds = {c.pr_number is None for c in lab} | {c.is_bot for c in lab}
    assert kinds == {True, False}  # direct pushes and PR commits, bots and humans


def test_first_commits_cost_requests_only_when_asked_for() -> None:
    sc = scenario(3)
    with FakeGitHub(sc) as server:
        asked = gh.collect(gh.make_source(server, org="acme"), WINDOW)
        assert server.log.count("pull_commits") > 0
        server.log.reset()
        source = gh.make_source(server, org="acme")
        source.change_reader.first_commits = False
        plain = gh.collect(source, WINDOW)
        assert server.log.count("pull_commits") == 0
    # the fake keeps a squash commit's author time from its first commit (as git does),
    # so the records agree; on GitHub the squash commit's own time would stand in
    assert plain == asked
    with FakeGitLab(sc, token=gl.TOKEN) as fake:
        gl.collect(gl.make_source(fake, group="acme", first_commits=False), {}, WINDOW)
        assert fake.log.count("merge_request_commits") == 0


@pytest.mark.parametrize(("start", "wanted"), [("commit", False), ("first_commit", True)])
def test_build_source_asks_for_first_commits_only_for_that_lead_time(
    start: str, wanted: bool
) -> None:
    config = Config.model_validate(
        {
            "organization": {"name": "Acme", "engineers": 40},
            "period": {"quarter": "2026Q3"},
            "sources": [
                {"kind": "github", "org": "acme", "token_env": "T"},
                {"kind": "gitlab", "group": "acme", "token_env": "T"},
            ],
            "metrics": {"lead_time_start": start},
        }
    )
    github, gitlab = (build_source(config, i, env={"T": "x"}) for i in range(2))
    assert github.change_reader.first_commits is wanted  # type: ignore[attr-defined]
    assert gitlab.first_commits is wanted  # type: ignore[attr-defined]
    github.close()


def test_an_org_wide_read_is_shared_and_vouched_for_only_when_all_took_their_share() -> None:
    shares: OrgShares[str] = OrgShares()
    shares.expect(["a", "b"])
    reads: list[int] = []
    saved: list[str] = []

    def read() -> tuple[dict[str, list[str]], object]:
        reads.append(1)
        return {"a": ["a1"], "b": ["b1", "b2"]}, lambda: saved.append("checkpoint")

    assert shares.share("a", read) == ["a1"]  # type: ignore[arg-type]
    shares.taken("a")
    assert saved == []  # b has not taken its share: a kill now must not skip b's records
    assert shares.share("b", read) == ["b1", "b2"]  # type: ignore[arg-type]
    assert reads == [1]  # read once for both
    shares.taken("b")
    assert saved == ["checkpoint"]
    shares.expect(["a", "b"])  # a new run reads again

    def failing() -> tuple[dict[str, list[str]], object]:
        raise RuntimeError("502")

    with pytest.raises(RuntimeError):
        shares.share("a", failing)  # type: ignore[arg-type]
    assert shares.share("b", read) == ["b1", "b2"]  # type: ignore[arg-type]  # tried again
