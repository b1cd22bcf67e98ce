"""Where the tool writes: check an ``--out`` location before the work, in one clear line.

A report takes seconds to build; finding out afterwards that its folder is read-only, sits
under a regular file or under ``/proc``, or that ``--out`` names an existing folder, used to
end in a traceback. These checks run first and name the option, the path and the reason.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputError


def writable_file(path: Path, option: str = "--out") -> Path:
    """``path`` can be created or replaced as a file (its folder is made if missing)."""
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a folder; give a file name inside it")
    writable_folder(path.parent, option, shown=path)
    return path


def writable_folder(folder: Path, option: str = "--out", shown: Path | None = None) -> Path:
    """``folder`` exists (made if missing) and a file can be created in it."""
    shown = shown or folder
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise OutputError(f"{option} {shown}: {existing} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # a real write, not os.access: root passes access checks on a read-only filesystem
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OutputError(f"{option} {shown}: cannot write in {folder}: {_why(exc)}") from None
    return folder


def _why(exc: OSError) -> str:
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return "a part of the path is a file, not a folder"
    return exc.strerror or os.strerror(exc.errno or 0) or "not writable"
