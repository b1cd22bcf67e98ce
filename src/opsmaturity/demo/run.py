"""``opsmaturity demo``: the whole assessment of Northwind Retail, with no token or network.

Last quarter's report JSON is written first, then this quarter's full report compared
with it, so the demo shows trends and deltas as a second quarterly report would.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from rich.console import Console

from ..config import Branding, Config, PeriodConfig
from ..period import Period
from ..pipeline import build_report, load_dataset, refresh_local_sources, write_rows
from ..report import ReportFiles
from .answers import demo_answers
from .organization import QUARTERS
from .source import demo_config

#: Report files are named after the organization and the quarter they cover.
FILE_STEM = "northwind-retail"


def report_path(quarter: str, suffix: str) -> str:
    """The demo's file name for ``quarter`` (``northwind-retail-2026Q3.pdf``)."""
    return f"{FILE_STEM}-{quarter}{suffix}"


def config_in(out_dir: Path) -> Config:
    """The demo organization's config, with its store and branding in ``out_dir``."""
    base = demo_config()
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


def run_demo(
    out_dir: Path, *, generated_at: datetime, console: Console | None = None
) -> ReportFiles:
    """Last quarter's JSON, then this quarter's full report against it."""
    from ..outputs import writable_folder
    from ..report import write_previous_quarter, write_report

    writable_folder(out_dir)
    config = config_in(out_dir)
    both = Period(Period.quarter(QUARTERS[0]).start, Period.quarter(QUARTERS[-1]).end)
    refresh_local_sources(config, period=both)
    data = load_dataset(config)
    responses = demo_answers()
    previous_config = config.model_copy(update={"period": PeriodConfig(quarter=QUARTERS[0])})
    previous = build_report(
        previous_config, data, responses, previous=None, generated_at=generated_at
    )
    previous_path = out_dir / report_path(QUARTERS[0], ".json")
    write_previous_quarter(previous_path, previous)
    current = build_report(
        config, data, responses, previous=previous.comparison(), generated_at=generated_at
    )
    written = write_report(current, out_dir / report_path(QUARTERS[-1], ".pdf"))
    rows = write_rows(config, out_dir, report_path(QUARTERS[-1], "-rows-"), "week")
    return dataclasses.replace(written, extra=(previous_path, *rows))
