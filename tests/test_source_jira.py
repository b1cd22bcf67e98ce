"""Jira source: the ``jira`` package against FakeJira (Cloud and Data Center) over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest

from opsmaturity.errors import AuthError
from opsmaturity.records import CollectionNote, Incident
from opsmaturity.sources.base import Window
from opsmaturity.sources.incidents.jira import JiraSource
from opsmaturity.sources.incidents.services import ServiceMap

from .fakeforge.jira import FakeJira, JiraIssue

TOKEN = "jira-fake-token-77"
USER = "ops@example.com"
T0 = datetime(2026, 7, 1, tzinfo=UTC)
WINDOW = Window(T0 - timedelta(days=45), datetime(2026, 10, 1, tzinfo=UTC))
SERVICES = ServiceMap.from_config({"Checkout": ["org/checkout"], "PAY": ["org/pay"]}, {})


def issue(n: int, *, project: str = "OPS", hours: float | None = 2, **kw) -> JiraIssue:
    created = T0 + timedelta(hours=n)
    resolved = created + timedelta(hours=hours) if hours is not None else None
    kw.setdefault("components", ["Checkout"])
    return JiraIssue(f"{project}-{n}", f"incident {n}", created, resolved, **kw)


@pytest.fixture
def opened() -> Iterator[list[JiraSource]]:
    sources: list[JiraSource] = []
    yield sources
    for src in sources:
        src.close()


def source(fake: FakeJira, opened: list[JiraSource], **kw) -> JiraSource:
    kw.setdefault("services", SERVICES)
    kw.setdefault("projects", ["OPS", "PAY"])
    kw.setdefault("token", TOKEN)
    if fake.cloud:
        kw.setdefault("user", USER)
    src = JiraSource(
        "jira",
        base_url=fake.api,
        token_env="JIRA_TOKEN",
        deployment="cloud" if fake.cloud else "datacenter",
        pause=0.001,
        **kw,
    )
    opened.append(src)
    return src


def collect(
    src: JiraSource, window: Window = WINDOW
) -> tuple[list[Incident], list[CollectionNote]]:
    records = list(src.collect_incidents(window))
    return [r for r in records if isinstance(r, Incident)], [
        r for r in records if isinstance(r, CollectionNote)
    ]


def searches(fake: FakeJira, endpoint: str) -> list[dict[str, list[str]]]:
    return [parse_qs(e.query) for e in fake.log.entries if e.endpoint == endpoint]


def test_cloud_reads_fields_through_the_enhanced_search(opened) -> None:
    issues = [
        issue(
            1,
            priority="Highest",
            labels=["db"],
            custom={"customfield_10042": {"value": "Sev-1"}, "customfield_10050": "eu-west"},
        ),
        issue(
            2, hours=None, components=[]
        ),  # open, no component: placed by project key OPS (unmapped)
    ]
    with FakeJira(issues, token=TOKEN, user=USER) as fake:
        src = source(
            fake,
            opened,
            severity_field="customfield_10042",
            custom_fields={"region": "customfield_10050"},
        )
        found, notes = collect(src)
    first, second = sorted(found, key=lambda i: i.created_at)
    assert (first.id, first.repository, first.title) == ("OPS-1", "org/checkout", "incident 1")
    assert (first.severity, first.priority) == ("Sev-1", "Highest")
    assert first.labels == ("db", "region:eu-west") and first.services == ("Checkout",)
    assert first.resolved_at == T0 + timedelta(hours=3)
    assert (second.resolved_at, second.repository) == (None, "unmapped:(no service)")
    assert [n.repository for n in notes] == ["unmapped:(no service)"]
    (query,) = searches(fake, "jira.search_jql")
    jql = query["jql"][0]
    assert jql.startswith('(issuetype = Incident AND project in ("OPS", "PAY")) AND created >= "')
    assert jql.endswith("ORDER BY created ASC")
    assert fake.log.count("jira.search") == 0  # never the retired startAt endpoint


def test_cloud_follows_next_page_token_until_the_last_page(opened) -> None:
    with FakeJira([issue(n) for n in range(1, 251)], token=TOKEN, user=USER) as fake:
        found, _ = collect(source(fake, opened))
        pages = searches(fake, "jira.search_jql")
    assert len({i.id for i in found}) == 250
    assert [q.get("nextPageToken") for q in pages] == [None, ["100"], ["200"]]
    assert all(q["maxResults"] == ["100"] for q in pages)


def test_datacenter_pages_with_start_at_under_a_lower_server_cap(opened) -> None:
    with FakeJira([issue(n) for n in range(1, 131)], token=TOKEN, cloud=False, dc_max=50) as fake:
        found, _ = collect(source(fake, opened))
        pages = searches(fake, "jira.search")
    assert len({i.id for i in found}) == 130
    assert [q["startAt"] for q in pages] == [["0"], ["50"], ["100"]]  # advances by what came back
    assert fake.log.count("jira.search_jql") == 0


def test_project_key_places_an_incident_without_component(opened) -> None:
    with FakeJira([issue(1, project="PAY", components=[])], token=TOKEN, user=USER) as fake:
        (found,), notes = collect(source(fake, opened))
    assert found.repository == "org/pay" and notes == []


def test_priority_filter_and_window_cut(opened) -> None:
    issues = [
        issue(1, priority="Highest"),
        issue(2, priority="Low"),
        issue(-50 * 24, priority="Highest"),
    ]
    with FakeJira(issues, token=TOKEN, user=USER) as fake:
        found, notes = collect(source(fake, opened, priorities=["Highest"]))
    assert [i.id for i in found] == ["OPS-1"]  # OPS-2 filtered; the old one is outside the window
    assert [n.level for n in notes] == ["info"]


def test_custom_jql_replaces_the_default(opened) -> None:
    with FakeJira([issue(1)], token=TOKEN, user=USER) as fake:
        collect(source(fake, opened, jql='project = OPS AND labels = "outage"'))
        (query,) = searches(fake, "jira.search_jql")
    assert query["jql"][0].startswith('(project = OPS AND labels = "outage") AND created >=')


def test_bad_token_is_one_line_naming_the_variable(opened) -> None:
    with FakeJira([issue(1)], token=TOKEN, user=USER) as fake, pytest.raises(AuthError) as err:
        collect(source(fake, opened, token="wrong-token-5150"))
    assert (
        "JIRA_TOKEN" in str(err.value)
        and "5150" not in str(err.value)
        and "\n" not in str(err.value)
    )


def test_429_is_retried(opened) -> None:
    with FakeJira([issue(1)], token=TOKEN, user=USER) as fake:
        fake.faults.add("retry_after", "search_jql", times=1)
        found, _ = collect(source(fake, opened))
        assert [i.id for i in found] == ["OPS-1"] and fake.log.count(status=429) == 1


def test_the_wrong_deployment_kind_says_which_to_set(opened) -> None:
    from opsmaturity.errors import SourceError

    with (
        FakeJira([issue(1)], token=TOKEN, cloud=False) as fake,
        pytest.raises(SourceError, match="is Jira Data Center; set `deployment: datacenter`"),
    ):
        JiraSource(
            "jira",
            base_url=fake.api,
            token=TOKEN,
            token_env="JIRA_TOKEN",
            services=SERVICES,
            deployment="cloud",
            projects=["OPS"],
        )
