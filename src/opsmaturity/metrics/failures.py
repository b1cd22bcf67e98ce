"""Which deployments failed, and by which rule: incident, rollback, revert, hotfix.

Rules are bits so a deployment marked by several keeps them all; see metrics.yaml for the
exact definitions. Rules run over every known deployment, not only the period's, because
the rework rate needs failures just before the period too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import MetricsOptions, Team
from .deployments import History
from .frames import Frames, norm_severity

RULES = {"incident": 1, "rollback": 2, "revert": 4, "hotfix": 8}


@dataclass(frozen=True)
class Failures:
    rules: np.ndarray  # int8 bits per deployment
    inc_dep: np.ndarray  # per incident: deployment row it marks, or -1
    counted: np.ndarray  # per incident: passes the severity filter
    no_severity: np.ndarray  # per incident: left out because its severity is unknown


def rule_names(bits: int) -> tuple[str, ...]:
    return tuple(name for name, bit in RULES.items() if bits & bit)


def incident_groups(f: Frames, teams: Mapping[str, Team], scope: str) -> np.ndarray:
    """Group id per repository code: itself, or its first team when incident_scope=team."""
    groups = np.arange(len(f.repo_names))
    if scope == "team":
        from .scopes import team_repos

        for t, (_, repos) in enumerate(team_repos(f.repo_names, teams)):
            free = repos & (groups < len(f.repo_names))
            groups[free] = len(f.repo_names) + t
    return groups


def find_failures(
    f: Frames, h: History, options: MetricsOptions, teams: Mapping[str, Team]
) -> Failures:
    """Apply the configured failure rules to every deployment."""
    counted, no_severity = _severity(f, options)
    inc_dep = _link_incidents(f, h, incident_groups(f, teams, options.incident_scope), counted)
    n = len(f.deps)
    rules = np.zeros(n, dtype=np.int8)
    wanted = set(options.failure_rules)
    if "incident" in wanted:
        rules[inc_dep[inc_dep >= 0]] |= RULES["incident"]
    if "rollback" in wanted:
        rules[_rollbacks(f, h)] |= RULES["rollback"]
    if "revert" in wanted:
        rules[_reverted(f, h)] |= RULES["revert"]
    if "hotfix" in wanted:
        rules[_hotfixed(f, h, options.hotfix_window_hours)] |= RULES["hotfix"]
    return Failures(rules, inc_dep, counted, no_severity)


def _severity(f: Frames, options: MetricsOptions) -> tuple[np.ndarray, np.ndarray]:
    sev = f.incidents["severity"].to_numpy()
    if options.severities is None:
        return np.ones(len(sev), dtype=bool), np.zeros(len(sev), dtype=bool)
    allowed = {norm_severity(s) for s in options.severities}
    missing = pd.isna(sev)  # pandas stores None as NaN in a string column
    counted = np.array([s in allowed for s in sev], dtype=bool) & ~missing
    return counted, missing


def _link_incidents(f: Frames, h: History, groups: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """The deployment the incident names, else the one that first shipped the commit it
    names, else the group's latest deployment finished at or before the second it was
    opened: a deployment owns [its finish, the next finish), so an incident opened the
    very second a rollout completes is that rollout's, not the previous one's."""
    inc = f.incidents
    out = inc["linked_dep"].to_numpy().copy()
    linked = inc["linked_key"].to_numpy()
    by_sha = (out < 0) & (linked >= 0)
    out[by_sha] = h.first_dep[linked[by_sha]]
    todo = np.flatnonzero(out < 0)
    if len(todo) and len(f.deps):
        left = pd.DataFrame(
            {"g": groups[inc["repo"].to_numpy()[todo]], "t": inc["created"].to_numpy()[todo]}
        )
        left["i"] = todo
        right = pd.DataFrame(
            {"g": groups[f.deps["repo"].to_numpy()], "t": f.deps["finish"].to_numpy()}
        )
        right["row"] = np.arange(len(right))
        merged = pd.merge_asof(
            left.sort_values("t", kind="stable"),
            right.sort_values("t", kind="stable"),
            on="t",
            by="g",
            allow_exact_matches=True,
        )
        found = merged["row"].notna().to_numpy()
        out[merged["i"].to_numpy()[found]] = merged["row"].to_numpy()[found].astype(np.int64)
    out[~counted] = -1
    return out


def _rollbacks(f: Frames, h: History) -> np.ndarray:
    """Rows whose next deployment ships a commit already seen before, not their own head."""
    k = np.flatnonzero(h.has_prev)
    heads = f.deps["head"].to_numpy()
    back = (heads[k] != heads[k - 1]) & (h.seen[k] <= k - 1)
    return k[back] - 1


def _reverted(f: Frames, h: History) -> np.ndarray:
    """Rows that first shipped a commit a later-deployed change reverts."""
    reverts = f.changes["reverts"].to_numpy()
    rows = np.flatnonzero(reverts >= 0)
    d_by = h.first_dep[f.changes["key"].to_numpy()[rows]]
    d_target = h.first_dep[reverts[rows]]
    ok = (d_by >= 0) & (d_target >= 0) & (d_by > d_target)
    return d_target[ok]


def _hotfixed(f: Frames, h: History, window_hours: float) -> np.ndarray:
    """Rows whose next deployment, within the window, first ships a hotfix-labelled change."""
    ship_dep = f.ships["dep"].to_numpy()
    has_chg = h.first & (h.chg >= 0)
    hot = np.zeros(len(f.deps), dtype=bool)
    rows = ship_dep[has_chg]
    hot[rows[f.changes["hotfix"].to_numpy()[h.chg[has_chg]]]] = True
    k = np.flatnonzero(hot & h.has_prev)
    finish = f.deps["finish"].to_numpy()
    return k[finish[k] - finish[k - 1] <= window_hours * 3600] - 1
