"""The Python rule pack: every rule's annotated fixture passes under ``semgrep --test``,
every rule carries the metadata lockgate reports (CWE, OWASP, severity, confidence,
remediation), and on vulpy the insecure ``bad/`` app lights up where ``good/`` stays quieter.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT, shared_dataset

PACK = REPO_ROOT / "src" / "lockgate" / "scanners" / "sast" / "rules" / "python"
SEMGREP_TIMEOUT = 600
LEVELS = {"HIGH", "MEDIUM", "LOW"}
SEVERITIES = {"ERROR", "WARNING", "INFO"}
LOCKGATE_SEVERITIES = {"CRITICAL", "HIGH", "MEDIUM", "LOW"}
RULE_ID = re.compile(r"^lockgate\.python\.(?P<topic>[a-z0-9-]+)\.[a-z0-9]+(-[a-z0-9]+)*$")
CWE_ENTRY = re.compile(r"^CWE-\d+: \S.+$")
OWASP_ENTRY = re.compile(r"^A(0[1-9]|10):2021 - \S.+$")
# The taint rules that deliberately track a narrower source than the shared request block.
SPECIAL_SOURCE_RULES = {"lockgate.python.deserialization.cookie-state-without-integrity-check"}
REFERENCE_SOURCE_RULE = "lockgate.python.sql-injection.tainted-dbapi-query"


@dataclass(frozen=True)
class PackRule:
    """One rule of the pack as written in its YAML file."""

    id: str
    file: Path
    body: Mapping[str, Any]


def _load(path: Path) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as stream:
        return yaml.load(stream, Loader=loader)  # noqa: S506 - a safe loader


def _rule_files() -> list[Path]:
    return sorted(PACK.glob("*.yaml"))


def _rules() -> list[PackRule]:
    found: list[PackRule] = []
    for path in _rule_files():
        document = _load(path)
        for body in document["rules"]:
            found.append(PackRule(id=str(body["id"]), file=path, body=body))
    return found


RULES = _rules()


def _rule_id(rule: PackRule) -> str:
    return rule.id


def _file_id(path: Path) -> str:
    return path.name


def _fixture_of(rule_file: Path) -> Path | None:
    candidates = [
        p
        for p in sorted(rule_file.parent.iterdir())
        if p.stem == rule_file.stem and p.suffix not in {".yaml", ".yml"}
    ]
    return candidates[0] if candidates else None


def _semgrep() -> Path:
    beside = Path(sys.executable).parent / "semgrep"
    if beside.is_file():
        return beside
    found = shutil.which("semgrep")
    if found is None:
        pytest.skip("semgrep is not installed in this environment")
    return Path(found)


def _run_semgrep(args: list[str], *, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEMGREP_")}
    env.update(HOME=str(home), SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
    return subprocess.run(
        [str(_semgrep()), *args, "--metrics=off", "--disable-version-check"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=SEMGREP_TIMEOUT,
        check=False,
    )


# -- the rules as written ------------------------------------------------------------------


def test_the_pack_covers_the_python_vulnerability_classes() -> None:
    topics = {m.group("topic") for m in (RULE_ID.match(r.id) for r in RULES) if m}
    expected = {
        "sql-injection", "command-injection", "code-injection", "deserialization",
        "path-traversal", "open-redirect", "ssrf", "xss", "xxe", "ldap-injection",
        "xpath-injection", "ssti", "header-injection", "trust-boundary", "cookies",
        "weak-hash", "insecure-random", "hardcoded-secrets", "tls", "debug-mode", "jwt",
        "weak-crypto",
    }  # fmt: skip
    assert expected <= topics, f"missing topics: {sorted(expected - topics)}"
    assert len(RULES) >= 30
    assert len({r.id for r in RULES}) == len(RULES), "rule ids must be unique"


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
def test_rule_id_names_language_topic_and_rule(rule: PackRule) -> None:
    match = RULE_ID.match(rule.id)
    assert match, f"{rule.id}: expected lockgate.python.<topic>.<kebab-name>"
    assert match.group("topic") == rule.file.stem, f"{rule.id} lives in {rule.file.name}"


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
def test_rule_carries_the_metadata_lockgate_reports(rule: PackRule) -> None:
    body = rule.body
    assert body.get("severity") in SEVERITIES
    assert isinstance(body.get("message"), str) and len(body["message"].split()) >= 8
    meta = body.get("metadata")
    assert isinstance(meta, dict), f"{rule.id}: no metadata"
    assert meta.get("category") == "security"
    cwe = meta.get("cwe")
    assert isinstance(cwe, list) and cwe, f"{rule.id}: cwe must be a non-empty list"
    assert all(isinstance(c, str) and CWE_ENTRY.match(c) for c in cwe), cwe
    owasp = meta.get("owasp")
    assert isinstance(owasp, list) and owasp, f"{rule.id}: owasp must be a non-empty list"
    assert all(isinstance(o, str) and OWASP_ENTRY.match(o) for o in owasp), owasp
    for level in ("confidence", "likelihood", "impact"):
        assert meta.get(level) in LEVELS, f"{rule.id}: {level} = {meta.get(level)!r}"
    if "lockgate_severity" in meta:
        assert meta["lockgate_severity"] in LOCKGATE_SEVERITIES
    remediation = meta.get("remediation")
    assert isinstance(remediation, str) and len(remediation.split()) >= 8, rule.id
    references = meta.get("references")
    assert isinstance(references, list) and references, f"{rule.id}: no references"
    assert all(isinstance(u, str) and u.startswith("https://") for u in references)


@pytest.mark.parametrize("rule_file", _rule_files(), ids=_file_id)
def test_each_rule_has_fixture_cases_that_must_and_must_not_match(rule_file: Path) -> None:
    fixture = _fixture_of(rule_file)
    assert fixture is not None, f"{rule_file.name} has no fixture beside it"
    text = fixture.read_text(encoding="utf-8")
    for rule in (r for r in RULES if r.file == rule_file):
        positives = re.findall(rf"\bruleid:[^\n]*\b{re.escape(rule.id)}\b", text)
        negatives = re.findall(rf"\bok:[^\n]*\b{re.escape(rule.id)}\b", text)
        assert positives, f"{rule.id}: no `ruleid:` case in {fixture.name}"
        assert negatives, f"{rule.id}: no `ok:` case (precision) in {fixture.name}"


def test_python_fixtures_are_marked_for_linters_to_ignore() -> None:
    for fixture in sorted(PACK.glob("*.py")):
        first = fixture.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# ruff: noqa", f"{fixture.name} must start with '# ruff: noqa'"


def test_rule_files_avoid_yaml_merge_keys_semgrep_ignores() -> None:
    # semgrep's YAML reader keeps the base values of `<<: *anchor` over the overrides,
    # so metadata must be written out in full (plain anchors and aliases are fine).
    merged = [p.name for p in _rule_files() if re.search(r"^\s*<<:", p.read_text(), re.M)]
    assert not merged, f"merge keys in {merged}"


def _taint_rules() -> Iterator[PackRule]:
    return (r for r in RULES if r.body.get("mode") == "taint")


def test_taint_rules_share_one_definition_of_request_sources() -> None:
    reference = next(r for r in RULES if r.id == REFERENCE_SOURCE_RULE)
    shared = list(reference.body["pattern-sources"])
    assert len(shared) >= 3  # request objects, route parameters, Django view kwargs
    drifted = [
        r.id
        for r in _taint_rules()
        if r.id not in SPECIAL_SOURCE_RULES
        and list(r.body["pattern-sources"])[: len(shared)] != shared
    ]
    assert not drifted, f"request sources differ from {REFERENCE_SOURCE_RULE}: {drifted}"


# -- semgrep's own fixture tests -----------------------------------------------------------


@pytest.fixture(scope="module")
def semgrep_test_report(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Any]:
    home = tmp_path_factory.mktemp("semgrep-home")
    done = _run_semgrep(["--test", "--json", str(PACK)], cwd=REPO_ROOT, home=home)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"semgrep --test gave no JSON (exit {done.returncode}): {done.stderr[-2000:]}")
    assert isinstance(report, dict)
    return report


def _checks(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    checks: dict[str, Mapping[str, Any]] = {}
    for per_file in report.get("results", {}).values():
        for check_id, check in per_file.get("checks", {}).items():
            checks[check_id[check_id.find("lockgate.") :]] = check
    return checks


def test_semgrep_accepts_every_rule_file(semgrep_test_report: Mapping[str, Any]) -> None:
    assert not semgrep_test_report.get("config_with_errors"), semgrep_test_report
    assert not semgrep_test_report.get("config_missing_tests")
    assert set(_checks(semgrep_test_report)) == {r.id for r in RULES}


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
def test_rule_finds_exactly_the_annotated_lines(
    rule: PackRule, semgrep_test_report: Mapping[str, Any]
) -> None:
    check = _checks(semgrep_test_report).get(rule.id)
    assert check is not None, f"semgrep ran no fixture test for {rule.id}"
    if not check.get("passed"):
        details = {
            Path(path).name: {
                "expected": sorted(m.get("expected_lines", [])),
                "reported": sorted(m.get("reported_lines", [])),
            }
            for path, m in check.get("matches", {}).items()
        }
        pytest.fail(f"{rule.id}: fixture lines differ: {details}")


# -- vulpy: the insecure app against its hardened twin -------------------------------------


@pytest.fixture(scope="module")
def vulpy_findings(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Counter[str]]:
    vulpy = shared_dataset("sast", "vulpy")
    home = tmp_path_factory.mktemp("semgrep-home-vulpy")
    done = _run_semgrep(["--config", str(PACK), "--json", "bad", "good"], cwd=vulpy, home=home)
    report = json.loads(done.stdout)
    assert report["errors"] == [], report["errors"]
    by_side: dict[str, Counter[str]] = {"bad": Counter(), "good": Counter()}
    for result in report["results"]:
        side = Path(result["path"]).parts[0]
        for cwe in result["extra"]["metadata"]["cwe"]:
            by_side[side][cwe.split(":")[0]] += 1
        by_side[side]["total"] += 1
    return by_side


@pytest.mark.parametrize(
    ("cwe", "documented_class"),
    [
        ("CWE-89", "SQL injection (login, user creation, password change)"),
        ("CWE-79", "cross-site scripting (`|safe` in post and message templates)"),
        ("CWE-352", "cross-site request forgery (no CSRF protection)"),
        ("CWE-565", "session impersonation / insecure deserialization (unsigned cookie)"),
        ("CWE-155", "authentication bypass (API key looked up by glob)"),
        ("CWE-915", "authentication bypass (request JSON overrides the username)"),
    ],
)
def test_vulpy_bad_shows_each_documented_vulnerability(
    vulpy_findings: Mapping[str, Counter[str]], cwe: str, documented_class: str
) -> None:
    assert vulpy_findings["bad"][cwe] >= 1, f"no {cwe} finding in vulpy bad/: {documented_class}"


def test_vulpy_good_is_quieter_where_it_was_fixed(
    vulpy_findings: Mapping[str, Counter[str]],
) -> None:
    bad, good = vulpy_findings["bad"], vulpy_findings["good"]
    for fixed in ("CWE-565", "CWE-155", "CWE-915", "CWE-338"):
        assert good[fixed] == 0, f"{fixed} reported in vulpy good/, which fixed it"
    assert good["CWE-89"] < bad["CWE-89"]
    assert good["total"] < bad["total"]
