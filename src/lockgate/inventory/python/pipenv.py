"""``Pipfile.lock``: the packages Pipenv locked, in ``default``, ``develop`` and any custom
category.

``"version": "==x"`` entries become components with their hashes; entries without a version,
or from git, a path, a file or an editable checkout are reported as unresolved. Pipfile.lock
records no graph; which packages are direct comes from the ``Pipfile`` beside it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    Unresolved,
)
from lockgate.inventory.lockgraph import LineIndex
from lockgate.inventory.python._documents import load_json, load_toml, table
from lockgate.inventory.python._lockfile import LockedPackage, assemble, by_name
from lockgate.inventory.python._pins import (
    canonical,
    is_version,
    not_pinned,
    source_reason,
)
from lockgate.model.ecosystems import PYPI

FORMAT = "Pipfile.lock"
#: Newest ``_meta.pipfile-spec`` this reader knows.
PIPFILE_SPEC = 6
_SOURCES = (
    ("git", "git"),
    ("hg", "vcs"),
    ("svn", "vcs"),
    ("bzr", "vcs"),
    ("path", "path"),
    ("file", "url"),
)
_PIPFILE_NOT_PACKAGES = frozenset({"source", "requires", "pipenv", "scripts"})
_OBJECT_KEY = re.compile(r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"\s*:\s*\{')


def parse(source: ManifestSource) -> ParsedManifest:
    """Components and unresolved entries of a Pipfile.lock (an empty file has none)."""
    if not source.text.strip():
        return ParsedManifest(path=source.path, format=FORMAT, ecosystem=PYPI)
    data = table(load_json(source), "the document", source, 1)
    meta = table(data.get("_meta", {}), '"_meta"', source)
    spec = meta.get("pipfile-spec")
    if spec is not None and (not isinstance(spec, int) or spec > PIPFILE_SPEC or spec < 1):
        raise ManifestError(
            f"unsupported pipfile-spec {spec!r} (this reader knows 1 to {PIPFILE_SPEC})",
            path=source.path,
            hint="upgrade lockgate, or regenerate the lockfile with a supported Pipenv",
        )
    sections = {key: value for key, value in data.items() if key != "_meta"}
    if not meta and not {"default", "develop"} & sections.keys():
        raise ManifestError(
            'not a Pipfile.lock: no "_meta", "default" or "develop" section',
            path=source.path,
            line=1,
        )
    locate = _KeyLines(source.text)
    packages: list[LockedPackage] = []
    unresolved: list[Unresolved] = []
    for section, body in sections.items():
        entries = table(body, f'the "{section}" section', source, locate.section(section))
        for name, raw in entries.items():
            line = locate.entry(name)
            entry = table(raw, f'"{name}" in "{section}"', source, line)
            outcome = _classify(entry)
            if isinstance(outcome, str):
                packages.append(
                    LockedPackage(name=name, version=outcome, line=line, digests=_digests(entry))
                )
            else:
                specifier, reason = outcome
                unresolved.append(
                    Unresolved(name=name, specifier=specifier, reason=reason, line=line)
                )
    names = by_name(packages)
    roots, warnings = _pipfile_roots(source, names)
    return assemble(
        source,
        format=FORMAT,
        packages=packages,
        edges={},
        roots=roots,
        unresolved=unresolved,
        warnings=warnings,
    )


def _classify(entry: dict[str, Any]) -> str | tuple[str, str]:
    """The pinned version, or ``(specifier, reason)`` when the entry cannot be matched."""
    for key, kind in _SOURCES:
        location = entry.get(key)
        if isinstance(location, str):
            ref = entry.get("ref")
            where = f"{location}@{ref}" if isinstance(ref, str) and ref else location
            if entry.get("editable") is True:
                return where, source_reason("editable", where)
            return where, source_reason(kind, where)
    version = entry.get("version")
    if not isinstance(version, str) or not version.strip() or version.strip() == "*":
        return "", "no version recorded in the lockfile"
    version = version.strip()
    for operator in ("===", "=="):
        if version.startswith(operator):
            pinned = version[len(operator) :].strip()
            if operator == "===" or is_version(pinned):
                return pinned
    return version, not_pinned(version)


def _digests(entry: dict[str, Any]) -> tuple[str, ...]:
    listed = entry.get("hashes")
    if not isinstance(listed, list):
        return ()
    return tuple(item for item in listed if isinstance(item, str))


def _pipfile_roots(
    source: ManifestSource, names: dict[str, list[int]]
) -> tuple[list[int] | None, list[str]]:
    text = source.read_sibling("Pipfile")
    if text is None:
        return None, []
    pipfile_path = f"{source.directory}/Pipfile" if source.directory else "Pipfile"
    try:
        pipfile = table(load_toml(source, text=text, path=pipfile_path), "the Pipfile", source)
    except ManifestError as exc:
        return None, [f"{exc.diagnostics()}; which packages are direct is unknown"]
    declared = {
        canonical(name)
        for key, packages in pipfile.items()
        if key not in _PIPFILE_NOT_PACKAGES and isinstance(packages, dict)
        for name in packages
    }
    return [index for name in sorted(declared) for index in names.get(name, ())], []


class _KeyLines:
    """Lines of the sections and package keys of a Pipfile.lock, found by one scan of the text
    (JSON parsers keep no positions). Keys whose value is an object are matched in file order,
    so that a package named like an inner field (``"version"``) is not mistaken for it."""

    def __init__(self, text: str) -> None:
        self.index = LineIndex(text)
        self.keys = [
            (json.loads(f'"{m.group(1)}"') if "\\" in m.group(1) else m.group(1), m.start())
            for m in _OBJECT_KEY.finditer(text)
        ]
        self.offsets = [offset for _key, offset in self.keys]
        self.next = 0

    def section(self, name: str) -> int | None:
        return self._find(name, 0)

    def entry(self, name: str) -> int | None:
        return self._find(name, self.next)

    def _find(self, key: str, start: int) -> int | None:
        for position in range(start, len(self.keys)):
            if self.keys[position][0] == key:
                self.next = position + 1
                return self.index.line(self.keys[position][1])
        # A value that is not an object (a malformed entry): find the bare key instead.
        begin = self.offsets[start - 1] if 0 < start <= len(self.offsets) else 0
        found = self.index.find(re.compile(re.escape(json.dumps(key)) + r"\s*:"), begin)
        return found[0] if found else None
