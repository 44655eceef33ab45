"""``pdm.lock``: the packages PDM resolved (lock_version 3.x and 4.x).

Index packages become components with their file hashes (per-package ``files`` or the old
``[metadata.files]`` table); git, path, editable and URL packages are reported as
unresolved, and the project itself (``path = "."``) is left out. Each package's
``dependencies`` gives the graph; which packages are direct comes from the pyproject.toml
beside the lockfile when there is one.
"""

from __future__ import annotations

from typing import Any

from lockgate.inventory.interface import ManifestSource, ParsedManifest, Unresolved
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
    by_name,
    file_digests,
    key_line,
    lock_major,
    requirement_name,
    sibling_roots,
)
from lockgate.inventory.python._pins import (
    canonical,
    source_reason,
)

FORMAT = "pdm.lock"


def parse(source: ManifestSource) -> ParsedManifest:
    """Components, unresolved non-index packages and the graph of a pdm.lock."""
    data = table(load_toml(source), "the document", source)
    metadata = table(data.get("metadata", {}), "[metadata]", source)
    if "lock_version" in metadata:
        lock_major(
            metadata["lock_version"],
            "pdm.lock lock_version",
            (3, 4),
            source,
            key_line(source.text, "lock_version"),
        )
    entries = array(data.get("package", []), "package", source)
    lines = entry_lines(source.text, "package", entry_names(entries))
    old_files = table(metadata.get("files", {}), "[metadata.files]", source)

    packages: list[LockedPackage] = []
    requires: list[list[str]] = []
    unresolved: list[Unresolved] = []
    for raw, line in zip(entries, lines, strict=True):
        entry = table(raw, "each [[package]]", source, line)
        name = text_of(entry.get("name"), "package name", source, line)
        version = optional_text(entry.get("version"))
        path = optional_text(entry.get("path"))
        if path in (".", "./"):
            continue  # the project itself
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
        files = entry.get("files", old_files.get(f"{name} {version}", []))
        packages.append(
            LockedPackage(name=name, version=version, line=line, digests=file_digests(files))
        )
        listed = entry.get("dependencies", [])
        requires.append(
            [dep for item in listed if (dep := requirement_name(str(item)))]
            if isinstance(listed, list)
            else []
        )

    names_index = by_name(packages)
    edges = {
        index: [child for dep in deps for child in names_index.get(canonical(dep), ())]
        for index, deps in enumerate(requires)
    }
    roots, notes = sibling_roots(source, names_index)
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
    git = optional_text(entry.get("git"))
    if git is not None:
        revision = optional_text(entry.get("revision")) or optional_text(entry.get("ref"))
        return source_reason("git", f"{git}@{revision}" if revision else git)
    for key, kind in (("hg", "vcs"), ("svn", "vcs"), ("bzr", "vcs")):
        location = optional_text(entry.get(key))
        if location is not None:
            return source_reason(kind, location)
    path = optional_text(entry.get("path"))
    if path is not None:
        return source_reason("editable" if entry.get("editable") else "path", path)
    url = optional_text(entry.get("url"))
    if url is not None:
        return source_reason("path" if url.startswith("file:") else "url", url)
    return None
