"""Survey answers for the demo organization "Northwind Retail" (~120 engineers, software).

Ten respondents in four teams: Checkout (near elite), Catalog (high), Platform (medium;
infrastructure and a monorepo; strong SysOps) and Warehouse (struggling: big batches, manual
deploys, frequent failures). Two disagreements are built in, as real surveys have them: the
Warehouse manager is more optimistic than his developer, and the Platform lead believes in
SLOs that her engineers say nobody looks at. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..practices.answers import Answer, Response
from ..practices.questionnaire import QuestionnaireSet, load_questionnaires

ORGANIZATION = "Northwind Retail"
ENGINEERS = 120
PROFILE = "software"

# Practice level per team as a fraction of the top of each scale: discipline defaults first,
# then practice-area overrides ("discipline.area").
TEAM_PROFILES: dict[str, dict[str, float]] = {
    "Checkout": {
        "devops": 0.85, "sre": 0.8, "sysops": 0.6, "culture": 0.85,
        "devops.version_control": 0.95, "devops.small_batches": 0.9, "sre.chaos": 0.55,
        "sysops.capacity": 0.5,
    },
    "Catalog": {
        "devops": 0.7, "sre": 0.55, "sysops": 0.55, "culture": 0.7,
        "sre.slo": 0.45, "sre.chaos": 0.2,
    },
    "Platform": {
        "devops": 0.5, "sre": 0.5, "sysops": 0.8, "culture": 0.6, "netops": 0.45,
        "devops.iac": 0.85, "devops.architecture": 0.3, "devops.small_batches": 0.4,
        "sysops.change_management": 0.5, "sre.slo": 0.25,
    },
    "Warehouse": {
        "devops": 0.25, "sre": 0.2, "sysops": 0.4, "culture": 0.35,
        "devops.delivery": 0.1, "devops.small_batches": 0.1, "devops.change_approval": 0.15,
        "sre.release_safety": 0.1, "sre.postmortems": 0.2,
    },
}  # fmt: skip

# Self-reported DORA answers: bucket levels (0 worst .. 5 best), percentages for the rest.
TEAM_DELIVERY: dict[str, dict[str, float | None]] = {
    "Checkout": {"deployment_frequency": 5, "lead_time_for_changes": 4,
                 "failed_deployment_recovery_time": 5, "change_failure_rate": 5, "rework_rate": 4},
    "Catalog": {"deployment_frequency": 4, "lead_time_for_changes": 3,
                "failed_deployment_recovery_time": 4, "change_failure_rate": 12, "rework_rate": 8},
    "Platform": {"deployment_frequency": 3, "lead_time_for_changes": 3,
                 "failed_deployment_recovery_time": 4, "change_failure_rate": 15, "rework_rate": 10},
    "Warehouse": {"deployment_frequency": 1, "lead_time_for_changes": 1,
                  "failed_deployment_recovery_time": 2, "change_failure_rate": 40, "rework_rate": 25},
}  # fmt: skip


@dataclass(frozen=True)
class Persona:
    name: str
    role: str
    team: str
    bias: float = 0.0  # added to every practice fraction: optimism (+) or pessimism (-)
    practices: Mapping[str, float] = field(default_factory=dict)  # overrides the team's
    delivery: Mapping[str, float | None] = field(default_factory=dict)  # overrides the team's
    netops: bool = False
    comment: str | None = None


PERSONAS = (
    Persona("Ana Souza", "Engineering manager", "Checkout", 0.05),
    Persona("Ben Okafor", "Developer", "Checkout", delivery={"failed_deployment_recovery_time": None}),
    Persona("Chen Wei", "SRE", "Checkout", -0.05, comment="Chaos experiments are still manual."),
    Persona("Dana Kim", "Tech lead", "Catalog"),
    Persona("Eli Novak", "Developer", "Catalog", -0.05, delivery={"rework_rate": None}),
    Persona(
        "Farah Haddad", "Platform lead", "Platform", 0.05, {"sre.slo": 0.8}, netops=True,
        comment="We defined SLOs for the shared services last year.",
    ),
    Persona("Gus Lindqvist", "Infrastructure engineer", "Platform", netops=True,
            comment="The SLO dashboards exist but nobody reviews them."),
    Persona("Hana Sato", "SRE", "Platform", -0.05, {"sre.slo": 0.15}, netops=True),
    Persona(
        "Ivan Petrov", "Engineering manager", "Warehouse", 0.35,
        delivery={"deployment_frequency": 2, "lead_time_for_changes": 3,
                  "failed_deployment_recovery_time": 3, "change_failure_rate": 10,
                  "rework_rate": 10},
        comment="Releases are monthly by design; the process is under control.",
    ),
    Persona("Jo Mensah", "Developer", "Warehouse", -0.05,
            comment="Every release needs a weekend and a hotfix the Monday after."),
)  # fmt: skip


def demo_answers(seed: int = 42, questionnaires: QuestionnaireSet | None = None) -> list[Response]:
    """Northwind Retail's ten responses; same seed, same answers."""
    qs = questionnaires or load_questionnaires()
    rng = random.Random(seed)
    return [_respond(qs, persona, rng) for persona in PERSONAS]


def _respond(qs: QuestionnaireSet, persona: Persona, rng: random.Random) -> Response:
    profile = {**TEAM_PROFILES[persona.team], **persona.practices}
    delivery = {**TEAM_DELIVERY[persona.team], **persona.delivery}
    answers: dict[str, Answer] = {}
    for discipline in qs.disciplines:
        if discipline.id == "netops" and not persona.netops:
            continue
        for area in discipline.areas:
            for question in area.questions:
                if question.metric is not None:
                    value = delivery.get(question.metric)
                    answers[question.id] = Answer(None if value is None else float(value))
                    continue
                base = profile.get(f"{discipline.id}.{area.id}", profile.get(discipline.id))
                if base is None:
                    continue
                top = len(qs.levels(question)) - 1
                level = round((base + persona.bias) * top) + rng.choice((-1, 0, 0, 0, 1))
                answers[question.id] = Answer(float(min(top, max(0, level))))
    return Response(
        respondent=persona.name,
        role=persona.role,
        team=persona.team,
        answers=answers,
        comment=persona.comment,
        source="demo",
    )
