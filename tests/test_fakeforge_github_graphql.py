"""The fake's ``POST /graphql`` refuses and charges queries as GitHub does, and every query
the source sends is valid against GitHub's published schema (vendored: no ``../shared``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from graphql import parse, validate

from opsmaturity.sources.github import graphql_queries as q
from tests.fakeforge import load_scenario
from tests.fakeforge.github import FakeGitHub
from tests.fakeforge.github_graphql import github_schema, measure

TOKEN = "gq-token"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGitHub]:
    with FakeGitHub(load_scenario("small"), token=TOKEN) as fake:
        yield fake


def post(
    server: FakeGitHub, query: str, variables: dict[str, Any] | None = None
) -> requests.Response:
    return requests.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"bearer {TOKEN}"},
        timeout=10,
    )


REPO = '{ repository(owner: "northwind", name: "checkout") { %s } }'


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (REPO % "nope", "Cannot query field 'nope' on type 'Repository'"),
        (REPO % "deployments(first: 5, colour: RED) { totalCount }", "Unknown argument 'colour'"),
        (
            REPO % 'deployments(first: "five") { totalCount }',
            "Int cannot represent non-integer value",
        ),
        (REPO % "deployments { totalCount }", "You must provide a `first` or `last` value"),
        (REPO % "deployments(first: 101) { totalCount }", "exceeds the `first` limit of 100"),
        (REPO % "deployments(last: 0) { totalCount }", "exceeds the `last` limit of 100"),
        (
            REPO % "pullRequests(first: 100) { nodes { commits(first: 100) { nodes { commit {"
            " history(first: 100) { totalCount } } } } } }",
            "exceeds the maximum limit of 500,000",
        ),
        ("query($x: Int!) { rateLimit { cost } }", "Variable '$x' is never used"),
        (
            "query($x: Int!) " + REPO % "deployments(first: $x) { totalCount }",
            "Variable '$x' of required type 'Int!' was not provided",
        ),
    ],
    ids=[
        "field",
        "argument",
        "type",
        "no-first",
        "first-101",
        "last-0",
        "node-limit",
        "unused-variable",
        "missing-variable",
    ],
)
def test_bad_queries_are_refused_with_200_and_no_data(
    server: FakeGitHub, query: str, message: str
) -> None:
    before = server.graphql_quota.used
    answer = post(server, query)
    assert answer.status_code == 200
    body = answer.json()
    assert "data" not in body and message in body["errors"][0]["message"], body
    assert server.graphql_quota.used == before  # a refused query costs nothing


def test_unknown_repository_is_null_with_a_not_found_error(server: FakeGitHub) -> None:
    body = post(server, '{ repository(owner: "northwind", name: "gone") { name } }').json()
    assert body["data"] == {"repository": None}
    assert body["errors"][0]["type"] == "NOT_FOUND" and body["errors"][0]["path"] == ["repository"]


def test_cost_in_points_and_rate_limit_headers(server: FakeGitHub) -> None:
    query = REPO % (
        "deployments(first: 100) { nodes { statuses(first: 100) { totalCount } } }"
        " issues(first: 100) { nodes { labels(first: 100) { totalCount } } }"
    )
    answer = post(server, "{ rateLimit { cost remaining nodeCount } " + query[1:])
    rate = answer.json()["data"]["rateLimit"]
    # 1 + 100 + 1 + 100 connection requests = 202 / 100 → 2 points; 20,200 nodes
    assert rate["cost"] == 2 and rate["nodeCount"] == 20_200
    assert answer.headers["x-ratelimit-resource"] == "graphql"
    assert int(answer.headers["x-ratelimit-remaining"]) == rate["remaining"]


def test_an_exhausted_budget_is_rate_limited(server: FakeGitHub) -> None:
    used = server.graphql_quota.used
    server.graphql_quota.used = server.graphql_quota.limit
    try:
        answer = post(server, "{ rateLimit { cost } }")
    finally:
        server.graphql_quota.used = used
    assert answer.status_code == 200 and answer.json()["errors"][0]["type"] == "RATE_LIMITED"
    assert answer.headers["x-ratelimit-remaining"] == "0"


def test_cursor_paging_walks_every_item_once(server: FakeGitHub) -> None:
    seen, after = [], None
    while True:
        page = post(
            server,
            'query($a: String) { repository(owner: "northwind", name: "checkout") {'
            " deployments(first: 1, after: $a) { pageInfo { hasNextPage endCursor } nodes { databaseId } } } }",
            {"a": after},
        ).json()["data"]["repository"]["deployments"]
        seen += [n["databaseId"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(d.id for d in load_scenario("small").repos[0].deployments)
    assert len(seen) == len(set(seen))


def test_bots_are_bot_actors_without_the_suffix_and_no_user_on_commits(server: FakeGitHub) -> None:
    scenario = load_scenario("small")
    bot = next(c for c in scenario.repos[0].commits if c.author.is_bot)
    body = post(
        server,
        REPO
        % f'object(oid: "{bot.sha}") {{ ... on Commit {{ author {{ name email user {{ login }} }} }} }}',
    ).json()
    assert body["data"]["repository"]["object"]["author"]["user"] is None
    bot_pull = next((p for r in scenario.repos for p in r.pulls if p.author.is_bot), None)
    if bot_pull is not None:
        pr = post(
            server,
            REPO % f"pullRequest(number: {bot_pull.number}) {{ author {{ __typename login }} }}",
        ).json()["data"]["repository"]["pullRequest"]
        assert pr["author"] == {
            "__typename": "Bot",
            "login": bot_pull.author.login.removesuffix("[bot]"),
        }


def test_bad_credentials_are_401(server: FakeGitHub) -> None:
    answer = requests.post(
        f"{server.url}/graphql",
        json={"query": "{ rateLimit { cost } }"},
        headers={"Authorization": "bearer nope"},
        timeout=10,
    )
    assert answer.status_code == 401 and answer.json()["message"] == "Bad credentials"


SOURCE_QUERIES = {
    "org probe": q.ORG_PROBE,
    "named probe": q.repositories_probe(3),
    "deployments": q.DEPLOYMENTS,
    "history and pulls": q.HISTORY_AND_PULLS,
    "first commits": q.first_commits([1, 2, 100]),
    "incidents by label": q.incident_issues(["u0", "o0", "u1", "o1"]),
    "incidents open only": q.incident_issues(["o1"]),
}


@pytest.mark.parametrize("name", SOURCE_QUERIES)
def test_every_query_the_source_sends_is_valid_and_affordable(name: str) -> None:
    schema = github_schema()
    document = parse(SOURCE_QUERIES[name])
    assert validate(schema, document) == []
    cost, nodes, refusals = measure(schema, document, {})
    assert not refusals and nodes <= 50_000 and cost <= 4, (cost, nodes)


def test_the_schema_is_built_once_per_process() -> None:
    github_schema()
    started = time.perf_counter()
    for _ in range(100):
        github_schema()
    assert time.perf_counter() - started < 0.01
