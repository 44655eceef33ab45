"""Find where a key or table is written in TOML text, for located error messages.

``tomllib`` parses values but forgets positions, so configuration errors would say *what*
is wrong but not *where*. This module re-reads the text with a small scanner that knows
just enough TOML (headers, dotted and quoted keys, strings of every kind, arrays and inline
tables spanning lines, comments) to map a table path and key back to a 1-based line.
"""

from __future__ import annotations

import bisect
import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PathPart = str | int
"""A table path element: a key, or an index into an array of tables."""

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    '"': '"',
    "\\": "\\",
}


@dataclass(frozen=True, slots=True)
class _Entry:
    """One place in the text that defines something: a header or a ``key = value``."""

    path: tuple[PathPart, ...]
    line: int
    header: bool


def find_line(
    text: str, table: Sequence[PathPart], key: str | None = None, *, prefix: Sequence[str] = ()
) -> int | None:
    """The 1-based line where ``key`` is set in ``table`` (or the table's header if no key).

    Integers in ``table`` index arrays of tables; ``prefix`` roots the search, e.g.
    ``("tool", "lockgate")`` inside ``pyproject.toml``. When the target sits inside an
    inline table or array the line of the enclosing key is returned; ``None`` if absent.
    """
    target = (*prefix, *table) if key is None else (*prefix, *table, key)
    implicit: int | None = None
    for entry in _scan(text):
        if entry.path == target:  # a header, a key, or ``a.b = {…}`` for table a.b
            return entry.line
        if implicit is None and _defines_implicitly(entry, target, key is None):
            implicit = entry.line
    return implicit


def toml_error_position(error: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """``tomllib``'s message with its position moved out: ``("… at column 9", 3)``.

    The line goes into the error's ``path:line`` prefix, so the message keeps only the column.
    """
    text = str(error)
    found = _POSITION.search(text)
    if found is None:
        return text, None
    return f"{text[: found.start()]} at column {found.group(2)}", int(found.group(1))


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to a misspelt ``word`` (case-insensitive), or ``None``."""
    options = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=0.6)
    return options[close[0]] if close else None


def _defines_implicitly(entry: _Entry, target: tuple[PathPart, ...], table_wanted: bool) -> bool:
    """Whether ``entry`` is the first evidence of ``target`` without naming it exactly.

    A value entry whose path is a proper prefix of the target holds it inline
    (``thresholds = { block = … }``); when looking for a table, a dotted key below it
    (``thresholds.block = …``) or a sub-table header defines it implicitly.
    """
    size = len(entry.path)
    if not entry.header and size < len(target) and target[:size] == entry.path:
        return True
    return table_wanted and size > len(target) and entry.path[: len(target)] == target


class _Scanner:
    """A forgiving single-pass reader of TOML structure; it never raises on bad input."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self._arrays: dict[tuple[PathPart, ...], int] = {}
        self._table: tuple[PathPart, ...] = ()

    def line_of(self, pos: int) -> int:
        return bisect.bisect_right(self._line_starts, pos)

    def entries(self) -> Iterable[_Entry]:
        text = self.text
        while True:
            self._skip_blank()
            if self.pos >= len(text):
                return
            start = self.pos
            if text.startswith("[[", start):
                entry = self._header(array=True)
            elif text[start] == "[":
                entry = self._header(array=False)
            else:
                entry = self._key_value()
            if entry is not None:
                yield entry
            if self.pos <= start:  # defensive: always make progress on malformed text
                self._skip_line()

    def _skip_blank(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            char = text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif char == "#":
                self._skip_line()
            else:
                return

    def _skip_line(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end == -1 else end + 1

    def _skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def _header(self, *, array: bool) -> _Entry | None:
        start = self.pos
        self.pos += 2 if array else 1
        keys = self._dotted_key()
        self._skip_spaces()
        closing = "]]" if array else "]"
        if keys is None or not self.text.startswith(closing, self.pos):
            self._skip_line()
            return None
        self.pos += len(closing)
        self._skip_line()  # the rest of a header line can only be a comment
        path = self._resolve(keys[:-1] if array else keys)
        if array:
            array_path = (*path, keys[-1])
            index = self._arrays.get(array_path, 0)
            self._arrays[array_path] = index + 1
            path = (*array_path, index)
        self._table = path
        return _Entry(path=path, line=self.line_of(start), header=True)

    def _resolve(self, keys: Sequence[str]) -> tuple[PathPart, ...]:
        """Header keys to a path, stepping into the latest element of arrays of tables."""
        path: tuple[PathPart, ...] = ()
        for key in keys:
            path = (*path, key)
            count = self._arrays.get(path)
            if count:
                path = (*path, count - 1)
        return path

    def _key_value(self) -> _Entry | None:
        start = self.pos
        keys = self._dotted_key()
        self._skip_spaces()
        if keys is None or not self.text.startswith("=", self.pos):
            self._skip_line()
            return None
        self.pos += 1
        self._skip_value()
        return _Entry(path=(*self._table, *keys), line=self.line_of(start), header=False)

    def _dotted_key(self) -> list[str] | None:
        keys: list[str] = []
        while True:
            self._skip_spaces()
            key = self._simple_key()
            if key is None:
                return None
            keys.append(key)
            self._skip_spaces()
            if not self.text.startswith(".", self.pos):
                return keys
            self.pos += 1

    def _simple_key(self) -> str | None:
        text, start = self.text, self.pos
        if text.startswith('"', start):
            return self._basic_string()
        if text.startswith("'", start):
            end = text.find("'", start + 1)
            if end == -1 or "\n" in text[start:end]:
                return None
            self.pos = end + 1
            return text[start + 1 : end]
        end = start
        while end < len(text) and text[end] in _BARE:
            end += 1
        if end == start:
            return None
        self.pos = end
        return text[start:end]

    def _basic_string(self) -> str | None:
        """A one-line ``"…"`` key with its escapes decoded."""
        text, i = self.text, self.pos + 1
        out: list[str] = []
        while i < len(text) and text[i] not in '"\n':
            if text[i] == "\\" and i + 1 < len(text):
                code = text[i + 1]
                width = {"u": 4, "U": 8}.get(code)
                if width:
                    try:
                        out.append(chr(int(text[i + 2 : i + 2 + width], 16)))
                    except ValueError:
                        return None
                    i += 2 + width
                    continue
                out.append(_ESCAPES.get(code, code))
                i += 2
                continue
            out.append(text[i])
            i += 1
        if i >= len(text) or text[i] != '"':
            return None
        self.pos = i + 1
        return "".join(out)

    def _skip_value(self) -> None:
        """Move past a value, however many lines its strings, arrays or tables span."""
        text, n, depth = self.text, len(self.text), 0
        while self.pos < n:
            char = text[self.pos]
            if char in "\"'":
                self._skip_string(char)
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = n if end == -1 else end
            elif char == "\n" and depth <= 0:
                self.pos += 1
                return
            else:
                if char in "[{":
                    depth += 1
                elif char in "]}":
                    depth -= 1
                self.pos += 1

    def _skip_string(self, quote: str) -> None:
        text = self.text
        if text.startswith(quote * 3, self.pos):
            end = self._find_closing(quote * 3, self.pos + 3, escapes=quote == '"')
            # The content may end with up to two quotes of its own: """a"""""
            for _ in range(2):
                if text.startswith(quote, end):
                    end += 1
            self.pos = end
            return
        end = self._find_closing(quote, self.pos + 1, escapes=quote == '"', one_line=True)
        self.pos = end

    def _find_closing(
        self, delimiter: str, i: int, *, escapes: bool, one_line: bool = False
    ) -> int:
        text, n = self.text, len(self.text)
        while i < n:
            if escapes and text[i] == "\\":
                i += 2
                continue
            if one_line and text[i] == "\n":
                return i  # unterminated: resume at the line end
            if text.startswith(delimiter, i):
                return i + len(delimiter)
            i += 1
        return n


def _scan(text: str) -> Iterable[_Entry]:
    return _Scanner(text).entries()
