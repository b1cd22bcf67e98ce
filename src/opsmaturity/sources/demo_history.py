"""Simulate one demo repository's history: pull requests, deployments, failures, incidents.

The simulation walks time forward: pull requests merge into ``main`` on working days in
their authors' time zones; each deployment ships everything merged since the previous
successful production deployment; some deployments degrade service and are remediated by
a rollback, a revert or a hotfix, often with an incident. Records are built only at the
end, once pull-request numbers (shared with issues, as on GitHub) are known.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right, insort
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

from ..records import Change, Deployment, DeploymentStatus, Detection, Incident
from .demo_model import BOTS, END, START, TEAMS, Author, Cadence, RepoSpec

_HOUR = timedelta(hours=1)
_MINUTE = timedelta(minutes=1)
_TOPICS = {
    "Checkout": ("cart totals", "saved cards", "promo codes", "3-D Secure flow", "order API"),
    "Catalog": ("search ranking", "price feed", "product images", "facet filters", "ingest"),
    "Platform": ("ingress", "node pools", "CI cache", "auth library", "log shipping"),
    "Warehouse": ("pick lists", "scanner sync", "stock report", "receiving", "label printing"),
}
_VERBS = ("Add", "Fix", "Refactor", "Update", "Handle edge case in", "Test", "Tidy")
_LABELS = ((("feature",), 0.5), (("bug",), 0.2), (("chore",), 0.15), ((), 0.15))
_PACKAGES = ("lodash", "axios", "requests", "urllib3", "react", "pydantic", "terraform-aws")
_ATTEMPT_STATUS = ((DeploymentStatus.FAILURE, 0.8), (DeploymentStatus.ERROR, 0.1))


@dataclass(slots=True)
class _Commit:
    sha: str
    authored_at: datetime
    committed_at: datetime
    author: str
    message: str
    is_bot: bool = False
    paths: tuple[str, ...] = ()
    reverts: str | None = None


@dataclass(slots=True)
class _PR:
    team: str
    author: str
    title: str
    branch: str
    opened_at: datetime
    merged_at: datetime
    labels: tuple[str, ...]
    commits: list[_Commit]
    merge: _Commit | None = None
    """The merge commit; None when squash-merged (bot pull requests)."""
    number: int = 0

    @property
    def head(self) -> str:
        return self.merge.sha if self.merge else self.commits[-1].sha

    def all_commits(self) -> list[_Commit]:
        return [*self.commits, self.merge] if self.merge else list(self.commits)


@dataclass(slots=True)
class _Incident:
    title: str
    severity: str
    created_at: datetime
    resolved_at: datetime | None = None
    linked_sha: str | None = None
    linked_deployment: str | None = None
    number: int = 0


@dataclass(slots=True)
class _Main:
    """The default branch: pull requests in merge order, and how far production got."""

    prs: list[_PR] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    shipped: int = 0
    """Pull requests ``prs[:shipped]`` reached production successfully."""
    staged: int = 0

    def add(self, pr: _PR) -> None:
        i = bisect_right(self.times, pr.merged_at)
        self.times.insert(i, pr.merged_at)
        self.prs.insert(i, pr)

    def upto(self, when: datetime) -> int:
        """Index just past the last pull request a pipeline started at ``when`` picks up."""
        return bisect_right(self.times, when - 2 * _MINUTE)

    def shas(self, lo: int, hi: int) -> tuple[str, ...]:
        return tuple(c.sha for pr in self.prs[lo:hi] for c in pr.all_commits())


def _weighted(rng: random.Random, pairs: Sequence[tuple[object, float]]) -> object:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means used here, and uses only ``rng``."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def weekdays(first: date, last: date) -> list[date]:
    """Monday-to-Friday dates from ``first`` to ``last`` inclusive."""
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if d.weekday() < 5]


class History:
    """One repository's simulated history; read ``deployments``, then call ``records``."""

    def __init__(self, spec: RepoSpec, people: dict[str, list[Author]], rng: random.Random):
        self.spec = spec
        self.team = TEAMS[spec.team]
        self.people = people
        self.rng = rng
        self.main = _Main()
        self.deployments: list[Deployment] = []
        self._incidents: list[_Incident] = []
        self._last_good: Deployment | None = None
        self._freeze = START - timedelta(days=365)
        self._next_id = rng.randrange(10**9, 4 * 10**9)
        self._releases: dict[tuple[int, int], int] = {}
        self._root = self._sha()

    # -- helpers -------------------------------------------------------------------------

    def _sha(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def _uniform(self, span: tuple[float, float]) -> float:
        return self.rng.uniform(*span)

    def _work_time(self, day: date, zone: timezone) -> datetime:
        """A random instant of the local working day ``day`` in ``zone``, in UTC."""
        local = datetime.combine(day, time(), zone) + timedelta(hours=self.rng.uniform(9, 18))
        return local.astimezone(UTC)

    def _snap_back(self, when: datetime, zone: timezone) -> datetime:
        """Move ``when`` back into its author's working hours (Mon–Fri, 08:00–19:00 local)."""
        local = when.astimezone(zone)
        while local.weekday() >= 5 or not 8 <= local.hour < 19:
            day = local.date() if local.hour >= 19 else local.date() - timedelta(days=1)
            minutes = self.rng.uniform(17 * 60, 18 * 60 + 59)
            local = datetime.combine(day, time(), zone) + timedelta(minutes=minutes)
        return local.astimezone(UTC)

    def _cadence(self, when: datetime) -> Cadence:
        return self.team.cadence(when)

    def _per_week(self, when: datetime) -> float:
        return self._cadence(when).deploys_per_week * self.spec.deploy_scale

    def _owner(self) -> Author:
        return self.rng.choice(self.people[self.team.name])

    # -- pull requests -------------------------------------------------------------------

    def _paths(self, team: str, topic: str) -> tuple[str, ...]:
        if not self.spec.guests:
            return ()
        prefix = self.rng.choice(TEAMS[team].monorepo_paths)
        return (f"{prefix}/{topic.replace(' ', '_').lower()}.py",)

    def _human_pr(self, team: str, day: date) -> _PR:
        cadence = TEAMS[team].cadence(datetime.combine(day, time(), UTC))
        author = self.rng.choice(self.people[team])
        merged = self._work_time(day, author.zone)
        opened = self._snap_back(merged - self._uniform(cadence.review_hours) * _HOUR, author.zone)
        first = self._snap_back(opened - self._uniform(cadence.coding_hours) * _HOUR, author.zone)
        span = (opened - first).total_seconds()
        times = [first] + [
            self._snap_back(first + timedelta(seconds=self.rng.uniform(0, span)), author.zone)
            for _ in range(self.rng.randint(*cadence.commits_per_pr) - 1)
        ]
        topic = self.rng.choice(_TOPICS[team])
        labels: tuple[str, ...] = _weighted(self.rng, _LABELS)  # type: ignore[assignment]
        rebased = self.rng.random() < 0.25
        commits = [
            _Commit(
                sha=self._sha(),
                authored_at=at,
                committed_at=max(at, opened - 5 * _MINUTE) if rebased else at,
                author=author.login,
                message=f"{self.rng.choice(_VERBS)} {topic}",
                paths=self._paths(team, topic),
            )
            for at in sorted(times)
        ]
        verb = "Fix" if labels == ("bug",) else "Improve"
        return self._merged(team, author.login, f"{verb} {topic}", labels, commits, opened, merged)

    def _merged(
        self,
        team: str,
        author: str,
        title: str,
        labels: tuple[str, ...],
        commits: list[_Commit],
        opened: datetime,
        merged: datetime,
    ) -> _PR:
        """A pull request merged with a merge commit (its message is set once numbered)."""
        paths = tuple(dict.fromkeys(p for c in commits for p in c.paths))
        merge = _Commit(self._sha(), merged, merged, author, "", paths=paths)
        branch = f"{author.split('-')[0]}/{title.lower().replace(' ', '-')[:40]}"
        return _PR(team, author, title, branch, opened, merged, labels, commits, merge)

    def _bot_pr(self, day: date) -> _PR:
        """A dependency bump, squash-merged: authored by the bot, committed at merge."""
        bot = self.rng.choice(BOTS)
        opened = datetime.combine(day, time(), UTC) + timedelta(hours=self.rng.uniform(0, 24))
        merged = opened + timedelta(hours=self.rng.uniform(1, 72))
        package = self.rng.choice(_PACKAGES)
        minor = self.rng.randint(1, 30)
        title = (
            f"Bump {package} from 2.{minor}.0 to 2.{minor}.1"
            if bot.startswith("dependabot")
            else f"chore(deps): update dependency {package} to v2.{minor}.1"
        )
        paths: tuple[str, ...] = ()
        if self.spec.guests:
            owner = self.rng.choice([self.spec.team] + [g for g, _ in self.spec.guests])
            paths = (f"{TEAMS[owner].monorepo_paths[0]}/requirements.txt",)
        commit = _Commit(self._sha(), opened, merged, bot, title, is_bot=True, paths=paths)
        branch = f"{bot.split('[')[0]}/{package}-2.{minor}.1"
        return _PR(self.spec.team, bot, title, branch, opened, merged, ("dependencies",), [commit])

    def _plan_prs(self, since: datetime) -> None:
        """Regular work: human and bot pull requests merged from ``since`` to the end."""
        traffic = [(self.team.name, 1.0 * self.spec.pr_scale), *self.spec.guests]
        for day in weekdays(since.date(), END.date()):
            noon = datetime.combine(day, time(12), UTC)
            for team, scale in traffic:
                rate = TEAMS[team].cadence(noon).prs_per_day * (scale if team == self.team.name else 1)
                rate = scale if team != self.team.name else rate
                for _ in range(_poisson(self.rng, rate)):
                    self._keep(self._human_pr(team, day), since)
            for _ in range(_poisson(self.rng, self.spec.bot_prs_per_week / 5)):
                self._keep(self._bot_pr(day), since)

    def _keep(self, pr: _PR, since: datetime) -> None:
        if since <= pr.merged_at < END:
            self.main.add(pr)

    # -- deployments ---------------------------------------------------------------------

    def _baseline(self) -> datetime:
        """The last deployment before 2026Q2, so the first one inside has a predecessor."""
        per_week = self._per_week(START)
        back = 1.0 if per_week >= 5 else 7 / per_week * self.rng.uniform(0.3, 0.9)
        day = (START - timedelta(days=back)).date()
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return min(self._work_time(day, self._owner().zone), START - _HOUR)

    def _slots(self, baseline: datetime) -> list[datetime]:
        """Start times of regular production deployments, on working days."""
        slots: list[datetime] = []
        if self._per_week(START) >= 5:
            for day in weekdays(START.date(), END.date()):
                noon = datetime.combine(day, time(12), UTC)
                for _ in range(_poisson(self.rng, self._per_week(noon) / 5)):
                    slots.append(self._work_time(day, self._owner().zone))
        else:
            at = baseline
            while at < END:
                gap = 7 / self._per_week(at) * self.rng.uniform(0.7, 1.3)
                day = (at + timedelta(days=gap)).date()
                day += timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
                at = self._work_time(day, self._owner().zone)
                slots.append(at)
        return sorted(s for s in slots if START <= s < END - 8 * _HOUR)

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
        return self.main.prs[upto - 1].head if upto else self._root

    def _ship(self, at: datetime, baseline: bool = False) -> None:
        """A regular release: maybe a failed attempt, staging, then production."""
        main, cadence = self.main, self._cadence(at)
        upto = main.upto(at)
        if upto <= main.shipped and not baseline:
            return
        if self.spec.staging and not baseline and self.rng.random() < cadence.attempt_fail:
            status = _weighted(self.rng, _ATTEMPT_STATUS) if self.rng.random() < 0.9 else None
            status = status or DeploymentStatus.CANCELLED
            self._deploy(at, self._head(upto), main.shas(main.shipped, upto), status)  # type: ignore[arg-type]
            at += self.rng.uniform(20, 60) * _MINUTE
            upto = main.upto(at)
        if self.spec.staging:
            staged = self._deploy(at, self._head(upto), main.shas(main.staged, upto), production=False)
            main.staged = upto
            at = staged.finished_at + self.rng.uniform(5, 25) * _MINUTE  # type: ignore[operator]
        previous = self._last_good
        shipped = main.prs[main.shipped : upto]
        good = self._deploy(at, self._head(upto), main.shas(main.shipped, upto))
        main.shipped, self._last_good = upto, good
        if previous and not baseline and self.rng.random() < cadence.change_fail:
            self._fail(good, previous, shipped)

    def _fail(self, bad: Deployment, previous: Deployment, shipped: list[_PR]) -> None:
        """``bad`` degraded service: maybe open an incident, then remediate."""
        cadence = self._cadence(bad.created_at)
        assert bad.finished_at is not None
        recovery = self._uniform(cadence.recovery_hours) * _HOUR
        incident = None
        if self.rng.random() < cadence.incident_share:
            incident = self._open_incident(bad, recovery * self.rng.uniform(0.05, 0.3))
        restored = bad.finished_at + recovery
        if restored >= END - 10 * _MINUTE:
            self._freeze = END  # not recovered by the end of the data: the incident stays open
            return
        minutes = self._uniform(cadence.deploy_minutes)
        start = restored - timedelta(minutes=minutes)
        kind = _weighted(self.rng, cadence.remedies)
        humans = [pr for pr in shipped if pr.merge is not None]
        if kind == "rollback" and self.spec.detection is Detection.RELEASE:
            kind = "hotfix"
        if kind == "rollback":
            fix = self._deploy(start, previous.sha, (), minutes=minutes)
        else:
            self.main.add(self._remedy(str(kind), bad.finished_at, start, humans))
            upto = self.main.upto(start)
            shas = self.main.shas(self.main.shipped, upto)
            fix = self._deploy(start, self._head(upto), shas, minutes=minutes)
            self.main.shipped = upto
        self._last_good = fix
        self._freeze = restored
        if incident is not None:
            incident.resolved_at = restored + self.rng.uniform(2, 30) * _MINUTE

    def _open_incident(self, bad: Deployment, delay: timedelta) -> _Incident | None:
        cadence = self._cadence(bad.created_at)
        assert bad.finished_at is not None
        created = bad.finished_at + delay
        if created >= END:
            return None
        incident = _Incident(
            title=self.rng.choice(self.team.incident_titles),
            severity=str(_weighted(self.rng, cadence.severities)),
            created_at=created,
            linked_deployment=bad.id if self.rng.random() < 0.6 else None,
            linked_sha=bad.sha if self.rng.random() < 0.3 else None,
        )
        self._incidents.append(incident)
        return incident

    def _remedy(self, kind: str, broke: datetime, deploy: datetime, culprits: list[_PR]) -> _PR:
        """A revert of a culprit's commit, or a hotfix, merged just before ``deploy``."""
        culprit = self.rng.choice(culprits) if culprits else None
        team = culprit.team if culprit else self.team.name
        author = self.rng.choice(self.people[team])
        merged = max(broke + _MINUTE, deploy - self.rng.uniform(3, 10) * _MINUTE)
        merged = min(merged, deploy - 3 * _MINUTE)
        opened = broke + (merged - broke) * self.rng.uniform(0.3, 0.7)
        authored = broke + (opened - broke) * self.rng.uniform(0.2, 0.8)
        if kind == "revert" and culprit is not None:
            target = culprit.commits[-1]
            subject = target.message.splitlines()[0]
            message = f'Revert "{subject}"\n\nThis reverts commit {target.sha}.'
            commit = _Commit(self._sha(), authored, authored, author.login, message, paths=target.paths)
            commit.reverts = target.sha
            return self._merged(team, author.login, f'Revert "{culprit.title}"', ("revert",), [commit], opened, merged)
        topic = self.rng.choice(_TOPICS[team])
        paths = self._paths(team, topic)
        commit = _Commit(self._sha(), authored, authored, author.login, f"Fix {topic} regression", paths=paths)
        labels = ("hotfix", "bug") if self.rng.random() < 0.5 else ("hotfix",)
        return self._merged(team, author.login, f"Hotfix: {topic} regression", labels, [commit], opened, merged)

    def simulate(self) -> History:
        """Run the whole history from a little before 2026Q2 to the end of 2026Q3."""
        baseline = self._baseline()
        self._plan_prs(baseline - timedelta(days=10))
        self._ship(baseline, baseline=True)
        for slot in self._slots(baseline):
            if slot >= self._freeze:
                self._ship(slot)
        return self

    # -- records -------------------------------------------------------------------------

    def _number(self) -> None:
        """Number pull requests and incidents from one counter, in creation order (GitHub)."""
        items: list[tuple[datetime, _PR | _Incident]] = [(p.opened_at, p) for p in self.main.prs]
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

    def changes(self) -> list[Change]:
        """Every commit a successful production deployment shipped, parents included."""
        self._number()
        out: list[Change] = []
        times = self.main.times
        head = self._root
        for pr in self.main.prs[: self.main.shipped]:
            first = min(c.authored_at for c in pr.commits)
            base = bisect_right(times, first)
            parent = self.main.prs[base - 1].head if base else self._root
            for commit in pr.commits:
                out.append(self._change(pr, commit, (head if pr.merge is None else parent,), first))
                parent = commit.sha
            if pr.merge is not None:
                out.append(self._change(pr, pr.merge, (head, parent), first))
            head = pr.head
        return out

    def _change(
        self, pr: _PR, commit: _Commit, parents: tuple[str, ...], first: datetime
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

    def incidents(self) -> list[Incident]:
        """Incidents as a forge's issues would show them (call after :meth:`changes`)."""
        return [
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
            )
            for i in self._incidents
        ]
