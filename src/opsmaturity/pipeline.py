"""The main job, end to end: config → collect → store → metrics → assessment → report.

This orchestrator is the one place that knows the whole flow; every step it calls is a
pure library function with its inputs passed in (time included). The CLI is a thin
shell over these functions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console

from .collect import CollectSummary, collect, collection_window
from .completeness import Completeness
from .config import Config, load_config
from .dora import HEADLINE_FIELD, METRICS
from .errors import StoreError
from .period import Period
from .records import CollectionNote, Repository
from .sources import build_source
from .sources.base import Window
from .store import Store

LOCAL_KINDS = ("files", "demo")
FORGE_DORA = "forge_dora"


@dataclass
class Dataset:
    """What the report needs from the store besides the metrics (which read its packs)."""

    repositories: list[Repository] = field(default_factory=list)
    notes: list[CollectionNote] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    forge_dora: dict[str, Any] = field(default_factory=dict)
    """GitLab's own DORA API figures per source, for the methodology cross-check."""
    completeness: Completeness = field(default_factory=Completeness)
    """How each source's and repository's last collection ended."""

    @classmethod
    def load(cls, store: Store) -> Dataset:
        return cls(
            repositories=list(store.records(Repository)),
            notes=list(store.records(CollectionNote)),
            sources=store.sources(),
            forge_dora=store.documents(FORGE_DORA),
        )


@dataclass
class ReportFiles:
    """What a report run wrote: the PDF the user asked for, and the files beside it."""

    main: Path
    others: list[Path] = field(default_factory=list)
    refused: tuple[str, ...] = ()

    @classmethod
    def of(cls, written: Any, *extra: Path) -> ReportFiles:
        others = [p for p in (written.html, written.json, *written.csv) if p is not None]
        return cls(main=written.pdf, others=[*others, *extra], refused=tuple(written.refused))


def _window(config: Config, period: Period | None = None) -> Window:
    """What to collect: the period plus enough before it for the look-back and predecessor."""
    lead_in = timedelta(days=config.metrics.first_deployment_lookback_days + 15)
    return collection_window(period or config.reporting_period, config.metrics.timezone, lead_in)


def collect_sources(
    config: Config,
    store: Store,
    *,
    kinds: Sequence[str] | None = None,
    console: Console | None = None,
    period: Period | None = None,
) -> list[CollectSummary]:
    """Collect every configured source (or only those of ``kinds``) into ``store``."""
    from .progress import RichProgress

    summaries = []
    for index, entry in enumerate(config.sources):
        if kinds is not None and entry.kind not in kinds:
            continue
        source = build_source(config, index)
        concurrency = getattr(entry, "concurrency", 8)
        window = _window(config, period)
        try:
            if console is None:
                summaries.append(collect(source, store, window, concurrency=concurrency))
            else:
                with RichProgress(console) as progress:
                    summaries.append(
                        collect(source, store, window, progress=progress, concurrency=concurrency)
                    )
            _fetch_forge_dora(source, store, period or config.reporting_period)
        finally:
            source.close()
    return summaries


def _fetch_forge_dora(source: Any, store: Store, period: Period) -> None:
    """Keep a forge's own DORA figures (GitLab Ultimate) for the report's cross-check."""
    fetch = getattr(source, "dora_metrics", None)
    if fetch is None:
        return
    figures = fetch(period)
    store.upsert(source.name, getattr(source, "notes", []))
    if figures is not None:
        store.put_document(source.name, FORGE_DORA, figures)


def cross_check(data: Dataset, metrics_json: dict[str, Any]) -> dict[str, Any] | None:
    """Our organization figures beside the forge's own, in our units (per week, hours)."""
    if not data.forge_dora:
        return None
    source, theirs = next(iter(data.forge_dora.items()))
    org = _organization_scope(metrics_json)

    def hours(seconds: float | None) -> float | None:
        return None if seconds is None else seconds / 3600

    per_day = theirs.get("deployment_frequency_per_day")
    gitlab = {
        "deployment_frequency": None if per_day is None else per_day * 7,
        "lead_time_for_changes": hours(theirs.get("lead_time_for_changes")),
        "change_failure_rate": theirs.get("change_failure_rate"),
        "failed_deployment_recovery_time": hours(theirs.get("time_to_restore_service")),
    }
    return {
        "source": source,
        "scope": theirs.get("scope"),
        "metrics": {
            m: {"ours": org[m].get(HEADLINE_FIELD[m]), "gitlab": value} for m, value in gitlab.items()
        },
    }


def collect_all(config_path: Path, console: Console | None = None) -> list[CollectSummary]:
    """``opsmaturity collect``: every source of the config into its store."""
    config = load_config(config_path)
    with Store(config.store_path) as store:
        summaries = collect_sources(config, store, console=console)
        pack_for_metrics(store, console)
    return summaries


def pack_for_metrics(store: Store, console: Console | None = None) -> int:
    """Pack what changed for the metrics now, so the first report after a long collection
    does not pay for it (about 15 µs a record: minutes at millions of records)."""
    from .metrics import refresh_packs
    from .progress import step_bar

    if console is None:
        return refresh_packs(store)
    with step_bar(console, "Packing records for the metrics") as moved:
        packed = refresh_packs(store, moved)
    if packed:
        console.print(f"Packed the records of {packed:,} repositories for the metrics.")
    return packed


def load_dataset(config: Config, period: Period | None = None) -> Dataset:
    """Records for an assessment; local sources (files, demo) are refreshed first,
    over ``period`` when given (the demo spans two quarters), else the config's."""
    with Store(config.store_path) as store:
        if not store.read_only:  # a store we cannot write is read as it is
            collect_sources(config, store, kinds=LOCAL_KINDS, period=period)
        data = Dataset.load(store)
        configured = [config.source_name(i) for i in range(len(config.sources))]
        data.completeness = Completeness.from_runs(store.collection_runs(), configured, data.sources)
    if not data.repositories:
        raise StoreError(
            f"{config.store_path}: the store is empty; run `opsmaturity collect --config ...` first"
        )
    return data


def compute_metrics_for(
    config: Config, period: Period | None = None, trend_bucket: str = "month"
) -> Any:
    """The metrics engine for the config's period (or another), read from the store's
    per-repository packs: no record objects, so millions of changes stay affordable."""
    from .metrics import metrics_from_store

    with Store(config.store_path) as store:
        return metrics_from_store(
            store,
            teams=config.teams,
            period=period or config.reporting_period,
            options=config.metrics,
            trend_bucket=trend_bucket,  # type: ignore[arg-type]
            organization=config.organization.name,
        )


def metrics_output(config_path: Path, fmt: str, allow_incomplete: bool = False) -> Any:
    """``opsmaturity metrics``: a rich table, JSON text or CSV text, each stating how
    complete the data is; incomplete data is refused unless ``allow_incomplete``."""
    from .completeness import mark_csv, mark_metrics_json, table
    from .metrics import render_table, to_csv

    config = load_config(config_path)
    data = load_dataset(config)  # refreshes local sources; fails clearly on an empty store
    completeness = data.completeness
    completeness.require(allow_incomplete)
    result = compute_metrics_for(config)
    if fmt == "json":
        return json.dumps(mark_metrics_json(result.to_json(), completeness, config.teams), indent=2)
    if fmt == "csv":
        return mark_csv(to_csv(result), completeness, config.teams)
    incomplete = {
        (s.scope, s.name) for s in result.scopes
        if completeness.affected(s.scope, s.name, config.teams)
    }
    return _table_with_completeness(render_table(result, incomplete), completeness, table(completeness))


def _table_with_completeness(metrics: Any, completeness: Completeness, states: Any) -> Any:
    """The metrics table, a banner when data is missing, and the completeness table."""
    from rich.console import Group
    from rich.text import Text

    if completeness.complete:
        return Group(metrics, states)
    banner = Text(
        f"INCOMPLETE DATA, figures leave out: {completeness.gap_text()}", style="bold white on red"
    )
    return Group(banner, metrics, states)


def _assess(config: Config, responses: list[Any], metrics_json: dict[str, Any]) -> dict[str, Any]:
    """Scores, survey-vs-data mismatches and the recommendation, as JSON-ready parts."""
    from .practices import compare_survey_with_data, load_questionnaires, score
    from .recommend import recommend

    org = _organization_scope(metrics_json)
    measured = {m: org[m].get(HEADLINE_FIELD[m]) for m in METRICS}
    tiers = {key: org[key].get("tier") for key in measured if key != "rework_rate"}
    tiers["overall"] = org.get("overall_tier")
    questionnaires = load_questionnaires()
    assessment = score(questionnaires, responses) if responses else None
    mismatches = compare_survey_with_data(assessment, measured, questionnaires) if assessment else []
    recommendation = recommend(
        engineers=config.organization.engineers,
        profile=config.organization.profile,
        assessment=assessment,
        dora_tiers=tiers,
    )
    return {
        "assessment": assessment.to_json() if assessment else None,
        "mismatches": [m.to_json() for m in mismatches],
        "recommendation": recommendation.to_json(),
    }


def _organization_scope(metrics_json: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in metrics_json["scopes"] if s["scope"] == "organization")


def build_report(
    config: Config,
    data: Dataset,
    responses: list[Any],
    *,
    previous: dict[str, Any] | None,
    generated_at: datetime,
) -> dict[str, Any]:
    """All numbers behind a report, as the dict the renderer and next quarter read."""
    from .completeness import mark_metrics_json
    from .report import build_report_data

    # weekly trend: a quarter's chart needs more than three monthly points
    metrics_json = compute_metrics_for(config, trend_bucket="week").to_json()
    mark_metrics_json(metrics_json, data.completeness, config.teams)
    parts = _assess(config, responses, metrics_json)
    report = build_report_data(
        config=config,
        metrics_json=metrics_json,
        assessment_json=parts["assessment"],
        recommendation_json=parts["recommendation"],
        mismatches=parts["mismatches"],
        notes=data.notes,
        cross_check=cross_check(data, metrics_json),
        previous=previous,
        generated_at=generated_at,
    )
    report["completeness"] = metrics_json.pop("completeness")
    return report


def _read_previous(path: Path | None) -> dict[str, Any] | None:
    from .report import load_report_json

    return None if path is None else load_report_json(path)


def run_report(
    config_path: Path,
    answers: Sequence[Path],
    *,
    compare_with: Path | None,
    out_pdf: Path | None,
    generated_at: datetime,
    allow_incomplete: bool = False,
) -> ReportFiles:
    """``opsmaturity report``: write PDF, HTML, JSON and CSV for a config; incomplete data
    is refused unless ``allow_incomplete`` (then the summary carries a banner)."""
    from .outputs import writable_file
    from .practices import load_answers
    from .report import write_report

    config = load_config(config_path)
    if out_pdf is not None:
        writable_file(out_pdf)
    responses = load_answers(list(answers)) if answers else []
    data = load_dataset(config)
    data.completeness.require(allow_incomplete)
    report = build_report(
        config, data, responses,
        previous=_read_previous(compare_with), generated_at=generated_at,
    )
    out_pdf = out_pdf or Path("reports") / f"{_slug(config.organization.name)}-{config.reporting_period.label}.pdf"
    written = write_report(
        report, out_pdf, template_dir=config.report.template_dir and config.resolve(config.report.template_dir),
        paper=config.report.paper,
    )
    return ReportFiles.of(written)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "report"


def interactive_survey(out_path: Path) -> None:
    """``opsmaturity survey``: ask in the terminal, saving after every answer."""
    import sys

    from .errors import AnswersError
    from .practices import QuestionaryPrompter, load_questionnaires, run_survey

    if not sys.stdin.isatty():
        raise AnswersError(
            "the survey needs an interactive terminal; to collect answers by file, use "
            "`opsmaturity questionnaire export --format csv` and pass the filled CSV with --answers"
        )
    run_survey(load_questionnaires(), out_path, QuestionaryPrompter())


def export_blank_questionnaire(fmt: str) -> str:
    """``opsmaturity questionnaire export``: a blank CSV or HTML form."""
    from .practices import export_questionnaire, load_questionnaires

    return export_questionnaire(load_questionnaires(), fmt)  # type: ignore[arg-type]


def demo_config(out_dir: Path) -> Config:
    """The demo organization's config, with its store and branding in ``out_dir``."""
    from .config import Branding
    from .sources import demo

    base = demo.demo_config()
    organization = base.organization.model_copy(
        update={"branding": Branding(author="opsmaturity demo")}  # type: ignore[call-arg]
    )
    return base.model_copy(
        update={
            "organization": organization,
            "store": out_dir.resolve() / ".opsmaturity" / "store.sqlite",
            "base_dir": out_dir.resolve(),
        }
    )


def run_demo(out_dir: Path, *, generated_at: datetime, console: Console | None = None) -> ReportFiles:
    """``opsmaturity demo``: last quarter's JSON, then this quarter's full report against it."""
    from .config import PeriodConfig
    from .outputs import writable_folder
    from .practices import demo_answers
    from .report import write_report
    from .sources.demo_model import QUARTERS

    writable_folder(out_dir)
    config = demo_config(out_dir)
    both = Period(Period.quarter(QUARTERS[0]).start, Period.quarter(QUARTERS[-1]).end)
    data = load_dataset(config, period=both)
    responses = demo_answers()
    previous_config = config.model_copy(update={"period": PeriodConfig(quarter=QUARTERS[0])})
    previous = build_report(previous_config, data, responses, previous=None, generated_at=generated_at)
    previous_path = out_dir / f"northwind-retail-{QUARTERS[0]}.json"
    previous_path.write_text(json.dumps(previous, indent=2, sort_keys=True), encoding="utf-8")
    current = build_report(config, data, responses, previous=previous, generated_at=generated_at)
    written = write_report(current, out_dir / f"northwind-retail-{QUARTERS[1]}.pdf")
    return ReportFiles.of(written, previous_path)
