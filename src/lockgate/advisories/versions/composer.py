"""Packagist (Composer) versions, ordered as Composer orders them.

Composer first normalizes a version (``VersionParser::normalize``) and then compares the
normalized strings with PHP's ``version_compare``; this scheme does both:

- a leading ``v`` is dropped, the numbers are padded to four (``1.2`` is ``1.2.0.0``),
  build metadata (``+…``) is dropped, date versions (``20240131``) are kept as they are;
- stability suffixes are ``-dev``, ``alpha``/``a``, ``beta``/``b``, ``RC``, ``stable``,
  ``patch``/``pl``/``p``, with or without a separator and number (``1.0.0-beta2``,
  ``1.0RC1``, ``1.0.0-p1``), and order ``dev < alpha < beta < RC < stable < patch``;
- ``1.0.x-dev`` style branches are ``1.0.9999999.9999999-dev``, as Composer reads them.

Named branches (``dev-main``, ``master``, ``dev-feature/x``) are not versions and have no
order: they raise :class:`InvalidVersion`, as does anything Composer would reject.
"""

from __future__ import annotations

import re
from typing import Any

from lockgate.advisories.versions.interface import KeyedScheme

_MODIFIER = r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?"
_CLASSICAL = re.compile(
    rf"v?(\d{{1,5}}+)(\.\d++)?(\.\d++)?(\.\d++)?{_MODIFIER}", re.IGNORECASE | re.ASCII
)
_DATE = re.compile(
    rf"v?(\d{{4}}(?:[.:-]?\d{{2}}){{1,6}}(?:[.:-]?\d{{1,3}}){{0,2}}){_MODIFIER}",
    re.IGNORECASE | re.ASCII,
)
_BRANCH = re.compile(r"v?(\d++)(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?")
_DEV_SUFFIX = re.compile(r"(.*?)[.-]?dev", re.IGNORECASE)
_ALIAS = re.compile(r"([^,\s]++) ++as ++[^,\s]++")
_STABILITY_FLAG = re.compile(r"@(?:stable|RC|beta|alpha|dev)$", re.IGNORECASE)
_BUILD = re.compile(r"([^,\s+]++)\+\S++")

_STABILITIES = {"a": "alpha", "b": "beta", "p": "patch", "pl": "patch", "rc": "RC"}

# PHP version_compare's special forms, matched by prefix in this order.
_SPECIAL_FORMS = (
    ("dev", 0),
    ("alpha", 1),
    ("a", 1),
    ("beta", 2),
    ("b", 2),
    ("RC", 3),
    ("rc", 3),
    ("#", 4),
    ("pl", 5),
    ("p", 5),
)
_NUMBER_FORM = 4
#: What a version that has run out of parts compares as (PHP's "#N#"): below any number,
#: above dev/alpha/beta/RC, below patch.
_END = (_NUMBER_FORM, -1)
_PART = re.compile(r"\d+|[^\d.]+", re.ASCII)


def _expand_stability(stability: str) -> str:
    lowered = stability.lower()
    return _STABILITIES.get(lowered, lowered)


def _special_form(part: str) -> int:
    for name, order in _SPECIAL_FORMS:
        if part.startswith(name):
            return order
    return -1


def _version_compare_key(normalized: str) -> tuple[Any, ...]:
    """A key whose tuple order is PHP's ``version_compare`` on normalized strings."""
    canonical = re.sub(r"[-_+]", ".", normalized)
    key: list[tuple[int, int]] = []
    for part in _PART.findall(canonical):
        if part.isdigit():
            key.append((_NUMBER_FORM, int(part)))
        else:
            key.append((_special_form(part), 0))
    key.append(_END)
    return tuple(key)


class ComposerScheme(KeyedScheme):
    """Composer normalization plus PHP ``version_compare`` (see the module docstring)."""

    name = "Packagist"

    def normalize(self, text: str) -> str:
        """Composer's normalized form (``1.0.0.0-beta2``), or :class:`InvalidVersion`."""
        version = text.strip()
        alias = _ALIAS.fullmatch(version)
        if alias is not None:
            version = alias[1]
        version = _STABILITY_FLAG.sub("", version)
        if version in ("master", "trunk", "default") or version.lower().startswith("dev-"):
            raise self.invalid(text, "a branch name, not a comparable version")
        build = _BUILD.fullmatch(version)
        if build is not None:
            version = build[1]
        classical = _CLASSICAL.fullmatch(version)
        if classical is not None:
            numbers = classical[1] + "".join(classical[i] or ".0" for i in (2, 3, 4))
            return self._with_modifiers(numbers, classical, 5)
        date = _DATE.fullmatch(version)
        if date is not None:
            return self._with_modifiers(re.sub(r"\D", ".", date[1]), date, 2)
        dev = _DEV_SUFFIX.fullmatch(version)
        if dev is not None:
            branch = _BRANCH.fullmatch(dev[1])
            if branch is not None:
                parts = [branch[1]] + [
                    (branch[i] or ".x").replace("*", "x").replace("X", "x") for i in (2, 3, 4)
                ]
                return ("".join(parts)).replace("x", "9999999") + "-dev"
        raise self.invalid(text, "not a Composer version")

    @staticmethod
    def _with_modifiers(numbers: str, match: re.Match[str], index: int) -> str:
        version = numbers
        stability = match[index]
        if stability:
            if stability == "stable":
                return version
            suffix = (match[index + 1] or "").lstrip(".-")
            version += "-" + _expand_stability(stability) + suffix
        if match[index + 2]:
            version += "-dev"
        return version

    def parse(self, text: str) -> tuple[Any, ...]:
        return _version_compare_key(self.normalize(text))
