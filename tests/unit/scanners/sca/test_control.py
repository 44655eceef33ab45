"""The vulnerability control as users meet it: one finding per component and advisory,
fixes, severity, locations, VEX, and clear failures without data."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from lockgate.model import ErrorKind, FindingKind, Severity, SkipReason, Stage, TargetRef
from lockgate.scanners.interface import ControlFailure, ControlOutput, ScanContext
from lockgate.scanners.sca.control import ScaControl
from lockgate.services.advisories import import_advisories
from lockgate.sources.interface import FileInfo, Workspace

CRITICAL_V3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
MEDIUM_V3 = "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:N/A:N"


def osv(
    ident: str,
    ecosystem: str,
    name: str,
    events: list[dict[str, str]],
    *,
    aliases: tuple[str, ...] = (),
    vector: str | None = None,
    severity: str | None = None,
    summary: str = "",
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": ident,
        "modified": "2024-01-01T00:00:00Z",
        "aliases": list(aliases),
        "summary": summary or f"{ident} in {name}",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
    }
    if vector:
        record["severity"] = [{"type": "CVSS_V3", "score": vector}]
    if severity:
        record["database_specific"] = {"severity": severity, "cwe_ids": ["CWE-89"]}
    return record


RECORDS = [
    # One vulnerability published twice (GHSA and PYSEC): one finding.
    osv(
        "GHSA-aaaa-bbbb-cccc",
        "PyPI",
        "Django",
        [{"introduced": "3.2"}, {"fixed": "3.2.5"}],
        aliases=("CVE-2021-0001", "PYSEC-2021-1"),
        vector=CRITICAL_V3,
        severity="CRITICAL",
        summary="SQL injection in QuerySet.order_by",
    ),
    osv(
        "PYSEC-2021-1",
        "PyPI",
        "django",
        [{"introduced": "3.2"}, {"fixed": "3.2.5"}],
        aliases=("CVE-2021-0001", "GHSA-aaaa-bbbb-cccc"),
    ),
    osv(
        "PYSEC-2021-2",
        "PyPI",
        "django",
        [{"introduced": "0"}, {"fixed": "3.2.4"}],
        aliases=("CVE-2021-0002",),
        vector=MEDIUM_V3,
    ),
    osv("PYSEC-2020-9", "PyPI", "PyYAML", [{"introduced": "0"}, {"fixed": "5.4"}], severity="HIGH"),
    osv(
        "GHSA-nnnn-pppp-qqqq",
        "npm",
        "lodash",
        [{"introduced": "0"}, {"fixed": "4.17.12"}],
        vector=CRITICAL_V3,
    ),
    osv(
        "GHSA-qqqq-rrrr-ssss",
        "npm",
        "minimist",
        [{"introduced": "0"}, {"fixed": "1.2.6"}],
        severity="MODERATE",
    ),
    # No fix published.
    osv("PYSEC-2022-7", "PyPI", "abandoned", [{"introduced": "0"}]),
    # A RustSec notice, not a vulnerability.
    {
        **osv("RUSTSEC-2021-0127", "crates.io", "serde_cbor", [{"introduced": "0.0.0-0"}]),
        "affected": [
            {
                "package": {"ecosystem": "crates.io", "name": "serde_cbor"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}]}],
                "database_specific": {"informational": "unmaintained"},
            }
        ],
    },
]

PACKAGE_LOCK = {
    "name": "web",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {"name": "web", "version": "1.0.0", "dependencies": {"lodash": "^4.17.11"}},
        "node_modules/lodash": {"version": "4.17.11", "dependencies": {"minimist": "^1.2.0"}},
        "node_modules/minimist": {"version": "1.2.0"},
    },
}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("osv")
    for record in RECORDS:
        (root / f"{record['id']}.json").write_text(json.dumps(record))
    db = root / "advisories.sqlite3"
    import_advisories(root, db)
    return db


def workspace(root: Path, files: dict[str, str]) -> Workspace:
    infos = []
    for name, text in sorted(files.items()):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        infos.append(FileInfo(path=name, size=len(text)))
    return Workspace(root=root, target=TargetRef(kind="directory", name="t"), files=tuple(infos))


def run(ws: Workspace, **options: object) -> ControlOutput:
    control = ScaControl()
    files = tuple(f for f in ws.files if control.applies_to(f.path, f))
    context = ScanContext(workspace=ws, files=files, options=options, cancel=threading.Event())
    return control.scan(context)


REQUIREMENTS = "# app\nDjango==3.2.0\nPyYAML==5.3\nabandoned==1.0\nrequests>=2\nsafe==1.0\n"


def test_one_finding_per_component_and_vulnerability_with_fix_and_location(
    database: Path, tmp_path: Path
) -> None:
    out = run(workspace(tmp_path, {"requirements.txt": REQUIREMENTS}), db=str(database))
    by_rule = {f.rule_id: f for f in out.findings}
    assert sorted(by_rule) == [
        "osv/PYSEC-2020-9",
        "osv/PYSEC-2021-1",
        "osv/PYSEC-2021-2",
        "osv/PYSEC-2022-7",
    ]
    sql = by_rule["osv/PYSEC-2021-1"]
    assert sql.kind is FindingKind.VULNERABILITY
    assert sql.stage is Stage.BUILD
    assert sql.severity is Severity.CRITICAL
    assert set(sql.identifiers) == {"PYSEC-2021-1", "GHSA-aaaa-bbbb-cccc", "CVE-2021-0001"}
    assert sql.location is not None
    assert (sql.location.path, sql.location.start_line) == ("requirements.txt", 2)
    assert sql.component is not None and sql.component.purl == "pkg:pypi/django@3.2.0"
    assert sql.prop("installed_version") == "3.2.0"
    assert sql.prop("fix") == "3.2.5"
    assert sql.prop("cvss_score") == "9.8"
    assert "3.2.5" in sql.remediation
    assert "CWE-89" in sql.cwe
    assert by_rule["osv/PYSEC-2021-2"].severity is Severity.MEDIUM
    assert by_rule["osv/PYSEC-2020-9"].severity is Severity.HIGH  # database severity
    assert by_rule["osv/PYSEC-2022-7"].prop("fix") is None
    assert "No fixed version" in by_rule["osv/PYSEC-2022-7"].remediation
    # Unpinned requirements are reported, never silently ignored.
    unpinned = [s for s in out.skipped if s.reason is SkipReason.UNPINNED]
    assert any("requests" in s.detail for s in unpinned)
    # The inventory travels with the result (SBOM input).
    assert {c.name for c in out.components} >= {"Django", "PyYAML", "abandoned", "safe"}
    assert out.data_versions and out.data_versions[0][0] == "advisory-db"


def test_fingerprint_survives_an_upgrade_to_another_vulnerable_version(
    database: Path, tmp_path: Path
) -> None:
    first = run(
        workspace(tmp_path / "a", {"requirements.txt": "Django==3.2.0\n"}), db=str(database)
    )
    second = run(
        workspace(tmp_path / "b", {"requirements.txt": "\n\nDjango==3.2.3\n"}), db=str(database)
    )
    assert {f.fingerprint for f in first.findings} == {f.fingerprint for f in second.findings}


def test_npm_direct_and_transitive_with_dependency_path(database: Path, tmp_path: Path) -> None:
    files = {
        "web/package-lock.json": json.dumps(PACKAGE_LOCK, indent=2),
        "web/package.json": json.dumps(
            {"name": "web", "version": "1.0.0", "dependencies": {"lodash": "^4.17.11"}}
        ),
    }
    out = run(workspace(tmp_path, files), db=str(database))
    by_name = {f.component.name: f for f in out.findings if f.component}
    assert by_name["lodash"].prop("direct") == "true"
    assert by_name["lodash"].severity is Severity.CRITICAL
    assert by_name["minimist"].prop("direct") == "false"
    assert by_name["minimist"].prop("dependency_path") == "lodash > minimist"
    assert by_name["minimist"].location is not None
    assert by_name["minimist"].location.path == "web/package-lock.json"


def test_vex_not_affected_suppresses_with_the_justification(database: Path, tmp_path: Path) -> None:
    vex = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.invalid/vex/1",
        "author": "security@example.invalid",
        "timestamp": "2024-01-01T00:00:00Z",
        "version": 1,
        "statements": [
            {
                "vulnerability": {"name": "CVE-2021-0001"},
                "products": [{"@id": "pkg:pypi/django"}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path",
            }
        ],
    }
    (tmp_path / "vex.json").write_text(json.dumps(vex))
    out = run(
        workspace(tmp_path / "app", {"requirements.txt": "Django==3.2.0\n"}),
        db=str(database),
        vex=[str(tmp_path / "vex.json")],
    )
    sql = next(f for f in out.findings if f.rule_id == "osv/PYSEC-2021-1")
    assert sql.prop("suppressed") is not None
    assert "vulnerable_code_not_in_execute_path" in (sql.prop("suppressed") or "")
    other = next(f for f in out.findings if f.rule_id == "osv/PYSEC-2021-2")
    assert other.prop("suppressed") is None


def test_missing_database_is_a_data_failure_that_says_how_to_get_data(tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"requirements.txt": "Django==3.2.0\n"})
    with pytest.raises(ControlFailure) as info:
        run(ws, db=str(tmp_path / "nowhere.sqlite3"))
    assert info.value.kind is ErrorKind.DATA
    assert "lockgate db update" in str(info.value) + info.value.detail


def test_no_manifest_needs_no_database(tmp_path: Path) -> None:
    out = run(workspace(tmp_path, {"app.py": "print(1)\n"}), db=str(tmp_path / "none.sqlite3"))
    assert out.findings == ()
    assert out.errors == ()


def test_a_malformed_lockfile_is_a_located_error_and_the_rest_is_scanned(
    database: Path, tmp_path: Path
) -> None:
    files = {"requirements.txt": "Django==3.2.0\n", "broken/package-lock.json": '{"lockfile'}
    out = run(workspace(tmp_path, files), db=str(database))
    assert [e.path for e in out.errors] == ["broken/package-lock.json"]
    assert out.errors[0].kind is ErrorKind.INPUT
    assert {f.rule_id for f in out.findings} >= {"osv/PYSEC-2021-1"}


CARGO_LOCK = """\
version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["serde_cbor"]

[[package]]
name = "serde_cbor"
version = "0.11.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
"""


def test_rustsec_notices_are_informational_not_blocking(database: Path, tmp_path: Path) -> None:
    out = run(workspace(tmp_path, {"Cargo.lock": CARGO_LOCK}), db=str(database))
    [notice] = out.findings
    assert notice.rule_id == "osv/RUSTSEC-2021-0127"
    assert notice.severity is Severity.INFO
    assert notice.prop("informational") == "unmaintained"
    assert "[unmaintained]" in notice.title
