"""Reading OSV advisories (https://ossf.github.io/osv-schema/) from files, directories and
zip archives such as osv.dev's ``<ecosystem>/all.zip``.

:func:`parse_record` turns one decoded record into an :class:`Advisory`: ``id`` and
``modified`` are required, every other field may be missing; a field of the wrong shape is
an :class:`AdvisoryError` naming the field and the file. :func:`iter_records` walks a
directory (``.json``, ``.yaml``, ``.yml``) or a zip archive and yields one advisory or one
error per file, so a single bad file never stops an import.

Zip archives are read member by member in memory and never extracted; members larger than
:attr:`ArchiveLimits.max_member_bytes` or compressed more than
:attr:`ArchiveLimits.max_ratio` times (a zip bomb's signature) are reported and skipped.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lockgate.advisories.errors import AdvisoryError
from lockgate.advisories.model import Advisory, Affected, Event, Range

#: File name endings read as OSV records.
RECORD_SUFFIXES = (".json", ".yaml", ".yml")

_EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
_CWE = re.compile(r"(?i)^(?:cwe-)?(\d+)$")


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchiveLimits:
    """Bounds on what one file or archive member may cost to read.

    ``max_member_bytes`` caps the uncompressed size of any one record (the largest record
    osv.dev serves is a few MB); ``max_ratio`` rejects members that expand more than that
    many times, checked only for members of at least ``ratio_floor_bytes`` (tiny members
    cannot do harm whatever their ratio).
    """

    max_member_bytes: int = 32 * 1024 * 1024
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 1024 * 1024


DEFAULT_LIMITS = ArchiveLimits()


def parse_record(data: Mapping[str, Any], *, source: str) -> Advisory:
    """The advisory one decoded OSV record describes; ``source`` names the file (or
    ``archive!member``) in errors and is kept on the advisory."""
    if not isinstance(data, Mapping):
        raise AdvisoryError(
            f"an OSV record must be an object, not {_kind(data)}",
            path=source,
        )
    ident = _required_str(data, "id", source)
    modified = _required_str(data, "modified", source)
    if timestamp_key(modified) is None:
        raise AdvisoryError(
            f"'modified' is not an RFC 3339 timestamp: {modified!r}",
            path=source,
        )
    database_specific = data.get("database_specific")
    if not isinstance(database_specific, Mapping):
        database_specific = {}
    db_severity = database_specific.get("severity")
    return Advisory(
        id=ident,
        modified=modified,
        aliases=_str_list(data, "aliases", "aliases", source),
        related=_str_list(data, "related", "related", source),
        summary=_optional_str(data, "summary", "summary", source) or "",
        details=_optional_str(data, "details", "details", source) or "",
        published=_optional_str(data, "published", "published", source),
        withdrawn=_optional_str(data, "withdrawn", "withdrawn", source),
        severity=_severity(data.get("severity"), "severity", source),
        database_severity=(db_severity.strip() or None) if isinstance(db_severity, str) else None,
        cwes=_cwes(database_specific.get("cwe_ids")),
        references=_references(data.get("references"), source),
        affected=_affected(data.get("affected"), source),
        source=source,
    )


def decode_record(raw: bytes, *, source: str) -> Advisory:
    """Parse the bytes of one ``.json`` / ``.yaml`` / ``.yml`` record (chosen by the
    ending of ``source``); syntax errors carry the line."""
    try:
        if source.endswith(".json"):
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise AdvisoryError(
                    f"invalid JSON: {exc.msg}", path=source, line=exc.lineno
                ) from exc
            except UnicodeDecodeError as exc:
                raise AdvisoryError(f"not UTF-8 text: {exc.reason}", path=source) from exc
        else:
            data = _load_yaml(raw, source)
    except RecursionError:
        raise AdvisoryError("nested too deeply to be an OSV record", path=source) from None
    return parse_record(data, source=source)


def iter_records(
    path: Path, *, limits: ArchiveLimits = DEFAULT_LIMITS
) -> Iterator[Advisory | AdvisoryError]:
    """Every OSV record under ``path`` (a directory, searched recursively, skipping hidden
    entries; a zip archive; or one record file), as an advisory or as the error that one
    file raised. A path that does not exist, or an archive that cannot be opened at all,
    raises :class:`AdvisoryError` instead."""
    if path.is_dir():
        yield from _iter_directory(path, limits)
    elif path.is_file() and zipfile.is_zipfile(path):
        yield from _iter_zip(path, limits)
    elif path.is_file() and path.name.endswith(RECORD_SUFFIXES):
        yield _read_file(path, str(path), limits)
    elif path.exists():
        raise AdvisoryError(
            "not an OSV directory, zip archive or .json/.yaml record",
            path=str(path),
        )
    else:
        raise AdvisoryError("no such file or directory", path=str(path))


def timestamp_key(value: str) -> str | None:
    """A string that sorts like the instant an RFC 3339 timestamp names (UTC, microseconds,
    zero-padded year), or None when ``value`` is not a timestamp. Raw timestamps do not sort
    as strings once fractions or offsets appear."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    try:
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        return None
    return moment.isoformat(timespec="microseconds")


# -- reading files --------------------------------------------------------------------------


def _iter_directory(root: Path, limits: ArchiveLimits) -> Iterator[Advisory | AdvisoryError]:
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(RECORD_SUFFIXES):
                continue
            file_path = Path(directory, name)
            yield _read_file(file_path, str(file_path), limits)


def _read_file(path: Path, source: str, limits: ArchiveLimits) -> Advisory | AdvisoryError:
    try:
        with path.open("rb") as handle:
            raw = handle.read(limits.max_member_bytes + 1)
    except OSError as exc:
        return AdvisoryError(f"cannot read: {exc.strerror or exc}", path=source)
    if len(raw) > limits.max_member_bytes:
        return AdvisoryError(
            f"larger than the {limits.max_member_bytes} byte limit for one record; skipped",
            path=source,
        )
    try:
        return decode_record(raw, source=source)
    except AdvisoryError as exc:
        return exc


def _iter_zip(archive: Path, limits: ArchiveLimits) -> Iterator[Advisory | AdvisoryError]:
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise AdvisoryError(f"cannot open zip archive: {exc}", path=str(archive)) from exc
    with bundle:
        for info in bundle.infolist():
            if info.is_dir() or not info.filename.endswith(RECORD_SUFFIXES):
                continue
            source = f"{archive}!{info.filename}"
            problem = _member_problem(info, limits)
            if problem is not None:
                yield AdvisoryError(problem, path=source)
                continue
            try:
                with bundle.open(info) as handle:
                    raw = handle.read(limits.max_member_bytes + 1)
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError) as exc:
                yield AdvisoryError(f"cannot read archive member: {exc}", path=source)
                continue
            if len(raw) > limits.max_member_bytes:
                yield AdvisoryError(
                    "archive member expands beyond its declared size and the "
                    f"{limits.max_member_bytes} byte limit; skipped",
                    path=source,
                )
                continue
            try:
                yield decode_record(raw, source=source)
            except AdvisoryError as exc:
                yield exc


def _member_problem(info: zipfile.ZipInfo, limits: ArchiveLimits) -> str | None:
    if info.file_size > limits.max_member_bytes:
        return (
            f"archive member is {info.file_size} bytes uncompressed, over the "
            f"{limits.max_member_bytes} byte limit for one record; skipped"
        )
    if info.file_size >= limits.ratio_floor_bytes:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            return (
                f"archive member expands {ratio:.0f} times ({info.compress_size} -> "
                f"{info.file_size} bytes), over the limit of {limits.max_ratio:.0f}: "
                "a possible zip bomb; skipped"
            )
    return None


def _load_yaml(raw: bytes, source: str) -> Any:
    import yaml

    try:
        return yaml.load(raw, Loader=_string_loader())  # noqa: S506 - a safe loader subclass
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise AdvisoryError(f"invalid YAML: {exc.problem}", path=source, line=line) from exc
    except yaml.YAMLError as exc:
        raise AdvisoryError(f"invalid YAML: {exc}", path=source) from exc


_LOADER: type[Any] | None = None


def _string_loader() -> type[Any]:
    """libyaml's safe loader (pure-Python SafeLoader without libyaml) that keeps every
    scalar but ``null`` a string: OSV values are strings, and YAML 1.1 would otherwise turn
    an unquoted ``1.10`` into the float 1.1 and timestamps into datetimes."""
    global _LOADER  # noqa: PLW0603 - built once, on first use, to keep imports light
    if _LOADER is None:
        import yaml

        base: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        null = "tag:yaml.org,2002:null"
        resolvers = {
            first: [(tag, regexp) for tag, regexp in entries if tag == null]
            for first, entries in base.yaml_implicit_resolvers.items()
        }
        _LOADER = type("OsvYamlLoader", (base,), {"yaml_implicit_resolvers": resolvers})
    return _LOADER


# -- fields ---------------------------------------------------------------------------------


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _required_str(data: Mapping[str, Any], key: str, source: str) -> str:
    value = data.get(key)
    if value is None:
        raise AdvisoryError(f"OSV record has no '{key}' (a required field)", path=source)
    if not isinstance(value, str) or not value.strip():
        raise AdvisoryError(
            f"'{key}' must be a non-empty string, not {_kind(value)}",
            path=source,
        )
    return value.strip()


def _optional_str(data: Mapping[str, Any], key: str, where: str, source: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise AdvisoryError(f"'{where}' must be a string, not {_kind(value)}", path=source)
    return value


def _list(value: object, where: str, source: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise AdvisoryError(f"'{where}' must be a list, not {_kind(value)}", path=source)
    return value


def _str_list(data: Mapping[str, Any], key: str, where: str, source: str) -> tuple[str, ...]:
    items = _list(data.get(key), where, source)
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise AdvisoryError(
                f"'{where}[{index}]' must be a string, not {_kind(item)}",
                path=source,
            )
    return tuple(items)


def _mapping(value: object, where: str, source: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise AdvisoryError(f"'{where}' must be an object, not {_kind(value)}", path=source)
    return value


def _severity(value: object, where: str, source: str) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for index, item in enumerate(_list(value, where, source)):
        entry = _mapping(item, f"{where}[{index}]", source)
        kind = _optional_str(entry, "type", f"{where}[{index}].type", source)
        score = _optional_str(entry, "score", f"{where}[{index}].score", source)
        if kind and score:
            pairs.append((kind, score))
    return tuple(pairs)


def _cwes(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    found: list[str] = []
    for item in value:
        match = _CWE.match(str(item).strip()) if isinstance(item, str | int) else None
        if match is not None and f"CWE-{match[1]}" not in found:
            found.append(f"CWE-{match[1]}")
    return tuple(found)


def _references(value: object, source: str) -> tuple[str, ...]:
    urls: list[str] = []
    for index, item in enumerate(_list(value, "references", source)):
        entry = _mapping(item, f"references[{index}]", source)
        url = _optional_str(entry, "url", f"references[{index}].url", source)
        if url and url not in urls:
            urls.append(url)
    return tuple(urls)


def _affected(value: object, source: str) -> tuple[Affected, ...]:
    entries: list[Affected] = []
    for index, item in enumerate(_list(value, "affected", source)):
        where = f"affected[{index}]"
        entry = _mapping(item, where, source)
        package = entry.get("package")
        if package is None:
            continue  # a GIT-only entry names a repository, not a package lookups can find
        package = _mapping(package, f"{where}.package", source)
        ecosystem = _optional_str(package, "ecosystem", f"{where}.package.ecosystem", source)
        name = _optional_str(package, "name", f"{where}.package.name", source)
        if not ecosystem or not name:
            raise AdvisoryError(
                f"'{where}.package' needs both 'ecosystem' and 'name'",
                path=source,
            )
        entries.append(
            Affected(
                ecosystem=ecosystem.partition(":")[0].strip(),
                name=name.strip(),
                ranges=_ranges(entry.get("ranges"), f"{where}.ranges", source),
                versions=_str_list(entry, "versions", f"{where}.versions", source),
                severity=_severity(entry.get("severity"), f"{where}.severity", source),
                informational=_informational(entry.get("database_specific")),
            )
        )
    return tuple(entries)


def _informational(value: object) -> str | None:
    """RustSec's ``database_specific.informational`` class, when it is a non-empty string."""
    if not isinstance(value, Mapping):
        return None
    informational = value.get("informational")
    return informational.strip() or None if isinstance(informational, str) else None


def _ranges(value: object, where: str, source: str) -> tuple[Range, ...]:
    ranges: list[Range] = []
    for index, item in enumerate(_list(value, where, source)):
        entry = _mapping(item, f"{where}[{index}]", source)
        kind = _optional_str(entry, "type", f"{where}[{index}].type", source)
        if not kind:
            raise AdvisoryError(f"'{where}[{index}]' has no 'type'", path=source)
        events: list[Event] = []
        at = f"{where}[{index}].events"
        for number, raw_event in enumerate(_list(entry.get("events"), at, source)):
            event = _mapping(raw_event, f"{at}[{number}]", source)
            for event_kind in _EVENT_KINDS:
                version = _optional_str(event, event_kind, f"{at}[{number}].{event_kind}", source)
                if version is not None:
                    events.append(Event(kind=event_kind, value=version))
        ranges.append(Range(type=kind, events=tuple(events)))
    return tuple(ranges)
