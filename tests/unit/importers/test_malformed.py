"""Odd entries inside otherwise valid reports: every importer survives values of the wrong
JSON type anywhere, skipping what it cannot use (with the reason) or, when the report as a
whole has the wrong shape, raising the located ReportFormatError: never a traceback."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lockgate.importers.interface import ReportFormatError
from lockgate.importers.registry import load_report
from tests.unit.importers import FIXTURES

REPLACEMENTS: tuple[Any, ...] = (None, 7, -1, "x", "", [], {}, [None], {"a": 1}, True, 2.5)
JSON_SAMPLES = sorted(
    p.relative_to(FIXTURES).as_posix()
    for p in FIXTURES.rglob("*")
    if p.suffix in (".json", ".sarif")
)


def _slots(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON tree a value can be replaced."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from _slots(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index)
            yield from _slots(value, (*path, index))


def _replaced(data: Any, slot: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(data))
    node = copy
    for step in slot[:-1]:
        node = node[step]
    node[slot[-1]] = value
    return copy


@pytest.mark.parametrize("name", JSON_SAMPLES)
def test_wrong_types_anywhere_are_skipped_or_located_errors(name: str, tmp_path: Path) -> None:
    data = json.loads((FIXTURES / name).read_text())
    tool = load_report(FIXTURES / name).tool
    rng = random.Random(name)  # deterministic per sample
    slots = list(_slots(data))
    cases = [(slot, rng.choice(REPLACEMENTS)) for slot in rng.sample(slots, min(80, len(slots)))]
    path = tmp_path / Path(name).name
    errors: list[ReportFormatError] = []
    for slot, value in cases:
        path.write_text(json.dumps(_replaced(data, slot, value)))
        try:
            report = load_report(path, tool)
        except ReportFormatError as error:
            errors.append(error)
            continue
        assert len({f.fingerprint for f in report.findings}) == len(report.findings)
    assert all(error.path == str(path) for error in errors)


def test_a_broken_entry_costs_only_itself(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "grype/report.json").read_text())
    data["matches"][0]["artifact"]["locations"] = "not-a-list-of-locations"
    data["matches"][1]["vulnerability"]["fix"] = ["not", "an", "object"]
    path = tmp_path / "grype.json"
    path.write_text(json.dumps(data))
    report = load_report(path)
    assert len(report.findings) == 4
