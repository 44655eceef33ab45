"""Entry points found without importlib.metadata: the same answers, far less start-up."""

from __future__ import annotations

import importlib.metadata
import json
import os.path
import subprocess
import sys
from pathlib import Path

import pytest

from lockgate.engine import plugins
from lockgate.engine.plugins import EntryPoint, entry_points


@pytest.mark.parametrize("group", ["lockgate.controls", "lockgate.reporters", "console_scripts"])
def test_the_installed_entry_points_are_the_standard_librarys(group: str) -> None:
    ours = {(ep.name, ep.value) for ep in entry_points(group)}
    standard = {(ep.name, ep.value) for ep in importlib.metadata.entry_points(group=group)}
    assert ours == standard
    if group != "console_scripts":
        assert ours, f"lockgate's own {group} are installed"


def _dist(site: Path, dirname: str, text: str) -> None:
    info = site / dirname
    info.mkdir(parents=True)
    (info / "entry_points.txt").write_text(text)


def test_distributions_on_sys_path_first_of_a_name_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _dist(
        first,
        "Acme_Plugin-1.0.dist-info",
        "# comment\n[console_scripts]\nacme = acme.cli:main\n\n"
        "[lockgate.controls]\nacme-check = acme.checks:AcmeCheck [extra]\n",
    )
    _dist(second, "acme.plugin-0.9.dist-info", "[lockgate.controls]\nold = acme_old:Check\n")
    _dist(second, "other-2.0.egg-info", "[lockgate.controls]\n other = other.mod : Thing\n")
    (second / "broken-1.0.dist-info").mkdir()  # no entry_points.txt
    monkeypatch.setattr(sys, "path", [str(first), str(second), str(tmp_path / "missing")])
    found = entry_points("lockgate.controls")
    assert [(ep.name, ep.value) for ep in found] == [
        ("acme-check", "acme.checks:AcmeCheck [extra]"),
        ("other", "other.mod : Thing"),
    ]


def test_an_entry_point_loads_what_it_names() -> None:
    assert EntryPoint("dumps", "json:dumps", "g").load() is json.dumps
    assert EntryPoint("join", "os.path : join", "g").load() is os.path.join
    assert EntryPoint("mod", "json", "g").load() is json
    with pytest.raises(ValueError, match="not module"):
        EntryPoint("bad", "not a value!", "g").load()


def test_other_distribution_finders_get_the_standard_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Finder:
        def find_distributions(self, context: object = None) -> list[object]:
            return []

    assert plugins._plain_paths_only()
    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])
    assert not plugins._plain_paths_only()
    standard = {(ep.name, ep.value) for ep in importlib.metadata.entry_points(group="x.none")}
    assert {(ep.name, ep.value) for ep in entry_points("x.none")} == standard


def test_a_run_of_the_cli_does_not_import_importlib_metadata() -> None:
    code = (
        "import sys\n"
        "from lockgate.engine.registry import ControlRegistry, ReporterRegistry\n"
        "ControlRegistry.from_entry_points().ids()\n"
        "ReporterRegistry.from_entry_points().names()\n"
        "print('importlib.metadata' in sys.modules, 'email' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False", "False"]


def test_a_zip_or_egg_on_sys_path_gets_the_standard_lookup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tmp_path / "tool.pyz"
    app.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
    monkeypatch.setattr(sys, "path", [*sys.path, str(tmp_path / "missing.zip")])
    assert plugins._plain_paths_only()  # a zip that does not exist holds nothing
    monkeypatch.setattr(sys, "path", [*sys.path, str(app)])
    assert not plugins._plain_paths_only()
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(app)] + ["x.egg"])
    assert not plugins._plain_paths_only()
