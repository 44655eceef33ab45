from __future__ import annotations

import subprocess
import sys
from importlib.metadata import EntryPoint, entry_points

import pytest

from lockgate.engine.registry import (
    BUILTIN_STAGES,
    CONTROL_GROUP,
    ControlRegistry,
    PluginError,
    ReporterRegistry,
)
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


def test_the_builtin_stage_table_matches_the_controls_themselves() -> None:
    installed = {ep.value: ep for ep in entry_points(group=CONTROL_GROUP)}
    assert set(BUILTIN_STAGES) <= set(installed)
    for value, stage in BUILTIN_STAGES.items():
        control = ControlRegistry(entry_points=[installed[value]]).all()[0]
        assert (control.id, control.stage) == (installed[value].name, stage)


def test_a_code_stage_run_imports_only_the_code_stage_controls() -> None:
    probe = (
        "import sys\n"
        "from lockgate.engine.registry import ControlRegistry\n"
        "from lockgate.model import Stage\n"
        "registry = ControlRegistry.from_entry_points()\n"
        "assert [c.id for c in registry.for_stage(Stage.CODE)] == ['sast', 'secrets']\n"
        "assert registry.get('secrets').id == 'secrets'\n"
        "assert {'sca', 'iac', 'licenses'} <= set(registry.ids())\n"
        "loaded = [m for m in ('sca', 'iac', 'licenses') if f'lockgate.scanners.{m}.control' "
        "in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == ""


def test_a_plugin_of_unknown_stage_loads_when_a_stage_runs() -> None:
    plugin = EntryPoint(
        name="pattern", value="tests.helpers.controls:PatternControl", group="lockgate.controls"
    )
    registry = ControlRegistry(entry_points=[plugin])
    assert [c.id for c in registry.for_stage(PatternControl().stage)] == ["pattern"]
    assert registry.ids() == ("pattern",)


def test_installed_reporters_cover_the_documented_formats() -> None:
    registry = ReporterRegistry.from_entry_points()
    assert {"table", "json", "sarif", "markdown", "junit"} <= set(registry.names())
    with pytest.raises(UsageError, match="unknown output format 'sariff'"):
        registry.get("sariff")
