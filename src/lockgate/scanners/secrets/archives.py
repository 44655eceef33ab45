"""Archives one level deep (zip, jar, war, wheel, nupkg, tar, tar.gz), read in memory with
limits: member size, total size, member count and compression ratio (zip bombs). Nothing is
ever extracted to disk, so ``../`` member names cannot escape anywhere."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class ArchiveLimits:
    """Refuse what looks like a bomb; skip what is too big, and say so."""

    max_member_size: int = 10 * 1024 * 1024
    max_total_size: int = 100 * 1024 * 1024
    max_members: int = 10_000
    max_ratio: int = 100


@dataclass(frozen=True, kw_only=True)
class Member:
    """A member's content, or why it was skipped."""

    name: str
    content: bytes | None = None
    skipped: str | None = None


def _safe_name(name: str) -> str:
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "/".join(parts) or "_"


def members(data: bytes, fmt: str, limits: ArchiveLimits) -> Iterator[Member]:
    """The regular-file members of an archive of format ``fmt`` (``zip``, or ``tar``,
    ``gzip``, ``bzip2``, ``xz`` for plain and compressed tar), within the limits.

    Raises ``ValueError`` for an archive that cannot be read at all.
    """
    if fmt == "zip":
        yield from _zip_members(data, limits)
    else:
        yield from _tar_members(data, limits)


def _zip_members(data: bytes, limits: ArchiveLimits) -> Iterator[Member]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValueError(f"not a readable zip archive: {exc}") from None
    total = 0
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > limits.max_members:
            yield Member(
                name="*",
                skipped=f"{len(infos)} members exceed the limit of "
                f"{limits.max_members}; only the first are read",
            )
            infos = infos[: limits.max_members]
        for info in infos:
            name = _safe_name(info.filename)
            if info.file_size > limits.max_member_size:
                yield Member(
                    name=name,
                    skipped=f"{info.file_size} bytes exceed the member "
                    f"limit of {limits.max_member_size}",
                )
                continue
            if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
                yield Member(
                    name=name,
                    skipped=f"compression ratio above {limits.max_ratio}:1 (possible zip bomb)",
                )
                continue
            if total + info.file_size > limits.max_total_size:
                yield Member(name=name, skipped="archive total size limit reached")
                return
            try:
                with archive.open(info) as handle:
                    content = handle.read(limits.max_member_size + 1)
            except (
                zipfile.BadZipFile,
                OSError,
                NotImplementedError,
                RuntimeError,
                EOFError,
            ) as exc:
                yield Member(name=name, skipped=f"unreadable member: {exc}")
                continue
            if len(content) > limits.max_member_size:
                yield Member(name=name, skipped="member larger than it declares")
                continue
            total += len(content)
            yield Member(name=name, content=content)


def _tar_members(data: bytes, limits: ArchiveLimits) -> Iterator[Member]:
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ValueError(f"not a readable tar archive: {exc}") from None
    total = 0
    count = 0
    with archive:
        try:
            for info in archive:
                if info.offset_data > limits.max_total_size:
                    # Decompressing further would cost more than the limit allows.
                    yield Member(
                        name=_safe_name(info.name), skipped="archive total size limit reached"
                    )
                    return
                if not info.isfile():
                    continue
                count += 1
                name = _safe_name(info.name)
                if count > limits.max_members:
                    yield Member(name="*", skipped=f"more than {limits.max_members} members")
                    return
                if info.size > limits.max_member_size:
                    yield Member(
                        name=name,
                        skipped=f"{info.size} bytes exceed the member "
                        f"limit of {limits.max_member_size}",
                    )
                    continue
                if total + info.size > limits.max_total_size:
                    yield Member(name=name, skipped="archive total size limit reached")
                    return
                handle = archive.extractfile(info)
                if handle is None:
                    continue
                content = handle.read(limits.max_member_size + 1)
                total += len(content)
                yield Member(name=name, content=content)
        except (tarfile.TarError, OSError, EOFError) as exc:
            yield Member(name="*", skipped=f"archive truncated or corrupt: {exc}")
