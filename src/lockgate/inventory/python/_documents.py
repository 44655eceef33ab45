"""Reading TOML and JSON lockfiles into plain data, with located errors and entry lines.

Parse errors and wrong shapes become :class:`ManifestError` carrying the manifest path and,
where the decoder knows it, the line, so a broken lockfile shows up in the report as
``poetry.lock:12: not valid TOML: …`` instead of a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lockgate.inventory.interface import ManifestError, ManifestSource
from lockgate.inventory.lockgraph import LineIndex

_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")
_NAME_KEY = re.compile(r"name[ \t]*=")


def load_toml(source: ManifestSource, *, text: str | None = None, path: str | None = None) -> Any:
    """The TOML document as plain data; ManifestError with the line when it is not TOML."""
    import tomllib

    body = source.text if text is None else text
    where = source.path if path is None else path
    try:
        return tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line: int | None = None
        located = _TOML_WHERE.search(message)
        if located:
            line = int(located.group(1))
            message = message[: located.start()]
        elif _TOML_END.search(message):
            message = _TOML_END.sub("", message) + " (the file ends too early)"
            line = body.count("\n") + 1
        raise ManifestError(f"not valid TOML: {message}", path=where, line=line) from exc


def load_json(source: ManifestSource) -> Any:
    """The JSON document as plain data; ManifestError with the line when it is not JSON."""
    import json

    try:
        return json.loads(source.text)
    except json.JSONDecodeError as exc:
        raise ManifestError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", path=source.path, line=exc.lineno
        ) from exc
    except RecursionError as exc:
        raise ManifestError("not valid JSON: nested too deeply", path=source.path) from exc


def table(value: Any, what: str, source: ManifestSource, line: int | None = None) -> dict[str, Any]:
    """``value`` when it is a table/object, else a ManifestError naming ``what``."""
    if not isinstance(value, dict):
        raise ManifestError(
            f"{what} must be a table, found {_kind(value)}", path=source.path, line=line
        )
    return value


def array(value: Any, what: str, source: ManifestSource, line: int | None = None) -> list[Any]:
    """``value`` when it is an array, else a ManifestError naming ``what``."""
    if not isinstance(value, list):
        raise ManifestError(
            f"{what} must be an array, found {_kind(value)}", path=source.path, line=line
        )
    return value


def text_of(value: Any, what: str, source: ManifestSource, line: int | None = None) -> str:
    """``value`` when it is a non-empty string, else a ManifestError naming ``what``."""
    if not isinstance(value, str) or not value:
        raise ManifestError(
            f"{what} must be a non-empty string, found {_kind(value)}", path=source.path, line=line
        )
    return value


def optional_text(value: Any) -> str | None:
    """``value`` when it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a table",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def entry_names(entries: Sequence[Any]) -> list[str]:
    """The ``name`` of each entry of an array of tables ('' where it has none)."""
    return [
        entry["name"] if isinstance(entry, dict) and isinstance(entry.get("name"), str) else ""
        for entry in entries
    ]


def entry_lines(text: str, array_name: str, names: Sequence[str]) -> list[int | None]:
    """The line of each entry of a TOML array of tables (``[[package]]``), in order.

    ``names`` are the entries' ``name`` values. Each entry's line is that of its ``name = …``
    key (else of its header); when the file writes the array inline, the line of the first
    ``name = "<name>"`` after the previous entry. One pass over the lines: lockfiles are big.
    """
    header = f"[[{array_name}]]"
    lines: list[int | None] = []
    waiting = 0  # header line of the entry whose name line is still to come
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.lstrip()
        if not line.startswith(("[", "n")):
            continue
        if line.startswith("[["):
            if waiting:
                lines.append(waiting)
                waiting = 0
            if line.replace(" ", "").replace("\t", "").startswith(header):
                waiting = number
        elif line.startswith("["):
            if waiting:
                lines.append(waiting)
                waiting = 0
        elif waiting and _NAME_KEY.match(line):
            lines.append(number)
            waiting = 0
    if waiting:
        lines.append(waiting)
    if len(lines) == len(names):
        return lines
    return _inline_entry_lines(text, names)


def _inline_entry_lines(text: str, names: Sequence[str]) -> list[int | None]:
    index = LineIndex(text)
    lines: list[int | None] = []
    position = 0
    for name in names:
        pattern = re.compile(r"\bname[ \t]*=[ \t]*[\"']" + re.escape(name) + r"[\"']")
        hit = index.find(pattern, position)
        if hit is None:
            lines.append(None)
            continue
        line, position = hit
        lines.append(line)
    return lines
