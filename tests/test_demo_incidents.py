"""The demo's incidents carry PagerDuty-style incident-tool fields (priority, urgency,
status, acknowledgement, service), so the demo exercises what incident tools deliver."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from opsmaturity.config import load_config
from opsmaturity.demo import demo_config, demo_teams, generate
from opsmaturity.demo.source import DemoSource
from opsmaturity.records import CollectionNote, Incident, record_key
from opsmaturity.sources.base import Window
from opsmaturity.sources.incidents.services import ServiceMap

PRIORITY = {"SEV1": "P1", "SEV2": "P2", "SEV3": "P3"}


def test_demo_incidents_look_paged() -> None:
    incidents = generate(42).incidents
    assert incidents
    for i in incidents:
        assert i.priority == PRIORITY[i.severity or ""]
        assert i.urgency == ("low" if i.severity == "SEV3" else "high")
        assert i.services == (i.repository.split("/")[-1],)
        assert i.status == ("resolved" if i.resolved_at else "acknowledged")
        assert i.acknowledged_at is not None and i.acknowledged_at >= i.created_at
        assert i.resolved_at is None or i.acknowledged_at <= i.resolved_at
    assert {i.urgency for i in incidents} == {"high", "low"}


# -- the demo's services mapping ----------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
WINDOW = Window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))


def collected(services: dict[str, list[str]] | None) -> tuple[list[Incident], list[CollectionNote]]:
    """What a collection of the demo stores: every repository's incidents, then the notes."""
    mapping = None if services is None else ServiceMap.from_config(services, demo_teams())
    source = DemoSource(services=mapping)
    found = [r for repo in source.repositories() for r in source.incidents(repo, WINDOW)]
    return [r for r in found if isinstance(r, Incident)], source.notes()


def test_demo_config_and_example_map_every_service_to_its_repository() -> None:
    mapping = demo_config().services
    assert load_config(ROOT / "examples" / "demo.yaml").services == mapping
    services = {s for i in generate(42).incidents for s in i.services}
    assert services and services <= {k.casefold() for k in mapping}
    for service, repos in mapping.items():
        assert repos == [f"northwind/{service}"]


def test_mapping_places_the_demo_incidents_where_they_were_simulated() -> None:
    mapped, notes = collected(demo_config().services)
    plain, _ = collected(None)
    assert sorted(map(record_key, mapped)) == sorted(map(record_key, plain)) and notes == []


def test_unmapped_demo_service_is_kept_and_noted() -> None:
    services = dict(demo_config().services)
    del services["payments"]
    incidents, notes = collected(services)
    unmapped = [i for i in incidents if i.repository == "unmapped:payments"]
    plain, _ = collected(None)
    assert len(unmapped) == sum(i.repository == "northwind/payments" for i in plain) > 0
    assert len(incidents) == len(plain)
    assert [(n.repository, n.level) for n in notes] == [("unmapped:payments", "warning")]
    assert "'payments'" in notes[0].message and "services:" in notes[0].message


def test_service_on_two_repositories_gives_a_copy_to_each() -> None:
    services = dict(demo_config().services)
    services["payments"] = ["northwind/payments", "northwind/checkout-api"]
    incidents, _ = collected(services)
    plain, _ = collected(None)
    paid = {i.id for i in plain if i.repository == "northwind/payments"}
    api = {
        i.id
        for i in incidents
        if i.repository == "northwind/checkout-api" and i.services == ("payments",)
    }
    assert api == paid and len(incidents) == len(plain) + len(paid)
