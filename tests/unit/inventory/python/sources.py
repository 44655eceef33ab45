"""Building ManifestSources for the Python parser tests: inline texts with sibling files, and
files of the shared osv-detector lockfile corpus read in place."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path

from lockgate.inventory.interface import ManifestSource
from lockgate.model import Component
from tests.conftest import shared_dataset


def inline(path: str, text: str, siblings: Mapping[str, str] | None = None) -> ManifestSource:
    """A manifest at ``path`` whose ``read_sibling`` serves ``siblings`` (keyed by their path
    relative to the target root), like the collector does for a workspace."""
    files = dict(siblings or {})
    directory = posixpath.dirname(path)

    def read_sibling(relative: str) -> str | None:
        joined = posixpath.normpath(posixpath.join(directory, relative))
        return files.get(joined)

    return ManifestSource(path=path, text=text, read_sibling=read_sibling)


def corpus(kind: str, name: str) -> ManifestSource:
    """``<kind>/<name>`` of the osv-detector corpus (skips the test when it is absent); its
    siblings are the other files of the corpus."""
    root = shared_dataset("lockfiles", "osv-detector")
    directory = shared_dataset("lockfiles", "osv-detector", kind)
    target = directory / name

    def read_sibling(relative: str) -> str | None:
        candidate = (directory / relative).resolve()
        if not candidate.is_relative_to(root.resolve()) or not candidate.is_file():
            return None
        return candidate.read_text(encoding="utf-8")

    return ManifestSource(
        path=f"{kind}/{name}", text=target.read_text(encoding="utf-8"), read_sibling=read_sibling
    )


def corpus_files(kind: str) -> list[Path]:
    """Every file of one corpus directory, sorted (skips the test when it is absent)."""
    return sorted(shared_dataset("lockfiles", "osv-detector", kind).iterdir())


def versions(components: tuple[Component, ...]) -> set[tuple[str, str | None]]:
    """``{(name, version)}`` of parsed components."""
    return {(c.name, c.version) for c in components}


def by_name(components: tuple[Component, ...]) -> dict[str, Component]:
    """Components keyed by name (the first of each)."""
    found: dict[str, Component] = {}
    for item in components:
        found.setdefault(item.name, item)
    return found
