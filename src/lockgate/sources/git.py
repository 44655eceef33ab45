"""Git as a source: the working tree, the index (pre-commit), a diff range and a baseline tree.

Every git invocation goes through :func:`invoke` or :class:`GitProcess`: no shell, a timeout,
the user's environment plus a C locale, no terminal prompts and no optional index locks
(a scan must never fight the user's own git for ``index.lock``). Paths git prints are
relative to the top of the work tree, which is where git always runs.

When the path given is a subdirectory of the work tree, the workspace is limited to it but
paths stay relative to the top, so that findings, baselines and SARIF agree.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from lockgate.errors import ToolError
from lockgate.model import SkippedItem, SkipReason, TargetRef
from lockgate.sources.catfile import BlobRead, Desync, OidFeed, read_batch, wait_for, write_oids
from lockgate.sources.content import SNIFF_BYTES
from lockgate.sources.filesystem import (
    DEFAULT_MAX_FILE_SIZE,
    FileVetter,
    describe_size,
    too_large,
    vet_content,
)
from lockgate.sources.gitproc import GIT_TIMEOUT, GitProcess, failure, invoke
from lockgate.sources.ignore import LOCKGATEIGNORE, IgnoreRules
from lockgate.sources.interface import FileInfo, SourceError, Workspace

_DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--no-textconv")
_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ARG_MAX_CHUNK = 64 * 1024


def sanitize_remote_url(url: str) -> str:
    """A remote URL without credentials: userinfo, query and fragment are dropped from
    http(s) URLs, passwords from all; ``git@host:org/repo`` stays as it is."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    netloc = host
    if parts.scheme in ("ssh", "git+ssh", "ssh+git") and parts.username and not parts.password:
        netloc = f"{parts.username}@{host}"
    if parts.scheme in ("http", "https"):
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return urlunsplit(parts._replace(netloc=netloc))


def _split_z(data: bytes) -> list[str]:
    return [os.fsdecode(item) for item in data.split(b"\0") if item]


_C_ESCAPES = dict(zip(b'abtnvfr"\\', b'\a\b\t\n\v\f\r"\\', strict=True))


def _unquote(name: bytes) -> bytes:
    """A path as git prints it in patch headers: C-quoted when it has special characters."""
    if not (name.startswith(b'"') and name.endswith(b'"') and len(name) >= 2):
        # git appends a TAB to unquoted names that contain a space.
        return name[:-1] if name.endswith(b"\t") else name
    out = bytearray()
    body = name[1:-1]
    i = 0
    while i < len(body):
        byte = body[i]
        if byte == 0x5C and i + 1 < len(body):
            nxt = body[i + 1]
            if 0x30 <= nxt <= 0x37 and i + 3 <= len(body):
                out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
                i += 4
                continue
            out.append(_C_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(byte)
        i += 1
    return bytes(out)


def parse_changed_lines(patch: bytes) -> dict[str, frozenset[int]]:
    """The added or changed lines (1-based, new side) per file of a ``-U0`` patch."""
    lines: dict[str, set[int]] = {}
    current: set[int] | None = None
    old_left = new_left = 0
    for line in patch.split(b"\n"):
        if old_left or new_left:
            # Inside a hunk: count its lines so that content never passes for a header.
            if line.startswith(b"-"):
                old_left -= 1
                continue
            if line.startswith(b"+"):
                new_left -= 1
                continue
            if line.startswith(b"\\"):
                continue
            old_left = new_left = 0
        if line.startswith(b"diff "):
            current = None
        elif line.startswith(b"+++ "):
            name = _unquote(line[4:])
            current = None
            if name != b"/dev/null" and name.startswith(b"b/"):
                current = lines.setdefault(os.fsdecode(name[2:]), set())
        elif line.startswith(b"@@ ") and (match := _HUNK.match(line)):
            old_left = int(match.group(1)) if match.group(1) is not None else 1
            start = int(match.group(2))
            new_left = int(match.group(3)) if match.group(3) is not None else 1
            if current is not None:
                current.update(range(start, start + new_left))
    return {path: frozenset(numbers) for path, numbers in lines.items()}


class GitRepo:
    """A git work tree, and the one place lockgate runs git for it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"GitRepo({str(self.root)!r})"

    @classmethod
    def discover(cls, path: Path | str) -> GitRepo | None:
        """The work tree containing ``path`` (a directory or file), or ``None`` outside git."""
        start = Path(path).absolute()
        cwd = start if start.is_dir() else start.parent
        if not cwd.is_dir():
            return None
        code, out, err = invoke(cwd, ["rev-parse", "--show-toplevel"], ok=(0, 128))
        if code == 0 and out.strip():
            return cls(Path(os.fsdecode(out.rstrip(b"\n"))))
        if b"dubious ownership" in err:
            raise failure(cwd, ["rev-parse"], code, err)
        return None  # not a git repository, or inside .git / a bare repository

    def run(
        self,
        args: Sequence[str],
        *,
        input: bytes | None = None,
        timeout: float = GIT_TIMEOUT,
    ) -> bytes:
        """Run ``git <args>`` at the top of the work tree; its stdout. Raises ToolError."""
        return invoke(self.root, args, input=input, timeout=timeout)[1]

    def _query(self, args: Sequence[str]) -> bytes | None:
        """Output of a command that exits 1 for "no answer" (``--verify -q``, ``config``)."""
        code, out, _ = invoke(self.root, args, ok=(0, 1))
        return out if code == 0 else None

    def spawn(self, args: Sequence[str], *, stdin: bool = False, timeout: float) -> GitProcess:
        """Start a streaming git command at the top of the work tree."""
        return GitProcess(self.root, args, stdin=stdin, timeout=timeout)

    def head(self) -> str | None:
        """The commit HEAD points to, or ``None`` in a repository without commits."""
        out = self._query(["rev-parse", "--verify", "-q", "HEAD^{commit}"])
        return out.decode("ascii").strip() if out else None

    def current_branch(self) -> str | None:
        """The checked-out branch's short name, or ``None`` when HEAD is detached."""
        out = self._query(["symbolic-ref", "-q", "--short", "HEAD"])
        name = out.decode("utf-8", "replace").strip() if out else ""
        return name or None

    def resolve_commit(self, ref: str) -> str:
        """The commit id ``ref`` names; SourceError "unknown revision" if none."""
        code, out = 1, b""
        if ref and not ref.startswith("-"):
            code, out, _ = invoke(
                self.root,
                ["rev-parse", "--verify", "-q", "--end-of-options", f"{ref}^{{commit}}"],
                ok=(0, 1, 128),  # 128: not even a valid revision expression ("a..b")
            )
        if code != 0 or not out:
            raise SourceError(
                f"unknown revision '{ref}'",
                path=str(self.root),
                hint="check the name, or fetch it first (git fetch origin <branch>)",
            )
        return out.decode("ascii").strip()

    def merge_base(self, ref: str) -> str:
        """The merge base of ``ref`` and HEAD: where the change under review started."""
        other = self.resolve_commit(ref)
        if self.head() is None:
            raise SourceError("the repository has no commits yet", path=str(self.root))
        out = self._query(["merge-base", other, "HEAD"])
        if not out:
            shallow = self._query(["rev-parse", "--is-shallow-repository"]) == b"true\n"
            raise SourceError(
                f"'{ref}' and HEAD have no common ancestor",
                path=str(self.root),
                hint="the clone is shallow: fetch the full history (fetch-depth: 0)"
                if shallow
                else None,
            )
        return out.decode("ascii").strip()

    def remote_url(self) -> str | None:
        """The URL of ``origin`` (else of the first remote), without credentials."""
        out = self._query(["config", "--get-regexp", r"^remote\..*\.url$"])
        if not out:
            return None
        urls: dict[str, str] = {}
        for line in out.decode("utf-8", "replace").splitlines():
            key, _, value = line.partition(" ")
            urls.setdefault(key[len("remote.") : -len(".url")], value.strip())
        url = urls.get("origin") or next(iter(urls.values()), "")
        return sanitize_remote_url(url) if url else None

    def ls_files(self, pathspecs: Sequence[str] = ()) -> tuple[str, ...]:
        """Tracked files plus untracked files that are not ignored, sorted, each once."""
        out = self.run(["ls-files", "-z", "-co", "--exclude-standard", "--", *pathspecs])
        return tuple(sorted(set(_split_z(out))))

    def changed_lines(self, diff_args: Sequence[str]) -> dict[str, frozenset[int]]:
        """The added lines per file of ``git diff -U0 <diff_args>`` (new side, 1-based)."""
        patch = self.run(
            ["diff", *_DIFF_OPTIONS, "-U0", "-M", "--src-prefix=a/", "--dst-prefix=b/", *diff_args]
        )
        return parse_changed_lines(patch)

    def read_blobs(
        self,
        feed: OidFeed,
        *,
        max_size: int,
        cancel: threading.Event | None = None,
        timeout: float = GIT_TIMEOUT,
        verify: bool = True,
    ) -> Iterator[BlobRead]:
        """The objects of ``feed`` in order, streamed from one ``git cat-file --batch``.

        Content over ``max_size`` is drained, not kept. A missing or corrupt object becomes an
        error and the stream goes on; if cat-file dies or its output stops lining up, it is
        restarted after the object that broke it. ``verify`` also hashes each content
        against its id: it catches the rare corruption git streams without complaint, at
        about a quarter of the throughput, so history walks leave it off."""
        deadline = time.monotonic() + timeout
        start = 0
        while wait_for(feed, start, cancel):
            proc = self.spawn(
                ["cat-file", "--batch", "--buffer"], stdin=True, timeout=deadline - time.monotonic()
            )
            stop = threading.Event()
            writer = threading.Thread(
                target=write_oids, args=(proc, feed, start, stop), daemon=True, name="cat-file"
            )
            writer.start()
            try:
                index = yield from read_batch(proc, feed, start, (max_size, verify), cancel)
            except Desync as exc:
                index = exc.index
                if exc.culprit or index == start:
                    yield BlobRead(
                        index=index, oid=feed[index], size=-1, content=None, error=exc.message
                    )
                    index += 1
            finally:
                stop.set()
                proc.close()
                writer.join()
            if proc.timed_out:
                raise ToolError(f"git cat-file timed out after {timeout:g} s", path=str(self.root))
            start = index


def _open_repo(path: Path, *, not_a_repo: str) -> tuple[GitRepo, tuple[str, ...]]:
    """The repository containing ``path`` and the pathspec limiting work to ``path``."""
    if not path.exists():
        raise SourceError(f"no such file or directory: {path}", path=str(path))
    repo = GitRepo.discover(path)
    if repo is None:
        raise SourceError(not_a_repo, path=str(path))
    here = Path(os.path.realpath(path))
    top = Path(os.path.realpath(repo.root))
    relative = here.relative_to(top).as_posix() if here != top and here.is_relative_to(top) else ""
    return repo, ((relative,) if relative else ())


def _target(repo: GitRepo, kind: str, *, base_commit: str | None = None) -> TargetRef:
    return TargetRef(
        kind=kind,
        name=repo.root.name,
        commit=repo.head(),
        branch=repo.current_branch(),
        repository=repo.remote_url(),
        base_commit=base_commit,
    )


def _vet_listed(
    repo: GitRepo, paths: Iterable[str], max_file_size: int, extra_ignores: Sequence[str]
) -> tuple[list[FileInfo], list[SkippedItem]]:
    """Vet paths git listed, reading the working tree, after ``.lockgateignore``."""
    rules = IgnoreRules(repo.root, file_names=(LOCKGATEIGNORE,), extra_patterns=extra_ignores)
    vetter = FileVetter(repo.root, max_file_size=max_file_size)
    files: list[FileInfo] = []
    skipped: list[SkippedItem] = []
    for listed in paths:
        path = listed.rstrip("/")  # ls-files -o marks a nested repository with a slash
        if rules.is_ignored(path):
            continue
        vetted = vetter.check(path)
        if isinstance(vetted, FileInfo):
            files.append(vetted)
        elif vetted is not None:
            skipped.append(vetted)
    files.sort(key=lambda f: f.path)
    skipped.sort()
    return files, skipped


def _safe_destination(root: Path, path: str) -> Path | None:
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..", ".git") for p in parts):
        return None
    return root.joinpath(*parts)


def _materialise(
    repo: GitRepo, entries: Sequence[tuple[str, str]], directory: Path, max_file_size: int
) -> tuple[list[FileInfo], list[SkippedItem]]:
    """Write the blobs ``(path, oid)`` under ``directory``; the vetted files and the skips."""
    files: list[FileInfo] = []
    skipped: list[SkippedItem] = []
    made: set[Path] = set()
    feed = OidFeed(oid for _, oid in entries)
    for read in repo.read_blobs(feed, max_size=max_file_size):
        path = entries[read.index][0]
        if read.error is not None:
            skipped.append(
                SkippedItem(
                    path=path,
                    reason=SkipReason.UNREADABLE,
                    detail=f"object {read.oid}: {read.error}",
                )
            )
            continue
        if read.content is None:
            skipped.append(too_large(path, read.size, max_file_size))
            continue
        vetted = vet_content(path, read.content[:SNIFF_BYTES], read.size, max_file_size)
        destination = _safe_destination(directory, path)
        if isinstance(vetted, SkippedItem):
            skipped.append(vetted)
        elif destination is None:
            skipped.append(
                SkippedItem(
                    path=path, reason=SkipReason.UNSUPPORTED, detail="path is not safe to write"
                )
            )
        else:
            if destination.parent not in made:
                destination.parent.mkdir(parents=True, exist_ok=True)
                made.add(destination.parent)
            fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(read.content)
            files.append(vetted)
    files.sort(key=lambda f: f.path)
    skipped.sort()
    return files, skipped


def _special_entry(path: str, mode: str) -> SkippedItem | None:
    """The skip for an index or tree entry that is not a regular file."""
    if mode == "160000":
        return SkippedItem(
            path=path, reason=SkipReason.UNSUPPORTED, detail="a git submodule; scan it separately"
        )
    if mode == "120000":
        return SkippedItem(
            path=path,
            reason=SkipReason.UNSUPPORTED,
            detail="a symbolic link; the file it points to is scanned on its own",
        )
    return (
        None
        if mode.startswith("100")
        else SkippedItem(
            path=path, reason=SkipReason.UNSUPPORTED, detail=f"git entry of mode {mode}"
        )
    )


@contextmanager
def _temporary_directory(prefix: str) -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _all_lines(path: Path) -> frozenset[int]:
    """Every line number of a file: a file new to the change is changed throughout."""
    try:
        data = path.read_bytes()
    except OSError:
        return frozenset()
    count = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return frozenset(range(1, count + 1))


_STAGED_ENTRIES = ("diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames",
                   *_DIFF_OPTIONS, "--diff-filter=ACMRT")  # fmt: skip
_CHANGED_NAMES = ("diff", "--name-only", "-z", "-M", *_DIFF_OPTIONS, "--diff-filter=ACMR")
_UNTRACKED = ("ls-files", "-z", "-o", "--exclude-standard")


class GitWorkingTreeSource:
    """The files git knows (tracked, and untracked but not ignored) as in the working tree."""

    def __init__(
        self,
        path: Path | str,
        *,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        extra_ignores: Sequence[str] = (),
    ) -> None:
        self.path = Path(path)
        self.max_file_size = max_file_size
        self.extra_ignores = tuple(extra_ignores)

    @contextmanager
    def open(self) -> Iterator[Workspace]:
        """List the work tree; content is read in place, so closing cleans nothing."""
        repo, scope = _open_repo(self.path, not_a_repo=f"not a git repository: {self.path}")
        with ThreadPoolExecutor(max_workers=1) as pool:
            target = pool.submit(_target, repo, "git")
            listed = repo.ls_files(scope)
            files, skipped = _vet_listed(repo, listed, self.max_file_size, self.extra_ignores)
            workspace = Workspace(
                root=repo.root,
                target=target.result(),
                files=tuple(files),
                skipped=tuple(skipped),
                repository=repo.root,
                display_root=self.path,
                max_file_size=self.max_file_size,
            )
        yield workspace


class StagedSource:
    """What the next commit would contain: the index content, never the working tree.

    Only the staged files are read (one ``diff --cached`` and one ``cat-file --batch``), so
    the cost follows the size of the change, not of the repository. Git commands that do
    not depend on each other run side by side."""

    def __init__(
        self,
        path: Path | str,
        *,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        extra_ignores: Sequence[str] = (),
    ) -> None:
        self.path = Path(path)
        self.max_file_size = max_file_size
        self.extra_ignores = tuple(extra_ignores)

    @contextmanager
    def open(self) -> Iterator[Workspace]:
        """Write the staged blobs to a temporary directory, removed when the context closes."""
        repo, scope = _open_repo(self.path, not_a_repo="--staged needs a git repository")
        with ThreadPoolExecutor(max_workers=2) as pool:
            target = pool.submit(_target, repo, "staged")
            changed = pool.submit(repo.changed_lines, ["--cached", "--", *scope])
            entries, special = self._entries(repo, scope)
            with _temporary_directory("lockgate-staged-") as directory:
                files, skipped = _materialise(repo, entries, directory, self.max_file_size)
                lines = changed.result()
                yield Workspace(
                    root=directory,
                    target=target.result(),
                    files=tuple(files),
                    skipped=tuple(sorted((*skipped, *special))),
                    changed_lines={f.path: lines.get(f.path, frozenset()) for f in files},
                    repository=repo.root,
                    display_root=self.path,
                    max_file_size=self.max_file_size,
                )

    def _entries(
        self, repo: GitRepo, scope: Sequence[str]
    ) -> tuple[list[tuple[str, str]], list[SkippedItem]]:
        """The staged regular files as ``(path, blob id)``, and the entries skipped."""
        raw = repo.run([*_STAGED_ENTRIES, "--", *scope])
        rules = IgnoreRules(repo.root, file_names=(LOCKGATEIGNORE,),
                            extra_patterns=self.extra_ignores)  # fmt: skip
        entries: list[tuple[str, str]] = []
        special: list[SkippedItem] = []
        fields = raw.split(b"\0")
        # ":<old mode> <new mode> <old id> <new id> <status>" NUL "<path>" NUL
        for header, name in zip(fields[0::2], fields[1::2], strict=False):
            if not header.startswith(b":"):
                continue
            _, new_mode, _, new_oid, _ = header[1:].decode("ascii").split(" ")
            path = os.fsdecode(name)
            if rules.is_ignored(path):
                continue
            skip = _special_entry(path, new_mode)
            if skip is not None:
                special.append(skip)
            else:
                entries.append((path, new_oid))
        return entries, special


class DiffRangeSource:
    """The change from the merge base of ``since`` and HEAD to the working tree, plus
    untracked files; content from the working tree."""

    def __init__(
        self,
        path: Path | str,
        *,
        since: str,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        extra_ignores: Sequence[str] = (),
    ) -> None:
        self.path = Path(path)
        self.since = since
        self.max_file_size = max_file_size
        self.extra_ignores = tuple(extra_ignores)

    @contextmanager
    def open(self) -> Iterator[Workspace]:
        """List the changed files in place; closing cleans nothing."""
        repo, scope = _open_repo(self.path, not_a_repo="--since needs a git repository")
        base = repo.merge_base(self.since)
        with ThreadPoolExecutor(max_workers=3) as pool:
            target = pool.submit(_target, repo, "diff", base_commit=base)
            changed = pool.submit(repo.changed_lines, [base, "--", *scope])
            untracked_out = pool.submit(repo.run, [*_UNTRACKED, "--", *scope])
            tracked = _split_z(repo.run([*_CHANGED_NAMES, base, "--", *scope]))
            untracked = set(_split_z(untracked_out.result()))
            listed = sorted({*tracked, *untracked})
            files, skipped = _vet_listed(repo, listed, self.max_file_size, self.extra_ignores)
            diff_lines = changed.result()
            lines = {
                f.path: _all_lines(repo.root / f.path)
                if f.path in untracked
                else diff_lines.get(f.path, frozenset())
                for f in files
            }
            workspace = Workspace(
                root=repo.root,
                target=target.result(),
                files=tuple(files),
                skipped=tuple(skipped),
                changed_lines=lines,
                repository=repo.root,
                display_root=self.path,
                max_file_size=self.max_file_size,
            )
        yield workspace


class BaselineTreeSource:
    """The content of some paths as of a commit (the merge base), to tell which findings
    already existed before the change. Paths absent at that commit are simply absent."""

    def __init__(
        self,
        repo: GitRepo,
        *,
        commit: str,
        paths: Sequence[str],
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    ) -> None:
        self.repo = repo
        self.commit = commit
        self.paths = tuple(paths)
        self.max_file_size = max_file_size

    @contextmanager
    def open(self) -> Iterator[Workspace]:
        """Write the blobs to a temporary directory, removed when the context closes."""
        sha = self.repo.resolve_commit(self.commit)
        entries: list[tuple[str, str]] = []
        special: list[SkippedItem] = []
        for chunk in _chunks(self.paths):
            out = self.repo.run(["ls-tree", "-r", "-z", "--full-tree", sha, "--", *chunk])
            for record in out.split(b"\0"):
                if not record:
                    continue
                meta, _, name = record.partition(b"\t")
                mode, kind, oid = meta.decode("ascii").split(" ")
                path = os.fsdecode(name)
                skip = _special_entry(path, mode) if kind == "blob" else None
                if skip is not None:
                    special.append(skip)
                elif kind == "blob":
                    entries.append((path, oid))
        with _temporary_directory("lockgate-baseline-") as directory:
            files, skipped = _materialise(self.repo, entries, directory, self.max_file_size)
            yield Workspace(
                root=directory,
                target=TargetRef(kind="git", name=self.repo.root.name, commit=sha),
                files=tuple(files),
                skipped=tuple(sorted((*skipped, *special))),
                repository=self.repo.root,
                display_root=self.repo.root,
                max_file_size=self.max_file_size,
            )


def _chunks(paths: Sequence[str]) -> Iterator[list[str]]:
    """Paths in groups short enough for one command line."""
    chunk: list[str] = []
    length = 0
    for path in paths:
        if chunk and length + len(path) > _ARG_MAX_CHUNK:
            yield chunk
            chunk, length = [], 0
        chunk.append(path)
        length += len(path) + 1
    if chunk:
        yield chunk


__all__ = [
    "GIT_TIMEOUT",
    "BaselineTreeSource",
    "BlobRead",
    "DiffRangeSource",
    "GitProcess",
    "GitRepo",
    "GitWorkingTreeSource",
    "OidFeed",
    "StagedSource",
    "describe_size",
    "parse_changed_lines",
    "sanitize_remote_url",
]
