"""Terraform HCL text to blocks with exact lines, on python-hcl2's grammar.

python-hcl2's own ``loads`` flattens every expression back into a ``"${...}"`` string and
loses line numbers; its parser also tracks positions for every node, which triples the
parse time. Here the same grammar (python-hcl2 8.x, LALR) is loaded without position
tracking — tokens still carry their lines, which is all a block needs — and the raw tree
is kept so expressions can be evaluated structurally.
"""

from __future__ import annotations

import functools
import gc
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from lockgate.scanners.iac.resources import MAX_DEPTH

Node: TypeAlias = "Tree[Token]"


@dataclass(frozen=True, slots=True)
class JsonExpr:
    """A value from a ``.tf.json`` file: strings are templates (unless ``literal``, as
    variable defaults and ``.tfvars.json`` values are), everything else literal."""

    value: Any
    literal: bool = False


Expr: TypeAlias = "Node | JsonExpr"


@dataclass(frozen=True, slots=True)
class Block:
    """One HCL block (or a whole file body, with an empty ``kind``) and where it is."""

    kind: str
    labels: tuple[str, ...]
    attributes: dict[str, Expr]
    blocks: tuple[Block, ...]
    path: str
    start_line: int
    end_line: int


class HclError(Exception):
    """A Terraform file that does not parse; ``line``/``column`` are 1-based when known."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class TemplateError(Exception):
    """A template string (heredoc, ``.tf.json`` string) whose interpolation does not parse."""


@functools.cache
def _parser() -> Lark:
    """python-hcl2's LALR parser (loaded from its own cache), without position tracking."""
    from hcl2.parser import parser

    buffer = io.BytesIO()
    parser().save(buffer, exclude_options=("propagate_positions",))
    buffer.seek(0)
    return Lark.load(buffer)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Parsing allocates hundreds of thousands of small objects that all stay alive; the
    cyclic collector would rescan them again and again (half the parse time, measured).
    Parse trees hold no reference cycles, so reference counting frees them anyway."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_file(text: str, path: str) -> Block:
    """The body of a ``.tf``/``.tfvars`` file as a block of kind ``""``; raises HclError."""
    try:
        with gc_paused():
            tree = _parser().parse(text + "\n")
    except UnexpectedInput as exc:
        raise _located(exc) from None
    except RecursionError:
        raise HclError(f"nested deeper than {MAX_DEPTH} levels") from None
    body = tree.children[0]
    if not isinstance(body, Tree):  # pragma: no cover - the grammar's start is a body
        raise HclError("empty parse tree")
    attributes, blocks = _body(body, path, 0)
    last_line = text.count("\n") + 1
    return Block(
        kind="",
        labels=(),
        attributes=attributes,
        blocks=blocks,
        path=path,
        start_line=1,
        end_line=last_line,
    )


def _located(exc: UnexpectedInput) -> HclError:
    line = exc.line if isinstance(exc.line, int) and exc.line > 0 else None
    column = exc.column if isinstance(exc.column, int) and exc.column > 0 else None
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        text = str(token).strip()
        if token.type == "$END":
            what = "end of file"
        else:
            what = repr(_short(text)) if text else "line break"
        message = f"invalid HCL: unexpected {what}"
    elif isinstance(exc, UnexpectedCharacters):
        message = f"invalid HCL: unexpected character {_short(exc.char)!r}"
    elif isinstance(exc, UnexpectedEOF):
        message = "invalid HCL: unexpected end of file"
    else:  # pragma: no cover - lark's three subclasses are handled above
        message = "invalid HCL"
    if line is not None:
        message += f" at line {line}" + (f", column {column}" if column is not None else "")
    return HclError(message, line=line, column=column)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _body(node: Node, path: str, depth: int) -> tuple[dict[str, Expr], tuple[Block, ...]]:
    attributes: dict[str, Expr] = {}
    blocks: list[Block] = []
    for child in node.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            name = _name(child.children[0])
            value = child.children[2]
            if isinstance(value, Tree):
                attributes[name] = value
        elif child.data == "block":
            blocks.append(_block(child, path, depth + 1))
    return attributes, tuple(blocks)


def _block(node: Node, path: str, depth: int) -> Block:
    labels: list[str] = []
    start_line = 0
    end_line = 0
    body: Node | None = None
    for child in node.children:
        if isinstance(child, Token):
            if child.type == "RBRACE":
                end_line = child.end_line or child.line or 0
            continue
        if child.data == "body":
            body = child
        elif child.data == "string":
            labels.append(string_literal(child))
            start_line = start_line or _first_line(child)
        elif child.data != "new_line_or_comment":
            labels.append(_name(child))
            start_line = start_line or _first_line(child)
    if depth > MAX_DEPTH:
        raise HclError(f"blocks nested deeper than {MAX_DEPTH} levels", line=start_line or None)
    attributes, blocks = _body(body, path, depth) if body is not None else ({}, ())
    return Block(
        kind=labels[0] if labels else "",
        labels=tuple(labels[1:]),
        attributes=attributes,
        blocks=blocks,
        path=path,
        start_line=start_line,
        end_line=max(end_line, start_line),
    )


def _first_line(node: Any) -> int:
    while isinstance(node, Tree) and node.children:
        node = node.children[0]
    return int(node.line or 0) if isinstance(node, Token) else 0


def _name(node: Any) -> str:
    """The text of an identifier, keyword or literal-value node (attribute and block names)."""
    if isinstance(node, Token):
        return str(node)
    if isinstance(node, Tree) and node.children:
        return _name(node.children[0])
    return ""


def identifier_of(expr: Expr) -> str | None:
    """The bare name an expression is (``iterator = rule``), or None."""
    node: Any = expr
    while isinstance(node, Tree) and node.data == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    if isinstance(node, Tree) and node.data == "identifier":
        return _name(node)
    return None


def string_literal(node: Node) -> str:
    """A quoted string's literal text (labels): escapes decoded, interpolations kept."""
    parts: list[str] = []
    for part in node.children:
        if isinstance(part, Tree):
            parts.extend(str(token) for token in part.scan_values(_is_token))
    return unescape("".join(parts))


def _is_token(value: Any) -> bool:
    return isinstance(value, Token)


_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
    """HCL quoted-string escapes (``\\n``, ``\\"``, ``\\uNNNN``…); unknown ones kept as is."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(_unescape_one, text)


def _unescape_one(match: re.Match[str]) -> str:
    escape = match.group(0)
    marker = escape[1]
    if marker in "uU":
        code = int(escape[2:], 16)
        if code <= 0x10FFFF and not 0xD800 <= code < 0xE000:
            return chr(code)
        return escape
    return _SIMPLE_ESCAPES.get(marker, escape)


_HEREDOC_HEAD = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n")


def heredoc_text(token: str) -> str:
    """The body of a heredoc token (``<<EOT ... EOT``), ``<<-`` indentation removed."""
    head = _HEREDOC_HEAD.match(token)
    if head is None:
        return token
    marker = head.group(2)
    rest = token[head.end() :].rstrip("\r\n")
    if rest.endswith(marker):
        rest = rest[: -len(marker)]
    body = rest.rstrip(" \t")
    if head.group(1):
        lines = body.split("\n")
        widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
        indent = min(widths, default=0)
        body = "\n".join(line[indent:] for line in lines)
    return body


#: A template piece: literal text, or an interpolated expression.
TemplatePart: TypeAlias = "str | Node"


@functools.lru_cache(maxsize=4096)
def parse_template(text: str) -> tuple[TemplatePart, ...] | None:
    """Split a template (heredoc body, ``.tf.json`` string) into literals and parsed
    interpolations; None when it uses ``%{...}`` directives, which are not evaluated.
    Raises TemplateError when an interpolation does not parse."""
    parts: list[TemplatePart] = []
    literal: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in "$%" and text.startswith(char * 2 + "{", index):
            literal.append(char + "{")
            index += 3
            continue
        if char == "%" and text.startswith("%{", index):
            return None
        if char == "$" and text.startswith("${", index):
            end = _interpolation_end(text, index + 2)
            source = text[index + 2 : end]
            strip_left = source.startswith("~")
            strip_right = source.endswith("~")
            source = source[1 if strip_left else 0 : len(source) - (1 if strip_right else 0)]
            if literal:
                text_before = "".join(literal)
                parts.append(text_before.rstrip() if strip_left else text_before)
                literal = []
            parts.append(_expression(source))
            index = end + 1
            if strip_right:
                while index < length and text[index].isspace():
                    index += 1
            continue
        literal.append(char)
        index += 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def _interpolation_end(text: str, index: int) -> int:
    """The index of the ``}`` closing an interpolation opened just before ``index``."""
    depth = 1
    length = len(text)
    while index < length:
        char = text[index]
        if char == '"':
            index = _string_end(text, index + 1)
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise TemplateError("unterminated interpolation")


def _string_end(text: str, index: int) -> int:
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index
        if char == "$" and text.startswith("${", index):
            index = _interpolation_end(text, index + 2)
        index += 1
    raise TemplateError("unterminated string in interpolation")


def _expression(source: str) -> Node:
    try:
        with gc_paused():
            tree = _parser().parse(f"x = ({source})\n")
    except (UnexpectedInput, RecursionError) as exc:
        raise TemplateError(f"interpolation does not parse: {_short(source)}") from exc
    body = tree.children[0]
    if isinstance(body, Tree):
        for child in body.children:
            if isinstance(child, Tree) and child.data == "attribute":
                value = child.children[2]
                if isinstance(value, Tree):
                    return value
    raise TemplateError(f"interpolation does not parse: {_short(source)}")
