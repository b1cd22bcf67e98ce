"""The consultant's view of a running survey: who answered, and how much of each part."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from ..practices.questionnaire import QuestionnaireSet
from .storage import SurveyStore


@dataclass(frozen=True)
class GroupRow:
    team: str
    role: str
    invited: int
    started: int
    finished: int


@dataclass(frozen=True)
class DisciplineRow:
    name: str
    respondents: int
    answered: int
    asked: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.asked) if self.asked else 0


@dataclass(frozen=True)
class Overview:
    groups: tuple[GroupRow, ...]
    disciplines: tuple[DisciplineRow, ...]
    invited: int
    started: int
    finished: int


def overview(store: SurveyStore, qs: QuestionnaireSet, only: Collection[str] | None) -> Overview:
    """Respondents by team and role; completion per discipline over those who chose it."""
    invited: Counter[tuple[str, str]] = Counter()
    started: Counter[tuple[str, str]] = Counter()
    finished: Counter[tuple[str, str]] = Counter()
    per: dict[str, list[int]] = {d.id: [0, 0, 0] for d in qs.disciplines}
    for r in store.respondents():
        key = (r.team or "(no team)", r.role or "(no role given)")
        answers = store.answers(r.id)
        invited[key] += 1
        started[key] += bool(answers)
        finished[key] += r.finished_at is not None
        for discipline in qs.disciplines:
            if r.disciplines is None or discipline.id not in r.disciplines:
                continue
            ids = [
                q.id for a in discipline.areas for q in a.questions if only is None or q.id in only
            ]
            row = per[discipline.id]
            row[0] += 1
            row[1] += sum(1 for q in ids if q in answers)
            row[2] += len(ids)
    groups = tuple(
        GroupRow(team, role, invited[(team, role)], started[(team, role)], finished[(team, role)])
        for team, role in sorted(invited)
    )
    disciplines = tuple(DisciplineRow(d.name, *per[d.id]) for d in qs.disciplines if per[d.id][0])
    return Overview(
        groups, disciplines, sum(invited.values()), sum(started.values()), sum(finished.values())
    )
