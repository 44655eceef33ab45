"""Ruby gems from ``Gemfile.lock`` / ``gems.locked``.

Gems under a ``GEM`` source are components at their locked version (a platform suffix such as
``-x86_64-linux`` is not part of the version). Gems from ``GIT`` and ``PATH`` sources cannot be
matched against RubyGems advisories and are reported as unresolved. ``DEPENDENCIES`` names
what the Gemfile asks for (direct), the indented lines under each spec give the graph, and a
``CHECKSUMS`` section (Bundler 2.5+) gives sha256 digests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    Unresolved,
    component,
)
from lockgate.inventory.lockgraph import dependency_paths, sorted_components, sorted_unresolved
from lockgate.inventory.purl import purl_for
from lockgate.model import Component
from lockgate.model.ecosystems import RUBYGEMS

FORMAT = "Gemfile.lock"

_SOURCE_SECTIONS = frozenset({"GEM", "GIT", "PATH", "PLUGIN SOURCE"})
_KNOWN_SECTIONS = _SOURCE_SECTIONS | {
    "PLATFORMS",
    "DEPENDENCIES",
    "RUBY VERSION",
    "BUNDLED WITH",
    "CHECKSUMS",
}
_SPEC = re.compile(r"^    (\S+) \(([^)]+)\)\s*$")
_SPEC_DEP = re.compile(r"^      (\S+)(?: \([^)]*\))?\s*$")
_DEPENDENCY = re.compile(r"^  (\S+?)(!)?(?: \([^)]*\))?\s*$")
_CHECKSUM = re.compile(r"^  (\S+) \(([^)]+)\)(?: (.*))?$")


@dataclass(slots=True)
class _Spec:
    name: str
    version: str
    line: int
    section: str
    remote: str
    deps: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Lock:
    path: str
    specs: list[_Spec] = field(default_factory=list)
    direct: set[str] = field(default_factory=set)
    checksums: dict[tuple[str, str], str] = field(default_factory=dict)


def _version(raw: str) -> str:
    """``1.13.3-x86_64-linux`` -> ``1.13.3``: gem versions never contain a hyphen, so what
    follows the first one is the platform."""
    return raw.split("-", 1)[0]


def _read(source: ManifestSource) -> _Lock:
    lock = _Lock(source.path)
    section = ""
    remote = ""
    seen_section = False
    current: _Spec | None = None
    for number, line in enumerate(source.text.splitlines(), start=1):
        if not line.strip():
            continue
        if not line[0].isspace():
            section = line.strip()
            seen_section = seen_section or section in _KNOWN_SECTIONS
            remote, current = "", None
            continue
        if not seen_section:
            raise ManifestError(
                "not a Gemfile.lock: content before any section such as GEM or DEPENDENCIES",
                path=source.path,
                line=number,
            )
        if section in _SOURCE_SECTIONS:
            if line.startswith("  remote: "):
                remote = line.removeprefix("  remote: ").strip()
            current = _read_source_line(
                line, number=number, origin=(section, remote), lock=lock, current=current
            )
        else:
            _read_listing_line(section, line, lock)
    if source.text.strip() and not seen_section:
        raise ManifestError(
            "not a Gemfile.lock: no GEM, GIT, PATH or DEPENDENCIES section",
            path=source.path,
            line=1,
        )
    return lock


def _read_listing_line(section: str, line: str, lock: _Lock) -> None:
    """One line of DEPENDENCIES (what the Gemfile asks for) or CHECKSUMS."""
    if section == "DEPENDENCIES":
        match = _DEPENDENCY.match(line)
        if match:
            lock.direct.add(match.group(1))
    elif section == "CHECKSUMS":
        match = _CHECKSUM.match(line)
        if match and match.group(3):
            for item in match.group(3).split(","):
                algorithm, _, digest = item.strip().partition("=")
                if algorithm == "sha256" and digest:
                    lock.checksums[(match.group(1), _version(match.group(2)))] = digest


def _read_source_line(
    line: str,
    *,
    number: int,
    origin: tuple[str, str],
    lock: _Lock,
    current: _Spec | None,
) -> _Spec | None:
    """One line inside a GEM/GIT/PATH section: a spec, a spec's dependency, or a setting."""
    if line.startswith("      ") and not line.startswith("       "):
        match = _SPEC_DEP.match(line)
        if current is not None and match:
            current.deps.append(match.group(1))
        return current
    if line.startswith("    ") and not line.startswith("     "):
        match = _SPEC.match(line)
        if match is None:
            raise ManifestError(
                f"gem spec without a version in parentheses: {line.strip()!r}",
                path=lock.path,
                line=number,
            )
        spec = _Spec(match.group(1), _version(match.group(2)), number, *origin)
        lock.specs.append(spec)
        return spec
    return None


def _unresolved_reason(spec: _Spec) -> str:
    if spec.section == "GIT":
        return f"git source ({spec.remote})" if spec.remote else "git source"
    if spec.section == "PATH":
        return f"local path ({spec.remote})" if spec.remote else "local path"
    return f"plugin source ({spec.remote})" if spec.remote else "plugin source"


def parse(source: ManifestSource) -> ParsedManifest:
    """The gems a Gemfile.lock pins, with direct flags, dependency paths and checksums."""
    lock = _read(source)
    edges: dict[str, list[str]] = {}
    for spec in lock.specs:
        edges.setdefault(spec.name, []).extend(spec.deps)
    paths = dependency_paths(edges, sorted(lock.direct & edges.keys()), lambda name: name)
    known_direct = bool(lock.direct)
    components: dict[tuple[str, str], Component] = {}
    unresolved: set[Unresolved] = set()
    for spec in lock.specs:
        if spec.section != "GEM":
            unresolved.add(
                Unresolved(
                    name=spec.name,
                    specifier=spec.version,
                    reason=_unresolved_reason(spec),
                    line=spec.line,
                )
            )
            continue
        key = (spec.name, spec.version)
        if key in components:
            continue  # the same gem locked for several platforms
        digest = lock.checksums.get(key)
        components[key] = component(
            ecosystem=RUBYGEMS,
            name=spec.name,
            version=spec.version,
            path=source.path,
            line=spec.line,
            direct=(spec.name in lock.direct) if known_direct else None,
            dependency_paths=paths.get(spec.name, ()),
            hashes=(("sha256", digest),) if digest else (),
        )
    versions = dict(components.keys())
    graph = {
        (
            purl_for(RUBYGEMS, name, version),
            tuple(
                sorted(
                    {
                        purl_for(RUBYGEMS, dep, versions[dep])
                        for dep in edges.get(name, ())
                        if dep in versions
                    }
                )
            ),
        )
        for name, version in components
    }
    return ParsedManifest(
        path=source.path,
        format=FORMAT,
        ecosystem=RUBYGEMS,
        components=sorted_components(components.values()),
        unresolved=sorted_unresolved(unresolved),
        dependencies=tuple(sorted(graph)),
    )
