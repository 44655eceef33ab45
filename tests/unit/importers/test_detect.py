"""Telling the tool from the report's content, and saying clearly when that is impossible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lockgate.importers.interface import ReportFormatError
from lockgate.importers.registry import ImporterRegistry, load_report
from tests.unit.importers import fixture


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_an_unknown_report_lists_every_supported_tool(tmp_path: Path) -> None:
    path = _write(tmp_path, "other.json", {"issues": [{"id": 1}]})
    with pytest.raises(ReportFormatError) as caught:
        load_report(path)
    error = caught.value
    assert error.path == str(path)
    assert "cannot tell which tool wrote this JSON report" in error.message
    for name in ImporterRegistry.builtin().names:
        assert name in error.message
    assert error.hint is not None and "--tool" in error.hint


@pytest.mark.parametrize("content", ["", "  \n", "[]", "{}"])
def test_an_empty_report_asks_for_the_tool(tmp_path: Path, content: str) -> None:
    path = _write(tmp_path, "empty.json", content)
    with pytest.raises(ReportFormatError, match="cannot be told from the content") as caught:
        load_report(path)
    assert caught.value.hint is not None and "pass --tool NAME" in caught.value.hint


def test_naming_the_wrong_tool_says_which_tool_it_looks_like() -> None:
    with pytest.raises(ReportFormatError) as caught:
        load_report(fixture("grype/report.json"), "trivy")
    assert "not a Trivy JSON report: it looks like Grype JSON" in caught.value.message
    assert caught.value.hint == "pass --tool grype, or leave --tool out"


def test_an_xml_file_that_is_not_zap_is_not_guessed(tmp_path: Path) -> None:
    path = _write(tmp_path, "junit.xml", '<?xml version="1.0"?><testsuites/>')
    with pytest.raises(ReportFormatError, match="XML report"):
        load_report(path)


def test_a_wrong_shape_under_the_named_tool_is_a_located_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "semgrep.json", {"results": {"not": "a list"}, "paths": {}})
    with pytest.raises(ReportFormatError, match="results must be a JSON array, not an object"):
        load_report(path, "semgrep")
