"""The demo organization's shape: people, teams, repositories and how each team works.

Data, not logic: :mod:`opsmaturity.demo.source` turns these profiles into records. The
numbers are chosen so the four teams land in clearly different DORA tiers (Checkout near
elite, Catalog high, Platform medium, Warehouse low) and Warehouse improves from 2026Q2
to 2026Q3, so every table, chart and quarter-over-quarter comparison has something true
to show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

from ..config import Team
from ..records import Detection

ORG = "northwind"
START = datetime(2026, 4, 1, tzinfo=UTC)
"""First instant of the demo data's first quarter (2026Q2)."""
MID = datetime(2026, 7, 1, tzinfo=UTC)
"""First instant of 2026Q3: profiles switch from ``q2`` to ``q3`` here."""
END = datetime(2026, 10, 1, tzinfo=UTC)
"""First instant after 2026Q3; no deployment finishes at or after it."""
QUARTERS = ("2026Q2", "2026Q3")

DEMO_ORGANIZATION: Mapping[str, Any] = MappingProxyType(
    {"name": "Northwind Retail", "engineers": 120, "profile": "software"}
)
"""The ``organization:`` section of a demo config (read-only; spread it into a dict)."""

# Fixed summer offsets rather than IANA zones: the data lies between late March and
# September, all within daylight-saving time, and fixed offsets need no tzdata on the host.
ZONES = {
    "europe": timezone(timedelta(hours=2), "CEST"),
    "us-east": timezone(timedelta(hours=-4), "EDT"),
    "us-west": timezone(timedelta(hours=-7), "PDT"),
    "india": timezone(timedelta(hours=5, minutes=30), "IST"),
}

_NAMES = {
    "europe": (
        ("lena", "jonas", "marta", "pieter", "sofia", "lukas", "ines", "tomas", "greta"),
        ("fischer", "kowalski", "jansen", "rossi", "novak", "dubois", "lindqvist", "moreau"),
    ),
    "us-east": (
        ("maya", "ethan", "olivia", "marcus", "chloe", "darius", "hannah", "tyler"),
        ("brooks", "nguyen", "carter", "reyes", "walsh", "bennett", "hughes"),
    ),
    "us-west": (
        ("ava", "diego", "kai", "riley", "noah", "zoe"),
        ("tanaka", "garcia", "park", "sullivan", "lopez"),
    ),
    "india": (
        ("priya", "arjun", "ananya", "rohan", "kavya", "vikram", "meera", "aditya", "isha"),
        ("sharma", "iyer", "patel", "reddy", "nair", "gupta", "menon", "rao"),
    ),
}

BOTS = ("dependabot[bot]", "renovate[bot]")


@dataclass(frozen=True, slots=True)
class Author:
    """An engineer: a forge login, a team and the zone of their working day."""

    login: str
    team: str
    zone: timezone


@dataclass(frozen=True, slots=True)
class Cadence:
    """How a team works during one quarter; ranges are (low, high) for uniform draws."""

    prs_per_day: float
    """Human pull requests merged per working day, per repository."""
    commits_per_pr: tuple[int, int]
    """Commits on a pull request's branch (a merge commit is added on top)."""
    coding_hours: tuple[float, float]
    """First commit → pull request opened."""
    review_hours: tuple[float, float]
    """Pull request opened → merged."""
    deploys_per_week: float
    """Regular production deployments per week, per repository."""
    deploy_minutes: tuple[float, float]
    """How long one deployment runs."""
    attempt_fail: float
    """Share of deployment attempts that fail in the pipeline and are retried."""
    change_fail: float
    """Share of successful production deployments that degrade service."""
    recovery_hours: tuple[float, float]
    """Bad deployment finished → the remediation deployment finished."""
    incident_share: float
    """Share of change failures for which someone opens an incident."""
    remedies: tuple[tuple[str, float], ...]
    """Weights of ``rollback``, ``revert`` and ``hotfix`` remediation."""
    severities: tuple[tuple[str, float], ...]
    """Weights of incident severities."""


@dataclass(frozen=True, slots=True)
class TeamProfile:
    """A team: its size, where its people work, and how it works each quarter."""

    name: str
    engineers: int
    regions: tuple[tuple[str, int], ...]
    """Region → number of active committers."""
    q2: Cadence
    q3: Cadence
    monorepo_paths: tuple[str, ...]
    """Folders of ``platform-monorepo`` this team owns."""
    incident_titles: tuple[str, ...]

    def cadence(self, when: datetime) -> Cadence:
        """The cadence in force at ``when``."""
        return self.q2 if when < MID else self.q3


@dataclass(frozen=True, slots=True)
class RepoSpec:
    """A repository: its owner team, how deployments are detected, and its traffic."""

    name: str
    team: str
    detection: Detection
    pr_scale: float = 1.0
    """Multiplies the owner team's ``prs_per_day``."""
    deploy_scale: float = 1.0
    """Multiplies the owner team's ``deploys_per_week``."""
    bot_prs_per_week: float = 4.0
    guests: tuple[tuple[str, float], ...] = ()
    """Other teams committing here: team → pull requests per working day."""
    archived: bool = False

    @property
    def full_name(self) -> str:
        return f"{ORG}/{self.name}"

    @property
    def staging(self) -> bool:
        """Releases are cut straight to production; deploy pipelines go via staging."""
        return self.detection is not Detection.RELEASE


_CHECKOUT = Cadence(
    prs_per_day=4.5,
    commits_per_pr=(1, 3),
    coding_hours=(0.5, 4.0),
    review_hours=(0.3, 2.0),
    deploys_per_week=20.0,
    deploy_minutes=(4, 9),
    attempt_fail=0.03,
    change_fail=0.04,
    recovery_hours=(0.3, 0.9),
    incident_share=0.4,
    remedies=(("rollback", 0.7), ("revert", 0.2), ("hotfix", 0.1)),
    severities=(("SEV2", 0.3), ("SEV3", 0.7)),
)
_CATALOG = Cadence(
    prs_per_day=2.5,
    commits_per_pr=(2, 5),
    coding_hours=(1.0, 8.0),
    review_hours=(1.0, 6.0),
    deploys_per_week=5.5,
    deploy_minutes=(8, 15),
    attempt_fail=0.05,
    change_fail=0.11,
    recovery_hours=(1.0, 8.0),
    incident_share=0.5,
    remedies=(("rollback", 0.4), ("revert", 0.3), ("hotfix", 0.3)),
    severities=(("SEV2", 0.4), ("SEV3", 0.6)),
)
_PLATFORM = Cadence(
    prs_per_day=1.2,
    commits_per_pr=(3, 6),
    coding_hours=(80.0, 200.0),
    review_hours=(24.0, 72.0),
    deploys_per_week=0.8,
    deploy_minutes=(12, 30),
    attempt_fail=0.08,
    change_fail=0.2,
    recovery_hours=(4.0, 30.0),
    incident_share=0.6,
    remedies=(("rollback", 0.2), ("revert", 0.3), ("hotfix", 0.5)),
    severities=(("SEV1", 0.1), ("SEV2", 0.5), ("SEV3", 0.4)),
)
_WAREHOUSE_Q2 = Cadence(
    prs_per_day=0.6,
    commits_per_pr=(8, 20),
    coding_hours=(300.0, 700.0),
    review_hours=(80.0, 200.0),
    deploys_per_week=0.18,
    deploy_minutes=(35, 90),
    attempt_fail=0.2,
    change_fail=0.55,
    recovery_hours=(48.0, 140.0),
    incident_share=0.85,
    remedies=(("rollback", 0.1), ("revert", 0.2), ("hotfix", 0.7)),
    severities=(("SEV1", 0.3), ("SEV2", 0.5), ("SEV3", 0.2)),
)
_WAREHOUSE_Q3 = dataclasses.replace(
    _WAREHOUSE_Q2,
    prs_per_day=0.9,
    commits_per_pr=(5, 12),
    coding_hours=(80.0, 240.0),
    review_hours=(24.0, 72.0),
    deploys_per_week=0.4,
    attempt_fail=0.12,
    change_fail=0.34,
    recovery_hours=(20.0, 70.0),
)

TEAMS: dict[str, TeamProfile] = {
    "Checkout": TeamProfile(
        name="Checkout",
        engineers=34,
        regions=(("europe", 14), ("us-east", 10), ("us-west", 4)),
        q2=_CHECKOUT,
        q3=dataclasses.replace(_CHECKOUT, prs_per_day=4.8, change_fail=0.035),
        monorepo_paths=("services/checkout",),
        incident_titles=(
            "Checkout error rate above SLO",
            "Payment authorisations failing for some card types",
            "Cart totals wrong after promotion change",
            "Elevated latency on POST /orders",
        ),
    ),
    "Catalog": TeamProfile(
        name="Catalog",
        engineers=30,
        regions=(("europe", 9), ("india", 13)),
        q2=_CATALOG,
        q3=dataclasses.replace(_CATALOG, deploys_per_week=6.5, change_fail=0.09),
        monorepo_paths=("services/catalog",),
        incident_titles=(
            "Search returns no results for some categories",
            "Product pages show stale prices",
            "Catalog ingest job stuck, feed delayed",
            "Image CDN returning 404 for new products",
        ),
    ),
    "Platform": TeamProfile(
        name="Platform",
        engineers=18,
        regions=(("europe", 8), ("india", 6)),
        q2=_PLATFORM,
        q3=dataclasses.replace(_PLATFORM, change_fail=0.18),
        monorepo_paths=("libs/common", "ci", "platform"),
        incident_titles=(
            "Ingress controller dropping connections",
            "Terraform apply removed a security group rule",
            "Shared auth library rejects valid tokens",
            "Cluster autoscaler not adding nodes",
        ),
    ),
    "Warehouse": TeamProfile(
        name="Warehouse",
        engineers=38,
        regions=(("us-east", 12), ("us-west", 5), ("india", 11)),
        q2=_WAREHOUSE_Q2,
        q3=_WAREHOUSE_Q3,
        monorepo_paths=(),
        incident_titles=(
            "Pick lists not generated for morning shift",
            "Scanners cannot sync inventory",
            "Nightly stock report missing warehouses",
            "WMS outage during peak receiving",
            "Duplicate shipments created for split orders",
        ),
    ),
}

_D, _W, _R = Detection.DEPLOYMENT, Detection.WORKFLOW_RUN, Detection.RELEASE
REPOS: tuple[RepoSpec, ...] = (
    RepoSpec("checkout-web", "Checkout", _D, bot_prs_per_week=6),
    RepoSpec("checkout-api", "Checkout", _D),
    RepoSpec("payments", "Checkout", _D, pr_scale=0.7, deploy_scale=0.7),
    RepoSpec("catalog-api", "Catalog", _W),
    RepoSpec("search", "Catalog", _W, pr_scale=0.8),
    RepoSpec("catalog-ingest", "Catalog", _W, pr_scale=0.6, deploy_scale=0.8),
    RepoSpec(
        "platform-monorepo",
        "Platform",
        _W,
        deploy_scale=2.0,
        bot_prs_per_week=6,
        guests=(("Checkout", 1.2), ("Catalog", 0.8)),
    ),
    RepoSpec("infra-terraform", "Platform", _W, pr_scale=0.8, bot_prs_per_week=2),
    RepoSpec("k8s-config", "Platform", _D, pr_scale=0.9, deploy_scale=1.2, bot_prs_per_week=3),
    RepoSpec("warehouse-wms", "Warehouse", _D, pr_scale=1.2),
    RepoSpec("warehouse-scanner", "Warehouse", _R, bot_prs_per_week=3),
    RepoSpec("warehouse-reports", "Warehouse", _W, pr_scale=0.7, bot_prs_per_week=3),
    RepoSpec("warehouse-edi", "Warehouse", _W, archived=True),
)
MONOREPO = f"{ORG}/platform-monorepo"


def authors() -> dict[str, list[Author]]:
    """Active committers per team, the same for every seed (people do not change)."""
    counters = dict.fromkeys(ZONES, 0)
    out: dict[str, list[Author]] = {}
    for team in TEAMS.values():
        people: list[Author] = []
        for region, count in team.regions:
            firsts, lasts = _NAMES[region]
            for _ in range(count):
                i = counters[region]
                counters[region] += 1
                login = (
                    f"{firsts[i % len(firsts)]}-{lasts[(i * 5 + i // len(firsts)) % len(lasts)]}"
                )
                people.append(Author(login, team.name, ZONES[region]))
        out[team.name] = people
    return out


def demo_teams() -> dict[str, Team]:
    """Team → repositories (and monorepo path globs), as a config's ``teams:`` would say."""
    teams: dict[str, Team] = {}
    for name, profile in TEAMS.items():
        repos = [r.full_name for r in REPOS if r.team == name]
        guest = any(g == name for r in REPOS for g, _ in r.guests)
        paths: dict[str, list[str]] = {}
        if profile.monorepo_paths:
            paths[MONOREPO] = [f"{p}/**" for p in profile.monorepo_paths]
        if guest:
            repos.append(MONOREPO)
        teams[name] = Team(repositories=repos, paths=paths)
    return teams


def demo_services() -> dict[str, list[str]]:
    """The demo's ``services:`` mapping: each PagerDuty-style service (named after the
    repository it runs from, as the simulated incidents name it) → that repository."""
    return {spec.name: [spec.full_name] for spec in REPOS if not spec.archived}
