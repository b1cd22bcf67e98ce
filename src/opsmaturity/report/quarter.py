"""The leader's next questions about a quarter-over-quarter comparison.

Which teams drove a change (each team's headline figures now and then: see
:class:`.data.Deltas`), whether the people who answered the survey changed (respondent
counts per discipline and the role mix: names are not kept in the report JSON), and a
refusal to compare a period with itself.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def refuse_same_period(previous: Comparison | None, period: Period, path: Path | None) -> None:
    """Deltas of a period against itself are all zero and mean nothing: refuse them."""
    if previous is None:
        return
    if previous.period.start == period.start and previous.period.end == period.end:
        raise ReportError(
            f"--compare-with: {path} covers the same period ({period.label}) as this report; "
            "pass the JSON of an earlier period's report"
        )
