"""Checks on every aggregate before it becomes a figure: an impossible number (a median
above its p90, a percentile without values, a rate above 1) is a bug in this tool, raised
as :class:`MetricsInvariantError`, never printed in a report.
"""

from __future__ import annotations

import numpy as np

from ..errors import OpsMaturityError

_PERCENTILES = {
    "lt": ("lt_median", "lt_p75", "lt_p90"),
    "fdrt": ("fdrt_median", "fdrt_p90"),
    "mttr": ("mttr_median", "mttr_p90"),
}
_PARTS = (("failed", "deployments"), ("rework", "deployments"), ("deployment_days", "deployments"))
_ADDITIVE = ("deployments", "failed", "lt_n", "fdrt_n", "mttr_n")
_TOLERANCE = 1e-9  # interpolation between equal neighbours may differ in the last bit


class MetricsInvariantError(OpsMaturityError):
    """An internal error: the engine produced a figure that cannot be true."""

    exit_code = 70  # EX_SOFTWARE


def check_aggregates(arrays: dict[str, np.ndarray], names: list[str]) -> None:
    """Percentiles in order and present exactly when there are values; parts within wholes.
    ``names`` labels each group for the message."""
    for metric, keys in _PERCENTILES.items():
        n = arrays[f"{metric}_n"]
        values = np.column_stack([arrays[k] for k in keys])
        known = ~np.isnan(values)
        bad = (n < 0) | np.any(known != (n > 0)[:, None], axis=1)
        steps = np.diff(values, axis=1)
        slack = _TOLERANCE * np.maximum(1.0, np.abs(values[:, 1:]))
        bad |= np.any(steps < -slack, axis=1)  # NaN compares False: empty groups pass here
        _raise(bad, names, f"{', '.join(keys)} out of order or not matching n", arrays, keys)
    for part, whole in _PARTS:
        bad = (arrays[part] < 0) | (arrays[part] > arrays[whole])
        _raise(bad, names, f"{part} above {whole}", arrays, (part, whole))


def check_trend(
    scope_arrays: dict[str, np.ndarray], trend_arrays: dict[str, np.ndarray], n_scopes: int
) -> None:
    """Organization and team totals equal the sum of their buckets (every row falls in
    exactly one bucket of the period)."""
    for key in _ADDITIVE:
        per_bucket = trend_arrays[key].reshape(n_scopes, -1).sum(axis=1)
        bad = per_bucket != scope_arrays[key][:n_scopes]
        if bad.any():
            sid = int(np.flatnonzero(bad)[0])
            raise MetricsInvariantError(
                f"internal error: scope {sid}'s {key} is {int(scope_arrays[key][sid])} but its "
                f"trend buckets sum to {int(per_bucket[sid])}; please report this"
            )


def _raise(
    bad: np.ndarray,
    names: list[str],
    what: str,
    arrays: dict[str, np.ndarray],
    keys: tuple[str, ...],
) -> None:
    if not bad.any():
        return
    g = int(np.flatnonzero(bad)[0])
    label = names[g] if g < len(names) else f"group {g}"
    shown = ", ".join(f"{k}={arrays[k][g]:.6g}" for k in keys)
    raise MetricsInvariantError(
        f"internal error: {label}: {what} ({shown}); no figure is reported, please report this"
    )
