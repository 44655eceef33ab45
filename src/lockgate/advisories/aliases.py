"""One vulnerability, one identifier: choosing the canonical id among aliases and merging the
records that describe the same vulnerability of the same package.

OSV aliases are symmetric and transitive: records whose ids and ``aliases`` connect (directly
or through a shared alias such as one CVE) describe one vulnerability. For one package,
:func:`merge_aliases` turns every such group into a single :class:`Advisory`.

The canonical id of a group is chosen from **every** identifier the group knows (record ids
and their aliases, whether or not a record with that id was imported), so it does not move
when another database's record for the same vulnerability is imported later; it feeds
finding fingerprints, which must stay stable. Preference, first match wins:

1. the id of the package ecosystem's own advisory database: ``PYSEC`` for PyPI, ``GO`` for
   Go, ``RUSTSEC`` for crates.io (the ids pip-audit, govulncheck and cargo-audit show);
2. ``GHSA`` (GitHub's database covers every other supported ecosystem);
3. any other database id (``OSV``, ``MAL``, ``EEF``, ...);
4. ``CVE`` last: it names an upstream catalogue entry, not a package advisory, and is often
   assigned after the advisory was published.

Ties within a rank go to the smallest id as a string, so the choice never depends on the
order records were imported in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from lockgate.advisories.model import Advisory
from lockgate.advisories.osv import timestamp_key
from lockgate.model.ecosystems import CRATES_IO, GO, PYPI

#: The advisory database each ecosystem calls its own (id prefix).
HOME_DATABASE = {PYPI: "PYSEC", GO: "GO", CRATES_IO: "RUSTSEC"}

_T = TypeVar("_T")


def id_rank(identifier: str, ecosystem: str | None = None) -> tuple[int, str]:
    """Sort key of ``identifier`` under the canonical-id preference (lowest wins)."""
    prefix = identifier.partition("-")[0].upper()
    if ecosystem is not None and prefix == HOME_DATABASE.get(ecosystem):
        rank = 0
    elif prefix == "GHSA":
        rank = 1
    elif prefix == "CVE":
        rank = 3
    else:
        rank = 2
    return rank, identifier


def preferred_id(identifiers: Iterable[str], ecosystem: str | None = None) -> str:
    """The canonical one of ``identifiers`` (see the module documentation)."""
    return min(identifiers, key=lambda identifier: id_rank(identifier, ecosystem))


def canonical_id(advisory: Advisory, ecosystem: str | None = None) -> str:
    """The id findings about ``advisory`` are reported and fingerprinted under, chosen among
    its id and aliases; ``ecosystem`` defaults to the one all its packages share."""
    if ecosystem is None:
        ecosystems = {affected.ecosystem for affected in advisory.affected}
        ecosystem = ecosystems.pop() if len(ecosystems) == 1 else None
    return preferred_id((advisory.id, *advisory.aliases), ecosystem)


def merge_aliases(advisories: Sequence[Advisory], ecosystem: str | None) -> list[Advisory]:
    """``advisories`` (all about one package) with every group of aliasing records merged
    into one advisory under its canonical id, sorted by that id.

    The merged advisory's aliases are the union of the group's identifiers (without the
    canonical one); its ``affected`` entries are the union of the group's, so a version any
    record calls affected stays affected. Text fields come from the record whose id is
    preferred, falling back to the others when it has none.
    """
    parent: dict[str, str] = {}

    def find(identifier: str) -> str:
        root = parent.setdefault(identifier, identifier)
        while root != parent[root]:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    for advisory in advisories:
        for alias in advisory.aliases:
            first, second = find(advisory.id), find(alias)
            if first != second:
                parent[second] = first
    groups: dict[str, list[Advisory]] = {}
    for advisory in advisories:
        groups.setdefault(find(advisory.id), []).append(advisory)
    merged = [_merge(group, ecosystem) for group in groups.values()]
    return sorted(merged, key=lambda advisory: advisory.id)


def _merge(group: list[Advisory], ecosystem: str | None) -> Advisory:
    identifiers = {identifier for record in group for identifier in (record.id, *record.aliases)}
    canonical = preferred_id(identifiers, ecosystem)
    if len(group) == 1 and group[0].id == canonical:
        return group[0]
    records = sorted(group, key=lambda record: id_rank(record.id, ecosystem))
    primary = records[0]
    published = [record.published for record in records if record.published]
    newest = max(records, key=lambda record: timestamp_key(record.modified) or "")
    related = {identifier for record in records for identifier in record.related}
    return Advisory(
        id=canonical,
        modified=newest.modified,
        aliases=tuple(sorted(identifiers - {canonical})),
        related=tuple(sorted(related - identifiers)),
        summary=_first(record.summary for record in records),
        details=_first(record.details for record in records),
        published=min(published, key=lambda value: timestamp_key(value) or value)
        if published
        else None,
        withdrawn=None,
        severity=_union(record.severity for record in records),
        database_severity=_first(record.database_severity or "" for record in records) or None,
        cwes=tuple(sorted({cwe for record in records for cwe in record.cwes})),
        references=_union(record.references for record in records),
        affected=_union(record.affected for record in records),
        source=primary.source
        if len(records) == 1
        else ", ".join(dict.fromkeys(record.source for record in records if record.source)),
    )


def _first(values: Iterable[str]) -> str:
    return next((value for value in values if value), "")


def _union(groups: Iterable[tuple[_T, ...]]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))
