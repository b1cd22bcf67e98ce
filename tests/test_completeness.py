"""Partial data is never shown as complete: run records, refusal, --allow-incomplete marks.

A collection against the fake GitHub with one repository broken for good: ``metrics`` and
``report`` refuse with exit 6 and one line naming the gap; with ``--allow-incomplete``
every output says which scopes are incomplete; a clean re-run heals to the clean figures.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from opsmaturity.cli import app
from opsmaturity.collect import collect
from opsmaturity.completeness import Completeness
from opsmaturity.dora import METRICS
from opsmaturity.errors import IncompleteData, SourceError
from opsmaturity.records import Change, CollectionNote, Deployment, Incident, Repository
from opsmaturity.sources.base import Source, Window
from opsmaturity.sources.incidents.base import Found, IncidentSource, SyncMarks
from opsmaturity.sources.incidents.services import ServiceMap
from opsmaturity.store import Store
from tests.fakeforge import generate
from tests.fakeforge.github import FakeGitHub
from tests.github_source_helpers import ENV, Recorder, make_source

from .conftest import write

runner = CliRunner()
WINDOW = Window(datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC))
BROKEN = "acme/service-001"


@pytest.fixture(scope="module")
def github() -> Iterator[FakeGitHub]:
    scenario = generate(
        5,
        repos=3,
        deployments=8,
        commits=30,
        start=datetime(2026, 7, 1, tzinfo=UTC),
        end=datetime(2026, 8, 1, tzinfo=UTC),
    )
    with FakeGitHub(scenario, token="s3cret-token") as server:
        yield server


def config_for(server: FakeGitHub, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write(
        folder / "gh.yaml",
        f"""organization: {{name: Acme, engineers: 40}}
period: {{start: 2026-07-01, end: 2026-07-31}}
sources:
  - kind: github
    base_url: {server.api}
    token_env: {ENV}
    org: acme
teams:
  Checkout: {{repositories: ["{BROKEN}"]}}
  Rest: {{repositories: ["acme/service-000", "acme/service-002"]}}
store: store.sqlite
""",
    )


def collect_into(server: FakeGitHub, folder: Path) -> dict[str, str]:
    source = make_source(server, org="acme", recorder=Recorder())
    with Store(folder / "store.sqlite") as store:
        try:
            return collect(source, store, WINDOW, concurrency=1).failed
        finally:
            source.close()


def cli(*args: str) -> Any:
    return runner.invoke(app, list(args), terminal_width=400, env={"COLUMNS": "400"})


def scopes_without_marks(output: str) -> list[dict[str, Any]]:
    scopes = json.loads(output)["scopes"]
    return [{k: v for k, v in s.items() if k not in ("complete", "missing")} for s in scopes]


def test_a_gap_is_refused_then_marked_then_healed(github: FakeGitHub, tmp_path: Path) -> None:
    clean = config_for(github, tmp_path / "clean")
    assert collect_into(github, tmp_path / "clean") == {}
    clean_json = cli("metrics", "-c", str(clean), "-f", "json")
    assert clean_json.exit_code == 0, clean_json.output
    assert json.loads(clean_json.output)["completeness"]["complete"] is True

    config = config_for(github, tmp_path / "gap")
    rule = github.faults.add("cut_json", "github.deployments", path=f"/repos/{BROKEN}/")
    try:
        assert list(collect_into(github, tmp_path / "gap")) == [BROKEN]
    finally:
        github.faults.clear()
    assert rule.fired == 6

    refused = cli("metrics", "-c", str(config))
    assert refused.exit_code == 6
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and f"github:{BROKEN} not collected" in lines[0]
    assert "--allow-incomplete" in lines[0] and "Traceback" not in refused.output

    marked = cli("metrics", "-c", str(config), "-f", "json", "--allow-incomplete")
    assert marked.exit_code == 0, marked.output
    data = json.loads(marked.output)
    assert data["completeness"]["complete"] is False
    by_name = {(s["scope"], s["name"]): s for s in data["scopes"]}
    assert by_name[("organization", "Acme")]["missing"] == [f"github:{BROKEN}"]
    assert by_name[("team", "Checkout")]["complete"] is False
    assert by_name[("team", "Rest")]["complete"] is True
    assert clean_json.output != marked.output

    rows = list(
        csv.DictReader(
            io.StringIO(cli("metrics", "-c", str(config), "-f", "csv", "--allow-incomplete").output)
        )
    )
    marks = {(r["scope"], r["name"]): r["data_complete"] for r in rows}
    assert (
        marks[("team", "Checkout")] == f"no: github:{BROKEN}" and marks[("team", "Rest")] == "yes"
    )

    table = cli("metrics", "-c", str(config), "--allow-incomplete")
    assert "INCOMPLETE DATA" in table.output and "Checkout (INCOMPLETE)" in table.output
    assert "Data completeness: INCOMPLETE" in table.output

    report = cli("report", "-c", str(config), "--out", str(tmp_path / "r" / "acme.pdf"))
    assert report.exit_code == 6 and not list((tmp_path / "r").glob("acme*"))

    # a later clean collection fills the gap: figures identical to the clean run's
    assert collect_into(github, tmp_path / "gap") == {}
    healed = cli("metrics", "-c", str(config), "-f", "json")
    assert healed.exit_code == 0, healed.output
    assert scopes_without_marks(healed.output) == scopes_without_marks(clean_json.output)


def test_report_with_allow_incomplete_carries_a_banner(github: FakeGitHub, tmp_path: Path) -> None:
    config = config_for(github, tmp_path)
    github.faults.add("malformed_json", "github.deployments", path=f"/repos/{BROKEN}/")
    try:
        collect_into(github, tmp_path)
    finally:
        github.faults.clear()
    out = tmp_path / "r" / "acme.pdf"
    result = cli("report", "-c", str(config), "--out", str(out), "--allow-incomplete")
    assert result.exit_code == 0, result.output
    html = out.with_suffix(".html").read_text()
    summary = html[html.index('id="summary"') :]
    assert summary.index("INCOMPLETE DATA") < summary.index("Software delivery performance")
    assert f"github:{BROKEN} not collected" in html
    report = json.loads(out.with_suffix(".json").read_text())
    assert report["completeness"]["complete"] is False
    completeness_csv = (out.parent / "acme-completeness.csv").read_text()
    assert f"github,{BROKEN},failed,false" in completeness_csv
    marks = {(s["scope"], s["name"]): s["missing"] for s in report["metrics"]["scopes"]}
    assert marks[("team", "Checkout")] == [f"github:{BROKEN}"] and marks[("team", "Rest")] == []
    assert marks[("organization", "Acme")] == [f"github:{BROKEN}"]
    metrics_csv = list(csv.DictReader(io.StringIO((out.parent / "acme-metrics.csv").read_text())))
    by_name = {row["name"]: row["data_complete"] for row in metrics_csv}
    assert by_name["Checkout"] == f"no: github:{BROKEN}" and by_name["Rest"] == "yes"


def test_report_html_marks_the_partial_rows_only(github: FakeGitHub, tmp_path: Path) -> None:
    """The uncollected repository's row, and its team's rows and page, carry a partial badge
    and a footnote naming the gap; complete rows carry none."""
    from tests.report_support import Tagged

    config = config_for(github, tmp_path)
    github.faults.add("cut_json", "github.deployments", path=f"/repos/{BROKEN}/", status=502)
    try:
        assert list(collect_into(github, tmp_path)) == [BROKEN]
    finally:
        github.faults.clear()
    out = tmp_path / "r" / "acme.pdf"
    result = cli("report", "-c", str(config), "--out", str(out), "--allow-incomplete")
    assert result.exit_code == 0, result.output
    html = out.with_suffix(".html").read_text()
    marked = Tagged(html).having("data-partial")
    partial = {
        (a.get("data-metric", "repository"), a["data-scope"]): a["data-partial"]
        for a in marked
        if "data-scope" in a
    }
    gap = f"github:{BROKEN}"
    assert partial.pop(("repository", BROKEN)) == gap  # the repository appendix row
    assert partial == {(m, "Checkout"): gap for m in METRICS}  # each metric's team table
    kpis = [a["data-partial"] for a in marked if "data-scope" not in a]
    assert kpis == [gap] * len(METRICS)  # the organization's figure on each metric page
    rows = Tagged(html).having("data-scope")
    complete = [a["data-scope"] for a in rows if "data-partial" not in a]
    assert "Rest" in complete and "acme/service-000" in complete
    assert not [a for a in rows if "data-partial" not in a and "partial-row" in a.get("class", "")]
    assert (
        len(Tagged(html).having("data-partial-note")) == 2 * len(METRICS) + 2
    )  # + appendix, team page
    assert f"<strong>{BROKEN}</strong></span>: {gap}." in html
    assert f"<strong>Checkout</strong></span>: {gap}." in html
    team_page = html[html.index("Team: Checkout") : html.index("Team: Rest")]
    assert (
        "partial<sup>†</sup>" in team_page[:300]
        and "partial<sup>†</sup>" not in html[html.index("Team: Rest") :][:300]
    )


def test_report_json_reads_back_with_its_completeness(github: FakeGitHub, tmp_path: Path) -> None:
    """The typed report keeps the states and the per-scope marks through its JSON."""
    from opsmaturity.report import report_from_json, report_json

    config = config_for(github, tmp_path)
    github.faults.add("malformed_json", "github.deployments", path=f"/repos/{BROKEN}/")
    try:
        collect_into(github, tmp_path)
    finally:
        github.faults.clear()
    out = tmp_path / "r" / "acme.pdf"
    assert cli("report", "-c", str(config), "--out", str(out), "--allow-incomplete").exit_code == 0
    raw = json.loads(out.with_suffix(".json").read_text())
    back = report_from_json(raw)
    assert back.completeness is not None and not back.completeness.complete
    assert back.completeness.missing("team", "Checkout") == (f"github:{BROKEN}",)
    assert back.completeness.missing("team", "Rest") == ()
    assert json.loads(json.dumps(report_json(back))) == raw


# -- crashes and kills leave a record ---------------------------------------------------------
class CrashingSource(Source):
    """Two repositories; the second raises what a bug or Ctrl-C would."""

    def __init__(self, error: BaseException) -> None:
        super().__init__("crashy")
        self.error = error

    def repositories(self) -> list[Repository]:
        return [Repository("x/a"), Repository("x/b")]

    def deployments(self, repository: Repository, window: Window) -> Iterable[Deployment]:
        if repository.full_name == "x/b":
            raise self.error
        return []

    def changes(
        self, repository: Repository, window: Window, deployments: Sequence[Deployment]
    ) -> Iterable[Change]:
        return []

    def incidents(
        self, repository: Repository, window: Window
    ) -> Iterable[Incident | CollectionNote]:
        return []


@pytest.mark.parametrize("error", [RuntimeError("bug"), KeyboardInterrupt()])
def test_a_crash_mid_collection_is_recorded_as_incomplete(
    tmp_path: Path, error: BaseException
) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        with pytest.raises(type(error)):
            collect(CrashingSource(error), store, WINDOW, concurrency=1)
        found = Completeness.from_runs(store.collection_runs(), ["crashy"], store.sources())
    assert not found.complete
    assert {(s.repository, s.status) for s in found.gaps} == {("", "failed"), ("x/b", "running")}
    with pytest.raises(IncompleteData, match="crashy:x/b collection interrupted"):
        found.require(allow_incomplete=False)
    found.require(allow_incomplete=True)


def test_a_kill_leaves_the_run_marked_as_started(tmp_path: Path) -> None:
    """``kill -9`` runs no handler: what the collector wrote *before* fetching says enough."""
    with Store(tmp_path / "s.sqlite") as store:
        store.start_collection("github", ["", "acme/a"])
        found = Completeness.from_runs(store.collection_runs(), ["github", "gitlab"], [])
    assert [s.describe() for s in found.gaps] == [
        "github collection interrupted (started, never finished)",
        "github:acme/a collection interrupted (started, never finished)",
        "gitlab never collected",
    ]


def test_a_store_from_an_older_version_is_not_refused() -> None:
    found = Completeness.from_runs([], ["github"], ["github"])
    assert found.complete and found.unrecorded == ("github",)


# -- incident tools record their runs like forges ---------------------------------------------
class StubIncidentTool(IncidentSource):
    """An incident tool that finds nothing, or fails mid-run like a cut connection."""

    tool = "stub"

    def __init__(self, error: Exception | None = None) -> None:
        super().__init__("pagerduty", ServiceMap({}))
        self.error = error

    def fetch(self, since: datetime, until: datetime, sync: SyncMarks) -> Iterable[Found]:
        if self.error is not None:
            raise self.error
        return []


def test_an_incident_tool_run_is_recorded(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        collect(StubIncidentTool(), store, WINDOW)
        assert store.collection_runs() == [("pagerduty", "", "complete", "")]
        summary = collect(StubIncidentTool(SourceError("pagerduty: connection cut")), store, WINDOW)
        assert summary.failed == {"": "connection cut"}  # recorded; the next source carries on
        found = Completeness.from_runs(store.collection_runs(), ["pagerduty"], store.sources())
    assert [s.describe() for s in found.gaps] == ["pagerduty not collected (connection cut)"]
