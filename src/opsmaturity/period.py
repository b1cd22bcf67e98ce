"""Reporting periods: calendar dates, inclusive at both ends, turned into instants in a zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period from ``start`` to ``end``, both dates included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def quarter(cls, text: str) -> Period:
        """Parse ``2026Q3`` (also ``2026-Q3``) into that calendar quarter."""
        match = _QUARTER.match(text.strip())
        if not match:
            raise ValueError(f"expected a quarter like '2026Q3', got {text!r}")
        year, q = int(match[1]), int(match[2])
        start = date(year, 3 * q - 2, 1)
        nxt = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
        return cls(start, nxt - timedelta(days=1))

    @property
    def days(self) -> int:
        """Calendar days in the period, inclusive: a quarter has 90-92."""
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """``2026Q3`` for a calendar quarter, else ``2026-07-01 – 2026-08-15``."""
        q = (self.start.month - 1) // 3 + 1
        if self.start.day == 1 and self.start.month == 3 * q - 2:
            try:
                if Period.quarter(f"{self.start.year}Q{q}") == self:
                    return f"{self.start.year}Q{q}"
            except ValueError:  # pragma: no cover - start is always a valid quarter here
                pass
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def start_at(self, tz: str = "UTC") -> datetime:
        """First instant of the period in time zone ``tz``."""
        return datetime.combine(self.start, time(), ZoneInfo(tz))

    def end_at(self, tz: str = "UTC") -> datetime:
        """First instant *after* the period in ``tz`` (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time(), ZoneInfo(tz))

    def contains(self, instant: datetime, tz: str = "UTC") -> bool:
        """Whether an aware instant falls inside the period in ``tz``."""
        return self.start_at(tz) <= instant < self.end_at(tz)

    def previous(self) -> Period:
        """The period just before this one: the previous quarter for a quarter."""
        label = self.label
        if "Q" in label and len(label) == 6:
            year, q = int(label[:4]), int(label[5])
            return Period.quarter(f"{year - (q == 1)}Q{4 if q == 1 else q - 1}")
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)
