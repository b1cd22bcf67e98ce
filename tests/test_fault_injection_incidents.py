"""Faults at the HTTP layer for the incident tools (PagerDuty, Jira, Opsgenie), through the
real clients (``pagerduty``, ``jira``, ``requests``) and the real collector.

The promise (README, "Reliability"): every run either heals to records identical to a
clean run's, or ends with the gap named (the tool recorded as not collected, the sources
after it collected) and ``metrics`` refusing it without ``--allow-incomplete``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from opsmaturity.cli import app
from opsmaturity.collect import CollectSummary, collect
from opsmaturity.completeness import Completeness
from opsmaturity.errors import IncompleteData
from opsmaturity.records import CollectionNote
from opsmaturity.sources.base import Window
from opsmaturity.sources.incidents import retry
from opsmaturity.sources.incidents.base import IncidentSource
from opsmaturity.sources.incidents.jira import JiraSource
from opsmaturity.sources.incidents.opsgenie import OpsgenieSource
from opsmaturity.sources.incidents.pagerduty import PagerDutySource
from opsmaturity.sources.incidents.services import ServiceMap
from opsmaturity.store import Store

from .conftest import ROOT, write
from .fakeforge.jira import FakeJira, JiraIssue
from .fakeforge.opsgenie import FakeOpsgenie, OGIncident
from .fakeforge.pagerduty import FakePagerDuty, PDIncident
from .fakeforge.server import FakeForge

T0 = datetime(2026, 7, 1, tzinfo=UTC)
#: Three 30-day PagerDuty spans; every tool pages (more than 100 incidents).
WINDOW = Window(T0 - timedelta(days=45), datetime(2026, 10, 1, tzinfo=UTC))
COUNT = 130
PAUSE = 0.001  # the first pause between attempts: tests keep backoffs short
KEYS = {"pagerduty": "pd-fault-key-1", "jira": "jira-fault-token-2", "opsgenie": "og-fault-key-3"}
USER = "ops@example.com"

#: (kind, params): every way an answer breaks that the suite injects.
FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("status", {"status": 502}),
    ("status", {"status": 503}),
    ("retry_after", {"retry_after": 0}),  # 429 with Retry-After
    ("connection_reset", {}),
    ("cut_json", {}),  # 200, JSON cut mid-body, matching Content-Length
    ("truncated_json", {}),  # 200, full Content-Length, half the bytes
    ("malformed_json", {}),  # 200 with an HTML page
    ("cut_json", {"status": 502}),  # 502 whose JSON error body is cut
]
FAULT_IDS = [f"{kind}-{params.get('status', '')}".rstrip("-") for kind, params in FAULTS]


def _when(n: int) -> datetime:
    """Incident ``n``'s creation: spread over the whole window, so every span has some."""
    return WINDOW.since + timedelta(hours=1 + n * 17)


def pagerduty_incidents() -> list[PDIncident]:
    out = []
    for n in range(COUNT):
        created = _when(n)
        service = ("PCHK", "Checkout") if n % 3 else ("PPAY", "Payments")
        out.append(
            PDIncident(
                f"PI{n:05d}",
                n,
                f"incident {n}",
                created,
                *service,
                status="triggered" if n % 29 == 0 else "resolved",
                resolved_at=None if n % 29 == 0 else created + timedelta(hours=1 + n % 5),
                priority=f"P{1 + n % 3}",
                omit_resolved_at=n % 11 == 1,  # read from the log entries: a second endpoint
            )
        )
    return out


def jira_issues() -> list[JiraIssue]:
    return [
        JiraIssue(
            f"OPS-{n}",
            f"incident {n}",
            _when(n),
            None if n % 29 == 0 else _when(n) + timedelta(hours=2 + n % 4),
            components=["Checkout"] if n % 3 else ["Payments"],
        )
        for n in range(1, COUNT + 1)
    ]


def opsgenie_incidents() -> list[OGIncident]:
    return [
        OGIncident(
            f"og-{n}",
            n,
            f"incident {n}",
            _when(n),
            status="open" if n % 29 == 0 else "resolved",
            services=["svc-checkout"] if n % 3 else ["svc-pay"],
            updated_at=_when(n) if n % 29 == 0 else _when(n) + timedelta(hours=3),
        )
        for n in range(1, COUNT + 1)
    ]


SERVICES = ServiceMap.from_config(
    {
        "Checkout": ["org/checkout"],
        "PCHK": ["org/checkout"],
        "svc-checkout": ["org/checkout"],
        "Payments": ["org/pay"],
        "svc-pay": ["org/pay"],
    },
    {},
)


@dataclass
class Tool:
    """One fake incident tool and how to build a source against it."""

    name: str
    server: FakeForge
    build: Callable[[], IncidentSource]
    endpoints: tuple[str, ...]


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Tool]]:
    tls = tmp_path_factory.mktemp("tls")
    with (
        FakePagerDuty(pagerduty_incidents(), token=KEYS["pagerduty"], tls_dir=tls) as pd,
        FakeJira(jira_issues(), token=KEYS["jira"], user=USER) as jira,
        FakeOpsgenie(opsgenie_incidents(), token=KEYS["opsgenie"]) as og,
    ):
        yield {
            "pagerduty": Tool(
                "pagerduty",
                pd,
                lambda: PagerDutySource(
                    "pagerduty",
                    token=KEYS["pagerduty"],
                    token_env="PAGERDUTY_TOKEN",
                    base_url=pd.api,
                    ca_bundle=str(pd.cert),
                    services=SERVICES,
                    cooldown=PAUSE,
                ),
                ("pagerduty.incidents", "pagerduty.log_entries"),
            ),
            "jira": Tool(
                "jira",
                jira,
                lambda: JiraSource(
                    "jira",
                    base_url=jira.api,
                    token=KEYS["jira"],
                    token_env="JIRA_TOKEN",
                    user=USER,
                    projects=["OPS"],
                    services=SERVICES,
                    pause=PAUSE,
                ),
                ("jira.server_info", "jira.search_jql"),
            ),
            "opsgenie": Tool(
                "opsgenie",
                og,
                lambda: OpsgenieSource(
                    "opsgenie",
                    key=KEYS["opsgenie"],
                    key_env="OPSGENIE_API_KEY",
                    base_url=og.api,
                    services=SERVICES,
                    pause=PAUSE,
                ),
                ("opsgenie.incidents",),
            ),
        }


@pytest.fixture(autouse=True)
def _no_faults_left(tools: dict[str, Tool]) -> Iterator[None]:
    yield
    for tool in tools.values():
        tool.server.faults.clear()


def run(tool: Tool, store_path: Path) -> tuple[CollectSummary, dict[str, list[str]]]:
    """Build the source (Jira reads ``serverInfo`` then) and collect it into a fresh store."""
    with Store(store_path) as store:
        source = tool.build()
        try:
            summary = collect(source, store, WINDOW)
        finally:
            source.close()
        return summary, snapshot(store)


def snapshot(store: Store) -> dict[str, list[str]]:
    """Every stored record by kind, as sorted JSON: two equal snapshots mean equal figures."""
    return {
        kind: sorted(json.dumps(d, sort_keys=True) for d in store.dicts(kind))
        for kind in ("incident", "note")
    }


def completeness(store_path: Path, source: str) -> Completeness:
    with Store(store_path) as store:
        return Completeness.from_runs(store.collection_runs(), [source], store.sources())


@pytest.fixture(scope="module")
def clean(
    tools: dict[str, Tool], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, list[str]]]:
    """Each tool's records from a run without faults: what every healed run must match."""
    out = {}
    for name, tool in tools.items():
        summary, records = run(tool, tmp_path_factory.mktemp(name) / "store.sqlite")
        assert not summary.failed and len(records["incident"]) == COUNT, name
        out[name] = records
    return out


ENDPOINTS = [
    ("pagerduty", "pagerduty.incidents"),
    ("pagerduty", "pagerduty.log_entries"),
    ("jira", "jira.server_info"),
    ("jira", "jira.search_jql"),
    ("opsgenie", "opsgenie.incidents"),
]


def test_every_endpoint_is_exercised(tools: dict[str, Tool]) -> None:
    assert sorted(ENDPOINTS) == sorted((n, e) for n, t in tools.items() for e in t.endpoints)


# -- faults that pass: the run heals to the clean run's records ---------------------------
@pytest.mark.parametrize(("kind", "params"), FAULTS, ids=FAULT_IDS)
@pytest.mark.parametrize(("tool_name", "endpoint"), ENDPOINTS, ids=[e for _, e in ENDPOINTS])
def test_heals_to_the_clean_run(
    tools: dict[str, Tool],
    clean: dict[str, dict[str, list[str]]],
    tmp_path: Path,
    tool_name: str,
    endpoint: str,
    kind: str,
    params: dict[str, Any],
) -> None:
    tool = tools[tool_name]
    rule = tool.server.faults.add(kind, endpoint, times=2, **params)
    summary, records = run(tool, tmp_path / "store.sqlite")
    assert rule.fired == 2, "the fault never fired: the test would prove nothing"
    assert not summary.failed
    assert records == clean[tool_name]
    assert completeness(tmp_path / "store.sqlite", tool_name).complete


# -- faults that never pass: the tool is named as not collected, and refused ----------------
@pytest.mark.parametrize(("kind", "params"), FAULTS, ids=FAULT_IDS)
@pytest.mark.parametrize("tool_name", ["pagerduty", "jira", "opsgenie"])
def test_a_lasting_fault_is_a_named_gap(
    tools: dict[str, Tool], tmp_path: Path, tool_name: str, kind: str, params: dict[str, Any]
) -> None:
    tool = tools[tool_name]
    endpoint = tool.endpoints[-1]  # the listing (Jira's after serverInfo has answered)
    tool.server.faults.add(kind, endpoint, after=1, **params)  # the first page passes
    summary, records = run(tool, tmp_path / "store.sqlite")
    assert list(summary.failed) == [""]
    why = summary.failed[""]
    if kind == "retry_after":
        assert "kept rate-limiting" in why and "429" in why
    else:
        assert "after 6 attempts" in why and tool.server.url in why
    for leak in ("Traceback", "Error", "Exception", KEYS[tool_name]):
        assert leak not in why
    assert 0 < len(records["incident"]) < COUNT  # the first page was kept
    with Store(tmp_path / "store.sqlite") as store:
        notes = [n for n in store.records(CollectionNote) if n.level == "error"]
    assert [n.message for n in notes] == [f"not collected: {why}"]
    found = completeness(tmp_path / "store.sqlite", tool_name)
    assert [s.describe() for s in found.gaps] == [f"{tool_name} not collected ({why})"]
    with pytest.raises(IncompleteData, match=f"incomplete data: {tool_name} not collected"):
        found.require(allow_incomplete=False)
    found.require(allow_incomplete=True)


def test_the_next_run_fills_the_gap(
    tools: dict[str, Tool], clean: dict[str, dict[str, list[str]]], tmp_path: Path
) -> None:
    """After a failed run, a run without faults resumes and ends complete, with the clean
    run's incidents, and the failed run's "not collected" note is withdrawn."""
    tool = tools["opsgenie"]
    tool.server.faults.add("status", "opsgenie.incidents", after=1, status=502)
    failed, _ = run(tool, tmp_path / "store.sqlite")
    assert failed.failed
    tool.server.faults.clear()
    with Store(tmp_path / "store.sqlite") as store:
        assert [n for n in store.records(CollectionNote) if "not collected" in n.message]
    summary, records = run(tool, tmp_path / "store.sqlite")
    assert not summary.failed and records["incident"] == clean["opsgenie"]["incident"]
    assert completeness(tmp_path / "store.sqlite", "opsgenie").complete
    with Store(tmp_path / "store.sqlite") as store:
        assert not [n for n in store.records(CollectionNote) if "not collected" in n.message]


def test_waits_grow_and_are_capped() -> None:
    waits: list[float] = []
    policy = retry.Retrying("pd: PagerDuty", pause=1.0, attempts=9, sleep=waits.append)
    calls = 0

    def attempt() -> str:
        nonlocal calls
        calls += 1
        if calls < 9:
            raise retry.Transient("answered 502")
        return "ok"

    assert policy.call(attempt, "https://pd.example/incidents") == "ok"
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]


# -- through the CLI: the failing tool is listed, the next source is collected -------------
runner = CliRunner()


def config(tmp_path: Path, pd: FakePagerDuty) -> Path:
    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    return write(
        tmp_path / "assessment.yaml",
        f"""
organization: {{name: Initech, engineers: 30}}
period: {{quarter: 2026Q3}}
sources:
  - kind: pagerduty
    base_url: {pd.api}
    ca_bundle: {pd.cert}
  - kind: files
    deployments: files/deployments.csv
    changes: files/changes.csv
services:
  PCHK: [initech/tps]
""",
    )


def test_cli_names_the_tool_carries_on_and_refuses_until_allowed(
    tools: dict[str, Tool], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGERDUTY_TOKEN", KEYS["pagerduty"])
    monkeypatch.setattr(retry, "MAX_PAUSE", 0.0)  # the configured source pauses 1 s at first
    pd = tools["pagerduty"].server
    pd.faults.add("status", "pagerduty.incidents", status=503)
    path = config(tmp_path, pd)  # type: ignore[arg-type]
    result = runner.invoke(app, ["collect", "-c", str(path)], terminal_width=300)
    assert result.exit_code == 1, result.output
    assert "not collected pagerduty: PagerDuty at " in result.output
    assert "failed after 6 attempts (answered 503)" in result.output
    assert "files-1: 2 repositories, 4 deployments" in result.output  # the next source carried on
    assert "Traceback" not in result.output and KEYS["pagerduty"] not in result.output
    refused = runner.invoke(app, ["metrics", "-c", str(path), "--format", "json"])
    assert refused.exit_code == 6
    assert "pagerduty not collected" in refused.output and "--allow-incomplete" in refused.output
    allowed = runner.invoke(
        app, ["metrics", "-c", str(path), "--format", "json", "--allow-incomplete"]
    )
    assert allowed.exit_code == 0, allowed.output
    body = json.loads(allowed.output)
    assert body["completeness"]["complete"] is False
    org = next(s for s in body["scopes"] if s["scope"] == "organization")
    assert org["complete"] is False and org["missing"] == ["pagerduty"]
