"""Simulate one demo repository's history: pull requests, deployments, failures, incidents.

The simulation walks time forward: pull requests merge into ``main`` on working days in
their authors' time zones; each deployment ships everything merged since the previous
successful production deployment; some deployments degrade service and are remediated by
a rollback, a revert or a hotfix, often with an incident. Records are built only at the
end, once pull-request numbers (shared with issues, as on GitHub) are known.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from ..records import Change, Deployment, DeploymentStatus, Detection, Incident
from .organization import END, START, Author, RepoSpec
from .work import HOUR, MINUTE, Commit, PullRequest, Workplace, poisson, weekdays, weighted

_ATTEMPT_STATUS = (
    (DeploymentStatus.FAILURE, 0.8),
    (DeploymentStatus.ERROR, 0.1),
    (DeploymentStatus.CANCELLED, 0.1),
)


@dataclass(slots=True)
class _Incident:
    title: str
    severity: str
    created_at: datetime
    resolved_at: datetime | None = None
    linked_sha: str | None = None
    linked_deployment: str | None = None
    number: int = 0


class History(Workplace):
    """One repository's simulated history: call ``simulate``, read ``deployments``, then
    call ``records``."""

    def __init__(self, spec: RepoSpec, people: dict[str, list[Author]], rng: random.Random):
        super().__init__(spec, people, rng)
        self.deployments: list[Deployment] = []
        self._incidents: list[_Incident] = []
        self._last_good: Deployment | None = None
        self._freeze = START - timedelta(days=365)
        self._next_id = rng.randrange(10**9, 4 * 10**9)
        self._releases: dict[tuple[int, int], int] = {}

    def _baseline(self) -> datetime:
        """The last deployment before 2026Q2, so the first one inside has a predecessor."""
        per_week = self._per_week(START)
        back = 1.0 if per_week >= 5 else 7 / per_week * self.rng.uniform(0.3, 0.9)
        day = (START - timedelta(days=back)).date()
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return min(self._work_time(day, self._owner().zone), START - HOUR)

    def _slots(self, baseline: datetime) -> list[datetime]:
        """Start times of regular production deployments, on working days."""
        slots: list[datetime] = []
        if self._per_week(START) >= 5:
            for day in weekdays(START.date(), END.date()):
                noon = datetime.combine(day, time(12), UTC)
                for _ in range(poisson(self.rng, self._per_week(noon) / 5)):
                    slots.append(self._work_time(day, self._owner().zone))
        else:
            at = baseline
            while at < END:
                gap = 7 / self._per_week(at) * self.rng.uniform(0.7, 1.3)
                day = (at + timedelta(days=gap)).date()
                day += timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
                at = self._work_time(day, self._owner().zone)
                slots.append(at)
        return sorted(s for s in slots if START <= s < END - 8 * HOUR)

    def _deploy(
        self,
        created: datetime,
        sha: str,
        shas: tuple[str, ...],
        status: DeploymentStatus = DeploymentStatus.SUCCESS,
        production: bool = True,
        minutes: float | None = None,
    ) -> Deployment:
        low, high = self._cadence(created).deploy_minutes
        if minutes is None:
            ok = status is DeploymentStatus.SUCCESS
            minutes = self.rng.uniform(low, high) if ok else self.rng.uniform(1, low)
        self._next_id += self.rng.randint(1, 60)
        deployment = Deployment(
            id=self._deployment_id(created),
            repository=self.spec.full_name,
            environment="production" if production else "staging",
            sha=sha,
            created_at=created,
            finished_at=created + timedelta(minutes=minutes),
            status=status,
            detection=self.spec.detection,
            change_shas=shas,
            is_production=production,
        )
        self.deployments.append(deployment)
        return deployment

    def _deployment_id(self, created: datetime) -> str:
        if self.spec.detection is not Detection.RELEASE:
            return str(self._next_id)
        month = (created.year, created.month)
        self._releases[month] = self._releases.get(month, -1) + 1
        return f"v{created.year}.{created.month}.{self._releases[month]}"

    def _head(self, upto: int) -> str:
        return self.main.prs[upto - 1].head if upto else self.root

    def _ship(self, at: datetime, baseline: bool = False) -> None:
        """A regular release: maybe a failed attempt, staging, then production."""
        main, cadence = self.main, self._cadence(at)
        upto = main.upto(at)
        if upto <= main.shipped and not baseline:
            return
        if self.spec.staging and not baseline and self.rng.random() < cadence.attempt_fail:
            status = weighted(self.rng, _ATTEMPT_STATUS)
            self._deploy(at, self._head(upto), main.shas(main.shipped, upto), status)
            at += self.rng.uniform(20, 60) * MINUTE
            upto = main.upto(at)
        if self.spec.staging:
            staged = self._deploy(
                at, self._head(upto), main.shas(main.staged, upto), production=False
            )
            main.staged = upto
            assert staged.finished_at is not None
            at = staged.finished_at + self.rng.uniform(5, 25) * MINUTE
        previous = self._last_good
        shipped = main.prs[main.shipped : upto]
        good = self._deploy(at, self._head(upto), main.shas(main.shipped, upto))
        main.shipped, self._last_good = upto, good
        if previous and not baseline and self.rng.random() < cadence.change_fail:
            self._fail(good, previous, shipped)

    def _fail(self, bad: Deployment, previous: Deployment, shipped: list[PullRequest]) -> None:
        """``bad`` degraded service: maybe open an incident, then remediate."""
        cadence = self._cadence(bad.created_at)
        assert bad.finished_at is not None
        recovery = self._uniform(cadence.recovery_hours) * HOUR
        incident = None
        if self.rng.random() < cadence.incident_share:
            incident = self._open_incident(bad, recovery * self.rng.uniform(0.05, 0.3))
        restored = bad.finished_at + recovery
        if restored >= END - 10 * MINUTE:
            self._freeze = END  # not recovered by the end of the data: the incident stays open
            return
        minutes = self._uniform(cadence.deploy_minutes)
        start = restored - timedelta(minutes=minutes)
        kind = weighted(self.rng, cadence.remedies)
        humans = [pr for pr in shipped if pr.merge is not None]
        if kind == "rollback" and self.spec.detection is Detection.RELEASE:
            kind = "hotfix"
        if kind == "rollback":
            fix = self._deploy(start, previous.sha, (), minutes=minutes)
        else:
            self.main.add(self.remedy(kind, bad.finished_at, start, humans))
            upto = self.main.upto(start)
            shas = self.main.shas(self.main.shipped, upto)
            fix = self._deploy(start, self._head(upto), shas, minutes=minutes)
            self.main.shipped = upto
        self._last_good = fix
        self._freeze = restored
        if incident is not None:
            incident.resolved_at = restored + self.rng.uniform(2, 30) * MINUTE

    def _open_incident(self, bad: Deployment, delay: timedelta) -> _Incident | None:
        cadence = self._cadence(bad.created_at)
        assert bad.finished_at is not None
        created = bad.finished_at + delay
        if created >= END:
            return None
        incident = _Incident(
            title=self.rng.choice(self.team.incident_titles),
            severity=weighted(self.rng, cadence.severities),
            created_at=created,
            linked_deployment=bad.id if self.rng.random() < 0.6 else None,
            linked_sha=bad.sha if self.rng.random() < 0.3 else None,
        )
        self._incidents.append(incident)
        return incident

    def simulate(self) -> History:
        """Run the whole history from a little before 2026Q2 to the end of 2026Q3."""
        baseline = self._baseline()
        self.plan_prs(baseline - timedelta(days=10))
        self._ship(baseline, baseline=True)
        for slot in self._slots(baseline):
            if slot >= self._freeze:
                self._ship(slot)
        return self

    def _number(self) -> None:
        """Number pull requests and incidents from one counter, in creation order (GitHub)."""
        items: list[tuple[datetime, PullRequest | _Incident]] = [
            (p.opened_at, p) for p in self.main.prs
        ]
        items += [(i.created_at, i) for i in self._incidents]
        items.sort(key=lambda pair: pair[0])
        start = self.rng.randint(120, 2400)
        for n, (_, item) in enumerate(items, start):
            item.number = n
        for pr in self.main.prs:
            if pr.merge is not None:
                pr.merge.message = (
                    f"Merge pull request #{pr.number} from {self.spec.full_name.split('/')[0]}"
                    f"/{pr.branch}\n\n{pr.title}"
                )
            else:
                pr.commits[0].message = f"{pr.title} (#{pr.number})"

    def records(self) -> tuple[list[Change], list[Incident]]:
        """The shipped commits and the incidents, numbered as GitHub would number them."""
        self._number()
        return self._changes(), self._incident_records()

    def _changes(self) -> list[Change]:
        """Every commit a successful production deployment shipped, parents included."""
        out: list[Change] = []
        times = self.main.times
        head = self.root
        for pr in self.main.prs[: self.main.shipped]:
            first = min(c.authored_at for c in pr.commits)
            base = bisect_right(times, first)
            parent = self.main.prs[base - 1].head if base else self.root
            for commit in pr.commits:
                out.append(self._change(pr, commit, (head if pr.merge is None else parent,), first))
                parent = commit.sha
            if pr.merge is not None:
                out.append(self._change(pr, pr.merge, (head, parent), first))
            head = pr.head
        return out

    def _change(
        self, pr: PullRequest, commit: Commit, parents: tuple[str, ...], first: datetime
    ) -> Change:
        return Change(
            repository=self.spec.full_name,
            sha=commit.sha,
            authored_at=commit.authored_at,
            committed_at=commit.committed_at,
            author=commit.author,
            is_bot=commit.is_bot,
            message=commit.message[:1000],
            reverts=commit.reverts,
            parents=parents,
            pr_number=pr.number,
            pr_opened_at=pr.opened_at,
            pr_merged_at=pr.merged_at,
            pr_first_commit_at=first,
            pr_labels=pr.labels,
            paths=commit.paths,
        )

    def _incident_records(self) -> list[Incident]:
        return [
            _paged(
                Incident(
                    id=str(i.number),
                    repository=self.spec.full_name,
                    title=i.title,
                    created_at=i.created_at,
                    resolved_at=i.resolved_at,
                    labels=("incident",),
                    severity=i.severity,
                    linked_sha=i.linked_sha,
                    linked_deployment=i.linked_deployment,
                ),
                i.number,
            )
            for i in self._incidents
        ]


#: The demo's incidents look as its PagerDuty would page them (no randomness: same numbers).
_PRIORITY = {"SEV1": "P1", "SEV2": "P2", "SEV3": "P3"}


def _paged(i: Incident, number: int) -> Incident:
    """PagerDuty-style fields: priority, urgency, status, acknowledgement and service."""
    ack = i.created_at + timedelta(minutes=2 + number % 9)
    return replace(
        i,
        acknowledged_at=min(ack, i.resolved_at) if i.resolved_at else ack,
        status="resolved" if i.resolved_at else "acknowledged",
        priority=_PRIORITY.get(i.severity or ""),
        urgency="low" if i.severity == "SEV3" else "high",
        services=(i.repository.split("/")[-1],),
    )
