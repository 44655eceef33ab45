"""Pipfile.lock: pinned packages of every section, with hashes; git, path and unversioned
entries reported; direct dependencies taken from the Pipfile beside it."""

from __future__ import annotations

import json

import pytest

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.python import pipenv
from tests.unit.inventory.python.sources import by_name, corpus, corpus_files, inline, versions

HASH_1 = "1" * 64
HASH_2 = "2" * 64

LOCK = {
    "_meta": {"hash": {"sha256": "x"}, "pipfile-spec": 6, "requires": {}, "sources": []},
    "default": {
        "requests": {
            "hashes": [f"sha256:{HASH_1}", f"sha256:{HASH_2}"],
            "index": "pypi",
            "version": "==2.31.0",
        },
        "urllib3": {"hashes": [], "markers": "python_version >= '3.7'", "version": "==2.1.0"},
        "mytool": {"path": "./tools/mytool", "editable": True},
        "private": {"git": "https://deploy:tok@example.com/private.git", "ref": "abc123"},
        "loose": {},
        "ranged": {"version": ">=1.0"},
    },
    "develop": {"pytest": {"hashes": [], "version": "==8.0.0"}},
}

PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"
name = "pypi"

[packages]
requests = "*"

[dev-packages]
pytest = "*"
"""


def _text() -> str:
    return json.dumps(LOCK, indent=4)


def test_pinned_entries_of_all_sections_become_components_on_their_key_line() -> None:
    text = _text()
    parsed = pipenv.parse(inline("svc/Pipfile.lock", text))
    assert versions(parsed.components) == {
        ("requests", "2.31.0"),
        ("urllib3", "2.1.0"),
        ("pytest", "8.0.0"),
    }
    lines = text.splitlines()
    for item in parsed.components:
        assert item.manifest is not None
        assert item.manifest.path == "svc/Pipfile.lock"
        assert item.manifest.start_line is not None
        assert f'"{item.name}": {{' in lines[item.manifest.start_line - 1]
    assert by_name(parsed.components)["requests"].hashes == (("sha256", HASH_1),)
    assert parsed.format == "Pipfile.lock"


def test_git_path_and_unversioned_entries_are_unresolved_without_credentials() -> None:
    parsed = pipenv.parse(inline("Pipfile.lock", _text()))
    reasons = {u.name: u.reason for u in parsed.unresolved}
    assert reasons == {
        "mytool": "editable install (./tools/mytool)",
        "private": "git source (https://***@example.com/private.git@abc123)",
        "loose": "no version recorded in the lockfile",
        "ranged": "not pinned to an exact version (>=1.0)",
    }


def test_direct_dependencies_come_from_the_pipfile() -> None:
    without = pipenv.parse(inline("Pipfile.lock", _text()))
    assert {c.direct for c in without.components} == {None}
    parsed = pipenv.parse(inline("Pipfile.lock", _text(), {"Pipfile": PIPFILE}))
    found = by_name(parsed.components)
    assert found["requests"].direct is True
    assert found["pytest"].direct is True
    assert found["urllib3"].direct is False
    assert found["requests"].dependency_paths == (("requests",),)


def test_an_unreadable_pipfile_is_a_warning() -> None:
    parsed = pipenv.parse(inline("Pipfile.lock", _text(), {"Pipfile": "[packages\n"}))
    assert {c.direct for c in parsed.components} == {None}
    (warning,) = parsed.warnings
    assert warning.startswith("Pipfile:1: not valid TOML")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{"default": {"six": {"version": "==1.0"}', "not valid JSON", 1),
        ("[1, 2]", "the document must be a table", 1),
        ('{"_meta": {"pipfile-spec": 99}, "default": {}}', "unsupported pipfile-spec 99", None),
        ('{"something": {}}', "not a Pipfile.lock", 1),
        ('{\n  "default": {\n    "six": "==1.0"\n  }\n}', '"six" in "default" must be a table', 3),
        ('{\n  "default": []\n}', 'the "default" section must be a table', 2),
    ],
)
def test_malformed_lockfiles_raise_located_errors(
    text: str, message: str, line: int | None
) -> None:
    with pytest.raises(ManifestError) as caught:
        pipenv.parse(inline("Pipfile.lock", text))
    assert message in caught.value.message
    assert (caught.value.path, caught.value.line) == ("Pipfile.lock", line)


CORPUS: dict[str, set[tuple[str, str]]] = {
    "empty.json": set(),
    "multiple-packages.json": {
        ("itsdangerous", "2.1.2"),
        ("pluggy", "1.0.1"),
        ("pluggy", "1.0.0"),
        ("markupsafe", "2.1.1"),
    },
    "no-version.json": set(),
    "one-package-dev.json": {("markupsafe", "2.1.1")},
    "one-package.json": {("markupsafe", "2.1.1")},
    "two-packages-alt.json": {("itsdangerous", "2.1.2"), ("markupsafe", "2.1.1")},
    "two-packages.json": {("itsdangerous", "2.1.2"), ("markupsafe", "2.1.1")},
}


def test_the_corpus_table_covers_every_pipenv_fixture() -> None:
    assert {path.name for path in corpus_files("pipenv")} == {*CORPUS, "not-json.txt"}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_gives_the_expected_packages(name: str) -> None:
    assert versions(pipenv.parse(corpus("pipenv", name)).components) == CORPUS[name]


def test_corpus_details() -> None:
    multiple = pipenv.parse(corpus("pipenv", "multiple-packages.json"))
    assert len(multiple.components) == 4  # itsdangerous, in both sections, is listed once
    markupsafe = by_name(multiple.components)["markupsafe"]
    assert markupsafe.hashes == (
        ("sha256", "0212a68688482dc52b2d45013df70d169f542b7394fc744c02a57374a4207003"),
    )
    no_version = pipenv.parse(corpus("pipenv", "no-version.json"))
    assert {(u.name, u.reason.split(" (")[0]) for u in no_version.unresolved} == {
        ("markupsafe", "editable install"),
        ("itsdangerous", "editable install"),
    }


def test_corpus_not_json_is_an_error() -> None:
    with pytest.raises(ManifestError) as caught:
        pipenv.parse(corpus("pipenv", "not-json.txt"))
    assert (caught.value.path, caught.value.line) == ("pipenv/not-json.txt", 1)
