"""YAML loading that remembers where each value came from, for file:line error messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: libyaml's C parser when available (about 10x faster), else the pure-Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Located:
    """A parsed YAML document plus its node tree, to turn a field path into a line number."""

    path: Path
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: Sequence[str | int]) -> int:
        """1-based line of the deepest node reachable along ``loc`` (pydantic's error path)."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 1
        for part in loc:
            child = _child(node, part)
            if child is None:
                continue  # pydantic adds union tags and the like that are not in the file
            node, line = child[1], child[0]
        return line


def _child(node: yaml.Node | None, part: str | int) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(part):
                # a scalar sits on its key's line; a block mapping/list starts below it
                return key.start_mark.line + 1, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None


def load(path: Path, error: type[Exception]) -> Located:
    """Parse ``path``; YAML syntax errors become ``error('file:line: message')``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from exc
    loader = _Loader(text)
    try:  # parse once: build the data from the same node tree that gives line numbers
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise error(f"{path}:{line}: invalid YAML: {exc.problem or exc.context}") from exc
    finally:
        loader.dispose()
    return Located(path, data, root)


def format_loc(loc: Sequence[str | int]) -> str:
    """``('sources', 0, 'kind')`` → ``sources[0].kind``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
