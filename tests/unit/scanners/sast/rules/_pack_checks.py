"""Shared checks for a language directory of lockgate's semgrep rule pack: reading its rules
and fixtures, running ``semgrep --test`` over it, the metadata every rule must carry, and
scans of third-party code and of small apps through lockgate's SAST control.

Used by the structure tests of every language and by each language's own tests, which
state what that language must cover.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from lockgate.model import Finding
from lockgate.scanners.sast.control import SastControl
from tests.conftest import REPO_ROOT
from tests.unit.scanners.sast._support import scan, write_tree

PACK_ROOT = REPO_ROOT / "src" / "lockgate" / "scanners" / "sast" / "rules"
SEMGREP_TIMEOUT = 600
LEVELS = {"HIGH", "MEDIUM", "LOW"}
SEVERITIES = {"ERROR", "WARNING", "INFO"}
LOCKGATE_SEVERITIES = {"CRITICAL", "HIGH", "MEDIUM", "LOW"}
CWE_ENTRY = re.compile(r"^CWE-\d+: \S.+$")
OWASP_ENTRY = re.compile(r"^A(0[1-9]|10):2021 - \S.+$")
RULE_FILE_SUFFIXES = {".yaml", ".yml"}


@dataclass(frozen=True)
class PackRule:
    """One rule of the pack as written in its YAML file."""

    id: str
    file: Path
    body: Mapping[str, Any]


def pack_dir(language: str) -> Path:
    """The directory of one language of the pack."""
    return PACK_ROOT / language


def load_yaml(path: Path) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as stream:
        return yaml.load(stream, Loader=loader)  # noqa: S506 - a safe loader


def rule_files(language: str) -> list[Path]:
    """The rule files of one language, sorted."""
    return sorted(p for p in pack_dir(language).iterdir() if p.suffix in RULE_FILE_SUFFIXES)


def rules(language: str) -> list[PackRule]:
    """Every rule of one language, in file order."""
    found: list[PackRule] = []
    for path in rule_files(language):
        for body in load_yaml(path)["rules"]:
            found.append(PackRule(id=str(body["id"]), file=path, body=body))
    return found


def rule_id(rule: PackRule) -> str:
    """A readable pytest id for a rule."""
    return rule.id


def file_id(path: Path) -> str:
    """A readable pytest id for a file."""
    return path.name


def fixtures_of(rule_file: Path) -> list[Path]:
    """The annotated fixtures beside a rule file (same base name, any source extension)."""
    return sorted(
        p
        for p in rule_file.parent.iterdir()
        if p.stem == rule_file.stem and p.suffix not in RULE_FILE_SUFFIXES
    )


def annotated_lines(fixture: Path, kind: str, rule: str) -> list[int]:
    """Line numbers of ``// <kind>: <rule>`` annotations (``ruleid`` or ``ok``) in a fixture."""
    pattern = re.compile(rf"(?<![\w-]){kind}:[^\n]*(?<![\w.-]){re.escape(rule)}(?![\w.-])")
    lines = fixture.read_text(encoding="utf-8").splitlines()
    return [number for number, line in enumerate(lines, start=1) if pattern.search(line)]


def semgrep() -> Path:
    """semgrep from lockgate's own environment (skips the test when it is not installed)."""
    beside = Path(sys.executable).parent / "semgrep"
    if beside.is_file():
        return beside
    found = shutil.which("semgrep")
    if found is None:
        pytest.skip("semgrep is not installed in this environment")
    return Path(found)


def run_semgrep(args: Sequence[str], *, home: Path, cwd: Path = REPO_ROOT) -> dict[str, Any]:
    """Run semgrep offline (no metrics, no version check, a private HOME) and parse its JSON."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SEMGREP_")}
    env.update(HOME=str(home), SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
    done = subprocess.run(  # fixed argv, no shell
        [str(semgrep()), *args, "--json", "--metrics=off", "--disable-version-check"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=SEMGREP_TIMEOUT,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"semgrep gave no JSON (exit {done.returncode}): {done.stderr[-2000:]}")
    assert isinstance(report, dict)
    return report


def semgrep_test(language: str, home: Path) -> dict[str, Any]:
    """``semgrep --test`` over one language of the pack."""
    return run_semgrep(["--test", str(pack_dir(language))], home=home)


def fixture_verdicts(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Rule id -> semgrep's fixture verdict for that rule."""
    checks: dict[str, Mapping[str, Any]] = {}
    for per_file in report.get("results", {}).values():
        for check_id, check in per_file.get("checks", {}).items():
            # Ids may carry the config path as a prefix (which itself contains "lockgate.").
            checks[check_id[check_id.rfind("lockgate.") :]] = check
    return checks


def check_failure(rule: str, check: Mapping[str, Any] | None) -> str | None:
    """Why a rule's fixture test failed (``None`` when it passed)."""
    if check is None:
        return f"semgrep ran no fixture test for {rule}"
    if check.get("passed"):
        return None
    details = {
        Path(path).name: {
            "expected": sorted(m.get("expected_lines", [])),
            "reported": sorted(m.get("reported_lines", [])),
        }
        for path, m in check.get("matches", {}).items()
    }
    return f"{rule}: fixture lines differ: {details}; errors: {check.get('errors')}"


def _listed(meta: Mapping[str, Any], key: str, entry: re.Pattern[str]) -> list[str]:
    value = meta.get(key)
    if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        return [f"{key} must be a non-empty list of strings"]
    return [f"{key} entry {v!r}" for v in value if not entry.match(v)]


def _levels(meta: Mapping[str, Any]) -> list[str]:
    problems = [
        f"{level} {meta.get(level)!r}"
        for level in ("confidence", "likelihood", "impact")
        if meta.get(level) not in LEVELS
    ]
    if "lockgate_severity" in meta and meta["lockgate_severity"] not in LOCKGATE_SEVERITIES:
        problems.append(f"lockgate_severity {meta['lockgate_severity']!r}")
    return problems


def _guidance(meta: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    remediation = meta.get("remediation")
    if not isinstance(remediation, str) or len(remediation.split()) < 8:
        problems.append("remediation is not a concrete fix")
    references = meta.get("references")
    if not (
        isinstance(references, list)
        and references
        and all(isinstance(u, str) and u.startswith("https://") for u in references)
    ):
        problems.append("references must be a non-empty list of https URLs")
    return problems


def metadata_problems(rule: PackRule) -> list[str]:
    """Everything missing or malformed in a rule's severity, message and metadata."""
    problems: list[str] = []
    body = rule.body
    if body.get("severity") not in SEVERITIES:
        problems.append(f"severity {body.get('severity')!r}")
    message = body.get("message")
    if not isinstance(message, str) or len(message.split()) < 8:
        problems.append("message shorter than a sentence")
    meta = body.get("metadata")
    if not isinstance(meta, dict):
        return [*problems, "no metadata"]
    if meta.get("category") != "security":
        problems.append(f"category {meta.get('category')!r}")
    problems += _listed(meta, "cwe", CWE_ENTRY)
    problems += _listed(meta, "owasp", OWASP_ENTRY)
    return problems + _levels(meta) + _guidance(meta)


def is_parse_error(error: Mapping[str, Any]) -> bool:
    """Whether a semgrep error is about a target file that does not parse (not about a rule)."""
    kind = error.get("type")
    name = kind[0] if isinstance(kind, list) and kind else kind
    return name in {"PartialParsing", "Syntax error", "Lexical error"}


def topic_of(rule: str, language: str) -> str | None:
    """The topic part of ``lockgate.<language>.<topic>.<name>`` (``None`` if malformed)."""
    match = re.match(
        rf"^lockgate\.{re.escape(language)}\.(?P<topic>[a-z0-9]+(-[a-z0-9]+)*)"
        r"\.[a-z0-9]+(-[a-z0-9]+)*$",
        rule,
    )
    return match.group("topic") if match else None


def missing_topics(language: str, expected: set[str]) -> list[str]:
    """The topics of ``expected`` no rule of the language is about."""
    topics = {topic_of(r.id, language) for r in rules(language)}
    return sorted(expected - topics)


def assert_quiet_on(
    language: str, samples: Sequence[Path], home: Path, *, fragments: bool = False
) -> None:
    """The language's pack reports nothing on third-party files without request handlers,
    and scans every one of them without errors (``fragments``: some samples are fragments of
    the language, whose parse errors are allowed — errors of a file, never of a rule)."""
    assert samples
    report = run_semgrep(["--config", str(pack_dir(language)), *map(str, samples)], home=home)
    assert report["results"] == []
    if fragments:
        assert all(is_parse_error(e) for e in report["errors"]), report["errors"]
    else:
        assert report["errors"] == []
    assert len(report["paths"]["scanned"]) == len(samples)


def control_findings(root: Path, files: Mapping[str, str]) -> list[Finding]:
    """The findings of lockgate's SAST control, semgrep alone, over ``files`` written under
    ``root`` (the scan must end without errors)."""
    output = scan(write_tree(root, files), control=SastControl(), options={"engines": ["semgrep"]})
    assert list(output.errors) == []
    return list(output.findings)


def _pattern_texts(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    found: list[str] = []
    if isinstance(node, dict):
        for key in ("pattern", "pattern-inside", "pattern-either", "patterns"):
            if key in node:
                found += _pattern_texts(node[key])
    elif isinstance(node, list):
        for item in node:
            found += _pattern_texts(item)
    return found


def _alternatives(item: Mapping[str, Any]) -> list[list[str]] | None:
    """The ways a positive item of a ``patterns`` list can match, as pattern texts."""
    for key in ("pattern", "pattern-inside"):
        if key in item:
            return [[str(item[key])]]
    if "pattern-either" in item:
        return [_pattern_texts(branch) for branch in item["pattern-either"]]
    if "patterns" in item:
        return [_pattern_texts(item["patterns"])]
    return None


def _mentions(texts: list[str], metavariable: str) -> bool:
    name = re.compile(re.escape(metavariable) + r"(?![A-Z0-9_])")
    return any(name.search(text) for text in texts)


def _unbound_in(patterns: list[Mapping[str, Any]], where: str) -> list[str]:
    positives = [a for a in (_alternatives(item) for item in patterns) if a]
    problems: list[str] = []
    for item in patterns:
        for key in ("metavariable-regex", "metavariable-pattern", "focus-metavariable"):
            if key not in item:
                continue
            value = item[key]
            metavariable = value if isinstance(value, str) else value["metavariable"]
            # Bound when some positive item binds it in every one of its alternatives.
            if not any(all(_mentions(alt, metavariable) for alt in alts) for alts in positives):
                problems.append(f"{where}: {key} {metavariable} is not bound by every branch")
        nested = [item["patterns"]] if "patterns" in item else []
        nested += [b["patterns"] for b in item.get("pattern-either", []) if "patterns" in b]
        for inner in nested:
            problems += _unbound_in(inner, where)
    return problems


def unbound_metavariables(rule: PackRule) -> list[str]:
    """Constraints (regex, pattern, focus) on a metavariable that some alternative never binds.

    semgrep drops such a match silently, so a branch written this way can never report.
    """
    problems: list[str] = []
    body = rule.body
    if "patterns" in body:
        problems += _unbound_in(body["patterns"], rule.id)
    for section in ("pattern-sources", "pattern-sinks", "pattern-sanitizers"):
        for index, item in enumerate(body.get(section, [])):
            if "patterns" in item:
                problems += _unbound_in(item["patterns"], f"{rule.id} {section}[{index}]")
    return problems
