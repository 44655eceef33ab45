"""The contract every manifest parser follows.

A parser is a function ``parse(source: ManifestSource) -> ParsedManifest``. It reads only the
text it is given (and sibling files through :meth:`ManifestSource.read_sibling`), never the
network, and raises :class:`ManifestError` with the line when the file is malformed; the
collector turns that into a located error in the report and goes on with other manifests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lockgate.errors import InputError
from lockgate.model import Component


class ManifestError(InputError):
    """A manifest or lockfile that cannot be parsed (always carries the path)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ManifestSource:
    """One manifest handed to a parser.

    ``path`` is POSIX and relative to the target root; ``text`` is the decoded content
    (UTF-8, BOM removed). ``read_sibling(relative)`` returns the text of another file
    relative to this manifest's directory (``-r other.txt``, ``go.sum`` beside ``go.mod``,
    a parent ``pom.xml``), or None when it does not exist or lies outside the target.
    """

    path: str
    text: str
    read_sibling: Callable[[str], str | None] = field(default=lambda _rel: None)

    @property
    def directory(self) -> str:
        """The manifest's directory relative to the target root ('' at the root)."""
        return self.path.rpartition("/")[0]


@dataclass(frozen=True, kw_only=True, slots=True, order=True)
class Unresolved:
    """A declared dependency that cannot be matched exactly: an unpinned range, a VCS, path
    or URL requirement, an editable install. Reported as a skipped item with the reason,
    never silently dropped."""

    name: str
    specifier: str
    reason: str
    line: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ParsedManifest:
    """What one manifest says: its components (with ``manifest`` locations pointing at the
    line of each pin), the dependencies it declares without an exact version, and the
    declared graph edges (purl -> purls it depends on) when the lockfile records them."""

    path: str
    format: str
    ecosystem: str
    components: tuple[Component, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()
    dependencies: tuple[tuple[str, tuple[str, ...]], ...] = ()
    warnings: tuple[str, ...] = ()


Parser = Callable[[ManifestSource], ParsedManifest]


def component(
    *,
    ecosystem: str,
    name: str,
    version: str | None,
    path: str,
    line: int | None = None,
    direct: bool | None = None,
    dependency_paths: tuple[tuple[str, ...], ...] = (),
    licenses: str | None = None,
    hashes: tuple[tuple[str, str], ...] = (),
) -> Component:
    """A Component with its purl and manifest location, the one way parsers build them.

    ``dependency_paths`` are chains of package names from a direct dependency down to this
    one (``(("flask", "werkzeug"),)``); ``hashes`` are ``(algorithm, hex digest)`` pairs.
    """
    from lockgate.inventory.purl import purl_for
    from lockgate.model import Location

    return Component(
        purl=purl_for(ecosystem, name, version),
        name=name,
        version=version,
        ecosystem=ecosystem,
        licenses=licenses,
        hashes=tuple(sorted(set(hashes))),
        direct=direct,
        dependency_paths=tuple(sorted(set(dependency_paths))),
        manifest=Location(path=path, start_line=line),
    )
