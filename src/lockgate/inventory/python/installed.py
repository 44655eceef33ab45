"""Installed Python packages: ``*.dist-info/METADATA`` and ``*.egg-info/PKG-INFO``.

One component per file, from the ``Name`` and ``Version`` headers, with the license taken
from ``License-Expression`` (PEP 639), else a short ``License`` header, else the
``License ::`` classifiers (as SPDX ids where the classifier names one unambiguously).
Whether an installed package is direct is unknown.
"""

from __future__ import annotations

import re

from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    component,
)
from lockgate.model.ecosystems import PYPI

FORMAT = "python-metadata"
#: A ``License`` header longer than this is a pasted license text, not a name.
MAX_LICENSE_NAME = 200
_HEADER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]?(.*)$")
#: Trove classifiers that name exactly one SPDX license.
CLASSIFIER_SPDX = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "ISC License (ISCL)": "ISC",
    "The Unlicense (Unlicense)": "Unlicense",
    "Zero-Clause BSD (0BSD)": "0BSD",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "Python Software Foundation License": "PSF-2.0",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    "Universal Permissive License (UPL)": "UPL-1.0",
    "zlib/libpng License": "Zlib",
}


def parse(source: ManifestSource) -> ParsedManifest:
    """The one installed package a METADATA or PKG-INFO file describes."""
    headers = read_headers(source)
    name = _single(headers, "name")
    version = _single(headers, "version")
    if name is None or version is None:
        missing = "Name" if name is None else "Version"
        raise ManifestError(
            f"not Python package metadata: the {missing} header is missing", path=source.path
        )
    built = component(
        ecosystem=PYPI,
        name=name[1],
        version=version[1],
        path=source.path,
        line=name[0],
        licenses=license_of(headers),
    )
    return ParsedManifest(path=source.path, format=FORMAT, ecosystem=PYPI, components=(built,))


def read_headers(source: ManifestSource) -> dict[str, list[tuple[int, str]]]:
    """The email-style headers before the first blank line: lower-cased field name ->
    ``(line, value)`` for each occurrence; continuation lines are joined with newlines."""
    headers: dict[str, list[tuple[int, str]]] = {}
    current: list[tuple[int, str]] | None = None
    for number, line in enumerate(source.text.splitlines(), start=1):
        if not line.strip():
            break
        if line[0] in " \t" and current is not None:
            start, value = current[-1]
            current[-1] = (start, f"{value}\n{line.strip()}")
            continue
        match = _HEADER.match(line)
        if match is None:
            raise ManifestError(
                f"not Python package metadata: {line[:60]!r} is not a 'Field: value' header",
                path=source.path,
                line=number,
            )
        current = headers.setdefault(match.group(1).lower(), [])
        current.append((number, match.group(2).strip()))
    return headers


def license_of(headers: dict[str, list[tuple[int, str]]]) -> str | None:
    """License-Expression, else a short License header, else the License classifiers."""
    expression = _single(headers, "license-expression")
    if expression is not None and expression[1]:
        return expression[1]
    declared = _single(headers, "license")
    if declared is not None:
        text = declared[1].strip()
        usable = text and text.upper() not in ("UNKNOWN", "NONE") and "\n" not in text
        if usable and len(text) <= MAX_LICENSE_NAME:
            return text
    names: list[str] = []
    for _line, classifier in headers.get("classifier", ()):
        parts = [part.strip() for part in classifier.split("::")]
        if len(parts) < 2 or parts[0] != "License":
            continue
        leaf = parts[-1]
        if leaf == "OSI Approved":
            continue
        name = CLASSIFIER_SPDX.get(leaf, leaf)
        if name not in names:
            names.append(name)
    if not names:
        return None
    return " OR ".join(names)


def _single(headers: dict[str, list[tuple[int, str]]], field: str) -> tuple[int, str] | None:
    values = headers.get(field)
    if not values or not values[0][1]:
        return None
    return values[0]
