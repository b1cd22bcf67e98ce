"""The report's JSON, written and read in this one module.

:func:`report_json` writes a :class:`ReportData` with the engines' own ``to_json()``
shapes, so a reader can trace every number to the engine that produced it. Reading uses
the same types (validated by pydantic), so what one quarter writes the next one reads, or
gets one line naming the file and the field that is wrong:

- :func:`read_previous` (``--compare-with``) keeps only what deltas need: headline figures
  (organization and teams), discipline scores, respondent counts and roles, options;
- :func:`report_from_json` reads a whole report back (re-rendering, tests).

Top-level keys (``SCHEMA`` = ``opsmaturity-report/1``)::

    schema, generated_at, organization{name, engineers, profile},
    branding{logo, accent_color, author}, period{start, end, label}, teams[{name, repositories}],
    metrics (metrics engine JSON), definitions[...], record_rules, benchmark{id, year, source, tiers, bands...},
    assessment | null, recommendation | null, mismatches[...],
    data_quality{notes, sources, repositories, bots_excluded, options},
    cross_check | null, previous | null, deltas{metrics, disciplines, teams},
    incidents{opened, records, by_source, by_priority, by_urgency, acknowledge, open_at_end,
    unmapped} | null,
    completeness{complete, summary, scopes, unrecorded_sources} (when known)
    (each metrics scope then carries ``complete`` and ``missing``)
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import ReportError
from ..metrics import ScopeMetrics
from ..practices.scoring import Assessment, GroupScores
from ..records import to_dict
from .data import (
    SCHEMA,
    Comparison,
    DataCompleteness,
    ReportData,
    ReportPeriod,
    discipline_respondents,
    discipline_scores,
    headline,
    team_headlines,
)

OPTION = "--compare-with"


def report_json(data: ReportData) -> dict[str, Any]:
    """The report data as plain JSON data: what ``NAME.json`` holds."""
    deltas = data.deltas
    return {
        "schema": data.schema,
        "generated_at": data.generated_at.isoformat(),
        "organization": _plain(data.organization),
        "branding": _plain(data.branding),
        "period": _plain(data.period),
        "teams": _plain(data.teams),
        "metrics": _marked_metrics(data),
        "definitions": _plain(data.definitions),
        "record_rules": data.record_rules,
        "benchmark": _plain(data.benchmark),
        "assessment": data.assessment.to_json() if data.assessment else None,
        "recommendation": data.recommendation.to_json() if data.recommendation else None,
        "mismatches": [m.to_json() for m in data.mismatches],
        "data_quality": {
            **_plain(data.data_quality),
            "notes": [to_dict(n) for n in data.data_quality.notes],
        },
        "cross_check": _plain(data.cross_check),
        "previous": _plain(data.previous),
        "deltas": _plain(deltas),
        "incidents": _plain(data.incidents),
        **_completeness_json(data.completeness),
    }


def _completeness_json(found: DataCompleteness | None) -> dict[str, Any]:
    """``completeness``: the collection states (the per-scope marks go on the metrics scopes
    instead); no key when completeness is unknown (a report built without a store)."""
    if found is None:
        return {}
    plain = _plain(found)
    del plain["marks"]
    return {"completeness": plain}


def _marked_metrics(data: ReportData) -> dict[str, Any]:
    """The metrics engine JSON, each scope with ``complete``/``missing`` when completeness
    is known."""
    metrics = data.metrics.to_json()
    if data.completeness is not None:
        for scope in metrics["scopes"]:
            missing = data.completeness.missing(scope["scope"], scope["name"])
            scope["complete"], scope["missing"] = not missing, list(missing)
    return metrics


def _read_marks(fields: dict[str, Any]) -> None:
    """Move the metrics scopes' ``missing`` marks into ``completeness.marks`` for reading.
    This reads the raw JSON before validation, so every key may be missing (``.get``)."""
    found, metrics = fields.get("completeness"), fields.get("metrics")
    if not isinstance(found, Mapping) or not isinstance(metrics, Mapping):
        return
    scopes = metrics.get("scopes")
    marks = [
        {"scope": s.get("scope"), "name": s.get("name"), "missing": s.get("missing") or []}
        for s in (scopes if isinstance(scopes, list) else [])
        if isinstance(s, Mapping) and "missing" in s
    ]
    fields["completeness"] = {**found, "marks": marks}


def to_json_text(data: ReportData) -> str:
    """The report JSON, stable: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(report_json(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_previous_quarter(path: Path, data: ReportData) -> Path:
    """The demo's previous-quarter JSON: the same data as ``NAME.json``, written as the demo
    always has (non-ASCII escaped, no final newline) so its bytes stay comparable."""
    path.write_text(json.dumps(report_json(data), indent=2, sort_keys=True), encoding="utf-8")
    return path


def _plain(value: Any) -> Any:
    """Dataclasses as dicts, tuples as lists, dates as ISO 8601: JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


@dataclasses.dataclass(frozen=True)
class _Scopes:
    scopes: tuple[ScopeMetrics, ...]


@dataclasses.dataclass(frozen=True)
class _Surveyed:
    organization: GroupScores
    roles: dict[str, int]


@dataclasses.dataclass(frozen=True)
class _Options:
    options: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class _Previous:
    """The parts of a report that a later one compares with, in the writer's own types."""

    schema: str
    period: ReportPeriod
    generated_at: datetime | None
    metrics: _Scopes
    assessment: _Surveyed | None
    data_quality: _Options


@functools.cache
def _adapter(kind: type) -> TypeAdapter[Any]:
    """Built on first use: a pydantic schema for the whole report takes ~0.1 s to build."""
    return TypeAdapter(kind)


def read_previous(path: Path) -> Comparison:
    """An earlier report's headline figures, for ``--compare-with``; one clear line if the
    file is missing, not JSON, of another schema, or has a field missing or mistyped."""
    raw = _load(path)
    try:
        prev: _Previous = _adapter(_Previous).validate_python(raw)
    except ValidationError as exc:
        raise ReportError(f"{OPTION}: {path}: {describe(exc)}") from None
    org = next((s for s in prev.metrics.scopes if s.scope == "organization"), None)
    if org is None:
        raise ReportError(f"{OPTION}: {path}: metrics.scopes: no organization scope")
    surveyed = prev.assessment
    return Comparison(
        period=prev.period,
        generated_at=prev.generated_at,
        metrics=headline(org),
        disciplines=discipline_scores(surveyed.organization if surveyed else None),
        options=dict(prev.data_quality.options),
        teams=team_headlines(prev.metrics.scopes),
        respondents=discipline_respondents(surveyed.organization if surveyed else None),
        roles=dict(surveyed.roles) if surveyed else {},
    )


def report_from_json(raw: Mapping[str, Any], *, origin: str = "report JSON") -> ReportData:
    """A whole report read back from its JSON data; ``deltas`` are recomputed, not read."""
    if not isinstance(raw, Mapping) or raw.get("schema") != SCHEMA:
        raise ReportError(f"{origin} is not an opsmaturity report JSON (schema {SCHEMA!r})")
    fields = dict(raw)  # raw JSON until validated below: any key may be missing (``.get``)
    metrics = fields.get("metrics")
    if isinstance(metrics, Mapping) and isinstance(metrics.get("period"), Mapping):
        period = metrics["period"]
        rest = {k: v for k, v in metrics.items() if k != "period"}
        fields["metrics"] = {**rest, "start": period.get("start"), "end": period.get("end")}
    _read_marks(fields)
    try:
        report: ReportData = _adapter(ReportData).validate_python(fields)
    except ValidationError as exc:
        raise ReportError(f"{origin}: {describe(exc)}") from None
    return report


def _load(path: Path) -> Any:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{OPTION}: file not found: {path}") from None
    except (OSError, ValueError) as exc:
        raise ReportError(f"{OPTION}: cannot read {path}: {exc}") from None
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA:
        found = raw.get("schema") if isinstance(raw, dict) else type(raw).__name__
        raise ReportError(
            f"{OPTION}: {path} is not an opsmaturity report JSON "
            f"(schema {found!r}, expected {SCHEMA!r})"
        )
    return raw


def describe(exc: ValidationError) -> str:
    """The first problem as ``field.path: what is wrong`` (and how many more there are)."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def rounded_assessment(assessment: Assessment) -> Assessment:
    """The assessment as published (scores to 0.1): the pages show what the JSON says."""
    rounded: Assessment = _adapter(Assessment).validate_python(assessment.to_json())
    return rounded
