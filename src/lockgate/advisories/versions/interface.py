"""The contract every version scheme follows, and the error it raises on garbage.

A scheme turns a version string into a key that orders the way the ecosystem's own tools
order versions (pip, npm, Go, Maven, …), so advisory ranges are judged by the same rules the
package manager applies. Keys are hashable and two keys are equal exactly when the scheme
calls the versions equal (``1.0 == 1.0.0`` in PEP 440), so they can go into sets.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Protocol

from lockgate.errors import InputError


class InvalidVersion(InputError, ValueError):
    """A version string the scheme cannot order (``text`` and ``scheme`` say which)."""

    def __init__(self, text: str, scheme: str, reason: str = "") -> None:
        message = f"{text!r} is not a valid {scheme} version"
        if reason:
            message = f"{message}: {reason}"
        super().__init__(message, hint="check the version recorded for this package")
        self.text = text
        self.scheme = scheme
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        # The constructor takes (text, scheme, reason), not the message: keep pickling
        # (process pools) working.
        return (type(self), (self.text, self.scheme, self.reason))


class VersionScheme(Protocol):
    """Version semantics of one ecosystem."""

    name: str

    def parse(self, text: str) -> Any:
        """A hashable, ordered key for ``text``; raises :class:`InvalidVersion` on garbage."""
        ...

    def compare(self, a: str, b: str) -> int:
        """-1, 0 or 1 as ``a`` sorts before, equal to or after ``b``."""
        ...

    def __hash__(self) -> int:
        """Schemes are hashable: parsed keys are cached per (scheme, text)."""
        ...


def sign(a: Any, b: Any) -> int:
    """-1, 0 or 1 as key ``a`` is below, equal to or above key ``b``."""
    if a < b:
        return -1
    return 1 if b < a else 0


class KeyedScheme(ABC):
    """Base of the built-in schemes: ``compare`` is derived from the keys ``parse`` builds."""

    name: str

    @abstractmethod
    def parse(self, text: str) -> Any:
        """A hashable, ordered key for ``text``; raises :class:`InvalidVersion` on garbage."""

    def compare(self, a: str, b: str) -> int:
        """-1, 0 or 1 as ``a`` sorts before, equal to or after ``b``."""
        return sign(self.parse(a), self.parse(b))

    def invalid(self, text: str, reason: str = "") -> InvalidVersion:
        """The error this scheme raises for ``text``."""
        return InvalidVersion(text, self.name, reason)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
