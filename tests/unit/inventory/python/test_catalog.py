"""The Python parsers as the collector uses them: found through the catalog, reading their
siblings from a real directory, and producing purls that parse back to what was read."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lockgate.inventory.catalog import PARSERS, parser_for
from lockgate.inventory.collect import collect_inventory
from lockgate.inventory.interface import Parser
from lockgate.inventory.purl import parse_purl
from lockgate.inventory.python import (
    installed,
    pdm,
    pipenv,
    poetry,
    pylock,
    pyproject,
    requirements,
    uv,
)
from lockgate.model.ecosystems import PYPI, normalize_name
from lockgate.sources.filesystem import FilesystemSource
from tests.unit.inventory.python.sources import corpus, corpus_files, inline

MODULES = {
    "requirements.txt": requirements,
    "poetry.lock": poetry,
    "Pipfile.lock": pipenv,
    "uv.lock": uv,
    "pdm.lock": pdm,
    "pylock.toml": pylock,
    "pyproject.toml": pyproject,
    "python-metadata": installed,
}


@pytest.mark.parametrize(
    ("path", "format"),
    [
        ("requirements.txt", "requirements.txt"),
        ("deploy/requirements-prod.txt", "requirements.txt"),
        ("requirements/dev-requirements.txt", "requirements.txt"),
        ("constraints.txt", "requirements.txt"),
        ("requirements.in", "requirements.txt"),
        ("poetry.lock", "poetry.lock"),
        ("a/Pipfile.lock", "Pipfile.lock"),
        ("uv.lock", "uv.lock"),
        ("pdm.lock", "pdm.lock"),
        ("pylock.toml", "pylock.toml"),
        ("pylock.dev.toml", "pylock.toml"),
        ("pyproject.toml", "pyproject.toml"),
        ("site/six-1.16.0.dist-info/METADATA", "python-metadata"),
        ("site/six-1.16.0.egg-info/PKG-INFO", "python-metadata"),
    ],
)
def test_the_catalog_sends_each_python_file_to_its_parser(path: str, format: str) -> None:
    spec = parser_for(path)
    assert spec is not None
    assert spec.format == format
    assert spec.load() is MODULES[format].parse


def test_every_python_parser_in_the_catalog_exists() -> None:
    python = [spec for spec in PARSERS if spec.ecosystem == PYPI]
    assert {spec.format for spec in python} == set(MODULES)
    for spec in python:
        assert callable(spec.load())


def test_the_collector_reads_includes_siblings_and_metadata_from_disk(tmp_path: Path) -> None:
    files = {
        "api/requirements.txt": "-r reqs/base.txt\nrequests==2.31.0\n",
        "api/reqs/base.txt": "flask==3.0.0\nclick>=8\n",
        "worker/poetry.lock": (
            '[[package]]\nname = "celery"\nversion = "5.3.6"\n\n'
            '[package.dependencies]\nkombu = ">=5.3.4"\n\n'
            '[[package]]\nname = "kombu"\nversion = "5.3.5"\n\n'
            '[metadata]\nlock-version = "2.0"\n'
        ),
        "worker/pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\ncelery = "^5.3"\n',
        "vendor/lib/Jinja2-3.1.3.dist-info/METADATA": (
            "Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.1.3\nLicense: BSD-3-Clause\n"
        ),
        "broken/uv.lock": "version = = 1\n",
    }
    for relative, text in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    with FilesystemSource(tmp_path).open() as workspace:
        inventory = collect_inventory(workspace)
    where = {
        (c.name, c.version): (c.manifest.path, c.manifest.start_line, c.direct)
        for c in inventory.components
        if c.manifest
    }
    assert where == {
        ("requests", "2.31.0"): ("api/requirements.txt", 2, None),
        ("flask", "3.0.0"): ("api/reqs/base.txt", 1, None),
        ("celery", "5.3.6"): ("worker/poetry.lock", 2, True),
        ("kombu", "5.3.5"): ("worker/poetry.lock", 9, False),
        ("Jinja2", "3.1.3"): ("vendor/lib/Jinja2-3.1.3.dist-info/METADATA", 2, None),
    }
    assert any("click >=8" in skipped.detail for skipped in inventory.skipped)
    (error,) = inventory.errors
    assert (error.path, error.line) == ("broken/uv.lock", 1)
    assert error.message.startswith("uv.lock: not valid TOML")


_NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?", fullmatch=True)
_VERSIONS = st.builds(
    lambda release, suffix: ".".join(str(n) for n in release) + suffix,
    st.lists(st.integers(0, 2024), min_size=1, max_size=4),
    st.sampled_from(["", "a1", "b2", "rc3", ".post1", ".dev4", "+local.7", "rc1.post2.dev3"]),
)


@given(name=_NAMES, version=_VERSIONS)
def test_purls_of_pins_round_trip(name: str, version: str) -> None:
    parsed = requirements.parse(inline("requirements.txt", f"{name}=={version}\n"))
    (item,) = parsed.components
    assert item.name == name
    assert parse_purl(item.purl) == (PYPI, normalize_name(PYPI, name), version)


@pytest.mark.parametrize(
    ("kind", "parse"),
    [
        ("pip", requirements.parse),
        ("poetry", poetry.parse),
        ("pipenv", pipenv.parse),
        ("pdm", pdm.parse),
        ("uv", uv.parse),
        ("pylock", pylock.parse),
    ],
)
def test_every_corpus_purl_round_trips(kind: str, parse: Parser) -> None:
    seen = 0
    for path in corpus_files(kind):
        if path.name.startswith("not-"):
            continue
        for item in parse(corpus(kind, path.name)).components:
            assert parse_purl(item.purl) == (PYPI, normalize_name(PYPI, item.name), item.version)
            seen += 1
    assert seen > 0


@pytest.mark.parametrize(
    "parse",
    [
        requirements.parse,
        poetry.parse,
        pipenv.parse,
        uv.parse,
        pdm.parse,
        pylock.parse,
        pyproject.parse,
    ],
)
def test_empty_files_give_nothing(parse: Parser) -> None:
    for text in ("", "\n  \n"):
        parsed = parse(inline("deps/file", text))
        assert (parsed.components, parsed.unresolved, parsed.dependencies) == ((), (), ())
        assert parsed.ecosystem == PYPI
