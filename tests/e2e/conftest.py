"""Helpers for running the CLI as a user would, in-process or as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from lockgate.cli.main import main
from lockgate.engine import registry as registry_module
from lockgate.engine.registry import ControlRegistry

CI_VARIABLES = (
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "JENKINS_URL",
    "TF_BUILD",
    "BITBUCKET_BUILD_NUMBER",
    "GITHUB_HEAD_REF",
    "GITHUB_REF_NAME",
    "CI_COMMIT_BRANCH",
    "BRANCH_NAME",
    "GIT_BRANCH",
    "BUILD_SOURCEBRANCH",
    "BITBUCKET_BRANCH",
)


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No CI variables, no user configuration, a private cache."""
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith("LOCKGATE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``lockgate ARGS`` in-process and capture its exit code and streams."""

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code=code, out=captured.out, err=captured.err)

    return run


@pytest.fixture
def with_controls(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make the CLI use a registry of the given controls instead of the installed ones."""

    def install(*controls: object) -> None:
        registry = ControlRegistry(controls)  # type: ignore[arg-type]
        monkeypatch.setattr(
            registry_module.ControlRegistry,
            "from_entry_points",
            classmethod(lambda cls, group="": registry),
        )

    return install


def run_process(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``lockgate`` executable as a separate process."""
    exe = Path(sys.executable).with_name("lockgate")
    return subprocess.run(
        [str(exe), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Dev",
            "-c",
            "user.email=dev@example.com",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    if result.returncode:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    return root
