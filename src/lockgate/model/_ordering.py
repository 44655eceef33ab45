"""Total ordering for the frozen domain types.

Dataclass ``order=True`` breaks on optional fields (``None < "a"`` raises), so every model
orders by a key built field by field: ``None`` sorts first, enums by declaration order,
nested models and tuples recursively. The key covers every field, so ordering agrees with
equality.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any


def sort_key(value: Any) -> tuple[Any, ...]:  # noqa: PLR0911 - one return per value form
    """A comparable key for any value a model field may hold."""
    if value is None:
        return (0,)
    if isinstance(value, enum.Enum):
        return (1, _enum_rank(value))
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, dt.datetime):
        # Order by instant: equal moments in other time zones are equal.
        if value.tzinfo is not None:
            return (1, value.astimezone(dt.UTC).replace(tzinfo=None).isoformat())
        return (1, value.isoformat())
    if isinstance(value, dt.date):
        return (1, value.isoformat())
    if isinstance(value, tuple):
        return (1, tuple(sort_key(item) for item in value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (1, tuple(sort_key(getattr(value, f.name)) for f in dataclasses.fields(value)))
    raise TypeError(f"unorderable model value of type {type(value).__name__}")


def _enum_rank(member: enum.Enum) -> int:
    return list(type(member)).index(member)


class Ordered:
    """Mixin giving a frozen dataclass a total order consistent with its equality."""

    __slots__ = ()

    def sort_key(self) -> tuple[Any, ...]:
        return sort_key(self)

    def __lt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def __le__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.sort_key() >= other.sort_key()
