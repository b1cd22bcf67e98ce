"""Validate fake responses against the official OpenAPI subsets in ``../shared/forge-api``.

The schema files stay outside the project; :func:`spec_path` finds them relative to the
repository root and returns None when they are absent (tests then skip, saying so).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "forge-api"
SPEC_URI = "urn:forge-spec"


def spec_path(name: str) -> Path | None:
    path = SHARED / name
    return path if path.is_file() else None


@cache
def _load(name: str) -> dict[str, Any]:
    path = spec_path(name)
    assert path is not None, f"{SHARED / name} is missing"
    if path.suffix == ".json":
        return dict(json.loads(path.read_text()))
    import yaml

    return dict(yaml.safe_load(path.read_text()))


def response_schema(name: str, path: str, status: str = "200") -> dict[str, Any]:
    """The JSON schema of ``GET path``'s ``status`` response in spec file ``name``."""
    spec = _load(name)
    response = spec["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        response = _resolve(spec, response["$ref"])
    return dict(response["content"]["application/json"]["schema"])


def _resolve(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return dict(node)


def validate(name: str, schema: dict[str, Any], body: Any) -> list[str]:
    """Every schema error for ``body``, as ``json.path: message`` lines (empty = valid)."""
    from openapi_schema_validator import OAS30Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    spec = _load(name)
    registry = Registry().with_resource(SPEC_URI, Resource(contents=spec, specification=DRAFT4))
    rooted = json.loads(json.dumps(schema).replace('"#/components/', f'"{SPEC_URI}#/components/'))
    validator = OAS30Validator(rooted, registry=registry)
    return [
        f"{'.'.join(str(p) for p in err.absolute_path) or '<root>'}: {err.message[:200]}"
        for err in validator.iter_errors(body)
    ]
