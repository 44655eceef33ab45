from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from lockgate.engine.registry import ControlRegistry, PluginError, ReporterRegistry
from lockgate.errors import UsageError
from lockgate.model import Stage
from tests.helpers.controls import CrashingControl, MissingToolControl, PatternControl


def test_controls_are_listed_in_pipeline_order() -> None:
    registry = ControlRegistry([MissingToolControl(), PatternControl(), CrashingControl()])
    assert [c.id for c in registry.all()] == ["crasher", "pattern", "missing-tool"]
    assert [c.id for c in registry.for_stage(Stage.BUILD)] == ["missing-tool"]


def test_duplicate_control_ids_are_an_error() -> None:
    registry = ControlRegistry([PatternControl(), PatternControl()])
    with pytest.raises(PluginError, match="duplicate control id 'pattern'"):
        registry.all()


def test_invalid_control_is_rejected_when_loaded() -> None:
    registry = ControlRegistry([PatternControl(id="Bad Id", version="")])
    with pytest.raises(PluginError) as info:
        registry.all()
    assert "kebab-case" in str(info.value) and "version" in str(info.value)


def test_unknown_control_has_a_did_you_mean_hint() -> None:
    registry = ControlRegistry([PatternControl()])
    with pytest.raises(UsageError) as info:
        registry.get("patern")
    assert "did you mean 'pattern'" in info.value.diagnostics()


def test_entry_points_load_lazily_and_report_broken_plugins() -> None:
    good = EntryPoint(
        name="pattern", value="tests.helpers.controls:PatternControl", group="lockgate.controls"
    )
    broken = EntryPoint(
        name="broken", value="tests.helpers.nowhere:Nothing", group="lockgate.controls"
    )
    assert [c.id for c in ControlRegistry(entry_points=[good]).all()] == ["pattern"]
    with pytest.raises(PluginError, match="cannot load control from entry point broken"):
        ControlRegistry(entry_points=[broken]).all()


def test_installed_reporters_cover_the_documented_formats() -> None:
    registry = ReporterRegistry.from_entry_points()
    assert {"table", "json", "sarif", "markdown", "junit"} <= set(registry.names())
    with pytest.raises(UsageError, match="unknown output format 'sariff'"):
        registry.get("sariff")
