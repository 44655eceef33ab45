"""A directory (or a single file) on disk as a workspace, and the per-file skip typing that
every source shares.

Ignored paths are not listed. Everything else that is not scanned becomes a typed
:class:`~lockgate.model.SkippedItem`: too large, binary by content, a symbolic link loop, a
link resolving outside the target (never read), a FIFO, socket or device, or unreadable.

Symbolic links inside the target are followed, directories included; a link back to a
directory being walked is a loop. Content reachable through a link is listed under the
link's path as well as under its own, as a user reading the tree would see it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from lockgate.model import SkippedItem, SkipReason, TargetRef
from lockgate.sources.content import SNIFF_BYTES, archive_format, binary_reason
from lockgate.sources.ignore import GITIGNORE, LOCKGATEIGNORE, IgnoreRules
from lockgate.sources.interface import FileInfo, SourceError, Workspace

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC

Vetted = FileInfo | SkippedItem | None
"""In scope, skipped with a reason, or gone (deleted meanwhile; not worth reporting)."""


def describe_size(size: int) -> str:
    """A size for skip details: bytes below 1 KiB, else KiB/MiB/GiB with one decimal."""
    if size < 1024:
        return f"{size} bytes"
    value, unit = size / 1024, "KiB"
    for bigger in ("MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}"


def too_large(path: str, size: int, limit: int) -> SkippedItem:
    """The skip for a file over the size limit, naming both sizes."""
    return SkippedItem(
        path=path,
        reason=SkipReason.TOO_LARGE,
        detail=f"{describe_size(size)} ({size} bytes) exceeds the max_file_size limit of "
        f"{describe_size(limit)} ({limit} bytes)",
    )


def vet_content(path: str, head: bytes, size: int, limit: int) -> FileInfo | SkippedItem:
    """Decide on a file from its size and first bytes (for blobs that are not on disk)."""
    if size > limit:
        return too_large(path, size, limit)
    reason = binary_reason(head)
    if reason is not None:
        archive = archive_format(head)
        if archive is not None:
            return FileInfo(path=path, size=size, archive=archive)
        return SkippedItem(path=path, reason=SkipReason.BINARY, detail=reason)
    return FileInfo(path=path, size=size)


def _special(path: str, mode: int) -> SkippedItem:
    if stat.S_ISFIFO(mode):
        kind = "a FIFO (named pipe)"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "not a regular file"
    return SkippedItem(path=path, reason=SkipReason.SPECIAL_FILE, detail=kind)


def _unreadable(path: str, exc: OSError, what: str = "cannot be read") -> SkippedItem:
    return SkippedItem(
        path=path, reason=SkipReason.UNREADABLE, detail=f"{what}: {exc.strerror or exc}"
    )


def _unresolvable(path: str, text: str, exc: OSError) -> SkippedItem:
    if exc.errno == errno.ELOOP:
        return SkippedItem(
            path=path,
            reason=SkipReason.SYMLINK_LOOP,
            detail=f"symbolic link to {text!r} never resolves (a loop of links)",
        )
    if exc.errno == errno.ENOENT:
        return SkippedItem(
            path=path, reason=SkipReason.UNREADABLE, detail=f"broken symbolic link to {text!r}"
        )
    return _unreadable(path, exc)


class FileVetter:
    """Decides, path by path, whether a file under ``root`` is scanned, and if not, why."""

    def __init__(self, root: Path, *, max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> None:
        self.root = os.path.abspath(root)
        self.root_real = os.path.realpath(root)
        self.max_file_size = max_file_size

    def check(self, relpath: str) -> Vetted:
        """Vet a path from a list (``git ls-files``). Links to directories give ``None``:
        git tracks the link, and the content is listed at its own path."""
        abspath = os.path.join(self.root, relpath)
        try:
            mode = os.lstat(abspath).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return None  # deleted from the working tree
        except OSError as exc:
            return _unreadable(relpath, exc)
        if stat.S_ISREG(mode):
            return self.check_regular(relpath, abspath)
        if stat.S_ISLNK(mode):
            return self._check_link(relpath, abspath)
        if stat.S_ISDIR(mode):
            return SkippedItem(
                path=relpath,
                reason=SkipReason.UNSUPPORTED,
                detail="a git submodule or nested repository; scan it separately",
            )
        return _special(relpath, mode)

    def _check_link(self, relpath: str, abspath: str) -> Vetted:
        target = self.resolve_link(relpath, abspath)
        if not isinstance(target, tuple):
            return target
        real, is_dir = target
        return None if is_dir else self.check_regular(relpath, real)

    def check_regular(self, relpath: str, abspath: str) -> Vetted:
        """Vet a regular file: size limit, then binary content (reads at most 8 KiB)."""
        try:
            fd = os.open(abspath, _OPEN_FLAGS)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return _unreadable(relpath, exc)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return _special(relpath, st.st_mode)
            if st.st_size > self.max_file_size:
                return too_large(relpath, st.st_size, self.max_file_size)
            head = os.read(fd, SNIFF_BYTES)
        except OSError as exc:
            return _unreadable(relpath, exc)
        finally:
            os.close(fd)
        return vet_content(relpath, head, st.st_size, self.max_file_size)

    def resolve_link(self, relpath: str, abspath: str) -> tuple[str, bool] | SkippedItem | None:
        """The real path of a symbolic link inside the root and whether it is a directory,
        or why it is skipped. Nothing outside the root is ever opened."""
        try:
            text = os.readlink(abspath)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return _unreadable(relpath, exc)
        try:
            mode = os.stat(abspath).st_mode
        except OSError as exc:
            return _unresolvable(relpath, text, exc)
        real = os.path.realpath(abspath)
        if not self.inside(real):
            return SkippedItem(
                path=relpath,
                reason=SkipReason.SYMLINK_OUTSIDE,
                detail=f"symbolic link to {text!r} resolves outside the scanned tree; not read",
            )
        if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
            return real, stat.S_ISDIR(mode)
        return _special(relpath, mode)

    def inside(self, real: str) -> bool:
        """Whether the resolved path ``real`` lies within the root."""
        root = self.root_real
        return real == root or real.startswith(root if root.endswith(os.sep) else root + os.sep)


class _Walk:
    """One walk of a tree: collects the files in scope and the skipped items."""

    def __init__(self, vetter: FileVetter, rules: IgnoreRules) -> None:
        self.vetter = vetter
        self.rules = rules
        self.files: list[FileInfo] = []
        self.skipped: list[SkippedItem] = []
        # (directory on disk, its POSIX path relative to the root, real paths walked so far)
        self.stack: list[tuple[str, str, tuple[str, ...]]] = []

    def run(self, root: str) -> None:
        self.stack.append((root, "", (self.vetter.root_real,)))
        while self.stack:
            directory, reldir, chain = self.stack.pop()
            try:
                with os.scandir(directory) as entries:
                    listing = list(entries)
            except OSError as exc:
                if not reldir:
                    raise SourceError(f"cannot list {root}: {exc.strerror}", path=root) from exc
                self.skipped.append(_unreadable(reldir, exc, "directory cannot be listed"))
                continue
            self._entries(listing, reldir, chain)

    def _entries(
        self, listing: list[os.DirEntry[str]], reldir: str, chain: tuple[str, ...]
    ) -> None:
        prefix = reldir + "/" if reldir else ""
        ignores = self.rules.ignores_entry
        check_regular = self.vetter.check_regular
        for entry in listing:
            name = entry.name
            if name == ".git":
                continue
            rel = prefix + name
            if entry.is_dir(follow_symlinks=False):
                if not ignores(reldir, rel, is_dir=True):
                    self.stack.append((entry.path, rel, (*chain, os.path.join(chain[-1], name))))
            elif entry.is_file(follow_symlinks=False):
                if not ignores(reldir, rel, is_dir=False):
                    self._add(check_regular(rel, entry.path))
            elif entry.is_symlink():
                self._link(entry.path, rel, reldir, chain)
            elif not ignores(reldir, rel, is_dir=False):
                try:
                    self.skipped.append(_special(rel, entry.stat(follow_symlinks=False).st_mode))
                except OSError:
                    continue

    def _link(self, abspath: str, rel: str, reldir: str, chain: tuple[str, ...]) -> None:
        target = self.vetter.resolve_link(rel, abspath)
        if not isinstance(target, tuple):
            if target is not None and not self.rules.ignores_entry(reldir, rel, is_dir=False):
                self.skipped.append(target)
            return
        real, is_dir = target
        if self.rules.ignores_entry(reldir, rel, is_dir=is_dir):
            return
        if not is_dir:
            self._add(self.vetter.check_regular(rel, real))
        elif real in chain:
            self.skipped.append(
                SkippedItem(
                    path=rel,
                    reason=SkipReason.SYMLINK_LOOP,
                    detail="symbolic link to a directory that contains it (a loop)",
                )
            )
        else:
            self.stack.append((real, rel, (*chain, real)))

    def _add(self, vetted: Vetted) -> None:
        if isinstance(vetted, FileInfo):
            self.files.append(vetted)
        elif vetted is not None:
            self.skipped.append(vetted)


def walk(
    root: Path, vetter: FileVetter, rules: IgnoreRules
) -> tuple[list[FileInfo], list[SkippedItem]]:
    """Every file under ``root`` that is not ignored: the files in scope (sorted by path) and
    the skipped items."""
    state = _Walk(vetter, rules)
    state.run(os.path.abspath(root))
    state.files.sort(key=lambda f: f.path)
    state.skipped.sort()
    return state.files, state.skipped


class FilesystemSource:
    """A directory tree, or one file, as it is on disk."""

    def __init__(
        self,
        root: Path | str,
        *,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        extra_ignores: Sequence[str] = (),
        use_gitignore: bool = True,
    ) -> None:
        self.root = Path(root)
        self.max_file_size = max_file_size
        self.extra_ignores = tuple(extra_ignores)
        self.use_gitignore = use_gitignore

    @contextmanager
    def open(self) -> Iterator[Workspace]:
        """List the tree; nothing is copied, so closing has nothing to clean up."""
        yield self.list()

    def list(self) -> Workspace:
        """The workspace of the tree: files in scope, sorted, and the typed skips."""
        path = self.root
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise SourceError(f"no such file or directory: {path}", path=str(path)) from None
        except OSError as exc:
            raise SourceError(f"cannot access {path}: {exc.strerror}", path=str(path)) from exc
        if stat.S_ISREG(mode):
            return self._single_file(path)
        if not stat.S_ISDIR(mode):
            raise SourceError(f"not a file or directory: {path}", path=str(path))
        root = path.absolute()
        names = (GITIGNORE, LOCKGATEIGNORE) if self.use_gitignore else (LOCKGATEIGNORE,)
        rules = IgnoreRules(root, file_names=names, extra_patterns=self.extra_ignores)
        vetter = FileVetter(root, max_file_size=self.max_file_size)
        files, skipped = walk(root, vetter, rules)
        return Workspace(
            root=root,
            target=TargetRef(kind="directory", name=Path(vetter.root_real).name or str(root)),
            files=tuple(files),
            skipped=tuple(skipped),
            display_root=path,
            max_file_size=self.max_file_size,
        )

    def _single_file(self, path: Path) -> Workspace:
        # A file the user names explicitly is scanned even if an ignore file lists it.
        real = Path(os.path.realpath(path))
        vetter = FileVetter(real.parent, max_file_size=self.max_file_size)
        vetted = vetter.check_regular(real.name, str(real))
        files = (vetted,) if isinstance(vetted, FileInfo) else ()
        skipped = (vetted,) if isinstance(vetted, SkippedItem) else ()
        return Workspace(
            root=real.parent,
            target=TargetRef(kind="file", name=real.name),
            files=files,
            skipped=skipped,
            display_root=path,
            max_file_size=self.max_file_size,
        )
