"""License categories: what a license asks of a product that ships the licensed code.

The table is data (``categories.toml`` beside this module). For an expression, a choice
(``OR``) counts as its most permissive option and a combination (``AND``) as its most
restrictive part, so ``MIT OR GPL-3.0-only`` is permissive and ``MIT AND GPL-3.0-only``
strong copyleft.
"""

from __future__ import annotations

import enum
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from lockgate.inventory.licenses import LicenseNode, LicenseTerm


class LicenseCategory(enum.Enum):
    """From least to most restrictive; ``unknown`` ranks last (nothing can be assumed)."""

    PERMISSIVE = "permissive"
    WEAK_COPYLEFT = "weak-copyleft"
    STRONG_COPYLEFT = "strong-copyleft"
    NETWORK_COPYLEFT = "network-copyleft"
    PROPRIETARY = "proprietary"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> LicenseCategory:
        """The category named ``text`` (case-insensitive); ValueError lists the choices."""
        for member in cls:
            if member.value == text.strip().lower():
                return member
        raise ValueError(f"{text!r} is not a license category ({', '.join(cls.choices())})")

    @classmethod
    def choices(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)

    def __str__(self) -> str:
        return self.value


_RANK = {member: index for index, member in enumerate(LicenseCategory)}


@dataclass(frozen=True, slots=True)
class CategoryTable:
    """Lower-cased SPDX id -> category, and exception id -> the category it caps at."""

    licenses: Mapping[str, LicenseCategory]
    exceptions: Mapping[str, LicenseCategory]
    digest: str


@lru_cache(maxsize=1)
def category_table() -> CategoryTable:
    """The shipped table (``scanners/licenses/categories.toml``)."""
    data = (resources.files("lockgate.scanners.licenses") / "categories.toml").read_bytes()
    parsed: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
    licenses: dict[str, LicenseCategory] = {}
    for member in LicenseCategory:
        for spdx in parsed.get(member.value, ()):
            if spdx.lower() in licenses:
                raise ValueError(f"categories.toml lists {spdx} twice")
            licenses[spdx.lower()] = member
    exceptions = {
        name.lower(): LicenseCategory.parse(value)
        for name, value in parsed.get("exceptions", {}).items()
    }
    return CategoryTable(
        licenses=licenses, exceptions=exceptions, digest=hashlib.sha256(data).hexdigest()
    )


def term_category(term: LicenseTerm) -> LicenseCategory:
    """The category of one license, lowered by an exception that limits its copyleft."""
    table = category_table()
    category = table.licenses.get(term.license.lower(), LicenseCategory.UNKNOWN)
    if term.exception is not None and category is not LicenseCategory.UNKNOWN:
        cap = table.exceptions.get(term.exception.lower())
        if cap is not None and cap.rank < category.rank:
            return cap
    return category


def terms_category(terms: tuple[LicenseTerm, ...]) -> LicenseCategory:
    """The most restrictive category among licenses that apply together."""
    return max((term_category(t) for t in terms), key=lambda c: c.rank)


def expression_category(tree: LicenseNode) -> LicenseCategory:
    """OR takes the most permissive option, AND the most restrictive part."""
    if isinstance(tree, LicenseTerm):
        return term_category(tree)
    parts = (expression_category(item) for item in tree.items)
    pick = min if tree.operator == "OR" else max
    return pick(parts, key=lambda c: c.rank)
