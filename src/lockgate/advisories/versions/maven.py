"""Maven versions, ordered by Maven's own ``ComparableVersion`` (the 3.9 line).

This is a port of ``org.apache.maven.artifact.versioning.ComparableVersion`` as shipped with
Maven 3.9, the algorithm ``mvn`` uses to pick versions, not the simplified text of the POM
reference:

- a version is a list of items; ``.`` separates items, ``-`` (and a switch from letters to
  digits, and a word after a dot, since MNG-7644) opens a nested sub-list;
- numbers compare numerically; words are qualifiers ordered
  ``alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp``, any other
  word after ``sp`` in (case-insensitive) lexical order; ``a1``/``b1``/``m1`` are
  ``alpha-1``/``beta-1``/``milestone-1`` when a digit follows;
- at one position a word sorts below a sub-list, which sorts below a number
  (``1-sp < 1-1 < 1.1``); a missing item counts as ``0``/``""``, so trailing zeros and
  release words are trimmed: ``1 == 1.0 == 1.0.0 == 1-ga``, ``1.0-RC1 < 1.0 < 1.0-sp1``,
  ``1-SNAPSHOT < 1``.

Maven accepts any string; this scheme rejects only what cannot be a concrete version: empty
text, blanks, unresolved ``${property}`` references and range syntax (``[1.0,2.0)``).

Known divergences: Maven 4 (``CombinationItem``, MNG-7714) orders a few rare shapes
differently (``1.0.final-redhat`` vs ``1.0-sp1-redhat``); an all-zero number written with 10
or more digits in the middle of a version is a plain 0 here, where Maven 3.9 ranks it by
its digit count. Maven's order is not transitive on some odd mixes of dots, zeros and
qualifiers (``1.0.alpha.1 > 1.ga.1 > 1 > 1.0.alpha.1``); this port keeps Maven's answers.
"""

from __future__ import annotations

import re
from functools import total_ordering
from typing import TypeAlias

from lockgate.advisories.versions.interface import KeyedScheme

#: An item: a number, a qualifier word, or a nested list of items.
Item: TypeAlias = "int | str | tuple[Item, ...]"

_QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_QUALIFIER_RANK = {word: index for index, word in enumerate(_QUALIFIERS)}
_RELEASE = (_QUALIFIER_RANK[""], "")
_UNKNOWN_RANK = len(_QUALIFIERS)
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_SHORTHANDS = {"a": "alpha", "b": "beta", "m": "milestone"}
_REJECT = re.compile(r"\s|\$\{|[\[\](),]")


def _qualifier(word: str) -> tuple[int, str]:
    """The comparable form of a qualifier: known ones by rank, then unknown ones lexically."""
    rank = _QUALIFIER_RANK.get(word)
    return (rank, "") if rank is not None else (_UNKNOWN_RANK, word)


def _sign(a: tuple[int, str], b: tuple[int, str]) -> int:
    if a < b:
        return -1
    return 1 if b < a else 0


def _compare_number(item: int, other: Item | None) -> int:
    if other is None:
        return 0 if item == 0 else 1
    if isinstance(other, int):
        return (item > other) - (item < other)
    return 1  # 1.1 > 1-sp, 1.1 > 1-1


def _compare_word(item: str, other: Item | None) -> int:
    if other is None:
        return _sign(_qualifier(item), _RELEASE)  # 1-rc < 1, 1-sp > 1
    if isinstance(other, str):
        return _sign(_qualifier(item), _qualifier(other))
    return -1  # 1-sp < 1.1, 1-sp < 1-1


def _compare_list(item: tuple[Item, ...], other: Item | None) -> int:
    if other is None:
        # MNG-6964: the whole list against nothing, not just its first item.
        return next((result for element in item if (result := _compare(element, None))), 0)
    if not isinstance(other, tuple):
        return -1 if isinstance(other, int) else 1  # 1-1 < 1.1, 1-1 > 1-sp
    for index in range(max(len(item), len(other))):
        left = item[index] if index < len(item) else None
        right = other[index] if index < len(other) else None
        if left is None:
            result = 0 if right is None else -_compare(right, None)
        else:
            result = _compare(left, right)
        if result:
            return result
    return 0


def _compare(item: Item, other: Item | None) -> int:
    """``item.compareTo(other)`` of ComparableVersion; ``None`` is a missing item."""
    if isinstance(item, int):
        return _compare_number(item, other)
    if isinstance(item, str):
        return _compare_word(item, other)
    return _compare_list(item, other)


def _is_null(item: Item) -> bool:
    if isinstance(item, int):
        return item == 0
    return len(item) == 0  # "" or an empty list


def _normalize(items: list[object]) -> None:
    """Drop trailing null items (0, "", empty lists), looking past trailing sub-lists."""
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        if isinstance(item, list):
            if not item:
                del items[index]
        elif _is_null(item):  # type: ignore[arg-type]
            del items[index]
        else:
            break


def _word(text: str, followed_by_digit: bool) -> str:
    if followed_by_digit and text in _SHORTHANDS:
        text = _SHORTHANDS[text]
    return _ALIASES.get(text, text)


def _item(is_digit: bool, text: str) -> int | str:
    return int(text) if is_digit else _word(text, followed_by_digit=False)


def _freeze(items: list[object]) -> tuple[Item, ...]:
    return tuple(_freeze(item) if isinstance(item, list) else item for item in items)  # type: ignore[misc]


def parse_items(version: str) -> tuple[Item, ...]:
    """The normalized item tree of ``version``, exactly as ComparableVersion builds it."""
    version = version.lower()
    items: list[object] = []
    current = items
    stack = [items]

    def nest() -> None:
        nonlocal current
        child: list[object] = []
        current.append(child)
        current = child
        stack.append(child)

    is_digit = False
    start = 0
    for index, char in enumerate(version):
        if char in ".-":
            current.append(0 if index == start else _item(is_digit, version[start:index]))
            start = index + 1
            if char == "-":
                nest()
        elif char.isdecimal():
            if not is_digit and index > start:
                if current:  # MNG-7644: 1.0.0.X1 < 1.0.0-X2, a word after a dot is a sub-list
                    nest()
                current.append(_word(version[start:index], followed_by_digit=True))
                start = index
                nest()
            is_digit = True
        else:
            if is_digit and index > start:
                current.append(int(version[start:index]))
                start = index
                nest()
            is_digit = False
    if len(version) > start:
        if not is_digit and current:  # MNG-7644: treat .X as -X
            nest()
        current.append(_item(is_digit, version[start:]))
    while stack:
        _normalize(stack.pop())
    return _freeze(items)


def canonical(items: tuple[Item, ...]) -> str:
    """Maven's canonical text of an item tree (``1-alpha-1`` for ``1.0a1``)."""
    parts: list[str] = []
    for item in items:
        text = canonical(item) if isinstance(item, tuple) else str(item)
        if parts:
            parts.append("-" if isinstance(item, tuple) else ".")
        parts.append(text)
    return "".join(parts)


@total_ordering
class MavenKey:
    """A parsed Maven version; equal keys have the same item tree, so hashing is exact."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[Item, ...]) -> None:
        self.items = items

    def compare(self, other: MavenKey) -> int:
        """-1, 0 or 1 as this version sorts before, equal to or after ``other``."""
        return _compare(self.items, other.items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MavenKey):
            return NotImplemented
        return self.items == other.items

    def __lt__(self, other: MavenKey) -> bool:
        return _compare(self.items, other.items) < 0

    def __hash__(self) -> int:
        return hash(self.items)

    def __repr__(self) -> str:
        return f"MavenKey({canonical(self.items)!r})"


class MavenScheme(KeyedScheme):
    """Maven 3.9 ``ComparableVersion`` ordering (see the module docstring)."""

    name = "Maven"

    def parse(self, text: str) -> MavenKey:
        if not text or _REJECT.search(text):
            raise self.invalid(text, "not a concrete Maven version")
        return MavenKey(parse_items(text))

    def compare(self, a: str, b: str) -> int:
        return self.parse(a).compare(self.parse(b))
