"""The secrets control on a corpus written by this project, with expected findings per file:
planted credentials in realistic files, and decoys (placeholders, environment lookups,
documentation examples) that must stay quiet."""

from __future__ import annotations

import threading
import tomllib
from pathlib import Path

import pytest

from lockgate.scanners.interface import ScanContext
from lockgate.scanners.secrets.control import SecretsControl
from lockgate.sources.filesystem import FilesystemSource

CORPUS = Path(__file__).parent / "secrets"


@pytest.mark.parametrize("engine", ["hyperscan", "re"])
def test_secrets_corpus_gives_exactly_the_expected_findings(engine: str, tmp_path: Path) -> None:
    if engine == "hyperscan":
        pytest.importorskip("hyperscan")
    expected = tomllib.loads((CORPUS / "expected.toml").read_text())
    with FilesystemSource(CORPUS / "files", use_gitignore=False).open() as workspace:
        context = ScanContext(
            workspace=workspace,
            files=workspace.files,
            options={"engine": engine},
            cache_dir=tmp_path,
            cancel=threading.Event(),
        )
        output = SecretsControl().scan(context)
    found: dict[str, list[str]] = {}
    suppressed: dict[str, list[str]] = {}
    for finding in output.findings:
        assert finding.location is not None
        key = f"{finding.location.start_line}:{finding.rule_id.removeprefix('secrets/')}"
        found.setdefault(finding.location.path, []).append(key)
        if finding.prop("suppressed"):
            suppressed.setdefault(finding.location.path, []).append(key)
    assert {k: sorted(v) for k, v in found.items()} == {
        k: sorted(v) for k, v in expected["files"].items()
    }
    assert suppressed == expected["suppressed"]
    assert not output.errors
