"""The rows behind every figure: recomputed with a few lines of pandas, they give every
organization, team, repository and trend-bucket figure of the demo (issue 12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsmaturity import demo
from opsmaturity.config import MetricsOptions
from opsmaturity.metrics import build_frames, compute_from_frames, metric_rows


def _engine(data, teams, period, options, bucket="week"):
    frames = build_frames(
        repositories=data.repositories,
        deployments=data.deployments,
        changes=data.changes,
        incidents=data.incidents,
        options=options,
        need_paths=any(t.paths for t in teams.values()),
    )
    kw = {"teams": teams, "period": period, "options": options, "trend_bucket": bucket}
    return compute_from_frames(frames, **kw).to_json(), metric_rows(frames, **kw)


@pytest.fixture(scope="module")
def demo_run():
    config = demo.demo_config()
    return _engine(demo.generate(42), config.teams, config.reporting_period, MetricsOptions())


def _in(table: pd.DataFrame, scope: str, name: str) -> pd.DataFrame:
    """The rows of one scope, read from the rows' own scope columns."""
    if scope == "organization":
        return table
    if scope == "repository":
        return table[table["repository"] == name]
    return table[
        table["teams"].fillna("").astype(str).str.split(";").map(lambda ts: name in ts).astype(bool)
    ]


def _pct(values: pd.Series, qs: list[float]) -> list[float | None]:
    v = values.dropna().to_numpy(dtype=float)
    return [float(x) for x in np.percentile(v, qs)] if len(v) else [None] * len(qs)


def figures(rows, scope: str, name: str, bucket: str | None = None) -> dict[str, object]:
    """Every figure of a scope (or one of its trend buckets), from the rows alone."""
    d, c, i = (
        _in(t[t["counts"]], scope, name) for t in (rows.deployments, rows.changes, rows.incidents)
    )
    if bucket is not None:
        d, c, i = (t[t["bucket"] == bucket] for t in (d, c, i))
    failed = d[d["failed"]]
    return {
        "deployments": len(d),
        "deployment_days": d["local_date"].nunique(),
        "failed": len(failed),
        "rework": int(d["rework"].sum()),
        "lt": [len(c), *_pct(c["lead_time_hours"], [50, 75, 90])],
        "fdrt": [failed["recovery_hours"].notna().sum(), *_pct(failed["recovery_hours"], [50, 90])],
        "unrecovered": int(failed["unrecovered"].sum()),
        "mttr": [len(i), *_pct(i["hours_to_resolve"], [50, 90])],
    }


def from_scope(s: dict) -> dict[str, object]:
    lt, fd, mt = (
        s["lead_time_for_changes"],
        s["failed_deployment_recovery_time"],
        s["incident_mttr"],
    )
    return {
        "deployments": s["deployment_frequency"]["deployments"],
        "deployment_days": s["deployment_frequency"]["deployment_days"],
        "failed": s["change_failure_rate"]["failed"],
        "rework": s["rework_rate"]["rework"],
        "lt": [lt["n"], lt["median_hours"], lt["p75_hours"], lt["p90_hours"]],
        "fdrt": [fd["n"], fd["median_hours"], fd["p90_hours"]],
        "unrecovered": fd["unrecovered"],
        "mttr": [mt["n"], mt["median_hours"], mt["p90_hours"]],
    }


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        x == pytest.approx(y, rel=1e-9, abs=1e-9) if x is not None else y is None
        for k in a
        for x, y in zip(np.ravel([a[k]]).tolist(), np.ravel([b[k]]).tolist(), strict=True)
    )


def test_the_rows_reproduce_every_scope_figure(demo_run) -> None:
    doc, rows = demo_run
    for s in doc["scopes"]:
        assert _same(figures(rows, s["scope"], s["name"]), from_scope(s)), s["name"]


def test_the_rows_reproduce_every_trend_bucket(demo_run) -> None:
    doc, rows = demo_run
    for t in doc["trend"]:
        got = figures(rows, t["scope"], t["name"], t["start"])
        assert got["deployments"] == t["deployments"]
        assert got["deployment_days"] == t["deployment_days"]
        assert got["failed"] == t["failed"]
        assert got["lt"][0] == t["lead_time_n"]
        assert _same({"m": got["lt"][1]}, {"m": t["lead_time_median_hours"]})
        assert got["fdrt"][0] == t["recovery_n"]
        assert _same({"m": got["fdrt"][1]}, {"m": t["recovery_median_hours"]})


def test_every_row_that_does_not_count_says_why(demo_run) -> None:
    _, rows = demo_run
    for table in (rows.deployments, rows.changes, rows.incidents):
        assert (table["counts"] == (table["reason"] == "")).all()
    reasons = set(rows.changes["reason"])
    assert {"", "first shipped outside the period", "bot work"} <= reasons


def test_metrics_rows_option_and_report_write_the_three_tables(tmp_path) -> None:
    import shutil

    from typer.testing import CliRunner

    from opsmaturity.cli import app

    from .conftest import ROOT

    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    config = shutil.copy(ROOT / "examples" / "files.yaml", tmp_path / "files.yaml")
    runner = CliRunner()
    result = runner.invoke(app, ["metrics", "-c", str(config), "--rows", str(tmp_path / "rows")])
    assert result.exit_code == 0, result.output
    deployments = pd.read_csv(tmp_path / "rows" / "deployments.csv")
    assert deployments["counts"].sum() == 3  # examples/files: 3 in 2026Q3, as the JSON says
    assert deployments["failed"].sum() >= 1
    assert {"repository", "environment", "id", "sha", "teams"} <= set(deployments.columns)
    assert (tmp_path / "rows" / "changes.csv").exists()
    assert (tmp_path / "rows" / "incidents.csv").exists()
    out = tmp_path / "out" / "initech.pdf"
    result = runner.invoke(app, ["report", "-c", str(config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("deployments", "changes", "incidents"):
        assert (out.parent / f"initech-rows-{name}.csv").exists()


def test_every_column_is_documented_and_every_documented_column_exists(demo_run) -> None:
    from opsmaturity.metrics import metrics_notes

    _, rows = demo_run
    documented = metrics_notes()["rows"]
    for name in ("deployments", "changes", "incidents"):
        assert list(getattr(rows, name).columns) == list(documented[name]), name


def test_rows_from_the_store_name_sources_and_list_what_no_metric_reads() -> None:
    from opsmaturity.metrics import metrics_from_store, rows_from_store
    from opsmaturity.records import Repository
    from opsmaturity.store import Store

    from .test_metrics_fixtures import Q3, at, chg, dep

    kept = dep("1", at(2), ["a"])
    with Store(":memory:") as store:
        store.upsert("forge", [Repository("org/a"), kept, chg("a", at(1))])
        store.upsert("jenkins", [kept, chg("a", at(1, 1))])  # read last: its deployment counts
        store.upsert(
            "forge",
            [
                dep("2", at(3), ["b"], env="staging"),
                dep("3", at(4), ["c"], status="failure"),
                dep("4", None, ["d"]),
            ],
        )
        kw = {"teams": {}, "period": Q3, "options": MetricsOptions()}
        rows = rows_from_store(store, **kw)
        doc = metrics_from_store(store, **kw).to_json()
    d = rows.deployments.set_index(["source", "id"])
    assert d.loc[("jenkins", "1"), "counts"]
    assert d.loc[("forge", "1"), "reason"] == "superseded by the same deployment from jenkins"
    assert d.loc[("forge", "2"), "reason"] == "not production"
    assert d.loc[("forge", "3"), "reason"] == "did not succeed (failure)"
    assert d.loc[("forge", "4"), "reason"] == "not finished"
    assert (
        rows.deployments["counts"].sum() == doc["scopes"][0]["deployment_frequency"]["deployments"]
    )
    c = rows.changes.set_index("source")
    assert c.loc["forge", "counts"] and c.loc["forge", "lead_time_hours"] == pytest.approx(24)
    assert c.loc["jenkins", "reason"] == "superseded by the same commit from forge"


def test_the_written_csv_files_reproduce_the_printed_json(tmp_path) -> None:
    """End to end: `metrics --format json --rows DIR` on the demo config, then pandas over
    the CSV files as a consultant would read them."""
    import json
    import shutil

    from typer.testing import CliRunner

    from opsmaturity.cli import app
    from opsmaturity.metrics.rows import MetricRows

    from .conftest import ROOT

    config = shutil.copy(ROOT / "examples" / "demo.yaml", tmp_path / "demo.yaml")
    out = tmp_path / "rows"
    result = CliRunner().invoke(
        app, ["metrics", "-c", str(config), "-f", "json", "--rows", str(out)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    read = {"dtype": {"bucket": str, "local_date": str}, "keep_default_na": True}
    tables = [
        pd.read_csv(out / f"{n}.csv", **read) for n in ("deployments", "changes", "incidents")
    ]
    rows = MetricRows(*(t.assign(bucket=t["bucket"].fillna("")) for t in tables))
    assert rows.deployments["sha"].str.len().eq(40).all()  # read from the records, not packs
    assert rows.changes["sha"].str.len().eq(40).all()
    for s in doc["scopes"]:
        assert _same(figures(rows, s["scope"], s["name"]), from_scope(s)), s["name"]
    for t in doc["trend"]:
        got = figures(rows, t["scope"], t["name"], t["start"])
        assert (got["deployments"], got["lt"][0]) == (t["deployments"], t["lead_time_n"])
        assert _same({"m": got["lt"][1]}, {"m": t["lead_time_median_hours"]})
