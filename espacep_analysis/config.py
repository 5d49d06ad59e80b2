"""Strict reading of the params files: the one place every ``params/**/*.yaml`` goes through.

`load_yaml` parses a file with PyYAML's safe composer and builds plain Python
values, mappings as `MarkedDict` and lists as `MarkedList`, which remember the
line of each key and item. A key written twice in one mapping is an error (PyYAML
silently keeps the last one: a second ``inami:`` entry with ``min_cell: 0``
would switch masking off).

`check` validates the values against a small typed schema (`Record` with a
closed set of keys, `MapOf`, `ListOf`, `Text`, `Code`, `Integer`, `Number`,
`Choice`) and reports every problem at once. Every message has the form
``<file>:<line>: <key path>: <problem>``, e.g.
``params/sites.yaml:40: funders.inami.min_cel: unknown key; expected one of: label, regions, min_cell, formats``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ConfigError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when libyaml is there
_CODE = re.compile(r"[a-z][a-z0-9_]*")


class MarkedDict(dict):
    """A YAML mapping: ``line`` of the mapping, ``lines[key]`` of each key (1-based)."""

    line: int = 0
    lines: dict


class MarkedList(list):
    """A YAML sequence: ``line`` of the sequence, ``lines[i]`` of each item (1-based)."""

    line: int = 0
    lines: list


def display(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def problem(where: str, line: int | None, key: str, message: str) -> str:
    """One problem as ``file:line: key: message`` (``top level`` for the empty key path)."""
    return f"{where}{'' if line is None else f':{line}'}: {key or 'top level'}: {message}"


def join(path: str, key) -> str:
    """Key path ``a.b`` / ``a[0]``."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _build(node: yaml.Node, loader, where: str, path: str):
    """Python value of ``node``; mappings and lists keep their lines; duplicate keys raise."""
    if isinstance(node, yaml.MappingNode):
        out = MarkedDict()
        out.line, out.lines = node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise ConfigError(problem(where, line, path, f"a key must be a plain text, got {key!r}"))
            if key in out:
                raise ConfigError(
                    problem(
                        where,
                        line,
                        join(path, key),
                        f"duplicate key (first written at line {out.lines[key]}); "
                        "a key may appear only once in a mapping",
                    )
                )
            out.lines[key] = line
            out[key] = _build(value_node, loader, where, join(path, key))
        return out
    if isinstance(node, yaml.SequenceNode):
        items = MarkedList()
        items.line, items.lines = node.start_mark.line + 1, []
        for i, item in enumerate(node.value):
            items.lines.append(item.start_mark.line + 1)
            items.append(_build(item, loader, where, join(path, i)))
        return items
    return loader.construct_object(node, deep=True)


def load_yaml(path: str | Path, what: str = "parameters"):
    """Read one params file into plain values with lines (`MarkedDict`, `MarkedList`).

    Raises
    ------
    ConfigError : the file is missing or unreadable, is not valid YAML (with the
        line), or writes a key twice in one mapping (with both lines).
    """
    path = Path(path)
    where = display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot read {what}: {exc}") from None
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(node, loader, where, "")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        raise ConfigError(problem(where, line, "", f"not valid YAML: {exc.problem or exc}")) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def line_of(container, key) -> int | None:
    """Line of ``key`` in a `MarkedDict` / index in a `MarkedList`, else of the container."""
    lines = getattr(container, "lines", None)
    if isinstance(container, dict) and lines and key in lines:
        return lines[key]
    if isinstance(container, list) and lines and isinstance(key, int) and key < len(lines):
        return lines[key]
    return getattr(container, "line", None)


def show(value) -> str:
    """A value as the YAML author wrote it (``null``, ``true``, ``'text'``, ``12.5``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return f"a {'mapping' if isinstance(value, dict) else 'list'}"
    return repr(value)


# --- the typed schema -----------------------------------------------------------------------------
@dataclass(frozen=True)
class At:
    """Where a value is: file, line, key path."""

    where: str
    line: int | None
    path: str

    def fail(self, message: str) -> list[str]:
        return [problem(self.where, self.line, self.path, message)]

    def child(self, container, key) -> At:
        return At(self.where, line_of(container, key) or self.line, join(self.path, key))


class Kind:
    """A value type: ``errors(value, at)`` lists the problems (empty when valid)."""

    def errors(self, value, at: At) -> list[str]:
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Kind):
    """A non-empty text."""

    def errors(self, value, at):
        if not isinstance(value, str) or not value.strip():
            return at.fail(f"expected a non-empty text, got {show(value)}")
        return []


@dataclass(frozen=True)
class Code(Kind):
    """A code: lower-case letters, digits and ``_``, starting with a letter (``saint_trond``)."""

    def errors(self, value, at):
        if not isinstance(value, str) or not _CODE.fullmatch(value):
            return at.fail(
                f"expected a code in lower-case letters, digits and _ "
                f"(e.g. saint_trond), got {show(value)}"
            )
        return []


@dataclass(frozen=True)
class Integer(Kind):
    """A whole number, at least ``minimum`` when given (``true`` is not a number)."""

    minimum: int | None = None

    def errors(self, value, at):
        if isinstance(value, bool) or not isinstance(value, int):
            return at.fail(f"expected a whole number, got {show(value)}")
        if self.minimum is not None and value < self.minimum:
            return at.fail(f"expected a whole number >= {self.minimum}, got {value}")
        return []


@dataclass(frozen=True)
class Number(Kind):
    """An integer or decimal number (``true`` is not a number)."""

    def errors(self, value, at):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return at.fail(f"expected a number, got {show(value)}")
        return []


@dataclass(frozen=True)
class Choice(Kind):
    """One of ``values``."""

    values: tuple

    def errors(self, value, at):
        if value not in self.values:
            return at.fail(f"expected one of: {', '.join(map(str, self.values))}; got {show(value)}")
        return []


@dataclass(frozen=True)
class ListOf(Kind):
    """A list of ``item`` values, at least ``min_items`` long."""

    item: Kind
    min_items: int = 0

    def errors(self, value, at):
        if not isinstance(value, list):
            return at.fail(f"expected a list, got {show(value)}")
        if len(value) < self.min_items:
            return at.fail(f"expected a list of at least {self.min_items} item(s)")
        return [e for i, v in enumerate(value) for e in self.item.errors(v, at.child(value, i))]


@dataclass(frozen=True)
class MapOf(Kind):
    """A mapping of ``key`` kind (default `Code`) to ``value`` kind, at least ``min_items``."""

    value: Kind
    key: Kind = field(default_factory=Code)
    min_items: int = 1

    def errors(self, value, at):
        if not isinstance(value, dict):
            return at.fail(f"expected a mapping, got {show(value)}")
        if len(value) < self.min_items:
            return at.fail(f"expected a mapping of at least {self.min_items} entr(y/ies)")
        out = []
        for k, v in value.items():
            out += self.key.errors(k, at.child(value, k))
            out += self.value.errors(v, at.child(value, k))
        return out


@dataclass(frozen=True)
class Record(Kind):
    """A mapping with a closed set of keys: ``fields`` required, ``optional`` may be absent."""

    fields: dict[str, Kind]
    optional: Sequence[str] = ()

    def errors(self, value, at):
        if not isinstance(value, dict):
            return at.fail(f"expected a mapping with keys {', '.join(self.fields)}, got {show(value)}")
        out = []
        for k, v in value.items():
            if k not in self.fields:
                out += at.child(value, k).fail(f"unknown key; expected one of: {', '.join(self.fields)}")
            else:
                out += self.fields[k].errors(v, at.child(value, k))
        for k in self.fields:
            if k not in value and k not in self.optional:
                out += At(at.where, getattr(value, "line", at.line), join(at.path, k)).fail("missing key")
        return out


def check(value, kind: Kind, where: str) -> None:
    """Validate a value read by `load_yaml` against ``kind``.

    Raises
    ------
    ConfigError : listing every problem, one ``file:line: key path: problem`` a line.
    """
    errors = kind.errors(value, At(where, getattr(value, "line", 1), ""))
    if errors:
        raise ConfigError("\n".join(errors))


def load_checked(path: str | Path, kind: Kind, what: str = "parameters"):
    """`load_yaml` then `check`: the file's values, valid against ``kind``."""
    value = load_yaml(path, what)
    check(value, kind, display(Path(path)))
    return value
