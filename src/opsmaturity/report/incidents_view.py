"""The Incidents section of the context: the incident tools' figures in words and tables."""

from __future__ import annotations

from collections.abc import Callable

from ..metrics.incidents import DEFINITIONS, IncidentFigures, Tally
from . import format as fmt
from .context import IncidentsView, OpenIncidentRow, ShareRow
from .data import ReportData

MAX_OPEN_ROWS = 25
"""Open incidents listed on the page; the JSON lists every one."""

TOOLS = {
    "pagerduty": "PagerDuty",
    "jira": "Jira / Jira Service Management",
    "opsgenie": "Opsgenie",
    "github": "GitHub issues",
    "gitlab": "GitLab issues",
    "files": "an incident file import",
    "demo": "the demo's simulated PagerDuty-style on-call tool",
}
"""What each source kind's incidents come from, in words."""


def build_incidents(data: ReportData) -> IncidentsView | None:
    """The section, or None when the report carries no incident figures."""
    figures = data.incidents
    if figures is None:
        return None
    kinds = {s.name: s.kind for s in data.data_quality.sources}
    ack = figures.acknowledge
    shown = figures.open_at_end[:MAX_OPEN_ROWS]
    return IncidentsView(
        origin=_origin(figures, kinds),
        opened=figures.opened,
        opened_text=fmt.count(figures.opened, "incidents"),
        copies_note=_copies_note(figures),
        by_source=_shares(figures.by_source, figures.opened, lambda s: _capital(_tool(s, kinds))),
        by_priority=_shares(figures.by_priority, figures.opened),
        by_urgency=_shares(figures.by_urgency, figures.opened),
        ack_median=_minutes(ack.median_minutes),
        ack_p90=_minutes(ack.p90_minutes),
        ack_sample=_ack_sample(figures),
        open_total=len(figures.open_at_end),
        open_rows=[
            OpenIncidentRow(
                id=o.id,
                title=o.title,
                source=o.source,
                opened=fmt.day(o.opened),
                priority=o.priority,
                repositories=", ".join(o.repositories),
            )
            for o in shown
        ],
        open_omitted=len(figures.open_at_end) - len(shown),
        unmapped=_shares(figures.unmapped, figures.opened),
        restore=_restore(data),
        definitions=list(DEFINITIONS.values()),
    )


def _tool(source: str, kinds: dict[str, str]) -> str:
    """``PagerDuty (source pd)``: the tool in words, then the configured source's name."""
    # a source no longer in the config still has its stored incidents; not every kind is a tool
    kind = kinds.get(source, "")
    return f"{TOOLS.get(kind, kind or 'an unlisted source')} (source {source})"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _origin(figures: IncidentFigures, kinds: dict[str, str]) -> str:
    if not figures.by_source:
        return "No incident was opened in the period in any configured source."
    return (
        "Incidents came from " + ", ".join(_tool(t.label, kinds) for t in figures.by_source) + "."
    )


def _copies_note(figures: IncidentFigures) -> str:
    extra = figures.records - figures.opened
    if extra <= 0:
        return ""
    return (
        f"Some incidents were on services mapped to several repositories: {figures.records:,} "
        f"repository records stand for {figures.opened:,} incidents. Each marks a deployment of "
        "every repository it maps to, and counts once here and in the organization's figures."
    )


def _shares(
    tallies: tuple[Tally, ...], total: int, name: Callable[[str], str] = str
) -> list[ShareRow]:
    """Each value with its count and its share of ``total`` (whole percent)."""
    return [
        ShareRow(label=name(t.label), count=t.count, share=f"{100 * t.count / total:.0f} %")
        for t in tallies
        if total
    ]


def _minutes(value: float | None) -> str:
    return fmt.DASH if value is None else fmt.hours(value / 60)


def _ack_sample(figures: IncidentFigures) -> str:
    ack = figures.acknowledge
    if not ack.n:
        return _capital(ack.reason or "no acknowledgement time recorded")
    text = f"{fmt.count(ack.n, 'incidents')} with an acknowledgement time"
    if ack.not_acknowledged:
        text += f"; {ack.not_acknowledged:,} without"
    return text


def _restore(data: ReportData) -> list[tuple[str, str]]:
    """The organization's incident time to restore and linking, from the metrics engine
    (incidents that pass the severity filter, each tool incident once)."""
    org = data.organization_scope
    if org is None:
        return []
    mttr = org.incident_mttr
    unlinked = sum(w.count or 0 for w in org.warnings if w.code == "unlinked_incidents")
    failed = org.change_failure_rate
    return [
        ("Time to restore, median (opened → resolved)", fmt.hours(mttr.median_hours)),
        ("Time to restore, 90th percentile", fmt.hours(mttr.p90_hours)),
        ("Resolved incidents measured", f"{mttr.n:,}"),
        ("Linked to no deployment (mark none failed)", f"{unlinked:,}"),
        ("Deployments failed by an incident", f"{failed.by_rule['incident']:,}"),
    ]
