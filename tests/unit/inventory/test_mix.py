"""mix.lock: the Elixir term reader, hex and git entries, checksums, graph."""

from __future__ import annotations

import pytest

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.mix import parse
from lockgate.model.ecosystems import HEX
from tests.conftest import shared_dataset
from tests.unit.inventory._lockfiles import assert_round_trip, by_name, parse_all, source, versions

INNER = "1" * 64
OUTER = "2" * 64


def _dep(app: str, optional: bool = False) -> str:
    flag = "true" if optional else "false"
    return f'{{:{app}, "~> 1.0", [hex: :{app}, repo: "hexpm", optional: {flag}]}}'


def _hex(package: str, version: str, deps: str = "", outer: bool = True) -> str:
    tail = f', "{OUTER}"' if outer else ""
    return f'{{:hex, :{package}, "{version}", "{INNER}", [:mix], [{deps}], "hexpm"{tail}}}'


LOCK = (
    "%{\n"
    "  # comments are allowed\n"
    f'  "plug": {_hex("plug", "1.15.2", _dep("mime") + ", " + _dep("telemetry", True))},\n'
    f'  "mime": {_hex("mime", "2.0.5")},\n'
    f'  "telemetry": {_hex("telemetry", "1.2.1", outer=False)},\n'
    f'  "my_app_json": {_hex("jason", "1.4.1", _dep("decimal", True))},\n'
    '  "forked": {:git, "https://github.com/me/forked.git", "0123456789abcdef", '
    '[branch: "main"]},\n'
    "}\n"
)


def test_hex_entries_are_components_named_after_the_package() -> None:
    parsed = parse(source(LOCK, "mix.lock"))
    assert parsed.ecosystem == HEX and parsed.format == "mix.lock"
    assert versions(parsed) == {
        ("plug", "1.15.2"),
        ("mime", "2.0.5"),
        ("telemetry", "1.2.1"),
        ("jason", "1.4.1"),
    }
    comps = by_name(parsed)
    assert comps["plug"].purl == "pkg:hex/plug@1.15.2"
    assert comps["plug"].hashes == (("sha256", OUTER),)
    assert comps["telemetry"].hashes == ()  # older entries have no outer checksum
    assert comps["mime"].manifest is not None and comps["mime"].manifest.start_line == 4
    assert {c.direct for c in parsed.components} == {None}
    assert_round_trip(parsed)


def test_git_entries_are_unresolved() -> None:
    [git] = parse(source(LOCK, "mix.lock")).unresolved
    assert (git.name, git.specifier, git.reason, git.line) == (
        "forked",
        "0123456789abcdef",
        "git source (https://github.com/me/forked.git)",
        7,
    )


def test_deps_lists_give_the_graph_and_paths() -> None:
    parsed = parse(source(LOCK, "mix.lock"))
    edges = dict(parsed.dependencies)
    assert edges["pkg:hex/plug@1.15.2"] == ("pkg:hex/mime@2.0.5", "pkg:hex/telemetry@1.2.1")
    assert by_name(parsed)["mime"].dependency_paths == (("plug", "mime"),)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[]", 1, "starts with '%{'"),
        ('%{\n  "a": {:hex, :a, "1.0"\n', 3, "ends too early"),
        ('%{\n  "a": {:hex; :a}\n}', 2, "unexpected character ';'"),
        ('%{"a": 1} extra', 1, "after the lock map"),
        ("%{\n  [1] => 2\n}", 2, "expected a map key"),
    ],
)
def test_malformed_mix_lock_is_a_located_error(text: str, line: int, words: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse(source(text, "apps/web/mix.lock"))
    assert caught.value.line == line
    assert words in caught.value.message
    assert caught.value.path == "apps/web/mix.lock"


def test_deeply_nested_terms_are_refused_not_a_crash() -> None:
    text = '%{"a": ' + "[" * 500 + "]" * 500 + "}"
    with pytest.raises(ManifestError, match="nested too deeply"):
        parse(source(text, "mix.lock"))


def test_osv_detector_mix_fixtures() -> None:
    directory = shared_dataset("lockfiles", "osv-detector", "mix")
    results = parse_all(parse, sorted(directory.glob("*.lock")))
    assert results["empty.lock"].components == ()
    assert versions(results["one-package.lock"]) == {("plug", "1.11.1")}
    assert versions(results["two-packages.lock"]) == {("plug", "1.11.1"), ("plug_crypto", "1.2.2")}
    many = by_name(results["many.lock"])
    assert len(many) == 21
    assert many["nimble_parsec"].version == "1.1.0"
    assert ("pow", "plug") in many["plug"].dependency_paths
    git = results["git.lock"]
    assert git.components == ()
    assert {u.name for u in git.unresolved} == {"foe", "foo", "bar"}
