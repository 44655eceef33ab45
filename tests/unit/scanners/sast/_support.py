"""Shared helpers of the SAST control tests: a workspace from a dict of files, a control
run, stand-in engine executables."""

from __future__ import annotations

import dataclasses
import stat
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lockgate.model import Finding
from lockgate.scanners.interface import ControlOutput, ScanContext
from lockgate.scanners.sast.control import SastControl
from lockgate.sources.filesystem import FilesystemSource
from lockgate.sources.interface import Workspace
from tests.conftest import REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "sast"
FIXTURE_RULES = FIXTURES / "rules"
USER_RULES = FIXTURES / "user-rules"


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> content) under ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def workspace(root: Path, changed_lines: Mapping[str, frozenset[int]] | None = None) -> Workspace:
    listed = FilesystemSource(root, use_gitignore=False).list()
    return dataclasses.replace(listed, changed_lines=changed_lines)


def scan(
    root: Path,
    *,
    control: SastControl | None = None,
    options: Mapping[str, Any] | None = None,
    changed_lines: Mapping[str, frozenset[int]] | None = None,
    cache_dir: Path | None = None,
) -> ControlOutput:
    """Run the control (fixture rule pack by default) over every file under ``root``."""
    control = control or SastControl(rules_dir=FIXTURE_RULES)
    ws = workspace(root, changed_lines)
    files = tuple(f for f in ws.files if control.applies_to(f.path, f))
    context = ScanContext(
        workspace=ws, files=files, options=dict(options or {}), cache_dir=cache_dir
    )
    return control.scan(context)


def stand_in(directory: Path, name: str, body: str) -> Path:
    """An executable Python script named ``name`` that stands in for an engine."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def at(findings: Sequence[Finding], path: str, line: int) -> list[Finding]:
    """The findings located at ``path:line``."""
    return [
        f
        for f in findings
        if f.location is not None and f.location.path == path and f.location.start_line == line
    ]
