"""Dependencies end to end: db import/status, scan with advisories, SBOMs, fix, scan --sbom."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import Result
from tests.helpers.schemas import validate_cyclonedx, validate_native, validate_spdx

ADVISORIES = REPO_ROOT / "examples" / "advisories"
DEMO_REQUIREMENTS = REPO_ROOT / "examples" / "demo-app" / "requirements.txt"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    shutil.copy(DEMO_REQUIREMENTS, root / "requirements.txt")
    return root


@pytest.fixture
def db(cli: Callable[..., Result], tmp_path: Path) -> Path:
    path = tmp_path / "advisories.sqlite3"
    result = cli("db", "import", str(ADVISORIES), "--db", str(path))
    assert result.code == 0, result.err
    assert "7 new" in result.out
    return path


def test_db_status_names_counts_and_digest(cli: Callable[..., Result], db: Path) -> None:
    status = cli("db", "status", "--db", str(db))
    assert status.code == 0
    assert "PyPI" in status.out
    assert "sha256:" in status.out


def test_vulnerable_pins_block_main_and_report_validates(
    cli: Callable[..., Result], db: Path, app: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    result = cli(
        "scan",
        str(app),
        "--db",
        str(db),
        "--branch",
        "main",
        "--stage",
        "build",
        "--format",
        f"json={report}",
        "--format",
        "table",
        "--color",
        "never",
    )
    assert result.code == 1
    assert "osv/PYSEC-2021-142" in result.out
    document = json.loads(report.read_text())
    validate_native(document)
    findings = [f for r in document["report"]["results"] for f in r.get("findings", [])]
    ids = {f["rule_id"] for f in findings}
    # PyYAML's advisory exists as GHSA and PYSEC records: reported once.
    assert sum(1 for i in ids if "PYSEC-2021-142" in i or "GHSA-8q59" in i) == 1
    sca = next(r for r in document["report"]["results"] if r["control_id"] == "sca")
    assert sca["data_versions"]["advisory-db"].startswith("sha256:")


def test_missing_database_fails_closed_on_main_and_warns_elsewhere(
    cli: Callable[..., Result], app: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "none.sqlite3"
    main = cli("scan", str(app), "--db", str(missing), "--branch", "main", "--stage", "build")
    assert main.code == 1
    assert "lockgate db update" in main.out + main.err
    feature = cli(
        "scan", str(app), "--db", str(missing), "--branch", "feature/x", "--stage", "build"
    )
    assert feature.code == 0


def test_sbom_cyclonedx_and_spdx_validate_and_are_reproducible(
    cli: Callable[..., Result], app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = cli("sbom", str(app), "--format", "cyclonedx")
    second = cli("sbom", str(app), "--format", "cyclonedx")
    assert first.code == 0 and first.out == second.out
    bom = json.loads(first.out)
    validate_cyclonedx(bom)
    assert bom["metadata"]["timestamp"].startswith("2023-11-14T22:13:20")
    assert {c["purl"] for c in bom["components"]} >= {
        "pkg:pypi/pyyaml@5.3",
        "pkg:pypi/django@3.2.0",
    }
    spdx_path = tmp_path / "sbom.spdx.json"
    spdx = cli("sbom", str(app), "--format", "spdx", "-o", str(spdx_path))
    assert spdx.code == 0
    document = json.loads(spdx_path.read_text())
    validate_spdx(document)
    assert document["creationInfo"]["created"] == "2023-11-14T22:13:20Z"


def test_scan_an_existing_sbom(
    cli: Callable[..., Result], db: Path, app: Path, tmp_path: Path
) -> None:
    sbom = tmp_path / "bom.json"
    assert cli("sbom", str(app), "-o", str(sbom)).code == 0
    report = tmp_path / "report.json"
    result = cli(
        "scan",
        "--sbom",
        str(sbom),
        "--db",
        str(db),
        "--branch",
        "main",
        "--format",
        f"json={report}",
    )
    assert result.code == 1
    document = json.loads(report.read_text())
    validate_native(document)
    rules = {f["rule_id"] for r in document["report"]["results"] for f in r.get("findings", [])}
    assert "osv/PYSEC-2021-98" in rules
    assert {r["control_id"] for r in document["report"]["results"] if r["status"] == "ok"} >= {
        "sca"
    }


def test_fix_prints_a_diff_and_apply_writes_only_the_pins(
    cli: Callable[..., Result], db: Path, app: Path
) -> None:
    before = (app / "requirements.txt").read_text()
    shown = cli("fix", str(app), "--db", str(db))
    assert shown.code == 0
    assert "\n-pyyaml==5.3\n" in shown.out and "\n+pyyaml==5.4\n" in shown.out
    assert "+django==3.2.5" in shown.out  # the smallest version fixing both Django advisories
    assert (app / "requirements.txt").read_text() == before
    applied = cli("fix", str(app), "--db", str(db), "--apply")
    assert applied.code == 0
    after = (app / "requirements.txt").read_text()
    assert after.splitlines()[0] == before.splitlines()[0]  # the comment line is untouched
    assert "pyyaml==5.4" in after and "jinja2==2.10.1" in after and "django==3.2.5" in after
    again = cli("fix", str(app), "--db", str(db))
    assert again.out == ""
    assert "no vulnerable dependency" in again.err
