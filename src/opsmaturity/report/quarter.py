"""The leader's next questions about a quarter-over-quarter comparison.

Which teams drove a change (each team's headline figures now and then: see
:class:`.data.Deltas`), whether the people who answered the survey changed (respondent
counts per discipline and the role mix: names are not kept in the report JSON), and a
refusal to compare a period with itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ReportError
from ..period import Period

if TYPE_CHECKING:
    from .data import Change, Comparison


def respondent_note(
    counts: Change, roles_now: Mapping[str, int], roles_then: Mapping[str, int], label: str
) -> str:
    """Beside a practice delta: say when the people answering changed, so a change in who
    answered is not read as a change in practice. Empty when nothing visible changed."""
    now, then = counts.current, counts.previous
    if now is not None and then is not None and now != then:
        return f"respondents changed: {now:g} now, {then:g} in {label}"
    if roles_now and roles_then and dict(roles_now) != dict(roles_then):
        return f"respondents' roles changed since {label}"
    return ""


@dataclass(frozen=True)
class Drivers:
    """The teams behind an organization's change of one metric, largest change first."""

    along: tuple[tuple[str, float], ...]
    """(team, change) of the teams that moved the way the organization did."""
    against: tuple[tuple[str, float], ...]
    """(team, change) of the teams that moved the other way."""


def drivers(org: Change, teams: Mapping[str, Mapping[str, Change]], metric: str) -> Drivers:
    """Which teams drove the organization's change of ``metric``: each team's own change in
    the metric's unit, split by whether it went the organization's way. A team without a
    figure now or then, or without a change, drives nothing; so does an unchanged
    organization (there is no direction to follow)."""
    if not org.change:
        return Drivers((), ())
    moved = [
        (team, change)
        for team, figures in sorted(teams.items())
        if (found := figures.get(metric)) is not None and (change := found.change)
    ]
    moved.sort(key=lambda tc: -abs(tc[1]))
    along = tuple(tc for tc in moved if (tc[1] > 0) == (org.change > 0))
    against = tuple(tc for tc in moved if (tc[1] > 0) != (org.change > 0))
    return Drivers(along, against)


def refuse_same_period(previous: Comparison | None, period: Period, path: Path | None) -> None:
    """Deltas of a period against itself are all zero and mean nothing: refuse them."""
    if previous is None:
        return
    if previous.period.start == period.start and previous.period.end == period.end:
        raise ReportError(
            f"--compare-with: {path} covers the same period ({period.label}) as this report; "
            "pass the JSON of an earlier period's report"
        )
