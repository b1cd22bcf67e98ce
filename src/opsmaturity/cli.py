"""The ``opsmaturity`` command: a thin layer that parses, calls the library, prints.

Every deliberate error (:mod:`opsmaturity.errors`) becomes one red line on stderr and
its exit code; nothing here computes a number.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from . import __version__
from .errors import OpsMaturityError

if TYPE_CHECKING:
    from .report import ReportFiles

F = TypeVar("F", bound=Callable[..., Any])


def _reports_errors(func: F) -> F:
    """Turn our deliberate errors into one red line on stderr and their exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .tokens import scrub

        try:
            return func(*args, **kwargs)
        except OpsMaturityError as exc:
            _err().print(Text("error: ", style="bold red") + Text(scrub(str(exc))), soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except OSError as exc:  # a file the checks did not foresee: still one line
            where = f"{exc.filename}: " if exc.filename else ""
            reason = exc.strerror or str(exc)
            _err().print(
                Text("error: ", style="bold red") + Text(scrub(f"{where}{reason}")), soft_wrap=True
            )
            raise typer.Exit(1) from None
        except Exception as exc:  # a bug: still one line, and never a token
            _internal_error(exc)
            raise typer.Exit(INTERNAL_ERROR) from None

    return wrapper  # type: ignore[return-value]


#: Exit code of an unexpected error (a bug), as sysexits' EX_SOFTWARE.
INTERNAL_ERROR = 70


def _internal_error(exc: BaseException) -> None:
    """One scrubbed line for a bug; the traceback (scrubbed too) only with OPSMATURITY_DEBUG."""
    import os
    import traceback

    from .tokens import scrub

    if os.environ.get("OPSMATURITY_DEBUG"):
        sys.stderr.write(scrub("".join(traceback.format_exception(exc))))
    line = scrub(f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__)
    _err().print(
        Text("internal error: ", style="bold red")
        + Text(f"{line} (please report it; OPSMATURITY_DEBUG=1 shows the traceback)"),
        soft_wrap=True,
    )


def _err() -> Console:
    """A fresh console per use, so width and colour follow the current terminal (and tests)."""
    return Console(stderr=True)


def _out() -> Console:
    return Console()


app = typer.Typer(
    name="opsmaturity",
    help="Measure DORA metrics, assess SysOps/DevOps/SRE practices, recommend an operating model.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Inspect and validate assessment config files.", no_args_is_help=True)
questionnaire_app = typer.Typer(help="Work with the practice questionnaires.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(questionnaire_app, name="questionnaire")

# readable=False: our loaders say "file: cannot read: reason" in one line, not Typer's box
ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", help="Assessment config (YAML).", readable=False)
]
AllowIncomplete = Annotated[
    bool,
    typer.Option(
        "--allow-incomplete",
        help="Show figures even when some repository was not collected (marked as incomplete).",
    ),
]


class MetricsFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ExportFormat(StrEnum):
    csv = "csv"
    html = "html"


def _version(value: bool) -> None:
    if value:
        _out().print(f"opsmaturity {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Measure DORA metrics, assess SysOps/DevOps/SRE practices, recommend an operating model."""


def _now() -> datetime:
    """The one clock the tool reads: the CLI passes 'now' down, the library never asks."""
    return datetime.now(UTC)


def _warn(line: str) -> None:
    _err().print(Text("warning: ", style="yellow") + Text(line), soft_wrap=True)


def _print_files(title: str, files: ReportFiles) -> None:
    console = _out()
    console.print(f"[green]{title}:[/] {files.main}", soft_wrap=True)
    for extra in files.others:
        console.print(f"  also {extra}", soft_wrap=True)
    for url in files.refused:
        _err().print(f"[yellow]warning:[/] the PDF renderer refused to fetch {url}", soft_wrap=True)


@app.command()
@_reports_errors
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("reports/demo"),
) -> None:
    """Run the whole assessment on built-in demo data (no token, no network)."""
    from .demo.run import run_demo

    files = run_demo(out_dir, generated_at=_now(), console=_out())
    _print_files("Demo report written", files)


@app.command()
@_reports_errors
def collect(config: ConfigOption) -> None:
    """Collect deployments, changes and incidents from the configured sources into the store."""
    from .config import load_config
    from .pipeline import collect_all
    from .progress import configure_logging

    configure_logging(_err())
    summaries = collect_all(load_config(config), console=_out())
    failed = [(s.source, repo, why) for s in summaries for repo, why in s.failed.items()]
    for summary in summaries:
        counts = ", ".join(f"{n} {label}" for n, label in summary.counts())
        cost = f" ({summary.usage})" if summary.usage else ""
        _out().print(
            f"[green]{summary.source}[/]: {counts or 'nothing found'}{cost}", soft_wrap=True
        )
    for source, repo, why in failed:
        label = f"{source}:{repo}" if repo else source  # an incident tool fails as a whole
        _err().print(Text("not collected", style="red") + Text(f" {label}: {why}"), soft_wrap=True)
    if failed:
        raise typer.Exit(1)


@app.command()
@_reports_errors
def metrics(
    config: ConfigOption,
    fmt: Annotated[MetricsFormat, typer.Option("--format", "-f")] = MetricsFormat.table,
    rows: Annotated[
        Path | None,
        typer.Option(
            "--rows",
            help="Also write deployments.csv, changes.csv and incidents.csv, the rows behind "
            "every figure, to this folder.",
        ),
    ] = None,
    allow_incomplete: AllowIncomplete = False,
) -> None:
    """Compute the DORA metrics from the store for the configured period."""
    from .config import load_config
    from .pipeline import metrics_output

    text = metrics_output(load_config(config), fmt.value, rows, allow_incomplete)
    if isinstance(text, str):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        _out().print(text)
        _out().print(SCORE_LINE, style="dim", soft_wrap=True)


SCORE_LINE = (
    "Score: 0–10, the mean of the known metrics' scores on fixed anchors (10 best, "
    "as in DORA's Quick Check; anchors in docs/metrics.md); a summary beside the tier."
)
"""One line wherever the 0–10 score is shown, so nobody reads it as a DORA measure."""


@app.command()
@_reports_errors
def report(
    config: ConfigOption,
    answers: Annotated[
        list[Path] | None,
        typer.Option("--answers", "-a", help="Answers file(s), YAML or CSV.", readable=False),
    ] = None,
    compare_with: Annotated[
        Path | None,
        typer.Option(
            "--compare-with", help="JSON of a previous report, for deltas.", readable=False
        ),
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="PDF path; HTML/JSON/CSV beside it.")
    ] = None,
    more_answers: Annotated[
        list[Path] | None,
        typer.Argument(
            help="More answers files (what a shell makes of --answers answers/*.yaml).",
            show_default=False,
        ),
    ] = None,
    allow_incomplete: AllowIncomplete = False,
) -> None:
    """Write the PDF, HTML, JSON and CSV report.

    Answers: files, folders or glob patterns (YAML, blank-form CSV, or a Google Forms /
    Microsoft Forms / Typeform CSV export); partial answers are scored with a warning.
    """
    from .config import load_config
    from .pipeline import run_report

    files = run_report(
        load_config(config),
        [*(answers or []), *(more_answers or [])],
        compare_with=compare_with,
        out_pdf=out_path,
        generated_at=_now(),
        warn=_warn,
        allow_incomplete=allow_incomplete,
    )
    _print_files("Report written", files)


class Profile(StrEnum):
    software = "software"
    infrastructure_critical = "infrastructure-critical"
    regulated = "regulated"


@app.command()
@_reports_errors
def recommend(
    config: ConfigOption,
    answers: Annotated[
        list[Path] | None, typer.Option("--answers", "-a", help="Answers file(s), YAML or CSV.")
    ] = None,
    engineers: Annotated[
        int | None, typer.Option("--engineers", min=1, help="What if: this many engineers.")
    ] = None,
    profile: Annotated[
        Profile | None, typer.Option("--profile", help="What if: this organization profile.")
    ] = None,
    compare_with: Annotated[
        Path | None,
        typer.Option(
            "--compare-with", help="JSON of a previous report: which trends would change the lead."
        ),
    ] = None,
) -> None:
    """Print the operating-model decision matrix and ranking (explore what-ifs before a report)."""
    from .config import load_config
    from .pipeline import run_recommend
    from .recommend.terminal import render

    rec, note = run_recommend(
        load_config(config),
        answers or [],
        engineers=engineers,
        profile=profile.value if profile else None,
        compare_with=compare_with,
    )
    if note:
        _err().print(f"[yellow]note:[/] {note}", soft_wrap=True)
    _out().print(render(rec))


survey_app = typer.Typer(
    help="Answer the questionnaire in the terminal, or run the web survey for many respondents.",
    invoke_without_command=True,
)
app.add_typer(survey_app, name="survey")


class AnswersFormat(StrEnum):
    yaml = "yaml"
    csv = "csv"


@survey_app.callback()
@_reports_errors
def survey(
    ctx: typer.Context,
    out_path: Annotated[
        Path, typer.Option("--out", help="Answers file to write (and resume).")
    ] = Path("answers.yaml"),
    quick: Annotated[
        bool, typer.Option("--quick", help="The quick check: about 15 questions and a result.")
    ] = False,
    disciplines: Annotated[
        list[str] | None,
        typer.Option("--discipline", "-d", help="Only these parts (repeat); asked if omitted."),
    ] = None,
) -> None:
    """Answer the questionnaire interactively; stop any time and run again to resume."""
    if ctx.invoked_subcommand is not None:
        return
    from .outputs import writable_file
    from .pipeline import interactive_survey

    interactive_survey(writable_file(out_path), quick=quick, disciplines=disciplines)
    _out().print(f"[green]Answers saved:[/] {out_path}")


@survey_app.command("serve")
@_reports_errors
def survey_serve(
    config: ConfigOption,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; 0.0.0.0 exposes it to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8080,
    open_link: Annotated[
        bool, typer.Option("--open-link", help="Let anyone with the address start a response.")
    ] = False,
    quick: Annotated[
        bool, typer.Option("--quick", help="Serve the quick check (about 15 questions).")
    ] = False,
    open_limit: Annotated[
        int,
        typer.Option(
            "--open-limit",
            min=0,
            help="New responses one address may start through the open link per minute (0: no limit).",
        ),
    ] = 10,
) -> None:
    """Run the web survey: HTML forms, answers saved in the store as they are given."""
    from .config import load_config
    from .survey.commands import serve

    serve(
        load_config(config),
        host=host,
        port=port,
        open_link=open_link,
        quick=quick,
        now=_now,
        open_limit=open_limit,
        announce=lambda line: _out().print(line, soft_wrap=True, markup=False),
        warn=lambda line: _err().print(
            Text("WARNING: ", style="bold red") + Text(line), soft_wrap=True
        ),
    )


@survey_app.command("invite")
@_reports_errors
def survey_invite(
    config: ConfigOption,
    count: Annotated[int, typer.Option("--count", "-n", help="How many personal links.")] = 1,
    team: Annotated[
        str | None, typer.Option("--team", help="Preset team (a team of the config).")
    ] = None,
    role: Annotated[str | None, typer.Option("--role", help="Preset role.")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="Links to the quick check.")] = False,
    base_url: Annotated[
        str, typer.Option("--base-url", help="Address people reach the server at.")
    ] = "http://127.0.0.1:8080",
) -> None:
    """Print personal survey links, one per line (each is shown only once: keep them)."""
    from .config import load_config
    from .survey.commands import invite

    links = invite(
        load_config(config),
        count=count,
        team=team,
        role=role,
        quick=quick,
        base_url=base_url,
        now=_now(),
    )
    sys.stdout.write("\n".join(links) + "\n")


@survey_app.command("export")
@_reports_errors
def survey_export(
    config: ConfigOption,
    fmt: Annotated[AnswersFormat, typer.Option("--format", "-f")] = AnswersFormat.yaml,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out", help="YAML: folder (default survey-answers); CSV: file, stdout if omitted."
        ),
    ] = None,
) -> None:
    """Write the web survey's answers as YAML files or one CSV (both import with --answers)."""
    from .config import load_config
    from .survey.commands import export

    text, written = export(load_config(config), fmt.value, out_path)
    if text is not None:
        sys.stdout.write(text)
        return
    _out().print(f"[green]Answers written:[/] {len(written)} file(s)", soft_wrap=True)
    for path in written[:20]:
        _out().print(f"  {path}", soft_wrap=True)


@questionnaire_app.command("export")
@_reports_errors
def questionnaire_export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.csv,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="File to write; stdout if omitted.")
    ] = None,
) -> None:
    """Write a blank questionnaire (CSV to fill in and import back, or HTML to read)."""
    from .pipeline import export_blank_questionnaire

    text = export_blank_questionnaire(fmt.value)
    if out_path is None:
        sys.stdout.write(text)
    else:
        from .outputs import writable_file

        writable_file(out_path).write_text(text, encoding="utf-8")
        _out().print(f"[green]Questionnaire written:[/] {out_path}")


@config_app.command("schema")
@_reports_errors
def config_schema() -> None:
    """Print the JSON Schema of config files (for editor completion and checks)."""
    from .config import json_schema

    sys.stdout.write(json_schema() + "\n")


@config_app.command("check")
@_reports_errors
def config_check(
    files: Annotated[
        list[Path], typer.Argument(help="Config file(s) to validate.", readable=False)
    ],
) -> None:
    """Validate config files; prints one line per file, naming file, line and field on error."""
    from .config import load_config

    failed: OpsMaturityError | None = None
    for file in files:
        try:
            cfg = load_config(file)
        except OpsMaturityError as exc:
            _err().print(
                Text("error: ", style="bold red") + Text(str(exc)), highlight=False, soft_wrap=True
            )
            failed = exc
            continue
        kinds = ", ".join(s.kind for s in cfg.sources)
        # user text as plain Text: no markup, no regex highlighting (slow on long values)
        _out().print(
            Text("OK", style="green")
            + Text(
                f" {file}: {cfg.organization.name}, period {cfg.reporting_period.label}, "
                f"sources: {kinds}, teams: {len(cfg.teams)}"
            ),
            highlight=False,
            soft_wrap=True,
        )
    if failed is not None:
        raise typer.Exit(failed.exit_code)


def main() -> None:
    """Console-script entry point."""
    app()
