"""Incident-tool figures: incidents by source, priority and urgency, time to acknowledge,
incidents open at the period's end, and incidents on unmapped services.

An incident tool's service mapped to several repositories gives one record per repository
(``sources/incidents/services.py``), so each repository's deployment can be marked failed.
Organization and team figures must still count the tool's incident once: its copies share
the source that read it, its id and its opening time, and that triple is its identity here.
Inside the engine, where records are arrays without their source, ``identity_codes`` pairs
rows of one id and opening time across repositories (rows of one repository are never
merged) and ``once_per_scope`` keeps one per organization or team.
Pure: records and the period's bounds in, figures out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..records import Incident

UNMAPPED_PREFIX = "unmapped:"
"""Pseudo repository of an incident on no mapped service (as ``sources.incidents`` writes it)."""
NOT_GIVEN = "not given"

INTRO = (
    "The report's Incidents section shows what the incident tools (PagerDuty, Jira, Opsgenie) "
    "or forge issues recorded in the period, beside the DORA metrics they feed. The demo's "
    "incidents come from a simulated PagerDuty-style on-call tool."
)
"""What the incident figures are, for docs/metrics.md."""

DEFINITIONS: dict[str, tuple[str, str]] = {
    "opened": (
        "Incidents opened",
        "Incidents opened in the period, whatever their severity, each tool incident once "
        "however many repositories its service maps to (one source, id and opening time).",
    ),
    "time_to_acknowledge": (
        "Time to acknowledge",
        "Minutes from an incident's opening to its first acknowledgement in the incident tool, "
        "over the incidents opened in the period that record one: median and 90th percentile "
        "(linear interpolation). An acknowledgement stamped before the opening counts as zero; "
        "incidents never acknowledged are counted apart, not as zero.",
    ),
    "open_at_period_end": (
        "Open at period end",
        "Incidents opened before the period's end and not resolved by then, including ones "
        "opened before the period: failures that had not recovered when the period closed.",
    ),
    "unmapped": (
        "Unmapped services",
        "Incidents on a service, component or project that the config's services mapping sends "
        "to no repository or team: they count in these figures and the incident MTTR but mark "
        "no deployment failed.",
    ),
}
"""Each incident figure's name and written definition (docs/metrics.md repeats them)."""

Sourced = tuple[str, Incident]
"""An incident and the name of the configured source that read it."""
Identity = tuple[str, str, datetime]


@dataclass(frozen=True)
class Tally:
    """How many distinct incidents have one value (a source, a priority, a service...)."""

    label: str
    count: int


@dataclass(frozen=True)
class TimeToAcknowledge:
    """Minutes from opening to first acknowledgement, over incidents opened in the period
    whose tool recorded an acknowledgement; None with a reason when there is none."""

    n: int
    median_minutes: float | None
    p90_minutes: float | None
    not_acknowledged: int
    """Opened in the period with no acknowledgement time (never acknowledged, or unknown)."""
    reason: str | None = None


@dataclass(frozen=True)
class OpenIncident:
    """An incident opened before the period's end and not resolved by then: a failure
    that had not recovered when the period closed."""

    source: str
    id: str
    title: str
    opened: datetime
    priority: str
    repositories: tuple[str, ...]
    """Every repository its copies were placed on (``unmapped:<service>`` when none)."""


@dataclass(frozen=True)
class IncidentFigures:
    """The period's incident figures, each tool incident counted once."""

    opened: int
    """Distinct incidents opened in the period."""
    records: int
    """Records behind them: one per repository a service maps to, so ``records >= opened``."""
    by_source: tuple[Tally, ...]
    by_priority: tuple[Tally, ...]
    """Priority as given, else severity, else ``not given``."""
    by_urgency: tuple[Tally, ...]
    acknowledge: TimeToAcknowledge
    open_at_end: tuple[OpenIncident, ...]
    unmapped: tuple[Tally, ...]
    """Services mapped to no repository, with the incidents opened on them in the period."""


class IncidentFiguresError(RuntimeError):
    """An impossible incident figure: a bug, never something to print."""


def incident_figures(
    incidents: Iterable[Sourced], *, start: datetime, end: datetime
) -> IncidentFigures:
    """The incident figures of the period ``[start, end)``; ``incidents`` may hold several
    copies of one tool incident (one per repository) and incidents outside the period."""
    groups = distinct_incidents(incidents)
    opened = [(key, copies) for key, copies in groups.items() if start <= key[2] < end]
    firsts = [(key[0], copies[0]) for key, copies in opened]
    unmapped = (_unmapped_service(copies) for _, copies in opened)
    return IncidentFigures(
        opened=len(opened),
        records=sum(len(copies) for _, copies in opened),
        by_source=_tally(source for source, _ in firsts),
        by_priority=_tally((priority(i) for _, i in firsts), by_label=True),
        by_urgency=_tally((i.urgency or NOT_GIVEN for _, i in firsts), by_label=True),
        acknowledge=time_to_acknowledge([i for _, i in firsts]),
        open_at_end=_open_at(groups, end),
        unmapped=_tally(service for service in unmapped if service is not None),
    )


def distinct_incidents(incidents: Iterable[Sourced]) -> dict[Identity, list[Incident]]:
    """Each tool incident (source, id, opening time) → its copies, in input order."""
    out: dict[Identity, list[Incident]] = {}
    for source, incident in incidents:
        out.setdefault((source, incident.id, incident.created_at), []).append(incident)
    return out


def priority(incident: Incident) -> str:
    return incident.priority or incident.severity or NOT_GIVEN


def time_to_acknowledge(incidents: list[Incident]) -> TimeToAcknowledge:
    """Median and p90 (linear interpolation, as every percentile of the report) of the
    minutes to acknowledge; an acknowledgement before the opening counts as zero."""
    minutes = [
        max((i.acknowledged_at - i.created_at).total_seconds(), 0.0) / 60
        for i in incidents
        if i.acknowledged_at is not None
    ]
    missing = len(incidents) - len(minutes)
    if not minutes:
        reason = (
            "no incident opened in the period"
            if not incidents
            else "no acknowledgement time recorded"
        )
        return TimeToAcknowledge(0, None, None, missing, reason)
    median, p90 = (float(v) for v in np.percentile(minutes, [50, 90]))
    if not 0 <= median <= p90 + 1e-9:
        raise IncidentFiguresError(f"time to acknowledge: median {median} above p90 {p90}")
    return TimeToAcknowledge(len(minutes), median, p90, missing)


def _open_at(groups: Mapping[Identity, list[Incident]], end: datetime) -> tuple[OpenIncident, ...]:
    found = [
        OpenIncident(
            source=source,
            id=ident,
            title=copies[0].title,
            opened=opened,
            priority=priority(copies[0]),
            repositories=tuple(sorted({c.repository for c in copies})),
        )
        for (source, ident, opened), copies in groups.items()
        if opened < end and (copies[0].resolved_at is None or copies[0].resolved_at >= end)
    ]
    return tuple(sorted(found, key=lambda o: (o.opened, o.source, o.id)))


def _unmapped_service(copies: list[Incident]) -> str | None:
    """The service an incident was left unmapped on (placement makes one such copy, alone),
    or None when it was mapped."""
    services = [
        c.repository.removeprefix(UNMAPPED_PREFIX)
        for c in copies
        if c.repository.startswith(UNMAPPED_PREFIX)
    ]
    return min(services) if services else None


def _tally(values: Iterable[str], *, by_label: bool = False) -> tuple[Tally, ...]:
    """Most frequent first, then by label; ``by_label``: in label order (``P1`` before
    ``P2``, ``high`` before ``low``), ``not given`` last."""
    counts = Counter(values)

    def order(kv: tuple[str, int]) -> tuple[object, ...]:
        label, n = kv
        return (label == NOT_GIVEN, label.casefold()) if by_label else (-n, label)

    return tuple(Tally(label, n) for label, n in sorted(counts.items(), key=order))


def once_per_scope(
    pairs: tuple[np.ndarray, np.ndarray],
    identity: np.ndarray,
    prefer: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(scope id, incident row) pairs keeping one row per scope and incident identity.

    ``identity[row]`` is an integer naming the tool incident (see :func:`identity_codes`).
    Of each (scope, identity), the first pair whose row is ``prefer``-red is kept (the copy
    linked to a deployment: the incident did fail one), else the first pair; kept pairs stay
    in input order.
    """
    sid, rows = pairs
    if not len(rows):
        return pairs
    key = sid.astype(np.int64) * (int(identity.max(initial=0)) + 1) + identity[rows]
    rank = np.zeros(len(rows), dtype=np.int8) if prefer is None else (~prefer[rows]).astype(np.int8)
    order = np.lexsort((np.arange(len(rows)), rank, key))  # by key, preferred first, then input
    first = order[np.r_[True, key[order][1:] != key[order][:-1]]]
    keep = np.sort(first)
    return sid[keep], rows[keep]


def identity_codes(ids: np.ndarray, created: np.ndarray, repo: np.ndarray) -> np.ndarray:
    """An integer per incident row: the copies of one tool incident share it.

    Copies have the same id and opening time and lie in different repositories (frames keep
    no source name). Rows of one repository are never merged: the k-th row with an id and
    opening time in a repository is a copy only of the k-th such row of another.
    """
    codes: dict[tuple[object, float, int], int] = {}
    seen: dict[tuple[object, float, int], int] = {}
    out = np.empty(len(ids), dtype=np.int64)
    for k, (i, c, r) in enumerate(zip(ids.tolist(), created.tolist(), repo.tolist(), strict=True)):
        nth = seen[(i, float(c), r)] = seen.get((i, float(c), r), -1) + 1
        out[k] = codes.setdefault((i, float(c), nth), len(codes))
    return out
