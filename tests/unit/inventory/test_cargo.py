"""Cargo.lock: v1-v4, workspace members, git and alternate registries, graph and paths."""

from __future__ import annotations

import pytest

from lockgate.inventory.cargo import parse
from lockgate.inventory.interface import ManifestError
from lockgate.model.ecosystems import CRATES_IO
from tests.conftest import shared_dataset
from tests.unit.inventory._lockfiles import assert_round_trip, by_name, parse_all, source, versions

CRATES = "registry+https://github.com/rust-lang/crates.io-index"
SUM_A = "a" * 64
SUM_B = "b" * 64

V3 = f"""\
version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "serde",
 "rand 0.8.5",
 "helper",
]

[[package]]
name = "helper"
version = "0.1.0"
dependencies = [
 "private-crate",
]

[[package]]
name = "serde"
version = "1.0.190"
source = "{CRATES}"
checksum = "{SUM_A}"
dependencies = [
 "serde_derive",
]

[[package]]
name = "serde_derive"
version = "1.0.190"
source = "{CRATES}"
checksum = "{SUM_B}"
dependencies = [
 "serde",
]

[[package]]
name = "rand"
version = "0.8.5"
source = "{CRATES}"
dependencies = [
 "rand 0.7.3",
]

[[package]]
name = "rand"
version = "0.7.3"
source = "sparse+https://index.crates.io/"

[[package]]
name = "private-crate"
version = "2.0.0"
source = "registry+https://my.registry.example/index"
dependencies = [
 "gitdep",
]

[[package]]
name = "gitdep"
version = "0.5.0"
source = "git+https://github.com/org/gitdep?branch=main#0123456789abcdef"
"""

V1 = f"""\
[root]
name = "old-app"
version = "0.1.0"
dependencies = [
 "libc 0.2.40 ({CRATES})",
]

[[package]]
name = "libc"
version = "0.2.40"
source = "{CRATES}"

[[package]]
name = "cfg-if"
version = "0.1.2"
source = "{CRATES}"

[metadata]
"checksum libc 0.2.40 ({CRATES})" = "{SUM_A}"
"checksum cfg-if 0.1.2 ({CRATES})" = "<none>"
"""


def test_registry_crates_are_components_and_workspace_members_are_the_project() -> None:
    parsed = parse(source(V3, "Cargo.lock"))
    assert parsed.format == "Cargo.lock" and parsed.ecosystem == CRATES_IO
    assert versions(parsed) == {
        ("serde", "1.0.190"),
        ("serde_derive", "1.0.190"),
        ("rand", "0.8.5"),
        ("rand", "0.7.3"),
    }
    serde = next(c for c in parsed.components if c.name == "serde")
    assert serde.purl == "pkg:cargo/serde@1.0.190"
    assert serde.hashes == (("sha256", SUM_A),)
    assert serde.manifest is not None and serde.manifest.start_line == 19
    assert_round_trip(parsed)


def test_git_and_alternate_registry_crates_are_unresolved_with_the_reason() -> None:
    parsed = parse(source(V3, "Cargo.lock"))
    reasons = {u.name: u.reason for u in parsed.unresolved}
    assert reasons == {
        "gitdep": "git source (https://github.com/org/gitdep?branch=main)",
        "private-crate": "from a registry other than crates.io (https://my.registry.example/index)",
    }
    lines = {u.name: u.line for u in parsed.unresolved}
    assert lines["gitdep"] == 58


def test_direct_means_required_by_a_workspace_member() -> None:
    parsed = parse(source(V3, "Cargo.lock"))
    direct = {(c.name, c.version): c.direct for c in parsed.components}
    assert direct == {
        ("serde", "1.0.190"): True,
        ("rand", "0.8.5"): True,
        ("rand", "0.7.3"): False,
        ("serde_derive", "1.0.190"): False,
    }


def test_graph_edges_resolve_name_version_entries_and_cycles_terminate() -> None:
    parsed = parse(source(V3, "Cargo.lock"))
    edges = dict(parsed.dependencies)
    assert edges["pkg:cargo/rand@0.8.5"] == ("pkg:cargo/rand@0.7.3",)
    assert edges["pkg:cargo/serde@1.0.190"] == ("pkg:cargo/serde_derive@1.0.190",)
    assert edges["pkg:cargo/serde_derive@1.0.190"] == ("pkg:cargo/serde@1.0.190",)
    old_rand = next(c for c in parsed.components if c.version == "0.7.3")
    assert old_rand.dependency_paths == (("rand", "rand"),)
    derive = next(c for c in parsed.components if c.name == "serde_derive")
    assert derive.dependency_paths == (("serde", "serde_derive"),)


def test_v1_lockfile_root_table_and_metadata_checksums() -> None:
    parsed = parse(source(V1, "Cargo.lock"))
    comps = by_name(parsed)
    assert set(comps) == {"libc", "cfg-if"}
    assert comps["libc"].hashes == (("sha256", SUM_A),)
    assert comps["cfg-if"].hashes == ()
    assert comps["libc"].direct is True
    assert comps["cfg-if"].direct is False


def test_v4_lockfile_is_read() -> None:
    text = f'version = 4\n\n[[package]]\nname = "log"\nversion = "0.4.22"\nsource = "{CRATES}"\n'
    assert versions(parse(source(text, "Cargo.lock"))) == {("log", "0.4.22")}


@pytest.mark.parametrize(
    ("text", "words", "line"),
    [
        ("this is not valid toml! (I think)\n", "not valid TOML", 1),
        ("version = 5\n", "unsupported Cargo.lock version 5", 1),
        ('version = 3\n\n[[package]]\nname = "x"\n', "has no version", 3),
        ("package = 3\n", "array of [[package]] tables", None),
    ],
)
def test_malformed_cargo_lock_is_a_located_error(text: str, words: str, line: int | None) -> None:
    with pytest.raises(ManifestError) as caught:
        parse(source(text, "crate/Cargo.lock"))
    assert words in caught.value.message
    assert caught.value.path == "crate/Cargo.lock"
    assert caught.value.line == line


def test_osv_detector_cargo_fixtures() -> None:
    directory = shared_dataset("lockfiles", "osv-detector", "cargo")
    results = parse_all(parse, sorted(directory.glob("*.lock")))
    assert results["empty.lock"].components == ()
    assert versions(results["one-package.lock"]) == {("addr2line", "0.15.2")}
    assert versions(results["two-packages.lock"]) == {("addr2line", "0.15.2"), ("syn", "1.0.73")}
    wasi = results["package-with-build-string.lock"].components[0]
    assert wasi.version == "0.10.2+wasi-snapshot-preview1"
    assert wasi.purl == "pkg:cargo/wasi@0.10.2%2Bwasi-snapshot-preview1"
    # no workspace member in these files: whether a crate is direct is unknown
    assert {c.direct for c in results["two-packages.lock"].components} == {None}
    with pytest.raises(ManifestError):
        parse_all(parse, [directory / "not-toml.txt"])


def test_absurdly_nested_toml_is_an_error_not_a_crash() -> None:
    with pytest.raises(ManifestError, match="nested too deeply"):
        parse(source("a = " + "[" * 5000 + "]" * 5000, "Cargo.lock"))
