"""The typed context: all that templates see, built from the typed ReportData.

Templates never reach into the raw JSON: every value they show is a field below, already
formatted, with the raw number kept beside it (``value``) so tests can check that the
page says what the JSON says. ``docs/report.md`` documents every field; a test fails
when one is missing there or a template uses a name that is not here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .decision_view import DecisionPage


@dataclass(frozen=True)
class Delta:
    """Change of a headline figure since the previous report."""

    text: str
    """Signed change in the figure's unit, e.g. ``−8.8 h``; ``—`` when unknown."""
    direction: str
    """``better``, ``worse``, ``same`` or ``unknown``: drives the arrow and its colour."""
    previous: str
    """The previous report's figure, formatted."""
    note: str = ""
    """Beside a practice delta: that the respondents changed since then; else empty."""


@dataclass(frozen=True)
class BenchmarkRow:
    """One tier of the chosen DORA year's benchmark table for one metric."""

    tier: str
    """Tier id (``elite``...)."""
    label: str
    """Tier name shown (``Elite``)."""
    text: str
    """The benchmark's wording for that tier (``On demand``)."""
    confidence: str
    """How sure the benchmark file is of this band (``V``, ``C`` or ``M``)."""
    ours: bool
    """True on the row where the organization sits."""


@dataclass(frozen=True)
class ScopeRow:
    """One team or repository line in a metric's table."""

    name: str
    """Team or repository name (untrusted: escaped)."""
    value: float | None
    """Raw headline figure from the JSON."""
    text: str
    """Formatted headline figure."""
    tier: str | None
    """Tier id or None when not rated."""
    tier_label: str
    """Tier name shown."""
    sample: str
    """Sample size with its noun, e.g. ``980 changes``."""
    extra: str
    """Second figure (p90, failed/deployments...), formatted."""
    missing: str = ""
    """What was not collected for this team or repository (``github:acme/api``, comma-separated):
    the row is marked partial; empty when its data is complete or completeness is unknown."""


@dataclass(frozen=True)
class RepositoryRow:
    """One repository's five metrics, for the appendix table."""

    name: str
    """Repository full name (untrusted: escaped)."""
    figures: list[ScopeRow]
    """One row per metric, in the report's metric order."""
    missing: str = ""
    """What was not collected for this repository: the row is marked partial; else empty."""


@dataclass(frozen=True)
class MetricView:
    """A DORA metric: its section in the report and its line in the summary."""

    id: str
    """Metric id as in the metrics JSON (``lead_time_for_changes``)."""
    name: str
    """Metric name from the definitions data."""
    short: str
    """Short name for narrow table headers (``Lead time``)."""
    definition: str
    """One-line definition from the definitions data."""
    method: str
    """How it is computed, from the definitions data."""
    value: float | None
    """Organization headline figure, raw."""
    text: str
    """Organization headline figure, formatted."""
    tier: str | None
    """Tier id (``elite``, ``high``, ``medium``, ``low``) or None."""
    tier_label: str
    """Tier name shown."""
    sample: str
    """Sample size with its noun."""
    details: list[tuple[str, str]]
    """Further organization figures as (label, formatted value)."""
    warnings: list[str]
    """Caveats that qualify this metric."""
    delta: Delta | None
    """Change since the previous report, or None without one."""
    benchmark: list[BenchmarkRow]
    """The benchmark table, our row marked; empty when the year has no tiers for it."""
    trend_chart: str | None
    """SVG trend chart as a data URI, or None when there are fewer than two points."""
    trend_label: str
    """What the trend chart's axis shows, e.g. ``Median hours, by week, organization``."""
    teams: list[ScopeRow]
    """Per-team figures."""
    drivers: str = ""
    """Which teams drove the change since the previous report (and which went the other
    way), one line; empty without a previous report."""
    missing: str = ""
    """What was not collected for the organization's figure: it is marked partial; else empty."""


@dataclass(frozen=True)
class AreaView:
    """A practice area's score across respondents."""

    name: str
    """Practice area name."""
    score: float | None
    """Median score 0–100, raw."""
    text: str
    """Score, formatted."""
    level: int | None
    """Maturity level 1–5."""
    spread: str
    """Range across respondents, e.g. ``42–75``."""
    low: float
    """Lowest respondent's score (0–100), for the range whisker; the median when unknown."""
    high: float
    """Highest respondent's score (0–100), for the range whisker."""
    disagreement: bool
    """True when respondents disagree widely."""


@dataclass(frozen=True)
class DisciplineView:
    """A discipline (SysOps, DevOps, SRE, Culture...) and its practice areas."""

    id: str
    """Discipline id."""
    name: str
    """Discipline name."""
    score: float | None
    """Score 0–100, raw."""
    text: str
    """Score, formatted."""
    level: int | None
    """Maturity level 1–5."""
    level_name: str
    """Maturity level name."""
    spread: str
    """Range across respondents."""
    respondents: int | None
    """Number of respondents."""
    delta: Delta | None
    """Change since the previous report."""
    areas: list[AreaView]
    """Practice areas, in questionnaire order (drawn as CSS bars with range whiskers)."""
    coverage: str = ""
    """Who answered and how much: ``9 of 12 · 64 %`` (respondents who answered of those
    asked, share of its questions answered)."""
    thin: bool = False
    """True when the score rests on thin coverage (under half the questions asked have an
    answer other than don't know)."""


@dataclass(frozen=True)
class Mismatch:
    """A self-reported DORA answer a bucket or more away from the measurement."""

    metric: str
    """Metric name."""
    who: str
    """Whose answer: a team (untrusted: escaped) or the organization's median answer."""
    self_reported: str
    """What respondents answered (median answer bucket)."""
    measured: str
    """What the data shows: its bucket and the measured figure."""
    direction: str
    """``optimistic`` (people report better than measured) or ``pessimistic``."""


@dataclass(frozen=True)
class Practices:
    """The practices assessment section."""

    respondents: int | None
    """Number of respondents."""
    disciplines: list[DisciplineView]
    """Disciplines in questionnaire order."""
    overview_chart: str | None
    """SVG data URI: radar of discipline scores; None with fewer than three disciplines."""
    strongest: list[str]
    """Strongest practices, ``name (score)``."""
    weakest: list[str]
    """Weakest practices, ``name (score)``."""
    disagreements: list[str]
    """Practice areas where respondents disagree widely."""
    mismatches: list[Mismatch]
    """Survey answers that the data contradicts."""


@dataclass(frozen=True)
class TeamType:
    """A Team Topologies team type in the recommended model."""

    type: str
    """Team type (Stream aligned, Platform, Enabling, Complicated subsystem)."""
    interaction: str
    """How it works with the others (X-as-a-Service, collaboration, facilitating)."""
    role: str
    """What that team type does here."""


@dataclass(frozen=True)
class Action:
    """One roadmap action."""

    priority: int
    """Order of the action, 1 first."""
    action: str
    """What to do."""
    rationale: str
    """Why, with the practice score and metric tier behind it."""
    horizon: str
    """``next quarter`` or ``next year``."""
    metric: str
    """Metric it should move, with its tier."""
    practice: str
    """Weak practice it addresses, with its score."""


@dataclass(frozen=True)
class Recommendation:
    """The recommended operating model."""

    model: str
    """Operating model name."""
    summary: str
    """One sentence."""
    confidence: str
    """Confidence, e.g. ``medium``, with its reason."""
    evidence: list[str]
    """Why: one sentence per piece of evidence."""
    keep: list[str]
    """What to keep doing."""
    change: list[str]
    """What to change."""
    team_types: list[TeamType]
    """Team types and their teams."""
    roadmap: list[Action]
    """Prioritised actions."""


@dataclass(frozen=True)
class TeamPage:
    """One configured team's page."""

    name: str
    """Team name (untrusted: escaped)."""
    metrics: list[ScopeRow]
    """The team's five metrics; ``name`` holds the metric name."""
    overall_tier: str
    """The team's overall DORA tier name."""
    disciplines: list[tuple[str, str]]
    """(discipline name, formatted score) from the team's respondents."""
    respondents: int | None
    """Respondents who named this team."""
    repositories: list[str]
    """Repositories measured for the team."""
    changes: tuple[tuple[str, Delta], ...] = ()
    """(metric name, change since the previous report) of the team's figures; empty without one."""
    missing: str = ""
    """What was not collected for the team's repositories: the page is marked partial; else empty."""


@dataclass(frozen=True)
class Note:
    """A data-quality note: something that could not be collected or is uncertain."""

    level: str
    """``info``, ``warning`` or ``error``."""
    where: str
    """Repository and resource concerned."""
    message: str
    """What happened."""


@dataclass(frozen=True)
class Methodology:
    """Methodology and data quality."""

    definitions: list[MetricView]
    """The five metrics with their definitions and methods."""
    record_rules: str
    """Which records count and how duplicates across sources are merged."""
    benchmark_title: str
    """Benchmark name, e.g. ``DORA State of DevOps 2024``."""
    benchmark_source: str
    """Citation of the benchmark's source."""
    options: list[tuple[str, str]]
    """Measurement options in force, as (label, value)."""
    sources: list[str]
    """Data sources, ``name (kind)``."""
    repositories: list[str]
    """Repositories covered (the first 300 names; the JSON lists them all)."""
    repositories_total: int
    """How many repositories were covered in all."""
    bots: str
    """How many bot changes were excluded."""
    notes: list[Note]
    """What could not be collected."""
    cross_check: list[tuple[str, str, str]]
    """GitLab DORA API cross-check as (metric, ours, GitLab's); empty when absent."""
    benchmark_notes: str
    """The benchmark file's notes on quirks of its table."""
    caveats: list[str]
    """Organization-level caveats that qualify no single metric (incident MTTR...)."""


@dataclass(frozen=True)
class Summary:
    """The executive summary page."""

    overall_tier: str | None
    """Overall DORA tier id."""
    overall_label: str
    """Overall tier name."""
    model_sentence: str
    """The recommended operating model in one sentence."""
    top_actions: list[Action]
    """The first three roadmap actions."""


@dataclass(frozen=True)
class ReportContext:
    """Everything a report template may use; each field is one template variable."""

    organization: str
    """Organization name."""
    author: str
    """Author or consultancy on the cover; empty when not configured."""
    period_label: str
    """``2026Q3`` or a date range."""
    period_range: str
    """``1 July 2026 – 30 September 2026``."""
    generated_on: str
    """Date the report was generated."""
    previous_label: str
    """Period of the report compared with; empty without one."""
    accent_color: str
    """Branding accent colour, ``#RRGGBB``."""
    logo_uri: str
    """Logo as a data URI; empty without a logo."""
    paper: str
    """``A4`` or ``Letter``."""
    benchmark_id: str
    """``dora-2024``."""
    summary: Summary
    """Executive summary."""
    metrics: list[MetricView]
    """The five DORA metrics."""
    practices: Practices | None
    """Practices assessment; None without survey answers."""
    recommendation: Recommendation | None
    """Operating-model recommendation; None without one."""
    repositories: list[RepositoryRow]
    """Per-repository figures for the appendix (at most 60: the most deployed)."""
    repositories_omitted: int
    """Repositories left out of the appendix table; all are in the CSV and JSON."""
    teams: list[TeamPage]
    """Per-team pages; empty when no teams are configured."""
    methodology: Methodology
    """Methodology and data quality."""
    decision: DecisionPage | None = None
    """Operating-model decision page (matrix, ranking, why, why not, what would change)."""
    incidents: IncidentsView | None = None
    """Incident-tool figures; None when the report carries none."""
    incomplete: str = ""
    """What data is missing (one line), shown as a banner; empty when data is complete."""
    completeness: str = ""
    """One line saying the data is complete; empty when unknown or incomplete."""


@dataclass(frozen=True)
class ShareRow:
    """One value of an incident breakdown (a source, a priority...) and its incidents."""

    label: str
    """The value as shown (``PagerDuty (pagerduty)``, ``P1``, ``high``)."""
    count: int
    """Incidents with it, each tool incident once."""
    share: str
    """Its share of the incidents opened, ``45 %``."""


@dataclass(frozen=True)
class OpenIncidentRow:
    """An incident still open when the period ended."""

    id: str
    """The tool's identifier."""
    title: str
    """Its title (untrusted text, escaped)."""
    source: str
    """The source that read it."""
    opened: str
    """Opening date."""
    priority: str
    """Priority, else severity, else ``not given``."""
    repositories: str
    """Repositories its service maps to, comma-separated."""


@dataclass(frozen=True)
class IncidentsView:
    """The Incidents section: what the incident tools recorded in the period."""

    origin: str
    """Where the incidents came from, one sentence."""
    opened: int
    """Incidents opened in the period, each tool incident once."""
    opened_text: str
    """``22 incidents``."""
    copies_note: str
    """How incidents on services mapped to several repositories are counted; empty if none."""
    by_source: list[ShareRow]
    """Incidents per source tool."""
    by_priority: list[ShareRow]
    """Incidents per priority (or severity)."""
    by_urgency: list[ShareRow]
    """Incidents per urgency."""
    ack_median: str
    """Median time to acknowledge, formatted; a dash when unknown."""
    ack_p90: str
    """90th percentile time to acknowledge."""
    ack_sample: str
    """How many incidents recorded an acknowledgement, and how many did not."""
    open_total: int
    """Incidents open at the period's end."""
    open_rows: list[OpenIncidentRow]
    """Those incidents, oldest first (at most 25)."""
    open_omitted: int
    """Open incidents beyond the table; the JSON lists all."""
    unmapped: list[ShareRow]
    """Services mapped to no repository, with their incidents."""
    restore: list[tuple[str, str]]
    """How the incidents feed the DORA figures, as (label, formatted value)."""
    definitions: list[tuple[str, str]]
    """Each incident figure's name and definition, for the methodology page."""
