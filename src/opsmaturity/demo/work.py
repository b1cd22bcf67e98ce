"""How the demo's people work: pull requests with commits, in their own working hours.

:class:`Workplace` writes the pull requests of one repository onto its default branch
(:class:`Branch`); :mod:`.simulation` ships them. Commit times are drawn inside each
author's local working day (Europe, US or India), then stored in UTC by the records.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import TypeVar

from .organization import BOTS, END, TEAMS, Author, Cadence, RepoSpec

T = TypeVar("T")
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
_TOPICS = {
    "Checkout": ("cart totals", "saved cards", "promo codes", "3-D Secure flow", "order API"),
    "Catalog": ("search ranking", "price feed", "product images", "facet filters", "ingest"),
    "Platform": ("ingress", "node pools", "CI cache", "auth library", "log shipping"),
    "Warehouse": ("pick lists", "scanner sync", "stock report", "receiving", "label printing"),
}
_VERBS = ("Add", "Fix", "Refactor", "Update", "Handle edge case in", "Test", "Tidy")
_LABELS = ((("feature",), 0.55), (("bug",), 0.07), (("chore",), 0.18), ((), 0.2))
_PACKAGES = ("lodash", "axios", "requests", "urllib3", "react", "pydantic", "terraform-aws")


@dataclass(slots=True)
class Commit:
    """A commit while it is being simulated (mutable: messages are set once numbered)."""

    sha: str
    authored_at: datetime
    committed_at: datetime
    author: str
    message: str
    is_bot: bool = False
    paths: tuple[str, ...] = ()
    reverts: str | None = None


@dataclass(slots=True)
class PullRequest:
    """A pull request with its branch commits; ``number`` is set once all are known."""

    team: str
    author: str
    title: str
    branch: str
    opened_at: datetime
    merged_at: datetime
    labels: tuple[str, ...]
    commits: list[Commit]
    merge: Commit | None = None
    """The merge commit; None when squash-merged (bot pull requests)."""
    number: int = 0

    @property
    def head(self) -> str:
        return self.merge.sha if self.merge else self.commits[-1].sha

    def all_commits(self) -> list[Commit]:
        return [*self.commits, self.merge] if self.merge else list(self.commits)


@dataclass(slots=True)
class Branch:
    """The default branch: pull requests in merge order, and how far production got."""

    prs: list[PullRequest] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    shipped: int = 0
    """Pull requests ``prs[:shipped]`` reached production successfully."""
    staged: int = 0

    def add(self, pr: PullRequest) -> None:
        i = bisect_right(self.times, pr.merged_at)
        self.times.insert(i, pr.merged_at)
        self.prs.insert(i, pr)

    def upto(self, when: datetime) -> int:
        """Index just past the last pull request a pipeline started at ``when`` picks up."""
        return bisect_right(self.times, when - 2 * MINUTE)

    def shas(self, lo: int, hi: int) -> tuple[str, ...]:
        return tuple(c.sha for pr in self.prs[lo:hi] for c in pr.all_commits())


def weighted(rng: random.Random, pairs: Sequence[tuple[T, float]]) -> T:
    """One value drawn from (value, weight) pairs."""
    return rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]


def poisson(rng: random.Random, mean: float) -> int:
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


class Workplace:
    """One repository's contributors writing pull requests onto its default branch."""

    def __init__(self, spec: RepoSpec, people: dict[str, list[Author]], rng: random.Random):
        self.spec = spec
        self.team = TEAMS[spec.team]
        self.people = people
        self.rng = rng
        self.main = Branch()
        self.root = self._sha()
        """Parent of the oldest commit in the data (history before it is not generated)."""

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

    def _paths(self, team: str, topic: str) -> tuple[str, ...]:
        if not self.spec.guests:
            return ()
        prefix = self.rng.choice(TEAMS[team].monorepo_paths)
        return (f"{prefix}/{topic.replace(' ', '_').lower()}.py",)

    def _human_pr(self, team: str, day: date) -> PullRequest:
        cadence = TEAMS[team].cadence(datetime.combine(day, time(), UTC))
        author = self.rng.choice(self.people[team])
        merged = self._work_time(day, author.zone)
        opened = self._snap_back(merged - self._uniform(cadence.review_hours) * HOUR, author.zone)
        first = self._snap_back(opened - self._uniform(cadence.coding_hours) * HOUR, author.zone)
        span = (opened - first).total_seconds()
        times = [first] + [
            self._snap_back(first + timedelta(seconds=self.rng.uniform(0, span)), author.zone)
            for _ in range(self.rng.randint(*cadence.commits_per_pr) - 1)
        ]
        topic = self.rng.choice(_TOPICS[team])
        labels = weighted(self.rng, _LABELS)
        rebased = self.rng.random() < 0.25
        commits = [
            Commit(
                sha=self._sha(),
                authored_at=at,
                committed_at=max(at, opened - 5 * MINUTE) if rebased else at,
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
        commits: list[Commit],
        opened: datetime,
        merged: datetime,
    ) -> PullRequest:
        """A pull request merged with a merge commit (its message is set once numbered)."""
        paths = tuple(dict.fromkeys(p for c in commits for p in c.paths))
        merge = Commit(self._sha(), merged, merged, author, "", paths=paths)
        branch = f"{author.split('-')[0]}/{title.lower().replace(' ', '-')[:40]}"
        return PullRequest(team, author, title, branch, opened, merged, labels, commits, merge)

    def _bot_pr(self, day: date) -> PullRequest:
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
        commit = Commit(self._sha(), opened, merged, bot, title, is_bot=True, paths=paths)
        branch = f"{bot.split('[')[0]}/{package}-2.{minor}.1"
        return PullRequest(
            self.spec.team, bot, title, branch, opened, merged, ("dependencies",), [commit]
        )

    def plan_prs(self, since: datetime) -> None:
        """Regular work: human and bot pull requests merged from ``since`` to the end."""
        for day in weekdays(since.date(), END.date()):
            noon = datetime.combine(day, time(12), UTC)
            rates = [(self.team.name, self._cadence(noon).prs_per_day * self.spec.pr_scale)]
            for team, rate in [*rates, *self.spec.guests]:
                for _ in range(poisson(self.rng, rate)):
                    self._keep(self._human_pr(team, day), since)
            for _ in range(poisson(self.rng, self.spec.bot_prs_per_week / 5)):
                self._keep(self._bot_pr(day), since)

    def _keep(self, pr: PullRequest, since: datetime) -> None:
        if since <= pr.merged_at < END:
            self.main.add(pr)

    def remedy(
        self, kind: str, broke: datetime, deploy: datetime, culprits: list[PullRequest]
    ) -> PullRequest:
        """A revert of a culprit's commit, or a hotfix, merged just before ``deploy``."""
        culprit = self.rng.choice(culprits) if culprits else None
        team = culprit.team if culprit else self.team.name
        login = self.rng.choice(self.people[team]).login
        merged = min(
            max(broke + MINUTE, deploy - self.rng.uniform(3, 10) * MINUTE), deploy - 2 * MINUTE
        )
        opened = broke + (merged - broke) * self.rng.uniform(0.3, 0.7)
        authored = broke + (opened - broke) * self.rng.uniform(0.2, 0.8)
        labels: tuple[str, ...]
        if kind == "revert" and culprit is not None:
            target = culprit.commits[-1]
            subject = target.message.splitlines()[0]
            message = f'Revert "{subject}"\n\nThis reverts commit {target.sha}.'
            commit = Commit(self._sha(), authored, authored, login, message, paths=target.paths)
            commit.reverts = target.sha
            title, labels = f'Revert "{culprit.title}"', ("revert",)
        else:
            topic = self.rng.choice(_TOPICS[team])
            message = f"Fix {topic} regression"
            commit = Commit(self._sha(), authored, authored, login, message)
            commit.paths = self._paths(team, topic)
            title = f"Hotfix: {topic} regression"
            labels = ("hotfix", "bug") if self.rng.random() < 0.5 else ("hotfix",)
        return self._merged(team, login, title, labels, [commit], opened, merged)
