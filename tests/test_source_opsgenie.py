"""Opsgenie source: ``requests`` against FakeOpsgenie over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest

from opsmaturity.config import OpsgenieSource as OpsgenieConfig
from opsmaturity.errors import AuthError, RateLimited
from opsmaturity.records import CollectionNote, Incident
from opsmaturity.sources.base import MemoryCheckpoints, NullProgress, Window
from opsmaturity.sources.incidents.opsgenie import HOSTS, OpsgenieSource
from opsmaturity.sources.incidents.services import ServiceMap

from .fakeforge.opsgenie import FakeOpsgenie, OGIncident

KEY = "og-fake-key-42"
T0 = datetime(2026, 7, 1, tzinfo=UTC)
WINDOW = Window(T0 - timedelta(days=45), datetime(2026, 10, 1, tzinfo=UTC))
SERVICES = ServiceMap.from_config({"svc-checkout": ["org/checkout"]}, {})


def og(
    n: int,
    *,
    status: str = "resolved",
    hours: float = 2,
    services: tuple[str, ...] = ("svc-checkout",),
    **kw,
) -> OGIncident:
    created = T0 + timedelta(hours=n)
    updated = created + timedelta(hours=hours) if status != "open" else created
    return OGIncident(
        f"og-{n}",
        n,
        f"incident {n}",
        created,
        status=status,
        services=list(services),
        updated_at=updated,
        **kw,
    )


@pytest.fixture
def fake() -> Iterator[FakeOpsgenie]:
    with FakeOpsgenie([], token=KEY) as server:
        yield server


@pytest.fixture
def opened() -> Iterator[list[OpsgenieSource]]:
    sources: list[OpsgenieSource] = []
    yield sources
    for src in sources:
        src.close()


def source(
    fake: FakeOpsgenie, opened: list[OpsgenieSource], key: str = KEY, **kw
) -> OpsgenieSource:
    kw.setdefault("services", SERVICES)
    src = OpsgenieSource(
        "opsgenie", key=key, key_env="OPSGENIE_API_KEY", base_url=fake.api, pause=0.001, **kw
    )
    opened.append(src)
    return src


def collect(
    src: OpsgenieSource, window: Window = WINDOW
) -> tuple[list[Incident], list[CollectionNote]]:
    records = list(src.collect_incidents(window))
    return [r for r in records if isinstance(r, Incident)], [
        r for r in records if isinstance(r, CollectionNote)
    ]


def queries(fake: FakeOpsgenie) -> list[dict[str, list[str]]]:
    return [parse_qs(e.query) for e in fake.log.entries if e.endpoint == "opsgenie.incidents"]


def test_reads_fields_and_resolution(fake: FakeOpsgenie, opened) -> None:
    fake.scenario[:] = [og(1, priority="P1", tags=["db"]), og(2, status="open")]
    found, notes = collect(source(fake, opened))
    first, second = sorted(found, key=lambda i: i.created_at)
    assert (first.id, first.repository, first.title, first.priority) == (
        "og-1",
        "org/checkout",
        "incident 1",
        "P1",
    )
    assert first.resolved_at == T0 + timedelta(hours=3) and first.labels == ("db",)
    assert (second.status, second.resolved_at) == ("open", None)
    assert notes == []


def test_pages_of_100_follow_paging_next(fake: FakeOpsgenie, opened) -> None:
    fake.scenario[:] = [og(n) for n in range(1, 231)]
    found, _ = collect(source(fake, opened))
    assert len({i.id for i in found}) == 230
    assert [q["offset"] for q in queries(fake)] == [["0"], ["100"], ["200"]]
    assert all(q["limit"] == ["100"] for q in queries(fake))
    assert "createdAt>=" in queries(fake)[0]["query"][0]


def test_query_and_priorities_filter(fake: FakeOpsgenie, opened) -> None:
    fake.scenario[:] = [
        og(1, priority="P1"),
        og(2, priority="P4"),
        og(3, priority="P2", status="open"),
    ]
    found, notes = collect(source(fake, opened, query="status: resolved", priorities=["P1", "P2"]))
    assert [i.id for i in found] == ["og-1"]
    assert queries(fake)[0]["query"][0].endswith("AND (status: resolved)")
    assert [n.level for n in notes] == ["info"]


def test_unmapped_service_is_kept_and_noted(fake: FakeOpsgenie, opened) -> None:
    fake.scenario[:] = [og(1, services=("svc-search",))]
    (found,), (note,) = collect(source(fake, opened))
    assert found.repository == "unmapped:svc-search" and note.repository == "unmapped:svc-search"


def test_bad_key_names_the_variable_not_the_key(fake: FakeOpsgenie, opened) -> None:
    with pytest.raises(AuthError) as err:
        collect(source(fake, opened, key="not-the-key-31337"))
    assert "OPSGENIE_API_KEY" in str(err.value) and "31337" not in str(err.value)


def test_429_is_retried_then_reported(fake: FakeOpsgenie, opened) -> None:
    fake.scenario[:] = [og(1)]
    fake.faults.add("retry_after", "incidents", times=2)
    found, _ = collect(source(fake, opened))
    assert [i.id for i in found] == ["og-1"] and fake.log.count(status=429) == 2
    fake.faults.add("retry_after", "incidents")
    with pytest.raises(RateLimited):
        collect(source(fake, opened))


def test_incremental_run_starts_at_the_oldest_open(fake: FakeOpsgenie, opened) -> None:
    fake.scenario[:] = [og(1), og(4, status="open"), og(8)]
    src = source(fake, opened)
    src.open(NullProgress(), MemoryCheckpoints())
    collect(src)
    fake.log.reset()
    found, _ = collect(src)
    assert sorted(i.id for i in found) == ["og-4", "og-8"]
    assert (
        f"createdAt>={int((T0 + timedelta(hours=4)).timestamp() * 1000)}"
        in queries(fake)[0]["query"][0]
    )


def test_regions_pick_the_host() -> None:
    eu = OpsgenieConfig(kind="opsgenie", region="eu")
    assert HOSTS[eu.region] == "https://api.eu.opsgenie.com"
    src = OpsgenieSource("o", key="k", key_env="K", services=SERVICES, region="eu")
    try:
        assert src.base_url == "https://api.eu.opsgenie.com"
        assert src.session.headers["Authorization"] == "GenieKey k"
    finally:
        src.close()
