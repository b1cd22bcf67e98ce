"""Incident tools end to end through the CLI: config, env token, collect, metrics JSON."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsmaturity.cli import app
from opsmaturity.config import load_config
from opsmaturity.errors import ConfigError

from .conftest import ROOT, write
from .fakeforge.pagerduty import FakePagerDuty, PDIncident

runner = CliRunner()
KEY = "pd-fake-key-0123"


@pytest.fixture
def pagerduty(tmp_path: Path) -> Iterator[FakePagerDuty]:
    incidents = [
        # jenkins-101 finished 2 July 09:20 +02:00; this one follows it and is resolved next day
        PDIncident(
            "PTPS1",
            1,
            "TPS cover sheets lost",
            datetime(2026, 7, 3, 8, tzinfo=UTC),
            "PTPS",
            "TPS",
            priority="P1",
            resolved_at=datetime(2026, 7, 3, 12, tzinfo=UTC),
        ),
        PDIncident(
            "PFAX1",
            2,
            "Fax gateway down",
            datetime(2026, 7, 5, 8, tzinfo=UTC),
            "PFAX",
            "Fax",
            priority="P2",
            resolved_at=datetime(2026, 7, 5, 9, tzinfo=UTC),
        ),
    ]
    with FakePagerDuty(incidents, token=KEY, tls_dir=tmp_path) as fake:
        yield fake


def config(tmp_path: Path, fake: FakePagerDuty, extra: str = "") -> Path:
    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    return write(
        tmp_path / "assessment.yaml",
        f"""
organization: {{name: Initech, engineers: 30}}
period: {{quarter: 2026Q3}}
sources:
  - kind: files
    deployments: files/deployments.csv
    changes: files/changes.csv
  - kind: pagerduty
    base_url: {fake.api}
    ca_bundle: {fake.cert}
{extra}
services:
  PTPS: [initech/tps]
""",
    )


def test_collect_then_metrics_with_pagerduty(
    tmp_path: Path, pagerduty: FakePagerDuty, monkeypatch
) -> None:
    monkeypatch.setenv("PAGERDUTY_TOKEN", KEY)
    path = config(tmp_path, pagerduty)
    result = runner.invoke(app, ["collect", "-c", str(path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "pagerduty-1: 2 incidents, 1 notes" in result.output
    assert "pagerduty-1 · incidents" in result.output  # the progress display
    assert KEY not in result.output
    result = runner.invoke(app, ["metrics", "-c", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    org = next(s for s in json.loads(result.output)["scopes"] if s["scope"] == "organization")
    assert org["incident_mttr"]["n"] == 2  # the unmapped Fax incident still counts
    assert org["change_failure_rate"]["by_rule"]["incident"] == 1


def test_missing_key_names_the_variable(
    tmp_path: Path, pagerduty: FakePagerDuty, monkeypatch
) -> None:
    monkeypatch.delenv("PAGERDUTY_TOKEN", raising=False)
    result = runner.invoke(
        app, ["collect", "-c", str(config(tmp_path, pagerduty))], terminal_width=200
    )
    assert result.exit_code == 5
    assert "PAGERDUTY_TOKEN" in result.output


def test_wrong_key_names_the_variable_and_hides_the_key(
    tmp_path: Path, pagerduty: FakePagerDuty, monkeypatch
) -> None:
    monkeypatch.setenv("PAGERDUTY_TOKEN", "u+WrongKey123")
    result = runner.invoke(
        app, ["collect", "-c", str(config(tmp_path, pagerduty))], terminal_width=200
    )
    assert result.exit_code == 5
    assert "PAGERDUTY_TOKEN" in result.output and "WrongKey" not in result.output


def test_config_errors_name_the_line(tmp_path: Path, pagerduty: FakePagerDuty) -> None:
    path = config(tmp_path, pagerduty, "    urgencies: [urgent]")
    with pytest.raises(
        ConfigError,
        match=r"assessment.yaml:\d+: sources\[1\]\.urgencies\[0\]: expected 'high' or 'low'",
    ):
        load_config(path)


def test_example_configs_load() -> None:
    for name in ("pagerduty.yaml", "jira.yaml", "opsgenie.yaml"):
        cfg = load_config(ROOT / "examples" / name)
        assert cfg.services, name


def test_a_new_mapping_replaces_the_stored_placement(
    tmp_path: Path, pagerduty: FakePagerDuty
) -> None:
    from opsmaturity.collect import collect
    from opsmaturity.records import CollectionNote, Incident
    from opsmaturity.sources.base import Window
    from opsmaturity.sources.incidents.pagerduty import PagerDutySource
    from opsmaturity.sources.incidents.services import ServiceMap
    from opsmaturity.store import Store

    window = Window(datetime(2026, 5, 17, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))

    def run(mapping: dict[str, list[str]]) -> list[Incident]:
        src = PagerDutySource(
            "pd",
            token=KEY,
            token_env="PAGERDUTY_TOKEN",
            base_url=pagerduty.api,
            ca_bundle=str(pagerduty.cert),
            services=ServiceMap.from_config(mapping, {}),
        )
        try:
            collect(src, store, window)
        finally:
            src.close()
        return sorted(store.records(Incident), key=lambda i: i.id)

    with Store(tmp_path / "store.sqlite") as store:
        first = run({"PTPS": ["initech/tps"]})
        assert [i.repository for i in first] == ["unmapped:Fax", "initech/tps"]
        again = run({"PTPS": ["initech/tps"]})  # same mapping: incremental, nothing replaced
        assert again == first
        pagerduty.log.reset()
        fixed = run({"PTPS": ["initech/tps"], "Fax": ["initech/fax"]})
        assert [i.repository for i in fixed] == ["initech/fax", "initech/tps"]
        assert not list(store.records(CollectionNote))  # the unmapped note went with it
        assert datetime.fromisoformat(parse_since(pagerduty)) == window.since  # read afresh


def parse_since(fake: FakePagerDuty) -> str:
    from urllib.parse import parse_qs

    return parse_qs(fake.log.entries[0].query)["since"][0]


def test_a_failure_mid_collection_resumes_after_the_last_stored_span(tmp_path: Path) -> None:
    from opsmaturity.collect import collect
    from opsmaturity.records import Incident
    from opsmaturity.sources.base import Window
    from opsmaturity.sources.incidents.pagerduty import PagerDutySource
    from opsmaturity.sources.incidents.services import ServiceMap
    from opsmaturity.store import Store

    window = Window(
        datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC)
    )  # four 30-day spans
    incidents = [
        PDIncident(
            f"P{m}",
            m,
            f"in month {m}",
            datetime(2026, m, 10, tzinfo=UTC),
            "PTPS",
            "TPS",
            resolved_at=datetime(2026, m, 11, tzinfo=UTC),
        )
        for m in (5, 6, 7)
    ]
    with (
        FakePagerDuty(incidents, token=KEY, tls_dir=tmp_path) as fake,
        Store(tmp_path / "s.sqlite") as store,
    ):

        def run() -> dict[str, str]:
            src = PagerDutySource(
                "pd",
                token=KEY,
                token_env="PAGERDUTY_TOKEN",
                base_url=fake.api,
                ca_bundle=str(fake.cert),
                services=ServiceMap.from_config({"TPS": ["i/tps"]}, {}),
                cooldown=0.001,
            )
            try:
                return collect(src, store, window).failed
            finally:
                src.close()

        fake.faults.add("status", "incidents", after=2, status=500)  # the third span keeps failing
        assert "failed after 6 attempts (answered 500)" in run()[""]
        fake.faults.clear()
        kept = sorted(i.id for i in store.records(Incident))
        assert kept == [
            "P5",
            "P6",
        ]  # spans one and two (to 30 June) were stored with their checkpoint
        fake.log.reset()
        run()
        assert sorted(i.id for i in store.records(Incident)) == ["P5", "P6", "P7"]
        first = datetime.fromisoformat(parse_since(fake))
        assert first > window.since + timedelta(days=59)  # resumed near 30 June, not restarted


def test_a_services_target_that_is_neither_team_nor_repository_names_its_line(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "a.yaml",
        "organization: {name: A, engineers: 3}\nperiod: {quarter: 2026Q3}\n"
        "sources:\n  - kind: pagerduty\nteams:\n  Payments: {repositories: [a/pay]}\n"
        "services:\n  Checkout: [a/checkout]\n  Ledger: [Payments, Paymnts]\n",
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == (
        f"{path}:9: services.Ledger[1]: 'Paymnts' is neither a team under `teams:` nor a repository (owner/name)"
    )
