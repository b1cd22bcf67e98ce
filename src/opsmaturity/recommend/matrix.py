"""The decision matrix: each dimension's signed, weighted amount for each model, and a ranking.

Pure functions of the rule book and the readings, so the what-if search can re-run them with
one reading changed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .rules import Dimension, RuleBook

Value = float | str | None
Cells = dict[str, dict[str, float]]
"""model id -> dimension id -> weighted amount (0.0 where the dimension has no data)."""


def amount(dim: Dimension, model: str, value: Value) -> float:
    """The unweighted amount ``dim`` gives ``model`` for a reading (0 for no data)."""
    effect = dim.models.get(model)
    if effect is None or value is None:
        return 0.0
    if dim.kind == "categorical":
        assert isinstance(effect.amounts, dict)
        return effect.amounts.get(str(value), 0.0)
    if dim.kind == "anchored":
        assert isinstance(effect.amounts, tuple) and dim.anchors is not None
        return _log_interpolate(float(value), dim.anchors, effect.amounts)
    assert effect.coefficient is not None
    return effect.coefficient * float(value)


def _log_interpolate(x: float, anchors: tuple[float, ...], ys: tuple[float, ...]) -> float:
    """Linear between anchors on a log scale; flat beyond the first and last anchor."""
    if x <= anchors[0]:
        return ys[0]
    points = list(zip(anchors, ys, strict=True))
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x <= x1:
            t = (math.log(x) - math.log(x0)) / (math.log(x1) - math.log(x0))
            return y0 + t * (y1 - y0)
    return ys[-1]


def cells(book: RuleBook, values: Mapping[str, Value]) -> Cells:
    """Every model's weighted amount from every dimension."""
    return {
        m.id: {d.id: d.weight * amount(d, m.id, values.get(d.id)) for d in book.dimensions}
        for m in book.models
    }


def ranking(book: RuleBook, table: Cells) -> list[tuple[str, float]]:
    """Models by fit score, best first; an exact tie goes to the model listed first."""
    order = {m.id: i for i, m in enumerate(book.models)}
    fits = [(m, round(sum(row.values()), 9)) for m, row in table.items()]
    return sorted(fits, key=lambda mf: (-mf[1], order[mf[0]]))


def leader(book: RuleBook, values: Mapping[str, Value]) -> str:
    """The top model for these readings."""
    return ranking(book, cells(book, values))[0][0]
