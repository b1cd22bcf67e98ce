"""The leader's next questions about a quarter-over-quarter comparison.

Which teams drove a change (each team's headline figures now and then), whether the people
who answered the survey changed (respondent counts per discipline and the role mix: names
are not kept in the report JSON), and a refusal to compare a period with itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..dora import HEADLINE_FIELD, METRICS
from ..errors import ReportError

Json = Mapping[str, Any]


def team_headlines(data: Json) -> dict[str, dict[str, float | None]]:
    """Team name -> headline figure of each metric, from a report's metrics JSON."""
    scopes = (data.get("metrics") or {}).get("scopes") or []
    return {
        str(s.get("name")): {m: (s.get(m) or {}).get(HEADLINE_FIELD[m]) for m in METRICS}
        for s in scopes
        if s.get("scope") == "team"
    }


def discipline_respondents(data: Json) -> dict[str, int | None]:
    """Discipline id -> how many respondents answered it (empty without a survey)."""
    org = (data.get("assessment") or {}).get("organization") or {}
    return {k: d.get("respondents") for k, d in sorted((org.get("disciplines") or {}).items())}


def roles(data: Json) -> dict[str, int]:
    """Role -> respondents, from the assessment JSON (empty without a survey)."""
    return dict((data.get("assessment") or {}).get("roles") or {})


def respondent_note(counts: Json | None, roles_now: Json, roles_then: Json, label: str) -> str:
    """Beside a practice delta: say when the people answering changed, so a change in who
    answered is not read as a change in practice. Empty when nothing visible changed."""
    now = counts.get("current") if counts else None
    then = counts.get("previous") if counts else None
    if now is not None and then is not None and now != then:
        return f"respondents changed: {now} now, {then} in {label}"
    if roles_now and roles_then and dict(roles_now) != dict(roles_then):
        return f"respondents' roles changed since {label}"
    return ""


def refuse_same_period(previous: Json | None, start: str, end: str, label: str, path: Any) -> None:
    """Deltas of a period against itself are all zero and mean nothing: refuse them."""
    if previous is None:
        return
    period = previous.get("period") or {}
    if period.get("start") == start and period.get("end") == end:
        raise ReportError(
            f"--compare-with: {path} covers the same period ({label}) as this report; "
            "pass the JSON of an earlier period's report"
        )
