"""pip requirements files (``requirements*.txt``, ``*.in``, constraints files).

Reads the file the way pip does: backslash continuations joined first, then comments
stripped; ``-r``/``-c`` includes followed relative to the including file (each file read
once, so cycles end; a missing include is a warning); global options ignored. Every exact
``==``/``===`` pin becomes a component with its ``--hash`` digests; ranges, bare names,
editable installs, VCS, URL and path requirements are reported as unresolved with the reason.
pip-compile ``# via`` annotations say which pins are direct and give the dependency graph.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    Unresolved,
    component,
)
from lockgate.inventory.lockgraph import dependency_paths
from lockgate.inventory.python._pins import (
    canonical,
    hash_pair,
    is_version,
    not_pinned,
    one_per_algorithm,
    redact_url,
    source_reason,
)
from lockgate.inventory.python._requirement import (
    InvalidRequirementError,
    is_url_or_path,
    name_from_location,
    parse_requirement,
    url_kind,
)
from lockgate.model import Component
from lockgate.model.ecosystems import PYPI

FORMAT = "requirements.txt"
#: Format of ``*.in`` files: declared inputs that a compiled requirements file beside wins over.
DECLARED_FORMAT = "requirements.in"
#: Deepest chain of ``-r``/``-c`` includes followed.
MAX_INCLUDE_DEPTH = 32

_COMMENT = re.compile(r"(^|\s+)#.*$")
_SIMPLE_PIN = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)[ \t]*(?:\[[^\]]*\])?[ \t]*(===?)[ \t]*([^\s;,#=<>!~*]+)$"
)
_PEP508_URL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@")
_ENV_VAR = re.compile(r"\$\{[A-Za-z0-9_]+\}")
_EXTRAS = re.compile(r"\[[^\]]*\]")
_INCLUDES = {
    "-r": "requirement",
    "--requirement": "requirement",
    "-c": "constraint",
    "--constraint": "constraint",
}
_EDITABLE = frozenset({"-e", "--editable"})
#: pip's global options: they change where packages come from, not which are installed.
_GLOBAL_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "--no-index",
        "-f",
        "--find-links",
        "--trusted-host",
        "--pre",
        "--prefer-binary",
        "--require-hashes",
        "--only-binary",
        "--no-binary",
        "--use-feature",
        "--config-settings",
        "--global-option",
        "--install-option",
        "-Z",
        "--always-unzip",
        "--process-dependency-links",
        "--allow-external",
        "--allow-unverified",
        "--allow-all-external",
    }
)


@dataclass(frozen=True, slots=True)
class _Line:
    """One logical line: continuations joined, comment split off (``comment`` is the text
    after ``#``, unstripped on the left so annotation items can be told by indentation)."""

    number: int
    content: str
    comment: str | None


@dataclass(slots=True)
class _Pin:
    name: str
    version: str
    path: str
    line: int
    hashes: list[str]
    marker: str | None = None
    via: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Skipped:
    key: str
    unresolved: Unresolved
    unpinned: bool


def parse(source: ManifestSource) -> ParsedManifest:
    """Components for the exact pins of a requirements file and the files it includes."""
    walk = _Walk(source)
    walk.read(source.path, source.text, depth=0)
    return walk.result()


def logical_lines(text: str) -> Iterator[_Line]:
    """pip's preprocessing: lines ending in ``\\`` are joined to the next (before comments
    are removed), then ``#`` comments split off. Numbers are those of each first line."""
    pending: list[str] = []
    first = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        is_comment = "#" in raw and _COMMENT.match(raw) is not None
        if raw.endswith("\\") and not is_comment:
            if not pending:
                first = number
            pending.append(raw.strip("\\"))
            continue
        if pending:
            pending.append(" " + raw if is_comment else raw)
            yield _split(first, "".join(pending))
            pending = []
        else:
            yield _split(number, raw)
    if pending:
        yield _split(first, "".join(pending))


def _split(number: int, line: str) -> _Line:
    match = _COMMENT.search(line) if "#" in line else None
    if match is None:
        return _Line(number, line.strip(), None)
    comment = match.group().lstrip()[1:]
    return _Line(number, line[: match.start()].strip(), comment)


class _Walk:
    """Reads one requirements file and its includes, collecting pins and skipped entries."""

    def __init__(self, source: ManifestSource) -> None:
        self.source = source
        self.seen: set[str] = set()
        self.pins: list[_Pin] = []
        self.skipped: list[_Skipped] = []
        self.warnings: list[str] = []

    def read(self, path: str, text: str, *, depth: int) -> None:
        self.seen.add(path)
        via_target: _Pin | None = None
        in_via_block = False
        for line in logical_lines(text):
            if not line.content:
                if line.comment is None:
                    via_target = None
                    in_via_block = False
                    continue
                stripped = line.comment.strip()
                if via_target is not None and (stripped == "via" or stripped.startswith("via ")):
                    via_target.via.extend(_via_items(stripped[3:]))
                    in_via_block = True
                elif via_target is not None and in_via_block and line.comment.startswith("  "):
                    via_target.via.extend(_via_items(stripped))
                else:
                    in_via_block = False
                continue
            via_target = None
            in_via_block = False
            if line.content.startswith("-"):
                self._option(path, line, depth)
                continue
            pin = self._requirement(path, line)
            if pin is not None:
                via_target = pin
                if line.comment is not None and line.comment.strip().startswith("via "):
                    pin.via.extend(_via_items(line.comment.strip()[4:]))

    def _option(self, path: str, line: _Line, depth: int) -> None:
        option, value = _option_value(_tokens(line.content))
        where = f"{path}:{line.number}"
        if option in _INCLUDES or option in _EDITABLE:
            if not value:
                raise ManifestError(f"option {option} needs a value", path=path, line=line.number)
            if option in _EDITABLE:
                self._skip(
                    path,
                    line,
                    name_from_location(value),
                    redact_url(value),
                    source_reason("editable", value),
                    unpinned=False,
                )
            else:
                self._include(path, line, value, _INCLUDES[option], depth)
        elif option not in _GLOBAL_OPTIONS:
            self.warnings.append(f"{where}: unknown option {option} ignored")

    def _include(self, path: str, line: _Line, value: str, kind: str, depth: int) -> None:
        where = f"{path}:{line.number}"
        if "://" in value or value.startswith("/") or ":" in value.split("/", 1)[0]:
            self.warnings.append(
                f"{where}: {kind} file {redact_url(value)} is not inside the target; not followed"
            )
            return
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), value))
        if joined == ".." or joined.startswith("../"):
            self.warnings.append(
                f"{where}: {kind} file {value} is outside the target; not followed"
            )
            return
        if joined in self.seen:
            return
        if depth >= MAX_INCLUDE_DEPTH:
            self.warnings.append(f"{where}: {kind} file {value} nested too deeply; not followed")
            return
        relative = posixpath.relpath(joined, self.source.directory or ".")
        text = self.source.read_sibling(relative)
        if text is None:
            self.warnings.append(f"{where}: {kind} file {value} not found; not followed")
            return
        self.read(joined, text, depth=depth + 1)

    def _requirement(self, path: str, line: _Line) -> _Pin | None:
        args, options = _args_and_options(line.content)
        hashes = self._hashes(path, line, options)
        variable = _ENV_VAR.search(args)
        if variable:
            self._skip(
                path,
                line,
                name_from_location(args) if is_url_or_path(args) else _leading_name(args),
                redact_url(args),
                f"depends on environment variable {variable.group()} set at install time",
                unpinned=False,
            )
            return None
        simple = _SIMPLE_PIN.match(args)
        if simple and (simple.group(2) == "===" or is_version(simple.group(3))):
            return self._pin(
                path, line, simple.group(1), simple.group(3), hashes=hashes, marker=None
            )
        if not _PEP508_URL.match(args) and is_url_or_path(args):
            kind = url_kind(args) if "://" in args or ":" in args.split("/", 1)[0] else "path"
            self._skip(
                path,
                line,
                name_from_location(args),
                redact_url(args),
                source_reason(kind, args),
                unpinned=False,
            )
            return None
        try:
            requirement = parse_requirement(args)
        except InvalidRequirementError as exc:
            raise ManifestError(
                f"{redact_url(args)!r} is not a valid requirement: {exc}",
                path=path,
                line=line.number,
            ) from exc
        if requirement.source is not None:
            self._skip(
                path,
                line,
                requirement.name,
                requirement.specifier,
                source_reason(requirement.source, requirement.location),
                unpinned=False,
            )
            return None
        if requirement.version is None:
            self._skip(
                path,
                line,
                requirement.name,
                requirement.specifier,
                not_pinned(requirement.specifier),
                unpinned=True,
            )
            return None
        return self._pin(
            path,
            line,
            requirement.name,
            requirement.version,
            hashes=hashes,
            marker=requirement.marker,
        )

    def _pin(
        self,
        path: str,
        line: _Line,
        name: str,
        version: str,
        *,
        hashes: list[str],
        marker: str | None,
    ) -> _Pin:
        pin = _Pin(name=name, version=version, path=path, line=line.number, hashes=hashes)
        if marker:
            pin.marker = marker
            self.warnings.append(
                f"{path}:{line.number}: {name}=={version} is installed only where {marker}"
            )
        self.pins.append(pin)
        return pin

    def _hashes(self, path: str, line: _Line, options: list[str]) -> list[str]:
        found: list[str] = []
        for index, option in enumerate(options):
            if option == "--hash" and index + 1 < len(options):
                value = options[index + 1]
            elif option.startswith("--hash="):
                value = option.partition("=")[2]
            else:
                continue
            if hash_pair(value) is None:
                self.warnings.append(f"{path}:{line.number}: malformed --hash {value!r} ignored")
            else:
                found.append(value)
        return found

    def _skip(
        self,
        path: str,
        line: _Line,
        name: str,
        specifier: str,
        reason: str,
        *,
        unpinned: bool,
    ) -> None:
        # Unresolved lines are read against the parsed manifest; name other files outright.
        in_this_file = path == self.source.path
        if not in_this_file:
            reason = f"{reason}, in {path} line {line.number}"
        self.skipped.append(
            _Skipped(
                key=canonical(name),
                unresolved=Unresolved(
                    name=name,
                    specifier=specifier,
                    reason=reason,
                    line=line.number if in_this_file else None,
                ),
                unpinned=unpinned,
            )
        )

    def result(self) -> ParsedManifest:
        pinned = {canonical(pin.name) for pin in self.pins}
        # pip merges ``flask`` with ``flask==2.0`` from another line or a constraints file.
        unresolved = [s.unresolved for s in self.skipped if not (s.unpinned and s.key in pinned)]
        direct, edges, annotated = _graph(self.pins)
        labels = {canonical(pin.name): pin.name for pin in reversed(self.pins)}
        roots = [key for key, is_direct in direct.items() if is_direct]
        paths = (
            dependency_paths(edges, roots, lambda key: labels.get(key, key)) if annotated else {}
        )
        # A package pinned twice in one file is one component (first line, hashes of both).
        merged: dict[tuple[str, str, str], _Pin] = {}
        for pin in self.pins:
            first = merged.setdefault((canonical(pin.name), pin.version, pin.path), pin)
            if first is not pin:
                first.hashes = [*first.hashes, *pin.hashes]
        components: list[Component] = []
        purls: dict[str, list[str]] = {}
        for (key, _version, _path), pin in merged.items():
            built = component(
                ecosystem=PYPI,
                name=pin.name,
                version=pin.version,
                path=pin.path,
                line=pin.line,
                direct=direct.get(key),
                dependency_paths=paths.get(key, ()),
                hashes=one_per_algorithm(pin.hashes),
            )
            components.append(built)
            purls.setdefault(key, []).append(built.purl)
        dependencies = {
            parent_purl: sorted({p for child in children for p in purls.get(child, ())})
            for parent, children in edges.items()
            for parent_purl in purls.get(parent, ())
        }
        base = self.source.path.rpartition("/")[2]
        return ParsedManifest(
            path=self.source.path,
            format=DECLARED_FORMAT if base.endswith(".in") else FORMAT,
            ecosystem=PYPI,
            components=tuple(components),
            unresolved=tuple(unresolved),
            dependencies=tuple(
                sorted(
                    (purl, tuple(children)) for purl, children in dependencies.items() if children
                )
            ),
            warnings=tuple(self.warnings),
        )


def _graph(pins: list[_Pin]) -> tuple[dict[str, bool | None], dict[str, list[str]], bool]:
    """From pip-compile ``# via`` annotations: which pins are direct (a ``-r`` file or a
    project file is among the parents), and parent -> children edges by PEP 503 name."""
    direct: dict[str, bool | None] = {}
    edges: dict[str, list[str]] = {}
    annotated = any(pin.via for pin in pins)
    for pin in pins:
        key = canonical(pin.name)
        if not pin.via:
            direct.setdefault(key, None)
            continue
        is_direct = False
        for parent in pin.via:
            if parent.startswith(("-r ", "-c ")) or parent.endswith(")"):
                is_direct = is_direct or not parent.startswith("-c ")
                continue
            parent_key = canonical(_EXTRAS.sub("", parent).strip())
            if parent_key != key:
                children = edges.setdefault(parent_key, [])
                if key not in children:
                    children.append(key)
        if is_direct:
            direct[key] = True
        elif direct.get(key) is None and any(not p.startswith("-c ") for p in pin.via):
            direct[key] = False
    return direct, edges, annotated


def _via_items(text: str) -> list[str]:
    """Parents named in a ``# via`` annotation (comma-separated in old pip-tools output)."""
    return [item.strip() for item in text.split(",") if item.strip()]


def _option_value(tokens: list[str]) -> tuple[str, str | None]:
    """``(option, value)`` of an option line: ``-r f``, ``-rf``, ``--requirement=f``."""
    first = tokens[0]
    if first.startswith("--"):
        option, sep, attached = first.partition("=")
        if sep:
            return option, attached
    elif len(first) > 2 and first[:2] in ("-r", "-c", "-e", "-i", "-f"):
        return first[:2], first[2:]
    else:
        option = first
    return option, tokens[1] if len(tokens) > 1 else None


def _args_and_options(content: str) -> tuple[str, list[str]]:
    """pip's split of a requirement line: the requirement up to the first ``-`` token, then
    per-requirement options (``--hash``)."""
    tokens = content.split(" ")
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:index]).strip(), _tokens(" ".join(tokens[index:]))
    return content, []


def _tokens(text: str) -> list[str]:
    """Shell-like words of an option string; plain splitting when nothing is quoted (shlex
    is slow, and most lines are ``--hash=sha256:…`` lists)."""
    if not any(mark in text for mark in "'\"\\"):
        return text.split()
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _leading_name(text: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    return match.group(1) if match else redact_url(text)
