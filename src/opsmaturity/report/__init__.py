"""The report: a consultancy-grade PDF plus HTML, JSON and CSV, from one report-data dict."""

from .model import SCHEMA, build_report_data, load_report_json
from .render import ReportFiles, render_html, write_report

__all__ = [
    "SCHEMA",
    "ReportFiles",
    "build_report_data",
    "load_report_json",
    "render_html",
    "write_report",
]
