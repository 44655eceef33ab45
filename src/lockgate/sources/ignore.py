"""Ignore rules: ``.gitignore`` and ``.lockgateignore`` at every level, plus configured patterns.

Both files use gitignore syntax (negation included) and apply to the directory that holds
them and everything below it. Within one directory ``.lockgateignore`` is read after
``.gitignore``, so it can re-include (``!.env``) what git ignores. Across directories the
deepest file with a matching pattern decides, and an ignored directory is never entered:
nothing below it can be re-included, exactly as in git. Patterns from configuration are
anchored at the root and decide before any file. ``.git`` is always ignored.

Ignored paths are out of scope: sources do not list them and do not report them as skipped.

Matching is pathspec's :class:`~pathspec.GitIgnoreSpec`; one combined regular expression per
file answers the common "no pattern applies" case in a single call, which keeps a walk of
thousands of files within budget even with a long ``.gitignore``.

Known difference from git: a negated *directory* pattern in a nested file (``!keep/``)
re-includes files below it that a shallower file ignores by name.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

GITIGNORE = ".gitignore"
LOCKGATEIGNORE = ".lockgateignore"

_UNANCHORED = "^(?:.+/)?"
"""How pathspec starts the expression of a pattern that may match at any depth."""


class IgnorePatterns:
    """The patterns of one directory, compiled for files and for directories."""

    __slots__ = ("_dir_any", "_dir_spec", "_file_any", "_file_spec")

    def __init__(self, lines: Sequence[str]) -> None:
        from pathspec import GitIgnoreSpec  # imported only when an ignore file exists

        self._file_spec = GitIgnoreSpec.from_lines(lines, backend="simple")
        # ``foo/**`` matches what is inside foo, not foo itself: were the directory checked
        # against it, ``!foo/keep`` could never re-include anything.
        dir_lines = [_inside_only(line) for line in lines]
        self._dir_spec = GitIgnoreSpec.from_lines(dir_lines, backend="simple")
        self._file_any = _any_pattern(self._file_spec)
        self._dir_any = _any_pattern(self._dir_spec)

    def decide(self, path: str, *, is_dir: bool) -> bool | None:
        """``True`` ignored, ``False`` re-included by a negation, ``None`` no pattern applies."""
        if is_dir:
            spec, any_pattern, path = self._dir_spec, self._dir_any, path + "/"
        else:
            spec, any_pattern = self._file_spec, self._file_any
        if any_pattern is not None and any_pattern.match(path) is None:
            return None
        return spec.check_file(path).include


def _inside_only(line: str) -> str:
    stripped = line.rstrip(" ")
    return stripped + "/*" if stripped.endswith("/**") else line


def _any_pattern(spec: GitIgnoreSpec) -> re.Pattern[str] | None:
    """One expression matching wherever some pattern of ``spec`` matches; ``None`` if that
    cannot be built safely (then every path goes through pathspec)."""
    unanchored: list[str] = []
    anchored: list[str] = []
    for pattern in spec.patterns:
        if pattern.include is None or pattern.regex is None:
            continue
        regex: re.Pattern[str] = pattern.regex
        if regex.flags & ~re.UNICODE or "(?P=" in regex.pattern:
            return None
        text = regex.pattern
        for name in regex.groupindex:
            text = text.replace(f"(?P<{name}>", "(?:")
        if text.startswith(_UNANCHORED):
            unanchored.append(text[len(_UNANCHORED) :])
        else:
            anchored.append(text)
    parts = [f"(?:{text})" for text in anchored]
    if unanchored:
        parts.append(_UNANCHORED + "(?:" + "|".join(unanchored) + ")")
    if not parts:
        return re.compile(r"(?!)")
    try:
        return re.compile("|".join(parts))
    except re.error:
        return None


class IgnoreRules:
    """Which paths of the tree at ``root`` are out of scope. Ignore files are read lazily."""

    def __init__(
        self,
        root: Path,
        *,
        file_names: Sequence[str] = (GITIGNORE, LOCKGATEIGNORE),
        extra_patterns: Sequence[str] = (),
    ) -> None:
        self._root = root
        self._file_names = tuple(file_names)
        self._extra = IgnorePatterns(list(extra_patterns)) if extra_patterns else None
        self._chains: dict[str, tuple[tuple[str, IgnorePatterns], ...]] = {}
        self._deciders: dict[str, tuple[tuple[int, IgnorePatterns], ...]] = {}
        self._dirs: dict[str, bool] = {}

    def ignores_entry(self, parent: str, path: str, *, is_dir: bool) -> bool:
        """Whether ``path``, an entry of the directory ``parent`` (``""`` for the root), is
        ignored, assuming ``parent`` itself is in scope. For walkers."""
        if self._extra is not None:
            decision = self._extra.decide(path, is_dir=is_dir)
            if decision is not None:
                return decision
        deciders = self._deciders.get(parent)
        if deciders is None:
            # Deepest first, each with the length of its directory prefix to cut off.
            deciders = tuple(
                (len(base) + 1 if base else 0, patterns)
                for base, patterns in reversed(self._chain(parent))
            )
            self._deciders[parent] = deciders
        for offset, patterns in deciders:
            decision = patterns.decide(path[offset:], is_dir=is_dir)
            if decision is not None:
                return decision
        return False

    def is_ignored(self, path: str, *, is_dir: bool = False) -> bool:
        """Whether ``path`` (POSIX, relative to the root) is out of scope, including because
        a directory above it is. For path lists such as ``git ls-files`` output."""
        parts = path.split("/")
        if ".git" in parts:
            return True
        parent = ""
        for part in parts[:-1]:
            directory = f"{parent}/{part}" if parent else part
            ignored = self._dirs.get(directory)
            if ignored is None:
                ignored = self.ignores_entry(parent, directory, is_dir=True)
                self._dirs[directory] = ignored
            if ignored:
                return True
            parent = directory
        return self.ignores_entry(parent, path, is_dir=is_dir)

    def _chain(self, directory: str) -> tuple[tuple[str, IgnorePatterns], ...]:
        """The pattern sets that apply inside ``directory``, shallowest first."""
        chain = self._chains.get(directory)
        if chain is None:
            parent = directory.rpartition("/")[0]
            chain = self._chain(parent) if directory else ()
            own = self._load(directory)
            if own is not None:
                chain = (*chain, (directory, own))
            self._chains[directory] = chain
        return chain

    def _load(self, directory: str) -> IgnorePatterns | None:
        lines: list[str] = []
        folder = self._root / directory if directory else self._root
        for name in self._file_names:
            data = _read_regular(folder / name)
            if data is not None:
                lines.extend(data.decode("utf-8", errors="replace").splitlines())
        return IgnorePatterns(lines) if lines else None


def _read_regular(path: Path) -> bytes | None:
    """The content of a regular file, or ``None``. An unreadable ignore file widens the scan,
    never narrows it; a FIFO named ``.gitignore`` must not hang the walk."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks: list[bytes] = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)
