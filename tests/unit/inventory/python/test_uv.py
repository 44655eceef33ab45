"""uv.lock: registry packages with hashes and graph; the project and workspace members left
out and their dependencies marked direct; git, path and URL sources reported."""

from __future__ import annotations

import pytest

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.python import uv
from tests.unit.inventory.python.sources import by_name, corpus, corpus_files, inline, versions

SDIST = "a" * 64
WHEEL = "b" * 64
INDEX = '{ registry = "https://pypi.org/simple" }'
PYPI = f"source = {INDEX}"
COMMIT = "84748be16341b76e073d117329f7f5f4ee2941ad"
OLD = "marker = \"python_full_version < '3.12'\""
NEW = "marker = \"python_full_version >= '3.12'\""

LOCK = f"""\
version = 1
revision = 2
requires-python = ">=3.10"
resolution-markers = [
    "python_full_version >= '3.12'",
    "python_full_version < '3.12'",
]

[manifest]
members = ["webapp", "helpers"]

[[package]]
name = "anyio"
version = "4.2.0"
{PYPI}
dependencies = [
    {{ name = "idna" }},
    {{ name = "sniffio" }},
]
sdist = {{ url = "https://files.example/anyio-4.2.0.tar.gz", hash = "sha256:{SDIST}", size = 1 }}
wheels = [
    {{ url = "https://files.example/anyio-4.2.0-py3-none-any.whl", hash = "sha256:{WHEEL}" }},
]

[[package]]
name = "helpers"
version = "0.1.0"
source = {{ editable = "packages/helpers" }}
dependencies = [
    {{ name = "numpy", version = "1.26.4", source = {INDEX}, {OLD} }},
    {{ name = "numpy", version = "2.0.0", source = {INDEX}, {NEW} }},
]

[[package]]
name = "idna"
version = "3.6"
{PYPI}
wheels = [
    {{ url = "https://files.example/idna-3.6-py3-none-any.whl", hash = "sha256:{WHEEL}" }},
]

[[package]]
name = "numpy"
version = "1.26.4"
{PYPI}

[[package]]
name = "numpy"
version = "2.0.0"
{PYPI}

[[package]]
name = "ruff"
version = "0.8.1"
source = {{ git = "https://github.com/astral-sh/ruff?rev=main#{COMMIT}" }}

[[package]]
name = "sniffio"
version = "1.3.0"
{PYPI}
dependencies = [
    {{ name = "anyio" }},
]

[[package]]
name = "vendored"
version = "2.0.0"
source = {{ path = "vendor/vendored-2.0.0.tar.gz" }}

[[package]]
name = "webapp"
version = "0.1.0"
source = {{ virtual = "." }}
dependencies = [
    {{ name = "anyio" }},
    {{ name = "helpers" }},
    {{ name = "vendored" }},
]

[package.optional-dependencies]
lint = [
    {{ name = "ruff" }},
]

[package.dev-dependencies]
dev = [
    {{ name = "sniffio" }},
]
"""


def test_registry_packages_become_components_and_projects_are_left_out() -> None:
    parsed = uv.parse(inline("uv.lock", LOCK))
    assert versions(parsed.components) == {
        ("anyio", "4.2.0"),
        ("idna", "3.6"),
        ("numpy", "1.26.4"),
        ("numpy", "2.0.0"),
        ("sniffio", "1.3.0"),
    }
    anyio = by_name(parsed.components)["anyio"]
    assert anyio.hashes == (("sha256", SDIST),)
    assert anyio.manifest is not None
    assert anyio.manifest.start_line == 13
    assert by_name(parsed.components)["idna"].hashes == (("sha256", WHEEL),)
    assert parsed.format == "uv.lock"


def test_git_and_path_sources_are_unresolved() -> None:
    parsed = uv.parse(inline("uv.lock", LOCK))
    reasons = {u.name: (u.specifier, u.reason) for u in parsed.unresolved}
    assert reasons == {
        "ruff": (
            "0.8.1",
            "git source (https://github.com/astral-sh/ruff?rev=main"
            "@84748be16341b76e073d117329f7f5f4ee2941ad)",
        ),
        "vendored": ("2.0.0", "local path (vendor/vendored-2.0.0.tar.gz)"),
    }


def test_dependencies_of_the_project_and_members_are_direct_with_paths() -> None:
    parsed = uv.parse(inline("uv.lock", LOCK))
    found = {(c.name, c.version): c for c in parsed.components}
    assert found["anyio", "4.2.0"].direct is True
    assert found["sniffio", "1.3.0"].direct is True  # dev group
    assert found["numpy", "2.0.0"].direct is True  # a workspace member's dependency
    assert found["idna", "3.6"].direct is False
    assert found["idna", "3.6"].dependency_paths == (
        ("anyio", "idna"),
        ("sniffio", "anyio", "idna"),
    )
    assert found["sniffio", "1.3.0"].dependency_paths == (("anyio", "sniffio"), ("sniffio",))


def test_graph_edges_follow_versions_and_survive_cycles() -> None:
    parsed = uv.parse(inline("uv.lock", LOCK))
    edges = dict(parsed.dependencies)
    assert edges == {
        "pkg:pypi/anyio@4.2.0": ("pkg:pypi/idna@3.6", "pkg:pypi/sniffio@1.3.0"),
        "pkg:pypi/sniffio@1.3.0": ("pkg:pypi/anyio@4.2.0",),
    }


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("version = 2\n", "unsupported uv.lock version 2", 1),
        ('requires-python = ">=3"\n', "the lockfile version is missing", 1),
        (
            'version = 1\n[[package]]\nname = "x"\nsource = "pypi"\n',
            "source of x must be a table",
            3,
        ),
        ("version = 1\n[[package]\n", "not valid TOML", 2),
    ],
)
def test_malformed_lockfiles_raise_located_errors(
    text: str, message: str, line: int | None
) -> None:
    with pytest.raises(ManifestError) as caught:
        uv.parse(inline("uv.lock", text))
    assert message in caught.value.message
    assert (caught.value.path, caught.value.line) == ("uv.lock", line)


CORPUS: dict[str, set[tuple[str, str]]] = {
    "empty.lock": set(),
    "grouped-packages.lock": {
        ("black", "24.10.0"),
        ("click", "8.1.7"),
        ("colorama", "0.4.6"),
        ("emoji", "2.14.0"),
        ("flake8", "7.1.1"),
        ("mccabe", "0.7.0"),
        ("mypy-extensions", "1.0.0"),
        ("packaging", "24.2"),
        ("pathspec", "0.12.1"),
        ("platformdirs", "4.3.6"),
        ("pycodestyle", "2.12.1"),
        ("pyflakes", "3.2.0"),
        ("tomli", "2.2.1"),
        ("typing-extensions", "4.12.2"),
    },
    "no-dependencies.lock": set(),
    "no-packages.lock": set(),
    "one-package.lock": {("emoji", "2.14.0")},
    "source-git.lock": set(),
    "two-packages.lock": {("emoji", "2.14.0"), ("protobuf", "4.25.5")},
}


def test_the_corpus_table_covers_every_uv_fixture() -> None:
    assert {path.name for path in corpus_files("uv")} == {*CORPUS, "not-toml.txt"}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_gives_the_expected_packages(name: str) -> None:
    assert versions(uv.parse(corpus("uv", name)).components) == CORPUS[name]


def test_corpus_details() -> None:
    grouped = by_name(uv.parse(corpus("uv", "grouped-packages.lock")).components)
    assert grouped["emoji"].direct is True
    assert grouped["black"].direct is True  # in the dev and test extras
    assert grouped["colorama"].direct is False
    assert ("click", "colorama") in grouped["colorama"].dependency_paths
    assert grouped["emoji"].hashes == (
        ("sha256", "f68ac28915a2221667cddb3e6c589303c3c6954c6c5af6fefaec7f9bdf72fdca"),
    )
    (git,) = uv.parse(corpus("uv", "source-git.lock")).unresolved
    assert (git.name, git.specifier) == ("ruff", "0.8.1")
    assert git.reason.startswith("git source (https://github.com/astral-sh/ruff@84748be")


def test_corpus_not_toml_is_an_error() -> None:
    with pytest.raises(ManifestError) as caught:
        uv.parse(corpus("uv", "not-toml.txt"))
    assert (caught.value.path, caught.value.line) == ("uv/not-toml.txt", 1)
