"""Helpers for the lockfile parser tests (Go, Rust, Ruby, PHP, Java, .NET, Dart, Elixir)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from pathlib import Path

from lockgate.inventory.interface import ManifestSource, ParsedManifest
from lockgate.inventory.purl import parse_purl
from lockgate.model import Component


def source(text: str, path: str, siblings: Mapping[str, str] | None = None) -> ManifestSource:
    """A manifest with its text inline; ``siblings`` maps paths relative to its directory."""
    files = {posixpath.normpath(k): v for k, v in (siblings or {}).items()}

    def read_sibling(relative: str) -> str | None:
        return files.get(posixpath.normpath(relative))

    return ManifestSource(path=path, text=text, read_sibling=read_sibling)


def dataset_source(file: Path, as_name: str | None = None) -> ManifestSource:
    """A third-party fixture read in place; siblings come from the same directory."""

    def read_sibling(relative: str) -> str | None:
        candidate = file.parent / relative
        return candidate.read_text(encoding="utf-8") if candidate.is_file() else None

    return ManifestSource(
        path=as_name or file.name,
        text=file.read_text(encoding="utf-8"),
        read_sibling=read_sibling,
    )


def by_name(parsed: ParsedManifest) -> dict[str, Component]:
    """Components by name (the tests use lockfiles with one version per name)."""
    return {c.name: c for c in parsed.components}


def versions(parsed: ParsedManifest) -> set[tuple[str, str | None]]:
    return {(c.name, c.version) for c in parsed.components}


def assert_round_trip(parsed: ParsedManifest) -> None:
    """Every purl names the component it belongs to, and every edge names a component."""
    purls = set()
    for comp in parsed.components:
        assert parse_purl(comp.purl) == (parsed.ecosystem, comp.name, comp.version), comp.purl
        assert comp.ecosystem == parsed.ecosystem
        assert comp.manifest is not None and comp.manifest.path == parsed.path
        purls.add(comp.purl)
    for parent, children in parsed.dependencies:
        assert parent in purls
        assert set(children) <= purls


def parse_all(
    parse: Callable[[ManifestSource], ParsedManifest], files: list[Path]
) -> dict[str, ParsedManifest]:
    """Parse each dataset file, checking the purls of every result."""
    results = {}
    for file in files:
        parsed = parse(dataset_source(file))
        assert_round_trip(parsed)
        results[file.name] = parsed
    return results
