"""Offset/page pagination shared by the fakes; each forge formats its own headers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of ``total`` items; pages count from 1."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.last_page else None

    @property
    def prev_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None


def paginate(items: Sequence[T], page: int, per_page: int) -> Page[T]:
    """Slice ``items`` into page ``page`` of ``per_page``."""
    start = (page - 1) * per_page
    return Page(list(items[start : start + per_page]), page, per_page, len(items))


def page_args(query: dict[str, list[str]], default: int, maximum: int) -> tuple[int, int]:
    """``(page, per_page)`` from a query; bad values fall back, per_page is capped."""

    def number(name: str, fallback: int) -> int:
        try:
            return int(query.get(name, [""])[0])
        except ValueError:
            return fallback

    page = max(1, number("page", 1))
    per_page = number("per_page", default)
    return page, (default if per_page < 1 else min(per_page, maximum))


def link_header(rels: dict[str, int | None], url_for: Callable[[int], str]) -> str | None:
    """``<url>; rel="next", <url>; rel="last"`` — the exact separators clients split on."""
    parts = [f'<{url_for(page)}>; rel="{rel}"' for rel, page in rels.items() if page is not None]
    return ", ".join(parts) or None
