"""Scopes — organization, teams, repositories — and which rows belong to each.

A membership is a pair of arrays (scope id, row): a row belongs to the organization, to its
repository and to every team that claims it. Teams claim whole repositories (globs), or,
in a monorepo (``Team.paths``), only the changes touching their paths and the deployments
that shipped at least one of those changes.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..config import Team


@dataclass(frozen=True)
class ScopeIndex:
    kinds: list[str]  # per scope id: organization, team or repository
    names: list[str]
    n_teams: int
    repo_sid: np.ndarray  # per repository code: its scope id, or -1 when not a scope
    team_of: np.ndarray  # plain (repo code, team sid) pairs, sorted by repo code
    mono: dict[int, dict[int, list[str]]]  # team sid → repo code → path globs

    @property
    def n(self) -> int:
        return len(self.kinds)


def _matcher(globs: list[str]) -> re.Pattern[str]:
    """One regex for a list of globs (fnmatch semantics, case-sensitive)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs) or "(?!)")


def team_repos(names: list[str], teams: Mapping[str, Team]) -> list[tuple[str, np.ndarray]]:
    """Per team: the bool mask of repositories it claims, wholly or by paths."""
    out = []
    for team_name, team in teams.items():
        rx = _matcher(team.repositories)
        mask = np.array([bool(rx.match(n)) or n in team.paths for n in names], dtype=bool)
        out.append((team_name, mask))
    return out


def scope_index(
    names: list[str],
    teams: Mapping[str, Team],
    repo_scopes: np.ndarray,
    organization: str = "organization",
) -> ScopeIndex:
    """Organization first, then teams in config order, then repositories by name."""
    team_names = list(teams)
    kinds = ["organization"] + ["team"] * len(team_names)
    labels = [organization, *team_names]
    repo_sid = np.full(len(names), -1, dtype=np.int32)
    for code in np.flatnonzero(repo_scopes):
        repo_sid[code] = len(kinds)
        kinds.append("repository")
        labels.append(names[code])
    pairs: list[tuple[int, int]] = []
    mono: dict[int, dict[int, list[str]]] = {}
    lookup = {n: k for k, n in enumerate(names)}
    for t, team in enumerate(teams.values(), start=1):
        mono[t] = {lookup[r]: globs for r, globs in team.paths.items() if r in lookup}
        rx = _matcher(team.repositories)
        pairs += [(code, t) for code, n in enumerate(names) if code not in mono[t] and rx.match(n)]
    team_of = np.array(sorted(pairs), dtype=np.int32).reshape(-1, 2)
    return ScopeIndex(kinds, labels, len(team_names), repo_sid, team_of, mono)


def path_claims(
    index: ScopeIndex, chg_repo: np.ndarray, paths: np.ndarray | None
) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Per monorepo team: which change rows it claims; and rows that have no paths at all."""
    claims: dict[int, np.ndarray] = {}
    no_paths = np.zeros(len(chg_repo), dtype=bool)
    for sid, repos in index.mono.items():
        if not repos:
            continue
        claim = np.zeros(len(chg_repo), dtype=bool)
        for code, globs in repos.items():
            rx = _matcher(globs)
            for row in np.flatnonzero(chg_repo == code):
                files = () if paths is None else paths[row]
                no_paths[row] |= not files
                claim[row] = bool(files) and any(map(rx.match, files))
        claims[sid] = claim
    return claims, no_paths


def _team_pairs(
    index: ScopeIndex, repo: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(team sid, row) for teams that claim whole repositories."""
    codes, teams = index.team_of[:, 0], index.team_of[:, 1]
    cnt = np.bincount(codes, minlength=len(index.repo_sid))
    if cnt.max(initial=0) <= 1:  # the usual case: a repository belongs to one team at most
        team_of = np.full(len(index.repo_sid), -1, dtype=np.int32)
        team_of[codes] = teams
        sid = team_of[repo]
        keep = sid >= 0
        return sid[keep], rows[keep]
    start = np.cumsum(cnt) - cnt
    rep = cnt[repo]
    r = np.repeat(rows, rep)
    offs = np.arange(len(r)) - np.repeat(np.cumsum(rep) - rep, rep)
    return teams[start[repo[r]] + offs], r


def members(
    index: ScopeIndex,
    repo: np.ndarray,
    claimed: dict[int, np.ndarray],
    *,
    repositories: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """(scope id, row) pairs for rows with repository codes ``repo``, in row order per scope.

    ``claimed`` gives, per monorepo team, which rows it claims. Each scope's rows keep their
    input order, which lets callers pre-sort rows by value for the percentiles.
    """
    rows = np.arange(len(repo), dtype=np.int32)  # half the memory of int64
    sids, out_rows = [np.zeros(len(repo), dtype=np.int32)], [rows]
    if index.n_teams:
        sid, r = _team_pairs(index, repo, rows)
        mixed = _mixed(index, claimed)
        keep = ~np.isin(sid, list(mixed))
        sids.append(sid[keep])
        out_rows.append(r[keep])
        for team, claim in claimed.items():
            picked = rows[np.isin(repo, list(index.mono[team])) & claim]
            if team in mixed:  # its repositories' rows and its path rows, merged in order
                picked = np.sort(np.concatenate([r[sid == team], picked]))
            sids.append(np.full(len(picked), team, dtype=np.int32))
            out_rows.append(picked)
    if repositories:
        sid = index.repo_sid[repo]
        keep = sid >= 0
        sids.append(sid[keep])
        out_rows.append(rows[keep])
    return np.concatenate(sids), np.concatenate(out_rows)


def _mixed(index: ScopeIndex, claimed: dict[int, np.ndarray]) -> set[int]:
    """Teams that claim both whole repositories and monorepo paths: their rows come from
    two places and must be merged to stay in input order."""
    whole = set(index.team_of[:, 1].tolist())
    return {team for team in claimed if team in whole}
