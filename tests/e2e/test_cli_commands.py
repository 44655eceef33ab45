"""init, controls and explain as users run them."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

from tests.e2e.conftest import Result, run_process
from tests.helpers.controls import PatternControl


def test_init_writes_every_adoption_file_and_never_overwrites(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = cli("init", str(tmp_path))
    assert result.code == 0
    for name in (
        "lockgate.toml",
        "SECURITY.md",
        ".pre-commit-config.yaml",
        ".github/workflows/lockgate.yml",
        ".gitlab-ci.yml",
        ".lockgate/exceptions.toml",
    ):
        assert (tmp_path / name).is_file(), name
    tomllib.loads((tmp_path / "lockgate.toml").read_text())
    security = (tmp_path / "SECURITY.md").read_text()
    assert "CRITICAL and above" in security and "main, master, release/*" in security
    workflow = (tmp_path / ".github/workflows/lockgate.yml").read_text()
    assert "upload-sarif@" in workflow and "security-events: write" in workflow
    assert "id: lockgate" in (tmp_path / ".pre-commit-config.yaml").read_text()
    again = cli("init", str(tmp_path))
    assert again.out.count("kept") >= 5


def test_security_md_follows_the_configuration(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "lockgate.toml").write_text(
        '[gate]\nprotected_branches = ["trunk"]\nblock = "HIGH"\n'
    )
    cli("init", str(tmp_path))
    security = (tmp_path / "SECURITY.md").read_text()
    assert "Protected branches: trunk." in security
    assert "every branch: new findings of severity HIGH and above" in security


def test_init_appends_to_an_existing_pre_commit_configuration(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(
        "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n"
        "    hooks:\n      - id: black\n"
    )
    cli("init", str(tmp_path))
    text = config.read_text()
    assert "id: black" in text and "id: lockgate" in text


def test_controls_and_explain(
    cli: Callable[..., Result], with_controls: Callable[..., None]
) -> None:
    with_controls(PatternControl())
    listing = cli("controls")
    assert "pattern" in listing.out and "code" in listing.out
    data = json.loads(cli("controls", "--json").out)
    assert data == [
        {
            "id": "pattern",
            "version": "1.0",
            "stage": "code",
            "kind": "sast",
            "title": "Pattern finder (tests)",
            "rules": 1,
        }
    ]
    explained = cli("explain", "pattern/match")
    assert explained.code == 0 and "CWE-95" in explained.out and "Remove it." in explained.out
    unknown = cli("explain", "pattern/macth")
    assert unknown.code == 2 and "did you mean 'pattern/match'" in unknown.err


def test_installed_controls_are_listed_by_the_real_executable() -> None:
    listing = run_process("controls", "--json")
    assert listing.returncode == 0
    assert "secrets" in {c["id"] for c in json.loads(listing.stdout)}
