"""The demo organization: deterministic, internally consistent, and telling a true story."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatch
from pathlib import Path

import pytest

from opsmaturity.demo.organization import BOTS, END, MID, REPOS, START, TEAMS, authors
from opsmaturity.demo.source import (
    DEMO_ORGANIZATION,
    DemoData,
    DemoSource,
    demo_config,
    demo_teams,
    generate,
)
from opsmaturity.records import Change, Deployment, DeploymentStatus, to_dict
from opsmaturity.sources.base import MemoryCheckpoints, NullProgress, Window

ORDER = ("Checkout", "Catalog", "Platform", "Warehouse")
TEAM_OF = {r.full_name: r.team for r in REPOS}
MONOREPO = "northwind/platform-monorepo"
_CACHE: dict[int, DemoData] = {}


def demo(seed: int = 42) -> DemoData:
    if seed not in _CACHE:
        _CACHE[seed] = generate(seed)
    return _CACHE[seed]


def digest(data: DemoData) -> str:
    """SHA-256 of the records as the store would serialise them."""
    text = json.dumps([to_dict(r) for r in data.records()], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def seed_digest(seed: int) -> str:
    return digest(demo(seed))


def production(data: DemoData, repo: str | None = None) -> list[Deployment]:
    """Successful production deployments, oldest first."""
    found = [
        d
        for d in data.deployments
        if d.is_production
        and d.status is DeploymentStatus.SUCCESS
        and (repo is None or d.repository == repo)
    ]
    return sorted(found, key=lambda d: (d.finished_at, d.id))


def changes_by_key(data: DemoData) -> dict[tuple[str, str], Change]:
    return {(c.repository, c.sha): c for c in data.changes}


def quarter(when: datetime) -> str:
    return "Q2" if when < MID else "Q3"


# -- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_identical_records() -> None:
    again = generate(42)
    assert again.records() == demo(42).records()
    assert digest(again) == seed_digest(42)


def test_same_seed_same_hash_across_processes() -> None:
    """Nothing may depend on hash randomisation (set order) or on the process."""
    src = Path(__file__).resolve().parents[1] / "src"
    code = (
        "import hashlib, json; from opsmaturity.records import to_dict; "
        "from opsmaturity.demo.source import generate; "
        "print(hashlib.sha256(json.dumps([to_dict(r) for r in generate(42).records()], "
        "sort_keys=True).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "123"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == seed_digest(42)


def test_different_seed_gives_different_data() -> None:
    assert seed_digest(7) != seed_digest(42)
    assert {c.sha for c in demo(7).changes}.isdisjoint({c.sha for c in demo(42).changes})


# -- shape ---------------------------------------------------------------------------------


def test_organization_repositories_and_teams() -> None:
    data = demo()
    names = [r.full_name for r in data.repositories]
    assert len(names) >= 12 and len(set(names)) == len(names)
    assert all(n.startswith("northwind/") for n in names)
    assert [r.full_name for r in data.repositories if r.archived] == ["northwind/warehouse-edi"]
    assert dict(DEMO_ORGANIZATION) == {
        "name": "Northwind Retail",
        "engineers": 120,
        "profile": "software",
    }
    assert sum(t.engineers for t in TEAMS.values()) == 120
    teams = demo_teams()
    assert list(teams) == list(ORDER)
    for team in teams.values():
        assert set(team.repositories) <= set(names)
    sharing = [name for name, t in teams.items() if MONOREPO in t.repositories]
    assert sharing == ["Checkout", "Catalog", "Platform"]
    assert all(teams[name].paths[MONOREPO] for name in sharing)
    config = demo_config()
    assert config.reporting_period.label == "2026Q3"
    assert config.organization.name == "Northwind Retail" and config.teams == teams
    assert [s.kind for s in config.sources] == ["demo"]


def test_people_have_unique_logins_in_several_regions() -> None:
    people = [a for team in authors().values() for a in team]
    assert len({a.login for a in people}) == len(people)
    offsets = {a.zone.utcoffset(None) for a in people}
    assert len(offsets) == 4  # Europe, US East, US West, India


# -- invariants ----------------------------------------------------------------------------


def test_all_timestamps_are_utc() -> None:
    for record in demo().records():
        for f in dataclasses.fields(record):
            value = getattr(record, f.name)
            if isinstance(value, datetime):
                assert value.tzinfo is UTC, (record, f.name)


def test_deployments_lie_in_the_two_quarters_plus_one_predecessor() -> None:
    data = demo()
    active = [r.full_name for r in data.repositories if not r.archived]
    assert {d.repository for d in data.deployments} == set(active)
    for d in data.deployments:
        assert d.finished_at is not None and d.created_at < d.finished_at < END
    for repo in active:
        before = [d for d in data.deployments if d.repository == repo and d.finished_at < START]
        prod = [d for d in before if d.is_production]
        assert len(prod) == 1 and prod[0].status is DeploymentStatus.SUCCESS, repo
        assert START - prod[0].finished_at < timedelta(days=40)
    ids = Counter((d.repository, d.id) for d in data.deployments)
    assert max(ids.values()) == 1


def test_every_change_is_shipped_once_by_a_successful_production_deployment() -> None:
    data = demo()
    for repo in {c.repository for c in data.changes}:
        shipped = [sha for d in production(data, repo) for sha in d.change_shas]
        assert len(shipped) == len(set(shipped)), repo
        assert set(shipped) == {c.sha for c in data.changes if c.repository == repo}


def test_every_listed_sha_is_a_generated_change() -> None:
    data = demo()
    known = changes_by_key(data)
    for d in data.deployments:
        assert all((d.repository, sha) in known for sha in d.change_shas), d.id
        if d.change_shas:
            assert d.sha == d.change_shas[-1]  # the head is the newest commit shipped


def test_failed_attempts_are_shipped_by_the_next_success() -> None:
    data = demo()
    failed = [d for d in data.deployments if d.status is not DeploymentStatus.SUCCESS]
    assert {d.status for d in failed} == {
        DeploymentStatus.FAILURE,
        DeploymentStatus.ERROR,
        DeploymentStatus.CANCELLED,
    }
    for attempt in failed:
        assert attempt.is_production and attempt.change_shas
        after = [
            d for d in production(data, attempt.repository) if d.created_at > attempt.finished_at
        ]
        assert set(attempt.change_shas) <= set(after[0].change_shas)


def test_staging_deployments_precede_production_of_the_same_sha() -> None:
    data = demo()
    staging = [d for d in data.deployments if not d.is_production]
    assert staging and all(d.environment == "staging" for d in staging)
    assert all(d.environment == "production" for d in data.deployments if d.is_production)
    prod = {(d.repository, d.sha): d for d in production(data)}
    for d in staging:
        later = prod[(d.repository, d.sha)]
        assert d.finished_at < later.created_at
    assert {TEAM_OF[d.repository] for d in staging} == set(ORDER)


def test_rollbacks_redeploy_the_previous_sha() -> None:
    data = demo()
    rollbacks = 0
    for repo in {d.repository for d in data.deployments}:
        deployed = production(data, repo)
        for i, d in enumerate(deployed[2:], start=2):
            if d.sha in {e.sha for e in deployed[:i]}:
                rollbacks += 1
                assert d.change_shas == ()
                assert d.sha == deployed[i - 2].sha  # back over the bad one
    assert rollbacks >= 10


def test_reverts_reference_real_earlier_commits_and_get_deployed() -> None:
    data = demo()
    known = changes_by_key(data)
    first_shipped = {
        (d.repository, sha): d.finished_at for d in production(data) for sha in d.change_shas
    }
    reverts = [c for c in data.changes if c.reverts]
    assert len(reverts) >= 5
    for c in reverts:
        target = known[(c.repository, c.reverts)]
        assert re.fullmatch(rf'Revert ".+"\n\nThis reverts commit {c.reverts}\.', c.message)
        assert c.message.startswith(f'Revert "{target.message.splitlines()[0]}"')
        assert first_shipped[(c.repository, target.sha)] < first_shipped[(c.repository, c.sha)]


def test_pull_request_fields_are_consistent() -> None:
    data = demo()
    prs: dict[tuple[str, int], list[Change]] = defaultdict(list)
    for c in data.changes:
        assert c.pr_number is not None
        prs[(c.repository, c.pr_number)].append(c)
    for commits in prs.values():
        first = commits[0]
        assert {(c.pr_opened_at, c.pr_merged_at, c.pr_labels) for c in commits} == {
            (first.pr_opened_at, first.pr_merged_at, first.pr_labels)
        }
        assert first.pr_first_commit_at == min(c.authored_at for c in commits)
        assert first.pr_opened_at <= first.pr_merged_at  # type: ignore[operator]
        for c in commits:
            assert c.authored_at <= c.committed_at <= first.pr_merged_at  # type: ignore[operator]
        parents = [len(c.parents) for c in commits]
        # Humans merge with a merge commit (the last); bots' bumps are squash-merged.
        assert parents == ([1] if first.is_bot else [1] * (len(commits) - 1) + [2])
    labels = Counter(label for commits in prs.values() for label in commits[0].pr_labels)
    assert {"feature", "bug", "hotfix", "revert", "dependencies"} <= set(labels)
    sizes = [len(c) for c in prs.values() if not c[0].is_bot]
    assert statistics.mean(sizes) > 3  # several commits each, plus the merge commit


def test_numbers_are_shared_by_pull_requests_and_issues() -> None:
    data = demo()
    for repo in {c.repository for c in data.changes}:
        prs = {c.pr_number for c in data.changes if c.repository == repo}
        issues = {int(i.id) for i in data.incidents if i.repository == repo}
        assert prs.isdisjoint(issues), repo


def test_bot_commits_are_marked_and_a_small_share() -> None:
    data = demo()
    for c in data.changes:
        assert c.is_bot == c.author.endswith("[bot]")
    bots = [c for c in data.changes if c.is_bot]
    assert {c.author for c in bots} == set(BOTS)
    assert 0.03 < len(bots) / len(data.changes) < 0.15
    assert all(c.committed_at > c.authored_at for c in bots)  # squash-merged later


def test_human_commits_fall_in_local_working_hours() -> None:
    zone = {a.login: a.zone for team in authors().values() for a in team}
    humans = [c for c in demo().changes if not c.is_bot and len(c.parents) == 1]
    local = [c.authored_at.astimezone(zone[c.author]) for c in humans]
    ok = sum(t.weekday() < 5 and 8 <= t.hour < 19 for t in local if t)
    assert ok / len(local) > 0.97  # hotfixes and reverts may come at any hour
    utc_hours = {c.authored_at.hour for c in humans}
    assert len(utc_hours) == 24  # Europe, the US and India together cover the clock


def test_monorepo_changes_carry_paths_owned_by_a_team() -> None:
    data = demo()
    globs = {name: t.paths.get(MONOREPO, []) for name, t in demo_teams().items()}
    owners = Counter()
    for c in data.changes:
        if c.repository != MONOREPO:
            assert c.paths == ()
            continue
        assert c.paths
        for path in c.paths:
            matched = [name for name, g in globs.items() if any(fnmatch(path, p) for p in g)]
            assert len(matched) == 1, path
            owners[matched[0]] += 1
    assert set(owners) == {"Checkout", "Catalog", "Platform"}


def test_incidents_follow_a_deployment() -> None:
    data = demo()
    ids = {(d.repository, d.id): d for d in data.deployments}
    assert len(data.incidents) >= 20
    for i in data.incidents:
        assert i.labels == ("incident",) and i.severity in {"SEV1", "SEV2", "SEV3"}
        before = [d for d in production(data, i.repository) if d.finished_at < i.created_at]
        assert before, i
        assert i.resolved_at is None or i.resolved_at > i.created_at
        if i.linked_deployment:
            linked = ids[(i.repository, i.linked_deployment)]
            assert linked.finished_at < i.created_at
            assert linked == before[-1]  # the bad one: nothing deploys during an incident
    linked_count = sum(i.linked_deployment is not None for i in data.incidents)
    assert 0 < linked_count < len(data.incidents)
    assert {i.severity for i in data.incidents} == {"SEV1", "SEV2", "SEV3"}


# -- the story the data tells --------------------------------------------------------------


def team_figures(data: DemoData) -> dict[tuple[str, str], dict[str, float]]:
    """Per team and quarter: production deployments, median lead time (h), incidents."""
    known = changes_by_key(data)
    out: dict[tuple[str, str], dict[str, float]] = {}
    groups: dict[tuple[str, str], list[Deployment]] = defaultdict(list)
    for d in production(data):
        if d.finished_at >= START:
            groups[(TEAM_OF[d.repository], quarter(d.finished_at))].append(d)
    for key, deployed in groups.items():
        hours = [
            (d.finished_at - known[(d.repository, sha)].authored_at).total_seconds() / 3600
            for d in deployed
            for sha in d.change_shas
            if not known[(d.repository, sha)].is_bot
        ]
        incidents = [
            i
            for i in data.incidents
            if TEAM_OF[i.repository] == key[0] and quarter(i.created_at) == key[1]
        ]
        out[key] = {
            "deployments": len(deployed),
            "lead_hours": statistics.median(hours),
            "incidents_per_deployment": len(incidents) / len(deployed),
        }
    return out


@pytest.mark.parametrize("seed", [42, 7])
def test_teams_are_ordered_by_maturity(seed: int) -> None:
    figures = team_figures(demo(seed))
    for q in ("Q2", "Q3"):
        deployments = [figures[(t, q)]["deployments"] for t in ORDER]
        leads = [figures[(t, q)]["lead_hours"] for t in ORDER]
        assert deployments == sorted(deployments, reverse=True), (q, deployments)
        assert leads == sorted(leads), (q, leads)
        assert figures[("Checkout", q)]["lead_hours"] < 24  # hours, not days
        assert figures[("Checkout", q)]["deployments"] / 65 > 3  # several a day
        assert figures[("Warehouse", q)]["lead_hours"] > 7 * 24  # weeks


@pytest.mark.parametrize("seed", [42, 7])
def test_warehouse_improves_from_q2_to_q3(seed: int) -> None:
    figures = team_figures(demo(seed))
    q2, q3 = figures[("Warehouse", "Q2")], figures[("Warehouse", "Q3")]
    assert q3["deployments"] > q2["deployments"]
    assert q3["lead_hours"] < q2["lead_hours"] * 0.75
    assert q2["incidents_per_deployment"] > figures[("Checkout", "Q2")]["incidents_per_deployment"]


def test_checkout_recovers_within_the_hour_and_warehouse_takes_days() -> None:
    data = demo()
    hours: dict[str, list[float]] = defaultdict(list)
    for i in data.incidents:
        if i.resolved_at is not None:
            hours[TEAM_OF[i.repository]].append(
                (i.resolved_at - i.created_at).total_seconds() / 3600
            )
    assert max(hours["Checkout"]) < 1.5
    assert statistics.median(hours["Warehouse"]) > 24


# -- the Source interface ------------------------------------------------------------------


Q3 = Window(MID, END)


@pytest.fixture(scope="module")
def source() -> DemoSource:
    return DemoSource(seed=42)


def test_source_lists_active_repositories(source: DemoSource) -> None:
    assert source.name == "demo"
    names = [r.full_name for r in source.repositories()]
    assert "northwind/warehouse-edi" not in names and len(names) == 12
    assert len(DemoSource(include_archived=True).repositories()) == 13


def test_source_deployments_in_window_plus_the_last_success_before(source: DemoSource) -> None:
    repo = next(r for r in source.repositories() if r.full_name == "northwind/warehouse-wms")
    found = source.deployments(repo, Q3)
    expected_inside = [
        d for d in demo().deployments if d.repository == repo.full_name and d.finished_at >= MID
    ]
    assert found[1:] == sorted(expected_inside, key=lambda d: (d.finished_at, d.id))
    previous = [d for d in production(demo(), repo.full_name) if d.finished_at < MID]
    assert found[0] == previous[-1]


def test_source_changes_are_what_the_deployments_shipped(source: DemoSource) -> None:
    repo = next(r for r in source.repositories() if r.full_name == "northwind/catalog-api")
    deployments = source.deployments(repo, Q3)
    out = list(source.changes(repo, Q3, deployments))
    changes = [r for r in out if isinstance(r, Change)]
    again = [r for r in out if isinstance(r, Deployment)]
    assert again == deployments
    assert [c.sha for c in changes] == list(
        dict.fromkeys(s for d in deployments for s in d.change_shas)
    )


def test_source_incidents_opened_in_window_or_open_at_its_start(source: DemoSource) -> None:
    incident = next(i for i in demo().incidents if i.resolved_at is not None)
    repo = next(r for r in source.repositories() if r.full_name == incident.repository)
    during = Window(incident.created_at + timedelta(minutes=1), END)
    assert incident in source.incidents(repo, during)
    assert incident in source.incidents(repo, Window(START, END))
    after = Window(incident.resolved_at + timedelta(minutes=1), END)  # type: ignore[operator]
    assert incident not in source.incidents(repo, after)


def test_source_reports_progress(source: DemoSource) -> None:
    seen: list[tuple[str, str, int]] = []

    class Recorder:
        def advance(self, repository: str, resource: str, count: int = 1) -> None:
            seen.append((repository, resource, count))

        def waiting(self, seconds: float, reason: str) -> None:
            return None

    source.open(Recorder(), MemoryCheckpoints())
    try:
        repo = source.repositories()[0]
        source.deployments(repo, Q3)
        source.incidents(repo, Window(START, END))
    finally:
        source.open(NullProgress(), MemoryCheckpoints())
    assert seen[0] == ("*", "repositories", 12)
    assert seen[1][:2] == (repo.full_name, "deployments") and seen[1][2] > 0
    assert seen[2][:2] == (repo.full_name, "incidents")
