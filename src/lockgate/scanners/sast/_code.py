"""The source text behind a match: the matched slice, its enclosing scope, the first line
shown to developers, credential literals masked, and inline suppression comments."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from lockgate.model.fingerprint import enclosing_scope, secret_value_hash

MAX_SNIPPET = 200
MASK = "***"

_LITERAL = re.compile(
    r"""(?P<q>\"\"\"|'''|"|'|`)(?P<body>(?:\\.|(?!(?P=q)).)*?)(?P=q)""", re.DOTALL
)
_NOSEMGREP = re.compile(
    r"(?:#|//|/\*|--)\s*nosem(?:grep)?\b(?:\s*:\s*(?P<ids>[\w.\-/]+(?:\s*,\s*[\w.\-/]+)*))?",
    re.IGNORECASE,
)
_COMMENT_ONLY = re.compile(r"^\s*(?:#|//|/\*|--)")
_NOSEC = re.compile(r"#\s*nosec\b(?P<rest>[^#\n]*)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_][\w]*")


@dataclass(frozen=True)
class SourceText:
    """One file's bytes with a line index (1-based lines, byte columns)."""

    data: bytes

    @cached_property
    def line_starts(self) -> list[int]:
        starts = [0]
        starts.extend(m.end() for m in re.finditer(rb"\n", self.data))
        return starts

    @cached_property
    def lines(self) -> list[str]:
        return self.data.decode("utf-8", "replace").splitlines()

    def line(self, number: int) -> str:
        """Line ``number`` (1-based), or an empty string past the end."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def offset(self, line: int, column: int) -> int | None:
        """Byte offset of a 1-based line and 1-based byte column."""
        if not 0 < line <= len(self.line_starts):
            return None
        return min(self.line_starts[line - 1] + max(column, 1) - 1, len(self.data))

    def slice(
        self,
        *,
        start_line: int,
        start_col: int | None,
        end_line: int,
        end_col: int | None,
        start_offset: int | None = None,
        end_offset: int | None = None,
    ) -> str:
        """The matched code: by byte offsets when known, else by line and column; the whole
        start line when the positions do not make sense."""
        start = start_offset if start_offset is not None and start_offset >= 0 else None
        end = end_offset if end_offset is not None and end_offset >= 0 else None
        if start is None:
            start = self.offset(start_line, start_col or 1)
        if end is None and end_col is not None:
            end = self.offset(end_line, end_col)
        if start is None or end is None or end <= start or end > len(self.data):
            return self.line(start_line).strip()
        return self.data[start:end].decode("utf-8", "replace")

    def scope(self, line: int) -> str:
        """The normalised header of the definition enclosing ``line``."""
        return enclosing_scope(self.lines, line - 1)


class SourceFiles:
    """Reads each file with findings once, relative to the workspace root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, SourceText | None] = {}

    def get(self, path: str) -> SourceText | None:
        if path not in self._cache:
            try:
                self._cache[path] = SourceText((self.root / path).read_bytes())
            except OSError:
                self._cache[path] = None
        return self._cache[path]


def first_line(text: str) -> str:
    """The first non-empty line of ``text``, stripped and bounded (the displayed snippet)."""
    for raw in text.splitlines():
        line = raw.strip()
        if line:
            return line if len(line) <= MAX_SNIPPET else line[: MAX_SNIPPET - 1] + "…"
    return ""


def mask_literals(text: str) -> str:
    """Every quoted string literal's content replaced by ``***`` (credential findings)."""
    return _LITERAL.sub(lambda m: f"{m['q']}{MASK}{m['q']}" if m["body"] else m[0], text)


def literal_values(text: str) -> set[str]:
    """The contents of the string literals in ``text`` (what credential findings hide)."""
    return {m["body"] for m in _LITERAL.finditer(text) if len(m["body"]) >= 3}


def redact(text: str, values: set[str]) -> str:
    """``text`` with string literals masked and every one of ``values`` replaced by ``***``
    (an engine's message may quote a secret without its quotes)."""
    text = mask_literals(text)
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


def hash_literals(text: str, key: bytes) -> str:
    """Every string literal's content replaced by its keyed hash: the identity of a
    hard-coded credential without the credential itself (fingerprint input)."""
    return _LITERAL.sub(lambda m: f"{m['q']}{secret_value_hash(m['body'], key)}{m['q']}", text)


def nosemgrep(source: SourceText, line: int, rule_id: str) -> bool:
    """Whether a ``nosemgrep`` comment on ``line`` (or alone on the line above) waives
    ``rule_id`` (all rules when it names none)."""
    candidates = [source.line(line)]
    above = source.line(line - 1)
    if _COMMENT_ONLY.match(above):
        candidates.append(above)
    for text in candidates:
        for match in _NOSEMGREP.finditer(text):
            ids = match["ids"]
            if not ids:
                return True
            for listed in (i.strip() for i in ids.split(",")):
                if listed == rule_id or rule_id.endswith("." + listed):
                    return True
    return False


def nosec(source: SourceText, lines: Iterable[int], test_id: str, test_name: str) -> bool:
    """Whether a bandit ``# nosec`` comment on one of ``lines`` waives this test (all tests
    when it names none, as bandit does)."""
    wanted = {test_id.upper(), test_name.upper()}
    for number in lines:
        for match in _NOSEC.finditer(source.line(number)):
            words = {w.upper() for w in _WORD.findall(match["rest"])}
            named = {w for w in words if re.fullmatch(r"B\d{3}", w) or "_" in w}
            if not named or named & wanted:
                return True
    return False
