"""pylock.toml (PEP 751): index packages with hashes and graph; vcs, directory and archive
packages reported; editable projects left out."""

from __future__ import annotations

import pytest

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.python import pylock
from tests.unit.inventory.python.sources import by_name, corpus, corpus_files, inline, versions

SDIST = "e" * 64
WHEEL = "f" * 64
SHA512 = "0" * 128

LOCK = f"""\
lock-version = "1.0"
created-by = "hand"
requires-python = ">=3.11"

[[packages]]
name = "attrs"
version = "25.1.0"
index = "https://pypi.org/simple"
wheels = [
  {{ name = "attrs-25.1.0-py3-none-any.whl", hashes = {{ sha256 = "{WHEEL}" }} }},
]

[packages.sdist]
name = "attrs-25.1.0.tar.gz"
url = "https://files.example/attrs-25.1.0.tar.gz"
hashes = {{ sha256 = "{SDIST}", sha512 = "{SHA512}" }}

[[packages]]
name = "cattrs"
version = "24.1.2"
dependencies = [{{ name = "attrs" }}]
wheels = [{{ name = "cattrs-24.1.2-py3-none-any.whl", hashes = {{ sha256 = "{WHEEL}" }} }}]

[[packages]]
name = "mleroc"
version = "0.1.0"
vcs = {{ type = "git", url = "https://github.com/Veggente/mleroc.git", commit-id = "735093f" }}

[[packages]]
name = "localthing"
directory = {{ path = "../localthing" }}

[[packages]]
name = "zipped"
version = "3.0"
archive = {{ url = "https://example.com/zipped-3.0.zip", hashes = {{ sha256 = "{SDIST}" }} }}

[[packages]]
name = "myapp"
directory = {{ path = ".", editable = true }}

[[packages]]
name = "noversion"
wheels = [{{ name = "noversion-1-py3-none-any.whl", hashes = {{ sha256 = "{WHEEL}" }} }}]
"""


def test_index_packages_become_components_with_sdist_hashes() -> None:
    parsed = pylock.parse(inline("pylock.toml", LOCK))
    assert versions(parsed.components) == {("attrs", "25.1.0"), ("cattrs", "24.1.2")}
    attrs = by_name(parsed.components)["attrs"]
    assert attrs.hashes == (("sha256", SDIST), ("sha512", SHA512))
    assert attrs.manifest is not None
    assert attrs.manifest.start_line == 6
    assert parsed.format == "pylock.toml"


def test_vcs_directory_archive_and_unversioned_packages_are_unresolved() -> None:
    parsed = pylock.parse(inline("pylock.toml", LOCK))
    reasons = {u.name: u.reason for u in parsed.unresolved}
    assert reasons == {
        "mleroc": "git source (https://github.com/Veggente/mleroc.git@735093f)",
        "localthing": "local path (../localthing)",
        "zipped": "URL requirement (https://example.com/zipped-3.0.zip)",
        "noversion": "no version recorded in the lockfile",
    }
    assert "myapp" not in reasons


def test_dependencies_arrays_give_the_graph_and_the_pyproject_the_direct_ones() -> None:
    parsed = pylock.parse(
        inline(
            "pylock.toml",
            LOCK,
            {"pyproject.toml": '[project]\nname = "myapp"\ndependencies = ["cattrs"]\n'},
        )
    )
    assert parsed.dependencies == (("pkg:pypi/cattrs@24.1.2", ("pkg:pypi/attrs@25.1.0",)),)
    found = by_name(parsed.components)
    assert (found["cattrs"].direct, found["attrs"].direct) == (True, False)
    assert found["attrs"].dependency_paths == (("cattrs", "attrs"),)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('lock-version = "2.0"\n', "unsupported lock-version 2.0", 1),
        ('created-by = "x"\n', "lock-version is missing", 1),
        ('lock-version = "1.0"\npackages = {}\n', "packages must be an array", None),
        ('lock-version = "1.0"\n[[packages]]\nname = ""\n', "package name", 3),
    ],
)
def test_malformed_lockfiles_raise_located_errors(
    text: str, message: str, line: int | None
) -> None:
    with pytest.raises(ManifestError) as caught:
        pylock.parse(inline("pylock.toml", text))
    assert message in caught.value.message
    assert (caught.value.path, caught.value.line) == ("pylock.toml", line)


CORPUS: dict[str, set[tuple[str, str]]] = {
    "commits.toml": {
        ("click", "8.2.1"),
        ("packaging", "24.2"),
        ("pathspec", "0.12.1"),
        ("python-dateutil", "2.9.0.post0"),
        ("scikit-learn", "1.6.1"),
        ("tqdm", "4.67.1"),
    },
    "example.toml": {("attrs", "25.1.0"), ("cattrs", "24.1.2"), ("numpy", "2.2.3")},
    "pdm-full.toml": {
        ("certifi", "2025.1.31"),
        ("chardet", "3.0.4"),
        ("charset-normalizer", "2.0.12"),
        ("colorama", "0.3.9"),
        ("idna", "2.7"),
        ("py", "1.4.34"),
        ("pytest", "3.2.5"),
        ("requests", "2.27.1"),
        ("setuptools", "39.2.0"),
        ("urllib3", "1.26.20"),
    },
    "pip-full.toml": {
        ("annotated-types", "0.7.0"),
        ("packaging", "25.0"),
        ("pyproject-toml", "0.1.0"),
        ("setuptools", "80.9.0"),
        ("wheel", "0.45.1"),
    },
    "pip-just-self.toml": set(),
}


def test_the_corpus_table_covers_every_pylock_fixture() -> None:
    assert {path.name for path in corpus_files("pylock")} == {*CORPUS, "not-toml.txt"}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_gives_the_expected_packages(name: str) -> None:
    assert versions(pylock.parse(corpus("pylock", name)).components) == CORPUS[name]


def test_corpus_details() -> None:
    commits = pylock.parse(corpus("pylock", "commits.toml"))
    assert [(u.name, u.reason.split(" (")[0]) for u in commits.unresolved] == [
        ("mleroc", "git source")
    ]
    certifi = by_name(pylock.parse(corpus("pylock", "pdm-full.toml")).components)["certifi"]
    assert certifi.hashes == (
        ("sha256", "3d5da6925056f6f18f119200434a4780a94263f10d1c21d032a6f6b2baa20651"),
    )
    example = pylock.parse(corpus("pylock", "example.toml"))
    assert example.dependencies == (("pkg:pypi/cattrs@24.1.2", ("pkg:pypi/attrs@25.1.0",)),)
    just_self = pylock.parse(corpus("pylock", "pip-just-self.toml"))
    assert (just_self.components, just_self.unresolved) == ((), ())


def test_corpus_not_toml_is_an_error() -> None:
    with pytest.raises(ManifestError) as caught:
        pylock.parse(corpus("pylock", "not-toml.txt"))
    assert (caught.value.path, caught.value.line) == ("pylock/not-toml.txt", 1)
