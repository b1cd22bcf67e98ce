"""Lead time for changes: one value per first-shipped commit, or per pull request.

A commit counts once, at the first successful production deployment that shipped it
(``History.first``). With ``first_commit`` or ``merge`` starts, a pull request is one
value ending at the latest first deployment of its commits. See metrics.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import MetricsOptions
from .deployments import History
from .frames import Frames

BOT, MISSING, LOOKBACK = 1, 2, 3
EXCLUDED = {BOT: "bots_excluded", MISSING: "missing_change_records", LOOKBACK: "lookback"}


@dataclass(frozen=True)
class LeadTimes:
    """Counted values (sorted by hours) and the rows left out, with why."""

    dep: np.ndarray  # per value: deployment row
    hours: np.ndarray  # clamped at 0, ascending
    skew: np.ndarray  # the raw value was negative
    fallback: np.ndarray  # a commit without pull request in a pull-request mode
    claims: dict[int, np.ndarray]  # monorepo team sid → claimed per value
    chg: np.ndarray  # per value: its change row (a pull request's: its lowest change row)
    out_dep: np.ndarray  # per excluded row: deployment row
    out_chg: np.ndarray  # per excluded row: change row, -1 when the commit has no record
    out_key: np.ndarray  # per excluded row: commit key
    out_reason: np.ndarray  # BOT, MISSING or LOOKBACK
    out_claims: dict[int, np.ndarray]


def lead_times(
    f: Frames,
    h: History,
    options: MetricsOptions,
    in_period: np.ndarray,
    claims: dict[int, np.ndarray],
) -> LeadTimes:
    """Values for deployments in the period; exclusions kept for the warnings."""
    dep = f.ships["dep"].to_numpy()[h.first]
    chg = h.chg[h.first]
    key = f.ships["key"].to_numpy()[h.first]
    if options.lead_time_start == "commit":  # one value per commit: filter early
        inside = in_period[dep]
        dep, chg, key = dep[inside], chg[inside], key[inside]
    reason = np.where(chg < 0, MISSING, 0)
    if options.exclude_bots:
        bot = np.append(f.changes["bot"].to_numpy(), False)[chg]  # chg -1: no record, no bot
        reason = np.where(bot, BOT, reason)
    ok = reason == 0
    units = _units(f, options, dep[ok], chg[ok], {s: c[chg[ok]] for s, c in claims.items()})
    finish = f.deps["finish"].to_numpy()
    raw = finish[units["dep"]] - units["start"]
    late = ~h.has_prev[units["dep"]] & (raw > options.first_deployment_lookback_days * 86400)
    inside = in_period[units["dep"]]
    keep = np.flatnonzero(~late & inside)
    keep = keep[np.argsort(raw[keep])]  # ties are equal values: their order changes nothing
    gone = np.flatnonzero(late & inside)
    row_out = ~ok & in_period[dep]
    return LeadTimes(
        dep=units["dep"][keep],
        hours=np.maximum(raw[keep], 0.0) / 3600,
        skew=raw[keep] < 0,
        fallback=units["fallback"][keep],
        claims={s: units[f"c{s}"][keep] for s in claims},
        chg=units["chg"][keep],
        out_dep=np.concatenate([dep[row_out], units["dep"][gone]]),
        out_chg=np.concatenate([chg[row_out], units["chg"][gone]]),
        out_key=np.concatenate([key[row_out], f.changes["key"].to_numpy()[units["chg"][gone]]]),
        out_reason=np.concatenate([reason[row_out], np.full(len(gone), LOOKBACK)]),
        out_claims={
            s: np.concatenate(
                [np.append(c, False)[chg[row_out]], units[f"c{s}"][gone]]  # -1: unclaimed
            )
            for s, c in claims.items()
        },
    )


def _units(
    f: Frames,
    options: MetricsOptions,
    dep: np.ndarray,
    chg: np.ndarray,
    claims: dict[int, np.ndarray],
) -> dict[str, np.ndarray]:
    """One entry per value: deployment row, start seconds, fallback flag, claim columns."""
    c = f.changes
    mode = options.lead_time_start
    cols = {f"c{s}": v for s, v in claims.items()}
    if mode == "commit":
        start = c["authored"].to_numpy()[chg]
        fallback = np.zeros(len(dep), dtype=bool)
        return {"dep": dep, "chg": chg, "start": start, "fallback": fallback, **cols}
    own = c["authored" if mode == "first_commit" else "committed"].to_numpy()[chg]
    pr_start = (
        np.fmin(c["first"].to_numpy()[chg], own)
        if mode == "first_commit"
        else np.where(np.isnan(c["merged"].to_numpy()[chg]), own, c["merged"].to_numpy()[chg])
    )
    pr = c["pr"].to_numpy()[chg]
    frame = pd.DataFrame(
        {
            "dep": dep,
            "chg": chg,
            "start": np.where(pr >= 0, pr_start, own),
            "fallback": pr < 0,
            **cols,
        }
    )
    frame["repo"], frame["pr"] = c["repo"].to_numpy()[chg], pr
    solo = frame[pr < 0]
    agg = {"dep": "max", "chg": "min", "start": "min", "fallback": "first"}
    agg |= {k: "max" for k in cols}
    grouped = frame[pr >= 0].groupby(["repo", "pr"], sort=False).agg(agg).reset_index(drop=True)
    both = pd.concat([solo.drop(columns=["repo", "pr"]), grouped], ignore_index=True)
    return {k: both[k].to_numpy() for k in both.columns}
