"""The GraphQL queries the GitHub source sends, and the few built per call (aliases).

Every connection is paged at 100 (GitHub's maximum) and every query reports its cost
(``rateLimit``). Nested connections multiply nodes, not points: a page of 100 deployments
with 100 statuses each is 10,100 nodes (limit 500,000) and costs 1 point, so a
deployment's outcome comes with it instead of one status request per deployment (REST).
Tests validate each query here against GitHub's published schema.
"""

from __future__ import annotations

from collections.abc import Sequence

RATE = "rateLimit { cost remaining resetAt }"
PAGE = "pageInfo { hasNextPage endCursor }"


def _fill(text: str) -> str:
    """A query with ``__RATE__`` and ``__PAGE__`` spelled out (GraphQL's braces make
    ``str.format`` awkward)."""
    return text.replace("__RATE__", RATE).replace("__PAGE__", PAGE)


#: What the probe reads per repository: its identity, and fingerprints of what changes
#: when a deployment, its status or an issue does (an unchanged repository is skipped).
PROBE_FRAGMENT = """
fragment Probe on Repository {
  nameWithOwner url isArchived defaultBranchRef { name }
  deployments(first: 5, environments: $environments, orderBy: {field: CREATED_AT, direction: DESC}) {
    totalCount nodes { databaseId commitOid latestStatus { state createdAt } }
  }
  issues(first: 1, orderBy: {field: UPDATED_AT, direction: DESC}) {
    totalCount nodes { number updatedAt }
  }
}
"""

ORG_PROBE = _fill(
    """
query($org: String!, $after: String, $environments: [String!]) {
  __RATE__
  organization(login: $org) {
    repositories(first: 100, after: $after, orderBy: {field: NAME, direction: ASC}) {
      __PAGE__
      nodes { ...Probe }
    }
  }
}
"""
    + PROBE_FRAGMENT
)


def repositories_probe(count: int) -> str:
    """The probe for ``count`` named repositories in one query (aliases ``r0``...)."""
    params = "".join(f", $o{i}: String!, $n{i}: String!" for i in range(count))
    fields = "\n".join(
        f"  r{i}: repository(owner: $o{i}, name: $n{i}) {{ ...Probe }}" for i in range(count)
    )
    return f"query($environments: [String!]{params}) {{\n  {RATE}\n{fields}\n}}\n" + PROBE_FRAGMENT


DEPLOYMENTS = _fill("""
query($owner: String!, $name: String!, $environments: [String!], $after: String) {
  __RATE__
  repository(owner: $owner, name: $name) {
    deployments(first: 100, after: $after, environments: $environments,
                orderBy: {field: CREATED_AT, direction: DESC}) {
      __PAGE__
      nodes {
        databaseId environment commitOid createdAt
        latestStatus { state createdAt }
        statuses(first: 100) { nodes { state createdAt } }
      }
    }
  }
}
""")

#: One page of the default branch's history (from a deployed commit, back to ``since``)
#: and, while wanted, one page of merged pull requests, most recently updated first, in
#: the same request.
HISTORY_AND_PULLS = _fill("""
query($owner: String!, $name: String!, $head: GitObjectID!, $after: String,
      $since: GitTimestamp, $withHistory: Boolean!, $pullsAfter: String,
      $withPulls: Boolean!) {
  __RATE__
  repository(owner: $owner, name: $name) {
    object(oid: $head) @include(if: $withHistory) {
      ... on Commit {
        history(first: 100, after: $after, since: $since) {
          __PAGE__
          nodes {
            oid message authoredDate committedDate
            author { name email user { login } }
            parents(first: 100) { nodes { oid } }
          }
        }
      }
    }
    pullRequests(first: 100, after: $pullsAfter, states: [MERGED],
                 orderBy: {field: UPDATED_AT, direction: DESC}) @include(if: $withPulls) {
      __PAGE__
      nodes {
        number createdAt mergedAt updatedAt
        mergeCommit { oid }
        author { __typename login }
        labels(first: 100) { nodes { name } }
      }
    }
  }
}
""")


def first_commits(numbers: Sequence[int]) -> str:
    """The commits' author times of several pull requests in one query (``p<number>``)."""
    fields = "\n".join(
        f"    p{n}: pullRequest(number: {int(n)}) {{ commits(first: 100) {{ nodes {{ commit {{ authoredDate }} }} }} }}"
        for n in numbers
    )
    return (
        "query($owner: String!, $name: String!) {\n"
        f"  {RATE}\n  repository(owner: $owner, name: $name) {{\n{fields}\n  }}\n}}\n"
    )


ISSUE_FIELDS = "number title state createdAt closedAt labels(first: 100) { nodes { name } }"


def incident_issues(keys: Sequence[str]) -> str:
    """Issue lists in one query, one alias per key: ``u<i>`` issues updated since the
    window start, ``o<i>`` open ones; ``$l<i>`` their label (null: every issue)."""
    params = "".join(f", $l{k[1:]}: [String!], $a{k}: String" for k in keys)
    fields = []
    for key in keys:
        label = f"$l{key[1:]}"
        if key.startswith("u"):
            how = f"orderBy: {{field: UPDATED_AT, direction: DESC}}, filterBy: {{since: $since, labels: {label}}}"
        else:
            how = f"filterBy: {{states: [OPEN], labels: {label}}}"
        fields.append(
            f"    {key}: issues(first: 100, after: $a{key}, {how}) {{ {PAGE} nodes {{ {ISSUE_FIELDS} }} }}"
        )
    body = "\n".join(fields)
    since = ", $since: DateTime" if any(k.startswith("u") for k in keys) else ""
    return (
        f"query($owner: String!, $name: String!{since}{_dedupe(params)}) {{\n"
        f"  {RATE}\n  repository(owner: $owner, name: $name) {{\n{body}\n  }}\n}}\n"
    )


def _dedupe(params: str) -> str:
    """``$l<i>`` is declared once even when both ``u<i>`` and ``o<i>`` use it."""
    seen: list[str] = []
    for part in params.split(", ")[1:]:
        if part not in seen:
            seen.append(part)
    return "".join(f", {p}" for p in seen)
