"""The importer registry: names and aliases, clear errors, and results ready for a report."""

from __future__ import annotations

import pytest

from lockgate.errors import UsageError
from lockgate.importers.registry import ImporterRegistry
from lockgate.importers.trivy import TrivyImporter
from lockgate.model import ControlStatus, Stage
from tests.unit.importers import imported


def test_every_format_of_the_issue_is_supported() -> None:
    assert ImporterRegistry.builtin().names == (
        "bandit",
        "checkov",
        "cyclonedx",
        "gitleaks",
        "grype",
        "osv-scanner",
        "sarif",
        "semgrep",
        "snyk",
        "trivy",
        "trufflehog",
        "zap",
    )


@pytest.mark.parametrize(
    ("alias", "name"),
    [("osv", "osv-scanner"), ("OWASP-ZAP", "zap"), ("vex", "cyclonedx"), ("Trivy", "trivy")],
)
def test_common_names_reach_the_importer(alias: str, name: str) -> None:
    assert ImporterRegistry.builtin().get(alias).name == name


def test_an_unknown_tool_is_a_usage_error_with_a_suggestion() -> None:
    with pytest.raises(UsageError) as caught:
        ImporterRegistry.builtin().get("gitleak")
    assert caught.value.exit_code == 2
    assert caught.value.hint is not None
    assert "did you mean 'gitleaks'?" in caught.value.hint


def test_two_importers_with_one_name_are_refused() -> None:
    with pytest.raises(ValueError, match="two importers are named 'trivy'"):
        ImporterRegistry((TrivyImporter(), TrivyImporter()))


def test_control_results_put_each_finding_in_its_stage() -> None:
    report = imported("trivy/fs.json")
    results = report.control_results()
    assert [r.stage for r in results] == [Stage.CODE, Stage.BUILD, Stage.DEPLOY]
    assert {r.control_id for r in results} == {"import-trivy"}
    assert all(r.status is ControlStatus.OK for r in results)
    assert sum(len(r.findings) for r in results) == len(report.findings)
    assert results[0].components == report.components


def test_a_report_without_findings_still_has_a_result_with_its_errors() -> None:
    report = imported("checkov/nothing-scanned.json")
    (result,) = report.control_results()
    assert result.stage is Stage.DEPLOY
    assert result.data_versions == (("checkov", "3.2.31"),)
