"""Choosing a scheme by OSV ecosystem name, and the error every scheme raises."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from lockgate.advisories.versions import InvalidVersion, cached_parse, scheme_for
from lockgate.advisories.versions.generic import GenericScheme
from lockgate.errors import InputError, LockgateError
from lockgate.model.ecosystems import ECOSYSTEMS


@pytest.mark.parametrize("ecosystem", ECOSYSTEMS)
def test_every_supported_ecosystem_has_its_own_scheme(ecosystem: str) -> None:
    scheme = scheme_for(ecosystem)
    assert not isinstance(scheme, GenericScheme)
    assert scheme.compare("1.0.0", "1.0.1") == -1


@pytest.mark.parametrize(
    ("ecosystem", "name"),
    [
        ("PyPI", "PyPI"),
        ("pypi", "PyPI"),
        ("npm", "SemVer"),
        ("crates.io", "SemVer"),
        ("Hex", "SemVer"),
        ("SEMVER", "SemVer"),
        ("Pub", "Pub"),
        ("Go", "Go"),
        ("Maven", "Maven"),
        ("Maven:https://repo.example.org", "Maven"),
        ("RubyGems", "RubyGems"),
        ("Packagist", "Packagist"),
        ("NuGet", "NuGet"),
        ("Debian:12", "generic"),
        ("GitHub Actions", "generic"),
    ],
)
def test_scheme_names(ecosystem: str, name: str) -> None:
    assert scheme_for(ecosystem).name == name


def test_the_same_version_can_order_differently_per_ecosystem() -> None:
    # PEP 440 reads "1.0-1" as a post-release, SemVer as a pre-release.
    assert scheme_for("PyPI").compare("1.0.0-1", "1.0.0") == 1
    assert scheme_for("npm").compare("1.0.0-1", "1.0.0") == -1


def test_invalid_version_is_a_located_input_error() -> None:
    with pytest.raises(InvalidVersion) as caught:
        scheme_for("npm").parse("not-a-version")
    error = caught.value
    assert isinstance(error, InputError)
    assert isinstance(error, LockgateError)
    assert isinstance(error, ValueError)
    assert (error.text, error.scheme) == ("not-a-version", "SemVer")
    assert "'not-a-version' is not a valid SemVer version" in error.diagnostics()
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own object)
    assert (copy.text, copy.scheme, str(copy)) == (error.text, error.scheme, str(error))


def test_cached_parse_memoizes_keys_and_still_raises() -> None:
    scheme = scheme_for("PyPI")
    assert cached_parse(scheme, "1.0") is cached_parse(scheme, "1.0")
    for _ in range(2):
        with pytest.raises(InvalidVersion):
            cached_parse(scheme, "2004d")


def test_importing_the_package_loads_no_scheme() -> None:
    code = (
        "import sys, lockgate.advisories.versions as v\n"
        "loaded = lambda: {m for m in sys.modules if m.startswith(v.__name__ + '.')}\n"
        "assert loaded() == {v.__name__ + '.interface'}, loaded()\n"
        "v.scheme_for('PyPI')\n"
        "assert v.__name__ + '.pep440' in loaded()\n"
        "assert v.__name__ + '.maven' not in loaded()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
