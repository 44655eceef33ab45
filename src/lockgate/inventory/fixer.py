"""Rewrite vulnerable pins in declared manifests: ``requirements*.txt``, ``pyproject.toml``
and ``package.json``. Only the version text of the affected requirement changes; every other
byte of the file stays as it was, so the diff a user reviews is exactly the upgrade.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from lockgate.model.ecosystems import NPM, PYPI, normalize_name

_PY_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
# name[extras] OP version, the version ending at whitespace, ;, #, comma, quote or end.
_PY_REQ = re.compile(
    rf"(?P<name>{_PY_NAME})(?P<extras>\s*\[[^\]]*\])?\s*(?P<op>===|==|~=|>=)\s*"
    r"(?P<version>[A-Za-z0-9][A-Za-z0-9.+!*_-]*)"
)
_NPM_RANGE = re.compile(r"^(?P<op>[\^~=v]|>=)?(?P<version>\d[0-9A-Za-z.+-]*)$")


@dataclass(frozen=True, kw_only=True, slots=True)
class Edit:
    """One pin moved: where, from which version to which."""

    path: str
    line: int
    name: str
    old: str
    new: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Unfixable:
    """A vulnerable requirement lockgate will not rewrite, and why."""

    path: str
    line: int | None
    name: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class FileFix:
    """The new text of one manifest, with its edits and what was left alone."""

    path: str
    old_text: str
    new_text: str
    edits: tuple[Edit, ...] = ()
    unfixable: tuple[Unfixable, ...] = ()

    def diff(self) -> str:
        """A unified diff (``a/PATH`` → ``b/PATH``), empty when nothing changed."""
        if self.old_text == self.new_text:
            return ""
        return "".join(
            difflib.unified_diff(
                self.old_text.splitlines(keepends=True),
                self.new_text.splitlines(keepends=True),
                fromfile=f"a/{self.path}",
                tofile=f"b/{self.path}",
            )
        )


def fixer_kind(path: str) -> str | None:
    """Which rewriter handles ``path``: "requirements", "pyproject", "package.json" or None."""
    base = path.rpartition("/")[2]
    if base == "pyproject.toml":
        return "pyproject"
    if base == "package.json":
        return "package.json"
    if base.endswith((".txt", ".in")) and "requirements" in base:
        return "requirements"
    return None


def fix_text(path: str, text: str, upgrades: Mapping[str, str]) -> FileFix:
    """Move the pins named in ``upgrades`` (package name -> fixed version) in one manifest."""
    kind = fixer_kind(path)
    if kind == "package.json":
        return _fix_package_json(path, text, upgrades)
    if kind is None:
        raise ValueError(
            f"{path}: lockgate fix rewrites requirements*.txt, pyproject.toml and package.json only"
        )
    return _fix_python(path, text, upgrades, pyproject=kind == "pyproject")


def _fix_python(path: str, text: str, upgrades: Mapping[str, str], *, pyproject: bool) -> FileFix:
    wanted = {normalize_name(PYPI, name): version for name, version in upgrades.items()}
    lines = text.splitlines(keepends=True)
    edits: list[Edit] = []
    unfixable: list[Unfixable] = []
    section = ""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if pyproject and stripped.startswith("[") and not stripped.startswith("[["):
            section = stripped
        if stripped.startswith("#"):
            continue
        if pyproject and section.startswith("[tool.poetry") and "dependencies" in section:
            new_line = _poetry_line(line, wanted, path, index + 1, edits)
            if new_line is not None:
                lines[index] = new_line
            continue
        scanned = line if pyproject else line.split("#", 1)[0]
        found = list(_PY_REQ.finditer(scanned)) if pyproject else _first(scanned)
        for match in reversed(found):
            if pyproject and not _inside_string(line, match.start()):
                continue
            name = normalize_name(PYPI, match.group("name"))
            if name not in wanted:
                continue
            if not pyproject and ("--hash" in line or _continues_with_hashes(lines, index)):
                unfixable.append(
                    Unfixable(
                        path=path,
                        line=index + 1,
                        name=match.group("name"),
                        reason="the pin carries --hash values; regenerate the file with "
                        f"{match.group('name')}=={wanted[name]} (pip-compile --generate-hashes)",
                    )
                )
                continue
            old = match.group("version")
            new = wanted[name]
            if old == new:
                continue
            start, end = match.span("version")
            lines[index] = lines[index][:start] + new + lines[index][end:]
            edits.append(
                Edit(path=path, line=index + 1, name=match.group("name"), old=old, new=new)
            )
    edits.sort(key=lambda e: (e.line, e.name))
    return FileFix(
        path=path,
        old_text=text,
        new_text="".join(lines),
        edits=tuple(edits),
        unfixable=tuple(unfixable),
    )


def _first(text: str) -> list[re.Match[str]]:
    match = _PY_REQ.match(text.lstrip())
    if match is None:
        return []
    offset = len(text) - len(text.lstrip())
    again = _PY_REQ.match(text, offset)
    return [again] if again is not None else []


def _inside_string(line: str, position: int) -> bool:
    quotes = [i for i, ch in enumerate(line[:position]) if ch in "\"'"]
    return len(quotes) % 2 == 1


def _continues_with_hashes(lines: list[str], index: int) -> bool:
    while lines[index].rstrip().endswith("\\") and index + 1 < len(lines):
        index += 1
        if "--hash" in lines[index]:
            return True
    return False


_POETRY = re.compile(
    r"""^(?P<key>\s*["']?(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)["']?\s*=\s*)"""
    r"""(?:(?P<q>["'])(?P<op>==|=|\^|~|>=)?(?P<version>\d[^"']*)(?P=q)"""
    r"""|(?P<table>\{.*?\bversion\s*=\s*(?P<q2>["'])(?P<op2>==|=|\^|~|>=)?"""
    r"""(?P<version2>\d[^"']*)(?P=q2).*\}))"""
)


def _poetry_line(
    line: str, wanted: Mapping[str, str], path: str, number: int, edits: list[Edit]
) -> str | None:
    match = _POETRY.match(line)
    if match is None:
        return None
    name = normalize_name(PYPI, match.group("name"))
    if name not in wanted:
        return None
    group = "version" if match.group("version") is not None else "version2"
    old = match.group(group)
    new = wanted[name]
    if old == new:
        return None
    start, end = match.span(group)
    edits.append(Edit(path=path, line=number, name=match.group("name"), old=old, new=new))
    return line[:start] + new + line[end:]


_JSON_SECTION = re.compile(
    r'"(?:dependencies|devDependencies|optionalDependencies|peerDependencies)"\s*:\s*\{'
)
_JSON_ENTRY = re.compile(r'"(?P<name>(?:@[^"/]+/)?[^"@/][^"]*)"\s*:\s*"(?P<spec>[^"]*)"')


def _fix_package_json(path: str, text: str, upgrades: Mapping[str, str]) -> FileFix:
    wanted = {normalize_name(NPM, name): version for name, version in upgrades.items()}
    edits: list[Edit] = []
    unfixable: list[Unfixable] = []
    pieces: list[str] = []
    cursor = 0
    for section in _JSON_SECTION.finditer(text):
        body_start = section.end()
        body_end = text.find("}", body_start)
        if body_end < 0:
            break
        for entry in _JSON_ENTRY.finditer(text, body_start, body_end):
            name = entry.group("name")
            if name not in wanted:
                continue
            line = text.count("\n", 0, entry.start()) + 1
            spec = _NPM_RANGE.match(entry.group("spec"))
            if spec is None:
                unfixable.append(
                    Unfixable(
                        path=path,
                        line=line,
                        name=name,
                        reason=f"the requirement {entry.group('spec')!r} is not a plain version "
                        f"or ^/~ range; set it to {wanted[name]} or later by hand",
                    )
                )
                continue
            old, new = spec.group("version"), wanted[name]
            if old == new:
                continue
            start = entry.start("spec") + spec.start("version")
            end = entry.start("spec") + spec.end("version")
            pieces.append(text[cursor:start])
            pieces.append(new)
            cursor = end
            edits.append(Edit(path=path, line=line, name=name, old=old, new=new))
    pieces.append(text[cursor:])
    return FileFix(
        path=path,
        old_text=text,
        new_text="".join(pieces),
        edits=tuple(edits),
        unfixable=tuple(unfixable),
    )
