"""One ``semgrep --test`` run per pack language, shared by the tests that read it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from tests.unit.scanners.sast.rules import _pack_checks as pack

SemgrepReports = Callable[[str], Mapping[str, Any]]


@pytest.fixture(scope="session")
def semgrep_reports(tmp_path_factory: pytest.TempPathFactory) -> SemgrepReports:
    """``semgrep --test`` over a language's rule directory, run on first use."""
    done: dict[str, Mapping[str, Any]] = {}

    def report(language: str) -> Mapping[str, Any]:
        if language not in done:
            home = tmp_path_factory.mktemp(f"semgrep-home-{language}")
            done[language] = pack.semgrep_test(language, home)
        return done[language]

    return report
