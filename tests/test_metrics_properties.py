"""Hypothesis invariants: input order never matters, noise outside the period never matters,
lead times are never negative, rates stay fractions."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsmaturity.config import Team

from .test_metrics_fixtures import Q3, at, chg, dep, inc, run

REPOS = ("org/a", "org/b")
START = at(1)  # 1 July 2026
TEAMS = {"both": Team(repositories=["org/*"]), "a": Team(repositories=["org/a"])}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def hours(h: int):
    return START + timedelta(hours=h)


@st.composite
def worlds(draw, resolved: bool = False):
    """Two repositories, commits from 40 days before the period, deployments around it.

    Times are whole hours so that ties (same finish time) happen and must not matter.
    """
    changes, deployments, incidents = [], [], []
    for repo in REPOS:
        n = draw(st.integers(0, 8))
        shas = [f"{repo[-1]}{k}" for k in range(n)]
        for k, sha in enumerate(shas):
            changes.append(
                chg(
                    sha,
                    hours(draw(st.integers(-40 * 24, 95 * 24))),
                    repo=repo,
                    is_bot=draw(st.booleans()),
                    pr_labels=tuple(
                        draw(st.lists(st.sampled_from(["hotfix", "bug", "x"]), max_size=2))
                    ),
                    reverts=draw(st.none() | st.sampled_from(shas[:k] or [None])),
                    pr_number=draw(st.none() | st.integers(1, 3)),
                    pr_merged_at=hours(draw(st.integers(-30 * 24, 95 * 24))),
                )
            )
        for k in range(draw(st.integers(0, 8))):
            shipped = draw(st.lists(st.sampled_from(shas), max_size=4, unique=True)) if shas else []
            head = draw(st.none() | st.sampled_from(shas)) if shas else None
            deployments.append(
                dep(
                    str(k),
                    hours(draw(st.integers(-20 * 24, 100 * 24))),
                    shipped,
                    repo=repo,
                    head=head,
                    env=draw(st.sampled_from(["production", "prod", "staging"])),
                    status=draw(st.sampled_from(["success", "success", "failure"])),
                )
            )
        for k in range(draw(st.integers(0, 3))):
            created = draw(st.integers(-10 * 24, 95 * 24))
            duration = draw(st.integers(0, 72) if resolved else st.none() | st.integers(0, 72))
            incidents.append(
                inc(
                    f"{repo}{k}",
                    hours(created),
                    None if duration is None else hours(created + duration),
                    repo=repo,
                    severity=draw(st.sampled_from([None, "SEV1", "SEV3"])),
                )
            )
    options = draw(
        st.fixed_dictionaries(
            {
                "lead_time_start": st.sampled_from(["commit", "first_commit", "merge"]),
                "timezone": st.sampled_from(["UTC", "Europe/Paris", "Pacific/Auckland"]),
                "severities": st.sampled_from([None, ["SEV1"]]),
                "incident_scope": st.sampled_from(["repository", "team"]),
            }
        )
    )
    return deployments, changes, incidents, options


def compute(world, bucket="month"):
    deployments, changes, incidents, options = world
    return run(
        deployments,
        changes,
        incidents,
        repositories=list(REPOS),
        teams=TEAMS,
        trend_bucket=bucket,
        **options,
    ).to_json()


@SETTINGS
@given(worlds(), st.randoms(use_true_random=False), st.sampled_from(["week", "month"]))
def test_shuffling_the_records_never_changes_a_result(world, rnd, bucket) -> None:
    deployments, changes, incidents, options = world
    shuffled = [list(deployments), list(changes), list(incidents)]
    for records in shuffled:
        rnd.shuffle(records)
    assert compute((*shuffled, options), bucket) == compute(world, bucket)


@SETTINGS
@given(worlds(resolved=True), st.data())
def test_records_outside_the_period_never_change_a_result(world, data) -> None:
    deployments, changes, incidents, options = world
    late = hours(150 * 24)  # after every time in the world and any hotfix window
    noise_deps = [
        dep(
            f"n{k}",
            hours(data.draw(st.integers(-60 * 24, 120 * 24))),
            [f"n{k}"],
            repo=repo,
            env=data.draw(st.sampled_from(["staging", "production"])),
            status="failure",
        )
        for k, repo in enumerate(data.draw(st.lists(st.sampled_from(REPOS), max_size=4)))
    ]
    noise_deps += [
        dep(f"p{k}", late + timedelta(hours=k), [f"p{k}"], repo=repo)
        for k, repo in enumerate(REPOS)
    ]
    noise_changes = [chg(f"p{k}", late, repo=repo) for k, repo in enumerate(REPOS)]
    noise_changes += [
        chg(f"u{k}", hours(data.draw(st.integers(-90 * 24, 200 * 24))), repo=repo)
        for k, repo in enumerate(REPOS)
    ]
    noise_incidents = [
        inc(
            f"late{k}",
            late + timedelta(days=2),
            late + timedelta(days=3),
            repo=repo,
            severity="SEV1",
        )
        for k, repo in enumerate(REPOS)
    ]
    noisy = (
        deployments + noise_deps,
        changes + noise_changes,
        incidents + noise_incidents,
        options,
    )
    assert compute(noisy) == compute(world)


@SETTINGS
@given(worlds())
def test_lead_times_are_never_negative_and_rates_are_fractions(world) -> None:
    doc = compute(world, "week")
    for scope in doc["scopes"]:
        lt = scope["lead_time_for_changes"]
        for key in ("median_hours", "p75_hours", "p90_hours"):
            assert lt[key] is None or lt[key] >= 0
        if lt["n"]:
            assert lt["median_hours"] <= lt["p75_hours"] <= lt["p90_hours"]
        cfr = scope["change_failure_rate"]
        assert 0 <= cfr["failed"] <= cfr["deployments"]
        for value in (cfr["value"], scope["rework_rate"]["value"]):
            assert value is None or 0 <= value <= 1
        fd = scope["failed_deployment_recovery_time"]
        assert fd["n"] + fd["unrecovered"] <= cfr["failed"]
        assert fd["median_hours"] is None or fd["median_hours"] >= 0
        df = scope["deployment_frequency"]
        assert df["deployment_days"] <= df["deployments"]
    for point in doc["trend"]:
        assert point["lead_time_median_hours"] is None or point["lead_time_median_hours"] >= 0
    org = doc["scopes"][0]
    weekly = [t for t in doc["trend"] if t["scope"] == "organization"]
    assert sum(t["deployments"] for t in weekly) == org["deployment_frequency"]["deployments"]
    assert sum(t["lead_time_n"] for t in weekly) == org["lead_time_for_changes"]["n"]
    assert sum(t["failed"] for t in weekly) == org["change_failure_rate"]["failed"]


@SETTINGS
@given(worlds(), st.randoms(use_true_random=False))
def test_the_store_path_equals_the_record_path_after_any_sequence_of_upserts(world, rnd) -> None:
    """Records arrive in batches, with metrics read (and packs cached) between them: the
    packs kept in the store never lag behind the records."""
    from opsmaturity.config import MetricsOptions
    from opsmaturity.metrics import metrics_from_store
    from opsmaturity.records import Repository
    from opsmaturity.store import Store

    deployments, changes, incidents, options = world
    records = [*deployments, *changes, *incidents]
    rnd.shuffle(records)
    cut = sorted(rnd.randint(0, len(records)) for _ in range(2))
    kw = {"teams": TEAMS, "period": Q3, "options": MetricsOptions(**options)}
    with Store(":memory:") as store:
        store.upsert("s", [Repository(r) for r in REPOS])
        for batch in (records[: cut[0]], records[cut[0] : cut[1]], records[cut[1] :]):
            store.upsert("s", batch)
            result = metrics_from_store(store, **kw).to_json()
    expected = run(
        deployments, changes, incidents, repositories=list(REPOS), teams=TEAMS, **options
    )
    assert result == expected.to_json()
