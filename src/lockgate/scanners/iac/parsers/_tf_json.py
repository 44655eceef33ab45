"""Terraform's JSON syntax (``*.tf.json``, ``*.tfvars.json``) and line spans in JSON text.

``json`` gives no positions, so one linear scan of the text finds where each object of
interest opens and closes (a resource block, a plan resource carrying an ``address``).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lockgate.scanners.iac.parsers._tf_hcl import Block, Expr, HclError, JsonExpr
from lockgate.scanners.iac.resources import MAX_DEPTH

#: Top-level keys whose values are blocks with this many labels.
_LABELS = {
    "resource": 2,
    "data": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
}


def load_json(text: str) -> Any:
    """The document, or HclError with the line of the syntax error."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HclError(
            f"invalid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise HclError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    if too_deep(value):
        raise HclError(f"JSON nested deeper than {MAX_DEPTH} levels")
    return value


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests containers deeper than ``limit`` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def parse_tf_json(text: str, path: str) -> Block:
    """A ``.tf.json`` file as the same blocks an ``.tf`` file gives."""
    document = load_json(text)
    if not isinstance(document, dict):
        raise HclError("a Terraform JSON file must be an object", line=1)
    spans = object_spans(text, lambda keys: len(keys) <= 3)
    blocks: list[Block] = []
    for kind, value in document.items():
        labels = _LABELS.get(kind)
        if labels is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            blocks.extend(_blocks(kind, item, labels, (), path=path, spans=spans))
    return Block(
        kind="",
        labels=(),
        attributes={},
        blocks=tuple(blocks),
        path=path,
        start_line=1,
        end_line=text.count("\n") + 1,
    )


def tfvars_json(text: str, path: str) -> Block:
    """A ``.tfvars.json`` file: every top-level key is a variable value."""
    document = load_json(text)
    if not isinstance(document, dict):
        raise HclError("a variables file must be an object", line=1)
    attributes: dict[str, Expr] = {k: JsonExpr(v, literal=True) for k, v in document.items()}
    return Block(
        kind="",
        labels=(),
        attributes=attributes,
        blocks=(),
        path=path,
        start_line=1,
        end_line=text.count("\n") + 1,
    )


def _blocks(
    kind: str,
    value: Any,
    labels_left: int,
    labels: tuple[str, ...],
    *,
    path: str,
    spans: dict[tuple[str, ...], tuple[int, int]],
) -> list[Block]:
    if labels_left > 0:
        if not isinstance(value, dict):
            return []
        found: list[Block] = []
        for label, inner in value.items():
            if label == "//":
                continue
            for item in inner if isinstance(inner, list) else [inner]:
                found.extend(
                    _blocks(kind, item, labels_left - 1, (*labels, label), path=path, spans=spans)
                )
        return found
    if not isinstance(value, dict):
        return []
    start, end = spans.get((kind, *labels), (1, 1))
    literal = kind == "variable"
    attributes: dict[str, Expr] = {
        k: JsonExpr(v, literal=literal) for k, v in value.items() if k != "//"
    }
    return [
        Block(
            kind=kind,
            labels=labels,
            attributes=attributes,
            blocks=(),
            path=path,
            start_line=start,
            end_line=end,
        )
    ]


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


@dataclass(slots=True)
class _Open:
    keys: tuple[str, ...]
    line: int
    is_object: bool
    address: str | None = None
    address_line: int = 0


@dataclass(frozen=True, slots=True)
class AddressedObject:
    """A JSON object with an ``"address"`` key: its address, key line and closing line."""

    address: str
    top_key: str
    address_line: int
    end_line: int


def object_spans(
    text: str,
    wanted: Callable[[tuple[str, ...]], bool],
    addressed: list[AddressedObject] | None = None,
) -> dict[tuple[str, ...], tuple[int, int]]:
    """Start and end lines of the objects whose key path (array indices left out)
    ``wanted`` accepts, first occurrence of each path; objects with an ``"address"``
    string are appended to ``addressed`` when it is given."""
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_at(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    spans: dict[tuple[str, ...], tuple[int, int]] = {}
    stack: list[_Open] = []
    pending_key: str | None = None
    last_string: tuple[str, int] | None = None
    after_colon = False
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        first = token[0]
        if first == '"':
            if after_colon and pending_key == "address" and stack and addressed is not None:
                top = stack[-1]
                if top.is_object and top.address is None:
                    top.address = _decode(token)
                    top.address_line = line_at(match.start())
            last_string = (token, match.start())
            after_colon = False
            continue
        if first == ":":
            pending_key = _decode(last_string[0]) if last_string else None
            after_colon = True
            continue
        if first in "{[":
            parent_keys = stack[-1].keys if stack else ()
            is_object_parent = bool(stack) and stack[-1].is_object
            keys = (*parent_keys, pending_key or "") if is_object_parent else parent_keys
            stack.append(_Open(keys=keys, line=line_at(match.start()), is_object=first == "{"))
        elif first in "}]":
            if not stack:
                break
            closed = stack.pop()
            if closed.is_object:
                end = line_at(match.start())
                if closed.keys not in spans and wanted(closed.keys):
                    spans[closed.keys] = (closed.line, end)
                if closed.address is not None and addressed is not None:
                    top_key = closed.keys[0] if closed.keys else ""
                    addressed.append(
                        AddressedObject(closed.address, top_key, closed.address_line, end)
                    )
        after_colon = False
        last_string = None
    return spans


def _decode(token: str) -> str:
    try:
        value = json.loads(token)
    except ValueError:
        return token.strip('"')
    return value if isinstance(value, str) else token.strip('"')
