"""Gemfile.lock: GEM/GIT/PATH sources, platforms, direct gems, graph, checksums."""

from __future__ import annotations

import pytest

from lockgate.inventory.bundler import parse
from lockgate.inventory.interface import ManifestError
from lockgate.model.ecosystems import RUBYGEMS
from tests.conftest import shared_dataset
from tests.unit.inventory._lockfiles import assert_round_trip, by_name, parse_all, source, versions

SHA = "c" * 64

GEMFILE_LOCK = f"""\
GIT
  remote: https://github.com/org/forked.git
  revision: 0123456789abcdef0123456789abcdef01234567
  specs:
    forked (2.0.0)
      rack (>= 2.0)

PATH
  remote: engines/billing
  specs:
    billing (0.1.0)
      nokogiri

GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.16.0-x86_64-linux)
      racc (~> 1.4)
    nokogiri (1.16.0-arm64-darwin)
      racc (~> 1.4)
    racc (1.7.3)
    rack (3.0.8)
    rails (7.1.2)
      rack (>= 2.2.4)

PLATFORMS
  arm64-darwin
  x86_64-linux

DEPENDENCIES
  billing!
  forked!
  rails (~> 7.1)

CHECKSUMS
  rack (3.0.8) sha256={SHA}
  nokogiri (1.16.0-x86_64-linux) sha256={SHA}

BUNDLED WITH
   2.5.3
"""


def test_gems_are_components_without_platform_suffixes() -> None:
    parsed = parse(source(GEMFILE_LOCK, "Gemfile.lock"))
    assert parsed.ecosystem == RUBYGEMS and parsed.format == "Gemfile.lock"
    assert versions(parsed) == {
        ("nokogiri", "1.16.0"),
        ("racc", "1.7.3"),
        ("rack", "3.0.8"),
        ("rails", "7.1.2"),
    }
    nokogiri = by_name(parsed)["nokogiri"]
    assert nokogiri.purl == "pkg:gem/nokogiri@1.16.0"
    assert nokogiri.manifest is not None and nokogiri.manifest.start_line == 17
    assert_round_trip(parsed)


def test_git_and_path_gems_are_unresolved() -> None:
    parsed = parse(source(GEMFILE_LOCK, "Gemfile.lock"))
    assert {(u.name, u.specifier, u.reason, u.line) for u in parsed.unresolved} == {
        ("forked", "2.0.0", "git source (https://github.com/org/forked.git)", 5),
        ("billing", "0.1.0", "local path (engines/billing)", 11),
    }


def test_dependencies_section_decides_direct_and_paths_go_through_git_and_path_gems() -> None:
    comps = by_name(parse(source(GEMFILE_LOCK, "Gemfile.lock")))
    assert comps["rails"].direct is True
    assert comps["rack"].direct is False
    assert comps["rack"].dependency_paths == (("forked", "rack"), ("rails", "rack"))
    assert comps["racc"].dependency_paths == (("billing", "nokogiri", "racc"),)


def test_graph_edges_and_checksums() -> None:
    parsed = parse(source(GEMFILE_LOCK, "Gemfile.lock"))
    edges = dict(parsed.dependencies)
    assert edges["pkg:gem/rails@7.1.2"] == ("pkg:gem/rack@3.0.8",)
    assert edges["pkg:gem/nokogiri@1.16.0"] == ("pkg:gem/racc@1.7.3",)
    comps = by_name(parsed)
    assert comps["rack"].hashes == (("sha256", SHA),)
    assert comps["nokogiri"].hashes == (("sha256", SHA),)
    assert comps["rails"].hashes == ()


def test_empty_dependencies_leave_direct_unknown() -> None:
    text = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.0.6)\n\nDEPENDENCIES\n"
    assert by_name(parse(source(text, "Gemfile.lock")))["rake"].direct is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("this is not a lockfile\nat all\n", 1, "not a Gemfile.lock"),
        ("  indented junk\n", 1, "not a Gemfile.lock"),
        ("GEM\n  remote: https://rubygems.org/\n  specs:\n    rake\n", 4, "without a version"),
    ],
)
def test_malformed_gemfile_lock_is_a_located_error(text: str, line: int, words: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse(source(text, "gems.locked"))
    assert caught.value.line == line
    assert words in caught.value.message
    assert caught.value.path == "gems.locked"


def test_osv_detector_bundler_fixtures() -> None:
    directory = shared_dataset("lockfiles", "osv-detector", "bundler")
    results = parse_all(parse, sorted(directory.glob("*.lock")))
    for empty in ("no-gem-section.lock", "no-gems.lock", "no-spec-section.lock"):
        assert results[empty].components == ()
    assert versions(results["one-gem.lock"]) == {("ast", "2.4.2")}
    assert versions(results["some-gems.lock"]) == {
        ("coderay", "1.1.3"),
        ("method_source", "1.0.0"),
        ("pry", "0.14.1"),
    }
    assert len(results["rails.lock"].components) == 46
    rails = by_name(results["rails.lock"])
    assert rails["nokogiri"].version == "1.13.3"
    assert rails["rails"].direct is True and rails["actionpack"].direct is False
    rubocop = by_name(results["rubocop.lock"])
    assert rubocop["ast"].dependency_paths == (
        ("rubocop", "parser", "ast"),
        ("rubocop", "rubocop-ast", "parser", "ast"),
    )
    git = results["has-git-gem.lock"]
    assert versions(git) == {
        ("concurrent-ruby", "1.1.7"),
        ("rack", "2.2.3"),
        ("transproc", "1.1.1"),
    }
    assert {u.name for u in git.unresolved} == {"hanami-controller", "hanami-utils"}
    local = results["has-local-gem.lock"]
    assert [u.name for u in local.unresolved] == ["backbone-on-rails"]
    assert len(local.components) == 29
