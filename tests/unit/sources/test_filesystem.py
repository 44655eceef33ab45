"""A directory as a workspace: what is listed, what is skipped and why, what is ignored."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from lockgate.model import SkippedItem, SkipReason
from lockgate.sources.filesystem import FilesystemSource
from lockgate.sources.interface import SourceError, Workspace


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)


def _open(root: Path, **options: object) -> Workspace:
    with FilesystemSource(root, **options).open() as workspace:  # type: ignore[arg-type]
        return workspace


def _paths(workspace: Workspace) -> list[str]:
    return [f.path for f in workspace.files]


def _skip(workspace: Workspace, path: str) -> SkippedItem:
    matches = [s for s in workspace.skipped if s.path == path]
    assert matches, f"{path} not skipped; skipped: {workspace.skipped}"
    return matches[0]


def test_lists_relative_posix_paths_sorted_with_sizes(tmp_path: Path) -> None:
    _write(tmp_path, {"b.py": "x = 1\n", "a/z.py": "", "a/b/c.txt": "hello\n", "A.md": "#\n"})
    workspace = _open(tmp_path)
    assert _paths(workspace) == ["A.md", "a/b/c.txt", "a/z.py", "b.py"]
    assert {f.path: f.size for f in workspace.files}["b.py"] == 6
    assert workspace.root == tmp_path.absolute()
    assert workspace.target.kind == "directory"
    assert workspace.target.name == tmp_path.name
    assert workspace.skipped == ()


def test_gitignored_files_are_not_listed_nor_skipped(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".gitignore": "*.log\nnode_modules/\n",
            "pkg/.gitignore": "!trace.log\n",
            "app.log": "x",
            "pkg/trace.log": "x",
            "node_modules/dep/index.js": "x",
            "main.py": "x",
        },
    )
    workspace = _open(tmp_path)
    assert _paths(workspace) == [".gitignore", "main.py", "pkg/.gitignore", "pkg/trace.log"]
    assert workspace.skipped == ()
    everything = _open(tmp_path, use_gitignore=False)
    assert "app.log" in _paths(everything)
    assert "node_modules/dep/index.js" in _paths(everything)


def test_lockgateignore_and_configured_patterns_apply_even_without_gitignore(
    tmp_path: Path,
) -> None:
    _write(tmp_path, {".lockgateignore": "fixtures/\n", "fixtures/key.pem": "x", "docs/a.md": "x",
                      "src/app.py": "x"})  # fmt: skip
    workspace = _open(tmp_path, use_gitignore=False, extra_ignores=["docs/"])
    assert _paths(workspace) == [".lockgateignore", "src/app.py"]


def test_the_git_directory_is_never_listed(tmp_path: Path) -> None:
    _write(tmp_path, {".git/config": "[core]\n", "sub/.git/HEAD": "ref", "ok.py": ""})
    assert _paths(_open(tmp_path)) == ["ok.py"]


def test_binary_is_decided_by_content_not_extension(tmp_path: Path) -> None:
    _write(tmp_path, {"notes.txt": b"hello\x00world", "data.bin": "api_key = 'abc'\n"})
    workspace = _open(tmp_path)
    assert _paths(workspace) == ["data.bin"]
    assert _skip(workspace, "notes.txt").reason is SkipReason.BINARY


def test_archives_stay_in_scope_with_their_format(tmp_path: Path) -> None:
    import gzip
    import io
    import tarfile
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "x")
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w") as tf:
        info = tarfile.TarInfo("b.txt")
        tf.addfile(info, io.BytesIO(b""))
    _write(
        tmp_path,
        {
            "lib.jar": buf.getvalue(),
            "dist.tgz": gzip.compress(tbuf.getvalue()),
            "plain.tar": tbuf.getvalue(),
            "fake.zip": "just text\n",
        },
    )
    workspace = _open(tmp_path)
    formats = {f.path: f.archive for f in workspace.files}
    assert formats == {"dist.tgz": "gzip", "fake.zip": None, "lib.jar": "zip", "plain.tar": "tar"}
    assert workspace.skipped == ()


def test_files_over_the_size_limit_are_skipped_with_both_sizes(tmp_path: Path) -> None:
    _write(tmp_path, {"big.txt": "a" * 2048, "small.txt": "a" * 1024})
    workspace = _open(tmp_path, max_file_size=1024)
    assert _paths(workspace) == ["small.txt"]
    skip = _skip(workspace, "big.txt")
    assert skip.reason is SkipReason.TOO_LARGE
    assert "2048 bytes" in skip.detail
    assert "1024 bytes" in skip.detail


def test_symlink_loops_are_skipped_and_the_walk_ends(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "f.py").write_text("x\n")
    (tmp_path / "dir" / "up").symlink_to("..")
    workspace = _open(tmp_path)
    assert _skip(workspace, "a").reason is SkipReason.SYMLINK_LOOP
    assert _skip(workspace, "dir/up").reason is SkipReason.SYMLINK_LOOP
    assert _paths(workspace) == ["dir/f.py"]


def test_symlinks_inside_the_tree_are_followed(tmp_path: Path) -> None:
    _write(tmp_path, {"real/conf.py": "x = 1\n"})
    (tmp_path / "alias.py").symlink_to("real/conf.py")
    (tmp_path / "current").symlink_to("real")
    assert _paths(_open(tmp_path)) == ["alias.py", "current/conf.py", "real/conf.py"]


def test_symlinks_resolving_outside_the_tree_are_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _write(outside, {"secret.txt": "AKIA...\n", "dir/x.txt": "y\n"})
    root = tmp_path / "target"
    root.mkdir()
    (root / "leak.txt").symlink_to(outside / "secret.txt")
    (root / "leakdir").symlink_to(outside / "dir")
    (root / "dangling").symlink_to(root / "missing")
    workspace = _open(root)
    assert workspace.files == ()
    assert _skip(workspace, "leak.txt").reason is SkipReason.SYMLINK_OUTSIDE
    assert _skip(workspace, "leakdir").reason is SkipReason.SYMLINK_OUTSIDE
    assert "broken" in _skip(workspace, "dangling").detail


def test_fifos_and_sockets_are_special_files_and_do_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock"))
        workspace = _open(tmp_path)
    assert _skip(workspace, "pipe").reason is SkipReason.SPECIAL_FILE
    assert _skip(workspace, "sock").reason is SkipReason.SPECIAL_FILE
    assert "FIFO" in _skip(workspace, "pipe").detail


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_files_and_directories_are_skipped(tmp_path: Path) -> None:
    _write(tmp_path, {"locked.py": "x", "private/a.py": "x", "open.py": "x"})
    (tmp_path / "locked.py").chmod(0)
    (tmp_path / "private").chmod(0)
    try:
        workspace = _open(tmp_path)
    finally:
        (tmp_path / "private").chmod(0o755)
    assert _paths(workspace) == ["open.py"]
    assert _skip(workspace, "locked.py").reason is SkipReason.UNREADABLE
    assert _skip(workspace, "private").reason is SkipReason.UNREADABLE


def test_a_missing_path_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(SourceError) as raised:
        _open(missing)
    assert str(missing) in raised.value.diagnostics()


def test_a_single_file_target_holds_just_that_file(tmp_path: Path) -> None:
    _write(tmp_path, {"app.py": "x = 1\n", "other.py": "y\n", ".gitignore": "app.py\n"})
    workspace = _open(tmp_path / "app.py")
    assert workspace.root == tmp_path
    assert _paths(workspace) == ["app.py"]
    assert workspace.read_bytes("app.py") == b"x = 1\n"


def test_permission_errors_become_unreadable_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Works as root too: the kernel's refusal is simulated for one file.
    _write(tmp_path, {"locked.py": "x", "open.py": "x"})
    real_open = os.open

    def refusing_open(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("locked.py"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refusing_open)
    workspace = _open(tmp_path)
    assert _paths(workspace) == ["open.py"]
    skip = _skip(workspace, "locked.py")
    assert skip.reason is SkipReason.UNREADABLE
    assert "Permission denied" in skip.detail
