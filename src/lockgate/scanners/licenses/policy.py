"""The license policy of ``[controls.licenses]``: which licenses are denied, which need a
review, which are allowed, and how unrecognised licenses are reported.

Options (every one optional):

- ``allow``: SPDX ids or globs. When set, any other license is ``licenses/not-allowed``.
- ``deny``: SPDX ids or globs that are ``licenses/denied``.
- ``review``: SPDX ids or globs that are ``licenses/review``.
- ``deny_categories``: categories that are denied (default: none).
- ``review_categories``: categories that need a review (default: strong-copyleft,
  network-copyleft and proprietary).
- ``unknown``: the severity of ``licenses/unknown`` (default LOW; "none" to stay silent).

Entries are matched case-insensitively against each license of an expression (with its
exception, ``GPL-2.0-only WITH Classpath-exception-2.0``, and without it). A bare GNU id
that says neither "only" nor "or later" (``GPL-3.0``) stands for both. Explicit entries win
over categories: deny over review over allow. An expression that offers a choice (``OR``)
is judged by its best option; one that combines licenses (``AND``) by its worst part.
"""

from __future__ import annotations

import difflib
import enum
import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lockgate.inventory.licenses import (
    LicenseNode,
    LicenseTerm,
    alternatives,
    known_license_ids,
    normalize_license,
)
from lockgate.model import Severity
from lockgate.scanners.licenses.categories import LicenseCategory, term_category, terms_category

OPTION_NAMES = frozenset(
    {"allow", "deny", "review", "deny_categories", "review_categories", "unknown", "sbom"}
)
COMMON_OPTIONS = frozenset({"enabled", "timeout"})
"""Keys every ``[controls.<id>]`` table may hold; the engine consumes them."""
DEFAULT_REVIEW_CATEGORIES = frozenset(
    {
        LicenseCategory.STRONG_COPYLEFT,
        LicenseCategory.NETWORK_COPYLEFT,
        LicenseCategory.PROPRIETARY,
    }
)
_SECTION = "[controls.licenses]"
_GLOB = frozenset("*?[")
_NEVER = frozenset({"none", "never", "off"})


class PolicyOptionError(ValueError):
    """An option of ``[controls.licenses]`` that is unknown or has a bad value."""


class Outcome(enum.IntEnum):
    """How the policy treats a license, from fine to worst."""

    OK = 0
    UNKNOWN = 1
    REVIEW = 2
    NOT_ALLOWED = 3
    DENIED = 4


@dataclass(frozen=True, slots=True)
class Judgement:
    """The outcome for an expression, the licenses it was decided on and why."""

    outcome: Outcome
    reason: str
    terms: tuple[LicenseTerm, ...]
    category: LicenseCategory


@dataclass(frozen=True, slots=True)
class _Pattern:
    text: str
    """As the user wrote it (for messages)."""
    glob: str
    """Lower-cased pattern matched against lower-cased license text."""

    def matches(self, license_text: str) -> bool:
        return fnmatch.fnmatchcase(license_text, self.glob)


def _close(word: str) -> str:
    ids = {i.lower(): i for i in known_license_ids()}
    found = difflib.get_close_matches(word.lower(), list(ids), n=1, cutoff=0.6)
    return f" (did you mean {ids[found[0]]!r}?)" if found else ""


def _pattern(option: str, entry: object) -> _Pattern:
    if not isinstance(entry, str) or not entry.strip():
        raise PolicyOptionError(
            f"{_SECTION} {option}: entries must be SPDX license ids or globs, not {entry!r}"
        )
    text = entry.strip()
    if _GLOB & set(text) or text.startswith(("LicenseRef-", "DocumentRef-")):
        return _Pattern(text, text.lower())
    normal = normalize_license(text)
    tree = normal.tree
    if not normal.known or not isinstance(tree, LicenseTerm):
        what = "a single license" if normal.known else "an SPDX license id"
        raise PolicyOptionError(
            f"{_SECTION} {option}: {text!r} is not {what}{_close(text)}; "
            "write SPDX ids ('GPL-3.0-only', 'LicenseRef-…') or globs ('GPL-*')"
        )
    if normal.approximate:
        raise PolicyOptionError(
            f"{_SECTION} {option}: {text!r} is ambiguous (it could mean several licenses); "
            f"write an SPDX id such as {str(tree)!r} or a glob such as '{text.split()[0]}-*'"
        )
    spelled = str(tree)
    if spelled.endswith("-only") and "only" not in text.lower():
        # A bare deprecated GNU id ("GPL-3.0") says neither only nor or-later: both.
        return _Pattern(text, spelled.removesuffix("only").lower() + "*")
    return _Pattern(text, spelled.lower())


def _patterns(options: Mapping[str, Any], option: str) -> tuple[_Pattern, ...]:
    value = options.get(option, [])
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        raise PolicyOptionError(
            f"{_SECTION} {option} must be a list of SPDX license ids or globs, not {value!r}"
        )
    return tuple(_pattern(option, v) for v in value)


def _categories(
    options: Mapping[str, Any], option: str, default: frozenset[LicenseCategory]
) -> frozenset[LicenseCategory]:
    if option not in options:
        return default
    value = options[option]
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        raise PolicyOptionError(f"{_SECTION} {option} must be a list of categories, not {value!r}")
    found = set()
    for item in value:
        try:
            found.add(LicenseCategory.parse(str(item)))
        except ValueError as exc:
            raise PolicyOptionError(f"{_SECTION} {option}: {exc}") from None
    return frozenset(found)


def _severity(options: Mapping[str, Any]) -> Severity | None:
    value = options.get("unknown", "LOW")
    if not isinstance(value, str):
        raise PolicyOptionError(f"{_SECTION} unknown must be a severity name, not {value!r}")
    if value.strip().lower() in _NEVER:
        return None
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise PolicyOptionError(f"{_SECTION} unknown: {exc} or 'none'") from None


@dataclass(frozen=True, kw_only=True)
class LicensePolicy:
    """What the license control reports; built from ``[controls.licenses]``."""

    allow: tuple[_Pattern, ...] = ()
    deny: tuple[_Pattern, ...] = ()
    review: tuple[_Pattern, ...] = ()
    deny_categories: frozenset[LicenseCategory] = frozenset()
    review_categories: frozenset[LicenseCategory] = DEFAULT_REVIEW_CATEGORIES
    unknown: Severity | None = Severity.LOW
    """Severity of unrecognised licenses; None reports none."""

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> LicensePolicy:
        """Validate the control's options; PolicyOptionError says which and why."""
        for key in options:
            if key not in OPTION_NAMES and key not in COMMON_OPTIONS:
                close = difflib.get_close_matches(key, sorted(OPTION_NAMES), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise PolicyOptionError(
                    f"{_SECTION} has no option {key!r}{hint}; "
                    f"options are {', '.join(sorted(OPTION_NAMES))}"
                )
        return cls(
            allow=_patterns(options, "allow"),
            deny=_patterns(options, "deny"),
            review=_patterns(options, "review"),
            deny_categories=_categories(options, "deny_categories", frozenset()),
            review_categories=_categories(options, "review_categories", DEFAULT_REVIEW_CATEGORIES),
            unknown=_severity(options),
        )

    def judge(self, tree: LicenseNode) -> Judgement:
        """The outcome of the best choice an expression offers (the first one on a tie)."""
        return min((self._judge_terms(t) for t in alternatives(tree)), key=lambda j: j.outcome)

    def _judge_terms(self, terms: tuple[LicenseTerm, ...]) -> Judgement:
        worst: tuple[Outcome, str] = (Outcome.OK, "allowed")
        for term in terms:
            outcome, reason = self._judge_term(term)
            if outcome > worst[0]:
                worst = (outcome, reason)
        return Judgement(
            outcome=worst[0], reason=worst[1], terms=terms, category=terms_category(terms)
        )

    def _judge_term(self, term: LicenseTerm) -> tuple[Outcome, str]:
        return self._by_entry(term) or self._by_category(term)

    def _by_entry(self, term: LicenseTerm) -> tuple[Outcome, str] | None:
        """Explicit entries: the full term (with its exception) first, then the license."""
        texts: Iterable[str] = (str(term), term.license) if term.exception else (str(term),)
        for text in texts:
            lowered = text.lower()
            for patterns, outcome, verb in (
                (self.deny, Outcome.DENIED, "denied"),
                (self.review, Outcome.REVIEW, "listed for review"),
                (self.allow, Outcome.OK, "allowed"),
            ):
                hit = next((p for p in patterns if p.matches(lowered)), None)
                if hit is not None:
                    return outcome, f"{term} is {verb} by the entry {hit.text!r}"
        return None

    def _by_category(self, term: LicenseTerm) -> tuple[Outcome, str]:
        category = term_category(term)
        if category in self.deny_categories:
            return Outcome.DENIED, f"{term} is {category}, a denied category"
        if category is LicenseCategory.UNKNOWN:
            if category in self.review_categories:
                return Outcome.REVIEW, f"the category of {term} is unknown"
            outcome = Outcome.OK if self.unknown is None else Outcome.UNKNOWN
            return outcome, f"the category of {term} is unknown"
        if self.allow:
            return Outcome.NOT_ALLOWED, f"{term} is not on the allow list"
        if category in self.review_categories:
            return Outcome.REVIEW, f"{term} is {category}, a category that needs review"
        return Outcome.OK, f"{term} is {category}"
