"""The native JSON report: lossless, schema-valid, and the schema is strict."""

from __future__ import annotations

import copy
import dataclasses
import json
import types
import typing
from typing import Any

import pytest

from lockgate.model import core
from lockgate.model.codec import report_from_json
from lockgate.reporters import RenderOptions
from lockgate.reporters.json_native import JsonReporter
from tests.helpers.sample_reports import sample, sample_report
from tests.helpers.schemas import NATIVE_SCHEMA, validate_native
from tests.unit.reporters import check_golden

OPTIONS = RenderOptions(tool_version="0.1.0")


def _render() -> dict[str, Any]:
    report, decision = sample()
    return dict(json.loads(JsonReporter().render(report, decision, OPTIONS)))


def test_golden(update_goldens: bool) -> None:
    report, decision = sample()
    text = JsonReporter().render(report, decision, OPTIONS)
    validate_native(json.loads(text))
    check_golden("sample.json", text, update_goldens)


def test_reads_back_to_the_same_report_and_decision() -> None:
    report, decision = sample()
    text = JsonReporter().render(report, decision, OPTIONS)
    assert report_from_json(text) == (report, decision)


def test_report_without_decision_is_valid_and_has_no_decision() -> None:
    document = json.loads(JsonReporter().render(sample_report(), None, OPTIONS))
    validate_native(document)
    assert "decision" not in document


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("report", "results", 0, "findings", 0, "severity"), "SEVERE"),
        (("report", "results", 0, "findings", 0, "location", "path"), "/etc/passwd"),
        (("report", "results", 0, "findings", 0, "location", "start_line"), 0),
        (("decision", "findings", 0, "status"), "ignored"),
        (("report", "schema_version"), "2.0"),
    ],
)
def test_schema_rejects_bad_values(path: tuple[Any, ...], value: Any) -> None:
    document = _render()
    node: Any = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(AssertionError, match="invalid"):
        validate_native(document)


def test_schema_rejects_unknown_fields_and_missing_required_ones() -> None:
    document = _render()
    misspelt = copy.deepcopy(document)
    misspelt["report"]["results"][0]["findings"][0]["severty"] = "HIGH"
    with pytest.raises(AssertionError, match="severty"):
        validate_native(misspelt)
    missing = copy.deepcopy(document)
    del missing["report"]["results"][0]["findings"][0]["fingerprint"]
    with pytest.raises(AssertionError, match="fingerprint"):
        validate_native(missing)


def test_schema_rejects_a_failed_control_without_a_fatal_error() -> None:
    document = _render()
    crashed = next(r for r in document["report"]["results"] if r["status"] == "error")
    crashed["errors"] = [dict(e, fatal=False) for e in crashed["errors"]]
    with pytest.raises(AssertionError, match="invalid"):
        validate_native(document)


def _optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType) and type(
        None
    ) in typing.get_args(hint)


@pytest.mark.parametrize(
    "name",
    [
        "ScanReport",
        "TargetRef",
        "ControlResult",
        "Finding",
        "Location",
        "Component",
        "SkippedItem",
        "ControlError",
        "Decision",
        "StageDecision",
        "Reason",
        "FindingDecision",
    ],
)
def test_schema_matches_the_model(name: str) -> None:
    """A field added to the model without the schema would make every new report invalid."""
    schema = json.loads(NATIVE_SCHEMA.read_text(encoding="utf-8"))["$defs"][name]
    cls = getattr(core, name)
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    assert set(schema["properties"]) == {f.name for f in fields}
    required = {
        f.name
        for f in fields
        if f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
        and not _optional(hints[f.name])
    }
    assert set(schema["required"]) == required
