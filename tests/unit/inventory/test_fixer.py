"""``lockgate fix`` rewrites: only the version text of a vulnerable pin changes."""

from __future__ import annotations

import pytest

from lockgate.inventory.fixer import fix_text, fixer_kind

REQUIREMENTS = """\
# production pins
--index-url https://pypi.org/simple
Django==3.2.1  # web framework
requests[socks] >= 2.20.0 ; python_version > "3.8"
flask==1.0 \\
    --hash=sha256:0123456789abcdef
urllib3==1.26.5
"""


def _changed_lines(old: str, new: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]


def test_requirements_pins_move_and_nothing_else_changes() -> None:
    fix = fix_text("requirements.txt", REQUIREMENTS, {"django": "3.2.25", "Requests": "2.32.0"})
    assert _changed_lines(fix.old_text, fix.new_text) == [
        ("Django==3.2.1  # web framework", "Django==3.2.25  # web framework"),
        (
            'requests[socks] >= 2.20.0 ; python_version > "3.8"',
            'requests[socks] >= 2.32.0 ; python_version > "3.8"',
        ),
    ]
    assert [(e.name, e.line, e.old, e.new) for e in fix.edits] == [
        ("Django", 3, "3.2.1", "3.2.25"),
        ("requests", 4, "2.20.0", "2.32.0"),
    ]
    diff = fix.diff()
    assert diff.startswith("--- a/requirements.txt\n+++ b/requirements.txt\n")
    assert "\n-Django==3.2.1  # web framework\n" in diff
    assert "\n+Django==3.2.25  # web framework\n" in diff
    assert "urllib3" not in "".join(line for line in diff.splitlines() if line[:1] in "+-")


def test_hashed_pins_are_reported_not_rewritten() -> None:
    fix = fix_text("requirements.txt", REQUIREMENTS, {"flask": "2.2.5"})
    assert fix.new_text == REQUIREMENTS
    assert fix.diff() == ""
    assert [(u.name, u.line) for u in fix.unfixable] == [("flask", 5)]
    assert "pip-compile --generate-hashes" in fix.unfixable[0].reason


def test_pyproject_pep621_and_poetry_tables() -> None:
    text = """\
[project]
name = "demo"
version = "1.0.0"
dependencies = ["django==3.2.1", "urllib3>=1.26", "rich"]

[tool.poetry.dependencies]
python = "^3.11"
jinja2 = "^2.10"
PyYAML = {version = "5.3", optional = true}
"""
    fix = fix_text(
        "pyproject.toml",
        text,
        {"Django": "3.2.25", "urllib3": "1.26.18", "jinja2": "2.11.3", "pyyaml": "5.4"},
    )
    assert _changed_lines(text, fix.new_text) == [
        (
            'dependencies = ["django==3.2.1", "urllib3>=1.26", "rich"]',
            'dependencies = ["django==3.2.25", "urllib3>=1.26.18", "rich"]',
        ),
        ('jinja2 = "^2.10"', 'jinja2 = "^2.11.3"'),
        (
            'PyYAML = {version = "5.3", optional = true}',
            'PyYAML = {version = "5.4", optional = true}',
        ),
    ]
    # The project's own version is never touched.
    assert 'version = "1.0.0"' in fix.new_text


def test_package_json_keeps_range_operators_and_reports_git_specs() -> None:
    text = """{
  "name": "web",
  "version": "1.0.0",
  "dependencies": {
    "lodash": "^4.17.11",
    "@babel/core": "7.0.0",
    "left-pad": "git+https://example.invalid/left-pad.git"
  },
  "devDependencies": {
    "minimist": "~1.2.0"
  }
}
"""
    fix = fix_text(
        "web/package.json",
        text,
        {"lodash": "4.17.21", "@babel/core": "7.23.2", "left-pad": "1.3.0", "minimist": "1.2.6"},
    )
    assert _changed_lines(text, fix.new_text) == [
        ('    "lodash": "^4.17.11",', '    "lodash": "^4.17.21",'),
        ('    "@babel/core": "7.0.0",', '    "@babel/core": "7.23.2",'),
        ('    "minimist": "~1.2.0"', '    "minimist": "~1.2.6"'),
    ]
    assert [u.name for u in fix.unfixable] == ["left-pad"]
    assert '"version": "1.0.0"' in fix.new_text


def test_nothing_to_do_gives_an_empty_diff() -> None:
    fix = fix_text("requirements.txt", "django==3.2.25\n", {"django": "3.2.25"})
    assert fix.diff() == ""
    assert fix.edits == ()


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("requirements.txt", "requirements"),
        ("deps/requirements-dev.txt", "requirements"),
        ("requirements-dev.in", "requirements"),
        ("pyproject.toml", "pyproject"),
        ("web/package.json", "package.json"),
        ("poetry.lock", None),
        ("package-lock.json", None),
    ],
)
def test_fixer_kind(path: str, kind: str | None) -> None:
    assert fixer_kind(path) == kind


def test_unsupported_file_is_an_error() -> None:
    with pytest.raises(ValueError, match="rewrites requirements"):
        fix_text("Cargo.toml", "", {"x": "1"})
