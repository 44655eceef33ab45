"""Helpers shared by the JavaScript parser tests."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path

from lockgate.inventory.interface import ManifestSource, ParsedManifest, Unresolved
from lockgate.inventory.purl import parse_purl
from lockgate.model import Component

Parser = Callable[[ManifestSource], ParsedManifest]


def source(
    text: str, path: str = "app/lockfile", siblings: Mapping[str, str] | None = None
) -> ManifestSource:
    """A manifest with the given text; ``siblings`` are the files read_sibling can see."""
    files = dict(siblings or {})
    return ManifestSource(path=path, text=text, read_sibling=files.get)


def integrity(seed: str) -> str:
    """A well-formed sha512 SRI string whose digest is sha512(seed)."""
    return "sha512-" + base64.b64encode(hashlib.sha512(seed.encode()).digest()).decode()


def read(path: Path) -> ManifestSource:
    """A dataset file as the collector would hand it over (no siblings)."""
    return ManifestSource(path=path.name, text=path.read_text(encoding="utf-8"))


def versions(manifest: ParsedManifest) -> set[tuple[str, str | None]]:
    """(name, version) of every component."""
    return {(c.name, c.version) for c in manifest.components}


def get(manifest: ParsedManifest, name: str, version: str | None = None) -> Component:
    """The one component with that name (and version)."""
    found = [
        c
        for c in manifest.components
        if c.name == name and (version is None or c.version == version)
    ]
    assert len(found) == 1, f"{name}@{version}: {found}"
    return found[0]


def unresolved(manifest: ParsedManifest, name: str) -> list[Unresolved]:
    """The unresolved entries with that name."""
    return [u for u in manifest.unresolved if u.name == name]


def assert_purls_round_trip(manifest: ParsedManifest) -> None:
    """Every purl (components and graph edges) parses back to the same npm name and version."""
    for comp in manifest.components:
        assert parse_purl(comp.purl) == ("npm", comp.name, comp.version), comp.purl
    for parent, children in manifest.dependencies:
        for purl in (parent, *children):
            assert parse_purl(purl)[0] == "npm"
