"""Installed entry points of a group, found without importing ``importlib.metadata``.

Every command looks up lockgate's controls and reporters as entry points. The standard
library's lookup imports ``importlib.metadata`` and, through it, the ``email`` package,
and reads every distribution's metadata: about a fifth of a pre-commit run. This module
does what it does for distributions installed on ``sys.path`` (``*.dist-info`` and
``*.egg-info`` directories, the first distribution of a name winning), reading only their
``entry_points.txt``. When something else on the interpreter can provide distributions (an
import hook with ``find_distributions``, a zip file or an egg on ``sys.path``), the standard
lookup is used instead, so no plugin is ever missed.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import reduce
from importlib import import_module
from typing import Any, Protocol


class EntryPointLike(Protocol):
    """What the registries need of an entry point (``importlib.metadata.EntryPoint`` too)."""

    @property
    def name(self) -> str: ...

    @property
    def value(self) -> str: ...

    def load(self) -> Any: ...


_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
_SEPARATORS = re.compile(r"[-_.]+")


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """An entry point: ``name = module:attr`` in ``group``."""

    name: str
    value: str
    group: str

    def load(self) -> Any:
        """The object the entry point names (imported now)."""
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"entry point value {self.value!r} is not module[:attr]")
        module = import_module(match.group("module"))
        attrs = filter(None, (match.group("attr") or "").split("."))
        return reduce(getattr, attrs, module)


def entry_points(group: str) -> tuple[EntryPointLike, ...]:
    """The entry points of ``group`` of every installed distribution, as the standard
    library's ``entry_points(group=...)`` finds them."""
    if not _plain_paths_only():
        from importlib.metadata import entry_points as standard

        return tuple(standard(group=group))
    found: list[EntryPointLike] = []
    seen: set[str] = set()
    for entry in sys.path:
        for name, info in _distributions(entry or "."):
            if name in seen:
                continue
            seen.add(name)
            found += _group(os.path.join(info, "entry_points.txt"), group)
    return tuple(found)


def _plain_paths_only() -> bool:
    """Whether distributions can only come from directories on ``sys.path``."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and hasattr(finder, "find_distributions"):
            return False
    # A file on sys.path (a zip, a zipapp, an egg) or an unpacked egg may hold
    # distributions this module does not read (the interpreter's own python3X.zip is usually
    # listed without existing).
    return not any(
        entry and (entry.endswith(".egg") or os.path.isfile(entry)) for entry in sys.path
    )


def _distributions(directory: str) -> list[tuple[str, str]]:
    """(normalised name, metadata directory) of the distributions in ``directory``, in the
    order the standard library considers them."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    found = []
    for name in names:
        stem, ext = os.path.splitext(name)
        if ext not in (".dist-info", ".egg-info"):
            continue
        project = stem.partition("-")[0]
        found.append((_SEPARATORS.sub("_", project).lower(), os.path.join(directory, name)))
    return found


def _group(path: str, group: str) -> list[EntryPointLike]:
    """The entry points of ``group`` in one ``entry_points.txt`` (an INI-like file)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return []
    found: list[EntryPointLike] = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section == group:
            name, sep, value = line.partition("=")
            if sep:
                found.append(EntryPoint(name=name.strip(), value=value.strip(), group=group))
    return found
