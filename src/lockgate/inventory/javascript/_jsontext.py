"""JSON reading for the JavaScript parsers: located errors, the line of each object key (so a
component points at its entry), and the JSONC subset ``bun.lock`` is written in (comments
and trailing commas)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from typing import Any

from lockgate.inventory.interface import ManifestError

# A string (with its following colon when it is an object key), a bracket, or a comment.
_TOKEN = re.compile(r'"((?:[^"\\\n]|\\.)*)"(\s*:)?|[{}\[\]]')
# The end of a key whose value is an object or array.
_OPENING = re.compile(r'"\s*:\s*[\[{]')
_KEY_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*')
_JSONC = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*[\s\S]*?\*/|,(?=\s*[}\]])')


def load_json(text: str, path: str, *, what: str = "JSON") -> Any:
    """The parsed document, or ManifestError at the line where the JSON breaks."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"not valid {what}: {exc.msg}", path=path, line=exc.lineno) from exc
    except RecursionError as exc:
        raise ManifestError(f"{what} nested too deeply to read", path=path) from exc


def strip_jsonc(text: str) -> str:
    """JSON from JSONC: comments and trailing commas removed outside strings, with line
    breaks kept so line numbers still match the original text."""
    if "//" not in text and "/*" not in text and not re.search(r",\s*[}\]]", text):
        return text

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token[0] == '"':
            return token
        return "\n" * token.count("\n")

    return _JSONC.sub(replace, text)


def key_lines(text: str, wanted: Callable[[tuple[str, ...]], bool]) -> dict[tuple[str, ...], int]:
    """1-based line of every object key whose path of enclosing keys ``wanted`` accepts.

    The path of ``"b"`` in ``{"a": {"b": 1}}`` is ``("a",)``; array levels appear as ``""``.
    Keys are recorded as ``path + (key,)``; the first occurrence wins. ``text`` must be valid
    JSON (parse it first): this scan does not validate.
    """
    found: dict[tuple[str, ...], int] = {}
    stack: list[str] = []
    pending = ""
    line = 1
    counted = 0
    accept_cache: dict[tuple[str, ...], bool] = {}
    for match in _TOKEN.finditer(text):
        raw = match.group(1)
        if raw is not None:
            if match.group(2) is None:
                continue
            pending = json.loads(f'"{raw}"') if "\\" in raw else raw
            parent = tuple(stack[1:])
            accepted = accept_cache.get(parent)
            if accepted is None:
                accepted = accept_cache[parent] = wanted(parent)
            if accepted:
                start = match.start()
                line += text.count("\n", counted, start)
                counted = start
                found.setdefault((*parent, pending), line)
        elif match.group(0) in "{[":
            stack.append(pending)
            pending = ""
        else:
            if stack:
                stack.pop()
            pending = ""
    return found


def opening_key_lines(text: str) -> dict[tuple[str, ...], int]:
    """1-based line of every key whose value is an object or array, keyed by its path, read
    from the indentation of pretty-printed JSON (what npm and Bun write): a fast path for
    big lockfiles. Only keys that start their line are seen, so the result is only complete
    for one-key-per-line layouts; callers check it covers what they need and otherwise use
    :func:`key_lines`."""
    found: dict[tuple[str, ...], int] = {}
    stack: list[tuple[int, str | None]] = []
    line = 1
    counted = 0
    for match in _OPENING.finditer(text):
        quote = match.start()
        start = text.rfind("\n", 0, quote) + 1
        head = text[start:quote]
        token = head.lstrip(" ")
        indent = len(head) - len(token)
        key: str | None = None
        if _KEY_TOKEN.fullmatch(token):
            key = json.loads(token + '"') if "\\" in token else token[1:]
        else:
            indent += 1  # not alone on its line: its children get no path at all
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parents = [k for _, k in stack if k is not None]
        complete = len(parents) == len(stack)
        stack.append((indent, key))
        if key is None or not complete:
            continue
        line += text.count("\n", counted, start)
        counted = start
        found.setdefault((*parents, key), line)
    return found


def entry_lines(
    text: str,
    paths: Collection[tuple[str, ...]],
    wanted: Callable[[tuple[str, ...]], bool],
) -> dict[tuple[str, ...], int]:
    """Lines of the object- or array-valued keys at ``paths``: from the fast indentation scan
    when it finds them all, else from the full scan of the keys ``wanted`` accepts."""
    fast = opening_key_lines(text)
    if all(path in fast for path in paths):
        return fast
    return key_lines(text, wanted)
