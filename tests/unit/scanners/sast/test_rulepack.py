"""The rule pack as semgrep receives it: every rule of the pack in one file, written once
per pack content, and the pack files as they are when merging is not possible."""

from __future__ import annotations

import json
from pathlib import Path

from lockgate.scanners.sast._rulepack import (
    PACK_DIR,
    merged_pack,
    pack_configs,
    pack_digest,
    pack_rules,
    rule_files,
)

RULE = """\
rules:
  - id: lockgate.python.{name}.demo
    languages: [python]
    severity: WARNING
    message: demo
    pattern: {name}(...)
"""


def _pack(root: Path, *names: str) -> Path:
    directory = root / "rules" / "python"
    directory.mkdir(parents=True)
    for name in names:
        (directory / f"{name}.yaml").write_text(RULE.format(name=name))
    return directory


def _merge(configs: list[Path], directory: Path) -> Path | None:
    files = rule_files(configs)
    return merged_pack(files, pack_digest(files), directory)


def test_the_merged_file_holds_the_rules_of_every_file(tmp_path: Path) -> None:
    pack = _pack(tmp_path, "alpha", "beta")
    merged = _merge([pack], tmp_path / "out")
    assert merged is not None
    ids = [rule["id"] for rule in json.loads(merged.read_text())["rules"]]
    assert ids == ["lockgate.python.alpha.demo", "lockgate.python.beta.demo"]


def test_the_shipped_pack_merges_without_losing_a_rule(tmp_path: Path) -> None:
    configs = pack_configs(PACK_DIR, ["python", "javascript", "java", "go"])
    merged = _merge(configs, tmp_path)
    assert merged is not None
    ids = {rule["id"] for rule in json.loads(merged.read_text())["rules"]}
    assert ids == {rule.id for rule in pack_rules(PACK_DIR)}


def test_the_same_pack_is_written_once_and_a_changed_pack_anew(tmp_path: Path) -> None:
    pack = _pack(tmp_path, "alpha")
    first = _merge([pack], tmp_path / "out")
    assert first is not None
    stamp = first.stat().st_mtime_ns
    assert _merge([pack], tmp_path / "out") == first
    assert first.stat().st_mtime_ns == stamp
    (pack / "alpha.yaml").write_text(RULE.format(name="gamma"))
    changed = _merge([pack], tmp_path / "out")
    assert changed is not None and changed != first


def test_a_broken_or_empty_pack_is_passed_as_it_is(tmp_path: Path) -> None:
    pack = _pack(tmp_path, "alpha")
    (pack / "broken.yaml").write_text("rules: [\n")
    assert _merge([pack], tmp_path / "out") is None
    assert _merge([], tmp_path / "out") is None
    (pack / "broken.yaml").write_text("not_rules: 1\n")
    assert _merge([pack], tmp_path / "out") is None
