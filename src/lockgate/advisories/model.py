"""OSV advisory records as lockgate keeps them (https://ossf.github.io/osv-schema/).

Only the fields matching and reporting need are kept; ``raw`` is never stored here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """One OSV range event: ``introduced``, ``fixed``, ``last_affected`` or ``limit``."""

    kind: str
    value: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Range:
    """An OSV range: ``type`` is SEMVER, ECOSYSTEM or GIT; events in the record's order."""

    type: str
    events: tuple[Event, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Affected:
    """One ``affected[]`` entry for one package."""

    ecosystem: str  # OSV ecosystem without suffix ("Debian:11" -> "Debian")
    name: str  # as in the record
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()  # per-package (type, score) pairs
    informational: str | None = None
    """RustSec's informational class ("unmaintained", "unsound", "notice"): a warning about
    the package, not a vulnerability (``database_specific.informational``)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Advisory:
    """One OSV record."""

    id: str
    modified: str
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    published: str | None = None
    withdrawn: str | None = None
    severity: tuple[tuple[str, str], ...] = ()  # (type, score): ("CVSS_V3", "CVSS:3.1/…")
    database_severity: str | None = None  # database_specific.severity ("HIGH", "moderate")
    cwes: tuple[str, ...] = ()  # "CWE-79", from database_specific.cwe_ids
    references: tuple[str, ...] = ()
    affected: tuple[Affected, ...] = ()
    source: str = ""  # where it was imported from (file or archive member)
