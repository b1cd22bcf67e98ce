"""Rich progress bars for collection: one row per repository and resource, plus waits."""

from __future__ import annotations

import threading
from types import TracebackType

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


class RichProgress:
    """Implements :class:`opsmaturity.sources.base.Progress` on a rich live display.

    Items have no known total (forges do not always say), so each row counts up; a
    rate-limit wait shows as its own row with the seconds left, so a long pause never
    looks like a hang.
    """

    def __init__(self, console: Console | None = None) -> None:
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("[bold]{task.completed}[/] items"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[tuple[str, str], TaskID] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._bar.stop()

    def advance(self, repository: str, resource: str, count: int = 1) -> None:
        with self._lock:
            key = (repository, resource)
            if key not in self._tasks:
                self._tasks[key] = self._bar.add_task(f"{repository} · {resource}", total=None)
            self._bar.advance(self._tasks[key], count)

    def waiting(self, seconds: float, reason: str) -> None:
        self._bar.console.log(f"[yellow]waiting {seconds:.0f} s[/]: {reason}")
