"""Writers: one report-data dict in; PDF, HTML, JSON and CSV files out.

HTML comes from Jinja2 (autoescape on, StrictUndefined) seeing only the typed context;
the PDF is that HTML through WeasyPrint, imported only when a PDF is asked for, with
the restricted URL fetcher. JSON is the report-data dict itself; CSVs are its tables.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ..csvsafe import safe_cell
from ..errors import ReportError
from ..resources import templates_dir
from .context import ReportContext
from .model import HEADLINE_FIELD, METRICS
from .views import build_context

FORMATS = ("pdf", "html", "json", "csv")
PAPERS = ("A4", "Letter")
PDF_VARIANT = "pdf/ua-1"
"""Tagged, accessible PDF (PDF/UA-1), as far as WeasyPrint supports it."""


@dataclass(frozen=True)
class ReportFiles:
    """Paths written by :func:`write_report`; None for a format not asked for."""

    pdf: Path | None = None
    html: Path | None = None
    json: Path | None = None
    csv: tuple[Path, ...] = ()
    refused: tuple[str, ...] = ()
    """URLs the PDF renderer refused to fetch (a user template reaching outside)."""


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


def render_html(
    data: Mapping[str, Any], *, template_dir: Path | None = None, paper: str = "A4"
) -> str:
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


def to_json(data: Mapping[str, Any]) -> str:
    """The report data, stable: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def csv_tables(data: Mapping[str, Any]) -> dict[str, list[list[Any]]]:
    """The report's tables by name: what ``NAME-<table>.csv`` files hold."""
    tables = {"metrics": _metrics_table(data), "trend": _trend_table(data)}
    if data.get("assessment"):
        tables["practices"] = _practices_table(data)
    if data.get("recommendation"):
        tables["roadmap"] = _roadmap_table(data)
    if data.get("completeness"):
        tables["completeness"] = _completeness_table(data)
    return tables


def _completeness_table(data: Mapping[str, Any]) -> list[list[Any]]:
    """How each source's and repository's collection ended (``repository`` empty: the
    source's own run)."""
    columns = ["source", "repository", "status", "complete", "detail"]
    scopes = data["completeness"].get("scopes") or []
    return [columns, *[[s.get(k) for k in columns] for s in scopes]]


def _metrics_table(data: Mapping[str, Any]) -> list[list[Any]]:
    header = ["scope", "name"]
    for m in METRICS:
        header += [f"{m}.{HEADLINE_FIELD[m]}", f"{m}.tier"]
    rows: list[list[Any]] = [header]
    scopes = (data.get("metrics") or {}).get("scopes") or []
    marked = any("missing" in s for s in scopes)  # completeness known: say it per scope
    if marked:
        header.append("data_complete")
    for s in scopes:
        row = [s.get("scope"), s.get("name")]
        for m in METRICS:
            result = s.get(m) or {}
            row += [result.get(HEADLINE_FIELD[m]), result.get("tier")]
        if marked:
            missing = s.get("missing") or []
            row.append("no: " + ", ".join(missing) if missing else "yes")
        rows.append(row)
    return rows


def _trend_table(data: Mapping[str, Any]) -> list[list[Any]]:
    points = (data.get("metrics") or {}).get("trend") or []
    keys = sorted({k for p in points for k in p})
    return [keys, *[[p.get(k) for k in keys] for p in points]]


def _practices_table(data: Mapping[str, Any]) -> list[list[Any]]:
    """One row per discipline and practice area, for the organization and each team."""
    assessment = data["assessment"]
    groups = [("organization", assessment.get("organization") or {})]
    groups += sorted((assessment.get("teams") or {}).items())
    rows: list[list[Any]] = [PRACTICE_COLUMNS]
    for group, scores in groups:
        for kind in ("disciplines", "areas"):
            for key, score in (scores.get(kind) or {}).items():
                spread = score.get("spread") or {}
                rows.append(
                    [group, kind[:-1], key, score.get("name"), score.get("median"),
                     score.get("level"), spread.get("q1"), spread.get("q3"), spread.get("min"),
                     spread.get("max"), score.get("respondents"), score.get("disagreement")]
                )  # fmt: skip
    return rows


PRACTICE_COLUMNS = [
    "group", "kind", "id", "name", "median", "level", "q1", "q3", "min", "max", "respondents",
    "disagreement",
]  # fmt: skip
ROADMAP_COLUMNS = [
    "rank", "title", "horizon", "practice_area", "area_score", "metric", "metric_tier", "rationale",
]  # fmt: skip


def _roadmap_table(data: Mapping[str, Any]) -> list[list[Any]]:
    roadmap = data["recommendation"].get("roadmap") or []
    return [ROADMAP_COLUMNS, *[[a.get(k) for k in ROADMAP_COLUMNS] for a in roadmap]]


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
    data: Mapping[str, Any],
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
        files["json"] = _write(stem.with_suffix(".json"), to_json(data))
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
