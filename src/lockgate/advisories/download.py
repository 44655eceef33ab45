"""Downloading OSV data from osv.dev's bucket (``{base_url}/{ecosystem}/all.zip``) into the
local advisory database.

Each archive is requested conditionally (``If-None-Match`` / ``If-Modified-Since`` from the
previous download), streamed to a temporary file beside the database with a size limit, and
imported without being extracted. All ecosystems of one :func:`update` land in one atomic
replacement of the database file: if any download fails (server unreachable, HTTP error,
not a zip, over the size limit) nothing is replaced and the error names the URL.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from lockgate.advisories.database import (
    AdvisoryDatabase,
    DatabaseWriter,
    ImportStats,
    canonical_ecosystem,
)
from lockgate.advisories.errors import AdvisoryDataError, AdvisoryDownloadError, AdvisoryError
from lockgate.advisories.osv import DEFAULT_LIMITS, ArchiveLimits, iter_records
from lockgate.errors import UsageError
from lockgate.model.ecosystems import ECOSYSTEMS

if TYPE_CHECKING:
    import httpx

#: Where osv.dev publishes one ``all.zip`` per ecosystem.
DEFAULT_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
#: The ecosystems ``lockgate db update`` fetches by default.
DEFAULT_ECOSYSTEMS: tuple[str, ...] = ECOSYSTEMS
#: Largest archive accepted (osv.dev's largest, npm, is a few hundred MB).
MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024
#: Seconds to wait for a connection or for the next chunk of a response.
DEFAULT_TIMEOUT = 60.0

_CHUNK = 1024 * 1024
_NETWORK_HINT = (
    "check the network connection or the --base-url; the local advisory database was left unchanged"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class EcosystemUpdate:
    """What happened to one ecosystem: ``updated`` (downloaded and imported, with the import's
    ``stats``) or ``unchanged`` (the server said the archive has not changed)."""

    ecosystem: str
    url: str
    outcome: str
    downloaded_bytes: int = 0
    stats: ImportStats | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class UpdateResult:
    """The outcome of one update: per ecosystem, whether the database file was replaced, and
    the database digest afterwards."""

    database_path: str
    changed: bool
    digest: str | None
    ecosystems: tuple[EcosystemUpdate, ...]


def update(
    database_path: Path,
    ecosystems: Sequence[str] = DEFAULT_ECOSYSTEMS,
    base_url: str = DEFAULT_BASE_URL,
    client: httpx.Client | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    max_bytes: int = MAX_ARCHIVE_BYTES,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    progress: Callable[[str], None] | None = None,
) -> UpdateResult:
    """Bring the database at ``database_path`` up to date with ``base_url`` for
    ``ecosystems``; a ``client`` passed in is used as is (and left open), otherwise one with
    ``timeout`` is made. ``progress`` receives a line of text per step."""
    wanted = _ecosystems(ecosystems)
    report = progress or (lambda _message: None)
    database = AdvisoryDatabase(database_path)
    results: list[EcosystemUpdate] = []
    with _client(client, timeout) as http, database.writer() as writer:
        for ecosystem in wanted:
            url = f"{base_url.rstrip('/')}/{quote(ecosystem, safe='')}/all.zip"
            report(f"{ecosystem}: checking {url}")
            result = _update_one(
                http,
                writer,
                ecosystem=ecosystem,
                url=url,
                max_bytes=max_bytes,
                limits=limits,
                database_path=database_path,
            )
            report(
                f"{ecosystem}: "
                + (
                    "unchanged"
                    if result.stats is None
                    else f"{result.stats.records} records, {len(result.stats.errors)} errors"
                )
            )
            results.append(result)
        changed = writer.changed
    digest = writer.digest if changed else _current_digest(database)
    return UpdateResult(
        database_path=str(database_path),
        changed=changed,
        digest=digest,
        ecosystems=tuple(results),
    )


def _update_one(
    http: httpx.Client,
    writer: DatabaseWriter,
    *,
    ecosystem: str,
    url: str,
    max_bytes: int,
    limits: ArchiveLimits,
    database_path: Path,
) -> EcosystemUpdate:
    import httpx

    source_name = f"osv:{ecosystem}"
    previous = writer.source(source_name)
    headers: dict[str, str] = {}
    if previous is not None and previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous is not None and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    with _download_file(database_path.parent) as archive:
        try:
            with http.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return EcosystemUpdate(ecosystem=ecosystem, url=url, outcome="unchanged")
                if response.status_code != 200:
                    raise AdvisoryDownloadError(
                        f"GET {url} answered HTTP {response.status_code} "
                        f"{response.reason_phrase}".rstrip(),
                        path=url,
                        hint=f"is {ecosystem!r} an OSV ecosystem name (case matters)? "
                        + _NETWORK_HINT
                        if response.status_code == 404
                        else _NETWORK_HINT,
                    )
                etag = response.headers.get("ETag")
                if previous is not None and etag and etag == previous.etag:
                    return EcosystemUpdate(ecosystem=ecosystem, url=url, outcome="unchanged")
                size = _save(response, archive, url, max_bytes)
                last_modified = response.headers.get("Last-Modified")
        except httpx.HTTPError as exc:
            raise AdvisoryDownloadError(
                f"cannot download {url}: {exc or type(exc).__name__}",
                path=url,
                hint=_NETWORK_HINT,
            ) from exc
        try:
            stats = writer.import_records(
                iter_records(archive, limits=limits),
                source_name=source_name,
                source_url=url,
                etag=etag,
                last_modified=last_modified,
            )
        except AdvisoryError as exc:
            raise AdvisoryDownloadError(
                f"{url} did not return a usable zip archive: {exc.message}",
                path=url,
                hint=_NETWORK_HINT,
            ) from exc
    return EcosystemUpdate(
        ecosystem=ecosystem, url=url, outcome="updated", downloaded_bytes=size, stats=stats
    )


def _save(response: httpx.Response, archive: Path, url: str, max_bytes: int) -> int:
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise AdvisoryDownloadError(
            f"{url} is {int(declared)} bytes, over the {max_bytes} byte limit",
            path=url,
        )
    size = 0
    with archive.open("wb") as handle:
        for chunk in response.iter_bytes(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise AdvisoryDownloadError(
                    f"{url} sent more than the {max_bytes} byte limit; download stopped",
                    path=url,
                )
            handle.write(chunk)
    return size


def _ecosystems(ecosystems: Sequence[str]) -> list[str]:
    if isinstance(ecosystems, str):
        ecosystems = [ecosystems]
    wanted: list[str] = []
    for ecosystem in ecosystems:
        name = canonical_ecosystem(ecosystem.strip())
        if not name or "/" in name or name in (".", ".."):
            raise UsageError(
                f"not an OSV ecosystem name: {ecosystem!r}",
                hint="ecosystems are named as OSV names them: " + ", ".join(ECOSYSTEMS),
            )
        if name not in wanted:
            wanted.append(name)
    if not wanted:
        raise UsageError("no ecosystem to update", hint="name at least one, e.g. PyPI")
    return wanted


def _current_digest(database: AdvisoryDatabase) -> str | None:
    try:
        return database.digest()
    except AdvisoryDataError:
        return None
    finally:
        database.close()


@contextlib.contextmanager
def _client(client: httpx.Client | None, timeout: float) -> Iterator[httpx.Client]:
    if client is not None:
        yield client
        return
    import httpx

    from lockgate import __version__

    with httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        headers={"User-Agent": f"lockgate/{__version__}"},
    ) as made:
        yield made


@contextlib.contextmanager
def _download_file(directory: Path) -> Iterator[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".osv-", suffix=".zip", dir=directory)
    os.close(handle)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
