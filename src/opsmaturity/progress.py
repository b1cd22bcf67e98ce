"""Rich progress bars: collection (a row per repository and resource, plus waits) and
counted steps such as packing records for the metrics."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from .tokens import ScrubFilter


class RichProgress:
    """Implements :class:`opsmaturity.sources.base.Progress` on a rich live display.

    Items have no known total (forges do not always say), so each row counts up; a
    rate-limit wait shows as its own row with the seconds left, so a long pause never
    looks like a hang.
    """

    def __init__(self, console: Console | None = None) -> None:
        self._bar = Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            TextColumn("[bold]{task.completed}[/] items"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[tuple[str, str], TaskID] = {}
        self._wait_task: TaskID | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with self._lock:
            for task in self._tasks.values():  # items had no known total: done is done
                self._bar.update(task, total=self._bar.tasks[task].completed or 1)
            if self._wait_task is not None:
                self._bar.remove_task(self._wait_task)
        self._bar.stop()

    def advance(self, repository: str, resource: str, count: int = 1) -> None:
        with self._lock:
            key = (repository, resource)
            if key not in self._tasks:
                self._tasks[key] = self._bar.add_task(f"{repository} · {resource}", total=None)
            self._bar.advance(self._tasks[key], count)

    def waiting(self, seconds: float, reason: str) -> None:
        """Show the latest wait as its own row, so the pause is visible, not a hang."""
        text = f"[yellow]waiting {seconds:.0f} s[/] · {escape(reason)}"
        with self._lock:
            if self._wait_task is None:
                self._wait_task = self._bar.add_task(text, total=None)
            else:
                self._bar.update(self._wait_task, description=text)


@contextmanager
def step_bar(console: Console, description: str) -> Iterator[Callable[[int, int], None]]:
    """A bar for one counted step, gone when it ends (the caller says what was done);
    yields the ``(done, total)`` callback that moves it."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task(description, total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)


def configure_logging(console: Console, level: int = logging.INFO) -> None:
    """Route the tool's log lines (detection per repository, retries) through rich."""
    logger = logging.getLogger("opsmaturity")
    if not any(isinstance(h, RichHandler) for h in logger.handlers):
        handler = RichHandler(console=console, show_path=False, show_time=False, markup=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.addFilter(ScrubFilter())  # a token never reaches the terminal
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
