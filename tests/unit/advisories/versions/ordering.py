"""Assertions shared by the version-scheme tests: whole chains and groups at once."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from lockgate.advisories.versions import InvalidVersion, VersionScheme


def assert_ascending(scheme: VersionScheme, versions: Sequence[str]) -> None:
    """Every earlier version sorts strictly before every later one, both ways round."""
    failures = []
    for i, low in enumerate(versions):
        for high in versions[i + 1 :]:
            if scheme.compare(low, high) != -1 or scheme.compare(high, low) != 1:
                failures.append(f"{low} < {high}")
    assert not failures, f"{scheme.name}: expected " + ", ".join(failures)


def assert_all_equal(scheme: VersionScheme, versions: Sequence[str]) -> None:
    """All versions compare equal, and their keys are equal with equal hashes."""
    first = scheme.parse(versions[0])
    for other in versions[1:]:
        assert scheme.compare(versions[0], other) == 0, f"{versions[0]} == {other}"
        assert scheme.compare(other, versions[0]) == 0, f"{other} == {versions[0]}"
        key = scheme.parse(other)
        assert key == first
        assert hash(key) == hash(first)


def assert_invalid(scheme: VersionScheme, text: str) -> None:
    """``text`` raises InvalidVersion naming the text and the scheme."""
    with pytest.raises(InvalidVersion) as caught:
        scheme.parse(text)
    assert caught.value.text == text
    assert caught.value.scheme == scheme.name
    assert isinstance(caught.value, ValueError)
