"""PyPI versions ordered by PEP 440, as pip orders them (via ``packaging``).

Epochs, pre-, post- and dev-releases and local labels all count:
``1.0.dev1 < 1.0a1 < 1.0 < 1.0.post1``, ``1!0.1 > 2.0``, ``1.0+abc > 1.0``, ``1.0 == 1.0.0``.
Legacy (non-PEP 440) versions such as ``2004d`` or ``1.0-SNAPSHOT-foo`` cannot be ordered
any more (``packaging`` 22 dropped ``LegacyVersion``) and raise :class:`InvalidVersion`.
"""

from __future__ import annotations

from packaging.version import InvalidVersion as PackagingInvalidVersion
from packaging.version import Version

from lockgate.advisories.versions.interface import KeyedScheme


class Pep440Scheme(KeyedScheme):
    """PEP 440 ordering; keys are ``packaging.version.Version`` objects."""

    name = "PyPI"

    def parse(self, text: str) -> Version:
        try:
            return Version(text)
        except (PackagingInvalidVersion, TypeError) as error:
            raise self.invalid(text, "not a PEP 440 version") from error
