"""pyproject.toml: exact pins are direct components, every declared range or non-index source
is reported, and lockfile parsers learn the declared names from it."""

from __future__ import annotations

import pytest

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.python import pyproject
from tests.unit.inventory.python.sources import by_name, inline, versions

PEP621 = """\
[build-system]
requires = ["hatchling"]

[project]
name = "webapp"
version = "1.0"
dependencies = [
    "requests==2.31.0",
    "flask>=2",
    'pywin32==306; sys_platform == "win32"',
    "tool @ git+https://github.com/org/tool@v1",
    "Django",
]

[project.optional-dependencies]
test = ["pytest==8.0.0", "webapp[extra]"]
docs = [
    "sphinx~=7.0",
]

[dependency-groups]
lint = ["ruff===0.5.0", { include-group = "typing" }]
typing = ["mypy"]

[tool.uv]
dev-dependencies = ["coverage==7.4.0"]

[tool.pdm.dev-dependencies]
bench = ["pyperf>=2"]
"""

POETRY = """\
[tool.poetry]
name = "legacy-app"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.10"
django = "4.2.1"
numpy = "^1.26"
attrs = "~23.1"
six = "==1.16.0"
ike = { git = "https://github.com/dzshn/ike.git", rev = "main" }
localpkg = { path = "../localpkg", develop = true }
urllib3 = { version = "2.1.0", optional = true }
anything = "*"
foo = [
    { version = "1.0.0", python = "<3.11" },
    { version = "^2.0", python = ">=3.11" },
]

[tool.poetry.group.dev.dependencies]
black = "24.1.1"

[tool.poetry.dev-dependencies]
isort = ">=5"
"""


def test_pep621_pins_are_direct_components_on_their_line() -> None:
    parsed = pyproject.parse(inline("svc/pyproject.toml", PEP621))
    assert versions(parsed.components) == {
        ("requests", "2.31.0"),
        ("pywin32", "306"),
        ("pytest", "8.0.0"),
        ("ruff", "0.5.0"),
        ("coverage", "7.4.0"),
    }
    assert {c.direct for c in parsed.components} == {True}
    lines = {c.name: c.manifest.start_line for c in parsed.components if c.manifest}
    assert lines == {"requests": 8, "pywin32": 10, "pytest": 16, "ruff": 22, "coverage": 26}
    assert parsed.format == "pyproject.toml"


def test_pep621_ranges_and_direct_references_are_unresolved() -> None:
    parsed = pyproject.parse(inline("pyproject.toml", PEP621))
    reasons = {u.name: (u.reason, u.line) for u in parsed.unresolved}
    assert reasons == {
        "flask": ("declared range (>=2)", 9),
        "tool": ("VCS requirement (git+https://github.com/org/tool@v1)", 11),
        "Django": ("declared range (any version)", 12),
        "sphinx": ("declared range (~=7.0)", 18),
        "mypy": ("declared range (any version)", 23),
        "pyperf": ("declared range (>=2)", 29),
    }


def test_poetry_constraints_are_read_with_their_meaning() -> None:
    parsed = pyproject.parse(inline("pyproject.toml", POETRY))
    assert versions(parsed.components) == {
        ("django", "4.2.1"),
        ("six", "1.16.0"),
        ("urllib3", "2.1.0"),
        ("foo", "1.0.0"),
        ("black", "24.1.1"),
    }
    assert by_name(parsed.components)["django"].manifest.start_line == 7  # type: ignore[union-attr]
    reasons = {(u.name, u.specifier): u.reason for u in parsed.unresolved}
    assert reasons == {
        ("numpy", "^1.26"): "declared range (^1.26)",
        ("attrs", "~23.1"): "declared range (~23.1)",
        (
            "ike",
            "https://github.com/dzshn/ike.git",
        ): "git source (https://github.com/dzshn/ike.git)",
        ("localpkg", "../localpkg"): "local path (../localpkg)",
        ("anything", "*"): "declared range (any version)",
        ("foo", "^2.0"): "declared range (^2.0)",
        ("isort", ">=5"): "declared range (>=5)",
    }
    assert "python" not in {u.name for u in parsed.unresolved}


def test_declared_names_cover_every_group_normalised() -> None:
    assert pyproject.declared_names(PEP621) == frozenset(
        {
            "requests",
            "flask",
            "pywin32",
            "tool",
            "django",
            "pytest",
            "sphinx",
            "ruff",
            "mypy",
            "coverage",
            "pyperf",
        }
    )
    poetry_names = pyproject.declared_names(POETRY)
    assert poetry_names is not None
    assert "python" not in poetry_names
    assert {"django", "black", "isort", "ike"} <= poetry_names
    assert pyproject.declared_names("[project\n") is None


def test_a_project_without_dependencies_gives_nothing() -> None:
    parsed = pyproject.parse(inline("pyproject.toml", '[project]\nname = "x"\n'))
    assert (parsed.components, parsed.unresolved) == ((), ())


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("[project]\ndependencies = [\n  'ok==1',\n  'not valid!!',\n]\n", "not a valid", 4),
        ('[project]\ndependencies = "requests"\n', "dependencies must be an array", None),
        ("[project]\ndependencies = [1]\n", "entries must be requirement strings", 2),
        ('project = "x"\n', "[project] must be a table", None),
        ("[project\n", "not valid TOML", 1),
    ],
)
def test_malformed_files_raise_located_errors(text: str, message: str, line: int | None) -> None:
    with pytest.raises(ManifestError) as caught:
        pyproject.parse(inline("pyproject.toml", text))
    assert message in caught.value.message
    assert (caught.value.path, caught.value.line) == ("pyproject.toml", line)
