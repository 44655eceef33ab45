"""``pylock.toml`` and ``pylock.<name>.toml``: the standard lockfile of PEP 751
(lock-version 1.x), written by pip, uv and PDM.

Packages from an index (``sdist``/``wheels``) become components with the sdist (else first
wheel) hash; ``vcs``, non-editable ``directory`` and ``archive`` packages are reported as
unresolved; editable directories (the project and its workspace members) are left out. The
optional ``dependencies`` arrays give the graph; which packages are direct comes from the
pyproject.toml beside the lockfile when there is one.
"""

from __future__ import annotations

from typing import Any

from lockgate.inventory.interface import ManifestError, ManifestSource, ParsedManifest, Unresolved
from lockgate.inventory.python._documents import (
    array,
    entry_lines,
    entry_names,
    load_toml,
    optional_text,
    table,
    text_of,
)
from lockgate.inventory.python._lockfile import (
    LockedPackage,
    assemble,
    key_line,
    lock_major,
    sibling_roots,
)
from lockgate.inventory.python._pins import (
    canonical,
    source_reason,
)
from lockgate.model.ecosystems import PYPI

FORMAT = "pylock.toml"


def parse(source: ManifestSource) -> ParsedManifest:
    """Components, unresolved non-index packages and the graph of a PEP 751 lockfile (an
    empty file has none)."""
    if not source.text.strip():
        return ParsedManifest(path=source.path, format=FORMAT, ecosystem=PYPI)
    data = table(load_toml(source), "the document", source)
    if "lock-version" not in data:
        raise ManifestError(
            "not a pylock.toml: lock-version is missing (PEP 751 requires it)",
            path=source.path,
            line=1,
        )
    lock_major(
        data["lock-version"], "lock-version", (1,), source, key_line(source.text, "lock-version")
    )
    entries = array(data.get("packages", []), "packages", source)
    lines = entry_lines(source.text, "packages", entry_names(entries))

    packages: list[LockedPackage] = []
    references: list[list[Any]] = []
    unresolved: list[Unresolved] = []
    for raw, line in zip(entries, lines, strict=True):
        entry = table(raw, "each [[packages]] entry", source, line)
        name = text_of(entry.get("name"), "package name", source, line)
        version = optional_text(entry.get("version"))
        directory = entry.get("directory")
        if isinstance(directory, dict) and directory.get("editable") is True:
            continue  # the project itself or a workspace member, installed editable
        reason = _not_index(entry)
        if reason is not None or version is None:
            unresolved.append(
                Unresolved(
                    name=name,
                    specifier=version or "",
                    reason=reason or "no version recorded in the lockfile",
                    line=line,
                )
            )
            continue
        packages.append(
            LockedPackage(name=name, version=version, line=line, digests=_digests(entry))
        )
        deps = entry.get("dependencies", [])
        references.append(array(deps, f"the dependencies of {name}", source, line))

    nodes: dict[str, list[tuple[str, int]]] = {}
    for index, package in enumerate(packages):
        nodes.setdefault(canonical(package.name), []).append((package.version, index))
    edges = {index: _resolve(refs, nodes) for index, refs in enumerate(references)}
    roots, notes = sibling_roots(source, {key: [i for _v, i in v] for key, v in nodes.items()})
    return assemble(
        source,
        format=FORMAT,
        packages=packages,
        edges=edges,
        roots=roots,
        unresolved=unresolved,
        warnings=notes,
    )


def _not_index(entry: dict[str, Any]) -> str | None:
    vcs = entry.get("vcs")
    if isinstance(vcs, dict):
        where = optional_text(vcs.get("url")) or optional_text(vcs.get("path")) or ""
        commit = optional_text(vcs.get("commit-id"))
        kind = "git" if vcs.get("type") == "git" else "vcs"
        return source_reason(kind, f"{where}@{commit}" if commit else where)
    directory = entry.get("directory")
    if isinstance(directory, dict):
        return source_reason("directory", optional_text(directory.get("path")) or "")
    archive = entry.get("archive")
    if isinstance(archive, dict):
        url = optional_text(archive.get("url"))
        if url is not None:
            return source_reason("url", url)
        return source_reason("path", optional_text(archive.get("path")) or "")
    return None


def _digests(entry: dict[str, Any]) -> tuple[str, ...]:
    artifacts: list[Any] = []
    if isinstance(entry.get("sdist"), dict):
        artifacts.append(entry["sdist"])
    if isinstance(entry.get("wheels"), list):
        artifacts.extend(entry["wheels"])
    found: list[str] = []
    for artifact in artifacts:
        hashes = artifact.get("hashes") if isinstance(artifact, dict) else None
        if isinstance(hashes, dict):
            found.extend(
                f"{algorithm}:{digest}"
                for algorithm, digest in hashes.items()
                if isinstance(digest, str)
            )
    return tuple(found)


def _resolve(references: list[Any], nodes: dict[str, list[tuple[str, int]]]) -> list[int]:
    found: list[int] = []
    for reference in references:
        if not isinstance(reference, dict) or not isinstance(reference.get("name"), str):
            continue
        wanted = optional_text(reference.get("version"))
        for version, index in nodes.get(canonical(reference["name"]), ()):
            if (wanted is None or wanted == version) and index not in found:
                found.append(index)
    return found
