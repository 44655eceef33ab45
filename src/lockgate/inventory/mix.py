"""Elixir and Erlang packages from ``mix.lock``.

mix.lock is an Elixir map literal. It is read with a small tokenizer for the subset mix writes
(maps, tuples, lists, keyword lists, atoms, strings, numbers, booleans) and never evaluated.
Each ``{:hex, :package, "version", inner_hash, managers, deps, repo, outer_hash}`` entry is a
component named after the Hex package, with the outer checksum (sha256 of the package
tarball). Git and path dependencies cannot be matched against Hex advisories and are reported
as unresolved. The ``deps`` lists give the graph; mix.lock does not say which dependencies
are direct, so paths start from the packages nothing else in the lock needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    Unresolved,
    component,
)
from lockgate.inventory.lockgraph import (
    LineIndex,
    dependency_paths,
    graph_roots,
    sorted_components,
    sorted_unresolved,
)
from lockgate.inventory.purl import purl_for
from lockgate.model import Component
from lockgate.model.ecosystems import HEX

FORMAT = "mix.lock"
#: Deepest nesting of tuples, lists and maps accepted (mix writes three or four levels).
MAX_NESTING = 64

_TOKEN = re.compile(
    r"""
    (?P<space>(?:\s|\#[^\n]*)+)
  | (?P<qkey>"(?:[^"\\]|\\.)*":(?=\s))
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<qatom>:"(?:[^"\\]|\\.)*")
  | (?P<atom>:[A-Za-z_][A-Za-z0-9_@]*[?!]?)
  | (?P<key>[A-Za-z_][A-Za-z0-9_@]*[?!]?:(?=\s))
  | (?P<number>-?\d[\d_]*(?:\.\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>%\{|=>|[{}\[\],])
  | (?P<bad>.)
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "0": "\0"}
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Atom:
    """An Elixir atom such as ``:hex``."""

    name: str


Term = object


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


class _Reader:
    """Recursive-descent reader over the token stream of one mix.lock."""

    def __init__(self, source: ManifestSource) -> None:
        self.path = source.path
        self.index = LineIndex(source.text)
        self.tokens: list[tuple[str, str, int]] = [
            (match.lastgroup or "", match.group(), match.start())
            for match in _TOKEN.finditer(source.text)
            if match.lastgroup != "space"
        ]
        for kind, text, offset in self.tokens:
            if kind == "bad":
                raise self.error(f"unexpected character {text!r}", offset)
        self.at = 0
        self.key_lines: dict[str, int] = {}

    def error(self, message: str, offset: int | None = None) -> ManifestError:
        if offset is None:
            offset = self.tokens[self.at][2] if self.at < len(self.tokens) else len(self.index.text)
        return ManifestError(
            f"mix.lock is not a valid lock map: {message}",
            path=self.path,
            line=self.index.line(offset),
        )

    def peek(self) -> tuple[str, str, int]:
        if self.at >= len(self.tokens):
            raise self.error("the file ends too early")
        return self.tokens[self.at]

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if value is not None and token[1] != value:
            raise self.error(f"expected {value!r}, found {token[1]!r}")
        self.at += 1
        return token

    def document(self) -> dict[str, Term]:
        if not self.tokens:
            return {}
        if self.peek()[1] != "%{":
            raise self.error("a mix.lock starts with '%{'")
        value = self.term(0)
        if self.at != len(self.tokens):
            raise self.error("unexpected content after the lock map")
        if not isinstance(value, dict):
            raise self.error("a mix.lock is one map")
        return value

    def term(self, depth: int) -> Term:  # noqa: PLR0911 - one branch per token kind
        if depth > MAX_NESTING:
            raise self.error("terms are nested too deeply")
        kind, text, offset = self.take()
        if text == "%{":
            return self.map(depth, top=depth == 0)
        if text == "{":
            return tuple(self.sequence("}", depth))
        if text == "[":
            return self.sequence("]", depth)
        if kind == "string":
            return _unquote(text)
        if kind == "atom":
            return Atom(text[1:])
        if kind == "qatom":
            return Atom(_unquote(text[1:]))
        if kind == "number":
            cleaned = text.replace("_", "")
            return float(cleaned) if "." in cleaned else int(cleaned)
        if kind == "word":
            return {"true": True, "false": False, "nil": None}.get(text, Atom(text))
        raise self.error(f"unexpected {text!r}", offset)

    def sequence(self, closing: str, depth: int) -> list[Term]:
        """Items up to ``closing``; keyword items (``hex: :plug``) become (key, value) pairs."""
        items: list[Term] = []
        while self.peek()[1] != closing:
            kind, text, _ = self.peek()
            if kind in ("key", "qkey"):
                self.take()
                key = text[:-1] if kind == "key" else _unquote(text[:-1])
                items.append((Atom(key), self.term(depth + 1)))
            else:
                items.append(self.term(depth + 1))
            if self.peek()[1] != closing:
                self.take(",")
        self.take(closing)
        return items

    def map(self, depth: int, *, top: bool) -> dict[str, Term]:
        entries: dict[str, Term] = {}
        while self.peek()[1] != "}":
            kind, text, offset = self.take()
            if kind == "qkey":
                key = _unquote(text[:-1])
            elif kind in ("string", "atom", "qatom"):
                key = _unquote(text) if kind == "string" else text.lstrip(":").strip('"')
                self.take("=>")
            elif kind == "key":
                key = text[:-1]
            else:
                raise self.error(f"expected a map key, found {text!r}", offset)
            if top:
                self.key_lines[key] = self.index.line(offset)
            entries[key] = self.term(depth + 1)
            if self.peek()[1] != "}":
                self.take(",")
        self.take("}")
        return entries


@dataclass(frozen=True, slots=True)
class _Entry:
    app: str
    package: str
    version: str
    line: int | None
    deps: tuple[str, ...]
    checksum: str | None


def _atom_name(value: Term) -> str | None:
    return value.name if isinstance(value, Atom) else None


def _deps(value: Term) -> tuple[str, ...]:
    names = []
    for item in value if isinstance(value, list) else ():
        if isinstance(item, tuple) and item and (name := _atom_name(item[0])):
            names.append(name)
    return tuple(names)


def _entry(app: str, value: Term, line: int | None) -> _Entry | Unresolved:
    if not isinstance(value, tuple) or not value or _atom_name(value[0]) is None:
        return Unresolved(name=app, specifier="", reason="unrecognised lock entry", line=line)
    kind = _atom_name(value[0])
    if kind == "git" and len(value) > 1:
        ref = value[2] if len(value) > 2 and isinstance(value[2], str) else ""
        return Unresolved(name=app, specifier=ref, reason=f"git source ({value[1]})", line=line)
    if kind != "hex" or len(value) < 3 or not isinstance(value[2], str):
        return Unresolved(name=app, specifier="", reason=f"{kind} source", line=line)
    package = _atom_name(value[1]) or app
    checksum = value[7] if len(value) > 7 and isinstance(value[7], str) else None
    return _Entry(
        app=app,
        package=package,
        version=value[2],
        line=line,
        deps=_deps(value[5]) if len(value) > 5 else (),
        checksum=checksum if checksum and _SHA256.fullmatch(checksum) else None,
    )


def parse(source: ManifestSource) -> ParsedManifest:
    """The Hex packages a mix.lock pins, with checksums and dependency paths."""
    reader = _Reader(source)
    document = reader.document()
    entries: dict[str, _Entry] = {}
    unresolved: list[Unresolved] = []
    for app, value in document.items():
        parsed = _entry(app, value, reader.key_lines.get(app))
        if isinstance(parsed, Unresolved):
            unresolved.append(parsed)
        else:
            entries[app] = parsed
    edges = {app: [d for d in entry.deps if d in document] for app, entry in entries.items()}
    roots = graph_roots(list(document), edges)
    labels = {app: e.package for app, e in entries.items()}
    paths = dependency_paths(edges, roots, lambda app: labels.get(app, app))
    components: list[Component] = [
        component(
            ecosystem=HEX,
            name=entry.package,
            version=entry.version,
            path=source.path,
            line=entry.line,
            dependency_paths=paths.get(app, ()),
            hashes=(("sha256", entry.checksum),) if entry.checksum else (),
        )
        for app, entry in entries.items()
    ]

    def purl(app: str) -> str:
        return purl_for(HEX, entries[app].package, entries[app].version)

    graph = {
        (purl(app), tuple(sorted({purl(d) for d in deps if d in entries})))
        for app, deps in edges.items()
    }
    return ParsedManifest(
        path=source.path,
        format=FORMAT,
        ecosystem=HEX,
        components=sorted_components(components),
        unresolved=sorted_unresolved(unresolved),
        dependencies=tuple(sorted(graph)),
    )
