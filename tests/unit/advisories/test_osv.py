"""Reading OSV records: fields, tolerance, located errors, directories and zip archives."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lockgate.advisories.errors import AdvisoryError
from lockgate.advisories.model import Advisory, Affected, Event, Range
from lockgate.advisories.osv import ArchiveLimits, iter_records, parse_record, timestamp_key
from lockgate.errors import InputError
from tests.conftest import shared_dataset
from tests.unit.advisories.osv_fixtures import record, write_json, write_yaml, zip_bytes


def parse(data: Any) -> Advisory:
    return parse_record(data, source="GHSA-test.json")


def advisories(items: list[Advisory | AdvisoryError]) -> list[Advisory]:
    return [item for item in items if isinstance(item, Advisory)]


def errors(items: list[Advisory | AdvisoryError]) -> list[AdvisoryError]:
    return [item for item in items if isinstance(item, AdvisoryError)]


# -- parse_record ---------------------------------------------------------------------------


def test_a_record_with_only_the_required_fields_parses_with_empty_defaults() -> None:
    advisory = parse({"id": "OSV-2024-1", "modified": "2024-01-01T00:00:00Z"})
    assert advisory == Advisory(
        id="OSV-2024-1", modified="2024-01-01T00:00:00Z", source="GHSA-test.json"
    )


def test_a_full_record_keeps_what_matching_and_reports_need() -> None:
    advisory = parse(
        {
            "schema_version": "1.6.0",
            "id": "GHSA-aaaa-bbbb-cccc",
            "modified": "2024-03-01T10:00:00.123Z",
            "published": "2024-02-01T00:00:00Z",
            "aliases": ["CVE-2024-1"],
            "related": ["CVE-2023-9"],
            "summary": "XSS in widget",
            "details": "Long *markdown* text",
            "severity": [
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
            ],
            "affected": [
                {
                    "package": {"ecosystem": "npm", "name": "widget", "purl": "pkg:npm/widget"},
                    "severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N"}],
                    "ranges": [
                        {
                            "type": "SEMVER",
                            "events": [
                                {"introduced": "0"},
                                {"fixed": "1.2.3"},
                                {"introduced": "2.0.0"},
                                {"last_affected": "2.0.5"},
                            ],
                        }
                    ],
                    "versions": ["1.0.0", "1.2.2"],
                    "ecosystem_specific": {"affected_functions": ["render"]},
                    "database_specific": {"source": "x"},
                }
            ],
            "references": [
                {"type": "ADVISORY", "url": "https://github.com/advisories/GHSA-aaaa-bbbb-cccc"},
                {"type": "WEB", "url": "https://example.org/fix"},
                {"type": "WEB", "url": "https://example.org/fix"},
            ],
            "credits": [{"name": "someone"}],
            "database_specific": {"severity": "MODERATE", "cwe_ids": ["CWE-79", "CWE-79"]},
        }
    )
    assert advisory.id == "GHSA-aaaa-bbbb-cccc"
    assert advisory.aliases == ("CVE-2024-1",)
    assert advisory.related == ("CVE-2023-9",)
    assert advisory.summary == "XSS in widget"
    assert advisory.published == "2024-02-01T00:00:00Z"
    assert advisory.severity == (("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),)
    assert advisory.database_severity == "MODERATE"
    assert advisory.cwes == ("CWE-79",)
    assert advisory.references == (
        "https://github.com/advisories/GHSA-aaaa-bbbb-cccc",
        "https://example.org/fix",
    )
    assert advisory.affected == (
        Affected(
            ecosystem="npm",
            name="widget",
            ranges=(
                Range(
                    type="SEMVER",
                    events=(
                        Event(kind="introduced", value="0"),
                        Event(kind="fixed", value="1.2.3"),
                        Event(kind="introduced", value="2.0.0"),
                        Event(kind="last_affected", value="2.0.5"),
                    ),
                ),
            ),
            versions=("1.0.0", "1.2.2"),
            severity=(("CVSS_V4", "CVSS:4.0/AV:N"),),
        ),
    )


@pytest.mark.parametrize(
    ("ecosystem", "expected"),
    [
        ("Debian:11", "Debian"),
        ("Alpine:v3.16", "Alpine"),
        ("Ubuntu:22.04:LTS", "Ubuntu"),
        ("Maven:https://maven.google.com", "Maven"),
        ("PyPI", "PyPI"),
    ],
)
def test_ecosystem_suffixes_are_stripped(ecosystem: str, expected: str) -> None:
    advisory = parse(record("OSV-1", ecosystem=ecosystem))
    assert advisory.affected[0].ecosystem == expected


def test_cwe_ids_are_normalised_and_odd_database_fields_ignored() -> None:
    advisory = parse(
        record("OSV-1", database_specific={"cwe_ids": ["79", "cwe-89", 22, "junk"], "severity": 7})
    )
    assert advisory.cwes == ("CWE-79", "CWE-89", "CWE-22")
    assert advisory.database_severity is None


def test_withdrawn_records_say_so() -> None:
    assert parse(record("OSV-1", withdrawn="2024-05-01T00:00:00Z")).withdrawn == (
        "2024-05-01T00:00:00Z"
    )


def test_an_affected_entry_without_a_package_is_skipped() -> None:
    data = record("OSV-1")
    data["affected"].append(
        {"ranges": [{"type": "GIT", "repo": "https://x/y", "events": [{"introduced": "0"}]}]}
    )
    assert [a.name for a in parse(data).affected] == ["example"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"modified": "2024-01-01T00:00:00Z"}, "no 'id'"),
        ({"id": "OSV-1"}, "no 'modified'"),
        ({"id": "", "modified": "2024-01-01T00:00:00Z"}, "'id' must be a non-empty string"),
        ({"id": 12, "modified": "2024-01-01T00:00:00Z"}, "'id' must be a non-empty string"),
        ({"id": "OSV-1", "modified": "yesterday"}, "not an RFC 3339 timestamp"),
        (["OSV-1"], "must be an object, not a list"),
        ({**record("OSV-1"), "affected": "npm/x"}, "'affected' must be a list"),
        ({**record("OSV-1"), "aliases": "CVE-1"}, "'aliases' must be a list"),
        ({**record("OSV-1"), "summary": ["x"]}, "'summary' must be a string"),
        (
            {**record("OSV-1"), "severity": [{"type": "CVSS_V3", "score": 9.8}]},
            r"severity\[0\]\.score",
        ),
    ],
)
def test_bad_records_raise_a_located_error(data: Any, message: str) -> None:
    with pytest.raises(AdvisoryError, match=message) as caught:
        parse(data)
    assert isinstance(caught.value, InputError)
    assert caught.value.path == "GHSA-test.json"
    assert caught.value.diagnostics().startswith("GHSA-test.json: ")


def test_a_malformed_range_names_the_field() -> None:
    data = record("OSV-1")
    data["affected"][0]["ranges"][0]["events"][1] = {"fixed": 2}
    with pytest.raises(AdvisoryError, match=r"affected\[0\]\.ranges\[0\]\.events\[1\]\.fixed"):
        parse(data)
    data["affected"][0]["package"] = {"ecosystem": "PyPI"}
    with pytest.raises(AdvisoryError, match="needs both 'ecosystem' and 'name'"):
        parse(data)


def test_timestamps_sort_as_instants_not_as_strings() -> None:
    fraction = "2023-11-07T20:24:23.946863Z"
    whole = "2023-11-07T20:24:23Z"
    assert fraction < whole  # as raw strings the later instant sorts first ...
    assert timestamp_key(fraction) > timestamp_key(whole)  # type: ignore[operator]
    assert timestamp_key("2024-01-01T02:00:00+02:00") == timestamp_key("2024-01-01T00:00:00Z")
    assert timestamp_key("not a date") is None


# -- files ----------------------------------------------------------------------------------


def test_yaml_scalars_stay_strings(tmp_path: Path) -> None:
    path = tmp_path / "PYSEC-2024-1.yaml"
    path.write_text(
        "id: PYSEC-2024-1\n"
        "modified: 2024-01-01T00:00:00Z\n"
        "affected:\n"
        "- package: {ecosystem: PyPI, name: demo}\n"
        "  versions: [1.10, 2.0, 3]\n",
        encoding="utf-8",
    )
    (advisory,) = advisories(list(iter_records(path)))
    assert advisory.modified == "2024-01-01T00:00:00Z"
    assert advisory.affected[0].versions == ("1.10", "2.0", "3")


def test_invalid_yaml_and_json_report_the_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: X\nmodified: [unclosed\n", encoding="utf-8")
    (tmp_path / "bad.json").write_text('{\n "id": "X",\n "modified": \n}', encoding="utf-8")
    found = {Path(e.path or "").name: e for e in errors(list(iter_records(tmp_path)))}
    assert set(found) == {"bad.json", "bad.yaml"}
    assert found["bad.json"].line == 4
    assert "invalid JSON" in found["bad.json"].message
    assert found["bad.yaml"].line is not None
    assert "invalid YAML" in found["bad.yaml"].message


def test_absurdly_nested_documents_are_errors_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    (tmp_path / "deep.yaml").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    write_json(tmp_path, record("OSV-1"))
    items = list(iter_records(tmp_path))
    assert [a.id for a in advisories(items)] == ["OSV-1"]
    assert sorted(Path(e.path or "").name for e in errors(items)) == ["deep.json", "deep.yaml"]


def test_a_directory_is_read_recursively_and_bad_files_do_not_stop_it(tmp_path: Path) -> None:
    write_json(tmp_path / "npm", record("GHSA-1", ecosystem="npm"))
    write_yaml(tmp_path / "PyPI" / "demo", record("PYSEC-1"))
    write_yaml(tmp_path, record("OSV-1"), name="OSV-1.yml")
    (tmp_path / "broken.json").write_text('{"id": "X", "modif', encoding="utf-8")
    (tmp_path / "README.md").write_text("not a record", encoding="utf-8")
    write_json(tmp_path / ".git", record("GHSA-hidden"))
    items = list(iter_records(tmp_path))
    assert sorted(a.id for a in advisories(items)) == ["GHSA-1", "OSV-1", "PYSEC-1"]
    (error,) = errors(items)
    assert error.path == str(tmp_path / "broken.json")
    assert advisories(items)[0].source.startswith(str(tmp_path))


def test_an_oversized_file_is_reported_not_read(tmp_path: Path) -> None:
    write_json(tmp_path, record("OSV-1", details="x" * 5000))
    items = list(iter_records(tmp_path, limits=ArchiveLimits(max_member_bytes=1000)))
    (error,) = errors(items)
    assert "limit" in error.message


def test_a_zip_archive_is_read_in_memory(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    archive.write_bytes(
        zip_bytes(
            {
                "GHSA-1.json": json.dumps(record("GHSA-1")).encode(),
                "nested/PYSEC-1.yaml": json.dumps(record("PYSEC-1")).encode(),
                "../../escape.json": json.dumps(record("OSV-9")).encode(),
                "notes.txt": b"ignored",
                "bad.json": b"{",
            }
        )
    )
    items = list(iter_records(archive))
    assert sorted(a.id for a in advisories(items)) == ["GHSA-1", "OSV-9", "PYSEC-1"]
    assert {a.source for a in advisories(items)} >= {f"{archive}!GHSA-1.json"}
    (error,) = errors(items)
    assert error.path == f"{archive}!bad.json"
    assert sorted(p.name for p in tmp_path.parent.iterdir() if p.name == "escape.json") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.zip"]


def test_zip_bomb_and_oversized_members_are_rejected(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    bomb = b'{"id": "OSV-BOMB", "modified": "2024-01-01T00:00:00Z", "details": "'
    bomb += b" " * (4 * 1024 * 1024) + b'"}'
    archive.write_bytes(
        zip_bytes({"bomb.json": bomb, "GHSA-1.json": json.dumps(record("GHSA-1")).encode()})
    )
    items = list(iter_records(archive))
    assert [a.id for a in advisories(items)] == ["GHSA-1"]
    (error,) = errors(items)
    assert "zip bomb" in error.message
    assert error.path == f"{archive}!bomb.json"

    small = ArchiveLimits(max_member_bytes=100)
    items = list(iter_records(archive, limits=small))
    assert len(errors(items)) == 2
    assert all("limit" in e.message for e in errors(items))


def test_an_archive_that_lies_about_a_member_size_is_reported(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    big = json.dumps(record("OSV-1", details="y" * 3000)).encode()
    archive.write_bytes(zip_bytes({"OSV-1.json": big}))
    data = bytearray(archive.read_bytes())
    # Patch the declared uncompressed size (central directory and local header) to 10 bytes.
    with zipfile.ZipFile(archive) as bundle:
        info = bundle.infolist()[0]
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    data[info.header_offset + 22 : info.header_offset + 26] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    items = list(iter_records(archive, limits=ArchiveLimits(max_member_bytes=1000)))
    (error,) = errors(items)
    assert error.path == f"{archive}!OSV-1.json"


def test_missing_paths_and_corrupt_archives_raise(tmp_path: Path) -> None:
    with pytest.raises(AdvisoryError, match="no such file"):
        list(iter_records(tmp_path / "absent"))
    not_zip = tmp_path / "all.zip"
    not_zip.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(AdvisoryError, match="not an OSV directory"):
        list(iter_records(not_zip))
    (tmp_path / "x.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(AdvisoryError):
        list(iter_records(tmp_path / "x.txt"))


# -- real data ------------------------------------------------------------------------------


def test_every_record_of_the_shared_osv_snapshot_parses() -> None:
    root = shared_dataset("osv")
    items = list(iter_records(root))
    assert errors(items) == []
    by_ecosystem = Counter(a.affected[0].ecosystem for a in advisories(items) if a.affected)
    assert by_ecosystem["PyPI"] == 2661
    assert by_ecosystem["Go"] == 4291
    assert by_ecosystem["crates.io"] == 1206
    prefixes = Counter(a.id.split("-")[0] for a in advisories(items))
    assert prefixes == {"PYSEC": 2661, "GO": 4291, "RUSTSEC": 1206}
    assert sum(1 for a in advisories(items) if a.withdrawn) > 0
    openssl = next(a for a in advisories(items) if a.id == "RUSTSEC-2016-0001")
    assert openssl.aliases == ("CVE-2016-10931", "GHSA-34p9-f4q3-c4r7")
    assert openssl.affected[0].ranges[0].events[-1] == Event(kind="fixed", value="0.9.0")
