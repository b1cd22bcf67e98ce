"""Grouped statistics in numpy: counts and linear-interpolation percentiles per group.

pandas' groupby-quantile sorts per call; here the caller hands values already in ascending
order, so grouping is one stable integer sort (radix for small group ids) per aggregation.
"""

from __future__ import annotations

import numpy as np

QUANTILES = (0.5, 0.75, 0.9)


def _small(groups: np.ndarray) -> np.ndarray:
    """The narrowest integer type: numpy's stable sort is a radix sort up to 16 bits."""
    if len(groups) and groups.max() < np.iinfo(np.int16).max:
        return groups.astype(np.int16)
    return groups


def grouped_quantiles(
    groups: np.ndarray, values: np.ndarray, n_groups: int, qs: tuple[float, ...] = QUANTILES
) -> tuple[np.ndarray, np.ndarray]:
    """Per group: the count and the quantiles ``qs`` (NaN for empty groups).

    Fast when each group's values arrive in ascending order (one stable sort by group);
    otherwise — checked, never assumed — values are sorted within groups first.
    Percentiles interpolate linearly between order statistics, like ``numpy.percentile``'s
    default.
    """
    order = np.argsort(_small(groups), kind="stable")
    v = values[order]
    if not _ascending_within(groups[order], v):
        order = np.lexsort((values, groups))
        v = values[order]
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    out = np.full((n_groups, len(qs)), np.nan)
    has = counts > 0
    for j, q in enumerate(qs):
        pos = q * (counts[has] - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, counts[has] - 1)
        frac = pos - lo
        a, b = v[starts[has] + lo], v[starts[has] + hi]
        out[has, j] = a + frac * (b - a)
    return counts, out


def _ascending_within(groups: np.ndarray, values: np.ndarray) -> bool:
    """Whether ``values`` never decrease inside a run of equal ``groups``."""
    drops = (values[1:] < values[:-1]) & (groups[1:] == groups[:-1])
    return not drops.any()


def count(groups: np.ndarray, n_groups: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Per-group count (or sum of ``weights``) as int64."""
    w = None if weights is None else weights.astype(np.float64)
    return np.bincount(groups, weights=w, minlength=n_groups).round().astype(np.int64)


def distinct(groups: np.ndarray, labels: np.ndarray, n_groups: int, n_labels: int) -> np.ndarray:
    """Per group: how many distinct labels (0 ≤ label < n_labels) occur."""
    grid = np.bincount(groups * n_labels + labels, minlength=n_groups * n_labels)
    return (grid.reshape(n_groups, n_labels) > 0).sum(axis=1)
