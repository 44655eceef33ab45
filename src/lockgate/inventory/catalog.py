"""Which parser reads which file: base-name patterns to parser modules, imported lazily.

Each module named here exposes ``parse(source: ManifestSource) -> ParsedManifest``.
"""

from __future__ import annotations

import fnmatch
import importlib
from dataclasses import dataclass
from functools import lru_cache

from lockgate.inventory.interface import Parser
from lockgate.model.ecosystems import (
    CRATES_IO,
    GO,
    HEX,
    MAVEN,
    NPM,
    NUGET,
    PACKAGIST,
    PUB,
    PYPI,
    RUBYGEMS,
)


@dataclass(frozen=True, slots=True)
class ParserSpec:
    format: str
    ecosystem: str
    module: str
    patterns: tuple[str, ...]

    def load(self) -> Parser:
        parse: Parser = importlib.import_module(self.module).parse
        return parse


_P = "lockgate.inventory."

PARSERS: tuple[ParserSpec, ...] = (
    # Python
    ParserSpec(
        "requirements.txt",
        PYPI,
        _P + "python.requirements",
        ("requirements*.txt", "requirements*.in", "constraints*.txt", "*requirements.txt"),
    ),
    ParserSpec("poetry.lock", PYPI, _P + "python.poetry", ("poetry.lock",)),
    ParserSpec("Pipfile.lock", PYPI, _P + "python.pipenv", ("Pipfile.lock",)),
    ParserSpec("uv.lock", PYPI, _P + "python.uv", ("uv.lock",)),
    ParserSpec("pdm.lock", PYPI, _P + "python.pdm", ("pdm.lock",)),
    ParserSpec("pylock.toml", PYPI, _P + "python.pylock", ("pylock.toml", "pylock.*.toml")),
    ParserSpec("pyproject.toml", PYPI, _P + "python.pyproject", ("pyproject.toml",)),
    ParserSpec("python-metadata", PYPI, _P + "python.installed", ("METADATA", "PKG-INFO")),
    # JavaScript
    ParserSpec(
        "package-lock.json",
        NPM,
        _P + "javascript.npm",
        ("package-lock.json", "npm-shrinkwrap.json"),
    ),
    ParserSpec("yarn.lock", NPM, _P + "javascript.yarn", ("yarn.lock",)),
    ParserSpec("pnpm-lock.yaml", NPM, _P + "javascript.pnpm", ("pnpm-lock.yaml",)),
    ParserSpec("bun.lock", NPM, _P + "javascript.bun", ("bun.lock",)),
    ParserSpec("package.json", NPM, _P + "javascript.package_json", ("package.json",)),
    # Others
    ParserSpec("go.mod", GO, _P + "golang", ("go.mod",)),
    ParserSpec("Cargo.lock", CRATES_IO, _P + "cargo", ("Cargo.lock",)),
    ParserSpec("Gemfile.lock", RUBYGEMS, _P + "bundler", ("Gemfile.lock", "gems.locked")),
    ParserSpec("composer.lock", PACKAGIST, _P + "composer", ("composer.lock",)),
    ParserSpec("pom.xml", MAVEN, _P + "maven", ("pom.xml",)),
    ParserSpec("gradle.lockfile", MAVEN, _P + "gradle", ("gradle.lockfile", "*.lockfile")),
    ParserSpec("packages.lock.json", NUGET, _P + "nuget", ("packages.lock.json",)),
    ParserSpec("pubspec.lock", PUB, _P + "pub", ("pubspec.lock",)),
    ParserSpec("mix.lock", HEX, _P + "mix", ("mix.lock",)),
)


@lru_cache(maxsize=4096)
def parser_for(path: str) -> ParserSpec | None:
    """The parser for a POSIX path, by base name (installed metadata by its directory)."""
    directory, _, base = path.rpartition("/")
    for spec in PARSERS:
        if spec.format == "python-metadata":
            parent = directory.rpartition("/")[2]
            if (base == "METADATA" and parent.endswith(".dist-info")) or (
                base == "PKG-INFO" and parent.endswith(".egg-info")
            ):
                return spec
            continue
        if any(fnmatch.fnmatchcase(base, pattern) for pattern in spec.patterns):
            return spec
    return None
