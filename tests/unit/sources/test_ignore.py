"""Ignore rules follow git: nested .gitignore files, negation, no re-inclusion below an
ignored directory, plus .lockgateignore and configured patterns."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.sources.ignore import IgnoreRules
from tests.unit.sources import Repo, isolate_git


def _tree(root: Path, files: dict[str, str]) -> None:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)


def test_patterns_and_negation(tmp_path: Path) -> None:
    _tree(tmp_path, {".gitignore": "*.log\n!keep.log\nbuild/\n/top.txt\n"})
    rules = IgnoreRules(tmp_path)
    assert rules.is_ignored("debug.log")
    assert rules.is_ignored("deep/in/side.log")
    assert not rules.is_ignored("keep.log")
    assert rules.is_ignored("build", is_dir=True)
    assert rules.is_ignored("build/out.js")
    assert not rules.is_ignored("build")  # a file named build: dir-only pattern
    assert rules.is_ignored("top.txt")
    assert not rules.is_ignored("sub/top.txt")  # anchored to the directory of the file
    assert not rules.is_ignored("main.py")


def test_nested_gitignore_applies_below_its_directory_and_overrides_its_parent(
    tmp_path: Path,
) -> None:
    _tree(tmp_path, {".gitignore": "*.tmp\n", "pkg/.gitignore": "!wanted.tmp\nlocal/\n"})
    rules = IgnoreRules(tmp_path)
    assert rules.is_ignored("a.tmp")
    assert rules.is_ignored("pkg/other.tmp")
    assert not rules.is_ignored("pkg/wanted.tmp")
    assert rules.is_ignored("wanted.tmp")  # the negation only holds inside pkg/
    assert rules.is_ignored("pkg/local/x.py")
    assert not rules.is_ignored("local/x.py")


def test_nothing_below_an_ignored_directory_can_be_re_included(tmp_path: Path) -> None:
    _tree(tmp_path, {".gitignore": "vendor/\n!vendor/keep.py\nlib/**\n!lib/keep.py\n"})
    rules = IgnoreRules(tmp_path)
    assert rules.is_ignored("vendor/keep.py")
    # ``lib/**`` ignores what is inside lib, not lib itself, so a negation works (as in git).
    assert not rules.is_ignored("lib/keep.py")
    assert rules.is_ignored("lib/other.py")


def test_lockgateignore_root_and_nested_and_can_re_include_what_git_ignores(
    tmp_path: Path,
) -> None:
    _tree(
        tmp_path,
        {
            ".gitignore": ".env\n",
            ".lockgateignore": "fixtures/\n!.env\n",
            "svc/.lockgateignore": "*.snap\n",
        },
    )
    rules = IgnoreRules(tmp_path)
    assert rules.is_ignored("fixtures/fake_key.pem")
    assert rules.is_ignored("svc/ui.snap")
    assert not rules.is_ignored("ui.snap")
    assert not rules.is_ignored(".env")
    only_lockgate = IgnoreRules(tmp_path, file_names=(".lockgateignore",))
    assert only_lockgate.is_ignored("fixtures/a")
    assert not only_lockgate.is_ignored(".env")


def test_configured_patterns_decide_before_the_files(tmp_path: Path) -> None:
    _tree(tmp_path, {".gitignore": "secrets.env\n"})
    rules = IgnoreRules(tmp_path, extra_patterns=["docs/", "!secrets.env"])
    assert rules.is_ignored("docs/index.md")
    assert not rules.is_ignored("secrets.env")


def test_dot_git_is_always_ignored(tmp_path: Path) -> None:
    rules = IgnoreRules(tmp_path)
    assert rules.is_ignored(".git/config")
    assert rules.is_ignored("vendor/lib/.git/HEAD")


def test_agrees_with_git_on_a_tree_with_nested_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git(monkeypatch)
    repo = Repo.init(tmp_path / "r")
    files = {
        ".gitignore": "*.log\n!important.log\nout/\ndocs/**/gen\ntmp*\n!tmpl.txt\n/root-only.txt\n",
        "a/.gitignore": "!debug.log\n*.bak\nnested/\n",
        "a/b/.gitignore": "!keep.bak\n",
        "app.log": "", "important.log": "", "a/debug.log": "", "a/b/debug.log": "",
        "a/x.bak": "", "a/b/keep.bak": "", "a/b/other.bak": "", "out/bin.txt": "",
        "a/out/bin.txt": "", "docs/api/gen/x.md": "", "docs/gen/y.md": "", "docs/ok.md": "",
        "tmpfile": "", "tmpl.txt": "", "a/tmpdir/z": "", "root-only.txt": "",
        "a/root-only.txt": "", "a/nested/n.txt": "", "src/main.py": "",
    }  # fmt: skip
    _tree(repo.root, files)
    listed = repo.git("ls-files", "-o", "--exclude-standard").split()
    rules = IgnoreRules(repo.root, file_names=(".gitignore",))
    ours = sorted(p for p in files if not rules.is_ignored(p))
    assert ours == sorted(listed)


def test_unreadable_ignore_files_widen_the_scan(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").mkdir()  # not a file: read as no patterns
    assert not IgnoreRules(tmp_path).is_ignored("anything.log")
