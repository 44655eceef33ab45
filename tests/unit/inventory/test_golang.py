"""go.mod: requires, indirect markers, replace directives, go.sum hashes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lockgate.inventory.golang import parse
from lockgate.inventory.interface import ManifestError
from lockgate.model.ecosystems import GO
from tests.conftest import shared_dataset
from tests.unit.inventory._lockfiles import assert_round_trip, by_name, parse_all, source, versions

GO_MOD = """\
module example.com/app

go 1.21
toolchain go1.21.5

require github.com/single/line v1.0.0

require (
\tgithub.com/BurntSushi/toml v1.3.2
\t"golang.org/x/text" v0.14.0 // indirect
\tgolang.org/x/sys v0.0.0-20231201000000-abcdefabcdef // indirect; needed by x/text
\tgithub.com/old/style v2.0.0+incompatible
\tgithub.com/forked/lib v1.1.0
\tgithub.com/local/lib v0.3.0
)

replace github.com/forked/lib => github.com/me/lib v1.1.1
replace github.com/local/lib v0.3.0 => ../lib
exclude github.com/BurntSushi/toml v1.0.0
retract v0.9.0 // published by mistake
"""

GO_SUM = """\
github.com/BurntSushi/toml v1.3.2 h1:o7IhLm0Msx3BaB+n3Ag7L8EVlByGKy1PNPNeZnhKQcg=
github.com/BurntSushi/toml v1.3.2/go.mod h1:CxXYINrC8qIiEnFrOxCa7Jy5BFHlXnUU2pbicEuybxQ=
github.com/me/lib v1.1.1 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
"""


def test_requires_are_components_at_the_version_written() -> None:
    parsed = parse(source(GO_MOD, "svc/go.mod"))
    assert versions(parsed) == {
        ("github.com/single/line", "v1.0.0"),
        ("github.com/BurntSushi/toml", "v1.3.2"),
        ("golang.org/x/text", "v0.14.0"),
        ("golang.org/x/sys", "v0.0.0-20231201000000-abcdefabcdef"),
        ("github.com/old/style", "v2.0.0+incompatible"),
        ("github.com/me/lib", "v1.1.1"),
    }
    assert parsed.format == "go.mod" and parsed.ecosystem == GO
    toml = by_name(parsed)["github.com/BurntSushi/toml"]
    assert toml.purl == "pkg:golang/github.com/BurntSushi/toml@v1.3.2"
    assert toml.manifest is not None and toml.manifest.start_line == 9
    assert_round_trip(parsed)


def test_indirect_comments_mark_transitive_requirements() -> None:
    comps = by_name(parse(source(GO_MOD, "go.mod")))
    assert comps["golang.org/x/text"].direct is False
    assert comps["golang.org/x/sys"].direct is False
    assert comps["github.com/BurntSushi/toml"].direct is True
    assert comps["github.com/single/line"].direct is True


def test_replacement_module_is_what_ships_and_local_paths_are_unresolved() -> None:
    parsed = parse(source(GO_MOD, "go.mod"))
    names = {c.name for c in parsed.components}
    assert "github.com/forked/lib" not in names
    me = by_name(parsed)["github.com/me/lib"]
    assert me.manifest is not None and me.manifest.start_line == 17
    [local] = parsed.unresolved
    assert local.name == "github.com/local/lib"
    assert local.reason == "replaced by a local path"
    assert local.specifier == "v0.3.0 => ../lib"
    assert local.line == 18


def test_go_sum_supplies_h1_hashes_of_module_zips_only() -> None:
    parsed = parse(source(GO_MOD, "go.mod", {"go.sum": GO_SUM}))
    comps = by_name(parsed)
    assert comps["github.com/BurntSushi/toml"].hashes == (
        ("go-h1", "o7IhLm0Msx3BaB+n3Ag7L8EVlByGKy1PNPNeZnhKQcg="),
    )
    assert comps["github.com/me/lib"].hashes == (
        ("go-h1", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    )
    assert comps["golang.org/x/text"].hashes == ()


def test_a_version_specific_replace_wins_over_a_module_wide_one() -> None:
    text = (
        "module m\nrequire (\n a.com/x v1.0.0\n a.com/x v2.0.0\n)\n"
        "replace a.com/x => b.com/x v9.0.0\nreplace a.com/x v1.0.0 => c.com/x v1.0.1\n"
    )
    assert versions(parse(source(text, "go.mod"))) == {("c.com/x", "v1.0.1"), ("b.com/x", "v9.0.0")}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("this is not a go.mod file!\n", 1, "unknown go.mod directive"),
        ("module m\nrequire (\n a.com/x v1.0.0\n", 3, "not closed"),
        ("module m\nrequire a.com/x\n", 2, "module version"),
        ("module m\nreplace a.com/x v1 b.com/y v2\n", 2, "'=>'"),
        ('module m\nrequire "a.com/x v1.0.0\n', 2, "unterminated"),
    ],
)
def test_malformed_go_mod_is_a_located_error(text: str, line: int, words: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse(source(text, "app/go.mod"))
    assert caught.value.path == "app/go.mod"
    assert caught.value.line == line
    assert words in caught.value.message


def test_osv_detector_go_fixtures() -> None:
    directory = shared_dataset("lockfiles", "osv-detector", "go")
    results = parse_all(parse, sorted(p for p in directory.iterdir() if p.suffix == ".mod"))
    assert results["empty.mod"].components == ()
    assert versions(results["one-package.mod"]) == {("github.com/BurntSushi/toml", "v1.0.0")}
    assert versions(results["two-packages.mod"]) == {
        ("github.com/BurntSushi/toml", "v1.0.0"),
        ("gopkg.in/yaml.v2", "v2.4.0"),
    }
    indirect = by_name(results["indirect-packages.mod"])
    assert len(indirect) == 5
    assert indirect["github.com/mattn/go-isatty"].direct is False
    assert indirect["gopkg.in/yaml.v2"].direct is True
    assert versions(results["replace-one.mod"]) == {("example.com/fork/net", "v1.4.5")}
    assert versions(results["replace-mixed.mod"]) == {
        ("example.com/fork/net", "v1.4.5"),
        ("golang.org/x/net", "v0.5.6"),
    }
    assert versions(results["replace-no-version.mod"]) == {("example.com/fork/net", "v1.4.5")}
    assert versions(results["replace-different.mod"]) == {
        ("example.com/fork/foe", "v1.4.5"),
        ("example.com/fork/foe", "v1.4.2"),
    }
    assert versions(results["replace-not-required.mod"]) == {
        ("golang.org/x/net", "v0.5.6"),
        ("github.com/BurntSushi/toml", "v1.0.0"),
    }
    local = results["replace-local.mod"]
    assert versions(local) == {("github.com/BurntSushi/toml", "v1.0.0")}
    assert [u.name for u in local.unresolved] == ["golang.org/x/net"]


def test_osv_detector_not_a_go_mod_is_rejected() -> None:
    directory = shared_dataset("lockfiles", "osv-detector", "go")
    with pytest.raises(ManifestError):
        parse_all(parse, [directory / "not-go-mod.txt"])


_SEGMENT = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)


@given(
    host=_SEGMENT,
    parts=st.lists(_SEGMENT, min_size=1, max_size=3),
    version=st.from_regex(
        r"v[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(-rc\.[0-9])?(\+incompatible)?", fullmatch=True
    ),
)
def test_any_module_path_round_trips_through_its_purl(
    host: str, parts: list[str], version: str
) -> None:
    module = f"{host}.com/" + "/".join(parts)
    parsed = parse(source(f"module m\nrequire {module} {version}\n", "go.mod"))
    assert versions(parsed) == {(module, version)}
    assert_round_trip(parsed)
