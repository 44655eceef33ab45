"""``poetry.lock``: the exact packages Poetry resolved (lock-version 1.x and 2.x).

Every ``[[package]]`` from a package index becomes a component with its file hashes (the
per-package ``files`` of lock 2.x or the old ``[metadata.files]`` table); git, directory, file
and URL sources are reported as unresolved. ``[package.dependencies]`` gives the graph; which
packages are direct comes from the pyproject.toml beside the lockfile when there is one.
"""

from __future__ import annotations

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
    sibling_roots,
)
from lockgate.inventory.python._pins import (
    canonical,
    redact_url,
    source_reason,
)

FORMAT = "poetry.lock"
_NOT_INDEX = {"git": "git", "directory": "directory", "file": "file", "url": "url"}


def parse(source: ManifestSource) -> ParsedManifest:
    """Components, unresolved non-index sources and the dependency graph of a poetry.lock."""
    data = table(load_toml(source), "the document", source)
    metadata = table(data.get("metadata", {}), "[metadata]", source)
    if "lock-version" in metadata:
        lock_major(
            metadata["lock-version"],
            "poetry.lock lock-version",
            (1, 2),
            source,
            key_line(source.text, "lock-version"),
        )
    entries = array(data.get("package", []), "package", source)
    lines = entry_lines(source.text, "package", entry_names(entries))
    old_files = table(metadata.get("files", {}), "[metadata.files]", source)

    packages: list[LockedPackage] = []
    requires: list[list[str]] = []
    unresolved: list[Unresolved] = []
    warnings: list[str] = []
    for raw, line in zip(entries, lines, strict=True):
        entry = table(raw, "each [[package]]", source, line)
        name = text_of(entry.get("name"), "package name", source, line)
        version = text_of(entry.get("version"), f"the version of {name}", source, line)
        origin = entry.get("source")
        origin = table(origin, f"[package.source] of {name}", source, line) if origin else {}
        kind = optional_text(origin.get("type"))
        url = optional_text(origin.get("url")) or ""
        if kind in _NOT_INDEX:
            ref = optional_text(origin.get("resolved_reference")) or optional_text(
                origin.get("reference")
            )
            where = f"{url}@{ref}" if kind == "git" and ref else url
            unresolved.append(
                Unresolved(
                    name=name,
                    specifier=version,
                    reason=source_reason(_NOT_INDEX[kind], where),
                    line=line,
                )
            )
            continue
        if kind is not None and kind != "pypi":
            index = optional_text(origin.get("reference")) or kind
            warnings.append(
                f"{source.path}:{line}: {name} {version} comes from the package index {index}"
                f" ({redact_url(url)}), not PyPI; the name may not mean the PyPI project"
            )
        packages.append(
            LockedPackage(
                name=name,
                version=version,
                line=line,
                digests=file_digests(entry.get("files", old_files.get(name, []))),
            )
        )
        dependencies = entry.get("dependencies", {})
        requires.append(list(dependencies) if isinstance(dependencies, dict) else [])

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
        warnings=[*warnings, *notes],
    )
