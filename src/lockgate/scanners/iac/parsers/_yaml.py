"""A safe, bounded YAML loader that keeps source lines, shared by every YAML-based parser.

libyaml (PyYAML's ``CSafeLoader``) tokenises and parses; this module builds plain Python
(``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``, ``None``) straight from its event
stream, which is about three times faster than letting PyYAML compose nodes, and records
the lines of every key on the way. Along the way:

* alias bombs are refused early: alias references are counted and every value copied by
  alias expansion is charged to a budget (a "billion laughs" stops after at most
  :data:`MAX_ALIAS_EXPANSION` copied values, not after a billion);
* nesting deeper than :data:`~lockgate.scanners.iac.resources.MAX_DEPTH` is refused;
* mapping keys are always strings, spelled as in the source (``on`` stays ``"on"``, ``1``
  becomes ``"1"``), so YAML 1.1 booleans never turn keys into ``True``;
* dates and binary values stay the strings written (no ``datetime`` in check data);
* application tags (``!Ref``, ``!Sub``) go to an optional handler, else are dropped;
* ``<<`` merge keys are applied as YAML 1.1 defines them.

Errors raise :class:`YamlError` with a message and the 1-based line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from lockgate.model import ControlError, ErrorKind
from lockgate.scanners.iac.resources import MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_YAML_ALIASES

#: Values that alias expansion may copy into one document before it is refused.
MAX_ALIAS_EXPANSION = 100_000

#: Called for a value with an application tag (``!Ref``, ``!Sub``…): (tag, plain value) -> data.
TagHandler = Callable[[str, Any], Any]

PathElement = str | int

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVERS: dict[str, list[tuple[str, Any]]] = yaml.resolver.Resolver.yaml_implicit_resolvers
_SCALARS = yaml.constructor.SafeConstructor()
_PREFIX = "tag:yaml.org,2002:"
_STR = _PREFIX + "str"
_INT = _PREFIX + "int"
_FLOAT = _PREFIX + "float"
_BOOL = _PREFIX + "bool"
_NULL = _PREFIX + "null"
_MERGE = _PREFIX + "merge"
_TRUE = frozenset({"yes", "true", "on"})


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


class _Span:
    """Lines of one mapping or sequence: its own range and, per entry, the entry's lines.

    ``entries`` maps a key (or a list index) to the line the entry starts on when it is a
    one-line scalar, else to ``(first line, last line, span of the nested collection or
    None)``.
    """

    __slots__ = ("end", "entries", "start")

    def __init__(self, start: int) -> None:
        self.start = start
        self.end = start
        self.entries: dict[PathElement, int | tuple[int, int, _Span | None]] = {}


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document of a stream: plain data and where it sits in the file."""

    data: Any
    start_line: int
    end_line: int
    index: int = 0
    """Position of the document in its stream (0-based), empty documents included."""
    _span: _Span | None = field(default=None, repr=False, compare=False)

    def line_of(self, path: Sequence[PathElement], *, nearest: bool = False) -> int | None:
        """The line of the key (or list item) at ``path``, e.g. ``("spec", "template")``.

        None when the path does not exist, unless ``nearest`` asks for the line of the
        deepest part of the path that does.
        """
        found = self._locate(path, nearest=nearest)
        return None if found is None else found[0]

    def span_of(self, path: Sequence[PathElement]) -> tuple[int, int] | None:
        """First and last line of the entry at ``path`` (key line to end of its value)."""
        return self._locate(path, nearest=False)

    def _locate(self, path: Sequence[PathElement], *, nearest: bool) -> tuple[int, int] | None:
        span = self._span
        start, end = self.start_line, self.end_line
        for element in path:
            if span is None:
                return (start, end) if nearest else None
            key = element
            if isinstance(key, int) and not isinstance(key, bool) and key < 0:
                key += len(span.entries)
            entry = span.entries.get(key)
            if entry is None:
                return (start, end) if nearest else None
            if isinstance(entry, int):
                start = end = entry
                span = None
            else:
                start, end, span = entry
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

    ``path`` names the input in errors. Raises :class:`YamlError` where the stream stops
    being readable or a bound is exceeded.
    """
    if len(text) > MAX_DOCUMENT_BYTES // 4 and len(text.encode()) > MAX_DOCUMENT_BYTES:
        raise YamlError(f"document larger than {MAX_DOCUMENT_BYTES} bytes", 1, path=path)
    if text.startswith("\ufeff"):
        text = text[1:]
    loader = _Loader(text)
    lines = text.splitlines()
    try:
        get_event = loader.get_event
        get_event()  # StreamStartEvent
        index = 0
        while get_event().__class__ is not StreamEndEvent:  # DocumentStartEvent
            builder = _Builder(get_event, tag_handler, lines)
            data, span, start, end = builder.document()
            end = _trim_end(lines, start, end)
            yield Document(data=data, start_line=start, end_line=end, index=index, _span=span)
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        raise YamlError(message, None if mark is None else mark.line + 1, path=path) from None
    except YamlError as exc:
        exc.path = exc.path or path
        raise
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise YamlError(first, path=path) from None
    finally:
        loader.dispose()


class _Anchor:
    __slots__ = ("done", "span", "text", "value")

    def __init__(self) -> None:
        self.value: Any = None
        self.text: str | None = None  # the source text of an anchored scalar
        self.span: _Span | None = None
        self.done = False


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = ("anchor", "is_map", "key", "key_line", "merges", "span", "tag", "value")

    def __init__(self, value: Any, span: _Span, tag: str | None, is_map: bool) -> None:
        self.value = value
        self.span = span
        self.tag = tag
        self.is_map = is_map
        self.key: str | None = None
        self.key_line = 0
        self.merges: list[tuple[Any, _Span | None, int]] | None = None
        self.anchor: _Anchor | None = None


class _Builder:
    """Builds one document from libyaml events, enforcing the alias and depth bounds.

    The event loop is written out flat on purpose: it runs once per scalar of every
    document, and method calls per event would double the parse time.
    """

    __slots__ = ("_aliases", "_anchors", "_budget", "_get", "_lines", "_tags")

    def __init__(
        self, get_event: Callable[[], Any], tags: TagHandler | None, lines: Sequence[str]
    ) -> None:
        self._get = get_event
        self._tags = tags
        self._lines = lines
        self._anchors: dict[str, _Anchor] = {}
        self._aliases = 0
        self._budget = MAX_ALIAS_EXPANSION

    def document(self) -> tuple[Any, _Span | None, int, int]:  # noqa: PLR0912, PLR0915
        """(data, root span, first line, last line) of the document whose start was read."""
        stack: list[_Frame] = []
        get = self._get
        resolvers = _RESOLVERS
        scalar_event, alias_event = ScalarEvent, AliasEvent
        map_start, seq_start = MappingStartEvent, SequenceStartEvent
        map_end, seq_end = MappingEndEvent, SequenceEndEvent
        # the innermost open collection, kept in locals (saved in its frame while nested)
        frame: _Frame | None = None
        entries: dict[PathElement, Any] = {}
        container: Any = None
        is_map = False
        key: Any = None
        key_line = 0
        span: _Span | None
        while True:
            event = get()
            cls = event.__class__
            if cls is scalar_event:
                line = event.start_mark.line + 1
                text = event.value
                if is_map and key is None:
                    key, key_line = text, line
                    if text == "<<" and event.implicit[0] and event.tag in (None, _MERGE):
                        key = _MERGE
                    if event.anchor is not None:
                        self._anchor(event.anchor, text, text)
                    continue
                if event.tag is None and (not event.implicit[0] or text[:1] not in resolvers):
                    value: Any = text
                else:
                    value = self._scalar(event, text, line)
                if event.anchor is not None:
                    self._anchor(event.anchor, value, text)
                end = event.end_mark.line + 1
                if end != line:
                    end = _end(self._lines, event.end_mark, line)
                span = None
            elif cls is map_start or cls is seq_start:
                line = event.start_mark.line + 1
                if len(stack) >= MAX_DEPTH:
                    raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", line)
                if frame is not None:
                    frame.key, frame.key_line = key, key_line
                is_map = cls is map_start
                container = {} if is_map else []
                span = _Span(line)
                entries = span.entries
                frame = _Frame(container, span, event.tag, is_map)
                key = None
                if event.anchor is not None:
                    frame.anchor = self._anchors[event.anchor] = _Anchor()
                stack.append(frame)
                continue
            elif cls is map_end or cls is seq_end:
                done = stack.pop()
                if is_map and key is not None:  # pragma: no cover - libyaml pairs keys
                    raise YamlError("mapping key without a value", key_line)
                span = done.span
                line = span.start
                end = span.end = _trim_end(
                    self._lines, line, _end(self._lines, event.end_mark, line)
                )
                value = self._finish(done) if done.merges or done.tag else container
                if done.anchor is not None:
                    done.anchor.value, done.anchor.span = value, span
                    done.anchor.done = True
                if stack:
                    frame = stack[-1]
                    container, is_map, entries = frame.value, frame.is_map, frame.span.entries
                    key, key_line = frame.key, frame.key_line
                else:
                    frame = None
            elif cls is alias_event:
                line = event.start_mark.line + 1
                anchor = self._alias(event.anchor, line)
                if is_map and key is None:
                    if anchor.text is None:
                        raise YamlError("mapping keys must be scalars", line)
                    key, key_line = anchor.text, line
                    continue
                span = anchor.span
                if span is None:
                    value, end = anchor.value, line
                else:
                    value, end = self._copy(anchor.value, len(stack), line), span.end
            else:  # pragma: no cover - libyaml emits nothing else inside a document
                raise YamlError(f"unexpected {cls.__name__}", event.start_mark.line + 1)
            if frame is None:
                if get().__class__ is not DocumentEndEvent:  # pragma: no cover
                    raise YamlError("document continues after its root", line)
                return value, span, line, end
            if is_map:
                if key is None:
                    raise YamlError("mapping keys must be scalars", line)
                if key is _MERGE:
                    if frame.merges is None:
                        frame.merges = []
                    frame.merges.append((value, span, line))
                    key = None
                    continue
                container[key] = value
                line = key_line
            else:
                key = len(container)
                container.append(value)
            entries[key] = line if span is None and end == line else (line, max(end, line), span)
            key = None

    def _finish(self, frame: _Frame) -> Any:
        value: Any = frame.value
        if frame.merges is not None:
            value = self._merge(frame, value)
        tag = frame.tag
        if tag is not None and self._tags is not None and not tag.startswith(_PREFIX):
            return self._tags(tag, value)
        return value

    def _merge(self, frame: _Frame, own: dict[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        entries = frame.span.entries
        for value, span, line in frame.merges or ():
            if isinstance(value, dict):
                sources: list[tuple[Any, _Span | None]] = [(value, span)]
            elif isinstance(value, list):
                kids = span.entries if span is not None else {}
                sources = [(item, _kid(kids.get(i))) for i, item in enumerate(value)]
            else:
                sources = [(value, None)]
            if not all(isinstance(item, dict) for item, _ in sources):
                raise YamlError("merge key '<<' needs a mapping or a list of mappings", line)
            for source, source_span in sources:
                for key, item in source.items():
                    if key in merged or key in own:
                        continue
                    merged[key] = item
                    found = source_span.entries.get(key) if source_span is not None else None
                    entries[key] = found if found is not None else line
        merged.update(own)
        return merged

    def _anchor(self, name: str, value: Any, text: str) -> None:
        anchor = self._anchors[name] = _Anchor()
        anchor.value, anchor.text, anchor.done = value, text, True

    def _alias(self, name: str, line: int) -> _Anchor:
        anchor = self._anchors.get(name)
        if anchor is None:
            raise YamlError(f"undefined alias '{name}'", line)
        if not anchor.done:
            raise YamlError(f"recursive alias '{name}'", line)
        self._aliases += 1
        if self._aliases > MAX_YAML_ALIASES:
            raise YamlError(f"more than {MAX_YAML_ALIASES} aliases", line)
        return anchor

    def _copy(self, value: Any, depth: int, line: int) -> Any:
        """A deep copy of an aliased value, charged to the document's expansion budget."""
        self._budget -= 1
        if self._budget < 0:
            raise YamlError(
                f"aliases expand to more than {MAX_ALIAS_EXPANSION} values (alias bomb?)", line
            )
        if isinstance(value, dict):
            if depth >= MAX_DEPTH:
                raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", line)
            return {key: self._copy(item, depth + 1, line) for key, item in value.items()}
        if isinstance(value, list):
            if depth >= MAX_DEPTH:
                raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", line)
            return [self._copy(item, depth + 1, line) for item in value]
        return value

    def _scalar(self, event: Any, text: str, line: int) -> Any:
        tag: str = event.tag if event.tag is not None else _resolve(text)
        if tag in _PLAIN:
            return _PLAIN[tag](text)
        if tag in (_INT, _FLOAT):
            try:
                if tag == _INT and text.isdigit() and text[:1] != "0":
                    return int(text)
                return _construct(tag, text)
            except (ValueError, KeyError, TypeError) as exc:
                kind = tag.rsplit(":", 1)[-1]
                raise YamlError(f"invalid {kind} {text!r}", line) from exc
        if tag.startswith(_PREFIX) or tag == "!" or self._tags is None:
            return text  # timestamps, binary, merge and dropped tags keep the text written
        return self._tags(tag, text)


def _kid(entry: int | tuple[int, int, _Span | None] | None) -> _Span | None:
    return entry[2] if isinstance(entry, tuple) else None


_PLAIN: dict[str, Callable[[str], Any]] = {
    _STR: str,
    _NULL: lambda _text: None,
    _BOOL: lambda text: text.lower() in _TRUE,
}


def _construct(tag: str, text: str) -> Any:
    return _SCALARS.yaml_constructors[tag](_SCALARS, ScalarNode(tag, text))


def _resolve(text: str) -> str:
    for tag, pattern in _RESOLVERS.get(text[:1], ()):
        if pattern.match(text):
            return tag
    return _STR


def _end(lines: Sequence[str], mark: Any, start: int) -> int:
    """The last line of a node whose end mark is ``mark``.

    Block collections and block scalars end where the next token starts (only indentation
    before it on its line), so their last line is the one before; flow collections and
    quoted scalars end on the line of their closing character.
    """
    line = int(mark.line)
    if line >= len(lines) or not lines[line][: mark.column].strip():
        return max(line, start)
    return line + 1


def _trim_end(lines: Sequence[str], start: int, end: int) -> int:
    """Drop blank and comment-only lines a block collection's end mark runs over."""
    end = min(end, len(lines))
    while end > start:
        stripped = lines[end - 1].strip()
        if stripped and not stripped.startswith("#") and stripped != "---":
            break
        end -= 1
    return max(end, start)
