"""Java dependencies from Gradle dependency locks (``gradle.lockfile``, ``*.lockfile``).

Each ``group:artifact:version=configuration,...`` line is a component named
``group:artifact``; ``empty=`` lists configurations without dependencies and ``#`` starts a
comment. The lock records neither which dependencies are direct nor the graph. Lines that
are not in this form are reported as warnings; a file with content but no line in this form
is not a Gradle lock and is an error.
"""

from __future__ import annotations

import re

from lockgate.inventory.interface import ManifestError, ManifestSource, ParsedManifest, component
from lockgate.inventory.lockgraph import sorted_components
from lockgate.model import Component
from lockgate.model.ecosystems import MAVEN

FORMAT = "gradle.lockfile"

_COORDINATE = re.compile(r"^([^:=\s]+):([^:=\s]+):([^:=\s]+)=([^=\s]*)$")
_EMPTY = re.compile(r"^empty=([^=\s]*)$")
#: Bad lines named in warnings, at most; a count covers the rest.
MAX_WARNINGS = 20


def parse(source: ManifestSource) -> ParsedManifest:
    """The modules a Gradle dependency lock pins."""
    components: dict[tuple[str, str], Component] = {}
    bad: list[int] = []
    recognised = False
    for number, raw in enumerate(source.text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if _EMPTY.match(line):
            recognised = True
            continue
        match = _COORDINATE.match(line)
        if match is None:
            bad.append(number)
            continue
        recognised = True
        group, artifact, version, _configurations = match.groups()
        name = f"{group}:{artifact}"
        components.setdefault(
            (name, version),
            component(ecosystem=MAVEN, name=name, version=version, path=source.path, line=number),
        )
    if bad and not recognised:
        raise ManifestError(
            "not a Gradle dependency lock: no 'group:artifact:version=configurations' line",
            path=source.path,
            line=bad[0],
        )
    warnings = [
        f"line {number} is not a 'group:artifact:version=configurations' entry; ignored"
        for number in bad[:MAX_WARNINGS]
    ]
    if len(bad) > MAX_WARNINGS:
        warnings.append(f"{len(bad) - MAX_WARNINGS} more lines were not entries; ignored")
    return ParsedManifest(
        path=source.path,
        format=FORMAT,
        ecosystem=MAVEN,
        components=sorted_components(components.values()),
        warnings=tuple(warnings),
    )
