"""Java dependencies declared in a Maven ``pom.xml``.

Each ``<dependency>`` is a component named ``group:artifact`` at the line of its element, with
``${property}`` references resolved from ``<properties>``, ``${project.version}`` and the
parent's coordinates. A local parent POM (``<relativePath>``, by default ``../pom.xml``) is
read for inherited properties and ``<dependencyManagement>`` versions, as Maven does before
resolving anything from a repository. Versions managed in this POM's own
``<dependencyManagement>`` without a matching dependency are still pins (they fix what any
module or transitive use gets) and are reported with ``direct`` unknown. A version that is a
range, ``LATEST``, an undefined property, or comes only from a parent that is not in the
target cannot be matched and is reported as unresolved. The XML is parsed with defusedxml.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    Unresolved,
    component,
)
from lockgate.inventory.lockgraph import sorted_components, sorted_unresolved
from lockgate.model import Component
from lockgate.model.ecosystems import MAVEN

FORMAT = "pom.xml"
#: How many local parent POMs are followed (parent of parent of ...).
MAX_PARENTS = 10

_PROPERTY = re.compile(r"\$\{([^}]*)\}")
_EXACT_RANGE = re.compile(r"^\[([^,\[\]()]+)\]$")


@dataclass(frozen=True, slots=True)
class _Dependency:
    group: str
    artifact: str
    version: str | None
    scope: str | None
    line: int | None


@dataclass(slots=True)
class _Pom:
    where: str
    group: str | None
    artifact: str | None
    version: str | None
    parent: dict[str, str | None] | None
    properties: dict[str, str] = field(default_factory=dict)
    dependencies: list[_Dependency] = field(default_factory=list)
    managed: list[_Dependency] = field(default_factory=list)
    profile_dependencies: int = 0


class _LineBuilder:
    """A TreeBuilder target that remembers the line each element starts on."""

    def __init__(self) -> None:
        from xml.etree.ElementTree import TreeBuilder

        self._builder = TreeBuilder()
        self.lines: dict[int, int] = {}
        self.parser: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = self._builder.start(tag, attrs)
        self.lines[id(element)] = int(self.parser.parser.CurrentLineNumber)
        return element

    def end(self, tag: str) -> Element:
        return self._builder.end(tag)

    def data(self, data: str) -> None:
        self._builder.data(data)

    def close(self) -> Element:
        return self._builder.close()


def _parse_xml(text: str, path: str) -> tuple[Element, dict[int, int]]:
    """The root element and element start lines; ManifestError for bad or unsafe XML."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(text)
        root: Element = parser.close()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise ManifestError(f"pom.xml is not well-formed XML: {exc}", path=path, line=line) from exc
    except DefusedXmlException as exc:
        raise ManifestError(
            f"pom.xml uses a forbidden XML feature (entities or external references): {exc}",
            path=path,
        ) from exc
    return root, builder.lines


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: Element | None, name: str) -> str | None:
    child = _child(element, name)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _dependencies(
    container: Element | None, lines: dict[int, int], where: str
) -> list[_Dependency]:
    found = []
    for element in _child(container, "dependencies") or ():
        if _local(element.tag) != "dependency":
            continue
        group, artifact = _text(element, "groupId"), _text(element, "artifactId")
        line = lines.get(id(element))
        if not group or not artifact:
            raise ManifestError(
                "<dependency> without a groupId and an artifactId", path=where, line=line
            )
        found.append(
            _Dependency(group, artifact, _text(element, "version"), _text(element, "scope"), line)
        )
    return found


def _read_pom(text: str, where: str) -> _Pom:
    root, lines = _parse_xml(text, where)
    if _local(root.tag) != "project":
        raise ManifestError(
            f"not a Maven POM: the root element is <{_local(root.tag)}>, not <project>",
            path=where,
            line=lines.get(id(root)),
        )
    parent_element = _child(root, "parent")
    parent = None
    if parent_element is not None:
        relative = _child(parent_element, "relativePath")
        parent = {
            "groupId": _text(parent_element, "groupId"),
            "artifactId": _text(parent_element, "artifactId"),
            "version": _text(parent_element, "version"),
            # <relativePath/> (empty) means: do not look on disk
            "relativePath": "../pom.xml" if relative is None else (relative.text or "").strip(),
        }
    properties = {
        _local(child.tag): (child.text or "").strip()
        for child in _child(root, "properties") or ()
        if isinstance(child.tag, str)
    }
    profiles = _child(root, "profiles")
    return _Pom(
        where=where,
        group=_text(root, "groupId"),
        artifact=_text(root, "artifactId"),
        version=_text(root, "version"),
        parent=parent,
        properties=properties,
        dependencies=_dependencies(root, lines, where),
        managed=_dependencies(_child(root, "dependencyManagement"), lines, where),
        profile_dependencies=sum(
            len(_dependencies(profile, lines, where)) for profile in profiles or ()
        ),
    )


def _parents(source: ManifestSource, pom: _Pom) -> tuple[list[_Pom], list[str]]:
    """The chain of local parent POMs, nearest first, and warnings about the ones missing."""
    chain: list[_Pom] = []
    warnings: list[str] = []
    current, relative_dir, seen = pom, "", {"pom.xml"}
    while current.parent is not None and len(chain) < MAX_PARENTS:
        parent = current.parent
        coordinates = f"{parent['groupId']}:{parent['artifactId']}:{parent['version']}"
        relative = parent["relativePath"]
        if not relative:
            break
        candidate = posixpath.normpath(posixpath.join(relative_dir, relative))
        if not candidate.endswith(".xml"):
            candidate = posixpath.join(candidate, "pom.xml")
        if candidate in seen:
            warnings.append(f"parent POM {candidate} is part of a cycle; not followed")
            break
        seen.add(candidate)
        text = source.read_sibling(candidate)
        if text is None:
            warnings.append(
                f"parent POM {coordinates} is not at {candidate} in the target; "
                "what it defines (properties, managed versions) is unknown"
            )
            break
        where = posixpath.normpath(posixpath.join(source.directory, candidate))
        try:
            loaded = _read_pom(text, where)
        except ManifestError as exc:
            warnings.append(f"parent POM {candidate} was ignored: {exc.message}")
            break
        group = loaded.group or (loaded.parent or {}).get("groupId")
        if loaded.artifact != parent["artifactId"] or group != parent["groupId"]:
            warnings.append(
                f"{candidate} is {group}:{loaded.artifact}, not the parent {coordinates}; "
                "the parent would come from a repository and is unknown"
            )
            break
        chain.append(loaded)
        current, relative_dir = loaded, posixpath.dirname(candidate)
    return chain, warnings


def _properties(pom: _Pom, parents: list[_Pom]) -> dict[str, str]:
    """Properties as the effective model sees them: the nearest definition wins."""
    merged: dict[str, str] = {}
    for each in reversed(parents):
        merged.update(each.properties)
    merged.update(pom.properties)
    parent = pom.parent or {}
    builtins = {
        "groupId": pom.group or parent.get("groupId"),
        "artifactId": pom.artifact,
        "version": pom.version or parent.get("version"),
        "parent.groupId": parent.get("groupId"),
        "parent.artifactId": parent.get("artifactId"),
        "parent.version": parent.get("version"),
    }
    for key, value in builtins.items():
        if value is not None:
            merged[f"project.{key}"] = value
            merged[f"pom.{key}"] = value
            if "." not in key:
                merged.setdefault(key, value)
    return merged


def _interpolate(value: str, properties: dict[str, str]) -> str:
    for _ in range(10):
        expanded = _PROPERTY.sub(lambda m: properties.get(m.group(1), m.group(0)), value)
        if expanded == value:
            break
        value = expanded
    return value


def _pin(version: str) -> tuple[str | None, str | None]:
    """``(exact version, None)`` or ``(None, why it is not an exact pin)``."""
    undefined = _PROPERTY.search(version)
    if undefined:
        return None, f"version uses an undefined property ${{{undefined.group(1)}}}"
    if version.startswith(("[", "(")):
        exact = _EXACT_RANGE.match(version)
        if exact:
            return exact.group(1).strip(), None
        return None, f"not pinned to an exact version ({version})"
    if version in ("LATEST", "RELEASE"):
        return None, f"not pinned to an exact version ({version})"
    return version, None


@dataclass(slots=True)
class _Result:
    """Components and unresolved dependencies of one POM, as they are decided."""

    path: str
    properties: dict[str, str]
    components: list[Component] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)

    def coordinates(self, dep: _Dependency) -> str:
        group = _interpolate(dep.group, self.properties)
        return f"{group}:{_interpolate(dep.artifact, self.properties)}"

    def record(self, dep: _Dependency, raw: str, *, direct: bool | None, where: str = "") -> None:
        """A component at the interpolated version, or an unresolved entry saying why not."""
        name = self.coordinates(dep)
        version, reason = _pin(_interpolate(raw, self.properties))
        if _PROPERTY.search(name):
            reason = f"coordinates use an undefined property ({name})"
        if reason is not None:
            self.skip(name, raw, reason + where, dep.line)
            return
        self.components.append(
            component(
                ecosystem=MAVEN,
                name=name,
                version=version,
                path=self.path,
                line=dep.line,
                direct=direct,
            )
        )

    def skip(self, name: str, specifier: str, reason: str, line: int | None) -> None:
        self.unresolved.append(Unresolved(name=name, specifier=specifier, reason=reason, line=line))


def _missing_version_reason(pom: _Pom, parents: list[_Pom], has_imports: bool) -> str:
    if pom.parent is not None and len(parents) == 0:
        parent = pom.parent
        return (
            f"no version; it may be managed by the parent POM {parent['groupId']}:"
            f"{parent['artifactId']}:{parent['version']}, which is not in the target"
        )
    if has_imports:
        return "no version; it may be managed by an imported BOM, which is not in the target"
    return "no version and no <dependencyManagement> entry for it"


def parse(source: ManifestSource) -> ParsedManifest:
    """The dependencies a pom.xml declares, with versions resolved as far as the target
    allows (properties, local parent POMs, dependencyManagement)."""
    pom = _read_pom(source.text, source.path)
    parents, warnings = _parents(source, pom)
    result = _Result(source.path, _properties(pom, parents))
    managed: dict[str, str | None] = {}
    for each in (pom, *parents):
        for dep in each.managed:
            if dep.scope != "import":
                managed.setdefault(result.coordinates(dep), dep.version)
    imports = any(dep.scope == "import" for each in (pom, *parents) for dep in each.managed)
    declared = set()
    for dep in pom.dependencies:
        name = result.coordinates(dep)
        declared.add(name)
        raw = dep.version or managed.get(name)
        if raw is None:
            result.skip(name, "", _missing_version_reason(pom, parents, imports), dep.line)
        else:
            result.record(dep, raw, direct=True)
    for dep in pom.managed:
        if dep.scope != "import" and dep.version and result.coordinates(dep) not in declared:
            result.record(dep, dep.version, direct=None, where=" (in <dependencyManagement>)")
    if pom.profile_dependencies:
        warnings.append(
            "dependencies inside <profiles> are not inventoried, as they apply only when "
            f"their profile is active ({pom.profile_dependencies} found)"
        )
    return ParsedManifest(
        path=source.path,
        format=FORMAT,
        ecosystem=MAVEN,
        components=sorted_components(result.components),
        unresolved=sorted_unresolved(result.unresolved),
        warnings=tuple(warnings),
    )
