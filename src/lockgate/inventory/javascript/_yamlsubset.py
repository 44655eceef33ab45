"""A fast reader for the YAML that pnpm and Yarn Berry write, with PyYAML as the fallback.

Lockfiles use a small part of YAML: block mappings indented by spaces, ``- item`` lists of
scalars, one-line flow maps and lists (``{integrity: sha512-…}``, ``[darwin]``), plain and
quoted scalars, comments. Reading just that line by line is several times faster than
PyYAML (even with libyaml) on multi-megabyte lockfiles. Anything else (block scalars,
anchors, tags, multi-line scalars, odd indentation) makes this reader give up, and the
document is read by PyYAML instead, so the result is always what a YAML parser would give.
Like PyYAML's BaseLoader, every scalar is a string; an empty value is ``""``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lockgate.inventory.interface import ManifestError

_QUOTED_KEY = re.compile(r"""('(?:[^']|'')*'|"(?:[^"\\]|\\.)*")\s*:(?:\s+|$)""")
_QUOTED = re.compile(r"'(?:[^']|'')*'" + r'|"(?:[^"\\]|\\.)*"')
_FLOW_ITEM = re.compile(
    r"\s*((?:'(?:[^']|'')*'" + r'|"(?:[^"\\]|\\.)*"' + r"|[^,'\"{}\[\]])*)\s*(,|$)"
)
_UNSUPPORTED_START = frozenset("|>&*!%@`?")


class _Unsupported(Exception):
    """The text uses YAML this reader does not handle; PyYAML will read it."""


def load(text: str, path: str) -> Any:
    """The document as dicts, lists and strings (None when empty or only comments);
    ManifestError with the line when it is not valid YAML."""
    try:
        return _load_subset(text)
    except _Unsupported:
        return _load_pyyaml(text, path)


def _load_pyyaml(text: str, path: str) -> Any:
    import yaml

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - BaseLoader builds no objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ManifestError(
            f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
            path=path,
            line=mark.line + 1 if mark is not None else None,
        ) from exc


def _unquote(token: str) -> str:
    if token[0] == "'":
        return token[1:-1].replace("''", "'")
    if "\\" not in token:
        return token[1:-1]
    try:
        return str(json.loads(token))
    except ValueError as exc:  # a YAML-only escape such as \x41
        raise _Unsupported from exc


def _scalar(value: str) -> str:
    """A scalar's text: quoted ones unquoted, plain ones without a trailing comment."""
    if value[0] in "'\"":
        quoted = _QUOTED.match(value)
        if quoted is None:
            raise _Unsupported
        rest = value[quoted.end() :].strip()
        if rest and not rest.startswith("#"):
            raise _Unsupported
        return _unquote(quoted.group(0))
    if value[0] in _UNSUPPORTED_START or value[0] in "]},":
        raise _Unsupported
    comment = value.find(" #")
    plain = (value[:comment] if comment >= 0 else value).rstrip()
    if ": " in plain or plain.endswith(":") or plain.startswith("- ") or plain == "-":
        raise _Unsupported  # not a plain scalar: let PyYAML decide what it is
    return plain


def _flow(value: str) -> dict[str, str] | list[str]:
    """A one-line flow map or list of scalars."""
    closing = "}" if value[0] == "{" else "]"
    if not value.endswith(closing):
        raise _Unsupported
    inner = value[1:-1].strip()
    items: list[str] = []
    position = 0
    while inner and position < len(inner):
        match = _FLOW_ITEM.match(inner, position)
        if match is None or match.end() == position:
            raise _Unsupported
        items.append(match.group(1))
        position = match.end()
    if closing == "]":
        return [_scalar(item) for item in items if item]
    mapping: dict[str, str] = {}
    for item in items:
        key, sep, rest = item.partition(": ")
        if not sep and item.endswith(":"):
            key, sep = item[:-1], ":"
        key = key.strip()
        if not sep or not key or key[0] in "'\"" or key[0] in _UNSUPPORTED_START:
            raise _Unsupported
        rest = rest.strip()
        mapping[key] = _scalar(rest) if rest else ""
    return mapping


def _value(value: str) -> Any:
    if value[0] in "{[":
        return _flow(value)
    return _scalar(value)


def _key(content: str) -> tuple[str, str]:
    """(key, value text) of a ``key: value`` line; the value text may be empty."""
    if content[0] in "'\"":
        match = _QUOTED_KEY.match(content)
        if match is None:
            raise _Unsupported
        return _unquote(match.group(1)), content[match.end() :].strip()
    if content[0] in _UNSUPPORTED_START or content[0] in "{}[],":
        raise _Unsupported
    cut = content.find(": ")
    if cut < 0:
        if not content.endswith(":"):
            raise _Unsupported
        cut = len(content) - 1
    key = content[:cut].rstrip()
    if not key or " #" in key or "\t" in key:
        raise _Unsupported
    return key, content[cut + 2 :].strip()


class _Reader:
    """Builds the document line by line: a stack of open containers with the indentation of
    their entries, and a key whose value (a block, a list, or nothing) is not known yet."""

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}
        self.stack: list[tuple[int, Any]] = [(0, self.root)]
        self.pending: tuple[dict[str, Any], str, int] | None = None

    def settle_pending(self, indent: int, is_item: bool) -> None:
        if self.pending is None:
            return
        parent, key, key_indent = self.pending
        self.pending = None
        if indent > key_indent or (is_item and indent == key_indent):
            parent[key] = [] if is_item else {}
            self.stack.append((indent, parent[key]))
        else:
            parent[key] = ""

    def container(self, indent: int, is_item: bool) -> Any:
        while self.stack[-1][0] > indent:
            self.stack.pop()
        level, container = self.stack[-1]
        if isinstance(container, list) and not is_item and len(self.stack) > 1:
            self.stack.pop()  # a list written at its key's indentation has ended
            level, container = self.stack[-1]
        if level != indent:
            raise _Unsupported  # continuation lines and other layouts PyYAML handles
        return container

    def line(self, indent: int, content: str) -> None:
        is_item = content == "-" or content.startswith("- ")
        self.settle_pending(indent, is_item)
        container = self.container(indent, is_item)
        if isinstance(container, list):
            item = content[1:].strip() if is_item else ""
            if not item or (": " in item and item[0] not in "'\"") or item.endswith(":"):
                raise _Unsupported  # mappings inside lists
            container.append(_value(item))
            return
        if is_item:
            raise _Unsupported
        key, value = _key(content)
        if value and value[0] != "#":
            container[key] = _value(value)
        else:
            self.pending = (container, key, indent)

    def finish(self) -> None:
        if self.pending is not None:
            self.pending[0][self.pending[1]] = ""


def _load_subset(text: str) -> Any:
    reader = _Reader()
    seen = False
    for raw in text.splitlines():
        content = raw.lstrip(" ")
        if not content or content[0] == "#":
            continue
        if content[0] == "\t" or raw.startswith(("---", "...")):
            raise _Unsupported
        seen = True
        reader.line(len(raw) - len(content), content)
    reader.finish()
    return reader.root if seen else None
