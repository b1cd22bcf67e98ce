"""Which files ``--answers`` means: files, folders and glob patterns, expanded in a stable order.

People keep answers as one file per respondent in a folder, and shells differ in whether
they expand ``answers/*.yaml`` before we see it, so a folder or a quoted pattern must work
as well as a list of files. A pattern or folder that finds nothing is an error, because a
report built from no answers when some were meant is worse than a clear stop.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from ..errors import AnswersError

ANSWER_SUFFIXES = (".yaml", ".yml", ".csv")
_GLOB_CHARS = set("*?[")


def expand_answer_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Every answers file named by ``paths``, each once, in the order given (folders sorted)."""
    found: list[Path] = []
    for raw in paths:
        text = str(raw)
        if _GLOB_CHARS & set(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                raise AnswersError(f"{text}: no answers file matches this pattern")
            found.extend(files)
        elif Path(text).is_dir():
            files = sorted(
                p
                for p in Path(text).iterdir()
                if p.is_file()
                and p.suffix.lower() in ANSWER_SUFFIXES
                and not p.name.startswith(".")
            )
            if not files:
                raise AnswersError(f"{text}: folder holds no answers files (*.yaml, *.yml, *.csv)")
            found.extend(files)
        else:
            found.append(Path(text))
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path.resolve() if path.exists() else path, None)
    return [p for p in unique]
