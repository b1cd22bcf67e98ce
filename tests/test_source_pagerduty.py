"""PagerDuty source: the official ``pagerduty`` client over TLS against FakePagerDuty."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from opsmaturity.errors import AuthError, RateLimited
from opsmaturity.records import CollectionNote, Incident
from opsmaturity.sources.base import MemoryCheckpoints, NullProgress, Window
from opsmaturity.sources.incidents import pagerduty as pd_module
from opsmaturity.sources.incidents.pagerduty import PagerDutySource
from opsmaturity.sources.incidents.services import ServiceMap

from .fakeforge.pagerduty import FakePagerDuty, PDIncident

KEY = "pd-fake-key-0123"
T0 = datetime(2026, 7, 1, tzinfo=UTC)
WINDOW = Window(T0 - timedelta(days=45), datetime(2026, 10, 1, tzinfo=UTC))
SERVICES = ServiceMap.from_config(
    {"PCHK": ["org/checkout"], "Payments": ["org/pay", "org/ledger"]}, {}
)


def incident(
    n: int, *, hours: float = 1, service: tuple[str, str] = ("PCHK", "Checkout"), **kw
) -> PDIncident:
    created = T0 + timedelta(hours=n)
    kw.setdefault("resolved_at", created + timedelta(hours=hours))
    return PDIncident(f"PI{n:05d}", n, f"incident {n}", created, service[0], service[1], **kw)


OPENED: list[PagerDutySource] = []


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakePagerDuty]:
    with FakePagerDuty([], token=KEY, tls_dir=tmp_path) as server:
        yield server
        while OPENED:
            OPENED.pop().close()


def source(fake: FakePagerDuty, token: str = KEY, **kw) -> PagerDutySource:
    kw.setdefault("services", SERVICES)
    src = PagerDutySource(
        "pagerduty",
        token=token,
        token_env="PAGERDUTY_TOKEN",
        base_url=fake.api,
        ca_bundle=str(fake.cert),
        cooldown=0.001,
        **kw,
    )
    OPENED.append(src)
    return src


def collect(
    src: PagerDutySource, window: Window = WINDOW
) -> tuple[list[Incident], list[CollectionNote]]:
    records = list(src.collect_incidents(window))
    return [r for r in records if isinstance(r, Incident)], [
        r for r in records if isinstance(r, CollectionNote)
    ]


def queries(
    fake: FakePagerDuty, endpoint: str = "pagerduty.incidents"
) -> list[dict[str, list[str]]]:
    return [parse_qs(e.query) for e in fake.log.entries if e.endpoint == endpoint]


def test_reads_fields_with_v2_headers(fake: FakePagerDuty) -> None:
    fake.scenario[:] = [
        incident(1, priority="P1", teams=[("PT1", "Platform")]),
        incident(2, status="triggered", resolved_at=None, urgency="low"),
    ]
    found, notes = collect(source(fake))
    first, second = sorted(found, key=lambda i: i.created_at)
    assert (first.id, first.repository, first.title) == ("PI00001", "org/checkout", "incident 1")
    assert (first.priority, first.severity, first.urgency, first.status) == (
        "P1",
        "P1",
        "high",
        "resolved",
    )
    assert first.resolved_at == T0 + timedelta(hours=2)
    assert first.services == ("Checkout",) and first.labels == ("Platform",)
    assert (second.status, second.resolved_at, second.urgency) == ("triggered", None, "low")
    assert notes == []
    assert set(fake.accept_headers) == {"application/vnd.pagerduty+json;version=2"}


def test_pages_of_at_most_100_until_more_is_false(fake: FakePagerDuty) -> None:
    fake.scenario[:] = [incident(n, hours=0.5) for n in range(1, 251)]
    found, _ = collect(source(fake))
    assert len(found) == 250 and len({i.id for i in found}) == 250

    def holds_t0(q: dict[str, list[str]]) -> bool:
        return datetime.fromisoformat(q["since"][0]) <= T0 < datetime.fromisoformat(q["until"][0])

    pages = [q for q in queries(fake) if holds_t0(q)]
    assert [(q["limit"], q["offset"]) for q in pages] == [
        (["100"], ["0"]),
        (["100"], ["100"]),
        (["100"], ["200"]),
    ]


def test_long_windows_are_split_into_spans_the_api_accepts(fake: FakePagerDuty) -> None:
    year = Window(datetime(2025, 10, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
    fake.scenario[:] = [incident(1)]
    found, _ = collect(source(fake), year)
    assert [i.id for i in found] == ["PI00001"]
    spans = [
        (datetime.fromisoformat(q["since"][0]), datetime.fromisoformat(q["until"][0]))
        for q in queries(fake)
    ]
    assert spans[0][0] == year.since and spans[-1][1] == year.until
    assert all(b - a <= timedelta(days=30) for a, b in spans)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))  # no gap, no overlap
    assert fake.log.count(status=400) == 0


def test_a_span_past_the_offset_limit_is_read_as_halves(fake: FakePagerDuty, monkeypatch) -> None:
    monkeypatch.setattr(pd_module, "OFFSET_LIMIT", 300)
    monkeypatch.setattr("tests.fakeforge.pagerduty.ITERATION_LIMIT", 300)
    fake.scenario[:] = [incident(n, hours=0.1) for n in range(1, 451)]
    found, _ = collect(source(fake))
    assert len({i.id for i in found}) == 450
    assert fake.log.count(status=400) == 0
    assert max(int(q["offset"][0]) + int(q["limit"][0]) for q in queries(fake)) <= 300


def test_resolution_time_from_log_entries_when_the_object_lacks_it(fake: FakePagerDuty) -> None:
    fake.scenario[:] = [incident(1, hours=3, omit_resolved_at=True)]
    (found,), _ = collect(source(fake))
    assert found.resolved_at == T0 + timedelta(hours=4)
    assert fake.log.count("pagerduty.log_entries") == 1


def test_filters_go_to_the_api_and_priorities_are_applied(fake: FakePagerDuty) -> None:
    fake.scenario[:] = [
        incident(1, priority="P1"),
        incident(2, priority="P3"),
        incident(3, priority="P1", urgency="low"),
        incident(4),  # no priority: kept, a filter cannot judge it
    ]
    src = source(fake, urgencies=["high"], service_ids=["PCHK"], priorities=["p1"])
    found, notes = collect(src)
    assert sorted(i.id for i in found) == ["PI00001", "PI00004"]
    q = queries(fake)[0]
    assert (q["urgencies[]"], q["service_ids[]"]) == (["high"], ["PCHK"])
    assert [n.level for n in notes] == ["info"] and "priorities" in notes[0].message


def test_unmapped_service_is_kept_counted_and_noted(fake: FakePagerDuty) -> None:
    fake.scenario[:] = [
        incident(1),
        incident(2, service=("PXYZ", "Search")),
        incident(3, service=("PXYZ", "Search")),
    ]
    found, notes = collect(source(fake))
    assert sorted(i.repository for i in found) == [
        "org/checkout",
        "unmapped:Search",
        "unmapped:Search",
    ]
    (note,) = notes
    assert (
        note.repository == "unmapped:Search"
        and "services:" in note.message
        and note.level == "warning"
    )


def test_a_service_mapped_by_name_to_two_repositories(fake: FakePagerDuty) -> None:
    fake.scenario[:] = [incident(1, service=("PPAY", "Payments"))]
    found, _ = collect(source(fake))
    assert sorted(i.repository for i in found) == ["org/ledger", "org/pay"]


def test_bad_key_is_one_line_naming_the_variable(fake: FakePagerDuty) -> None:
    src = source(fake, token="wrong-key-987")
    with pytest.raises(AuthError) as err:
        collect(src)
    message = str(err.value)
    assert "PAGERDUTY_TOKEN" in message and "\n" not in message
    assert "wrong-key" not in message and "987" not in message


def test_429_is_retried(fake: FakePagerDuty) -> None:
    fake.scenario[:] = [incident(1)]
    fake.faults.add("retry_after", "incidents", times=2)
    found, _ = collect(source(fake))
    assert [i.id for i in found] == ["PI00001"]
    assert fake.log.count(status=429) == 2


def test_429_without_end_is_a_rate_limit_error(fake: FakePagerDuty) -> None:
    fake.faults.add("retry_after", "incidents")
    with pytest.raises(RateLimited, match="429"):
        collect(source(fake))


def test_incremental_run_reads_from_the_oldest_open_incident(fake: FakePagerDuty) -> None:
    fake.scenario[:] = [incident(1), incident(5, status="triggered", resolved_at=None), incident(9)]
    src = source(fake)
    src.open(NullProgress(), MemoryCheckpoints())
    collect(src)
    fake.scenario[1].status, fake.scenario[1].resolved_at = "resolved", T0 + timedelta(hours=8)
    fake.scenario.append(incident(40 * 24))
    fake.log.reset()
    found, _ = collect(src)
    assert sorted(i.id for i in found) == ["PI00005", "PI00009", "PI00960"]
    assert next(i for i in found if i.id == "PI00005").resolved_at == T0 + timedelta(hours=8)
    assert datetime.fromisoformat(queries(fake)[0]["since"][0]) == T0 + timedelta(hours=5)


def test_a_window_outside_the_checkpoint_starts_afresh(fake: FakePagerDuty) -> None:
    fake.scenario[:] = [incident(1)]
    src = source(fake)
    src.open(NullProgress(), MemoryCheckpoints())
    collect(src)
    earlier = Window(WINDOW.since - timedelta(days=90), WINDOW.until)
    fake.log.reset()
    collect(src, earlier)
    assert datetime.fromisoformat(queries(fake)[0]["since"][0]) == earlier.since


def test_an_earlier_window_inside_the_read_span_keeps_the_checkpoint(fake: FakePagerDuty) -> None:
    fake.scenario[:] = [incident(1), incident(5, status="triggered", resolved_at=None)]
    src = source(fake)
    src.open(NullProgress(), MemoryCheckpoints())
    collect(src)
    saved = src.checkpoints.get("*", "incidents")
    fake.log.reset()
    found, _ = collect(src, Window(WINDOW.since + timedelta(days=1), T0 + timedelta(days=30)))
    assert [i.id for i in found] == ["PI00005"]  # only the open one is read again
    assert src.checkpoints.get("*", "incidents") == saved  # the span read did not shrink
    fake.scenario[1].status, fake.scenario[1].resolved_at = "resolved", T0 + timedelta(hours=9)
    collect(src)  # now nothing is open
    fake.log.reset()
    saved = src.checkpoints.get("*", "incidents")
    found, _ = collect(src, Window(WINDOW.since + timedelta(days=1), T0 + timedelta(days=30)))
    assert found == [] and fake.log.total == 0
    assert src.checkpoints.get("*", "incidents") == saved


def test_malformed_answers_are_one_line_errors(fake: FakePagerDuty) -> None:
    from opsmaturity.errors import SourceError

    fake.scenario[:] = [incident(1)]
    fake.faults.add("malformed_json", "incidents", times=1)
    found, _ = collect(source(fake))  # a proxy's HTML page once: retried like a 5xx
    assert [i.id for i in found] == ["PI00001"]
    fake.faults.add("malformed_json", "incidents")
    with pytest.raises(
        SourceError, match=r"failed after 6 attempts \(unreadable answer: cut or not JSON\)"
    ):
        collect(source(fake))
    fake.faults.clear()
    fake.scenario[0].wire = lambda base: {"id": "PI00001", "status": "resolved"}  # type: ignore[method-assign]
    with pytest.raises(SourceError, match="incident PI00001 is unreadable"):
        collect(source(fake))
