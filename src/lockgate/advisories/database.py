"""The local advisory database: OSV records in one indexed SQLite file that scans query
offline.

Where it lives: :func:`default_database_path` (``$XDG_CACHE_HOME/lockgate/advisories.sqlite3``,
else ``~/.cache/lockgate/advisories.sqlite3``).

How it changes: never in place. An import copies the live file to a temporary file beside it,
writes there, and ``os.replace``-s the copy over the live file at the end, so a crash or an
error mid-import leaves the previous database whole, and scans that already opened the old
file keep reading a consistent snapshot. Scans open the file read-only (``mode=ro``).

What queries see: :meth:`AdvisoryDatabase.advisories_for` returns the non-withdrawn
advisories of one package, with records that alias each other merged into one advisory
under a canonical id (rules in :mod:`lockgate.advisories.aliases`). Withdrawn records are
kept, marked withdrawn, and never returned.

What reports record: :meth:`AdvisoryDatabase.digest`, a SHA-256 over the sorted
``(id, modified)`` pairs of every non-withdrawn record, so a decision can be replayed
against exactly the data it was made with.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lockgate.advisories.aliases import canonical_id, merge_aliases
from lockgate.advisories.errors import GET_DATA_HINT, AdvisoryDataError, AdvisoryError
from lockgate.advisories.model import Advisory, Affected, Event, Range
from lockgate.advisories.osv import timestamp_key
from lockgate.model.ecosystems import ECOSYSTEMS, normalize_name

__all__ = [
    "SCHEMA_VERSION",
    "AdvisoryDataError",
    "AdvisoryDatabase",
    "DatabaseStatus",
    "DatabaseWriter",
    "ImportStats",
    "SourceStatus",
    "canonical_ecosystem",
    "canonical_id",
    "default_database_path",
]

#: Bumped whenever the tables change; a file of another version must be re-imported.
SCHEMA_VERSION = 2

#: Records written per transaction step while importing (bounds memory on huge archives).
BATCH_SIZE = 500

_FILE_NAME = "advisories.sqlite3"
_CACHE_ENTRIES = 16384
_decode = json.JSONDecoder().decode
_ECOSYSTEM_BY_LOWER = {ecosystem.lower(): ecosystem for ecosystem in ECOSYSTEMS}

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE advisories (
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    modified_key TEXT NOT NULL,
    published TEXT,
    withdrawn TEXT,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    severity TEXT NOT NULL,
    database_severity TEXT,
    cwes TEXT NOT NULL,
    refs TEXT NOT NULL,
    aliases TEXT NOT NULL,
    related TEXT NOT NULL,
    source TEXT NOT NULL,
    source_name TEXT NOT NULL
);
CREATE TABLE aliases (
    advisory_id TEXT NOT NULL,
    alias TEXT NOT NULL,
    PRIMARY KEY (advisory_id, alias)
) WITHOUT ROWID;
CREATE INDEX aliases_by_alias ON aliases (alias, advisory_id);
CREATE TABLE affected (
    advisory_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    normalized_name TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (advisory_id, position)
) WITHOUT ROWID;
CREATE INDEX affected_by_package ON affected (ecosystem, normalized_name, advisory_id);
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    location TEXT,
    imported_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    record_count INTEGER NOT NULL,
    digest TEXT NOT NULL
) WITHOUT ROWID;
"""

# Both queries return one row per affected entry: the advisory's columns, then the entry's.
_FOR_PACKAGE = (
    "SELECT a.id, a.modified, a.published, a.summary, a.details, a.severity, "
    "a.database_severity, a.cwes, a.refs, a.aliases, a.related, a.source, "
    "f.ecosystem, f.name, f.data "
    "FROM affected f JOIN advisories a ON a.id = f.advisory_id "
    "WHERE f.ecosystem = ? AND f.normalized_name = ? AND a.withdrawn IS NULL "
    "ORDER BY f.advisory_id, f.position"
)
_BY_IDENTIFIER = (
    "SELECT a.id, a.modified, a.published, a.summary, a.details, a.severity, "
    "a.database_severity, a.cwes, a.refs, a.aliases, a.related, a.source, "
    "f.ecosystem, f.name, f.data "
    "FROM advisories a LEFT JOIN affected f ON f.advisory_id = a.id "
    "WHERE a.withdrawn IS NULL AND (a.id = ?1 OR a.id IN "
    "(SELECT advisory_id FROM aliases WHERE alias = ?1)) "
    "ORDER BY a.id, f.position"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportStats:
    """What one import did. ``imported`` counts ids new to the database, ``updated`` records
    that replaced an older ``modified``, ``unchanged`` records the database already had at
    the same or a newer ``modified``; ``withdrawn`` counts how many of the imported and
    updated records are withdrawn (stored, never matched); ``errors`` are the files that
    could not be read."""

    source_name: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    errors: tuple[AdvisoryError, ...] = ()
    seconds: float = 0.0
    digest: str | None = None  # the database digest once the import was committed

    @property
    def records(self) -> int:
        """Records read successfully."""
        return self.imported + self.updated + self.unchanged


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceStatus:
    """One source advisories came from, as of its last import."""

    name: str
    location: str | None
    imported_at: str
    etag: str | None
    last_modified: str | None
    record_count: int
    digest: str


@dataclass(frozen=True, kw_only=True, slots=True)
class DatabaseStatus:
    """What ``lockgate db status`` shows. Counts are of records (an alias pair counts two)."""

    path: str
    schema_version: int
    digest: str
    updated_at: str
    advisories: int
    withdrawn: int
    size_bytes: int
    ecosystems: tuple[tuple[str, int], ...]
    sources: tuple[SourceStatus, ...]


def default_database_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/lockgate/advisories.sqlite3``, else under ``~/.cache``."""
    env = os.environ if environ is None else environ
    cache = env.get("XDG_CACHE_HOME", "").strip()
    base = Path(cache) if cache and Path(cache).is_absolute() else Path.home() / ".cache"
    return base / "lockgate" / _FILE_NAME


def canonical_ecosystem(ecosystem: str) -> str:
    """The OSV spelling of a supported ecosystem whatever its case ("pypi" -> "PyPI")."""
    return _ECOSYSTEM_BY_LOWER.get(ecosystem.lower(), ecosystem)


class AdvisoryDatabase:
    """The advisory database stored at ``path`` (see the module documentation).

    Queries open the file read-only on first use and keep one connection (SQLite caches
    its prepared statements per connection) plus a bounded cache of answers; the object
    may be shared between threads. Call :meth:`close` (or use ``with``) when done.
    """

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._connection: sqlite3.Connection | None = None
        self._has_data = False
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str], tuple[Advisory, ...]] = OrderedDict()

    @property
    def path(self) -> Path:
        """Where the database file lives."""
        return self._path

    def __enter__(self) -> AdvisoryDatabase:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the read connection (a later query reopens the file, seeing new imports)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._cache.clear()

    # -- queries ---------------------------------------------------------------------------

    def advisories_for(self, ecosystem: str, name: str) -> list[Advisory]:
        """The advisories affecting package ``name`` of ``ecosystem`` (an OSV ecosystem name;
        the package name is normalised as lookups index it), aliases merged, sorted by id.
        Each advisory's ``affected`` holds only the entries for this package."""
        ecosystem = canonical_ecosystem(ecosystem)
        key = (ecosystem, normalize_name(ecosystem, name))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return list(cached)
            rows = self._connect().execute(_FOR_PACKAGE, key).fetchall()
            found = tuple(merge_aliases(_rebuild(rows), ecosystem)) if rows else ()
            self._cache[key] = found
            if len(self._cache) > _CACHE_ENTRIES:
                self._cache.popitem(last=False)
            return list(found)

    def lookup(self, identifier: str) -> list[Advisory]:
        """The non-withdrawn records whose id, or one of whose aliases, is ``identifier``
        (with every affected package), sorted by id; not merged."""
        with self._lock:
            rows = self._connect().execute(_BY_IDENTIFIER, (identifier.strip(),)).fetchall()
        return _rebuild(rows)

    def digest(self) -> str:
        """``sha256:<hex>`` over the ``(id, modified)`` of every non-withdrawn record: equal
        digests mean equal advisory data. Stored by each import, so this is cheap."""
        with self._lock:
            return _meta(self._connect()).get("digest", "")

    def status(self) -> DatabaseStatus:
        """Sources, counts, schema version and digest, as stored by the last import."""
        with self._lock:
            connection = self._connect()
            meta = _meta(connection)
            sources = _sources(connection)
        counts = json.loads(meta.get("ecosystems", "{}"))
        return DatabaseStatus(
            path=str(self._path),
            schema_version=int(meta["schema_version"]),
            digest=meta.get("digest", ""),
            updated_at=meta.get("updated_at", ""),
            advisories=int(meta.get("advisories", "0")),
            withdrawn=int(meta.get("withdrawn", "0")),
            size_bytes=self._path.stat().st_size,
            ecosystems=tuple(sorted((str(k), int(v)) for k, v in counts.items())),
            sources=tuple(sorted(sources.values(), key=lambda source: source.name)),
        )

    def sources(self) -> dict[str, SourceStatus]:
        """The recorded sources by name; empty when there is no usable database yet (an
        update then downloads everything unconditionally)."""
        try:
            with self._lock:
                return _sources(self._connect(require_data=False))
        except AdvisoryDataError:
            return {}

    # -- imports ---------------------------------------------------------------------------

    def import_records(
        self,
        records: Iterable[Advisory | AdvisoryError],
        *,
        source_name: str,
        source_url: str | None = None,
    ) -> ImportStats:
        """Import ``records`` (as :func:`lockgate.advisories.osv.iter_records` yields them)
        in one atomic step; see :meth:`DatabaseWriter.import_records`."""
        with self.writer() as writer:
            stats = writer.import_records(records, source_name=source_name, source_url=source_url)
        return replace(stats, digest=writer.digest)

    @contextlib.contextmanager
    def writer(self) -> Iterator[DatabaseWriter]:
        """A writable copy of the database; it replaces the live file when the block ends
        without an exception (and is discarded otherwise). Writers are serialised by a lock
        file beside the database."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with _exclusive_lock(self._path.with_name(self._path.name + ".lock")):
            handle, temporary = tempfile.mkstemp(
                prefix=f".{self._path.name}.", suffix=".importing", dir=self._path.parent
            )
            os.close(handle)
            work = Path(temporary)
            writer: DatabaseWriter | None = None
            try:
                writer = DatabaseWriter._open(work, self._path)
                yield writer
                if writer.changed:
                    writer._finish()
                    _durable_replace(work, self._path)
                else:
                    writer._abandon()
            finally:
                if writer is not None:
                    writer._abandon()
                work.unlink(missing_ok=True)
        self.close()

    # -- connection ------------------------------------------------------------------------

    def _connect(self, *, require_data: bool = True) -> sqlite3.Connection:
        if self._connection is None:
            connection = _open_read_only(self._path)
            self._has_data = int(_meta(connection).get("advisories", "0")) > 0
            self._connection = connection
        if require_data and not self._has_data:
            raise AdvisoryDataError(
                "the advisory database is empty", path=str(self._path), hint=GET_DATA_HINT
            )
        return self._connection


class DatabaseWriter:
    """A writable copy of the database (from :meth:`AdvisoryDatabase.writer`)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self._path = path
        self.changed = False
        self.digest: str | None = None

    @classmethod
    def _open(cls, work: Path, live: Path) -> DatabaseWriter:
        if live.exists() and _usable(live):
            shutil.copyfile(live, work)
            connection = sqlite3.connect(work, isolation_level=None)
        else:
            work.unlink(missing_ok=True)  # an old schema or a broken file: start afresh
            connection = sqlite3.connect(work, isolation_level=None)
            connection.executescript(_SCHEMA)
            connection.execute(
                "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        # The copy is thrown away on any failure, so it needs no journal of its own.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("BEGIN")
        return cls(connection, work)

    def source(self, name: str) -> SourceStatus | None:
        """What the database recorded about source ``name`` at its last import."""
        return _sources(self._db).get(name)

    def import_records(
        self,
        records: Iterable[Advisory | AdvisoryError],
        *,
        source_name: str,
        source_url: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> ImportStats:
        """Upsert ``records`` by id, keeping the one with the newest ``modified``, and record
        the source (``etag`` and ``last_modified`` are the HTTP validators of a download).
        Errors among ``records`` are counted and returned, never raised."""
        started = time.perf_counter()
        counts = {"imported": 0, "updated": 0, "unchanged": 0, "withdrawn": 0}
        errors: list[AdvisoryError] = []
        seen: dict[str, tuple[str, str]] = {}
        batch: dict[str, tuple[str, Advisory]] = {}
        for item in records:
            if isinstance(item, AdvisoryError):
                errors.append(item)
                continue
            key = timestamp_key(item.modified) or item.modified
            previous = batch.get(item.id)
            if previous is not None and previous[0] >= key:
                counts["unchanged"] += 1
                continue
            if previous is not None:
                counts["unchanged"] += 1  # the older copy read earlier in this batch
            batch[item.id] = (key, item)
            if item.id not in seen or seen[item.id][0] < key:
                seen[item.id] = (key, item.modified)
            if len(batch) >= BATCH_SIZE:
                self._flush(batch, source_name, counts)
                batch = {}
        self._flush(batch, source_name, counts)
        self._db.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                source_name,
                source_url,
                _now(),
                etag,
                last_modified,
                len(seen),
                _digest(sorted((ident, modified) for ident, (_, modified) in seen.items())),
            ),
        )
        self.changed = True
        return ImportStats(
            source_name=source_name,
            imported=counts["imported"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
            withdrawn=counts["withdrawn"],
            errors=tuple(errors),
            seconds=time.perf_counter() - started,
        )

    def _flush(
        self, batch: dict[str, tuple[str, Advisory]], source_name: str, counts: dict[str, int]
    ) -> None:
        if not batch:
            return
        ids = list(batch)
        marks = ",".join("?" * len(ids))
        stored = dict(
            self._db.execute(
                f"SELECT id, modified_key FROM advisories WHERE id IN ({marks})",  # noqa: S608
                ids,
            ).fetchall()
        )
        fresh: list[tuple[str, Advisory]] = []
        replaced: list[str] = []
        for identifier, (key, advisory) in batch.items():
            known = stored.get(identifier)
            if known is not None and known >= key:
                counts["unchanged"] += 1
                continue
            counts["updated" if known is not None else "imported"] += 1
            if advisory.withdrawn:
                counts["withdrawn"] += 1
            if known is not None:
                replaced.append(identifier)
            fresh.append((key, advisory))
        if replaced:
            marks = ",".join("?" * len(replaced))
            for table in ("affected", "aliases"):
                self._db.execute(
                    f"DELETE FROM {table} WHERE advisory_id IN ({marks})",  # noqa: S608
                    replaced,
                )
        self._db.executemany(
            "INSERT OR REPLACE INTO advisories VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (_advisory_row(key, advisory, source_name) for key, advisory in fresh),
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO aliases VALUES (?, ?)",
            ((advisory.id, alias) for _, advisory in fresh for alias in advisory.aliases),
        )
        self._db.executemany(
            "INSERT INTO affected VALUES (?, ?, ?, ?, ?, ?)",
            (
                row
                for _, advisory in fresh
                for position, affected in enumerate(advisory.affected)
                for row in [_affected_row(advisory.id, position, affected)]
            ),
        )

    def _finish(self) -> None:
        db = self._db
        digest = _digest(
            db.execute(
                "SELECT id, modified FROM advisories WHERE withdrawn IS NULL ORDER BY id"
            ).fetchall()
        )
        (live,) = db.execute("SELECT COUNT(*) FROM advisories WHERE withdrawn IS NULL").fetchone()
        (withdrawn,) = db.execute(
            "SELECT COUNT(*) FROM advisories WHERE withdrawn IS NOT NULL"
        ).fetchone()
        ecosystems = dict(
            db.execute(
                "SELECT f.ecosystem, COUNT(DISTINCT f.advisory_id) FROM affected f "
                "JOIN advisories a ON a.id = f.advisory_id WHERE a.withdrawn IS NULL "
                "GROUP BY f.ecosystem"
            ).fetchall()
        )
        db.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [
                ("digest", digest),
                ("updated_at", _now()),
                ("advisories", str(live)),
                ("withdrawn", str(withdrawn)),
                ("ecosystems", json.dumps(ecosystems, sort_keys=True)),
            ],
        )
        db.execute("COMMIT")
        (free,) = db.execute("PRAGMA freelist_count").fetchone()
        (pages,) = db.execute("PRAGMA page_count").fetchone()
        if free * 4 > pages:  # re-imports leave free pages behind; reclaim them when many
            db.execute("VACUUM")
        db.close()
        self.digest = digest

    def _abandon(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()


# -- rows -----------------------------------------------------------------------------------


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _advisory_row(key: str, advisory: Advisory, source_name: str) -> tuple[Any, ...]:
    return (
        advisory.id,
        advisory.modified,
        key,
        advisory.published,
        advisory.withdrawn,
        advisory.summary,
        advisory.details,
        _dumps(advisory.severity),
        advisory.database_severity,
        _dumps(advisory.cwes),
        _dumps(advisory.references),
        _dumps(advisory.aliases),
        _dumps(advisory.related),
        advisory.source,
        source_name,
    )


def _affected_row(identifier: str, position: int, affected: Affected) -> tuple[Any, ...]:
    ecosystem = canonical_ecosystem(affected.ecosystem)
    data: dict[str, Any] = {}
    if affected.ranges:
        data["r"] = [
            [entry.type, [[event.kind, event.value] for event in entry.events]]
            for entry in affected.ranges
        ]
    if affected.versions:
        data["v"] = affected.versions
    if affected.severity:
        data["s"] = affected.severity
    if affected.informational:
        data["i"] = affected.informational
    return (
        identifier,
        position,
        ecosystem,
        affected.name,
        normalize_name(ecosystem, affected.name),
        _dumps(data),
    )


def _rebuild(rows: list[tuple[Any, ...]]) -> list[Advisory]:
    """Advisories from query rows (one row per affected entry, grouped by id)."""
    advisories: list[Advisory] = []
    current: list[tuple[Any, ...]] = []
    for row in rows:
        if current and current[0][0] != row[0]:
            advisories.append(_advisory(current))
            current = []
        current.append(row)
    if current:
        advisories.append(_advisory(current))
    return advisories


def _advisory(rows: list[tuple[Any, ...]]) -> Advisory:
    first = rows[0]
    entries = [row for row in rows if row[12] is not None]
    # One JSON decode per advisory (five list columns plus each affected entry's data):
    # json.loads' per-call overhead dominated lookups when every column was decoded alone.
    decoded = _decode(
        f"[{first[5]},{first[7]},{first[8]},{first[9]},{first[10]}"
        + "".join(f",{row[14]}" for row in entries)
        + "]"
    )
    severity, cwes, references, aliases, related = decoded[:5]
    return Advisory(
        id=first[0],
        modified=first[1],
        aliases=tuple(aliases),
        related=tuple(related),
        summary=first[3],
        details=first[4],
        published=first[2],
        severity=tuple([(kind, score) for kind, score in severity]),
        database_severity=first[6],
        cwes=tuple(cwes),
        references=tuple(references),
        affected=tuple(
            [
                _affected(row[12], row[13], data)
                for row, data in zip(entries, decoded[5:], strict=True)
            ]
        ),
        source=first[11],
    )


def _affected(ecosystem: str, name: str, data: dict[str, Any]) -> Affected:
    return Affected(
        ecosystem=ecosystem,
        name=name,
        ranges=tuple(
            [
                Range(
                    type=kind,
                    events=tuple([Event(kind=event, value=value) for event, value in events]),
                )
                for kind, events in data.get("r", ())
            ]
        ),
        versions=tuple(data.get("v", ())),
        severity=tuple([(kind, score) for kind, score in data.get("s", ())]),
        informational=data.get("i"),
    )


# -- helpers --------------------------------------------------------------------------------


def _digest(pairs: Iterable[tuple[str, str]]) -> str:
    hasher = hashlib.sha256()
    for identifier, modified in pairs:
        hasher.update(f"{identifier}\t{modified}\n".encode())
    return f"sha256:{hasher.hexdigest()}"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _meta(connection: sqlite3.Connection) -> dict[str, str]:
    return dict(connection.execute("SELECT key, value FROM meta").fetchall())


def _sources(connection: sqlite3.Connection) -> dict[str, SourceStatus]:
    rows = connection.execute(
        "SELECT name, location, imported_at, etag, last_modified, record_count, digest FROM sources"
    ).fetchall()
    return {
        row[0]: SourceStatus(
            name=row[0],
            location=row[1],
            imported_at=row[2],
            etag=row[3],
            last_modified=row[4],
            record_count=row[5],
            digest=row[6],
        )
        for row in rows
    }


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a database of this schema version, or AdvisoryDataError."""
    if not path.is_file():
        raise AdvisoryDataError("no advisory database here yet", path=str(path), hint=GET_DATA_HINT)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        version = connection.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()
    except sqlite3.Error as exc:
        raise AdvisoryDataError(
            f"not a lockgate advisory database ({exc})",
            path=str(path),
            hint=f"delete it, then {GET_DATA_HINT}",
        ) from exc
    if version is None or version[0] != str(SCHEMA_VERSION):
        connection.close()
        found = "no schema version" if version is None else f"schema version {version[0]}"
        raise AdvisoryDataError(
            f"the advisory database has {found}; this lockgate reads schema version "
            f"{SCHEMA_VERSION}",
            path=str(path),
            hint="re-import it: 'lockgate db update' or 'lockgate db import PATH' "
            "rebuilds the file",
        )
    return connection


def _usable(path: Path) -> bool:
    """Whether ``path`` is a database of this schema version an import can build on."""
    try:
        _open_read_only(path).close()
    except AdvisoryDataError:
        return False
    return True


def _durable_replace(work: Path, live: Path) -> None:
    with work.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(work, live)
    with contextlib.suppress(OSError):  # not every platform can fsync a directory
        directory = os.open(live.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (no-op where ``fcntl`` is missing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
