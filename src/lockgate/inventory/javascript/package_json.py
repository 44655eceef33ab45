"""``package.json``: the dependencies a project declares.

Only an exact version (``1.2.3``, ``=1.2.3``, ``v1.2.3``, or an alias to one,
``npm:real@1.2.3``) says what gets installed, so only those become components (direct, at
the line of the declaration). Ranges, dist-tags, git, URL, local and workspace specifiers are
reported as unresolved with the reason; a lockfile beside the manifest supplies the real
versions, and this manifest then only tells which of them are direct.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    Unresolved,
    component,
)
from lockgate.inventory.javascript._jsontext import key_lines, load_json
from lockgate.inventory.javascript._specs import alias_target, exact_version, redact, source_problem
from lockgate.model import Component
from lockgate.model.ecosystems import NPM

FORMAT = "package.json"
#: The dependency sections read, in the order a name's first declaration is looked for.
SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
#: Sections whose packages the project's own install pulls in (peers are the host's choice).
INSTALLED_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")


@dataclass(frozen=True, slots=True)
class Declaration:
    """One declared dependency: section, name as written, specifier and 1-based line."""

    section: str
    name: str
    specifier: str
    line: int | None


@dataclass(frozen=True, slots=True)
class RootManifest:
    """What a lockfile parser needs from the package.json beside it."""

    dependencies: dict[str, str]
    has_workspaces: bool


def declarations(text: str, *, path: str = FORMAT) -> list[Declaration]:
    """Every entry of the dependency sections, in section order; ManifestError when the
    file is not a JSON object or a section is not a map of names to specifier strings."""
    return _declarations(_load_object(text, path), text, path)


def _load_object(text: str, path: str) -> dict[str, Any]:
    data = load_json(text, path)
    if not isinstance(data, dict):
        raise ManifestError(
            "package.json must hold a JSON object at the top level", path=path, line=1
        )
    return data


def _declarations(data: dict[str, Any], text: str, path: str) -> list[Declaration]:
    lines = key_lines(text, _in_section)
    found: list[Declaration] = []
    for section in SECTIONS:
        entries = data.get(section)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            raise ManifestError(
                f'"{section}" must be an object of package names to version specifiers',
                path=path,
                line=lines.get((section,)),
            )
        for name, spec in entries.items():
            line = lines.get((section, name))
            if not isinstance(spec, str):
                raise ManifestError(
                    f'"{section}" entry {name!r} must be a version specifier string',
                    path=path,
                    line=line,
                )
            found.append(Declaration(section, name, spec, line))
    return found


def _in_section(parents: tuple[str, ...]) -> bool:
    return len(parents) <= 1 and (not parents or parents[0] in SECTIONS)


def dependency_lines(text: str, *, path: str = FORMAT) -> dict[str, tuple[str, int]]:
    """Name -> (specifier, line) of each declared dependency, for tools that edit the file.

    A name declared in several sections maps to its first declaration in the order
    dependencies, devDependencies, optionalDependencies, peerDependencies.
    """
    out: dict[str, tuple[str, int]] = {}
    for item in declarations(text, path=path):
        if item.line is not None:
            out.setdefault(item.name, (item.specifier, item.line))
    return out


def parse(source: ManifestSource) -> ParsedManifest:
    """Exactly pinned declared dependencies as direct components; the rest unresolved."""
    items = declarations(source.text, path=source.path)
    installed = {item.name for item in items if item.section != "peerDependencies"}
    components: dict[str, Component] = {}
    unresolved: list[Unresolved] = []
    for item in items:
        if item.section == "peerDependencies" and item.name in installed:
            continue  # the project's own declaration of it decides what is installed
        pinned = _pinned(item)
        if isinstance(pinned, Unresolved):
            unresolved.append(pinned)
            continue
        name, version = pinned
        built = component(
            ecosystem=NPM,
            name=name,
            version=version,
            path=source.path,
            line=item.line,
            direct=True,
        )
        components.setdefault(built.purl, built)
    return ParsedManifest(
        path=source.path,
        format=FORMAT,
        ecosystem=NPM,
        components=tuple(sorted(components.values())),
        unresolved=tuple(sorted(set(unresolved))),
    )


def _pinned(item: Declaration) -> tuple[str, str] | Unresolved:
    """(real name, exact version) of a declaration, or why it has none."""
    name, spec = item.name, item.specifier.strip()
    alias = alias_target(spec)
    if alias is not None:
        name, spec = alias
    problem = source_problem(spec)
    version = None if problem else exact_version(spec)
    if version is not None:
        return name, version
    if problem is None:
        shown = spec or "empty"
        problem = f"not pinned to an exact version ({shown})"
    if alias is not None:
        problem = f"alias of {name}: {problem}"
    return Unresolved(
        name=item.name, specifier=redact(item.specifier), reason=problem, line=item.line
    )


def sibling_manifest(source: ManifestSource) -> tuple[RootManifest | None, str | None]:
    """The package.json beside a lockfile (None when absent) and a warning when it exists
    but cannot be read, so the lockfile parser can say which dependencies are direct."""
    text = source.read_sibling("package.json")
    if text is None:
        return None, None
    directory = source.directory
    sibling_path = f"{directory}/package.json" if directory else "package.json"
    try:
        data = _load_object(text, sibling_path)
        items = _declarations(data, text, sibling_path)
    except ManifestError as exc:
        return None, f"{exc.diagnostics()} (direct dependencies unknown)"
    declared: dict[str, str] = {}
    for item in items:
        if item.section in INSTALLED_SECTIONS:
            declared.setdefault(item.name, item.specifier)
    return RootManifest(declared, has_workspaces=bool(data.get("workspaces"))), None
