"""Advisory data use-cases: ``lockgate db import``, ``lockgate db update`` and
``lockgate db status``.

Every function takes the database path (``None`` means :func:`default_database_path`) and
returns data; the ``render_*`` functions turn that data into text for humans.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from lockgate.advisories.database import (
    AdvisoryDatabase,
    DatabaseStatus,
    ImportStats,
    default_database_path,
)
from lockgate.advisories.download import (
    DEFAULT_BASE_URL,
    DEFAULT_ECOSYSTEMS,
    UpdateResult,
    update,
)
from lockgate.advisories.errors import AdvisoryError
from lockgate.advisories.osv import iter_records

#: How many unreadable files ``render_import`` lists before summarising the rest.
SHOWN_ERRORS = 10


def import_advisories(path: Path, db_path: Path | None = None) -> ImportStats:
    """Import every OSV record under ``path`` (a directory, a zip archive or one file) into
    the database; files that cannot be read are returned in ``errors``. Raises
    :class:`AdvisoryError` when ``path`` is missing or holds no record at all (the
    database is then left as it was)."""
    source = Path(path).resolve()
    if not source.exists():
        raise AdvisoryError("no such file or directory", path=str(path))
    database = AdvisoryDatabase(db_path or default_database_path())
    with database.writer() as writer:
        stats = writer.import_records(
            iter_records(source), source_name=str(source), source_url=str(source)
        )
        if stats.records == 0:
            first = f"; first error: {stats.errors[0].diagnostics()}" if stats.errors else ""
            raise AdvisoryError(
                f"no readable OSV record found ({len(stats.errors)} unreadable files){first}",
                path=str(path),
                hint="point at an OSV directory, an osv.dev all.zip or a .json/.yaml record",
            )
    return replace(stats, digest=writer.digest)


def update_advisories(
    db_path: Path | None = None,
    ecosystems: Sequence[str] | None = None,
    base_url: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> UpdateResult:
    """Download the OSV archives of ``ecosystems`` (default: every supported one) from
    ``base_url`` (default: osv.dev) into the database, in one atomic replacement."""
    return update(
        db_path or default_database_path(),
        ecosystems=tuple(ecosystems) if ecosystems else DEFAULT_ECOSYSTEMS,
        base_url=base_url or DEFAULT_BASE_URL,
        progress=progress,
    )


def database_status(db_path: Path | None = None) -> DatabaseStatus:
    """Sources, counts, schema version and digest of the database; raises
    :class:`~lockgate.advisories.errors.AdvisoryDataError` (with how to get data) when
    there is no usable database."""
    with AdvisoryDatabase(db_path or default_database_path()) as database:
        return database.status()


def render_status(status: DatabaseStatus) -> str:
    """``lockgate db status`` as text."""
    lines = [
        f"Advisory database  {status.path}",
        f"  schema version   {status.schema_version}",
        f"  size             {_size(status.size_bytes)}",
        f"  updated          {status.updated_at or 'unknown'}",
        f"  digest           {status.digest}",
        f"  advisories       {status.advisories:,} ({status.withdrawn:,} withdrawn, not matched)",
    ]
    if status.ecosystems:
        lines.append("Advisories per ecosystem")
        width = max(len(name) for name, _ in status.ecosystems)
        lines.extend(f"  {name:<{width}}  {count:>9,}" for name, count in status.ecosystems)
    lines.append("Sources")
    if not status.sources:
        lines.append("  (none)")
    for source in status.sources:
        lines.append(f"  {source.name}")
        lines.append(f"    imported       {source.imported_at}  ({source.record_count:,} records)")
        if source.location:
            lines.append(f"    from           {source.location}")
        if source.etag or source.last_modified:
            validators = ", ".join(
                part
                for part in (
                    f"ETag {source.etag}" if source.etag else "",
                    f"Last-Modified {source.last_modified}" if source.last_modified else "",
                )
                if part
            )
            lines.append(f"    validators     {validators}")
    return "\n".join(lines)


def render_import(stats: ImportStats) -> str:
    """``lockgate db import`` as text: counts, then the unreadable files."""
    lines = [
        f"Imported {stats.source_name}: {stats.imported:,} new, {stats.updated:,} updated, "
        f"{stats.unchanged:,} unchanged, {stats.withdrawn:,} withdrawn, "
        f"{len(stats.errors):,} unreadable ({stats.seconds:.1f} s)",
    ]
    if stats.digest:
        lines.append(f"  digest {stats.digest}")
    lines.extend(f"  error: {error.diagnostics()}" for error in stats.errors[:SHOWN_ERRORS])
    if len(stats.errors) > SHOWN_ERRORS:
        lines.append(f"  … and {len(stats.errors) - SHOWN_ERRORS:,} more unreadable files")
    return "\n".join(lines)


def render_update(result: UpdateResult) -> str:
    """``lockgate db update`` as text: one line per ecosystem, then the digest."""
    lines: list[str] = []
    for item in result.ecosystems:
        if item.stats is None:
            lines.append(f"{item.ecosystem}: unchanged since the last download")
            continue
        stats = item.stats
        lines.append(
            f"{item.ecosystem}: {_size(item.downloaded_bytes)} downloaded, {stats.imported:,} "
            f"new, {stats.updated:,} updated, {stats.unchanged:,} unchanged, "
            f"{len(stats.errors):,} unreadable"
        )
        lines.extend(f"  error: {error.diagnostics()}" for error in stats.errors[:SHOWN_ERRORS])
    lines.append(
        f"Database {'updated' if result.changed else 'unchanged'}: {result.database_path}"
        + (f" ({result.digest})" if result.digest else "")
    )
    return "\n".join(lines)


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover - the loop always returns
