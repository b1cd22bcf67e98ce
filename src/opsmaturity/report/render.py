"""Writers: one typed :class:`ReportData` in; PDF, HTML, JSON and CSV files out.

HTML comes from Jinja2 (autoescape on, StrictUndefined) seeing only the typed context;
the PDF is that HTML through WeasyPrint, imported only when a PDF is asked for, with
the restricted URL fetcher. JSON is written by :mod:`.jsonfile`; CSVs are its tables.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ..csvsafe import safe_cell
from ..dora import HEADLINE_FIELD, METRICS
from ..errors import ReportError
from ..metrics.incidents import IncidentFigures
from ..practices.scoring import Assessment
from ..recommend import Recommendation
from ..resources import templates_dir
from .context import ReportContext
from .data import DataCompleteness, ReportData
from .jsonfile import to_json_text
from .views import build_context

FORMATS = ("pdf", "html", "json", "csv")
PAPERS = ("A4", "Letter")
PDF_VARIANT = "pdf/ua-1"
"""Tagged, accessible PDF (PDF/UA-1), as far as WeasyPrint supports it."""


@dataclass(frozen=True)
class ReportFiles:
    """Paths a report run wrote; None for a format not asked for."""

    pdf: Path | None = None
    html: Path | None = None
    json: Path | None = None
    csv: tuple[Path, ...] = ()
    refused: tuple[str, ...] = ()
    """URLs the PDF renderer refused to fetch (a user template reaching outside)."""
    extra: tuple[Path, ...] = ()
    """Further files of the run (the demo's previous-quarter JSON)."""

    @property
    def main(self) -> Path:
        """The file the user asked for: the PDF, else the first format written."""
        main = self.pdf or self.html or self.json or next(iter(self.csv), None)
        if main is None:
            raise ValueError("no report file was written")
        return main

    @property
    def others(self) -> list[Path]:
        """Every other file written, in a stable order."""
        written = [self.pdf, self.html, self.json, *self.csv, *self.extra]
        return [p for p in written if p is not None and p != self.main]


def template_dirs(template_dir: Path | None) -> list[Path]:
    """The user's folder first (its files win), then the bundled defaults."""
    dirs = [templates_dir()]
    if template_dir is not None:
        if not template_dir.is_dir():
            raise ReportError(f"template folder not found: {template_dir}")
        dirs.insert(0, template_dir)
    return dirs


def environment(template_dir: Path | None = None) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(str(d)) for d in template_dirs(template_dir)]
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def context_vars(ctx: ReportContext) -> dict[str, Any]:
    """Each top-level context field becomes one template variable."""
    return {f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)}


def render_html(data: ReportData, *, template_dir: Path | None = None, paper: str = "A4") -> str:
    """The report as one self-contained HTML page (CSS inlined, images as data URIs)."""
    if paper not in PAPERS:
        raise ReportError(f"paper must be one of {', '.join(PAPERS)}, got {paper!r}")
    env = environment(template_dir)
    try:
        template = env.get_template("report.html.j2")
        return template.render(context_vars(build_context(data, paper=paper)))
    except jinja2.TemplateNotFound as exc:
        raise ReportError(f"report template not found: {exc.name}") from None
    except jinja2.TemplateError as exc:
        raise ReportError(f"report template error: {exc}") from exc


def render_pdf(html: str, *, template_dir: Path | None = None) -> tuple[bytes, list[str]]:
    """PDF bytes and the URLs the fetcher refused (expected: none)."""
    weasyprint = _weasyprint()
    from .fetcher import restricted_fetcher

    dirs = template_dirs(template_dir)
    fetcher = restricted_fetcher(dirs)
    document = weasyprint.HTML(string=html, base_url=dirs[0].as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False)
    return pdf, list(fetcher.refused)


def _weasyprint() -> Any:
    """WeasyPrint, imported only when a PDF is asked for (it loads Pango and friends).

    Without the HarfBuzz-subset library WeasyPrint warns at import that a future version
    will need it, and subsets fonts with fontTools instead (slower, same output). That is
    a packaging note for whoever installs the tool, not something a report run can act on,
    so the warning is silenced here; docs/report.md recommends ``libharfbuzz-subset0``.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        try:
            import weasyprint
        except (ImportError, OSError) as exc:  # pragma: no cover - a dependency
            raise ReportError(f"PDF output needs WeasyPrint and its libraries: {exc}") from exc
    return weasyprint


def csv_tables(data: ReportData) -> dict[str, list[list[Any]]]:
    """The report's tables by name: what ``NAME-<table>.csv`` files hold."""
    tables = {"metrics": _metrics_table(data), "trend": _trend_table(data)}
    if data.assessment is not None:
        tables["practices"] = _practices_table(data.assessment)
    if data.recommendation is not None:
        tables["roadmap"] = _roadmap_table(data.recommendation)
    if data.incidents is not None:
        tables["incidents"] = incidents_table(data.incidents)
    if data.completeness is not None:
        tables["completeness"] = _completeness_table(data.completeness)
    return tables


def _completeness_table(found: DataCompleteness) -> list[list[Any]]:
    """How each source's and repository's collection ended (``repository`` empty: the
    source's own run)."""
    columns = ["source", "repository", "status", "complete", "detail"]
    return [columns, *[[getattr(s, k) for k in columns] for s in found.scopes]]


def _metrics_table(data: ReportData) -> list[list[Any]]:
    header = ["scope", "name"]
    for m in METRICS:
        header += [f"{m}.{HEADLINE_FIELD[m]}", f"{m}.tier"]
    rows: list[list[Any]] = [header]
    marked = data.completeness  # completeness known: say it per scope
    if marked is not None:
        header.append("data_complete")
    for s in data.metrics.scopes:
        row: list[Any] = [s.scope, s.name]
        for m in METRICS:
            result = getattr(s, m)
            row += [getattr(result, HEADLINE_FIELD[m]), getattr(result, "tier", None)]
        if marked is not None:
            missing = marked.missing(s.scope, s.name)
            row.append("no: " + ", ".join(missing) if missing else "yes")
        rows.append(row)
    return rows


def _trend_table(data: ReportData) -> list[list[Any]]:
    points = [p.to_json() for p in data.metrics.trend]
    keys = sorted({k for p in points for k in p})
    return [keys, *[[p[k] for k in keys] for p in points]]


def _practices_table(assessment: Assessment) -> list[list[Any]]:
    """One row per discipline and practice area, for the organization and each team."""
    groups = [("organization", assessment.organization), *sorted(assessment.teams.items())]
    rows: list[list[Any]] = [PRACTICE_COLUMNS]
    for group, scores in groups:
        for kind, by_id in (("discipline", scores.disciplines), ("area", scores.areas)):
            for key, score in by_id.items():
                spread = score.spread
                rows.append(
                    [group, kind, key, score.name, score.median, score.level,
                     spread and spread.q1, spread and spread.q3, spread and spread.min,
                     spread and spread.max, score.respondents, score.disagreement]
                )  # fmt: skip
    return rows


PRACTICE_COLUMNS = [
    "group", "kind", "id", "name", "median", "level", "q1", "q3", "min", "max", "respondents",
    "disagreement",
]  # fmt: skip
ROADMAP_COLUMNS = [
    "rank", "title", "horizon", "practice_area", "area_score", "metric", "metric_tier", "rationale",
    "direction", "owner", "effort",
]  # fmt: skip


def _roadmap_table(recommendation: Recommendation) -> list[list[Any]]:
    return [
        ROADMAP_COLUMNS,
        *[[getattr(a, k) for k in ROADMAP_COLUMNS] for a in recommendation.roadmap],
    ]


def incidents_table(figures: IncidentFigures) -> list[list[Any]]:
    """The incident figures in long form: one ``figure, label, value`` row each."""
    ack = figures.acknowledge
    rows: list[list[Any]] = [
        ["figure", "label", "value"],
        ["opened", "", figures.opened],
        ["records", "", figures.records],
        ["open_at_period_end", "", len(figures.open_at_end)],
        ["time_to_acknowledge_median_minutes", "", ack.median_minutes],
        ["time_to_acknowledge_p90_minutes", "", ack.p90_minutes],
        ["time_to_acknowledge_n", "", ack.n],
        ["not_acknowledged", "", ack.not_acknowledged],
    ]
    for figure, tallies in (
        ("by_source", figures.by_source),
        ("by_priority", figures.by_priority),
        ("by_urgency", figures.by_urgency),
        ("unmapped_service", figures.unmapped),
    ):
        rows += [[figure, t.label, t.count] for t in tallies]
    return rows


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """RFC 4180 CSV with ``\\n`` line ends; None is an empty cell, never 0."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(_cell(v)) for v in row])
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_report(
    data: ReportData,
    out_pdf: Path,
    *,
    template_dir: Path | None = None,
    paper: str = "A4",
    formats: Sequence[str] = FORMATS,
) -> ReportFiles:
    """Write NAME.pdf, NAME.html, NAME.json and NAME-<table>.csv beside each other."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ReportError(f"unknown report format(s): {', '.join(sorted(unknown))}")
    out_pdf = Path(out_pdf)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    stem = out_pdf.with_suffix("")
    files: dict[str, Any] = {}
    if "json" in formats:
        files["json"] = _write(stem.with_suffix(".json"), to_json_text(data))
    if "csv" in formats:
        files["csv"] = tuple(
            _write(stem.parent / f"{stem.name}-{name}.csv", csv_text(rows))
            for name, rows in csv_tables(data).items()
        )
    if "html" in formats or "pdf" in formats:
        html = render_html(data, template_dir=template_dir, paper=paper)
        if "html" in formats:
            files["html"] = _write(stem.with_suffix(".html"), html)
        if "pdf" in formats:
            pdf, refused = render_pdf(html, template_dir=template_dir)
            out_pdf.write_bytes(pdf)
            files.update(pdf=out_pdf, refused=tuple(refused))
    return ReportFiles(**files)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="\n")
    return path
