"""The report: a consultancy-grade PDF plus HTML, JSON and CSV, from one typed ReportData."""

from .data import SCHEMA, Comparison, CrossCheck, ForgePair, ReportData
from .jsonfile import (
    read_previous,
    report_from_json,
    report_json,
    to_json_text,
    write_previous_quarter,
)
from .model import build_report_data
from .render import ReportFiles, render_html, write_report

__all__ = [
    "SCHEMA",
    "Comparison",
    "CrossCheck",
    "ForgePair",
    "ReportData",
    "ReportFiles",
    "build_report_data",
    "read_previous",
    "render_html",
    "report_from_json",
    "report_json",
    "to_json_text",
    "write_previous_quarter",
    "write_report",
]
