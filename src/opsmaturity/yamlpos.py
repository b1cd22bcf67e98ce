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
    """Parse ``path``; unreadable files, text that is not UTF-8, YAML syntax errors,
    duplicate keys and impossible dates become ``error('file:line: message')``."""
    text = read_text(path, error)
    loader = _Loader(text)
    try:  # parse once: build the data from the same node tree that gives line numbers
        root = loader.get_single_node()
        if root is not None:
            _no_duplicate_keys(root, path, error)
        data = _construct(loader, root, path, error) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise error(f"{path}:{line}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:  # e.g. the reader's "unacceptable character" (binary data)
        raise error(f"{path}:1: invalid YAML: {str(exc).splitlines()[0]}") from None
    finally:
        loader.dispose()
    return Located(path, data, root)


def read_text(path: Path, error: type[Exception]) -> str:
    """``path`` as UTF-8 text, or ``error`` in one line naming the file (and line)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(
            f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        ) from None


def _no_duplicate_keys(node: yaml.Node, path: Path, error: type[Exception]) -> None:
    """YAML allows a repeated key and keeps the last one: a silent typo. Refuse it."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in current.value:
                name = str(key.value)
                line = key.start_mark.line + 1
                if isinstance(key, yaml.ScalarNode) and name in seen and name != "<<":
                    raise error(
                        f"{path}:{line}: {_short(name)}: duplicate key (first given on line {seen[name]})"
                    )
                seen.setdefault(name, line)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _construct(loader: Any, root: yaml.Node, path: Path, error: type[Exception]) -> Any:
    """Build the data; a value YAML cannot turn into Python (``2026-02-30``) is one line."""
    try:
        return loader.construct_document(root)
    except (ValueError, OverflowError) as exc:
        found = _bad_scalar(loader, root)
        if found is None:
            raise error(f"{path}:1: invalid value ({exc})") from None
        node, loc = found
        raise error(
            f"{path}:{node.start_mark.line + 1}: {format_loc(loc)}: "
            f"{_short(str(node.value))!r} is not a valid value ({exc})"
        ) from None


def _bad_scalar(loader: Any, root: yaml.Node) -> tuple[yaml.Node, list[str | int]] | None:
    """The first scalar whose construction fails (dates are the usual suspects), and where."""
    stack: list[tuple[yaml.Node, list[str | int]]] = [(root, [])]
    while stack:
        node, loc = stack.pop(0)
        if isinstance(node, yaml.MappingNode):
            stack[:0] = [(value, [*loc, str(key.value)]) for key, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            stack[:0] = [(item, [*loc, i]) for i, item in enumerate(node.value)]
        elif isinstance(node, yaml.ScalarNode) and node.tag.endswith(":timestamp"):
            try:
                loader.construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                return node, loc
    return None


def _short(text: str, limit: int = 60) -> str:
    """User text cut for an error line (an 80,000-character value stays one short line)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_loc(loc: Sequence[str | int]) -> str:
    """``('sources', 0, 'kind')`` → ``sources[0].kind``."""
    out = ""
    for part in loc:
        name = _short(str(part))  # a runaway key stays a short line
        out += f"[{part}]" if isinstance(part, int) else (f".{name}" if out else name)
    return out or "(top level)"
