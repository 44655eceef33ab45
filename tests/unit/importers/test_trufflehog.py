"""TruffleHog JSON lines: verified credentials are critical, sources without files are
skipped with the reason, and broken lines are reported with their number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lockgate.importers.interface import ReportFormatError
from lockgate.importers.registry import load_report
from lockgate.model import Confidence, Severity
from tests.unit.importers import fixture, imported


def test_verified_credentials_are_critical_and_unverified_ones_high() -> None:
    by_rule = {f.rule_id: f for f in imported("trufflehog/results.jsonl").findings}
    aws = by_rule["trufflehog/AWS"]
    assert (aws.severity, aws.confidence) == (Severity.CRITICAL, Confidence.HIGH)
    assert aws.prop("verified") == "true"
    assert aws.title == "AWS credential (verified live)"
    github = by_rule["trufflehog/Github"]
    assert (github.severity, github.confidence) == (Severity.HIGH, Confidence.MEDIUM)
    assert github.prop("verification_error") == "unexpected HTTP response status 503"


def test_git_sources_give_the_commit_and_line() -> None:
    aws = next(f for f in imported("trufflehog/results.jsonl").findings if "AWS" in f.rule_id)
    assert aws.location is not None
    assert aws.location.display() == "deploy/.env:3"
    assert aws.location.commit == "0416560b1330d8ac42045813251d85c688717eaf"
    assert aws.location.snippet == "AKIA…"


def test_absolute_paths_under_the_checkout_become_relative() -> None:
    paths = {f.location.path for f in imported("trufflehog/results.jsonl").findings if f.location}
    assert paths == {"deploy/.env", "scripts/release.sh", "config/database.yml"}


def test_a_source_without_a_file_is_skipped_without_echoing_the_secret() -> None:
    (skip,) = imported("trufflehog/results.jsonl").skipped
    assert skip.detail == "line 4: the Slack source names no file"


def test_a_json_array_of_results_is_read_too(tmp_path: Path) -> None:
    lines = fixture("trufflehog/results.jsonl").read_text().splitlines()
    array = tmp_path / "array.json"
    array.write_text(json.dumps([json.loads(line) for line in lines]))
    from_array = load_report(array, "trufflehog")
    assert [f.fingerprint for f in from_array.findings] == [
        f.fingerprint for f in load_report(fixture("trufflehog/results.jsonl")).findings
    ]


def test_a_truncated_last_line_is_an_error_naming_the_line(tmp_path: Path) -> None:
    text = fixture("trufflehog/results.jsonl").read_text()
    cut = tmp_path / "cut.jsonl"
    cut.write_text(text[: text.rindex("DetectorName")])
    with pytest.raises(ReportFormatError) as caught:
        load_report(cut)
    assert caught.value.path == str(cut)
    assert caught.value.line == 4
    assert "line 4 ends early" in caught.value.message


def test_nothing_found_is_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "none.jsonl"
    empty.write_text("")
    assert load_report(empty, "trufflehog").findings == ()
