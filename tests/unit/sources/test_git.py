"""Git sources: the working tree, the index, a diff range and a baseline tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.errors import ToolError
from lockgate.model import SkipReason
from lockgate.sources.git import (
    BaselineTreeSource,
    DiffRangeSource,
    GitRepo,
    GitWorkingTreeSource,
    StagedSource,
    parse_changed_lines,
    sanitize_remote_url,
)
from lockgate.sources.interface import SourceError, Workspace
from tests.unit.sources import Repo, isolate_git


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo.init(tmp_path / "project")


def _paths(workspace: Workspace) -> list[str]:
    return [f.path for f in workspace.files]


# -- GitRepo -------------------------------------------------------------------------------


def test_discover_finds_the_top_from_a_subdirectory_or_file(repo: Repo) -> None:
    repo.write("src/app.py", "x\n")
    for start in (repo.root, repo.root / "src", repo.root / "src" / "app.py"):
        found = GitRepo.discover(start)
        assert found is not None
        assert found.root == repo.root


def test_discover_outside_git_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "plain").mkdir()
    assert GitRepo.discover(tmp_path / "plain") is None


def test_head_and_branch_in_a_new_repository_and_when_detached(repo: Repo) -> None:
    git = GitRepo(repo.root)
    assert git.head() is None
    assert git.current_branch() == "main"
    first = repo.commit("first")
    repo.commit("second")
    assert git.head() == repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "--detach", first)
    assert git.head() == first
    assert git.current_branch() is None


def test_a_bad_ref_is_an_unknown_revision(repo: Repo) -> None:
    repo.commit("first")
    git = GitRepo(repo.root)
    for ref in ("nope", "--output=/tmp/x", ""):
        with pytest.raises(SourceError, match=f"unknown revision '{ref}'"):
            git.merge_base(ref)


def test_git_failures_name_the_repository_and_what_git_said(repo: Repo) -> None:
    with pytest.raises(ToolError) as raised:
        GitRepo(repo.root).run(["cat-file", "-p", "no-such-object"])
    assert str(repo.root) in raised.value.diagnostics()
    assert "no-such-object" in raised.value.message


def test_remote_url_has_credentials_stripped(repo: Repo) -> None:
    git = GitRepo(repo.root)
    assert git.remote_url() is None
    repo.git("remote", "add", "upstream", "https://example.com/up.git")
    repo.git("remote", "add", "origin", "https://ci:ghp_secret@github.com/acme/app.git")
    assert git.remote_url() == "https://github.com/acme/app.git"


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://user:token@host.example/x.git", "https://host.example/x.git"),
        ("https://glpat-abc@gitlab.example/g/p.git?x=1", "https://gitlab.example/g/p.git"),
        ("ssh://git@host.example:22/org/repo.git", "ssh://git@host.example:22/org/repo.git"),
        ("ssh://git:pw@host.example/org/repo.git", "ssh://host.example/org/repo.git"),
        ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
        ("/srv/git/repo.git", "/srv/git/repo.git"),
    ],
)
def test_sanitize_remote_url(url: str, clean: str) -> None:
    assert sanitize_remote_url(url) == clean


def test_ls_files_is_tracked_plus_untracked_not_ignored(repo: Repo) -> None:
    repo.write(".gitignore", "*.log\n")
    repo.write("tracked.py", "x\n")
    repo.commit("first")
    repo.write("new.py", "y\n")
    repo.write("noise.log", "z\n")
    assert GitRepo(repo.root).ls_files() == (".gitignore", "new.py", "tracked.py")


def test_parse_changed_lines_reads_only_hunk_headers_for_line_numbers() -> None:
    patch = b"\n".join(
        [
            b"diff --git a/a.py b/a.py",
            b"--- a/a.py",
            b"+++ b/a.py",
            b"@@ -2 +2 @@",
            b"-old",
            b"+new",
            b"@@ -10,0 +11,3 @@",
            b"+++ b/not-a-header.py",  # an added line that looks like a header
            b"+x",
            b"+y",
            b"\\ No newline at end of file",
            b"@@ -20,2 +22,0 @@",
            b"-gone",
            b"-gone too",
            b'diff --git "a/sp ace\\tt.py" "b/sp ace\\tt.py"',
            b"new file mode 100644",
            b"--- /dev/null",
            b'+++ "b/sp ace\\tt.py"',
            b"@@ -0,0 +1,2 @@",
            b"+a",
            b"+b",
            b"diff --git a/gone.py b/gone.py",
            b"--- a/gone.py",
            b"+++ /dev/null",
            b"@@ -1 +0,0 @@",
            b"-x",
        ]
    )
    assert parse_changed_lines(patch) == {
        "a.py": frozenset({2, 11, 12, 13}),
        "sp ace\tt.py": frozenset({1, 2}),
    }


# -- the working tree ----------------------------------------------------------------------


def test_working_tree_lists_what_git_knows_as_on_disk(repo: Repo) -> None:
    repo.write(".gitignore", "*.log\nbuild/\n")
    repo.write(".lockgateignore", "fixtures/\n")
    repo.write("app.py", "committed\n")
    repo.write("gone.py", "will be deleted\n")
    repo.write("fixtures/key.pem", "fake\n")
    repo.write("image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    sha = repo.commit("first")
    repo.git("remote", "add", "origin", "https://bot:tok@example.com/acme/project.git")
    repo.write("app.py", "edited in the working tree\n")
    repo.write("untracked.py", "new\n")
    repo.write("debug.log", "ignored\n")
    repo.write("build/out.js", "ignored\n")
    (repo.root / "gone.py").unlink()
    with GitWorkingTreeSource(repo.root).open() as workspace:
        assert _paths(workspace) == [".gitignore", ".lockgateignore", "app.py", "untracked.py"]
        assert workspace.read_bytes("app.py") == b"edited in the working tree\n"
        assert [(s.path, s.reason) for s in workspace.skipped] == [("image.png", SkipReason.BINARY)]
        assert workspace.root == repo.root
        assert workspace.repository == repo.root
        target = workspace.target
        assert (target.kind, target.name, target.commit, target.branch) == (
            "git", "project", sha, "main",
        )  # fmt: skip
        assert target.repository == "https://example.com/acme/project.git"


def test_working_tree_of_a_subdirectory_keeps_paths_relative_to_the_top(repo: Repo) -> None:
    repo.write("svc/api/main.py", "x\n")
    repo.write("svc/web/app.js", "y\n")
    repo.commit("first")
    with GitWorkingTreeSource(repo.root / "svc" / "api").open() as workspace:
        assert _paths(workspace) == ["svc/api/main.py"]
        assert workspace.root == repo.root


def test_working_tree_outside_git_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a git repository"):  # noqa: SIM117
        with GitWorkingTreeSource(tmp_path).open():
            pass


# -- staged changes ------------------------------------------------------------------------


def test_staged_scans_the_index_not_the_working_tree(repo: Repo) -> None:
    repo.write("config.py", "token = 'placeholder'\n")
    repo.write("other.py", "x = 1\n")
    repo.commit("first")
    repo.write("config.py", "token = 'staged-secret'\n")
    repo.git("add", "config.py")
    repo.write("config.py", "token = 'cleaned up but not staged'\n")
    repo.write("other.py", "x = 2  # modified, not staged\n")
    with StagedSource(repo.root).open() as workspace:
        assert _paths(workspace) == ["config.py"]
        assert workspace.read_bytes("config.py") == b"token = 'staged-secret'\n"
        assert workspace.root != repo.root
        assert workspace.repository == repo.root
        assert workspace.target.kind == "staged"
        materialised = workspace.root
    assert not materialised.exists()


def test_staged_changed_lines_are_the_added_lines(repo: Repo) -> None:
    repo.write("a.py", "one\ntwo\nthree\n")
    repo.commit("first")
    repo.write("a.py", "one\nTWO\nthree\nfour\n")
    repo.write("b.py", "new\nfile\n")
    repo.git("add", "-A")
    with StagedSource(repo.root).open() as workspace:
        assert workspace.changed_lines == {"a.py": frozenset({2, 4}), "b.py": frozenset({1, 2})}
        assert workspace.is_changed("a.py", 2)
        assert not workspace.is_changed("a.py", 1)


def test_staged_works_before_the_first_commit(repo: Repo) -> None:
    repo.write("first.py", "a\nb\n")
    repo.git("add", "first.py")
    with StagedSource(repo.root).open() as workspace:
        assert _paths(workspace) == ["first.py"]
        assert workspace.changed_lines == {"first.py": frozenset({1, 2})}
        assert workspace.target.commit is None
        assert workspace.target.branch == "main"


def test_staged_leaves_out_deletions_and_types_skips(repo: Repo) -> None:
    repo.write("old.py", "x\n")
    repo.write(".lockgateignore", "vendor/\n")
    repo.commit("first")
    repo.git("rm", "-q", "old.py")
    repo.write("blob.dat", b"\x00\x01\x02")
    repo.write("huge.txt", "a" * 5000)
    repo.write("vendor/lib.py", "ignored\n")
    repo.git("add", "-A")
    with StagedSource(repo.root, max_file_size=4096).open() as workspace:
        assert _paths(workspace) == []
        reasons = {s.path: s.reason for s in workspace.skipped}
        assert reasons == {"blob.dat": SkipReason.BINARY, "huge.txt": SkipReason.TOO_LARGE}


def test_staged_outside_git_is_an_error_naming_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(SourceError, match="--staged needs a git repository") as raised:  # noqa: SIM117
        with StagedSource(plain).open():
            pass
    assert raised.value.path == str(plain)


# -- diff ranges ---------------------------------------------------------------------------


def test_diff_range_covers_the_branch_the_working_tree_and_untracked_files(repo: Repo) -> None:
    repo.write("f1.py", "a\nb\n")
    repo.write("f2.py", "a\n")
    repo.write("f3.py", "a\nb\nc\n")
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("f1.py", "a\nB\n")
    repo.commit("feature work")
    repo.git("checkout", "-q", "main")
    repo.write("f2.py", "changed on main\n")
    repo.commit("main moves on")
    repo.git("checkout", "-q", "feature")
    repo.write("f3.py", "a\nb\nc\nd\n")
    repo.write("new.py", "1\n2\n3")
    with DiffRangeSource(repo.root, since="main").open() as workspace:
        assert _paths(workspace) == ["f1.py", "f3.py", "new.py"]
        assert workspace.target.kind == "diff"
        assert workspace.target.base_commit == base
        assert workspace.target.branch == "feature"
        assert workspace.changed_lines == {
            "f1.py": frozenset({2}),
            "f3.py": frozenset({4}),
            "new.py": frozenset({1, 2, 3}),
        }
        assert workspace.read_bytes("f3.py") == b"a\nb\nc\nd\n"


def test_diff_range_with_a_bad_ref_names_it(repo: Repo) -> None:
    repo.commit("first")
    with pytest.raises(SourceError, match="unknown revision 'origin/nope'"):  # noqa: SIM117
        with DiffRangeSource(repo.root, since="origin/nope").open():
            pass


# -- baseline trees ------------------------------------------------------------------------


def test_baseline_tree_holds_the_paths_as_of_a_commit(repo: Repo) -> None:
    repo.write("a.py", "old a\n")
    repo.write("keep.py", "unchanged\n")
    base = repo.commit("base")
    repo.write("a.py", "new a\n")
    repo.write("added.py", "did not exist\n")
    repo.commit("later")
    git = GitRepo(repo.root)
    source = BaselineTreeSource(git, commit=base, paths=["a.py", "added.py", "missing.py"])
    with source.open() as workspace:
        assert _paths(workspace) == ["a.py"]
        assert workspace.read_bytes("a.py") == b"old a\n"
        assert workspace.target.commit == base
        materialised = workspace.root
    assert not materialised.exists()


def test_baseline_tree_of_an_unknown_commit_is_an_error(repo: Repo) -> None:
    repo.commit("first")
    source = BaselineTreeSource(GitRepo(repo.root), commit="deadbeef", paths=["a.py"])
    with pytest.raises(SourceError, match="unknown revision 'deadbeef'"):  # noqa: SIM117
        with source.open():
            pass
