from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from opsmaturity.period import Period


@pytest.mark.parametrize(
    ("text", "start", "end", "days"),
    [
        ("2026Q1", date(2026, 1, 1), date(2026, 3, 31), 90),
        ("2024Q1", date(2024, 1, 1), date(2024, 3, 31), 91),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), 92),
        ("2026q4", date(2026, 10, 1), date(2026, 12, 31), 92),
    ],
)
def test_quarters(text: str, start: date, end: date, days: int) -> None:
    period = Period.quarter(text)
    assert (period.start, period.end, period.days) == (start, end, days)


def test_labels_and_previous() -> None:
    assert Period.quarter("2026Q1").label == "2026Q1"
    assert Period.quarter("2026Q1").previous() == Period.quarter("2025Q4")
    custom = Period(date(2026, 8, 1), date(2026, 8, 14))
    assert custom.label == "2026-08-01 – 2026-08-14"
    assert custom.previous() == Period(date(2026, 7, 18), date(2026, 7, 31))


def test_bounds_in_a_zone() -> None:
    period = Period.quarter("2026Q3")
    assert period.start_at("Europe/Berlin") == datetime(2026, 6, 30, 22, tzinfo=UTC)
    assert period.contains(datetime(2026, 9, 30, 21, 59, tzinfo=UTC), "Europe/Berlin")
    assert not period.contains(datetime(2026, 9, 30, 22, 0, tzinfo=UTC), "Europe/Berlin")


def test_invalid() -> None:
    with pytest.raises(ValueError):
        Period(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(ValueError):
        Period.quarter("Q3 2026")
