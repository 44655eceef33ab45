"""Installed package metadata (METADATA, PKG-INFO): one component each, with its license."""

from __future__ import annotations

import pytest

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.python import installed
from tests.unit.inventory.python.sources import inline

PATH = "venv/lib/python3.11/site-packages/Flask-3.0.0.dist-info/METADATA"


def _license(headers: str) -> str | None:
    text = f"Metadata-Version: 2.1\nName: thing\nVersion: 1.0\n{headers}\n\nbody text\n"
    (item,) = installed.parse(inline(PATH, text)).components
    return item.licenses


def test_metadata_gives_one_component_with_its_name_line() -> None:
    text = (
        "Metadata-Version: 2.1\n"
        "Name: Flask\n"
        "Version: 3.0.0\n"
        "Summary: A simple framework\n"
        "Classifier: License :: OSI Approved :: BSD License\n"
        "Requires-Dist: Werkzeug>=3.0.0\n"
        "\n"
        "Name: NotAHeader\n"
    )
    parsed = installed.parse(inline(PATH, text))
    (flask,) = parsed.components
    assert (flask.name, flask.version, flask.purl) == ("Flask", "3.0.0", "pkg:pypi/flask@3.0.0")
    assert flask.direct is None
    assert flask.licenses == "BSD License"
    assert flask.manifest is not None
    assert (flask.manifest.path, flask.manifest.start_line) == (PATH, 2)
    assert parsed.format == "python-metadata"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ("License-Expression: MIT OR Apache-2.0\nLicense: MIT", "MIT OR Apache-2.0"),
        ("License: Apache 2.0", "Apache 2.0"),
        ("License: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License", "MIT"),
        (
            "License: Copyright (c) 2024 Someone\n        Permission is hereby granted\n"
            "Classifier: License :: OSI Approved :: Apache Software License",
            "Apache Software License",
        ),
        (
            "Classifier: License :: OSI Approved :: GNU General Public License v3 (GPLv3)\n"
            "Classifier: License :: OSI Approved :: MIT License",
            "GPL-3.0-only OR MIT",
        ),
        ("Classifier: License :: OSI Approved\nClassifier: Topic :: Utilities", None),
        ("Classifier: License :: Other/Proprietary License", "Other/Proprietary License"),
        ("", None),
    ],
)
def test_license_comes_from_the_best_header_available(headers: str, expected: str | None) -> None:
    assert _license(headers) == expected


def test_egg_info_pkg_info_is_read_the_same_way() -> None:
    text = "Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\nLicense: MIT\n"
    (six,) = installed.parse(inline("lib/six-1.16.0.egg-info/PKG-INFO", text)).components
    assert (six.purl, six.licenses) == ("pkg:pypi/six@1.16.0", "MIT")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("Metadata-Version: 2.1\nVersion: 1.0\n", "the Name header is missing", None),
        ("Metadata-Version: 2.1\nName: x\n", "the Version header is missing", None),
        ("\x00\x01binary junk\nName: x\n", "is not a 'Field: value' header", 1),
        ("", "the Name header is missing", None),
    ],
)
def test_files_that_are_not_metadata_raise_located_errors(
    text: str, message: str, line: int | None
) -> None:
    with pytest.raises(ManifestError) as caught:
        installed.parse(inline(PATH, text))
    assert message in caught.value.message
    assert (caught.value.path, caught.value.line) == (PATH, line)
