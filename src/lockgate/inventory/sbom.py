"""Read an SBOM someone else produced (or lockgate did) as a component inventory.

CycloneDX JSON 1.2 to 1.7 and SPDX 2.2/2.3 JSON, told apart by their content. Each component
with a package URL becomes a :class:`~lockgate.model.Component` (its ecosystem derived from the
purl type when lockgate knows it, otherwise kept with its purl and no ecosystem), located at
the line of its purl in the SBOM; components without a purl are reported as unresolved, never
dropped. The dependency graph comes back as edges, and what the described root depends on is
marked direct. Properties lockgate writes itself (``lockgate:manifest``, ``lockgate:direct``)
are read back, so an SBOM round-trips to the same inventory.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    Unresolved,
    component,
)
from lockgate.model import Component, Location

MAX_SBOM_BYTES = 128 * 1024 * 1024
"""SBOMs of large container images reach tens of megabytes; refuse anything far beyond."""

CYCLONEDX_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
SPDX_VERSIONS = ("SPDX-2.2", "SPDX-2.3")

MANIFEST_PROPERTY = "lockgate:manifest"
DIRECT_PROPERTY = "lockgate:direct"

_NO_LICENSE = frozenset({"", "NOASSERTION", "NONE"})
_SPDX_REVERSED_EDGES = frozenset(
    {
        "DEPENDENCY_OF",
        "DEV_DEPENDENCY_OF",
        "OPTIONAL_DEPENDENCY_OF",
        "BUILD_DEPENDENCY_OF",
        "RUNTIME_DEPENDENCY_OF",
        "PROVIDED_DEPENDENCY_OF",
        "TEST_DEPENDENCY_OF",
    }
)
_PURL_VALUE = re.compile(r'"(?:purl|referenceLocator)"\s*:\s*"((?:[^"\\]|\\.)*)"')


def read_sbom(path: Path, *, display_path: str | None = None) -> ParsedManifest:
    """The components, unresolved entries and graph of a CycloneDX or SPDX JSON file.

    ``display_path`` is how the file is named in locations (POSIX, relative to the target
    root); by default the path as given when relative, else the file name.
    """
    shown = display_path or path.as_posix()
    if _relative_paths([shown]) != (shown,):
        shown = path.name
    try:
        size = path.stat().st_size
        if size > MAX_SBOM_BYTES:
            raise ManifestError(
                f"SBOM is {size} bytes, over the {MAX_SBOM_BYTES} byte limit", path=shown
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"cannot read the SBOM: {exc.strerror or exc}", path=shown) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return parse(ManifestSource(path=shown, text=data.decode("utf-8", errors="replace")))


def parse(source: ManifestSource) -> ParsedManifest:
    """Parse SBOM text (the manifest-parser contract); ManifestError when it is not one."""
    if len(source.text) > MAX_SBOM_BYTES:
        raise ManifestError(f"SBOM is over the {MAX_SBOM_BYTES} byte limit", path=source.path)
    stripped = source.text.lstrip()
    if stripped.startswith("<"):
        raise ManifestError(
            "XML SBOMs are not supported; export the SBOM as CycloneDX or SPDX JSON",
            path=source.path,
        )
    if stripped.startswith(("SPDXVersion:", "##")):
        raise ManifestError(
            "SPDX tag-value documents are not supported; export the SBOM as SPDX JSON",
            path=source.path,
        )
    try:
        document = json.loads(source.text)
    except json.JSONDecodeError as exc:
        raise ManifestError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", path=source.path, line=exc.lineno
        ) from exc
    except RecursionError as exc:
        raise ManifestError("not an SBOM: JSON nested too deeply", path=source.path) from exc
    if not isinstance(document, dict):
        raise ManifestError(
            "not an SBOM: the top level is not a JSON object", path=source.path, line=1
        )
    if "bomFormat" in document or "specVersion" in document:
        return _CycloneDx(source, document).parse()
    if "spdxVersion" in document:
        return _Spdx(source, document).parse()
    if "@context" in document and "spdx" in json.dumps(document.get("@context")).lower():
        raise ManifestError(
            "SPDX 3 JSON-LD documents are not supported; export SPDX 2.3 or CycloneDX JSON",
            path=source.path,
        )
    raise ManifestError(
        "not a CycloneDX or SPDX JSON document (no bomFormat or spdxVersion field)",
        path=source.path,
    )


# -- shared ------------------------------------------------------------------------------


class _Lines:
    """The line of each purl in the text, computed once in a single pass."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: dict[str, int] | None = None

    def of(self, purl: str) -> int | None:
        if self._lines is None:
            self._lines = {}
            line, last = 1, 0
            for match in _PURL_VALUE.finditer(self._text):
                line += self._text.count("\n", last, match.start())
                last = match.start()
                raw = match.group(1)
                if "\\" in raw:
                    try:
                        raw = json.loads(f'"{raw}"')
                    except json.JSONDecodeError:
                        continue
                self._lines.setdefault(raw, line)
        return self._lines.get(purl)


@dataclass
class _Entry:
    """One SBOM entry on its way to becoming components."""

    ref: str
    name: str
    version: str | None
    purl: str | None
    licenses: str | None
    hashes: tuple[tuple[str, str], ...]
    direct: bool | None = None
    manifests: tuple[str, ...] = ()
    built: list[Component] = field(default_factory=list)


def _hash_algorithm(name: str) -> str:
    """``SHA-256`` / ``SHA256`` -> ``sha256``; ``SHA3-256`` and ``BLAKE2b-256`` keep the dash."""
    alg = name.strip().lower()
    if alg.startswith("sha-"):
        alg = "sha" + alg[4:]
    return alg


def _relative_paths(values: Iterable[str]) -> tuple[str, ...]:
    out = []
    for value in values:
        try:
            Location(path=value)
        except ValueError:
            continue
        out.append(value)
    return tuple(sorted(set(out)))


class _Reader:
    """What both formats share: turning entries into components and edges."""

    format = ""

    def __init__(self, source: ManifestSource, document: dict[str, Any]) -> None:
        self.source = source
        self.document = document
        self.lines = _Lines(source.text)
        self.unresolved: list[Unresolved] = []
        self.warnings: list[str] = []

    def fail(self, message: str) -> ManifestError:
        return ManifestError(f"{self.format}: {message}", path=self.source.path)

    def objects(self, value: Any, where: str) -> Iterator[dict[str, Any]]:
        """The items of a list of objects; ManifestError naming ``where`` otherwise."""
        if value is None:
            return
        if not isinstance(value, list):
            raise self.fail(f"{where} must be a list")
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.fail(f"{where}[{index}] must be an object")
            yield item

    def text(self, item: dict[str, Any], key: str, where: str) -> str | None:
        value = item.get(key)
        if value is None:
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(f"{where}.{key} must be a string")
        return str(value)

    def build(self, entry: _Entry) -> None:
        """Fill ``entry.built`` (one component per manifest) or record why it cannot be."""
        if not entry.purl:
            self.unresolved.append(
                Unresolved(
                    name=entry.name or entry.ref or "(unnamed)",
                    specifier=entry.version or "",
                    reason="no package URL",
                )
            )
            return
        made = self._component(entry)
        if made is None:
            return
        if entry.manifests:
            entry.built = [
                dataclasses.replace(made, manifest=Location(path=path)) for path in entry.manifests
            ]
        else:
            entry.built = [made]

    def _component(self, entry: _Entry) -> Component | None:
        from packageurl import PackageURL

        from lockgate.inventory.purl import parse_purl

        purl_text = entry.purl or ""
        line = self.lines.of(purl_text)
        try:
            ecosystem, name, purl_version = parse_purl(purl_text)
        except ValueError:
            pass  # an unknown type (deb, apk, oci, generic…) or not a purl: see below
        else:
            try:
                return component(
                    ecosystem=ecosystem,
                    name=name,
                    version=purl_version or entry.version,
                    path=self.source.path,
                    line=line,
                    direct=entry.direct,
                    licenses=entry.licenses,
                    hashes=entry.hashes,
                )
            except ValueError:
                pass  # a name the ecosystem's purl cannot hold: keep the purl as given
        try:
            parsed = PackageURL.from_string(purl_text)
        except ValueError as exc:
            self.unresolved.append(
                Unresolved(
                    name=entry.name or purl_text,
                    specifier=purl_text,
                    reason=f"invalid package URL: {exc}",
                    line=line,
                )
            )
            return None
        return Component(
            purl=str(parsed),
            name=entry.name or parsed.name,
            version=parsed.version or entry.version,
            licenses=entry.licenses,
            hashes=tuple(sorted(set(entry.hashes))),
            direct=entry.direct,
            manifest=Location(path=self.source.path, start_line=line),
        )

    def result(
        self, entries: Iterable[_Entry], edges: dict[str, set[str]], root_refs: set[str]
    ) -> ParsedManifest:
        """Components with their dependencies, direct flags from the roots' edges, edges."""
        entries = list(entries)
        purl_of = {e.ref: e.built[0].purl for e in entries if e.built}
        graph: dict[str, set[str]] = {}
        for ref, targets in edges.items():
            source_purl = purl_of.get(ref)
            if source_purl is None:
                continue
            deps = {purl_of[t] for t in targets if t in purl_of} - {source_purl}
            graph.setdefault(source_purl, set()).update(deps)
        root_deps = {purl_of[t] for r in root_refs for t in edges.get(r, ()) if t in purl_of}
        has_root_edges = any(edges.get(r) for r in root_refs)
        merged: dict[tuple[str, str], Component] = {}
        for entry in entries:
            for built in entry.built:
                direct = built.direct
                if direct is None and has_root_edges:
                    direct = built.purl in root_deps
                comp = dataclasses.replace(
                    built, direct=direct, dependencies=tuple(sorted(graph.get(built.purl, ())))
                )
                key = (comp.purl, comp.manifest.path if comp.manifest else "")
                previous = merged.get(key)
                merged[key] = comp if previous is None else _combine(previous, comp)
        ecosystems = {c.ecosystem for c in merged.values() if c.ecosystem}
        return ParsedManifest(
            path=self.source.path,
            format=self.format,
            ecosystem=ecosystems.pop() if len(ecosystems) == 1 else "mixed",
            # sorted by (purl, manifest path), unique keys: cheaper than the model's ordering
            components=tuple(merged[key] for key in sorted(merged)),
            unresolved=tuple(sorted(set(self.unresolved))),
            dependencies=tuple(
                (purl, tuple(sorted(deps))) for purl, deps in sorted(graph.items()) if deps
            ),
            warnings=tuple(self.warnings),
        )


def _combine(first: Component, second: Component) -> Component:
    """One purl listed twice in an SBOM: keep one component with what both say."""
    return dataclasses.replace(
        first,
        direct=True if (first.direct or second.direct) else first.direct,
        hashes=tuple(sorted(set(first.hashes) | set(second.hashes))),
        dependencies=tuple(sorted(set(first.dependencies) | set(second.dependencies))),
        licenses=first.licenses or second.licenses,
    )


# -- CycloneDX ---------------------------------------------------------------------------


class _CycloneDx(_Reader):
    format = "cyclonedx"

    def parse(self) -> ParsedManifest:
        doc = self.document
        if doc.get("bomFormat") != "CycloneDX":
            raise self.fail(f"bomFormat is {doc.get('bomFormat')!r}, expected 'CycloneDX'")
        spec = str(doc.get("specVersion", ""))
        if spec not in CYCLONEDX_VERSIONS:
            raise self.fail(
                f"unsupported specVersion {spec!r} (lockgate reads "
                f"{CYCLONEDX_VERSIONS[0]} to {CYCLONEDX_VERSIONS[-1]})"
            )
        metadata = doc.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise self.fail("metadata must be an object")
        root_refs: set[str] = set()
        root = metadata.get("component")
        if isinstance(root, dict):
            ref = self.text(root, "bom-ref", "metadata.component")
            if ref:
                root_refs.add(ref)
        entries = [
            self._entry(item, where)
            for item, where in self._walk(doc.get("components"))
            if item.get("bom-ref") is None or item.get("bom-ref") not in root_refs
        ]  # some tools list the subject among the components as well
        for entry in entries:
            self.build(entry)
        edges: dict[str, set[str]] = {}
        for index, dep in enumerate(self.objects(doc.get("dependencies"), "dependencies")):
            where = f"dependencies[{index}]"
            ref = self.text(dep, "ref", where)
            if not ref:
                raise self.fail(f"{where} has no ref")
            targets = dep.get("dependsOn") or []
            if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
                raise self.fail(f"{where}.dependsOn must be a list of references")
            edges.setdefault(ref, set()).update(targets)
        # purls may be referenced directly when components carry no bom-ref
        for entry in entries:
            if entry.purl and entry.purl != entry.ref and entry.purl in edges:
                edges.setdefault(entry.ref, set()).update(edges[entry.purl])
        return self.result(entries, edges, root_refs)

    def _walk(self, value: Any) -> Iterator[tuple[dict[str, Any], str]]:
        """Every component, nested ones after their parent, without recursion."""
        stack: list[tuple[Any, str]] = [(value, "components")]
        while stack:
            items, where = stack.pop()
            children = []
            for index, item in enumerate(self.objects(items, where)):
                here = f"{where}[{index}]"
                yield item, here
                if item.get("components") is not None:
                    children.append((item.get("components"), f"{here}.components"))
            stack.extend(reversed(children))

    def _entry(self, item: dict[str, Any], where: str) -> _Entry:
        name = self.text(item, "name", where) or ""
        group = self.text(item, "group", where)
        purl = self.text(item, "purl", where)
        direct: bool | None = None
        manifests: list[str] = []
        for prop in self.objects(item.get("properties"), f"{where}.properties"):
            value = prop.get("value")
            if not isinstance(value, str):
                continue
            if prop.get("name") == MANIFEST_PROPERTY:
                manifests.append(value)
            elif prop.get("name") == DIRECT_PROPERTY and value in ("true", "false"):
                direct = value == "true"
        return _Entry(
            ref=self.text(item, "bom-ref", where) or purl or f"{where}",
            name=f"{group}/{name}" if group and not purl else name,
            version=self.text(item, "version", where),
            purl=purl,
            licenses=self._licenses(item.get("licenses"), f"{where}.licenses"),
            hashes=self._hashes(item.get("hashes"), f"{where}.hashes"),
            direct=direct,
            manifests=_relative_paths(manifests),
        )

    def _licenses(self, value: Any, where: str) -> str | None:
        found = []
        for index, choice in enumerate(self.objects(value, where)):
            expression = choice.get("expression")
            if isinstance(expression, str) and expression.strip():
                found.append(expression.strip())
                continue
            lic = choice.get("license")
            if not isinstance(lic, dict):
                raise self.fail(f"{where}[{index}] has neither license nor expression")
            text = lic.get("id") or lic.get("name")
            if isinstance(text, str) and text.strip():
                found.append(text.strip())
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        return " AND ".join(f"({t})" if " " in t else t for t in found)

    def _hashes(self, value: Any, where: str) -> tuple[tuple[str, str], ...]:
        out = []
        for hashed in self.objects(value, where):
            alg, content = hashed.get("alg"), hashed.get("content")
            if isinstance(alg, str) and isinstance(content, str) and content:
                out.append((_hash_algorithm(alg), content.lower()))
        return tuple(sorted(set(out)))


# -- SPDX --------------------------------------------------------------------------------


class _Spdx(_Reader):
    format = "spdx"

    def parse(self) -> ParsedManifest:
        doc = self.document
        version = doc.get("spdxVersion")
        if version not in SPDX_VERSIONS:
            raise self.fail(
                f"unsupported spdxVersion {version!r} (lockgate reads {', '.join(SPDX_VERSIONS)})"
            )
        extracted = self._extracted_names()
        described, edges = self._relationships()
        entries = []
        root_refs = set()
        for index, package in enumerate(self.objects(doc.get("packages"), "packages")):
            entry = self._entry(package, f"packages[{index}]", extracted)
            if entry.ref in described and not entry.purl:
                root_refs.add(entry.ref)  # the described subject, not one of its components
                continue
            if entry.ref in described:
                root_refs.add(entry.ref)
            entries.append(entry)
        for entry in entries:
            self.build(entry)
        return self.result(entries, edges, root_refs)

    def _relationships(self) -> tuple[set[str], dict[str, set[str]]]:
        """The described elements (the document's subject) and the dependency edges."""
        doc = self.document
        described = {v for v in doc.get("documentDescribes") or [] if isinstance(v, str)}
        edges: dict[str, set[str]] = {}
        for index, rel in enumerate(self.objects(doc.get("relationships"), "relationships")):
            where = f"relationships[{index}]"
            element = self.text(rel, "spdxElementId", where)
            kind = self.text(rel, "relationshipType", where)
            related = self.text(rel, "relatedSpdxElement", where)
            if not element or not kind or not related:
                raise self.fail(f"{where} needs spdxElementId, relationshipType and related")
            if kind == "DESCRIBES" and element == "SPDXRef-DOCUMENT":
                described.add(related)
            elif kind == "DESCRIBED_BY" and related == "SPDXRef-DOCUMENT":
                described.add(element)
            elif kind == "DEPENDS_ON":
                edges.setdefault(element, set()).add(related)
            elif kind in _SPDX_REVERSED_EDGES:
                edges.setdefault(related, set()).add(element)
        return described, edges

    def _extracted_names(self) -> dict[str, str]:
        """LicenseRef id -> the license name it stands for (for a lone LicenseRef)."""
        names = {}
        infos = self.document.get("hasExtractedLicensingInfos")
        for index, info in enumerate(self.objects(infos, "hasExtractedLicensingInfos")):
            where = f"hasExtractedLicensingInfos[{index}]"
            ref = self.text(info, "licenseId", where)
            name = self.text(info, "name", where)
            if ref and name and name != "NOASSERTION":
                names[ref] = name
        return names

    def _entry(self, package: dict[str, Any], where: str, extracted: dict[str, str]) -> _Entry:
        ref = self.text(package, "SPDXID", where)
        if not ref:
            raise self.fail(f"{where} has no SPDXID")
        purl = None
        for ext in self.objects(package.get("externalRefs"), f"{where}.externalRefs"):
            category = str(ext.get("referenceCategory", "")).replace("_", "-")
            if category == "PACKAGE-MANAGER" and ext.get("referenceType") == "purl":
                locator = ext.get("referenceLocator")
                if isinstance(locator, str) and locator:
                    purl = locator
                    break
        license_text = None
        for key in ("licenseDeclared", "licenseConcluded"):
            value = self.text(package, key, where)
            if value and value.strip().upper() not in _NO_LICENSE:
                license_text = extracted.get(value.strip(), value.strip())
                break
        hashes = []
        for checksum in self.objects(package.get("checksums"), f"{where}.checksums"):
            alg, value = checksum.get("algorithm"), checksum.get("checksumValue")
            if isinstance(alg, str) and isinstance(value, str) and value:
                hashes.append((_hash_algorithm(alg), value.lower()))
        return _Entry(
            ref=ref,
            name=self.text(package, "name", where) or "",
            version=self.text(package, "versionInfo", where),
            purl=purl,
            licenses=license_text,
            hashes=tuple(sorted(set(hashes))),
        )
