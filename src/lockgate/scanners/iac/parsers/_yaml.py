"""A safe, bounded YAML loader that keeps source lines, shared by every YAML-based parser.

libyaml (PyYAML's ``CSafeLoader``) composes the node graph, which carries the start and end
mark of every node; this module turns that graph into plain Python (``dict``, ``list``,
``str``, ``int``, ``float``, ``bool``, ``None``) itself so that:

* alias bombs are refused early: alias references are counted and every node copied by
  alias expansion is charged to a budget (a "billion laughs" stops after a few thousand
  node copies, not after a billion);
* nesting deeper than :data:`~lockgate.scanners.iac.resources.MAX_DEPTH` is refused;
* mapping keys are always strings, spelled as in the source (``on`` stays ``"on"``, ``1``
  becomes ``"1"``), so YAML 1.1 booleans never turn keys into ``True``;
* dates and binary values stay the strings written (no ``datetime`` in check data);
* the line of any nested key can be looked up afterwards (:meth:`Document.line_of`) without
  paying for it on every node.

Errors raise :class:`YamlError` with a message and the 1-based line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lockgate.model import ControlError, ErrorKind
from lockgate.scanners.iac.resources import MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_YAML_ALIASES

#: Nodes that alias expansion may copy into one document before it is refused.
MAX_ALIAS_EXPANSION = 100_000

#: Called for a node with an application tag (``!Ref``, ``!Sub``…): (tag, plain value) -> data.
TagHandler = Callable[[str, Any], Any]

PathElement = str | int

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_STANDARD_PREFIX = "tag:yaml.org,2002:"
_SCALARS = yaml.constructor.SafeConstructor()


class YamlError(ValueError):
    """A YAML document that cannot be read or exceeds a bound, at a 1-based line."""

    def __init__(self, message: str, line: int | None = None, *, path: str = "") -> None:
        super().__init__(message if line is None else f"{message} (line {line})")
        self.message = message
        self.line = line
        self.path = path

    def to_control_error(self, path: str | None = None) -> ControlError:
        """The located, non-fatal input error a parser puts in its result."""
        return ControlError(
            kind=ErrorKind.INPUT,
            message=f"invalid YAML: {self.message}",
            fatal=False,
            path=path if path is not None else (self.path or None),
            line=self.line,
        )


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document of a stream: plain data and where it sits in the file."""

    data: Any
    start_line: int
    end_line: int
    index: int = 0
    """Position of the document in its stream (0-based), empty documents included."""
    _node: Node | None = field(default=None, repr=False, compare=False)

    def line_of(self, path: Sequence[PathElement], *, nearest: bool = False) -> int | None:
        """The line of the key (or list item) at ``path``, e.g. ``("spec", "template")``.

        None when the path does not exist, unless ``nearest`` asks for the line of the
        deepest part of the path that does.
        """
        found = self._locate(path, nearest=nearest)
        return None if found is None else found[0]

    def span_of(self, path: Sequence[PathElement]) -> tuple[int, int] | None:
        """First and last line of the entry at ``path`` (key line to end of its value)."""
        found = self._locate(path, nearest=False)
        return None if found is None else (found[0], found[1])

    def _locate(self, path: Sequence[PathElement], *, nearest: bool) -> tuple[int, int] | None:
        node = self._node
        if node is None:
            return (self.start_line, self.end_line) if not path or nearest else None
        start, end = _start_line(node), _end_line(node)
        for element in path:
            entry = _child(node, element)
            if entry is None:
                return (start, end) if nearest else None
            key_node, node = entry
            start = _start_line(key_node if key_node is not None else node)
            end = max(start, _end_line(node))
        return start, end


def load_documents(
    text: str, path: str = "", *, tag_handler: TagHandler | None = None
) -> list[Document]:
    """Every document of ``text`` (empty ones too, with ``data`` None), or :class:`YamlError`."""
    return list(iter_documents(text, path, tag_handler=tag_handler))


def iter_documents(
    text: str, path: str = "", *, tag_handler: TagHandler | None = None
) -> Iterator[Document]:
    """Documents one at a time, so that those before a broken one are still usable.

    ``path`` only names the input in messages. Raises :class:`YamlError` where the stream
    stops being readable.
    """
    if len(text) > MAX_DOCUMENT_BYTES // 4 and len(text.encode()) > MAX_DOCUMENT_BYTES:
        raise YamlError(f"document larger than {MAX_DOCUMENT_BYTES} bytes", 1, path=path)
    if text.startswith("\ufeff"):
        text = text[1:]
    lines: list[str] | None = None
    loader = _Loader(text)
    try:
        index = 0
        while loader.check_node():
            try:
                node = loader.get_node()
            except RecursionError as exc:
                raise YamlError("document nested too deeply", None) from exc
            if node is None:  # pragma: no cover - check_node said there was one
                break
            data = _Builder(tag_handler).build(node)
            if lines is None:
                lines = text.splitlines()
            start = _start_line(node)
            end = _trim_end(lines, start, _end_line(node))
            yield Document(data=data, start_line=start, end_line=end, index=index, _node=node)
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        raise YamlError(message, None if mark is None else mark.line + 1, path=path) from None
    except YamlError as exc:
        exc.path = exc.path or path
        raise
    except yaml.YAMLError as exc:
        text_error = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise YamlError(text_error, path=path) from None
    finally:
        loader.dispose()


class _Builder:
    """Turns one composed node graph into plain data, enforcing the alias and depth bounds."""

    __slots__ = ("_active", "_aliases", "_expanded", "_in_alias", "_seen", "_tags")

    def __init__(self, tag_handler: TagHandler | None) -> None:
        self._tags = tag_handler
        self._seen: set[int] = set()
        self._active: set[int] = set()
        self._aliases = 0
        self._expanded = 0
        self._in_alias = 0

    def build(self, node: Node) -> Any:
        return self._value(node, 0)

    def _value(self, node: Node, depth: int) -> Any:
        ident = id(node)
        if ident in self._seen:
            return self._alias(node, depth)
        self._seen.add(ident)
        return self._construct(node, depth)

    def _alias(self, node: Node, depth: int) -> Any:
        ident = id(node)
        if ident in self._active:
            raise YamlError("recursive alias", _start_line(node))
        self._aliases += 1
        if self._aliases > MAX_YAML_ALIASES:
            raise YamlError(f"more than {MAX_YAML_ALIASES} aliases", _start_line(node))
        self._in_alias += 1
        try:
            return self._construct(node, depth)
        finally:
            self._in_alias -= 1

    def _construct(self, node: Node, depth: int) -> Any:
        if self._in_alias:
            self._expanded += 1
            if self._expanded > MAX_ALIAS_EXPANSION:
                raise YamlError(
                    f"aliases expand to more than {MAX_ALIAS_EXPANSION} nodes (alias bomb?)",
                    _start_line(node),
                )
        cls = node.__class__
        if cls is ScalarNode:
            return self._scalar(cast(ScalarNode, node))
        if depth >= MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", _start_line(node))
        ident = id(node)
        self._active.add(ident)
        try:
            if cls is MappingNode:
                value: Any = self._mapping(node, depth + 1)
            elif cls is SequenceNode:
                value = [self._value(item, depth + 1) for item in node.value]
            else:  # pragma: no cover - libyaml composes only these three
                raise YamlError(f"unexpected node {cls.__name__}", _start_line(node))
        finally:
            self._active.discard(ident)
        return self._tagged(node, value)

    def _mapping(self, node: Node, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges: list[dict[str, Any]] | None = None
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges = merges if merges is not None else []
                merges.extend(self._merge_sources(value_node, depth))
                continue
            result[_key(key_node)] = self._value(value_node, depth)
        if not merges:
            return result
        merged: dict[str, Any] = {}
        for source in merges:
            for key, value in source.items():
                merged.setdefault(key, value)
        merged.update(result)
        return merged

    def _merge_sources(self, node: Node, depth: int) -> list[dict[str, Any]]:
        items = node.value if node.__class__ is SequenceNode else [node]
        sources: list[dict[str, Any]] = []
        for item in items:
            value = self._value(item, depth)
            if not isinstance(value, dict):
                raise YamlError("merge key '<<' needs a mapping", _start_line(item))
            sources.append(value)
        return sources

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        try:
            if tag == _INT:
                return _SCALARS.construct_yaml_int(node)
            if tag == _FLOAT:
                return _SCALARS.construct_yaml_float(node)
            if tag == _BOOL:
                return _SCALARS.construct_yaml_bool(node)
        except (ValueError, KeyError) as exc:
            raise YamlError(
                f"invalid {tag.rsplit(':', 1)[-1]} {node.value!r}", _start_line(node)
            ) from exc
        # timestamps, binary, !!value and application tags keep the text written
        return self._tagged(node, node.value)

    def _tagged(self, node: Node, value: Any) -> Any:
        tag = node.tag
        if self._tags is None or tag.startswith(_STANDARD_PREFIX) or tag == "!":
            return value
        return self._tags(tag, value)


def _key(node: Node) -> str:
    if node.__class__ is not ScalarNode:
        raise YamlError("mapping keys must be scalars", _start_line(node))
    value = node.value
    return value if isinstance(value, str) else str(value)


def _child(node: Node, element: PathElement) -> tuple[Node | None, Node] | None:
    if node.__class__ is MappingNode:
        if not isinstance(element, str):
            return None
        for key_node, value_node in reversed(node.value):
            if key_node.__class__ is ScalarNode and key_node.value == element:
                if key_node.tag != _MERGE:
                    return key_node, value_node
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = value_node.value if value_node.__class__ is SequenceNode else [value_node]
                for source in sources:
                    found = _child(source, element)
                    if found is not None:
                        return found
        return None
    if (
        node.__class__ is SequenceNode
        and isinstance(element, int)
        and not isinstance(element, bool)
    ):
        items = node.value
        if -len(items) <= element < len(items):
            return None, items[element]
    return None


def _start_line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _end_line(node: Node) -> int:
    start, end = node.start_mark, node.end_mark
    if end.column == 0 and end.line > start.line:
        return int(end.line)
    return int(end.line) + 1


def _trim_end(lines: Sequence[str], start: int, end: int) -> int:
    """Drop blank and comment-only lines a block collection's end mark runs over."""
    end = min(end, len(lines))
    while end > start:
        stripped = lines[end - 1].strip()
        if stripped and not stripped.startswith("#") and stripped != "---":
            break
        end -= 1
    return max(end, start)
