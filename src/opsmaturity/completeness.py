"""Is the collected data complete? Per source and repository, from the store's run records.

The collector marks each source and repository as ``running`` before it fetches anything
and ``complete`` or ``failed`` afterwards, so a crash, a kill or a failed repository all
leave a trace. Figures from incomplete data are wrong (a change failure rate of 3/25 when
it is 5/25), so ``metrics`` and ``report`` refuse them unless told ``--allow-incomplete``,
and then mark the affected scopes.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import IncompleteData

#: The store's name for a source's own run (its repository listing).
SOURCE_RUN = ""
#: What each stored status means to a reader.
MEANING = {
    "complete": "complete",
    "failed": "not collected",
    "running": "collection interrupted (started, never finished)",
    "missing": "never collected",
}


@dataclass(frozen=True)
class ScopeState:
    """How the collection of one repository (or a source's listing, ``repository=""``) ended."""

    source: str
    repository: str
    status: str  # complete | failed | running | missing
    detail: str = ""

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    @property
    def label(self) -> str:
        """``github:acme/api`` or just ``github`` for a source-wide state."""
        return f"{self.source}:{self.repository}" if self.repository else self.source

    def describe(self) -> str:
        why = f" ({self.detail})" if self.detail else ""
        return f"{self.label} {MEANING.get(self.status, self.status)}{why}"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "repository": self.repository or None,
            "status": self.status,
            "complete": self.complete,
            "detail": self.detail or None,
        }


@dataclass(frozen=True)
class Completeness:
    """Every recorded state, and which configured sources were never collected."""

    states: tuple[ScopeState, ...] = ()
    unrecorded: tuple[str, ...] = field(default=())
    """Sources with records but no run record (collected by an older opsmaturity)."""

    @classmethod
    def from_runs(
        cls,
        runs: Iterable[tuple[str, str, str, str]],
        configured: Sequence[str],
        with_records: Iterable[str],
    ) -> Completeness:
        states = [ScopeState(*run) for run in runs]
        recorded = {s.source for s in states}
        has_records = set(with_records)
        missing = [
            ScopeState(name, SOURCE_RUN, "missing")
            for name in configured
            if name not in recorded and name not in has_records
        ]
        unrecorded = tuple(sorted(has_records - recorded))
        return cls(tuple(states + missing), unrecorded)

    @property
    def gaps(self) -> list[ScopeState]:
        return [s for s in self.states if not s.complete]

    @property
    def complete(self) -> bool:
        return not self.gaps

    def missing_repositories(self) -> list[str]:
        return [s.repository for s in self.gaps if s.repository]

    def gap_text(self) -> str:
        """The gaps in one line: the first five, then how many more."""
        gaps = self.gaps
        shown = "; ".join(s.describe() for s in gaps[:5])
        return shown + (f"; and {len(gaps) - 5} more" if len(gaps) > 5 else "")

    def summary(self) -> str:
        """One line naming what is missing (empty when nothing is)."""
        return f"incomplete data: {self.gap_text()}" if self.gaps else ""

    def require(self, allow_incomplete: bool) -> None:
        """Refuse incomplete data unless allowed: one line naming the gaps and the way out."""
        if self.complete or allow_incomplete:
            return
        raise IncompleteData(
            f"{self.summary()}; run `opsmaturity collect` again to fill the gaps, or pass "
            "--allow-incomplete to show figures marked as incomplete"
        )

    def affected(self, scope: str, name: str, teams: Mapping[str, Any]) -> list[str]:
        """The gaps that make one metrics scope incomplete, as labels."""
        gaps = self.gaps
        if scope == "organization":
            return [s.label for s in gaps]
        source_wide = [s.label for s in gaps if not s.repository]
        if scope == "repository":
            return source_wide + [s.label for s in gaps if s.repository == name]
        team = teams.get(name)
        globs = list(getattr(team, "repositories", []) or []) + list(
            getattr(team, "paths", {}) or {}
        )
        claimed = [
            s.label
            for s in gaps
            if s.repository and any(fnmatch.fnmatchcase(s.repository, g) for g in globs)
        ]
        return source_wide + claimed

    def to_json(self) -> dict[str, Any]:
        return {
            "complete": self.complete,
            "summary": self.summary() or None,
            "scopes": [s.to_json() for s in self.states],
            "unrecorded_sources": list(self.unrecorded),
        }


def mark_metrics_json(
    data: dict[str, Any], completeness: Completeness, teams: Mapping[str, Any]
) -> dict[str, Any]:
    """Metrics JSON with ``completeness`` on top and ``complete``/``missing`` on every scope."""
    for scope in data.get("scopes", []):
        missing = completeness.affected(scope["scope"], scope["name"], teams)
        scope["complete"], scope["missing"] = not missing, missing
    data["completeness"] = completeness.to_json()
    return data


def mark_csv(text: str, completeness: Completeness, teams: Mapping[str, Any]) -> str:
    """The metrics CSV with a ``data_complete`` column: ``yes``, or ``no: <what is missing>``."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return text
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = rows[0]
    writer.writerow([*header, "data_complete"])
    for row in rows[1:]:
        record = dict(zip(header, row, strict=False))
        missing = completeness.affected(record.get("scope", ""), record.get("name", ""), teams)
        writer.writerow([*row, "no: " + ", ".join(missing) if missing else "yes"])
    return out.getvalue()


def table(completeness: Completeness) -> Any:
    """A rich table of every source and repository and how its collection ended."""
    from rich.table import Table
    from rich.text import Text

    title = (
        "Data completeness: complete" if completeness.complete else "Data completeness: INCOMPLETE"
    )
    out = Table(title=title, title_justify="left", highlight=False)
    for column in ("Source", "Repository", "Collection"):
        out.add_column(column, overflow="fold")
    for state in completeness.states:
        style = "green" if state.complete else "bold red"
        status = MEANING.get(state.status, state.status) + (
            f": {state.detail}" if state.detail else ""
        )
        out.add_row(
            Text(state.source), Text(state.repository or "(all)"), Text(status, style=style)
        )
    for source in completeness.unrecorded:
        out.add_row(
            Text(source), Text("(all)"), Text("not recorded (collected by an older version)")
        )
    return out


def with_completeness(metrics: Any, completeness: Completeness) -> Any:
    """The metrics table, a banner above it when data is missing, and the completeness table."""
    from rich.console import Group
    from rich.text import Text

    if completeness.complete:
        return Group(metrics, table(completeness))
    banner = Text(
        f"INCOMPLETE DATA, figures leave out: {completeness.gap_text()}", style="bold white on red"
    )
    return Group(banner, metrics, table(completeness))
