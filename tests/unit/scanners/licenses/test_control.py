"""The license control as users meet it: findings per package and license, policy from
[controls.licenses], licenses of installed packages read from their LICENSE files."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from lockgate.inventory import collect
from lockgate.inventory.collect import Inventory
from lockgate.inventory.interface import component
from lockgate.model import (
    Component,
    Confidence,
    ErrorKind,
    Finding,
    FindingKind,
    Severity,
    SkipReason,
    Stage,
    TargetRef,
)
from lockgate.model.ecosystems import NPM, PACKAGIST, PYPI
from lockgate.model.fingerprint import license_fingerprint
from lockgate.scanners.interface import ControlFailure, ControlOutput, ScanContext
from lockgate.scanners.licenses.control import LicenseControl, installed_directories
from lockgate.sources.interface import FileInfo, Workspace
from tests.conftest import shared_dataset

MIT_TEXT = """MIT License

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction.

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
"""
GPL_3_TEXT = """                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
"""
BSD_3_TEXT = """Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

3. Neither the name of the copyright holder nor the names of its contributors
   may be used to endorse or promote products derived from this software
   without specific prior written permission.
"""
SITE = "venv/lib/python3.12/site-packages"


def workspace(root: Path, files: dict[str, str]) -> Workspace:
    infos = []
    for name, content in sorted(files.items()):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        infos.append(FileInfo(path=name, size=len(content.encode())))
    return Workspace(root=root, target=TargetRef(kind="directory", name="t"), files=tuple(infos))


def run(ws: Workspace, **options: Any) -> ControlOutput:
    control = LicenseControl()
    files = tuple(f for f in ws.files if control.applies_to(f.path, f))
    context = ScanContext(workspace=ws, files=files, options=options, cancel=threading.Event())
    return control.scan(context)


def npm(name: str, version: str, licenses: str | None, line: int = 1) -> Component:
    return component(
        ecosystem=NPM,
        name=name,
        version=version,
        path="package-lock.json",
        line=line,
        licenses=licenses,
    )


@pytest.fixture
def inventory(monkeypatch: pytest.MonkeyPatch) -> list[Component]:
    """Components the (patched) inventory returns, independent of the real parsers."""
    components: list[Component] = []

    def fake(_workspace: Workspace) -> Inventory:
        return Inventory(components=tuple(sorted(components)), files_scanned=1)

    monkeypatch.setattr(collect, "workspace_inventory", fake)
    return components


def by_name(findings: Sequence[Finding]) -> dict[str, Finding]:
    out = {}
    for f in findings:
        assert f.component is not None
        out[f.component.name] = f
    return out


def test_default_policy_reviews_copyleft_and_reports_unknown(
    tmp_path: Path, inventory: list[Component]
) -> None:
    inventory += [
        npm("copyleft-lib", "1.0.0", "GPL-3.0-or-later", line=12),
        npm("server-lib", "2.0.0", "AGPL-3.0-only", line=20),
        npm("mystery", "0.1.0", "Acme Corp Source License", line=30),
        npm("permissive", "1.0.0", "MIT", line=40),
        npm("dual", "1.0.0", "MIT OR GPL-3.0-only", line=50),
        npm("weak", "1.0.0", "LGPL-2.1-only", line=60),
    ]
    ws = workspace(tmp_path, {"package-lock.json": "{}"})
    out = run(ws)
    found = by_name(out.findings)
    assert sorted(found) == ["copyleft-lib", "mystery", "server-lib"]

    copyleft = found["copyleft-lib"]
    assert copyleft.rule_id == "licenses/review" and copyleft.severity is Severity.MEDIUM
    assert copyleft.kind is FindingKind.LICENSE and copyleft.stage is Stage.BUILD
    assert "copyleft-lib 1.0.0" in copyleft.title and "GPL-3.0-or-later" in copyleft.title
    assert copyleft.location is not None
    assert (copyleft.location.path, copyleft.location.start_line) == ("package-lock.json", 12)
    assert copyleft.prop("license") == "GPL-3.0-or-later"
    assert copyleft.prop("category") == "strong-copyleft"
    assert copyleft.prop("raw_license") == "GPL-3.0-or-later"
    assert copyleft.fingerprint == license_fingerprint(
        purl_without_version="pkg:npm/copyleft-lib", license_id="GPL-3.0-or-later"
    )
    assert copyleft.references == ("https://spdx.org/licenses/GPL-3.0-or-later.html",)
    assert copyleft.remediation

    assert found["server-lib"].prop("category") == "network-copyleft"
    mystery = found["mystery"]
    assert mystery.rule_id == "licenses/unknown" and mystery.severity is Severity.LOW
    assert "Acme Corp Source License" in mystery.title
    assert mystery.prop("license") == "LicenseRef-lockgate-Acme-Corp-Source-License"
    assert out.files_scanned == 1


def test_deny_and_allow_lists(tmp_path: Path, inventory: list[Component]) -> None:
    inventory += [
        npm("copyleft-lib", "1.0.0", "GPL-3.0-or-later"),
        npm("permissive", "1.0.0", "MIT"),
        npm("isc-lib", "1.0.0", "ISC"),
    ]
    ws = workspace(tmp_path, {"package-lock.json": "{}"})
    denied = by_name(run(ws, deny=["GPL-*"]).findings)
    assert denied["copyleft-lib"].rule_id == "licenses/denied"
    assert denied["copyleft-lib"].severity is Severity.HIGH
    assert "'GPL-*'" in (denied["copyleft-lib"].prop("reason") or "")
    assert "permissive" not in denied

    allowed = by_name(run(ws, allow=["MIT", "Apache-2.0"]).findings)
    assert sorted(allowed) == ["copyleft-lib", "isc-lib"]
    assert allowed["isc-lib"].rule_id == "licenses/not-allowed"
    assert allowed["isc-lib"].severity is Severity.HIGH
    assert "not on the allow list" in allowed["isc-lib"].title


def test_unknown_licenses_follow_the_configured_severity(
    tmp_path: Path, inventory: list[Component]
) -> None:
    inventory.append(npm("mystery", "0.1.0", "Acme Corp Source License"))
    ws = workspace(tmp_path, {"package-lock.json": "{}"})
    assert run(ws, unknown="high").findings[0].severity is Severity.HIGH
    assert run(ws, unknown="none").findings == []


def test_guessed_license_names_are_reported_with_lower_confidence(
    tmp_path: Path, inventory: list[Component]
) -> None:
    inventory.append(npm("old-lib", "1.0.0", "GPL"))
    ws = workspace(tmp_path, {"package-lock.json": "{}"})
    (finding,) = run(ws).findings
    assert finding.prop("license") == "GPL-1.0-or-later"
    assert finding.prop("approximate") == "true"
    assert finding.confidence is Confidence.MEDIUM
    assert "does not say which version" in finding.description


def test_one_finding_per_package_and_license_across_versions_and_manifests(
    tmp_path: Path, inventory: list[Component]
) -> None:
    inventory += [
        npm("copyleft-lib", "1.0.0", "GPL-3.0-only"),
        component(
            ecosystem=NPM,
            name="copyleft-lib",
            version="1.2.0",
            path="web/package-lock.json",
            licenses="GPL-3.0",
        ),
        npm("relicensed", "1.0.0", "GPL-3.0-only"),
        component(
            ecosystem=NPM,
            name="relicensed",
            version="2.0.0",
            path="web/package-lock.json",
            licenses="AGPL-3.0-only",
        ),
    ]
    ws = workspace(tmp_path, {"package-lock.json": "{}", "web/package-lock.json": "{}"})
    findings = run(ws).findings
    assert len(findings) == 3
    merged = [f for f in findings if f.component and f.component.name == "copyleft-lib"]
    assert len(merged) == 1
    assert merged[0].prop("versions") == "1.0.0, 1.2.0"
    assert merged[0].prop("also_in") == "web/package-lock.json"
    assert len({f.fingerprint for f in findings}) == 3


def test_an_installed_python_package_without_a_license_is_read_from_its_license_file(
    tmp_path: Path, inventory: list[Component]
) -> None:
    dist = f"{SITE}/gplpkg-2.0.dist-info"
    inventory.append(
        component(
            ecosystem=PYPI, name="gplpkg", version="2.0", path=f"{dist}/METADATA", licenses=None
        )
    )
    ws = workspace(
        tmp_path,
        {
            f"{dist}/METADATA": "Metadata-Version: 2.1\nName: gplpkg\nVersion: 2.0\n",
            f"{dist}/licenses/COPYING": GPL_3_TEXT,
            "LICENSE": MIT_TEXT,
        },
    )
    (finding,) = run(ws).findings
    assert finding.prop("license") == "GPL-3.0-only"
    assert finding.prop("license_source") == f"license file in {dist}/"
    assert finding.confidence is Confidence.MEDIUM
    assert finding.prop("raw_license") is None


def test_an_npm_package_is_read_from_node_modules_when_its_license_is_unknown(
    tmp_path: Path, inventory: list[Component]
) -> None:
    inventory += [
        npm("see-file", "1.0.0", "SEE LICENSE IN LICENSE"),
        npm("@scope/bsd", "1.0.0", None),
        npm("absent", "1.0.0", "SEE LICENSE IN LICENSE"),
    ]
    ws = workspace(
        tmp_path,
        {
            "package-lock.json": "{}",
            "node_modules/see-file/LICENSE": MIT_TEXT,
            "node_modules/@scope/bsd/LICENSE.md": BSD_3_TEXT,
        },
    )
    out = run(ws, review=["BSD-3-Clause"])
    found = by_name(out.findings)
    assert sorted(found) == ["@scope/bsd", "absent"]
    assert found["@scope/bsd"].prop("license") == "BSD-3-Clause"
    assert found["absent"].rule_id == "licenses/unknown"
    assert found["absent"].prop("license") == "LicenseRef-lockgate-SEE-LICENSE-IN-LICENSE"
    assert out.files_scanned == 1 + 2


def test_components_without_license_data_are_listed_as_skipped(
    tmp_path: Path, inventory: list[Component]
) -> None:
    inventory += [
        component(ecosystem=PYPI, name="flask", version="3.0.0", path="requirements.txt"),
        component(ecosystem=PYPI, name="rich", version="13.0.0", path="requirements.txt"),
        component(
            ecosystem=PYPI,
            name="rich",
            version="13.0.0",
            path=f"{SITE}/rich-13.0.0.dist-info/METADATA",
            licenses="MIT",
        ),
    ]
    ws = workspace(tmp_path, {"requirements.txt": "flask==3.0.0\nrich==13.0.0\n"})
    out = run(ws)
    assert out.findings == []
    (skipped,) = out.skipped
    assert skipped.path == "requirements.txt" and skipped.reason is SkipReason.OTHER
    assert skipped.detail.startswith("1 component(s) without license data")


def test_bad_options_fail_the_control_with_the_reason(
    tmp_path: Path, inventory: list[Component]
) -> None:
    ws = workspace(tmp_path, {"package-lock.json": "{}"})
    with pytest.raises(ControlFailure, match=r"\[controls.licenses\] has no option 'alow'") as info:
        run(ws, alow=["MIT"])
    assert info.value.kind is ErrorKind.INPUT
    with pytest.raises(ControlFailure, match="did you mean 'MIT'"):
        run(ws, deny=["MTI"])


def test_the_control_applies_to_manifests_and_license_files_only() -> None:
    control = LicenseControl()
    applies = {
        p: control.applies_to(p, FileInfo(path=p, size=1))
        for p in (
            "package-lock.json",
            "sub/requirements.txt",
            f"{SITE}/x-1.0.dist-info/METADATA",
            "LICENSE",
            "node_modules/a/COPYING",
            "NOTICE",
            "src/app.py",
            "README.md",
        )
    }
    assert [p for p, ok in applies.items() if ok] == [
        "package-lock.json",
        "sub/requirements.txt",
        f"{SITE}/x-1.0.dist-info/METADATA",
        "LICENSE",
        "node_modules/a/COPYING",
    ]
    assert control.stage is Stage.BUILD and control.id == "licenses"


def test_every_rule_is_documented() -> None:
    rules = LicenseControl().rules()
    assert sorted(r.rule_id for r in rules) == [
        "licenses/denied",
        "licenses/not-allowed",
        "licenses/review",
        "licenses/unknown",
    ]
    assert all(r.kind is FindingKind.LICENSE and r.remediation for r in rules)


def test_installed_directories() -> None:
    def comp(ecosystem: str, name: str, path: str) -> Component:
        return component(ecosystem=ecosystem, name=name, version="1", path=path)

    assert installed_directories(comp(PYPI, "a", "x/a-1.dist-info/METADATA")) == (
        "x/a-1.dist-info",
    )
    assert installed_directories(comp(PYPI, "a", "a.egg-info/PKG-INFO")) == ("a.egg-info",)
    assert installed_directories(comp(NPM, "@s/b", "web/package-lock.json")) == (
        "web/node_modules/@s/b",
    )
    assert installed_directories(comp(PYPI, "a", "requirements.txt")) == ()


def test_data_versions_name_the_tables(tmp_path: Path, inventory: list[Component]) -> None:
    ws = workspace(tmp_path, {"package-lock.json": "{}"})
    versions = dict(run(ws).data_versions)
    assert set(versions) == {"license-aliases", "license-categories", "license-expression"}


# -- with the real parsers ----------------------------------------------------------------
def test_installed_metadata_end_to_end(tmp_path: Path) -> None:
    pytest.importorskip("lockgate.inventory.python.installed")
    dist = f"{SITE}"
    ws = workspace(
        tmp_path,
        {
            f"{dist}/gplpkg-2.0.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: gplpkg\nVersion: 2.0\nLicense: GPLv3+\n"
            ),
            f"{dist}/mitpkg-1.0.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: mitpkg\nVersion: 1.0\n"
                "Classifier: License :: OSI Approved :: MIT License\n"
            ),
            f"{dist}/bsdpkg-3.1.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: bsdpkg\nVersion: 3.1\n"
            ),
            f"{dist}/bsdpkg-3.1.dist-info/LICENSE.txt": BSD_3_TEXT,
        },
    )
    out = run(ws, review=["BSD-3-Clause"])
    found = by_name(out.findings)
    assert sorted(found) == ["bsdpkg", "gplpkg"]
    assert found["gplpkg"].prop("license") == "GPL-3.0-or-later"
    assert found["gplpkg"].location is not None
    assert found["gplpkg"].location.path == f"{dist}/gplpkg-2.0.dist-info/METADATA"
    assert found["bsdpkg"].prop("license_source") == f"license file in {dist}/bsdpkg-3.1.dist-info/"
    assert out.files_scanned == 3 + 1


def test_real_composer_lockfile_of_a_drupal_site(tmp_path: Path) -> None:
    pytest.importorskip("lockgate.inventory.composer")
    source = shared_dataset("lockfiles", "osv-detector", "composer", "drupal-packages.json")
    ws = workspace(tmp_path, {"composer.lock": source.read_text(encoding="utf-8")})
    out = run(ws)
    assert out.findings, "Drupal packages are GPL-2.0-or-later"
    for finding in out.findings:
        assert finding.rule_id == "licenses/review"
        assert finding.prop("license") == "GPL-2.0-or-later"
        assert finding.component is not None
        assert finding.component.ecosystem == PACKAGIST
        assert finding.component.purl.startswith("pkg:composer/drupal/")
    assert len(by_name(run(ws, deny=["GPL-2.0-or-later"]).findings)) == len(out.findings)


PACKAGE_LOCK = """{
  "name": "shop",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "shop",
      "version": "1.0.0",
      "license": "UNLICENSED",
      "dependencies": {"left-pad": "^1.3.0", "vendor-sdk": "^2.0.0", "gpl-thing": "1.0.0"}
    },
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
      "license": "WTFPL"
    },
    "node_modules/vendor-sdk": {
      "version": "2.1.0",
      "resolved": "https://registry.npmjs.org/vendor-sdk/-/vendor-sdk-2.1.0.tgz",
      "license": "SEE LICENSE IN LICENSE"
    },
    "node_modules/gpl-thing": {
      "version": "1.0.0",
      "resolved": "https://registry.npmjs.org/gpl-thing/-/gpl-thing-1.0.0.tgz",
      "license": "GPL-2.0+"
    }
  }
}
"""


def test_npm_lockfile_end_to_end(tmp_path: Path) -> None:
    pytest.importorskip("lockgate.inventory.javascript.npm")
    ws = workspace(tmp_path, {"package-lock.json": PACKAGE_LOCK})
    found = by_name(run(ws).findings)
    assert sorted(found) == ["gpl-thing", "vendor-sdk"], "the project itself is no dependency"
    assert found["gpl-thing"].prop("license") == "GPL-2.0-or-later"
    assert found["gpl-thing"].location is not None
    assert found["gpl-thing"].location.start_line is not None
    assert found["vendor-sdk"].rule_id == "licenses/unknown"
    assert found["vendor-sdk"].prop("raw_license") == "SEE LICENSE IN LICENSE"

    installed = workspace(
        tmp_path / "installed",
        {"package-lock.json": PACKAGE_LOCK, "node_modules/vendor-sdk/LICENSE": MIT_TEXT},
    )
    assert sorted(by_name(run(installed).findings)) == ["gpl-thing"]


def test_findings_run_through_the_pipeline_into_valid_reports(
    tmp_path: Path, inventory: list[Component]
) -> None:
    import json

    from lockgate.engine.pipeline import Pipeline, RunOptions
    from lockgate.engine.registry import ControlRegistry
    from lockgate.reporters.interface import RenderOptions
    from lockgate.reporters.json_native import JsonReporter
    from lockgate.reporters.sarif import SarifReporter
    from tests.helpers.schemas import validate_native, validate_sarif

    inventory += [
        npm("copyleft-lib", "1.0.0", "GPL-3.0-or-later", line=12),
        npm("mystery", "0.1.0", "Acme Corp Source License", line=30),
    ]
    ws = workspace(tmp_path, {"package-lock.json": "{}"})
    options = RunOptions(
        stages=(Stage.BUILD,), control_options={"licenses": {"deny": ["GPL-*"], "timeout": 30.0}}
    )
    run_ = Pipeline(ControlRegistry([LicenseControl()])).run(ws, options)
    (result,) = run_.report.results
    assert sorted(f.rule_id for f in result.findings) == ["licenses/denied", "licenses/unknown"]
    render = RenderOptions(tool_version="test")
    validate_native(json.loads(JsonReporter().render(run_.report, None, render)))
    sarif = json.loads(SarifReporter().render(run_.report, None, render))
    validate_sarif(sarif)
    fingerprints = {r["partialFingerprints"]["lockgate/v1"] for r in sarif["runs"][0]["results"]}
    assert fingerprints == {f.fingerprint for f in result.findings}
