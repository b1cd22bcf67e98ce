"""The report-data schema: one plain dict behind every format of the report.

Everything the report shows is in this dict, and nothing else: the PDF and HTML render
from it, it is written verbatim as ``NAME.json``, and next quarter ``--compare-with
NAME.json`` reads it back as ``previous`` to compute the deltas. Engines hand over their
own ``to_json()`` shapes untouched (``metrics``, ``assessment``, ``recommendation``) so a
reader can trace every number to the engine that produced it.

Top-level keys (``SCHEMA`` = ``opsmaturity-report/1``)::

    schema, generated_at, organization{name, engineers, profile},
    branding{logo, accent_color, author}, period{start, end, label}, teams[{name, repositories}],
    metrics (metrics engine JSON), definitions[...], record_rules, benchmark{id, year, source, tiers, rows},
    assessment | null, recommendation | null, mismatches[...],
    data_quality{notes, sources, repositories, bots_excluded, options},
    cross_check | null, previous | null, deltas{metrics, disciplines}
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ..config import Config
from ..dora import HEADLINE_FIELD, METRICS
from ..errors import ReportError
from ..records import CollectionNote, to_dict
from .quarter import discipline_respondents, respondent_note, roles, team_headlines

SCHEMA = "opsmaturity-report/1"



HIGHER_IS_BETTER = {"deployment_frequency": True}
"""Direction of improvement; every other metric improves as it falls."""


def plain(value: Any) -> Any:
    """An engine result as plain JSON data, whatever it hands us.

    Accepts a dict/list, an object with ``to_json()`` (returning a dict or a JSON
    string) or ``to_dict()``, or a dataclass; returns JSON-compatible data.
    """
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, CollectionNote):
        return to_dict(value)
    for method in ("to_json", "to_dict"):
        if hasattr(value, method):
            out = getattr(value, method)()
            return plain(json.loads(out) if isinstance(out, str) else out)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return json.loads(json.dumps(value, default=str))


def engine_json(value: Any) -> Any:
    """An engine's output as plain data; a JSON string (``to_json()`` text) is parsed."""
    if isinstance(value, str | bytes):
        try:
            return plain(json.loads(value))
        except ValueError as exc:
            raise ReportError(f"engine output is not valid JSON: {exc}") from None
    return plain(value)


def build_report_data(
    *,
    config: Config,
    metrics_json: Any,
    assessment_json: Any = None,
    recommendation_json: Any = None,
    mismatches: Any = None,
    notes: Iterable[CollectionNote | Mapping[str, Any]] = (),
    cross_check: Any = None,
    previous: Mapping[str, Any] | None = None,
    generated_at: datetime,
) -> dict[str, Any]:
    """Assemble the report-data dict from the config and the engines' JSON.

    Definitions and the benchmark table come from the metrics engine's data files (the
    methodology page renders from them). ``previous`` is an earlier report's JSON
    (``--compare-with``); only its headline figures are kept.
    """
    from ..metrics import benchmark_table, metric_definitions, metrics_notes

    metrics = engine_json(metrics_json) or {}
    assessment = engine_json(assessment_json)
    year = config.metrics.benchmark
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "generated_at": generated_at.isoformat(),
        "organization": {
            "name": config.organization.name,
            "engineers": config.organization.engineers,
            "profile": config.organization.profile,
        },
        "branding": _branding(config),
        "period": _period(config),
        "teams": [
            {"name": name, "repositories": list(team.repositories)}
            for name, team in sorted(config.teams.items())
        ],
        "metrics": metrics,
        "definitions": plain(metric_definitions()),
        "record_rules": metrics_notes()["records"],
        "benchmark": plain(benchmark_table(year)),
        "assessment": assessment,
        "recommendation": engine_json(recommendation_json),
        "mismatches": [engine_json(m) for m in mismatches or ()],
        "data_quality": _data_quality(config, metrics, notes),
        "cross_check": engine_json(cross_check),
        "previous": summarize(previous) if previous else None,
    }
    data["deltas"] = deltas(data)
    return data


def _branding(config: Config) -> dict[str, Any]:
    branding = config.organization.branding
    logo = None
    if branding.logo is not None:
        path = config.resolve(branding.logo).resolve()
        if not path.is_file():
            raise ReportError(
                f"logo file not found: {path} (organization.branding.logo in the config); "
                "fix the path or remove the logo"
            )
        logo = str(path)
    return {"logo": logo, "accent_color": branding.accent_color, "author": branding.author}


def _period(config: Config) -> dict[str, str]:
    period = config.reporting_period
    return {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label}


def _data_quality(
    config: Config, metrics: Mapping[str, Any], notes: Iterable[Any]
) -> dict[str, Any]:
    scopes = metrics.get("scopes", [])
    org: Mapping[str, Any] = next((s for s in scopes if s.get("scope") == "organization"), {})
    bots = sum(
        int(w.get("count") or 0)
        for w in org.get("warnings", [])
        if w.get("code") == "bots_excluded"
    )
    return {
        "notes": [engine_json(n) for n in notes],
        "sources": [
            {"name": config.source_name(i), "kind": s.kind} for i, s in enumerate(config.sources)
        ],
        "repositories": sorted(s["name"] for s in scopes if s.get("scope") == "repository"),
        "bots_excluded": bots if config.metrics.exclude_bots else None,
        "options": config.metrics.model_dump(mode="json"),
    }


def headline(data: Mapping[str, Any]) -> dict[str, Any]:
    """Organization-level headline figure of each metric: what deltas compare."""
    scopes = (data.get("metrics") or {}).get("scopes", [])
    org: Mapping[str, Any] = next((s for s in scopes if s.get("scope") == "organization"), {})
    return {m: (org.get(m) or {}).get(HEADLINE_FIELD[m]) for m in METRICS}


def discipline_scores(data: Mapping[str, Any]) -> dict[str, Any]:
    """Discipline id → median score, from the assessment JSON (empty without a survey)."""
    org = (data.get("assessment") or {}).get("organization") or {}
    return {k: d.get("median") for k, d in sorted((org.get("disciplines") or {}).items())}


def summarize(previous: Mapping[str, Any]) -> dict[str, Any]:
    """What a later report keeps of this one: period, date, headline figures and the
    measurement options, so a change of method is not mistaken for a change in delivery."""
    if previous.get("schema") != SCHEMA:
        raise ReportError(
            f"--compare-with: not an opsmaturity report JSON (schema {previous.get('schema')!r},"
            f" expected {SCHEMA!r})"
        )
    return {
        "period": dict(previous["period"]),
        "generated_at": previous.get("generated_at"),
        "metrics": headline(previous),
        "disciplines": discipline_scores(previous),
        "options": dict((previous.get("data_quality") or {}).get("options") or {}),
        "teams": team_headlines(previous),
        "respondents": discipline_respondents(previous),
        "roles": roles(previous),
    }


def deltas(data: Mapping[str, Any]) -> dict[str, Any]:
    """Quarter-over-quarter change of each headline figure; None when either side is unknown."""
    prev = data.get("previous")
    if not prev:
        return {"metrics": {}, "disciplines": {}}
    now_m, now_d = headline(data), discipline_scores(data)
    prev_t = prev.get("teams") or {}
    return {
        "metrics": {m: _delta(now_m.get(m), prev["metrics"].get(m)) for m in METRICS},
        "disciplines": {d: _practice_delta(data, d, now_d[d]) for d in sorted(now_d)},
        "teams": {
            team: {m: _delta(now.get(m), (prev_t.get(team) or {}).get(m)) for m in METRICS}
            for team, now in team_headlines(data).items()
        },
    }


def _practice_delta(data: Mapping[str, Any], discipline: str, current: Any) -> dict[str, Any]:
    """A discipline's change, its respondent counts, and a note when who answered changed."""
    prev = data["previous"]
    counts = _delta(discipline_respondents(data).get(discipline), (prev.get("respondents") or {}).get(discipline))
    note = respondent_note(counts, roles(data), prev.get("roles") or {}, prev["period"]["label"])
    return {**_delta(current, prev["disciplines"].get(discipline)), "respondents": counts, "note": note}


def _delta(current: Any, previous: Any) -> dict[str, Any]:
    change = None
    if isinstance(current, int | float) and isinstance(previous, int | float):
        change = round(current - previous, 6)
    return {"current": current, "previous": previous, "change": change}


def load_report_json(path: Path) -> dict[str, Any]:
    """Read a previous report's JSON for ``--compare-with``; clear errors, never a traceback."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"--compare-with: file not found: {path}") from None
    except (OSError, ValueError) as exc:
        raise ReportError(f"--compare-with: cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ReportError(f"--compare-with: {path} is not an opsmaturity report JSON")
    return data
