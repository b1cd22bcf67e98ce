"""Shared helpers for the report tests: the fixture report data and a matching config."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from opsmaturity.config import Config
from opsmaturity.records import CollectionNote
from opsmaturity.report import CrossCheck, ForgePair, ReportData, report_from_json, report_json

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden" / "report"
HOSTILE = '<img src="file:///etc/passwd">'


def report_data() -> dict[str, Any]:
    """The realistic fixture: what build_report_data returns for Northwind's 2026Q3."""
    return json.loads((FIXTURES / "report_data.json").read_text(encoding="utf-8"))


def typed(data: dict[str, Any]) -> ReportData:
    """Report data read back from its JSON form, as the renderer takes it."""
    return report_from_json(data)


def previous_data() -> dict[str, Any]:
    """The same organization's 2026Q2 report JSON, as --compare-with reads it."""
    return json.loads((FIXTURES / "report_data_previous.json").read_text(encoding="utf-8"))


def hostile_data() -> dict[str, Any]:
    """The fixture with untrusted names replaced by markup that tries to read a local file."""
    data = copy.deepcopy(report_data())
    team = data["teams"][0]["name"]
    evil_team, evil_repo = f"team {HOSTILE}", f"northwind/{HOSTILE}"
    data["teams"][0]["name"] = evil_team
    data["teams"][0]["repositories"][0] = evil_repo
    for scope in data["metrics"]["scopes"]:
        if scope["name"] == team:
            scope["name"] = evil_team
        elif (
            scope["scope"] == "repository"
            and scope["name"] == data["metrics"]["scopes"][-1]["name"]
        ):
            scope["name"] = evil_repo
    data["assessment"]["teams"][evil_team] = data["assessment"]["teams"].pop(team)
    data["mismatches"].append({**data["mismatches"][0], "team": evil_team})
    data["data_quality"]["notes"][0]["message"] = f"PR title {HOSTILE} could not be linked"
    data["data_quality"]["repositories"][0] = evil_repo
    data["recommendation"]["roadmap"][0]["title"] = f"Fix {HOSTILE}"
    data["branding"]["accent_color"] = "red; } body { background: url(file:///etc/passwd) "
    data["branding"]["author"] = f"Consultant {HOSTILE}"
    return data


def config_for(data: dict[str, Any], base_dir: Path, **branding: Any) -> Config:
    """A config that describes the fixture's organization, period, sources and teams."""
    return Config.model_validate(
        {
            "organization": {
                "name": data["organization"]["name"],
                "engineers": data["organization"]["engineers"],
                "profile": data["organization"]["profile"],
                "branding": {"author": data["branding"]["author"], **branding},
            },
            "period": {"quarter": data["period"]["label"]},
            "sources": [{"kind": s["kind"]} for s in data["data_quality"]["sources"]],
            "teams": {t["name"]: {"repositories": t["repositories"]} for t in data["teams"]},
            "base_dir": base_dir,
        }
    )


def engine_inputs(data: dict[str, Any]) -> dict[str, Any]:
    """The engines' typed results and notes behind the fixture, as build_report_data takes them."""
    report = typed(data)
    return {
        "metrics": report.metrics,
        "assessment": report.assessment,
        "recommendation": report.recommendation,
        "mismatches": report.mismatches,
        "notes": report.data_quality.notes,
        "cross_check": report.cross_check,
        "incidents": report.incidents,
    }


NOTES = (
    CollectionNote(
        "northwind/warehouse-edi", "deployments",
        "No deployments, workflow runs or releases found; measured as not deploying.",
    ),
    CollectionNote(
        "*", "incidents", "Incidents are issues labelled 'incident'; 2 had no close date.", "info"
    ),
)  # fmt: skip
CROSS_CHECK = CrossCheck(
    source="gitlab",
    metrics={
        "deployment_frequency": ForgePair(ours=51.43, gitlab=49.7),
        "lead_time_for_changes": ForgePair(ours=66.4, gitlab=20.1),
    },
)


def engine_report_data(quarter: str, previous: ReportData | None = None) -> ReportData:
    """The demo organization's report data from the real engines (about 3 s)."""
    from opsmaturity.assess import recommendation_for
    from opsmaturity.config import Branding
    from opsmaturity.demo import demo_answers, demo_config, generate
    from opsmaturity.dora import HEADLINE_FIELD, METRICS
    from opsmaturity.metrics import compute_metrics
    from opsmaturity.metrics.incidents import incident_figures
    from opsmaturity.practices import (
        compare_survey_with_data,
        load_questionnaires,
        score,
    )
    from opsmaturity.report import build_report_data

    config = demo_config(quarter=quarter)
    org = config.organization.model_copy(update={"branding": Branding(author="Example Consulting")})
    config = config.model_copy(update={"organization": org})
    demo = generate()
    metrics = compute_metrics(
        repositories=demo.repositories, deployments=demo.deployments, changes=demo.changes,
        incidents=demo.incidents, teams=config.teams, period=config.reporting_period,
        options=config.metrics, trend_bucket="week",
    )  # fmt: skip
    qs = load_questionnaires()
    assessment = score(qs, demo_answers(questionnaires=qs))
    result = metrics.scope("organization")
    measured = {m: getattr(getattr(result, m), HEADLINE_FIELD[m]) for m in METRICS}
    recommendation = recommendation_for(config, assessment, metrics)  # as the pipeline does
    return build_report_data(
        config=config,
        metrics=metrics,
        assessment=assessment,
        recommendation=recommendation,
        mismatches=compare_survey_with_data(assessment, measured, qs),
        notes=NOTES,
        cross_check=CROSS_CHECK if previous is not None else None,
        previous=previous.comparison() if previous is not None else None,
        generated_at=datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
        if previous is not None
        else datetime(2026, 7, 6, 9, 0, tzinfo=UTC),
        incidents=incident_figures(
            [("demo", i) for i in demo.incidents],
            start=config.reporting_period.start_at("UTC"),
            end=config.reporting_period.end_at("UTC"),
        ),
    )


def write_fixtures() -> None:
    """Regenerate the fixtures from the engines: ``python -m tests.report_support``."""
    previous = engine_report_data("2026Q2")
    current = engine_report_data("2026Q3", previous=previous)
    for name, data in (("report_data_previous.json", previous), ("report_data.json", current)):
        text = json.dumps(report_json(data), indent=2, ensure_ascii=False) + "\n"
        (FIXTURES / name).write_text(text, encoding="utf-8")


class Tagged(HTMLParser):
    """Collects every element's attributes, so tests check structure, not page text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def having(self, attr: str) -> list[dict[str, str]]:
        return [a for _t, a in self.elements if attr in a]

    def ids(self) -> set[str]:
        return {a["id"] for _t, a in self.elements if "id" in a}


if __name__ == "__main__":
    write_fixtures()
