"""Match components against advisories with each ecosystem's own version semantics.

One match per (component, canonical advisory): the database merges aliases, so a
vulnerability published as GHSA, CVE and PYSEC records is one match listing all its ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from lockgate.advisories.model import Advisory, Affected
from lockgate.advisories.ranges import fixed_versions, is_affected, smallest_fix
from lockgate.advisories.versions import InvalidVersion
from lockgate.model import Component, SkippedItem, SkipReason
from lockgate.model.ecosystems import GO, normalize_name

Lookup = Callable[[str, str], Sequence[Advisory]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Match:
    """A component affected by an advisory, with the versions that fix it."""

    component: Component
    advisory: Advisory
    fixed: tuple[str, ...] = ()
    fix: str | None = None
    notes: tuple[str, ...] = ()
    informational: str | None = None
    """Set when every matching entry is a RustSec informational notice (unmaintained,
    unsound, notice) rather than a vulnerability."""


def entries_for(advisory: Advisory, ecosystem: str, name: str) -> list[Affected]:
    """The advisory's ``affected`` entries about this package."""
    wanted = normalize_name(ecosystem, name)
    return [
        entry
        for entry in advisory.affected
        if entry.ecosystem == ecosystem and normalize_name(ecosystem, entry.name) == wanted
    ]


def match_component(component: Component, lookup: Lookup) -> tuple[list[Match], SkippedItem | None]:
    """The advisories affecting one component; a skipped item when its version can't be
    compared (the component is then not matched, and the report says so)."""
    ecosystem, version = component.ecosystem, component.version
    if not ecosystem or not version:
        return [], None
    matches: list[Match] = []
    for advisory in lookup(ecosystem, component.name):
        entries = entries_for(advisory, ecosystem, component.name)
        if not entries:
            continue
        notes: list[str] = []
        hit: list[Affected] = []
        try:
            for entry in entries:
                result = is_affected(ecosystem, version, entry)
                notes.extend(result.notes)
                if result.affected:
                    hit.append(entry)
            if not hit:
                continue
            fixed = sorted_unique(
                _spelled(ecosystem, version, v)
                for e in hit
                for v in fixed_versions(ecosystem, version, e)
            )
            fix = smallest_fix(ecosystem, version, hit)
            fix = _spelled(ecosystem, version, fix) if fix else None
        except InvalidVersion as exc:
            where = component.manifest.path if component.manifest else component.purl
            return [], SkippedItem(
                path=where,
                reason=SkipReason.UNSUPPORTED,
                detail=f"{component.name} {version}: not a valid {ecosystem} version, "
                f"not matched against advisories ({exc})",
            )
        matches.append(
            Match(
                component=component,
                advisory=advisory,
                fixed=fixed,
                fix=fix,
                notes=tuple(dict.fromkeys(notes)),
                informational=hit[0].informational if all(e.informational for e in hit) else None,
            )
        )
    return matches, None


def _spelled(ecosystem: str, installed: str, version: str) -> str:
    """A fix version spelled like the installed one (Go: OSV data drops the ``v``)."""
    if ecosystem == GO and installed.startswith("v") and not version.startswith("v"):
        return "v" + version
    return version


def sorted_unique(values: Iterable[str]) -> tuple[str, ...]:
    """Values in first-seen order without duplicates (ranges give them ascending)."""
    return tuple(dict.fromkeys(values))
