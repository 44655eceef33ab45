"""Reading report files: every unreadable file is a located error, never a traceback."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from lockgate.errors import InputError
from lockgate.importers.document import read_document
from lockgate.importers.interface import ReportFormatError
from lockgate.importers.registry import load_report
from tests.unit.importers import fixture


def test_a_truncated_report_says_so_with_file_and_line(tmp_path: Path) -> None:
    text = fixture("grype/report.json").read_text()
    cut = tmp_path / "grype.json"
    cut.write_text(text[: len(text) // 2])
    with pytest.raises(ReportFormatError) as caught:
        load_report(cut)
    error = caught.value
    assert error.path == str(cut)
    assert error.line is not None and error.line > 10
    assert error.message.startswith("the JSON ends early")
    assert error.hint is not None and "truncated" in error.hint


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "results": [\n    {"check_id": "x",}\n  ]\n}\n')
    with pytest.raises(ReportFormatError) as caught:
        load_report(bad, "semgrep")
    assert caught.value.line == 3
    assert caught.value.message.startswith("not valid JSON")


def test_a_binary_file_is_not_text(tmp_path: Path) -> None:
    binary = tmp_path / "report.json.gz"
    binary.write_bytes(b"\x1f\x8b\x08\x00\xff\xfe\x00\x00")
    with pytest.raises(ReportFormatError, match="not UTF-8 text"):
        read_document(binary)


def test_utf16_reports_from_powershell_are_read(tmp_path: Path) -> None:
    report = tmp_path / "trivy.json"
    report.write_bytes(
        codecs.BOM_UTF16_LE + fixture("trivy/fs.json").read_text().encode("utf-16-le")
    )
    assert len(load_report(report).findings) == len(load_report(fixture("trivy/fs.json")).findings)


def test_missing_files_and_directories_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such report file"):
        load_report(tmp_path / "absent.json")
    with pytest.raises(InputError, match="is a directory"):
        load_report(tmp_path)


def test_json_lines_and_xml_are_recognised(tmp_path: Path) -> None:
    lines = tmp_path / "lines.jsonl"
    lines.write_text('{"a": 1}\n\n{"b": 2}\n')
    assert read_document(lines).syntax == "ndjson"
    assert read_document(lines).data == [(1, {"a": 1}), (3, {"b": 2})]
    assert read_document(fixture("zap/report.xml")).syntax == "xml"
