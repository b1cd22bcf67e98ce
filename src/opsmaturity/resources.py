"""Where the bundled defaults live: in the wheel, or at the top of a source checkout.

The top-level ``templates/`` and ``questionnaires/`` folders are force-included into the
wheel as ``opsmaturity/_data/...``; an editable install or PYTHONPATH=src run finds them
at the repository root instead.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled folder {name!r} not found; is the installation complete?")


def templates_dir() -> Path:
    """Default Jinja2 report templates and their assets (CSS, fonts)."""
    return _bundled("templates")


def questionnaires_dir() -> Path:
    """Default questionnaire YAML files (sysops, devops, sre, culture, netops)."""
    return _bundled("questionnaires")


def data_dir() -> Path:
    """Package data: DORA benchmark tables, metric definitions, recommendation rules."""
    return _PACKAGE / "data"
