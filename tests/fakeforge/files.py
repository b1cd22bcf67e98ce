"""Load scenario data files (``scenarios/*.yaml``) into the scenario dataclasses.

Files name people once under ``people:`` and refer to them by key; commits may use short
labels (``c1``) wherever a SHA goes — they become stable 40-hex SHAs on load.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from . import scenario as sc

SCENARIOS = Path(__file__).parent / "scenarios"
_SHA_FIELDS = {"sha", "parents", "commits", "landed", "merge_commit_sha", "head_sha"}


def load_scenario(name_or_path: str | Path) -> sc.Scenario:
    """``load_scenario("small")`` or a path to a YAML file."""
    path = Path(name_or_path)
    if not path.suffix:
        path = SCENARIOS / f"{name_or_path}.yaml"
    data = yaml.safe_load(path.read_text())
    people = {
        key: _build(sc.Person, value, {}, key)
        for key, value in (data.pop("people", {}) or {}).items()
    }
    scenario = _build(sc.Scenario, data, people, path.name)
    for repo in scenario.repos:
        repo.branches = {k: sc.fake_sha(str(v)) for k, v in repo.branches.items()}
        repo.reset_caches()
    return scenario


def _build(cls: type, data: Any, people: dict[str, sc.Person], where: str) -> Any:
    if cls is sc.Person and isinstance(data, str):
        if data not in people:
            raise ValueError(f"{where}: unknown person {data!r}")
        return people[data]
    if cls is sc.StatusEvent and isinstance(data, list):
        data = dict(zip(("state", "at", "description"), data, strict=False))
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)} for {cls.__name__}")
    kwargs = {
        key: _value(hints[key], value, people, f"{where}.{key}", key in _SHA_FIELDS)
        for key, value in data.items()
    }
    return cls(**kwargs)


def _value(hint: Any, value: Any, people: dict[str, sc.Person], where: str, sha: bool) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _value(inner[0], value, people, where, sha)
    if origin is list:
        return [_value(args[0], v, people, f"{where}[{i}]", sha) for i, v in enumerate(value)]
    if origin is dict:
        return {k: _value(args[1], v, people, where, sha) for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, people, where)  # type: ignore[arg-type]
    if hint is datetime:
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"{where}: need a timestamp with a UTC offset, got {value!r}")
        return value
    if sha and hint is str:
        return sc.fake_sha(str(value))
    return value
