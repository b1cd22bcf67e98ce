"""The typed report data: everything a report shows, as the engines' own result types.

One :class:`ReportData` goes from the pipeline to the views and to the JSON writer
(:mod:`.jsonfile`), so a renamed field fails in mypy or with an AttributeError instead of
silently showing a default. The engines' types are used as they are (``MetricsReport``,
``Assessment``, ``Recommendation``, ``Mismatch``); this module adds only what the report
itself knows: who, when, which period, the data quality and the comparison.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..dora import HEADLINE_FIELD, METRICS
from ..metrics import Benchmark, MetricDefinition, MetricsReport, ScopeMetrics
from ..metrics.incidents import IncidentFigures
from ..practices.compare import Mismatch
from ..practices.scoring import Assessment, GroupScores
from ..recommend import Recommendation
from ..records import CollectionNote
from .quarter import respondent_note

SCHEMA = "opsmaturity-report/1"


@dataclass(frozen=True)
class Organization:
    name: str
    engineers: int
    profile: str


@dataclass(frozen=True)
class Branding:
    logo: str | None
    """Absolute path of the logo file (checked to exist when the data was built)."""
    accent_color: str
    author: str | None


@dataclass(frozen=True)
class ReportPeriod:
    start: date
    end: date
    label: str


@dataclass(frozen=True)
class TeamEntry:
    """A configured team and the repositories it owns."""

    name: str
    repositories: tuple[str, ...]


@dataclass(frozen=True)
class SourceRef:
    name: str
    kind: str


@dataclass(frozen=True)
class DataQuality:
    """What the figures rest on: collection notes, sources, repositories and options."""

    notes: tuple[CollectionNote, ...]
    sources: tuple[SourceRef, ...]
    repositories: tuple[str, ...]
    """Every repository measured, by name."""
    bots_excluded: int | None
    """Bot changes left out of lead time; None when bots were not excluded."""
    options: dict[str, Any]
    """The measurement options in force (``MetricsOptions`` as JSON), shown as label/value."""


@dataclass(frozen=True)
class ForgePair:
    ours: float | None
    gitlab: float | None


@dataclass(frozen=True)
class CrossCheck:
    """A forge's own DORA figures beside ours (GitLab's DORA API), in our units."""

    source: str
    metrics: dict[str, ForgePair]
    scope: str | None = None


@dataclass(frozen=True)
class Comparison:
    """What a later report keeps of an earlier one: its period, date, headline figures
    and measurement options (so a change of method is not mistaken for one in delivery),
    each team's headline figures and who answered the survey (counts and roles, no names)."""

    period: ReportPeriod
    generated_at: datetime | None
    metrics: dict[str, float | None]
    """Organization headline figure of every metric (see ``dora.HEADLINE_FIELD``)."""
    disciplines: dict[str, float | None]
    """Discipline id → median score; empty without a survey."""
    options: dict[str, Any]
    teams: dict[str, dict[str, float | None]]
    """Team name → headline figure of each metric: which teams drove a change."""
    respondents: dict[str, int]
    """Discipline id → how many respondents answered it; empty without a survey."""
    roles: dict[str, int]
    """Role → respondents; empty without a survey."""


@dataclass(frozen=True)
class Change:
    """One headline figure now and then; ``change`` is None when either is unknown."""

    current: float | None
    previous: float | None
    change: float | None

    @classmethod
    def of(cls, current: float | None, previous: float | None) -> Change:
        change = None
        if current is not None and previous is not None:
            change = round(current - previous, 6)
        return cls(current, previous, change)


@dataclass(frozen=True)
class PracticeChange(Change):
    """A discipline's score now and then, with its respondent counts now and then and a
    note when who answered changed (so that is not read as a change in practice)."""

    respondents: Change
    note: str
    """Empty when nothing visible about the respondents changed."""


@dataclass(frozen=True)
class Deltas:
    """Quarter-over-quarter changes; all empty without a previous report."""

    metrics: dict[str, Change] = field(default_factory=dict)
    disciplines: dict[str, PracticeChange] = field(default_factory=dict)
    teams: dict[str, dict[str, Change]] = field(default_factory=dict)
    """Team name → metric → change: the team's own figures now and then."""


@dataclass(frozen=True)
class CollectionState:
    """How the collection of one repository (``repository`` None: a source's own run) ended."""

    source: str
    repository: str | None
    status: str
    """``complete``, ``failed``, ``running`` (interrupted) or ``missing`` (never collected)."""
    complete: bool
    detail: str | None = None


@dataclass(frozen=True)
class ScopeMark:
    """The collection gaps that make one metrics scope incomplete (none: complete)."""

    scope: str
    name: str
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class DataCompleteness:
    """Whether every source and repository was collected in full, and what each gap touches.

    In the JSON the states are the top-level ``completeness`` and the marks are each metrics
    scope's ``complete``/``missing`` keys (see :mod:`.jsonfile`).
    """

    complete: bool
    summary: str | None
    """One line naming what is missing; None when nothing is."""
    scopes: tuple[CollectionState, ...] = ()
    unrecorded_sources: tuple[str, ...] = ()
    """Sources with records but no run record (collected by an older opsmaturity)."""
    marks: tuple[ScopeMark, ...] = ()

    def missing(self, scope: str, name: str) -> tuple[str, ...]:
        """The gaps behind one metrics scope (empty when complete or not marked)."""
        return next((m.missing for m in self.marks if (m.scope, m.name) == (scope, name)), ())


@dataclass(frozen=True)
class ReportData:
    """All numbers behind a report; see ``docs/report.md`` for the JSON it is written as."""

    generated_at: datetime
    organization: Organization
    branding: Branding
    period: ReportPeriod
    teams: tuple[TeamEntry, ...]
    metrics: MetricsReport
    definitions: tuple[MetricDefinition, ...]
    record_rules: str
    benchmark: Benchmark
    assessment: Assessment | None
    """Survey scores (rounded to 0.1, as published); None without answers."""
    recommendation: Recommendation | None
    mismatches: tuple[Mismatch, ...]
    data_quality: DataQuality
    cross_check: CrossCheck | None
    previous: Comparison | None
    completeness: DataCompleteness | None = None
    """How complete the collected data is; None when unknown (built without a store)."""
    schema: str = SCHEMA
    incidents: IncidentFigures | None = None
    """Incident figures, each tool incident once (``metrics.incidents``); None when absent."""

    @property
    def organization_scope(self) -> ScopeMetrics | None:
        return organization_scope(self.metrics)

    def scopes(self, kind: str) -> list[ScopeMetrics]:
        """The metrics of every ``organization``, ``team`` or ``repository`` scope."""
        return [s for s in self.metrics.scopes if s.scope == kind]

    def headline(self) -> dict[str, float | None]:
        return headline(self.organization_scope)

    @property
    def _surveyed(self) -> GroupScores | None:
        return self.assessment.organization if self.assessment else None

    def discipline_scores(self) -> dict[str, float | None]:
        return discipline_scores(self._surveyed)

    def comparison(self) -> Comparison:
        """What next quarter's report keeps of this one."""
        return Comparison(
            period=self.period,
            generated_at=self.generated_at,
            metrics=self.headline(),
            disciplines=self.discipline_scores(),
            options=dict(self.data_quality.options),
            teams=team_headlines(self.metrics.scopes),
            respondents=discipline_respondents(self._surveyed),
            roles=dict(self.assessment.roles) if self.assessment else {},
        )

    @property
    def deltas(self) -> Deltas:
        prev = self.previous
        if prev is None:
            return Deltas()
        now_m, now_d = self.headline(), self.discipline_scores()
        now_r = discipline_respondents(self._surveyed)
        return Deltas(
            metrics={m: Change.of(now_m[m], prev.metrics[m]) for m in METRICS},
            disciplines={
                d: self._practice_change(prev, d, now_d[d], now_r[d]) for d in sorted(now_d)
            },
            teams={
                team: {m: Change.of(now[m], _team_figure(prev, team, m)) for m in METRICS}
                for team, now in team_headlines(self.metrics.scopes).items()
            },
        )

    def _practice_change(
        self, prev: Comparison, discipline: str, score: float | None, respondents: int
    ) -> PracticeChange:
        """A discipline's change, with a note when who answered changed since ``prev``."""
        # a discipline may not have been surveyed then: no previous score, no delta
        then = Change.of(score, prev.disciplines.get(discipline))
        counts = Change.of(respondents, prev.respondents.get(discipline))
        roles_now = self.assessment.roles if self.assessment else {}
        note = respondent_note(counts, roles_now, prev.roles, prev.period.label)
        return PracticeChange(then.current, then.previous, then.change, counts, note)


def _team_figure(prev: Comparison, team: str, metric: str) -> float | None:
    """A team's figure in the previous report; None for a team it did not measure."""
    figures = prev.teams.get(team)
    return figures[metric] if figures else None


def organization_scope(metrics: MetricsReport) -> ScopeMetrics | None:
    return next((s for s in metrics.scopes if s.scope == "organization"), None)


def headline(scope: ScopeMetrics | None) -> dict[str, float | None]:
    """A scope's headline figure of each metric: what deltas compare."""
    if scope is None:
        return dict.fromkeys(METRICS)
    return {m: getattr(getattr(scope, m), HEADLINE_FIELD[m]) for m in METRICS}


def team_headlines(scopes: Iterable[ScopeMetrics]) -> dict[str, dict[str, float | None]]:
    """Team name → headline figure of each metric, from a report's scopes."""
    return {s.name: headline(s) for s in scopes if s.scope == "team"}


def discipline_respondents(group: GroupScores | None) -> dict[str, int]:
    """Discipline id → how many respondents answered it (empty without a survey)."""
    if group is None:
        return {}
    return {k: d.respondents for k, d in sorted(group.disciplines.items())}


def discipline_scores(group: GroupScores | None) -> dict[str, float | None]:
    """Discipline id → median score (empty without a survey)."""
    if group is None:
        return {}
    return {k: d.median for k, d in sorted(group.disciplines.items())}
