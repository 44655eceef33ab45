"""Whether a package version is affected by an OSV ``affected[]`` entry, and what fixes it.

Evaluation follows the OSV schema (https://ossf.github.io/osv-schema/#evaluation):

- a version listed in ``versions`` is affected (same text, or equal by the ecosystem's
  scheme: ``1.0`` matches ``1.0.0`` on PyPI);
- each ``SEMVER`` or ``ECOSYSTEM`` range is walked in version order, ``introduced: "0"``
  first: ``introduced`` opens an affected interval at its version, ``fixed`` closes it
  before its version, ``last_affected`` closes it after its version; a range may hold
  several intervals, and one without a closing event stays open;
- if a range has ``limit`` events, only versions below one of them can be affected by it
  (a limit containing ``*`` is no limit);
- ``SEMVER`` ranges compare with SemVer precedence (a leading ``v`` is accepted; Go's rules
  for the Go ecosystem), ``ECOSYSTEM`` ranges with the component ecosystem's scheme.

What cannot be evaluated is said, never guessed: ``GIT`` ranges need the repository's commit
graph and are reported as skipped in :attr:`AffectedResult.notes`; an event whose version
does not parse is ignored with a note (dropping a ``fixed`` event leaves its interval open,
the cautious reading). A component version the scheme cannot parse raises
:class:`InvalidVersion` for the caller to report.

Entries are prepared once (events parsed and sorted) and cached by object identity, and
parsed versions are memoized, so matching many components against many advisories stays
cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from lockgate.advisories.model import Affected, Range
from lockgate.advisories.versions import InvalidVersion, VersionScheme, cached_parse, scheme_for

__all__ = [
    "AffectedResult",
    "PreparedAffected",
    "fixed_versions",
    "is_affected",
    "prepare",
    "smallest_fix",
]

_INTRODUCED, _FIXED, _LAST_AFFECTED = 0, 1, 2
_EVENT_CODES = {"introduced": _INTRODUCED, "fixed": _FIXED, "last_affected": _LAST_AFFECTED}


@dataclass(frozen=True, kw_only=True, slots=True)
class AffectedResult:
    """The verdict for one version against one ``affected[]`` entry.

    ``affected`` is the answer; ``evaluated`` is False when nothing in the entry could be
    checked (only GIT ranges, say), so "not affected" means "unknown"; ``matched_by`` says
    what matched (``versions``, ``ECOSYSTEM range``, ``SEMVER range``); ``notes`` lists what
    was skipped and why. The result is truthy exactly when the version is affected.
    """

    affected: bool
    evaluated: bool = True
    matched_by: str = ""
    notes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.affected


@dataclass(frozen=True, slots=True)
class _PreparedRange:
    """One SEMVER/ECOSYSTEM range with its events parsed and sorted."""

    type: str
    scheme: VersionScheme
    #: (event code, key or None for introduced "0", original text), in version order.
    events: tuple[tuple[int, Any, str], ...]
    #: Keys of the limit events; None when the range has no (finite) limit.
    limits: tuple[Any, ...] | None
    #: The verdict for a version inside the range (with the entry's notes).
    hit: AffectedResult

    def contains(self, key: Any) -> bool:
        """Whether the version with ``key`` (in this range's scheme) lies in the range."""
        limits = self.limits
        if limits is not None and not any(key < limit for limit in limits):
            return False
        affected = False
        for code, event_key, _text in self.events:
            if event_key is None:  # introduced "0": below every version
                affected = True
            elif key < event_key:
                break  # events are sorted: none of the rest applies either
            elif code == _INTRODUCED:
                affected = True
            elif code == _FIXED or event_key < key:
                affected = False
        return affected


@dataclass(frozen=True, slots=True)
class PreparedAffected:
    """An ``affected[]`` entry readied for repeated evaluation under one ecosystem scheme."""

    scheme: VersionScheme
    version_texts: frozenset[str]
    version_keys: frozenset[Any]
    ranges: tuple[_PreparedRange, ...]
    notes: tuple[str, ...]
    evaluated: bool
    #: The verdict for a version listed in ``versions``.
    listed: AffectedResult
    #: The verdict for a version nothing in the entry matches.
    miss: AffectedResult

    def evaluate(self, version: str, key: Any) -> AffectedResult:
        """The verdict for ``version`` whose key in :attr:`scheme` is ``key``."""
        if version in self.version_texts or key in self.version_keys:
            return self.listed
        skipped: list[str] = []
        for prepared in self.ranges:
            if prepared.scheme is self.scheme:
                range_key = key
            else:
                try:
                    range_key = cached_parse(prepared.scheme, version)
                except InvalidVersion:
                    skipped.append(
                        f"{prepared.type} range not evaluated: {version!r} is not a "
                        f"{prepared.scheme.name} version"
                    )
                    continue
            if prepared.contains(range_key):
                return _with_notes(prepared.hit, skipped) if skipped else prepared.hit
        if not skipped:
            return self.miss
        nothing_checked = not self.version_texts and len(skipped) == len(self.ranges)
        return AffectedResult(
            affected=False, evaluated=not nothing_checked, notes=self.notes + tuple(skipped)
        )


def _with_notes(result: AffectedResult, notes: list[str]) -> AffectedResult:
    return AffectedResult(
        affected=result.affected,
        evaluated=result.evaluated,
        matched_by=result.matched_by,
        notes=result.notes + tuple(notes),
    )


def _range_scheme(range_type: str, scheme: VersionScheme) -> VersionScheme:
    if range_type == "SEMVER":
        # Go's scheme is SemVer with Go's spelling (v prefix, toolchain tags); keep it.
        return scheme if scheme.name == "Go" else scheme_for("SEMVER")
    return scheme


def _prepare_range(
    index: int, osv_range: Range, scheme: VersionScheme, notes: list[str]
) -> _PreparedRange | None:
    range_type = osv_range.type.upper()
    where = f"range {index + 1} ({range_type})"
    if range_type == "GIT":
        notes.append(f"{where}: GIT range not evaluated (needs the repository's commit graph)")
        return None
    if range_type not in ("SEMVER", "ECOSYSTEM"):
        notes.append(f"{where}: unknown range type not evaluated")
        return None
    range_scheme = _range_scheme(range_type, scheme)
    events: list[tuple[int, Any, str]] = []
    limits: list[Any] = []
    unlimited = False
    for event in osv_range.events:
        if event.kind == "limit":
            if "*" in event.value:
                unlimited = True
                continue
            try:
                limits.append(cached_parse(range_scheme, event.value))
            except InvalidVersion:
                notes.append(f"{where}: limit {event.value!r} ignored, not a valid version")
            continue
        code = _EVENT_CODES.get(event.kind)
        if code is None:
            notes.append(f"{where}: unknown event {event.kind!r} ignored")
            continue
        if code == _INTRODUCED and event.value == "0":
            events.append((code, None, event.value))
            continue
        try:
            events.append((code, cached_parse(range_scheme, event.value), event.value))
        except InvalidVersion:
            notes.append(f"{where}: {event.kind} {event.value!r} ignored, not a valid version")
    # Stable sort: events at equal versions keep the record's order.
    events.sort(key=lambda event: (0,) if event[1] is None else (1, event[1]))
    return _PreparedRange(
        type=range_type,
        scheme=range_scheme,
        events=tuple(events),
        limits=None if unlimited or not limits else tuple(limits),
        hit=AffectedResult(affected=True, matched_by=f"{range_type} range"),
    )


def _build(scheme: VersionScheme, affected: Affected) -> PreparedAffected:
    notes: list[str] = []
    keys: set[Any] = set()
    for text in affected.versions:
        try:
            keys.add(cached_parse(scheme, text))
        except InvalidVersion:
            notes.append(f"versions: {text!r} matches only as exact text, not a valid version")
    ranges = [
        prepared
        for index, osv_range in enumerate(affected.ranges)
        if (prepared := _prepare_range(index, osv_range, scheme, notes)) is not None
    ]
    frozen_notes = tuple(notes)
    if frozen_notes:
        ranges = [replace(r, hit=replace(r.hit, notes=frozen_notes)) for r in ranges]
    evaluated = bool(affected.versions) or bool(ranges)
    return PreparedAffected(
        scheme=scheme,
        version_texts=frozenset(affected.versions),
        version_keys=frozenset(keys),
        ranges=tuple(ranges),
        notes=frozen_notes,
        evaluated=evaluated,
        listed=AffectedResult(affected=True, matched_by="versions", notes=frozen_notes),
        miss=AffectedResult(affected=False, evaluated=evaluated, notes=frozen_notes),
    )


_PREPARED: dict[tuple[str, int], tuple[Affected, PreparedAffected]] = {}
_PREPARED_MAX = 1 << 17


def prepare(ecosystem: str, affected: Affected) -> PreparedAffected:
    """``affected`` parsed and sorted for ``ecosystem``'s scheme, cached per object."""
    cache_key = (ecosystem, id(affected))
    entry = _PREPARED.get(cache_key)
    if entry is not None and entry[0] is affected:
        return entry[1]
    prepared = _build(scheme_for(ecosystem), affected)
    if len(_PREPARED) >= _PREPARED_MAX:
        _PREPARED.clear()
    _PREPARED[cache_key] = (affected, prepared)
    return prepared


def is_affected(ecosystem: str, version: str, affected: Affected) -> AffectedResult:
    """Whether ``version`` of a package in ``ecosystem`` is affected by the entry.

    Raises :class:`InvalidVersion` when ``version`` is not a version of that ecosystem.
    """
    scheme = scheme_for(ecosystem)
    key = cached_parse(scheme, version)
    return prepare(ecosystem, affected).evaluate(version, key)


def fixed_versions(ecosystem: str, version: str, affected: Affected) -> tuple[str, ...]:
    """The entry's ``fixed`` versions above ``version``, ascending, without duplicates.

    Fixed versions that are not valid in ``ecosystem``'s scheme (possible in SEMVER ranges
    of non-SemVer ecosystems) are left out, since they cannot be offered as an upgrade.
    """
    scheme = scheme_for(ecosystem)
    key = cached_parse(scheme, version)
    found: dict[Any, str] = {}
    for prepared in prepare(ecosystem, affected).ranges:
        for code, event_key, text in prepared.events:
            if code != _FIXED:
                continue
            try:
                fix_key = event_key if prepared.scheme is scheme else cached_parse(scheme, text)
            except InvalidVersion:
                continue
            if key < fix_key:
                found.setdefault(fix_key, text)
    return tuple(found[fix_key] for fix_key in sorted(found))


def smallest_fix(ecosystem: str, version: str, affecteds: Iterable[Affected]) -> str | None:
    """The smallest ``fixed`` version above ``version`` that no given entry affects.

    Candidates are the entries' own ``fixed`` events; None when none of them is clear of
    every entry (no fix yet, or fixes only on other branches).
    """
    entries = tuple(affecteds)
    scheme = scheme_for(ecosystem)
    candidates: dict[Any, str] = {}
    for entry in entries:
        for text in fixed_versions(ecosystem, version, entry):
            candidates.setdefault(cached_parse(scheme, text), text)
    for candidate_key in sorted(candidates):
        text = candidates[candidate_key]
        if not any(prepare(ecosystem, entry).evaluate(text, candidate_key) for entry in entries):
            return text
    return None
