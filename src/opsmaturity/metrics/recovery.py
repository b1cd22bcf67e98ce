"""Failed deployment recovery time, rework deployments and plain incident MTTR.

Restoration of a failed deployment = the earlier of the resolution of its incidents (the
last one, when several are linked) and the finish of the repository's next deployment,
which may fall after the period. See metrics.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .deployments import History
from .failures import Failures
from .frames import Frames


@dataclass(frozen=True)
class Recovery:
    hours: np.ndarray  # per deployment: recovery hours of a failed one, NaN otherwise
    unrecovered: np.ndarray  # per deployment: failed and not yet restored
    rework: np.ndarray  # per deployment: unplanned remediation
    rework_restore: np.ndarray  # per deployment: restored service after a failure


def recovery(f: Frames, h: History, fail: Failures) -> Recovery:
    """Recovery hours per failed deployment and the rework flag of every deployment."""
    n = len(f.deps)
    finish = f.deps["finish"].to_numpy()
    failed = fail.rules != 0
    linked = fail.inc_dep >= 0
    rows = fail.inc_dep[linked]
    resolved = f.incidents["resolved"].to_numpy()[linked]
    has_inc = np.bincount(rows, minlength=n) > 0
    still_open = np.bincount(rows, weights=np.isnan(resolved), minlength=n) > 0
    last_res = np.full(n, -np.inf)
    np.maximum.at(last_res, rows, np.nan_to_num(resolved, nan=-np.inf))
    next_finish = np.where(h.next_row >= 0, finish[np.maximum(h.next_row, 0)], np.nan)
    incident_end = np.where(has_inc & ~still_open, last_res, np.nan)
    restored = np.fmin(incident_end, next_finish)
    hours = np.where(failed, np.maximum(restored - finish, 0) / 3600, np.nan)
    unrecovered = failed & np.isnan(restored)
    by_deploy = failed & (h.next_row >= 0) & ~(next_finish > incident_end)
    restore = np.zeros(n, dtype=bool)
    restore[h.next_row[by_deploy]] = True
    return Recovery(hours, unrecovered, restore | _remediation(f, h), restore)


def _remediation(f: Frames, h: History) -> np.ndarray:
    """Deployments that first shipped a rework-labelled change or a revert."""
    has_chg = h.first & (h.chg >= 0)
    rows = h.chg[has_chg]
    marked = f.changes["rework"].to_numpy()[rows] | (f.changes["reverts"].to_numpy()[rows] >= 0)
    out = np.zeros(len(f.deps), dtype=bool)
    out[f.ships["dep"].to_numpy()[has_chg][marked]] = True
    return out


def incident_mttr(f: Frames, fail: Failures, start: float, end: float) -> tuple[np.ndarray, ...]:
    """Per incident opened in the period and counted: hours to resolve (NaN if open)."""
    created = f.incidents["created"].to_numpy()
    inside = (created >= start) & (created < end) & fail.counted
    hours = np.maximum(f.incidents["resolved"].to_numpy() - created, 0) / 3600
    return inside, hours
