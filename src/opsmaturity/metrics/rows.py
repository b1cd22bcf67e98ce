"""The rows behind every figure: each deployment, change and incident the metrics read,
whether it counts and, if not, why, and the scopes it belongs to (docs/metrics.md).

Values (lead times, recovery hours, failure rules) come from the engine's own state, so
the rows are what the figures were computed from. Scope membership is decided here again,
record by record with plain ``fnmatch``, not by the engine's vectorised grouping: the rows
recompute every figure independently of it (``tests/test_metrics_rows.py``).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import MetricsOptions, Team
from ..csvsafe import safe_cell
from ..period import Period
from .deployments import bucket_starts, local_days
from .engine import Bucket, EngineState, engine_state
from .failures import rule_names
from .frames import Frames, strings
from .leadtime import BOT, LOOKBACK, MISSING

SEP = ";"  # between the names of several teams or rules in one cell
REASONS = {
    "period": "outside the period",
    "shipped_outside": "first shipped outside the period",
    "not_shipped": "not shipped to production",
    BOT: "bot work",
    MISSING: "no change record",
    LOOKBACK: "before the look-back",
    "same_pr": "same pull request, counted once",
    "severity": "severity not counted",
    "no_severity": "no severity",
    "open": "still open",
}


@dataclass(frozen=True)
class MetricRows:
    """``deployments``, ``changes`` and ``incidents`` tables; columns in docs/metrics.md."""

    deployments: pd.DataFrame
    changes: pd.DataFrame
    incidents: pd.DataFrame

    def write(self, directory: Path, prefix: str = "") -> list[Path]:
        """``deployments.csv``, ``changes.csv`` and ``incidents.csv`` in ``directory``,
        each name after ``prefix`` (a report writes them beside its own files)."""
        directory.mkdir(parents=True, exist_ok=True)
        out = []
        for name in ("deployments", "changes", "incidents"):
            path = directory / f"{prefix}{name}.csv"
            _spreadsheet_safe(getattr(self, name)).to_csv(path, index=False)
            out.append(path)
        return out


def _spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula (a change title ``=HYPERLINK(…)``)
    quoted, per :mod:`..csvsafe`; numbers and times untouched."""
    text = [
        c
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    ]
    if not text:
        return frame
    return frame.assign(**{str(c): frame[c].map(safe_cell) for c in text})


def metric_rows(
    f: Frames,
    *,
    teams: Mapping[str, Team],
    period: Period,
    options: MetricsOptions,
    trend_bucket: Bucket = "month",
    organization: str = "organization",
) -> MetricRows:
    """The three tables for the period, from the same frames as the figures."""
    st = engine_state(f, teams=teams, period=period, options=options, organization=organization)
    claims = _Claims(f, teams)
    buckets = _Buckets(period, options.timezone, trend_bucket)
    dep_teams = _deployment_teams(f, st, claims)
    return MetricRows(
        deployments=_deployments(f, st, buckets, claims, dep_teams, organization),
        changes=_changes(f, st, options, buckets, claims, organization),
        incidents=_incidents(f, st, period, options, buckets, dep_teams, claims, organization),
    )


class _Claims:
    """Which teams a record belongs to, decided per record: a team claims a repository it
    names (glob) unless it lists paths for it; then only the changes touching its paths."""

    def __init__(self, f: Frames, teams: Mapping[str, Team]) -> None:
        self.f, self.teams = f, teams
        self.paths = f.paths
        self.monorepos = {repo for t in teams.values() for repo in t.paths}
        self._whole: dict[str, list[str]] = {}

    def whole(self, repo: str) -> list[str]:
        if repo not in self._whole:  # the same for every record of the repository
            self._whole[repo] = [
                name
                for name, t in self.teams.items()
                if repo not in t.paths and any(fnmatch.fnmatchcase(repo, g) for g in t.repositories)
            ]
        return self._whole[repo]

    def by_paths(self, repo: str, chg_row: int) -> list[str]:
        if repo not in self.monorepos:
            return []
        files = () if self.paths is None or chg_row < 0 else self.paths[chg_row]
        return [
            name
            for name, t in self.teams.items()
            if repo in t.paths
            and any(fnmatch.fnmatchcase(p, g) for p in files for g in t.paths[repo])
        ]

    def ordered(self, names: set[str]) -> str:
        return SEP.join(n for n in self.teams if n in names)


class _Buckets:
    """Local dates and the trend bucket (first day, clipped to the period) of instants."""

    def __init__(self, period: Period, tz: str, kind: str) -> None:
        self.start, self.tz, self.kind = np.datetime64(period.start.isoformat(), "D"), tz, kind

    def of(self, seconds: np.ndarray) -> tuple[list[str], list[str]]:
        if not len(seconds):
            return [], []
        days = local_days(np.nan_to_num(seconds), self.tz)
        first = np.maximum(bucket_starts(days, self.kind), self.start)
        return [str(d) for d in days], [str(b) for b in first]


def _isos(seconds: np.ndarray) -> list[str | None]:
    """ISO 8601 UTC instants (``…Z``) of epoch seconds; None for NaN. Vectorised: the
    tables hold one or two per record."""
    seconds = np.asarray(seconds, dtype=np.float64)
    micros = np.round(np.nan_to_num(seconds) * 1e6).astype("datetime64[us]")
    text = np.datetime_as_string(micros, timezone="UTC").tolist()
    return [
        None if missing else t for t, missing in zip(text, np.isnan(seconds).tolist(), strict=True)
    ]


def _hours(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _deployment_teams(f: Frames, st: EngineState, claims: _Claims) -> list[set[str]]:
    """Per deployment row: its repository's teams, and the path teams of the changes it
    first shipped."""
    names = f.repo_names
    repo = f.deps["repo"].to_numpy().tolist()
    out = [set(claims.whole(names[r])) for r in repo]
    h = st.history
    ship_dep = f.ships["dep"].to_numpy()
    for row in np.flatnonzero(h.first & (h.chg >= 0)).tolist():
        d, c = int(ship_dep[row]), int(h.chg[row])
        out[d].update(claims.by_paths(names[repo[d]], c))
    return out


def _deployments(
    f: Frames,
    st: EngineState,
    buckets: _Buckets,
    claims: _Claims,
    dep_teams: list[set[str]],
    organization: str,
) -> pd.DataFrame:
    d = f.deps
    finish = d["finish"].to_numpy()
    counts = st.in_period
    day, bucket = buckets.of(finish)
    rules = st.fail.rules
    recovered = st.rec.hours
    return pd.DataFrame(
        {
            "source": None,
            "repository": [f.repo_names[r] for r in d["repo"].tolist()],
            "environment": d["env"].tolist(),
            "id": d["id"].tolist(),
            "sha": [f.shas[k] for k in d["head"].tolist()],
            "finished_at": _isos(finish),
            "local_date": day,
            "counts": counts,
            "reason": ["" if c else REASONS["period"] for c in counts.tolist()],
            "changes": d["n_changes"].to_numpy(),
            "failed": rules != 0,
            "failure_rules": [SEP.join(rule_names(int(b))) for b in rules.tolist()],
            "recovery_hours": [_hours(x) for x in recovered.tolist()],
            "unrecovered": st.rec.unrecovered,
            "rework": st.rec.rework,
            "bucket": [b if c else "" for b, c in zip(bucket, counts.tolist(), strict=True)],
            "organization": organization,
            "teams": [claims.ordered(t) for t in dep_teams],
        }
    )


def _changes(
    f: Frames,
    st: EngineState,
    options: MetricsOptions,
    buckets: _Buckets,
    claims: _Claims,
    organization: str,
) -> pd.DataFrame:
    """One row per change record, then one per shipped commit without a record."""
    c, h, lt = f.changes, st.history, st.lt
    n = len(c)
    repo = [f.repo_names[r] for r in c["repo"].tolist()]
    keys = c["key"].to_numpy()
    first_dep = h.first_dep[keys] if n else np.zeros(0, np.int64)
    pr = c["pr"].to_numpy() if "pr" in c else np.full(n, -1)
    unit: list[tuple[object, ...]] = [
        (repo[k], int(pr[k])) if pr[k] >= 0 else (k,) for k in range(n)
    ]
    reason: list[object] = [
        "not_shipped" if first_dep[k] < 0 else "shipped_outside" for k in range(n)
    ]
    # the engine leaves bot work out of every value, a pull request's included, whenever it
    # shipped; the reason says so of the period's changes (earlier ones are outside it)
    bots = c["bot"].to_numpy(dtype=bool) if options.exclude_bots else np.zeros(n, dtype=bool)
    if options.exclude_bots:
        bot = bots & (first_dep >= 0)
        bot[bot] = st.in_period[first_dep[bot]]
        reason = [BOT if bot[k] else reason[k] for k in range(n)]
    value = {
        row: (hours, d, skew)
        for row, hours, d, skew in zip(
            lt.chg.tolist(), lt.hours.tolist(), lt.dep.tolist(), lt.skew.tolist(), strict=True
        )
    }
    unit_state: dict[tuple[object, ...], object] = {unit[row]: "same_pr" for row in value}
    for row, why in zip(lt.out_chg.tolist(), lt.out_reason.tolist(), strict=True):
        if row >= 0 and why == LOOKBACK:
            reason[row] = LOOKBACK
            unit_state.setdefault(unit[row], LOOKBACK)
    ok = [first_dep[k] >= 0 and not bots[k] for k in range(n)]
    for k in range(n):
        if k not in value and ok[k] and unit[k] in unit_state:
            reason[k] = unit_state[unit[k]]
    team_sets = _value_teams(f, st, claims, repo, unit, ok, value)
    lt_dep = np.array([value[k][1] if k in value else -1 for k in range(n)], dtype=np.int64)
    finish = f.deps["finish"].to_numpy()
    _, bucket = buckets.of(np.append(finish, np.nan)[lt_dep])  # -1: no deployment
    table = pd.DataFrame(
        {
            "source": None,
            "repository": repo,
            "sha": [f.shas[k] for k in keys.tolist()],
            "authored_at": _isos(c["authored"].to_numpy()),
            "pull_request": [None if p < 0 else int(p) for p in pr.tolist()],
            **_dep_columns(f, first_dep, "first_deployment"),
            "counts": [k in value for k in range(n)],
            "reason": ["" if k in value else REASONS[reason[k]] for k in range(n)],  # type: ignore[index]
            "lead_time_hours": [value[k][0] if k in value else None for k in range(n)],
            "clock_skew": [k in value and value[k][2] for k in range(n)],
            **_dep_columns(f, lt_dep, "lead_time_deployment"),
            "bucket": [b if d >= 0 else "" for b, d in zip(bucket, lt_dep.tolist(), strict=True)],
            "organization": organization,
            "teams": [claims.ordered(t) for t in team_sets],
        }
    )
    both = pd.concat([table, _missing(f, st, claims, organization)], ignore_index=True)
    return both.astype({"counts": bool, "clock_skew": bool})


def _value_teams(
    f: Frames,
    st: EngineState,
    claims: _Claims,
    repo: list[str],
    unit: list[tuple[object, ...]],
    ok: list[bool],
    value: dict[int, tuple[float, int, bool]],
) -> list[set[str]]:
    """Per change row: its teams; a counted pull request takes its commits' path teams."""
    own = [set(claims.whole(r)) | set(claims.by_paths(r, k)) for k, r in enumerate(repo)]
    pooled: dict[tuple[object, ...], set[str]] = {}
    for k, u in enumerate(unit):
        if ok[k] and len(u) == 2:
            pooled.setdefault(u, set()).update(own[k])
    return [own[k] | pooled.get(unit[k], set()) if k in value else own[k] for k in range(len(own))]


def _dep_columns(f: Frames, rows: np.ndarray, prefix: str) -> dict[str, list[object]]:
    """Identity and finish time of deployment rows (-1: none)."""
    d = f.deps
    ids = strings([*d["id"].tolist(), None])  # row -1: none
    envs = strings([*d["env"].tolist(), None])
    finish = np.append(d["finish"].to_numpy(), np.nan)
    return {
        f"{prefix}_id": ids[rows].tolist(),
        f"{prefix}_environment": envs[rows].tolist(),
        f"{prefix}_finished_at": _isos(finish[rows]),
    }


def _missing(f: Frames, st: EngineState, claims: _Claims, organization: str) -> pd.DataFrame:
    """Commits a production deployment shipped first that no change record describes."""
    h = st.history
    rows = np.flatnonzero(h.first & (h.chg < 0))
    dep = f.ships["dep"].to_numpy()[rows]
    names = [f.repo_names[r] for r in f.deps["repo"].to_numpy()[dep].tolist()]
    return pd.DataFrame(
        {
            "source": None,
            "repository": names,
            "sha": [f.shas[k] for k in f.ships["key"].to_numpy()[rows].tolist()],
            **_dep_columns(f, dep, "first_deployment"),
            "counts": False,
            "reason": REASONS[MISSING],
            "clock_skew": False,
            "organization": organization,
            "teams": [claims.ordered(set(claims.whole(n))) for n in names],
        }
    )


def _incidents(
    f: Frames,
    st: EngineState,
    period: Period,
    options: MetricsOptions,
    buckets: _Buckets,
    dep_teams: list[set[str]],
    claims: _Claims,
    organization: str,
) -> pd.DataFrame:
    """One row per incident; ``counts``: it enters the plain incident MTTR."""
    i = f.incidents
    tz = options.timezone
    start, end = period.start_at(tz).timestamp(), period.end_at(tz).timestamp()
    created, resolved = i["created"].to_numpy(), i["resolved"].to_numpy()
    inside = (created >= start) & (created < end)
    fail = st.fail
    done = ~np.isnan(resolved)
    why = np.select(
        [~inside, fail.no_severity, ~fail.counted, ~done],
        [REASONS["period"], REASONS["no_severity"], REASONS["severity"], REASONS["open"]],
        "",
    )
    day, bucket = buckets.of(created)
    linked = fail.inc_dep.tolist()
    names = [f.repo_names[r] for r in i["repo"].tolist()]
    team_sets = [
        set(claims.whole(n)) | _path_teams(claims, n, dep_teams[d] if d >= 0 else set())
        for n, d in zip(names, linked, strict=True)
    ]
    return pd.DataFrame(
        {
            "source": None,
            "repository": names,
            "id": i["id"].tolist(),
            "created_at": _isos(created),
            "resolved_at": _isos(resolved),
            "severity": i["severity"].tolist(),
            "local_date": day,
            **_dep_columns(f, fail.inc_dep, "failed_deployment"),
            "counts": why == "",
            "reason": why,
            "hours_to_resolve": [
                _hours(x) for x in (np.maximum(resolved - created, 0) / 3600).tolist()
            ],
            "bucket": [b if ok else "" for b, ok in zip(bucket, inside.tolist(), strict=True)],
            "organization": organization,
            "teams": [claims.ordered(t) for t in team_sets],
        }
    )


def _path_teams(claims: _Claims, repo: str, teams: set[str]) -> set[str]:
    """The linked deployment's path teams, for an incident in the same monorepo."""
    return {t for t in teams if repo in claims.teams[t].paths}
