"""FakeGitHub's ``POST /graphql``, on GitHub's real public schema (graphql-core).

What GitHub does, and so this does (``../shared/forge-api/README.md``, GraphQL facts):

* every query is parsed and validated against the schema before anything runs: an unknown
  field or argument, a wrong type, a missing variable → HTTP 200, ``errors``, no ``data``;
* every connection needs ``first`` or ``last`` between 1 and 100; a query that could touch
  more than 500,000 nodes (the product of ``first`` values down each path) is refused;
* it costs points: the connections it could request, divided by 100, rounded, at least 1,
  against 5,000 points an hour; ``rateLimit { cost remaining resetAt }`` reports it and
  ``x-ratelimit-*`` headers (resource ``graphql``) carry it; an exhausted budget is a 200
  with a ``RATE_LIMITED`` error;
* a field that cannot be read is null with an error whose ``path`` names it, beside the
  rest of the data (HTTP 200). The ``graphql_error`` fault does that on purpose:
  ``faults.add("graphql_error", "github.graphql", times=1, field="history")`` nulls the
  first ``history`` in the answer (``field`` omitted: the whole ``data``); its ``path=``
  also matches the request body, so ``path="acme/service-001"`` hits one repository.

The schema is the vendored ``tests/fixtures/github-graphql-schema.graphql.gz`` (octokit/
graphql-schema, MIT), loaded once per process: about 1.2 s.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    build_ast_schema,
    execute,
    get_named_type,
    parse,
    validate,
    value_from_ast,
)
from graphql.execution.values import get_variable_values
from graphql.type import GraphQLInterfaceType, GraphQLObjectType

from .github_graphql_data import GraphData
from .server import Request, Response

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "github-graphql-schema.graphql.gz"
DOCS = "https://docs.github.com/graphql"
MAX_NODES = 500_000
MAX_PAGE = 100
POINTS_PER_HOUR = 5_000


@lru_cache(maxsize=1)
def github_schema() -> GraphQLSchema:
    """GitHub's schema, built once per process. ``assume_valid_sdl``: the published file
    defines two ``EnterpriseOwnerInfo`` fields twice, which a strict build refuses; queries
    are still validated in full."""
    text = gzip.decompress(SCHEMA.read_bytes()).decode()
    return build_ast_schema(parse(text, no_location=True), assume_valid=True, assume_valid_sdl=True)


class QueryRefused(Exception):
    """A query GitHub would refuse before running it; ``errors`` is the answer's list."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"])
        self.errors = errors


class PointQuota:
    """GraphQL's primary limit: points per hour, a query's cost taken when it runs."""

    def __init__(self, limit: int = POINTS_PER_HOUR, window: int = 3600) -> None:
        self.limit, self.window = limit, window
        self.used = 0
        self.reset_at = int(time.time()) + window
        self._lock = threading.Lock()

    def take(self, cost: int) -> tuple[bool, int, int, int]:
        """``(allowed, remaining, used, reset_at)`` after charging ``cost`` if it fits."""
        with self._lock:
            now = time.time()
            if now >= self.reset_at:
                self.used, self.reset_at = 0, int(now) + self.window
            allowed = self.used + cost <= self.limit
            if allowed:
                self.used += cost
            return allowed, self.limit - self.used, self.used, self.reset_at


# -- cost and node limit ---------------------------------------------------------------
class _Walk:
    """Counts what a query could request: connection calls (cost) and nodes (limit)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables
        self.requests = 0
        self.nodes = 0
        self.errors: list[dict[str, Any]] = []

    def selection(self, selections: SelectionSetNode | None, parent: Any, factor: int) -> None:
        for node in selections.selections if selections else ():
            if isinstance(node, FieldNode):
                self.field(node, parent, factor)
            elif isinstance(node, InlineFragmentNode):
                cond = node.type_condition
                kind = self.schema.get_type(cond.name.value) if cond else parent
                self.selection(node.selection_set, kind, factor)
            elif isinstance(node, FragmentSpreadNode):
                frag = self.fragments[node.name.value]
                kind = self.schema.get_type(frag.type_condition.name.value)
                self.selection(frag.selection_set, kind, factor)

    def field(self, node: FieldNode, parent: Any, factor: int) -> None:
        name = node.name.value
        if name.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return
        definition = parent.fields.get(name)
        if definition is None:
            return
        kind = get_named_type(definition.type)
        if kind.name.endswith("Connection"):
            size = self._page_size(node, definition)
            if size is None:
                return
            self.requests += factor
            factor *= size
            self.nodes += factor
            if self.nodes > MAX_NODES:
                self.errors.append(_node_limit(name, self.nodes))
                return
        self.selection(node.selection_set, kind, factor)

    def _page_size(self, node: FieldNode, definition: Any) -> int | None:
        args = {
            a.name.value: value_from_ast(
                a.value, definition.args[a.name.value].type, self.variables
            )
            for a in node.arguments or ()
            if a.name.value in definition.args
        }
        name = node.name.value
        size = args.get("first") if args.get("first") is not None else args.get("last")
        if size is None:
            self.errors.append(
                {
                    "type": "MISSING_PAGINATION_BOUNDARIES",
                    "path": [name],
                    "message": f"You must provide a `first` or `last` value to properly "
                    f"paginate the `{name}` connection.",
                }
            )
            return None
        if not 1 <= int(size) <= MAX_PAGE:
            which = "first" if args.get("first") is not None else "last"
            self.errors.append(
                {
                    "type": "EXCESSIVE_PAGINATION",
                    "path": [name],
                    "message": f"Requesting {size} records on the `{name}` connection exceeds "
                    f"the `{which}` limit of {MAX_PAGE} records.",
                }
            )
            return None
        return int(size)


def _node_limit(name: str, nodes: int) -> dict[str, Any]:
    return {
        "type": "MAX_NODE_LIMIT_EXCEEDED",
        "message": f"By the time this query traverses to the {name} connection, it is "
        f"requesting up to {nodes:,} possible nodes which exceeds the maximum limit of "
        f"{MAX_NODES:,}.",
    }


def measure(
    schema: GraphQLSchema, document: Any, variables: dict[str, Any]
) -> tuple[int, int, list[dict[str, Any]]]:
    """``(cost in points, node count, refusals)`` of a validated document."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, variables)
    for op in (d for d in document.definitions if isinstance(d, OperationDefinitionNode)):
        walk.selection(op.selection_set, schema.query_type, 1)
    return max(1, round(walk.requests / 100)), walk.nodes, walk.errors


def _error(error: GraphQLError) -> dict[str, Any]:
    """graphql-core's error as GitHub words it: ``type`` at the top level, not in extensions."""
    out = error.formatted
    extensions = out.pop("extensions", None) or {}
    if "type" in extensions:
        out = {"type": extensions["type"], **out}
    return out


def prepare(schema: GraphQLSchema, body: bytes) -> tuple[Any, dict[str, Any], int, int]:
    """Parse, validate and measure a request body; raise :class:`QueryRefused` as GitHub
    would refuse it. Returns ``(document, variables, cost, nodes)``."""
    try:
        payload = json.loads(body or b"{}")
        query, variables = payload["query"], payload.get("variables") or {}
    except (ValueError, KeyError, TypeError):
        raise QueryRefused(
            [{"message": "A query attribute must be specified and must be a string."}]
        ) from None
    try:
        document = parse(query)
    except GraphQLError as exc:
        raise QueryRefused([_error(exc)]) from None
    problems = validate(schema, document)
    if problems:
        raise QueryRefused([_error(e) for e in problems])
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
    if isinstance(coerced, list):
        raise QueryRefused([_error(e) for e in coerced])
    cost, nodes, refusals = measure(schema, document, coerced)
    if refusals:
        raise QueryRefused(refusals)
    return document, variables, cost, nodes


class GraphQLRoutes:
    """Mixin of :class:`~.github.FakeGitHub`: ``POST /graphql`` (``/api/graphql`` on GHES).

    Needs ``scenario`` and ``faults``; keeps its own point quota (``graphql_quota``) and
    the costs it charged (``graphql_costs``, one per answered query) for benches."""

    graphql_quota: PointQuota
    graphql_costs: list[int]

    def graphql_path(self, prefix: str) -> str:
        return "/api/graphql" if prefix == "/api/v3" else f"{prefix}/graphql"

    def graphql(self, req: Request) -> Response:
        schema = github_schema()
        try:
            document, variables, cost, nodes = prepare(schema, req.body)
        except QueryRefused as refused:
            return Response(200, {"errors": refused.errors})
        allowed, remaining, used, reset = self.graphql_quota.take(cost)
        headers = {
            "x-ratelimit-limit": str(self.graphql_quota.limit),
            "x-ratelimit-remaining": str(max(0, remaining)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-resource": "graphql",
        }
        if not allowed:
            message = "API rate limit already exceeded for user ID 1."
            return Response(
                200, {"errors": [{"type": "RATE_LIMITED", "message": message}]}, headers
            )
        self.graphql_costs.append(cost)
        rate = {
            "cost": cost,
            "limit": self.graphql_quota.limit,
            "remaining": remaining,
            "used": used,
            "nodeCount": nodes,
            "resetAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(reset)),
        }
        data = GraphData(self.scenario)  # type: ignore[attr-defined]
        result = execute(
            schema, document, data.root(lambda info, **_: rate), variable_values=variables
        )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [_error(e) for e in result.errors]
        self._inject_errors(req, body)
        return Response(200, body, headers)

    def _inject_errors(self, req: Request, body: dict[str, Any]) -> None:
        """The ``graphql_error`` fault: null a field (or all data) and say so in ``errors``."""
        # ``path=`` matches the request body too: one repository's queries name it there
        where = f"{req.path} {req.body.decode(errors='replace')}"
        rule = self.faults.take("graphql_error", req.endpoint, where)  # type: ignore[attr-defined]
        if rule is None:
            return
        message = (
            "Something went wrong while executing your query. This may be the result of a "
            "timeout, or it could be a GitHub bug. Please include `ABCD:1234` when reporting "
            "this issue."
        )
        field = rule.params.get("field")
        path = _null_first(body.get("data"), str(field), []) if field else None
        if path is None:
            body["data"] = None
        body.setdefault("errors", []).append({"message": message, "path": path or []})


def _null_first(value: Any, key: str, path: list[Any]) -> list[Any] | None:
    """Set the first ``key`` found (depth first) to None; return its path."""
    if isinstance(value, dict):
        for name, child in value.items():
            if name == key and child is not None:
                value[name] = None
                return [*path, name]
            found = _null_first(child, key, [*path, name])
            if found:
                return found
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found = _null_first(child, key, [*path, index])
            if found:
                return found
    return None
