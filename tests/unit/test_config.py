"""Configuration as users write it: files, environment, flags, and precise errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from lockgate.config import load_settings, render_default_toml
from lockgate.errors import ConfigError
from lockgate.model import FindingKind, Severity, Stage


def write(tmp_path: Path, text: str, name: str = "lockgate.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, env={})
    assert settings.source is None
    assert settings["scan.stages"] == [s.value for s in Stage]
    assert settings.gate.protected_branches == ("main", "master", "release/*")
    assert settings.gate.thresholds.block is Severity.CRITICAL
    secret = settings.gate.thresholds_for(Stage.CODE, FindingKind.SECRET)
    assert secret.block is Severity.LOW


def test_file_then_env_then_flags(tmp_path: Path) -> None:
    write(tmp_path, '[scan]\nworkers = 2\ntimeout = 30\n[gate]\nprotected_branches = ["trunk"]\n')
    settings = load_settings(
        tmp_path, env={"LOCKGATE_SCAN_WORKERS": "3"}, flags={"scan.timeout": 5.0}
    )
    assert settings["scan.workers"] == 3
    assert settings["scan.timeout"] == 5.0
    assert settings.gate.protected_branches == ("trunk",)
    assert settings.origins["scan.workers"] == "env LOCKGATE_SCAN_WORKERS"
    assert settings.origins["scan.timeout"] == "flag"


def test_found_upwards_and_in_pyproject(tmp_path: Path) -> None:
    write(tmp_path, '[tool.lockgate.gate]\nblock = "HIGH"\n', name="pyproject.toml")
    sub = tmp_path / "src" / "pkg"
    sub.mkdir(parents=True)
    settings = load_settings(sub, env={})
    assert settings.source == tmp_path / "pyproject.toml"
    assert settings.root == tmp_path.resolve()
    assert settings.gate.thresholds.block is Severity.HIGH


def test_unknown_key_names_file_line_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, '[scan]\nworkers = 2\n\n[gate]\nblok = "HIGH"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, env={})
    text = info.value.diagnostics()
    assert text.startswith(f"{path}:5: unknown key (key 'gate.blok')")
    assert "did you mean 'block'?" in text
    assert info.value.exit_code == 2


def test_unknown_key_in_pyproject_has_the_right_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        '[project]\nname = "x"\n\n[tool.lockgate.scan]\nworker = 2\n',
        name="pyproject.toml",
    )
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, env={})
    assert info.value.line == 5
    assert "did you mean 'workers'" in info.value.diagnostics()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[scan]\nworkers = "many"\n', "expected a positive integer"),
        ('[scan]\nstages = ["biuld"]\n', "unknown stage 'biuld'"),
        ('[gate]\nblock = "SEVERE"\n', "is not a severity"),
        ('[gate]\ncontrol_errors = "ignore"\n', "is not one of"),
        ('[gate.stages.buld]\nblock = "HIGH"\n', "unknown stage 'buld'"),
        ('[gate.kinds.secrets]\nblock = "HIGH"\n', "unknown kind 'secrets'"),
        ('[gate.stages.build.kinds.license]\nblok = "HIGH"\n', "unknown key"),
        ("[outputs]\nformats = []\n", "unknown key"),
        ("[scan\n", "invalid TOML"),
    ],
)
def test_bad_values_are_errors_with_locations(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, env={})
    assert message in info.value.diagnostics()
    assert info.value.path is not None and info.value.line is not None


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="LOCKGATE_GATE_BLOCK"):
        load_settings(tmp_path, env={"LOCKGATE_GATE_BLOCK": "loud"})


def test_stage_and_kind_overrides(tmp_path: Path) -> None:
    write(
        tmp_path,
        '[gate.stages.build]\nblock = "HIGH"\n'
        '[gate.stages.build.kinds.license]\nwarn = "none"\n'
        '[gate.kinds.secret]\nblock = "none"\n',
    )
    settings = load_settings(tmp_path, env={})
    t = settings.gate.thresholds_for(Stage.BUILD, FindingKind.LICENSE)
    assert t.block is Severity.HIGH and t.warn is None
    assert settings.gate.thresholds_for(Stage.CODE, FindingKind.SECRET).block is None


def test_default_toml_is_valid_and_round_trips(tmp_path: Path) -> None:
    text = render_default_toml()
    tomllib.loads(text)
    write(tmp_path, text)
    settings = load_settings(tmp_path, env={})
    defaults = load_settings(tmp_path / "elsewhere", env={}) if False else None
    assert defaults is None
    assert settings.gate.thresholds_for(Stage.CODE, FindingKind.SECRET).block is Severity.LOW
    assert "LOCKGATE_SCAN_WORKERS" in text


def test_config_digest_changes_with_settings(tmp_path: Path) -> None:
    a = load_settings(tmp_path, env={}).digest
    b = load_settings(tmp_path, env={"LOCKGATE_GATE_WARN": "MEDIUM"}).digest
    assert a != b


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_settings(tmp_path, env={}, config_file=tmp_path / "nope.toml")
