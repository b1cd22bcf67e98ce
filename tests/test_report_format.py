"""Number formatting for people: unknown is a dash, never zero; units read naturally."""

from __future__ import annotations

import pytest

from opsmaturity.report import format as fmt


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "—"), (0.0, "0 min"), (0.25, "15 min"), (1.0, "1.0 h"), (47.94, "47.9 h"),
     (48.0, "2.0 days"), (66.3, "2.8 days")],
)  # fmt: skip
def test_hours(value: float | None, text: str) -> None:
    assert fmt.hours(value) == text


@pytest.mark.parametrize(
    ("value", "text"), [(None, "—"), (0.0, "0.0 %"), (0.05465, "5.5 %"), (1.0, "100.0 %")]
)
def test_rate(value: float | None, text: str) -> None:
    assert fmt.rate(value) == text


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [(None, "rate", "—"), (-0.0153, "rate", "−1.5 pp"), (0.0029, "rate", "+0.3 pp"),
     (0.0, "score", "±0.0"), (-2.58, "hours", "−2.6 h"), (0.85, "hours", "+51 min"),
     (-0.18, "per_week", "−0.2 / week"), (4.8, "score", "+4.8")],
)  # fmt: skip
def test_signed_deltas(value: float | None, kind: str, text: str) -> None:
    assert fmt.signed(value, kind) == text


@pytest.mark.parametrize(
    ("value", "noun", "text"),
    [(1630, "changes", "1,630 changes"), (1, "deployments", "1 deployment"),
     (0, "changes", "0 changes"), (None, "changes", "n unknown (changes)")],
)  # fmt: skip
def test_counts(value: int | None, noun: str, text: str) -> None:
    assert fmt.count(value, noun) == text


def test_tiers_and_days() -> None:
    assert [fmt.tier(t) for t in ("elite", "low", None)] == ["Elite", "Low", "Not rated"]
    assert fmt.day("2026-10-05T09:00:00+00:00") == "5 October 2026"
    assert fmt.label("lead_time_for_changes") == "Lead time for changes"
    assert fmt.per_week(51.51) == "51.5 / week" and fmt.score(62.8) == "63"
