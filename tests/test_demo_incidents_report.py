"""The demo end to end with its ``services:`` mapping changed: an unmapped service is named on
the data-quality page and in the Incidents section, and a service on two repositories marks
both but counts each incident once for the organization."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from opsmaturity.config import Config
from opsmaturity.demo.run import config_in
from opsmaturity.pipeline import build_report, load_dataset, refresh_local_sources
from opsmaturity.report import ReportData
from opsmaturity.report.render import render_html

GENERATED = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def report(tmp_path: Path, services: dict[str, list[str]]) -> ReportData:
    base = config_in(tmp_path)
    config: Config = base.model_copy(update={"services": services})
    refresh_local_sources(config)
    return build_report(config, load_dataset(config), [], previous=None, generated_at=GENERATED)


def test_unmapped_and_shared_services_in_the_demo_report(tmp_path: Path) -> None:
    services = dict(config_in(tmp_path / "plain").services)
    plain = report(tmp_path / "plain", services)
    assert plain.incidents is not None and plain.incidents.records == plain.incidents.opened

    unmapped = dict(services)
    del unmapped["payments"]
    lost = report(tmp_path / "unmapped", unmapped)
    assert lost.incidents is not None and [t.label for t in lost.incidents.unmapped] == ["payments"]
    assert lost.incidents.opened == plain.incidents.opened  # kept, never dropped
    notes = [n for n in lost.data_quality.notes if n.repository == "unmapped:payments"]
    assert len(notes) == 1 and "map to no repository" in notes[0].message
    html = render_html(lost)
    incidents, methodology = html.split('id="incidents"')[1], html.split('id="methodology"')[1]
    assert "payments: " in incidents.split("</section>")[0]
    assert (
        "unmapped:payments" in methodology
        and "incidents on service &#39;payments&#39;" in methodology
    )

    shared = dict(services)
    shared["payments"] = ["northwind/payments", "northwind/checkout-api"]
    both = report(tmp_path / "shared", shared)
    paid = next(t.count for t in plain.incidents.by_source)  # all demo incidents
    assert both.incidents is not None and both.incidents.opened == paid
    assert both.incidents.records > both.incidents.opened
    org_plain, org_both = plain.organization_scope, both.organization_scope
    assert org_plain is not None and org_both is not None
    assert org_both.incident_mttr.n == org_plain.incident_mttr.n
    assert org_both.incident_mttr.open == org_plain.incident_mttr.open
