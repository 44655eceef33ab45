"""``lockgate import``: other tools' reports through lockgate's gate and outputs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import Result
from tests.helpers.schemas import validate_native, validate_sarif

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "importers"


def _raw_secrets() -> list[str]:
    text = (FIXTURES / "gitleaks" / "report.json").read_text()
    return [s for s in re.findall(r'"Secret":\s*"([^"]+)"', text) if len(s) >= 8]


def test_a_gitleaks_report_blocks_and_never_shows_the_secret(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    sarif = tmp_path / "out.sarif"
    native = tmp_path / "out.json"
    result = cli(
        "import",
        str(FIXTURES / "gitleaks" / "report.json"),
        "--branch",
        "feature/x",
        "--format",
        "table",
        "--format",
        f"sarif={sarif}",
        "--format",
        f"json={native}",
        "--color",
        "never",
    )
    assert result.code == 1  # a committed credential blocks on every branch
    assert "gitleaks/" in result.out
    validate_sarif(json.loads(sarif.read_text()))
    validate_native(json.loads(native.read_text()))
    everything = result.out + result.err + sarif.read_text() + native.read_text()
    secrets = _raw_secrets()
    assert secrets
    for secret in secrets:
        assert secret not in everything


def test_several_reports_at_once_and_detection(cli: Callable[..., Result], tmp_path: Path) -> None:
    native = tmp_path / "out.json"
    result = cli(
        "import",
        str(FIXTURES / "trivy" / "fs.json"),
        str(FIXTURES / "zap" / "report.json"),
        str(FIXTURES / "checkov" / "report.json"),
        "--branch",
        "main",
        "--format",
        f"json={native}",
    )
    assert result.code in (0, 1)
    document = json.loads(native.read_text())
    validate_native(document)
    controls = {r["control_id"] for r in document["report"]["results"]}
    assert {"import-trivy", "import-zap", "import-checkov"} <= controls
    stages = {r["stage"] for r in document["report"]["results"]}
    assert {"build", "test", "deploy"} <= stages


def test_an_unreadable_report_is_a_usage_error_naming_the_file(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"Results": [')
    result = cli("import", str(broken))
    assert result.code == 2
    assert "broken.json" in result.err
    unknown = cli("import", str(broken), "--tool", "nosuchtool")
    assert unknown.code == 2
