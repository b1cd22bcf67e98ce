"""Number formatting for people: one place, so the PDF, HTML and tests agree."""

from __future__ import annotations

from datetime import date, datetime

DASH = "—"
"""Shown for an unknown value: never a zero."""

TIER_LABELS = {"elite": "Elite", "high": "High", "medium": "Medium", "low": "Low"}


def hours(value: float | None) -> str:
    """``42 min`` under an hour, ``21.4 h`` under two days, else ``3.2 days``."""
    if value is None:
        return DASH
    if value < 1:
        return f"{value * 60:.0f} min"
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} days"


def rate(value: float | None) -> str:
    """A 0–1 fraction as a percentage with one decimal."""
    return DASH if value is None else f"{value * 100:.1f} %"


def per_week(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f} / week"


def score(value: float | None) -> str:
    """A 0–100 practice score, whole numbers: the survey is not more precise than that."""
    return DASH if value is None else f"{value:.0f}"


def count(value: int | None, noun: str) -> str:
    """``1,630 changes``; ``n unknown`` when the engine did not say."""
    if value is None:
        return f"n unknown ({noun})"
    return f"{value:,} {noun if value != 1 else noun.rstrip('s')}"


def tier(value: str | None) -> str:
    return "Not rated" if value is None else TIER_LABELS[value]


def signed(value: float | None, kind: str) -> str:
    """A delta with its sign, in the metric's own unit."""
    if value is None:
        return DASH
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    magnitude = abs(value)
    if kind == "rate":
        return f"{sign}{magnitude * 100:.1f} pp"
    if kind == "hours":
        return f"{sign}{hours(magnitude)}"
    if kind == "per_week":
        return f"{sign}{magnitude:.1f} / week"
    return f"{sign}{magnitude:.1f}"


def day(value: str | date | datetime | None) -> str:
    """``5 October 2026`` from an ISO date or timestamp."""
    if value is None:
        return DASH
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value.day} {value:%B %Y}"


def label(identifier: str) -> str:
    """``lead_time_for_changes`` → ``Lead time for changes``: for ids without a name."""
    text = identifier.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]
