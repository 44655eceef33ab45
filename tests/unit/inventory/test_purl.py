"""purls built by lockgate equal packageurl-python's and round-trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packageurl import PackageURL

from lockgate.inventory.purl import PURL_TYPES, _split, parse_purl, purl_for
from lockgate.model.ecosystems import ECOSYSTEMS, PYPI, normalize_name


def _reference(ecosystem: str, name: str, version: str | None) -> str:
    namespace, bare = _split(ecosystem, name)
    if ecosystem == PYPI:
        bare = normalize_name(PYPI, bare)
    return str(
        PackageURL(type=PURL_TYPES[ecosystem], namespace=namespace, name=bare, version=version)
    )


@pytest.mark.parametrize(
    ("ecosystem", "name", "version", "purl"),
    [
        ("PyPI", "Django_Rest.Framework", "1.0", "pkg:pypi/django-rest-framework@1.0"),
        ("npm", "@babel/core", "7.0.0", "pkg:npm/%40babel/core@7.0.0"),
        (
            "Go",
            "github.com/Foo/bar",
            "v1.2.3+incompatible",
            "pkg:golang/github.com/Foo/bar@v1.2.3%2Bincompatible",
        ),
        (
            "Maven",
            "org.apache.commons:commons-text",
            "1.9",
            "pkg:maven/org.apache.commons/commons-text@1.9",
        ),
        ("Packagist", "Symfony/Console", "v5.4.0", "pkg:composer/symfony/console@v5.4.0"),
        ("NuGet", "Newtonsoft.Json", "13.0.1", "pkg:nuget/Newtonsoft.Json@13.0.1"),
        ("crates.io", "serde", None, "pkg:cargo/serde"),
    ],
)
def test_known_purls(ecosystem: str, name: str, version: str | None, purl: str) -> None:
    assert purl_for(ecosystem, name, version) == purl


_NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}", fullmatch=True)
_VERSIONS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.~+-]{0,19}", fullmatch=True)


@given(st.sampled_from(ECOSYSTEMS), _NAMES, st.one_of(st.none(), _VERSIONS))
def test_same_as_packageurl_and_round_trips(ecosystem: str, name: str, version: str | None) -> None:
    ours = purl_for(ecosystem, name, version)
    assert ours == _reference(ecosystem, name, version)
    parsed_ecosystem, _, parsed_version = parse_purl(ours)
    assert parsed_ecosystem == ecosystem
    assert parsed_version == version
