"""Go modules from ``go.mod`` (with hashes from a ``go.sum`` beside it).

Every ``require`` is a component at the version written there (``v1.2.3``, pseudo-versions
and ``+incompatible`` kept verbatim, as the purl spec keeps them; advisory matching strips
the ``v``). ``// indirect`` marks a transitive requirement. A ``replace`` directive changes
what ships: the replacement module and version become the component, and a replacement by a
local directory cannot be matched, so it is reported as unresolved. ``exclude`` and
``retract`` do not change what is built and are ignored. go.mod records no dependency graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    Unresolved,
    component,
)
from lockgate.inventory.lockgraph import sorted_components, sorted_unresolved
from lockgate.model import Component
from lockgate.model.ecosystems import GO

FORMAT = "go.mod"

_DIRECTIVES = frozenset(
    {
        "module",
        "go",
        "toolchain",
        "godebug",
        "require",
        "replace",
        "exclude",
        "retract",
        "tool",
        "ignore",
    }
)
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|=>|[^\s"`]+|["`]')


@dataclass(frozen=True, slots=True)
class _Require:
    module: str
    version: str
    line: int
    indirect: bool


@dataclass(frozen=True, slots=True)
class _Replace:
    old: str
    old_version: str | None
    new: str
    new_version: str | None
    line: int


def _split_comment(line: str) -> tuple[str, str]:
    """Code and comment of one line; ``//`` inside a quoted path does not start a comment."""
    if '"' not in line and "`" not in line:
        code, _, comment = line.partition("//")
        return code, comment
    in_quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if in_quote:
            if char == in_quote:
                in_quote = ""
            elif char == "\\" and in_quote == '"':
                index += 1
        elif char in '"`':
            in_quote = char
        elif line.startswith("//", index):
            return line[:index], line[index + 2 :]
        index += 1
    return line, ""


def _tokens(code: str, path: str, number: int) -> list[str]:
    tokens = []
    for token in _TOKEN.findall(code):
        if token[0] not in '"`':
            tokens.append(token)
        elif len(token) < 2:
            raise ManifestError("unterminated quoted string", path=path, line=number)
        else:
            tokens.append(token[1:-1])
    return tokens


def _is_indirect(comment: str) -> bool:
    text = comment.strip()
    return text == "indirect" or text.startswith("indirect;")


def _parse_replace(tokens: list[str], path: str, number: int) -> _Replace:
    if "=>" not in tokens:
        raise ManifestError("replace directive without '=>'", path=path, line=number)
    arrow = tokens.index("=>")
    left, right = tokens[:arrow], tokens[arrow + 1 :]
    if len(left) not in (1, 2) or len(right) not in (1, 2):
        raise ManifestError(
            "replace must read 'module [version] => replacement [version]'",
            path=path,
            line=number,
        )
    return _Replace(
        old=left[0],
        old_version=left[1] if len(left) == 2 else None,
        new=right[0],
        new_version=right[1] if len(right) == 2 else None,
        line=number,
    )


def _read_go_mod(source: ManifestSource) -> tuple[list[_Require], list[_Replace]]:
    requires: list[_Require] = []
    replaces: list[_Replace] = []
    block: str | None = None
    lines = source.text.splitlines()
    for number, raw in enumerate(lines, start=1):
        code, comment = _split_comment(raw)
        tokens = _tokens(code, source.path, number)
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
                continue
            verb, args = block, tokens
        else:
            verb, args = tokens[0], tokens[1:]
            if verb not in _DIRECTIVES:
                raise ManifestError(
                    f"unknown go.mod directive {verb!r}: this is not a go.mod file",
                    path=source.path,
                    line=number,
                )
            if args == ["("]:
                block = verb
                continue
        if verb == "require":
            if len(args) != 2:
                raise ManifestError(
                    "require must read 'module version'", path=source.path, line=number
                )
            requires.append(_Require(args[0], args[1], number, _is_indirect(comment)))
        elif verb == "replace":
            replaces.append(_parse_replace(args, source.path, number))
    if block is not None:
        raise ManifestError(
            f"{block} block is not closed with ')'", path=source.path, line=len(lines)
        )
    return requires, replaces


def _go_sum_hashes(source: ManifestSource) -> dict[tuple[str, str], str]:
    """``(module, version) -> h1 hash`` of module zips recorded in go.sum (go.mod-only
    lines hash just the go.mod file and are left out)."""
    text = source.read_sibling("go.sum")
    hashes: dict[tuple[str, str], str] = {}
    if not text:
        return hashes
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].startswith("h1:") and not parts[1].endswith("/go.mod"):
            hashes[(parts[0], parts[1])] = parts[2][3:]
    return hashes


def _is_local_path(target: str) -> bool:
    return target.startswith(("./", "../", "/", ".\\", "..\\")) or target in (".", "..")


def _replacement(require: _Require, replaces: list[_Replace]) -> _Replace | None:
    """The replace directive that applies: one naming this exact version wins over one
    naming the module alone (as the go command does)."""
    general = None
    for replace in replaces:
        if replace.old != require.module:
            continue
        if replace.old_version == require.version:
            return replace
        if replace.old_version is None:
            general = replace
    return general


def parse(source: ManifestSource) -> ParsedManifest:
    """The modules a go.mod requires, after replace directives, with go.sum hashes."""
    requires, replaces = _read_go_mod(source)
    hashes = _go_sum_hashes(source)
    components: dict[tuple[str, str], Component] = {}
    unresolved: list[Unresolved] = []
    for require in requires:
        module, version, line = require.module, require.version, require.line
        replace = _replacement(require, replaces)
        if replace is not None:
            if replace.new_version is None or _is_local_path(replace.new):
                unresolved.append(
                    Unresolved(
                        name=module,
                        specifier=f"{version} => {replace.new}",
                        reason="replaced by a local path",
                        line=replace.line,
                    )
                )
                continue
            module, version, line = replace.new, replace.new_version, replace.line
        key = (module, version)
        digest = hashes.get(key)
        built = component(
            ecosystem=GO,
            name=module,
            version=version,
            path=source.path,
            line=line,
            direct=not require.indirect,
            hashes=(("go-h1", digest),) if digest else (),
        )
        previous = components.get(key)
        if previous is not None and previous.direct:
            continue
        components[key] = built
    return ParsedManifest(
        path=source.path,
        format=FORMAT,
        ecosystem=GO,
        components=sorted_components(components.values()),
        unresolved=sorted_unresolved(unresolved),
    )
