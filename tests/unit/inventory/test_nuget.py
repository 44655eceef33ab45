"""packages.lock.json: frameworks merged, direct/transitive, project refs, hashes, graph."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.nuget import parse
from lockgate.model.ecosystems import NUGET
from tests.conftest import shared_dataset
from tests.unit.inventory._lockfiles import assert_round_trip, by_name, parse_all, source, versions

DIGEST = hashlib.sha512(b"newtonsoft").digest()

LOCK = {
    "version": 2,
    "dependencies": {
        "net8.0": {
            "Serilog.Sinks.Console": {
                "type": "Direct",
                "requested": "[5.0.0, )",
                "resolved": "5.0.0",
                "contentHash": base64.b64encode(DIGEST).decode(),
                "dependencies": {"Serilog": "3.1.1"},
            },
            "Serilog": {"type": "Transitive", "resolved": "3.1.1", "contentHash": "not base64!"},
            "Newtonsoft.Json": {
                "type": "CentralTransitive",
                "requested": "[13.0.3, )",
                "resolved": "13.0.3",
            },
            "MyCompany.Shared": {"type": "Project", "dependencies": {"Serilog": "[3.1.1, )"}},
        },
        "net6.0": {
            "Serilog": {"type": "Direct", "requested": "[3.1.1, )", "resolved": "3.1.1"},
        },
    },
}
TEXT = json.dumps(LOCK, indent=2)


def test_packages_are_merged_across_frameworks_and_projects_skipped() -> None:
    parsed = parse(source(TEXT, "src/App/packages.lock.json"))
    assert parsed.ecosystem == NUGET and parsed.format == "packages.lock.json"
    assert versions(parsed) == {
        ("Serilog.Sinks.Console", "5.0.0"),
        ("Serilog", "3.1.1"),
        ("Newtonsoft.Json", "13.0.3"),
    }
    comps = by_name(parsed)
    assert comps["Serilog"].purl == "pkg:nuget/Serilog@3.1.1"
    assert comps["Serilog"].direct is True  # direct in net6.0
    assert comps["Newtonsoft.Json"].direct is False
    serilog = comps["Serilog"].manifest
    assert serilog is not None
    assert serilog.start_line is not None
    assert TEXT.splitlines()[serilog.start_line - 1].strip() == '"Serilog": {'
    assert_round_trip(parsed)


def test_content_hash_becomes_a_sha512_hex_digest() -> None:
    comps = by_name(parse(source(TEXT, "packages.lock.json")))
    assert comps["Serilog.Sinks.Console"].hashes == (("sha512", DIGEST.hex()),)
    assert comps["Serilog"].hashes == ()


def test_graph_and_dependency_paths() -> None:
    parsed = parse(source(TEXT, "packages.lock.json"))
    edges = dict(parsed.dependencies)
    assert edges["pkg:nuget/Serilog.Sinks.Console@5.0.0"] == ("pkg:nuget/Serilog@3.1.1",)
    assert by_name(parsed)["Serilog"].dependency_paths == (
        ("Serilog",),
        ("Serilog.Sinks.Console", "Serilog"),
    )


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("this is not json!", 1, "not valid JSON"),
        ('{"version": 0, "dependencies": {}}', 1, "unsupported packages.lock.json version 0"),
        ('{"version": 3, "dependencies": {}}', 1, "unsupported packages.lock.json version 3"),
        ('{"version": 1, "dependencies": []}', 1, "target frameworks"),
        (
            '{"version": 1,\n "dependencies": {"net8.0": {\n  "A": {"type": "Direct"}}}}',
            3,
            "no resolved version",
        ),
    ],
)
def test_malformed_lock_is_a_located_error(text: str, line: int, words: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse(source(text, "packages.lock.json"))
    assert caught.value.line == line
    assert words in caught.value.message


def test_osv_detector_nuget_fixtures() -> None:
    directory = shared_dataset("lockfiles", "osv-detector", "nuget")
    results = parse_all(parse, sorted(p for p in directory.glob("*.v1.json")))
    assert results["empty.v1.json"].components == ()
    assert versions(results["one-framework-one-package.v1.json"]) == {("Test.Core", "6.0.5")}
    assert versions(results["one-framework-two-packages.v1.json"]) == {
        ("Test.Core", "6.0.5"),
        ("Test.System", "0.13.0-beta4"),
    }
    assert versions(results["two-frameworks-different-packages.v1.json"]) == {
        ("Test.Core", "6.0.5"),
        ("Test.System", "0.13.0-beta4"),
    }
    assert len(results["two-frameworks-duplicate-packages.v1.json"].components) == 1
    assert versions(results["two-frameworks-mixed-packages.v1.json"]) == {
        ("Test.Core", "6.0.5"),
        ("Test.System", "0.13.0-beta4"),
        ("Test.System", "2.15.0"),
    }
    for bad in ("empty.v0.json", "not-json.txt"):
        with pytest.raises(ManifestError):
            parse_all(parse, [directory / bad])


def test_absurdly_nested_json_is_an_error_not_a_crash() -> None:
    with pytest.raises(ManifestError, match="nested too deeply"):
        parse(source("[" * 100_000 + "]" * 100_000, "packages.lock.json"))
