"""The demo source: "Northwind Retail", a realistic organization generated from a seed.

No network, no clock, no token: two full quarters (2026Q2 and 2026Q3) of pull requests,
deployments, failures and incidents for four teams of clearly different maturity, so the
tool can be tried, tested and benchmarked end to end. Same seed, same data, byte for byte.

What the data holds (see :mod:`.organization` for the numbers):

- 13 repositories in the ``northwind`` org, one archived, one monorepo shared by three
  teams through path globs (changes there carry ``paths``);
- pull requests with several commits and a merge commit (bot bumps are squash-merged),
  labelled feature/bug/chore/hotfix/revert, authored in Europe, the US and India;
- staging deployments, failed attempts (retried), rollbacks (the previous sha again),
  reverts (``Revert "..."`` commits with ``reverts``) and hotfixes, incidents opened after
  a bad deployment and resolved when it is remediated (some left linked to it).

Each deployment's ``change_shas`` are the commits it shipped that no earlier successful
deployment to the same environment shipped; a failed attempt lists what it tried to ship.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..config import Config, Organization, PeriodConfig
from ..config import DemoSource as DemoSourceConfig
from ..records import (
    Change,
    CollectionNote,
    Deployment,
    DeploymentStatus,
    Incident,
    Record,
    Repository,
)
from ..sources.base import Source, Window
from ..sources.incidents.services import UNMAPPED_PREFIX, Placement, ServiceMap
from .organization import DEMO_ORGANIZATION, QUARTERS, REPOS, authors, demo_services, demo_teams
from .simulation import History

__all__ = ["DEMO_ORGANIZATION", "DemoData", "DemoSource", "demo_config", "demo_teams", "generate"]


@dataclass(frozen=True, slots=True)
class DemoData:
    """Everything the demo organization holds, each list in a stable order."""

    repositories: list[Repository]
    deployments: list[Deployment]
    changes: list[Change]
    incidents: list[Incident]

    def records(self) -> list[Record]:
        """All records, repositories first: what a collection would store."""
        return [*self.repositories, *self.deployments, *self.changes, *self.incidents]


def generate(seed: int = 42) -> DemoData:
    """Generate the demo organization; the same seed always gives identical records."""
    people = authors()
    data = DemoData([], [], [], [])
    for spec in REPOS:
        url = f"https://github.com/{spec.full_name}"
        data.repositories.append(Repository(spec.full_name, "main", spec.archived, url))
        if spec.archived:
            continue  # archived before the data starts: listed, nothing to collect
        # A string seed is hashed with SHA-512, not hash(): stable across processes.
        history = History(spec, people, random.Random(f"{seed}/{spec.name}")).simulate()
        changes, incidents = history.records()
        data.deployments.extend(history.deployments)
        data.changes.extend(changes)
        data.incidents.extend(incidents)
    return data


def demo_config(seed: int = 42, quarter: str = QUARTERS[-1]) -> Config:
    """An assessment config for the demo: organization, teams, the services mapping of its
    PagerDuty-style incidents, and the demo source."""
    return Config(
        organization=Organization.model_validate(dict(DEMO_ORGANIZATION)),
        period=PeriodConfig(quarter=quarter),
        sources=[DemoSourceConfig(kind="demo", seed=seed)],
        teams=demo_teams(),
        services=demo_services(),
        store=None,
        base_dir=Path("."),
    )


@dataclass(slots=True)
class _Index:
    """The generated data, grouped by repository for the Source methods."""

    deployments: dict[str, list[Deployment]] = field(default_factory=dict)
    by_id: dict[str, dict[str, Deployment]] = field(default_factory=dict)
    changes: dict[str, dict[str, Change]] = field(default_factory=dict)
    incidents: dict[str, list[Incident]] = field(default_factory=dict)

    @classmethod
    def of(cls, data: DemoData) -> _Index:
        index = cls()
        for d in sorted(data.deployments, key=lambda d: (d.finished_at, d.id)):
            index.deployments.setdefault(d.repository, []).append(d)
            index.by_id.setdefault(d.repository, {})[d.id] = d
        for c in data.changes:
            index.changes.setdefault(c.repository, {})[c.sha] = c
        for i in data.incidents:
            index.incidents.setdefault(i.repository, []).append(i)
        return index


class DemoSource(Source):
    """The demo organization behind the :class:`Source` interface, as a forge would serve it.

    Deployments to every environment are returned (staging with ``is_production=False``),
    as a forge lists them; choosing production is the metrics' job.
    """

    def __init__(
        self,
        name: str = "demo",
        seed: int = 42,
        include_archived: bool = False,
        services: ServiceMap | None = None,
    ):
        super().__init__(name)
        self.seed = seed
        self.include_archived = include_archived
        self.services = services
        """The config's ``services:`` mapping: when given, it places each incident (which
        names its PagerDuty-style service) as an incident tool's would be placed."""
        self._data: DemoData | None = None
        self._index = _Index()
        self._placement = Placement(services) if services is not None else None
        self._by_target: dict[str, list[Incident]] | None = None

    @property
    def data(self) -> DemoData:
        """The generated organization (generated once, on first use)."""
        if self._data is None:
            self._data = generate(self.seed)
            self._index = _Index.of(self._data)
        return self._data

    def _indexed(self) -> _Index:
        self.data  # noqa: B018 - generates on first use
        return self._index

    def repositories(self) -> list[Repository]:
        repos = [r for r in self.data.repositories if self.include_archived or not r.archived]
        self.progress.advance("*", "repositories", len(repos))
        return repos

    def deployments(self, repository: Repository, window: Window) -> list[Deployment]:
        every = self._indexed().deployments.get(repository.full_name, [])
        inside = [
            d for d in every if d.finished_at and window.since <= d.finished_at < window.until
        ]
        before = [d for d in every if _good_before(d, window.since)]
        found = before[-1:] + inside
        self.progress.advance(repository.full_name, "deployments", len(found))
        return found

    def changes(
        self, repository: Repository, window: Window, deployments: Sequence[Deployment]
    ) -> Iterator[Change | Deployment | CollectionNote]:
        index = self._indexed()
        known = index.by_id.get(repository.full_name, {})
        commits = index.changes.get(repository.full_name, {})
        ours = [known[d.id] for d in deployments if d.id in known]
        shas = dict.fromkeys(sha for d in ours for sha in d.change_shas)
        found = [commits[sha] for sha in shas if sha in commits]
        self.progress.advance(repository.full_name, "changes", len(found))
        yield from found
        yield from ours
        for d in deployments:
            if d.id not in known:
                message = f"deployment {d.id} is not part of the demo data; its changes are unknown"
                yield CollectionNote(repository.full_name, "changes", message)

    def incidents(self, repository: Repository, window: Window) -> Iterable[Incident]:
        found = [
            i
            for i in self._placed().get(repository.full_name, [])
            if window.since <= i.created_at < window.until
            or (
                i.created_at < window.since
                and (i.resolved_at is None or i.resolved_at >= window.since)
            )
        ]
        self.progress.advance(repository.full_name, "incidents", len(found))
        return found

    def _placed(self) -> dict[str, list[Incident]]:
        """Repository → the incidents its ``incidents`` call returns. Without a mapping, each
        incident stays where it was simulated; with one, the mapping places it (a copy per
        repository), and one on an unmapped service is returned, as ``unmapped:<service>``,
        with the repository it was simulated in, so it is stored and counted, never dropped."""
        index = self._indexed()
        if self._placement is None:
            return index.incidents
        if self._by_target is None:
            self._by_target = {}
            for home, incidents in index.incidents.items():
                for incident in incidents:
                    for copy in self._placement.place(incident, incident.services):
                        unmapped = copy.repository.startswith(UNMAPPED_PREFIX)
                        self._by_target.setdefault(
                            home if unmapped else copy.repository, []
                        ).append(copy)
        return self._by_target

    def notes(self) -> list[CollectionNote]:
        """One data-quality note per service the mapping does not place."""
        self._placed()
        return self._placement.notes(self.name) if self._placement else []


def _good_before(d: Deployment, since: datetime) -> bool:
    """A successful production deployment that finished before ``since``."""
    good = d.is_production and d.status is DeploymentStatus.SUCCESS
    return good and d.finished_at is not None and d.finished_at < since
