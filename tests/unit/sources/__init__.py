"""Tests of the sources, and helpers that build throwaway git repositories.

Every repository lives under ``tmp_path``; :func:`isolate_git` keeps the user's git
configuration and any ``GIT_*`` variables of an enclosing hook out of both the test's own
git commands and the code under test.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

AUTHOR = ("Ada Lovelace", "ada@example.com")


def isolate_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run git as on a fresh machine: no global or system config, no inherited GIT_* state."""
    for key in list(os.environ):
        if key.startswith("GIT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", AUTHOR[0])
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", AUTHOR[1])
    monkeypatch.setenv("GIT_COMMITTER_NAME", AUTHOR[0])
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", AUTHOR[1])


class Repo:
    """A git repository under construction in a temporary directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._clock = 1_700_000_000

    @classmethod
    def init(cls, root: Path) -> Repo:
        root.mkdir(parents=True, exist_ok=True)
        repo = cls(root)
        repo.git("init", "-q", "-b", "main")
        return repo

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(
            ["git", *args],
            cwd=self.root,
            capture_output=True,
            check=True,
            timeout=30,
            env={**os.environ, **(env or {})},
        )
        return proc.stdout.decode()

    def write(self, path: str, content: str | bytes) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content)
        else:
            target.write_bytes(content)
        return target

    def commit(
        self, message: str, *, author: tuple[str, str] | None = None, add_all: bool = True
    ) -> str:
        """Commit (everything, by default) one simulated minute after the previous commit."""
        if add_all:
            self.git("add", "-A")
        self._clock += 60
        date = f"@{self._clock} +0000"
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        if author is not None:
            env.update(GIT_AUTHOR_NAME=author[0], GIT_AUTHOR_EMAIL=author[1])
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()

    def blob_id(self, rev_path: str) -> str:
        return self.git("rev-parse", rev_path).strip()

    def loose_object(self, oid: str) -> Path:
        path = self.root / ".git" / "objects" / oid[:2] / oid[2:]
        assert path.exists(), f"{oid} is not a loose object"
        path.chmod(0o644)
        return path
