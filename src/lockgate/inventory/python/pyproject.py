"""``pyproject.toml``: the dependencies a Python project declares.

Reads PEP 621 ``[project] dependencies`` and ``optional-dependencies``, PEP 735
``[dependency-groups]``, Poetry's ``[tool.poetry.dependencies]``, ``dev-dependencies`` and
group dependencies (caret and tilde constraints), and the dev lists of PDM and uv. An exact
pin becomes a direct component; every range, VCS, path or URL dependency is reported as
unresolved with the reason. When a lockfile sits beside it the collector keeps only which
names are direct; :func:`declared_names` gives lockfile parsers the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    Unresolved,
    component,
)
from lockgate.inventory.lockgraph import LineIndex
from lockgate.inventory.python._documents import array, load_toml, table
from lockgate.inventory.python._pins import canonical, is_version, source_reason
from lockgate.inventory.python._requirement import InvalidRequirementError, parse_requirement
from lockgate.model import Component
from lockgate.model.ecosystems import PYPI

FORMAT = "pyproject.toml"
_NAME_PREFIX = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True, slots=True)
class _Pep508List:
    """A list of PEP 508 strings and where it sits (table header, key)."""

    header: str
    key: str
    items: list[Any]


@dataclass(frozen=True, slots=True)
class _PoetryTable:
    """A Poetry ``name = constraint`` table and its header."""

    header: str
    entries: dict[str, Any]


def parse(source: ManifestSource) -> ParsedManifest:
    """Components for exact pins (direct), unresolved entries for everything else."""
    data = table(load_toml(source), "the document", source)
    own = _project_name(data)
    locate = _Locator(source.text)
    found: list[Component | Unresolved | None] = []
    for group in _pep508_lists(data, source):
        start = locate.key(group.header, group.key)
        for item in group.items:
            if isinstance(item, dict) and "include-group" in item:
                continue
            if not isinstance(item, str):
                raise ManifestError(
                    f"[{group.header}] {group.key} entries must be requirement strings",
                    path=source.path,
                    line=locate.line_at(start),
                )
            line, start = locate.requirement(item, start)
            found.append(_from_pep508(source, item, line, own))
    for poetry in _poetry_tables(data, source):
        for name, value in poetry.entries.items():
            if canonical(name) not in ("python", own):
                line = locate.poetry_key(poetry.header, name)
                found.extend(_from_poetry(source, name, value, line))
    return ParsedManifest(
        path=source.path,
        format=FORMAT,
        ecosystem=PYPI,
        components=tuple(item for item in found if isinstance(item, Component)),
        unresolved=tuple(item for item in found if isinstance(item, Unresolved)),
    )


def declared_names(text: str) -> frozenset[str] | None:
    """PEP 503 names of every dependency a pyproject.toml declares (any group or extra),
    or None when the text is not a readable pyproject.toml."""
    source = ManifestSource(path="pyproject.toml", text=text)
    try:
        data = table(load_toml(source), "the document", source)
        own = _project_name(data)
        names: set[str] = set()
        for group in _pep508_lists(data, source):
            for item in group.items:
                if isinstance(item, str):
                    prefix = _NAME_PREFIX.match(item)
                    if prefix:
                        names.add(canonical(prefix.group(1)))
        for poetry in _poetry_tables(data, source):
            names.update(canonical(name) for name in poetry.entries)
    except ManifestError:
        return None
    names.discard("python")
    if own:
        names.discard(own)
    return frozenset(names)


def _project_name(data: dict[str, Any]) -> str | None:
    project = data.get("project")
    if isinstance(project, dict) and isinstance(project.get("name"), str):
        return canonical(project["name"])
    poetry = data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict) and isinstance(poetry.get("name"), str):
        return canonical(poetry["name"])
    return None


def _pep508_lists(data: dict[str, Any], source: ManifestSource) -> Iterator[_Pep508List]:
    project = data.get("project")
    if project is not None:
        project = table(project, "[project]", source)
        if "dependencies" in project:
            deps = array(project["dependencies"], "[project] dependencies", source)
            yield _Pep508List("project", "dependencies", deps)
        optional = project.get("optional-dependencies")
        if optional is not None:
            what = "[project.optional-dependencies]"
            for extra, items in table(optional, what, source).items():
                yield _Pep508List(
                    "project.optional-dependencies", extra, array(items, f"{what} {extra}", source)
                )
    groups = data.get("dependency-groups")
    if groups is not None:
        for group, items in table(groups, "[dependency-groups]", source).items():
            yield _Pep508List(
                "dependency-groups", group, array(items, f"[dependency-groups] {group}", source)
            )
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return
    pdm = tool.get("pdm")
    if isinstance(pdm, dict) and pdm.get("dev-dependencies") is not None:
        what = "[tool.pdm.dev-dependencies]"
        for group, items in table(pdm["dev-dependencies"], what, source).items():
            yield _Pep508List(
                "tool.pdm.dev-dependencies", group, array(items, f"{what} {group}", source)
            )
    uv = tool.get("uv")
    if isinstance(uv, dict) and uv.get("dev-dependencies") is not None:
        items = array(uv["dev-dependencies"], "[tool.uv] dev-dependencies", source)
        yield _Pep508List("tool.uv", "dev-dependencies", items)


def _poetry_tables(data: dict[str, Any], source: ManifestSource) -> Iterator[_PoetryTable]:
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if not isinstance(poetry, dict):
        return
    for key in ("dependencies", "dev-dependencies"):
        if key in poetry:
            header = f"tool.poetry.{key}"
            yield _PoetryTable(header, table(poetry[key], f"[{header}]", source))
    groups = poetry.get("group")
    if groups is None:
        return
    for group, raw in table(groups, "[tool.poetry.group]", source).items():
        header = f"tool.poetry.group.{group}"
        body = table(raw, f"[{header}]", source)
        if "dependencies" in body:
            yield _PoetryTable(
                f"{header}.dependencies",
                table(body["dependencies"], f"[{header}.dependencies]", source),
            )


def _from_pep508(
    source: ManifestSource, text: str, line: int | None, own: str | None
) -> Component | Unresolved | None:
    """A direct component for an exact pin, else the unresolved entry (None: the project's
    own extras, ``myproject[test]``)."""
    try:
        requirement = parse_requirement(text)
    except InvalidRequirementError as exc:
        raise ManifestError(
            f"{text!r} is not a valid requirement: {exc}", path=source.path, line=line
        ) from exc
    if canonical(requirement.name) == own:
        return None
    if requirement.source is not None:
        return Unresolved(
            name=requirement.name,
            specifier=requirement.specifier,
            reason=source_reason(requirement.source, requirement.location),
            line=line,
        )
    if requirement.version is not None:
        return _direct(source, requirement.name, requirement.version, line)
    return Unresolved(
        name=requirement.name,
        specifier=requirement.specifier,
        reason=_declared_range(requirement.specifier),
        line=line,
    )


def _from_poetry(
    source: ManifestSource, name: str, value: Any, line: int | None
) -> Iterator[Component | Unresolved]:
    """A direct component or an unresolved entry per constraint of a Poetry dependency."""
    for kind, detail in _poetry_constraints(value):
        if kind == "pin":
            yield _direct(source, name, detail, line)
        else:
            reason = _declared_range(detail) if kind == "range" else source_reason(kind, detail)
            yield Unresolved(name=name, specifier=detail, reason=reason, line=line)


def _poetry_constraints(value: Any) -> Iterator[tuple[str, str]]:
    """``("pin", version)``, ``("range", constraint)`` or ``(source kind, location)`` for
    each constraint of one Poetry dependency (a list holds one per marker)."""
    if isinstance(value, list):
        for item in value:
            yield from _poetry_constraints(item)
        return
    if isinstance(value, dict):
        for kind in ("git", "path", "url", "file"):
            location = value.get(kind)
            if isinstance(location, str):
                yield ("directory" if kind == "path" else kind), location
                return
        value = value.get("version", "*")
    constraint = str(value).strip()
    exact = constraint.removeprefix("==").removeprefix("=").strip()
    if is_version(exact):
        yield "pin", exact
    else:
        yield "range", constraint


def _declared_range(specifier: str) -> str:
    shown = specifier.strip()
    return f"declared range ({shown})" if shown and shown != "*" else "declared range (any version)"


def _direct(source: ManifestSource, name: str, version: str, line: int | None) -> Component:
    return component(
        ecosystem=PYPI, name=name, version=version, path=source.path, line=line, direct=True
    )


class _Locator:
    """Finds the line of a declared dependency in the pyproject text."""

    def __init__(self, text: str) -> None:
        self.index = LineIndex(text)
        self.text = text

    def line_at(self, offset: int) -> int | None:
        return self.index.line(offset) if offset else None

    def _header(self, header: str) -> int:
        parts = [re.escape(part) for part in header.split(".")]
        pattern = re.compile(
            r"^[ \t]*\[[ \t]*"
            + r"[ \t]*\.[ \t]*".join(f"[\"']?{p}[\"']?" for p in parts)
            + r"[ \t]*\][ \t]*(?:#.*)?$",
            re.M,
        )
        match = pattern.search(self.text)
        return match.end() if match else 0

    def key(self, header: str, key: str) -> int:
        """Offset just after ``key =`` in table ``header`` (0 when not found)."""
        start = self._header(header)
        pattern = re.compile(r"^[ \t]*[\"']?" + re.escape(key) + r"[\"']?[ \t]*=", re.M)
        match = pattern.search(self.text, start)
        if match is None:
            # inline form: ``optional-dependencies = { test = [...] }``
            match = re.compile(r"\b" + re.escape(key) + r"[\"']?[ \t]*=").search(self.text, start)
        return match.end() if match else start

    def requirement(self, item: str, start: int) -> tuple[int | None, int]:
        """Line of the quoted requirement ``item`` at or after ``start``, and where to go on."""
        prefix = _NAME_PREFIX.match(item)
        if prefix is None:
            return None, start
        pattern = re.compile(r"[\"']\s*" + re.escape(prefix.group(1)) + r"(?![A-Za-z0-9._-])")
        found = self.index.find(pattern, start) or self.index.find(pattern, 0)
        if found is None:
            return None, start
        return found

    def poetry_key(self, header: str, name: str) -> int | None:
        """Line of ``name = …`` (or ``[header.name]``) in a Poetry dependency table."""
        start = self._header(header)
        key = re.compile(r"^[ \t]*[\"']?" + re.escape(name) + r"[\"']?[ \t]*=", re.M)
        found = self.index.find(key, start) if start else None
        if found is None:
            sub = self._header(f"{header}.{name}")
            return self.index.line(sub - 1) if sub else None
        return found[0]
