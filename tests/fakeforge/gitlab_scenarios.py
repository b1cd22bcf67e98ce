"""Hand-built GitLab scenarios whose DORA figures are worked out by hand in the comments.

``northwind()``: group ``northwind`` with ``checkout``, a subgroup project
``platform/billing`` and an archived ``legacy``. Period 2026Q3 for ``checkout``:

* successful production deployments finished in the period: D1 07-03 10:05,
  D3 07-07 18:05, D4 07-12 00:05 → deployment count 3 (D0 is the June baseline,
  D2 07-07 09:05 failed; a staging deployment does not count);
* MRs: !1 merge-commit, merged 07-02 10:00 → D1: 86,700 s; !2 squash, merged 07-06
  12:00 → D3: 108,300 s; !4 rebase, merged 07-11 00:00 → D4: 86,700 s → median 86,700 s;
* one incident (type incident), 07-07 09:30 → 11:30: restore median 7,200 s;
  change failure rate 1 incident ÷ 3 deployments = 1/3. An ordinary issue labelled
  ``incident`` (opened 07-20, still open) is an incident by label only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from .builder import BOTS, PEOPLE, RepoBuilder
from .scenario import Org, Repo, Scenario

IST = timezone(timedelta(hours=5, minutes=30))
PST = timezone(timedelta(hours=-7))


def at(month: int, day: int, hour: int = 0, minute: int = 0, tz: timezone = UTC) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=tz)


def checkout(id: int = 1) -> Repo:
    return checkout_builder(id).build()


def checkout_builder(id: int = 1) -> RepoBuilder:
    """``checkout``'s builder, so a test can grow its history between two runs."""
    b = RepoBuilder("northwind/checkout", id)
    b.commit("Initial commit", at(6, 1, 9), PEOPLE[0], files=["README.md"])
    b.deploy(at(6, 10, 9))  # D0: baseline before the period
    b.pull(
        "Add cart",
        at(7, 1, 9, tz=IST).astimezone(IST),
        at(7, 2, 10),
        style="merge",
        commits=2,
        labels=["feature"],
        files=["services/cart/app.py"],
    )
    b.deploy(at(7, 3, 10))  # D1
    b.pull(
        "Pay faster",
        at(7, 5, 8),
        at(7, 6, 12),
        style="squash",
        commits=3,
        author=PEOPLE[3],
        files=["services/pay/app.py"],
    )
    b.commit(
        "Bump lodash", at(7, 6, 13, tz=PST).astimezone(PST), BOTS[0], files=["package-lock.json"]
    )
    b.deploy(at(7, 7, 9), "failure")  # D2
    b.issue("Checkout down", at(7, 7, 9, 30), at(7, 7, 11, 30), labels=["sev1"], incident=True)
    b.deploy(at(7, 7, 18))  # D3
    b.pull(
        "Fix rounding",
        at(7, 10, 9),
        at(7, 11, 0),
        style="rebase",
        commits=2,
        labels=["hotfix"],
        files=["services/pay/round.py"],
    )
    b.deploy(at(7, 11, 1), environment="staging", run=False)
    b.deploy(at(7, 12, 0))  # D4
    b.release("v1.0.0", at(7, 12, 1))
    b.issue("Slow page", at(7, 20, 8), labels=["incident"])
    b.issue("Typo", at(7, 21, 8), at(7, 22, 8), labels=["bug"])
    return b


def billing(id: int = 2) -> Repo:
    b = RepoBuilder("northwind/platform/billing", id)
    b.commit("Initial commit", at(6, 1, 9))
    b.pull("Invoices", at(7, 1, 9), at(7, 1, 12), commits=1)
    b.release("v0.1.0", at(7, 2, 9))
    b.pull("Refunds", at(8, 1, 9), at(8, 1, 12), commits=1)
    b.release("v0.2.0", at(8, 2, 9))
    repo = b.build()
    repo.environments = []
    repo.deployments = []
    repo.runs = []
    return repo


def legacy(id: int = 3) -> Repo:
    b = RepoBuilder("northwind/legacy", id)
    b.commit("Initial commit", at(1, 1, 9))
    repo = b.build()
    repo.archived = True
    return repo


def northwind() -> Scenario:
    return Scenario([Org("northwind", 1, [checkout(), billing(), legacy()])])


def mixed_builder(id: int = 5) -> RepoBuilder:
    """``northwind/mixed``: direct pushes and merge commits in deployments that also ship
    MRs. Each deployment ships ``compare(previous success...its SHA)``, oldest first:

    * E0 06-10 baseline (``Initial commit``);
    * E1 07-03 10:00: ``Hotfix config`` (push 07-01 09:00), !1 ``Add search`` parts 1–2 and
      its merge commit (merged 07-02 10:00), ``Tweak docs`` (push 07-03 09:00) → 5;
    * E2 07-06 10:00: !2's squash commit ``Squash it (#2)`` (merged 07-05 10:00), the bot's
      ``Bump deps``, ``Fix typo`` (push 07-06 09:00) → 3;
    * E3 07-07 redeploys E2's SHA → nothing, and no compare; E4 07-09 10:00: ``Direct
      only`` (push 07-09 09:00; GitLab links no MR) → 1; E5 07-10 rolls back to E2's SHA
      → nothing (an empty compare); E6 07-11 ships E4's SHA again → ``Direct only`` again.

    Every deployment finishes 5 minutes after it starts. Lead time from merge, ours: !1
    24h05, !2 24h05, pushes by committer time 49h05, 1h05, 1h05, 1h05 (the bot's left
    out; E6's re-shipped commit counts at E4) → n 6, median (1h05 + 24h05) / 2 = 12h35.
    GitLab's DORA API counts MRs only: daily medians 86,700 s and 86,700 s → 86,700 s.
    """
    b = RepoBuilder("northwind/mixed", id)
    b.commit("Initial commit", at(6, 1, 9))
    b.deploy(at(6, 10, 9))  # E0
    b.commit("Hotfix config", at(7, 1, 9), PEOPLE[2])
    b.pull("Add search", at(7, 1, 10), at(7, 2, 10), style="merge", commits=2)
    b.commit("Tweak docs", at(7, 3, 9), PEOPLE[3])
    b.deploy(at(7, 3, 10))  # E1
    b.pull("Squash it", at(7, 4, 9), at(7, 5, 10), style="squash", commits=2, labels=["feature"])
    b.commit("Bump deps", at(7, 5, 11), BOTS[0])
    b.commit("Fix typo", at(7, 6, 9), PEOPLE[1])
    e2 = b.deploy(at(7, 6, 10))  # E2
    b.deploy(at(7, 7, 10), sha=e2.sha)  # E3: the same SHA again
    b.commit("Direct only", at(7, 9, 9), PEOPLE[0])
    e4 = b.deploy(at(7, 9, 10))  # E4
    b.deploy(at(7, 10, 10), sha=e2.sha)  # E5: rollback
    b.deploy(at(7, 11, 10), sha=e4.sha)  # E6: forward again
    return b


def mixed() -> Scenario:
    return Scenario([Org("northwind", 1, [mixed_builder().build()])])


def many_issues(count: int, incident: bool = False) -> Scenario:
    """One project with ``count`` issues, for paging beyond GitLab's 10,000 count limit."""
    b = RepoBuilder("bulk/issues", 9)
    b.commit("Initial commit", at(1, 1))
    start = at(1, 2)
    for n in range(count):
        b.issue(f"Issue {n}", start + timedelta(minutes=n), incident=incident)
    return Scenario([Org("bulk", 9, [b.build()])])
