"""The main job, end to end: config → collect → store → metrics → assessment → report.

This orchestrator is the one place that knows the whole flow; every step it calls is a
library function with its inputs passed in (the config and time included). It takes
:class:`Config` objects (the CLI loads them) and only orchestrates: the findings glue is
in :mod:`.assess`, the report's data in :mod:`.report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from .collect import CollectSummary, collect, collection_window
from .config import Config
from .errors import StoreError
from .period import Period
from .records import CollectionNote, Incident, Repository
from .sources import build_source
from .sources.base import Source, Window
from .store import Store

if TYPE_CHECKING:
    from .metrics import MetricsReport
    from .practices.answers import Response
    from .report import Comparison, ReportData, ReportFiles

LOCAL_KINDS = ("files", "demo")
FORGE_DORA = "forge_dora"


@dataclass
class Dataset:
    """What the report needs from the store besides the metrics (which read its packs)."""

    repositories: list[Repository] = field(default_factory=list)
    notes: list[CollectionNote] = field(default_factory=list)
    forge_dora: dict[str, Any] = field(default_factory=dict)
    """GitLab's own DORA API figures per source, for the methodology cross-check."""
    incidents: list[tuple[str, Incident]] = field(default_factory=list)
    """Every stored incident with the source that read it, for the Incidents section."""

    @classmethod
    def load(cls, store: Store) -> Dataset:
        return cls(
            repositories=list(store.records(Repository)),
            notes=list(store.records(CollectionNote)),
            forge_dora=store.documents(FORGE_DORA),
            incidents=[(s, i) for s in store.sources() for i in store.records(Incident, source=s)],
        )


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


def _fetch_forge_dora(source: Source, store: Store, period: Period) -> None:
    """Keep a forge's own DORA figures (GitLab Ultimate) for the report's cross-check."""
    figures = source.forge_dora(period)
    store.upsert(source.name, source.notes())
    if figures is not None:
        store.put_document(source.name, FORGE_DORA, figures.document())


def collect_all(config: Config, console: Console | None = None) -> list[CollectSummary]:
    """``opsmaturity collect``: every source of the config into its store."""
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


def refresh_local_sources(config: Config, period: Period | None = None) -> None:
    """Re-read the sources that cost nothing to read (files, demo) into the store, over
    ``period`` when given (the demo spans two quarters), else the config's: a report then
    reflects the files as they are now, without a separate ``collect``."""
    if not any(entry.kind in LOCAL_KINDS for entry in config.sources):
        return
    with Store(config.store_path) as store:
        collect_sources(config, store, kinds=LOCAL_KINDS, period=period)


def load_dataset(config: Config) -> Dataset:
    """What an assessment needs from the store besides the metrics; reads, never writes
    (a missing store is not created: it is reported as empty)."""
    data = Dataset()
    if Path(config.store_path).exists():
        with Store(config.store_path) as store:
            data = Dataset.load(store)
    if not data.repositories:
        raise StoreError(
            f"{config.store_path}: the store is empty; run `opsmaturity collect --config ...` first"
        )
    return data


def compute_metrics_for(
    config: Config, period: Period | None = None, trend_bucket: str = "month"
) -> MetricsReport:
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


def metrics_output(config: Config, fmt: str) -> Any:
    """``opsmaturity metrics``: a rich table, JSON text or CSV text."""
    import json

    from .metrics import render_table, to_csv

    refresh_local_sources(config)
    load_dataset(config)  # fails clearly on an empty store
    result = compute_metrics_for(config)
    if fmt == "json":
        return json.dumps(result.to_json(), indent=2)
    if fmt == "csv":
        return to_csv(result)
    return render_table(result)


def build_report(
    config: Config,
    data: Dataset,
    responses: Sequence[Response],
    *,
    previous: Comparison | None,
    generated_at: datetime,
) -> ReportData:
    """All numbers behind a report: what the renderer shows and the JSON next quarter reads."""
    from .assess import assess, cross_check
    from .metrics.incidents import incident_figures
    from .report import build_report_data

    # weekly trend: a quarter's chart needs more than three monthly points
    metrics = compute_metrics_for(config, trend_bucket="week")
    findings = assess(config, responses, metrics)
    period, tz = config.reporting_period, config.metrics.timezone
    incidents = incident_figures(data.incidents, start=period.start_at(tz), end=period.end_at(tz))
    return build_report_data(
        config=config,
        metrics=metrics,
        assessment=findings.assessment,
        recommendation=findings.recommendation,
        mismatches=findings.mismatches,
        notes=data.notes,
        cross_check=cross_check(data.forge_dora, metrics),
        previous=previous,
        generated_at=generated_at,
        incidents=incidents,
    )


def run_report(
    config: Config,
    answers: Sequence[Path],
    *,
    compare_with: Path | None,
    out_pdf: Path | None,
    generated_at: datetime,
) -> ReportFiles:
    """``opsmaturity report``: write PDF, HTML, JSON and CSV for a config."""
    from .practices import load_answers
    from .report import read_previous, write_report

    responses = load_answers(list(answers)) if answers else []
    previous = None if compare_with is None else read_previous(compare_with)
    refresh_local_sources(config)
    report = build_report(
        config, load_dataset(config), responses, previous=previous, generated_at=generated_at
    )
    out_pdf = out_pdf or Path("reports") / f"{_slug(config.organization.name)}-{config.reporting_period.label}.pdf"
    template_dir = config.report.template_dir and config.resolve(config.report.template_dir)
    return write_report(report, out_pdf, template_dir=template_dir, paper=config.report.paper)


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
