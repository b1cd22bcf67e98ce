"""The main job, end to end: config → collect → store → metrics → assessment → report.

This orchestrator is the one place that knows the whole flow; every step it calls is a
library function with its inputs passed in (the config and time included). It takes
:class:`Config` objects (the CLI loads them) and only orchestrates: the findings glue is
in :mod:`.assess`, the report's data in :mod:`.report`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from .collect import CollectSummary, collect, collection_window
from .completeness import Completeness
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
    from .recommend import Recommendation
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
    completeness: Completeness = field(default_factory=Completeness)
    """How each source's and repository's last collection ended."""

    @classmethod
    def load(cls, store: Store, configured: Sequence[str] = ()) -> Dataset:
        """The store's records; ``configured`` source names that never ran count as gaps."""
        runs = store.collection_runs()
        return cls(
            repositories=list(store.records(Repository)),
            notes=list(store.records(CollectionNote)),
            forge_dora=store.documents(FORGE_DORA),
            incidents=[(s, i) for s in store.sources() for i in store.records(Incident, source=s)],
            completeness=Completeness.from_runs(runs, configured, store.sources()),
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
        if not store.read_only:  # a store we cannot write is read as it is
            collect_sources(config, store, kinds=LOCAL_KINDS, period=period)


def load_dataset(config: Config) -> Dataset:
    """What an assessment needs from the store besides the metrics; reads, never writes
    (a missing store is not created: it is reported as empty)."""
    from .collect import COLLECTED

    configured = [config.source_name(i) for i in range(len(config.sources))]
    data, collected = Dataset(), False
    if Path(config.store_path).exists():
        with Store(config.store_path) as store:
            data = Dataset.load(store, configured)
            collected = bool(store.documents(COLLECTED))
    if not data.repositories and not collected:
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


def write_rows(
    config: Config, directory: Path, prefix: str = "", trend_bucket: str = "month"
) -> list[Path]:
    """The rows behind the figures (``metrics.rows``) as three CSV files in ``directory``."""
    from .metrics import rows_from_store

    with Store(config.store_path) as store:
        rows = rows_from_store(
            store,
            teams=config.teams,
            period=config.reporting_period,
            options=config.metrics,
            trend_bucket=trend_bucket,  # type: ignore[arg-type]
            organization=config.organization.name,
        )
    return rows.write(directory, prefix)


def metrics_output(
    config: Config, fmt: str, rows_dir: Path | None = None, allow_incomplete: bool = False
) -> Any:
    """``opsmaturity metrics``: a rich table, JSON text or CSV text, each stating how
    complete the data is (incomplete data is refused unless ``allow_incomplete``); with
    ``rows_dir``, the rows behind the figures too."""
    import json

    from .completeness import mark_csv, mark_metrics_json, with_completeness
    from .metrics import render_table, to_csv

    refresh_local_sources(config)
    data = load_dataset(config)  # fails clearly on an empty store
    completeness = data.completeness
    completeness.require(allow_incomplete)
    result = compute_metrics_for(config)
    if rows_dir is not None:
        write_rows(config, rows_dir)
    if fmt == "json":
        return json.dumps(mark_metrics_json(result.to_json(), completeness, config.teams), indent=2)
    if fmt == "csv":
        return mark_csv(to_csv(result), completeness, config.teams)
    incomplete = {
        (s.scope, s.name)
        for s in result.scopes
        if completeness.affected(s.scope, s.name, config.teams)
    }
    return with_completeness(render_table(result, incomplete), completeness)


def run_recommend(
    config: Config,
    answers: Sequence[Path],
    *,
    engineers: int | None = None,
    profile: str | None = None,
    compare_with: Path | None = None,
) -> tuple[Recommendation, str | None]:
    """``opsmaturity recommend``: the recommendation, and a note when nothing was measured;
    ``compare_with`` (a previous report's JSON) adds the trends that would change it."""
    from .assess import recommendation_for
    from .practices import load_answers, load_questionnaires, score
    from .report import read_previous
    from .report.quarter import refuse_same_period

    previous = None if compare_with is None else read_previous(compare_with)
    refuse_same_period(previous, config.reporting_period, compare_with)

    responses = load_answers(list(answers)) if answers else []
    assessment = score(load_questionnaires(), responses) if responses else None
    note = None
    metrics: MetricsReport | None = None
    try:
        refresh_local_sources(config)
        load_dataset(config)
        metrics = compute_metrics_for(config)
    except StoreError as exc:
        note = f"{exc}; recommending without measured metrics"
    rec = recommendation_for(
        config, assessment, metrics, engineers=engineers, profile=profile, previous=previous
    )
    return rec, note


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
    findings = assess(config, responses, metrics, previous)
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
        completeness=data.completeness,
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
    warn: Callable[[str], None] | None = None,
    allow_incomplete: bool = False,
) -> ReportFiles:
    """``opsmaturity report``: write PDF, HTML, JSON and CSV for a config; incomplete data
    is refused unless ``allow_incomplete`` (then the summary carries a banner)."""
    from .errors import OutputError
    from .outputs import writable_file
    from .report import read_previous, write_report
    from .report.quarter import refuse_same_period

    if out_pdf is not None:
        writable_file(out_pdf)
        if out_pdf.suffix.lower() != ".pdf":  # the HTML, JSON and CSV take the same stem
            raise OutputError(
                f"--out {out_pdf}: give the PDF's path, ending in .pdf; "
                "the HTML, JSON and CSV are written beside it"
            )
    responses = survey_responses(config, answers, warn or (lambda _line: None))
    previous = None if compare_with is None else read_previous(compare_with)
    refuse_same_period(previous, config.reporting_period, compare_with)
    refresh_local_sources(config)
    data = load_dataset(config)
    data.completeness.require(allow_incomplete)
    report = build_report(config, data, responses, previous=previous, generated_at=generated_at)
    out_pdf = (
        out_pdf
        or Path("reports")
        / f"{_slug(config.organization.name)}-{config.reporting_period.label}.pdf"
    )
    template_dir = config.report.template_dir and config.resolve(config.report.template_dir)
    written = write_report(report, out_pdf, template_dir=template_dir, paper=config.report.paper)
    rows = write_rows(config, out_pdf.parent, f"{out_pdf.stem}-rows-", "week")
    return dataclasses.replace(written, extra=(*written.extra, *rows))


def survey_responses(
    config: Config, answers: Sequence[Path], warn: Callable[[str], None]
) -> list[Any]:
    """Answers from files, folders or globs, else the web survey's answers in the store.

    Checked against the configured teams. Partial answers are scored on what was answered;
    ``warn`` hears their coverage.
    """
    from .practices.answers import read_answers
    from .practices.coverage import check_teams, coverage_warnings
    from .practices.questionnaire import load_questionnaires
    from .survey.storage import SurveyStore, has_survey

    if answers:
        found = read_answers(list(answers))
        responses, warnings = found.responses, found.warnings
    elif has_survey(config.store_path):
        with SurveyStore(config.store_path) as survey:
            responses = survey.responses()
        warn(f"using the answers of {len(responses)} survey respondents from {config.store_path}")
        warnings = coverage_warnings(load_questionnaires(), responses)
    else:
        return []
    for line in warnings:
        warn(line)
    return check_teams(responses, config.teams)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "report"


def interactive_survey(
    out_path: Path, *, quick: bool = False, disciplines: Sequence[str] | None = None
) -> None:
    """``opsmaturity survey``: ask in the terminal, saving after every answer."""
    import sys

    from .errors import AnswersError
    from .practices import QuestionaryPrompter, load_questionnaires, run_survey

    if not sys.stdin.isatty():
        raise AnswersError(
            "the survey needs an interactive terminal; to collect answers by file, use "
            "`opsmaturity questionnaire export --format csv` and pass the filled CSV with --answers"
        )
    from .practices.survey import choose_disciplines
    from .survey.quick import QUICK_IDS

    qs = load_questionnaires()
    prompter = QuestionaryPrompter()
    only = QUICK_IDS if quick else None
    chosen = (
        disciplines if disciplines or quick else choose_disciplines(qs, prompter, out_path, only)
    )
    if chosen is None:
        return
    result = run_survey(qs, out_path, prompter, disciplines=chosen or None, only=only)
    if quick and result.answers:
        from .survey.quick import quick_result, summary_text

        prompter.show(summary_text(quick_result(qs, result.answers)))


def export_blank_questionnaire(fmt: str) -> str:
    """``opsmaturity questionnaire export``: a blank CSV or HTML form."""
    from .practices import export_questionnaire, load_questionnaires

    return export_questionnaire(load_questionnaires(), fmt)  # type: ignore[arg-type]
