"""Histories served by both fakes, for tests that one history gives one answer (issue #12).

:func:`dependabot_quarter` is a 2026Q3 history with everything the metrics look at —
human pull requests merged by merge, squash and rebase, direct pushes, four merged
dependabot pull requests (two merge commits by a human, two squash commits), a failed
deployment with an incident and its fix, a revert, a rollback and a staging deployment —
in two repositories that two teams share.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .builder import BOTS, PEOPLE, RepoBuilder
from .scenario import Org, Scenario

DEPENDABOT = BOTS[0]
#: The four merged dependabot pull requests of :func:`dependabot_quarter`, per repository.
BOT_PULLS = {"northwind/storefront": 3, "northwind/payments": 1}


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _bump(b: RepoBuilder, package: str, opened: datetime, merged: datetime, style: str) -> None:
    b.pull(
        f"Bump {package}",
        opened,
        merged,
        style=style,
        commits=1,
        author=DEPENDABOT,
        labels=["dependencies"],
        files=["package-lock.json"],
    )


def storefront(id: int = 11) -> RepoBuilder:
    b = RepoBuilder("northwind/storefront", id)
    b.commit("Initial commit", at(6, 1, 9), files=["README.md"])
    b.deploy(at(6, 20, 9))  # baseline before the quarter
    b.pull("Add basket", at(7, 1, 9), at(7, 2, 15), style="merge", commits=3, labels=["feature"])
    _bump(b, "lodash", at(7, 2, 1), at(7, 3, 9), "merge")
    b.deploy(at(7, 3, 10))
    b.pull("Faster images", at(7, 6, 8), at(7, 7, 11), style="squash", commits=2, author=PEOPLE[3])
    b.commit("Tune cache headers", at(7, 7, 12), PEOPLE[2], files=["web/cache.py"])
    b.deploy(at(7, 8, 9), "failure")
    b.issue(
        "Storefront 500s",
        at(7, 8, 9, 20),
        at(7, 8, 12, 0),
        labels=["incident", "sev2"],
        incident=True,
    )
    bad = b.commit("Cache TTL", at(7, 8, 10), PEOPLE[2], files=["web/cache.py"])
    b.deploy(at(7, 8, 11, 30))
    b.commit(
        f'Revert "Cache TTL"\n\nThis reverts commit {bad}.',
        at(7, 9, 9),
        PEOPLE[1],
        files=["web/cache.py"],
    )
    _bump(b, "axios", at(7, 10, 2), at(7, 14, 10), "squash")
    b.deploy(at(7, 14, 11))
    b.pull("Search box", at(7, 20, 9), at(7, 22, 16), style="rebase", commits=2, author=PEOPLE[1])
    _bump(b, "react", at(7, 21, 3), at(7, 23, 9), "merge")
    b.deploy(at(7, 23, 10), environment="staging", run=False)
    good = b.deploy(at(7, 23, 14))
    b.commit("Risky refactor", at(8, 3, 9), PEOPLE[0], files=["web/app.py"])
    b.deploy(at(8, 3, 10))
    b.deploy(at(8, 3, 12), sha=good.sha)  # rollback
    b.issue(
        "Checkout button missing",
        at(8, 3, 10, 30),
        at(8, 3, 12, 10),
        labels=["incident"],
        incident=True,
    )
    b.pull("Wishlist", at(8, 20, 9), at(8, 25, 10), style="merge", commits=4, labels=["feature"])
    b.deploy(at(8, 26, 9))
    return b


def payments(id: int = 12) -> RepoBuilder:
    b = RepoBuilder("northwind/payments", id)
    b.commit("Initial commit", at(5, 20, 9), files=["README.md"])
    b.deploy(at(6, 25, 9))
    b.commit("Card tokens", at(7, 6, 9), PEOPLE[3], files=["pay/tokens.py"])
    _bump(b, "requests", at(7, 6, 10), at(7, 9, 17), "squash")
    b.pull("Refunds", at(7, 10, 9), at(7, 15, 12), style="merge", commits=2, author=PEOPLE[2])
    b.deploy(at(7, 16, 9))
    b.pull("3-D Secure", at(8, 4, 9), at(8, 12, 12), style="squash", commits=5, author=PEOPLE[1])
    b.deploy(at(8, 13, 9), "failure")
    b.issue(
        "Payments declined",
        at(8, 13, 9, 30),
        at(8, 13, 15, 0),
        labels=["incident", "sev1"],
        incident=True,
    )
    b.deploy(at(8, 13, 16))
    b.commit("Receipt wording", at(9, 2, 9), PEOPLE[0], files=["pay/receipt.py"])
    b.deploy(at(9, 2, 10))
    return b


def dependabot_quarter() -> Scenario:
    return Scenario([Org("northwind", 1, [storefront().build(), payments().build()])])
