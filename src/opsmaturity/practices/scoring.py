"""Scores from answers: per question, practice area and discipline, then over respondents.

For each respondent a question scores 0-100 (its level over the top level; a percent is its
value, or 100 minus it when lower is better), a practice area is the weighted mean of its
answered questions, a discipline the weighted mean of its areas, and the overall score the
mean of the practice disciplines (self-reported delivery performance is kept apart).
Over respondents we report the median, the spread (quartiles, min-max, population standard
deviation). Disagreement is flagged within a team when the interquartile range reaches 25
points, more than a maturity level: teams differing from each other is expected, people of
one team seeing their own practice differently is worth a conversation. The organization's
flag is raised when any team's is (or, without teams, by the same rule over everyone).
"Don't know" answers are left out, never counted as zero.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .answers import Response
from .coverage import DisciplineCoverage, discipline_coverage
from .questionnaire import Area, Discipline, Question, QuestionnaireSet

MATURITY_LEVELS = ("Initial", "Repeatable", "Defined", "Measured", "Optimised")
"""Level n covers scores [20(n-1), 20n); 100 is level 5."""
DISAGREEMENT_IQR = 25.0
WESTRUM_AREA = "culture.westrum"
OVERALL = "overall"


@dataclass(frozen=True)
class Spread:
    q1: float
    q3: float
    iqr: float
    min: float
    max: float
    std: float


@dataclass(frozen=True)
class Score:
    """A 0-100 median over respondents, its maturity level and how much people agree."""

    id: str
    name: str
    median: float | None
    level: int | None
    level_name: str | None
    respondents: int
    spread: Spread | None
    disagreement: bool
    reason: str | None = None


@dataclass(frozen=True)
class SelfReport:
    """The median self-reported answer to one DORA metric question."""

    metric: str
    question_id: str
    value: float | None
    label: str | None
    respondents: int


@dataclass(frozen=True)
class GroupScores:
    """Scores for one group of respondents: the whole organization or one team."""

    respondents: int
    overall: Score
    disciplines: dict[str, Score]
    areas: dict[str, Score]
    self_report: dict[str, SelfReport]
    westrum: str | None

    def get(self, key: str) -> Score | None:
        """``overall``, a discipline id (``sre``) or an area key (``sre.slo``)."""
        if key == OVERALL:
            return self.overall
        return self.disciplines.get(key) or self.areas.get(key)


@dataclass(frozen=True)
class Assessment:
    organization: GroupScores
    teams: dict[str, GroupScores]
    roles: dict[str, int]
    coverage: dict[str, DisciplineCoverage] = field(default_factory=dict)
    """Discipline id -> how much of it the respondents answered (organization-wide)."""

    @property
    def respondents(self) -> int:
        return self.organization.respondents

    def get(self, key: str) -> Score | None:
        return self.organization.get(key)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (scores rounded to 0.1), like the metrics engine's ``to_json()``."""
        return _rounded(asdict(self))


def maturity_level(score: float) -> tuple[int, str]:
    level = min(5, int(score // 20) + 1)
    return level, MATURITY_LEVELS[level - 1]


def question_score(qs: QuestionnaireSet, question: Question, value: float) -> float:
    if question.type == "percent":
        return 100.0 - value if question.better == "lower" else value
    return 100.0 * value / (len(qs.levels(question)) - 1)


def score(qs: QuestionnaireSet, responses: Sequence[Response]) -> Assessment:
    """Aggregate ``responses`` for the organization and for each named team."""
    names = sorted({r.team for r in responses if r.team})
    teams = {team: _group(qs, [r for r in responses if r.team == team]) for team in names}
    organization = _group(qs, responses)
    if teams:
        organization = _team_flags(organization, list(teams.values()))
    roles: dict[str, int] = {}
    for response in responses:
        role = response.role or "unspecified"
        roles[role] = roles.get(role, 0) + 1
    coverage = discipline_coverage(qs, responses)
    return Assessment(organization, teams, dict(sorted(roles.items())), coverage)


def _team_flags(org: GroupScores, teams: list[GroupScores]) -> GroupScores:
    """The organization disagrees on a score where some team disagrees within itself."""

    def flag(own: Score) -> Score:
        team_scores = [t.get(own.id) for t in teams]
        return replace(own, disagreement=any(s is not None and s.disagreement for s in team_scores))

    return replace(
        org,
        overall=flag(org.overall),
        disciplines={k: flag(s) for k, s in org.disciplines.items()},
        areas={k: flag(s) for k, s in org.areas.items()},
    )


def _group(qs: QuestionnaireSet, responses: Sequence[Response]) -> GroupScores:
    per_person = [respondent_scores(qs, r) for r in responses]
    areas = {
        f"{d.id}.{a.id}": _aggregate(
            f"{d.id}.{a.id}", a.name, [p.get(f"{d.id}.{a.id}") for p in per_person]
        )
        for d in qs.disciplines
        for a in d.areas
    }
    disciplines = {
        d.id: _aggregate(d.id, d.name, [p.get(d.id) for p in per_person]) for d in qs.disciplines
    }
    overall = _aggregate(OVERALL, "Overall practices", [p.get(OVERALL) for p in per_person])
    westrum = areas.get(WESTRUM_AREA)
    return GroupScores(
        respondents=len(responses),
        overall=overall,
        disciplines=disciplines,
        areas=areas,
        self_report=_self_report(qs, responses),
        westrum=_westrum(westrum.median) if westrum else None,
    )


def respondent_scores(qs: QuestionnaireSet, response: Response) -> dict[str, float | None]:
    """One person's 0-100 scores keyed ``overall``, discipline id and ``discipline.area``."""
    out: dict[str, float | None] = {}
    practice: list[float] = []
    for discipline in qs.disciplines:
        area_scores = [(a, _area_score(qs, a, response)) for a in discipline.areas]
        for area, value in area_scores:
            out[f"{discipline.id}.{area.id}"] = value
        out[discipline.id] = _weighted([(v, a.weight) for a, v in area_scores])
        if _is_practice(discipline) and out[discipline.id] is not None:
            practice.append(out[discipline.id])  # type: ignore[arg-type]
    out[OVERALL] = statistics.fmean(practice) if practice else None
    return out


def _is_practice(discipline: Discipline) -> bool:
    return discipline.kind == "practices"


def _area_score(qs: QuestionnaireSet, area: Area, response: Response) -> float | None:
    pairs = []
    for question in area.questions:
        answer = response.answers.get(question.id)
        if answer is not None and answer.value is not None:
            pairs.append((question_score(qs, question, answer.value), question.weight))
    return _weighted(pairs)


def _weighted(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    known = [(v, w) for v, w in pairs if v is not None]
    total = sum(w for _, w in known)
    return sum(v * w for v, w in known) / total if total else None


def _aggregate(key: str, name: str, values: Sequence[float | None]) -> Score:
    known = sorted(v for v in values if v is not None)
    if not known:
        reason = "no respondents" if not values else "no answers (all skipped or don't know)"
        return Score(key, name, None, None, None, 0, None, False, reason)
    median = statistics.median(known)
    spread = _spread(known)
    level, level_name = maturity_level(median)
    flagged = len(known) >= 2 and spread.iqr >= DISAGREEMENT_IQR
    return Score(key, name, median, level, level_name, len(known), spread, flagged)


def _spread(values: Sequence[float]) -> Spread:
    if len(values) == 1:
        q1 = q3 = values[0]
    else:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(q1, q3, q3 - q1, values[0], values[-1], statistics.pstdev(values))


def _self_report(qs: QuestionnaireSet, responses: Sequence[Response]) -> dict[str, SelfReport]:
    out = {}
    for question in qs.questions():
        if question.metric is None:
            continue
        values = [
            a.value
            for r in responses
            if (a := r.answers.get(question.id)) is not None and a.value is not None
        ]
        if question.type == "percent":
            value = statistics.median(values) if values else None
            label = f"{value:g} %" if value is not None else None
        else:
            value = float(statistics.median_low(values)) if values else None
            label = qs.levels(question)[int(value)].label if value is not None else None
        out[question.metric] = SelfReport(question.metric, question.id, value, label, len(values))
    return out


def _westrum(median: float | None) -> str | None:
    """Westrum's typology by the culture items' median (our cut-offs: 40 and 70)."""
    if median is None:
        return None
    return "pathological" if median < 40 else "bureaucratic" if median < 70 else "generative"


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, Mapping):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value
