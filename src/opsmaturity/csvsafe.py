"""CSV cells a spreadsheet will not run: OWASP's defence against CSV (formula) injection.

A team name such as ``=HYPERLINK("http://…","x")`` from an answers file or a config would
run as a formula when a leader opens the export in Excel or Sheets. Every text cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``,
which spreadsheets show as text; numbers are left alone (a negative delta stays a number).
See https://owasp.org/www-community/attacks/CSV_Injection.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: First characters that make a spreadsheet treat a cell as a formula.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with a leading ``'`` when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
