"""The sast control as users meet it: findings from both engines with stable fingerprints,
bad files isolated, engines failing loudly, options, inline waivers, redacted credentials,
and diff-aware scans in which only findings on changed lines are new."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.config import load_settings
from lockgate.engine.registry import ControlRegistry
from lockgate.model import (
    Action,
    Decision,
    ErrorKind,
    FindingKind,
    FindingStatus,
    ScanReport,
    SkipReason,
    Stage,
    Verdict,
)
from lockgate.scanners.interface import ControlFailure
from lockgate.scanners.sast._rulepack import PACK_DIR, pack_rules
from lockgate.scanners.sast.bandit_runner import BanditRunner
from lockgate.scanners.sast.control import SastControl
from lockgate.scanners.sast.semgrep_runner import SemgrepRunner
from lockgate.services.catalog import explain
from lockgate.services.scan import Scanner, ScanRequest
from lockgate.sources.interface import FileInfo
from tests.conftest import shared_dataset
from tests.unit.scanners.sast._support import (
    FIXTURE_RULES,
    USER_RULES,
    at,
    scan,
    stand_in,
    write_tree,
)
from tests.unit.sources import Repo, isolate_git

VIEWS = """\
import os
import subprocess
from flask import request


def search(cur):
    term = request.args["q"]
    cur.execute("SELECT * FROM items WHERE name = '%s'" % term)
    return cur.fetchall()


def ping(host):
    os.system("ping -c 1 " + host)
    return subprocess.call(host, shell=True)
"""
FRONT = "export function run(input) {\n  return eval(input);\n}\n"
CRASHING = "import sys\nsys.stderr.write('engine exploded\\n')\nsys.exit(3)\n"


def _info(path: str) -> FileInfo:
    return FileInfo(path=path, size=1)


def test_the_control_declares_itself_for_the_code_stage() -> None:
    control = SastControl()
    assert (control.id, control.stage, control.kind) == ("sast", Stage.CODE, FindingKind.SAST)
    assert control.needs_files
    supported = ["a.py", "b.js", "c.jsx", "d.mjs", "e.cjs", "f.ts", "g.tsx", "h.java", "i.go"]
    assert all(control.applies_to(p, _info(p)) for p in supported)
    assert not any(control.applies_to(p, _info(p)) for p in ["README.md", "x.rb", "py", "a.pyc"])


def test_findings_from_both_engines_over_python_and_javascript(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {"app/views.py": VIEWS, "web/front.ts": FRONT, "cmd/main.go": "package main\n"},
    )
    output = scan(root)
    findings = list(output.findings)
    [sqli] = at(findings, "app/views.py", 8)
    assert sqli.rule_id == "sast/lockgate.python.fixture.sql-injection"
    assert sqli.kind is FindingKind.SAST and sqli.control_id == "sast"
    assert sqli.prop("engine") == "semgrep+bandit"
    assert sqli.location is not None
    assert sqli.location.snippet == "\"SELECT * FROM items WHERE name = '%s'\" % term"
    assert sqli.cwe == ("CWE-89",)
    [front] = at(findings, "web/front.ts", 2)
    assert front.rule_id == "sast/lockgate.javascript.fixture.eval"
    assert front.prop("engine") == "semgrep"
    assert {f.rule_id for f in at(findings, "app/views.py", 13)} == {"bandit/B605"}
    assert output.files_scanned == 2
    [go] = output.skipped
    assert (go.path, go.reason) == ("cmd/main.go", SkipReason.UNSUPPORTED)
    assert "go" in go.detail
    versions = dict(output.data_versions)
    assert set(versions) == {"semgrep", "bandit", "sast-rules"}


def test_files_that_do_not_parse_are_errors_and_the_rest_is_scanned(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "legacy/old.py": 'import os\nprint "x"\nos.system(cmd)\n',
            "modern/new.py": "type Alias = list[int]\n\n\ndef first[T](xs: list[T]) -> T:\n"
            "    return eval(xs)\n",
            "app/views.py": VIEWS,
        },
    )
    output = scan(root)
    errors = {(e.path, e.line) for e in output.errors}
    assert ("legacy/old.py", 2) in errors and ("modern/new.py", 1) in errors
    assert all(e.kind is ErrorKind.INPUT and not e.fatal for e in output.errors)
    assert at(list(output.findings), "app/views.py", 8)
    # semgrep still parses the newer syntax: its finding survives bandit's error
    [modern] = at(list(output.findings), "modern/new.py", 5)
    assert modern.prop("engine") == "semgrep"


def test_fingerprints_survive_lines_moving(tmp_path: Path) -> None:
    first = scan(write_tree(tmp_path / "a", {"app/views.py": VIEWS}))
    moved = "# a new header comment\n\n\n" + VIEWS.replace("import os\n", "import os\nimport sys\n")
    second = scan(write_tree(tmp_path / "b", {"app/views.py": moved}))
    assert {f.fingerprint for f in first.findings} == {f.fingerprint for f in second.findings}
    assert len({f.fingerprint for f in first.findings}) == len(first.findings)


def test_hard_coded_credentials_are_never_shown_or_hashed_in_clear(tmp_path: Path) -> None:
    code = 'db_password = "correct-horse-battery"\n'
    output = scan(write_tree(tmp_path / "a", {"settings.py": code}))
    [finding] = output.findings
    assert finding.prop("engine") == "semgrep+bandit"
    text = repr(finding)
    assert "correct-horse-battery" not in text
    assert finding.location is not None and finding.location.snippet == 'db_password = "***"'
    other = scan(write_tree(tmp_path / "b", {"settings.py": code}), options={})
    changed = scan(write_tree(tmp_path / "c", {"settings.py": code.replace("horse", "mouse")}))
    assert other.findings[0].fingerprint == finding.fingerprint
    assert changed.findings[0].fingerprint != finding.fingerprint


def test_inline_waivers_are_visible_suppressions(tmp_path: Path) -> None:
    code = (
        "from flask import request\n"
        "x = request.args['x']\n"
        "eval(x)  # nosemgrep: lockgate.python.fixture.eval\n"
        "import subprocess  # nosec B404\n"
        "subprocess.call(x, shell=True)  # nosec B602\n"
        "eval(x)\n"
    )
    findings = list(scan(write_tree(tmp_path / "a", {"w.py": code})).findings)
    [waived_eval] = at(findings, "w.py", 3)
    assert waived_eval.prop("suppressed") == "inline nosemgrep comment"
    [waived_import] = at(findings, "w.py", 4)
    assert waived_import.prop("suppressed") == "inline # nosec comment"
    [waived_shell] = at(findings, "w.py", 5)
    assert waived_shell.prop("engine") == "semgrep+bandit"
    assert waived_shell.prop("suppressed") == "inline # nosec comment"
    [plain] = at(findings, "w.py", 6)
    assert plain.prop("suppressed") is None


def test_user_rules_run_beside_the_pack(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"app/views.py": VIEWS})
    output = scan(root, options={"extra_rules": [str(USER_RULES)], "engines": ["semgrep"]})
    [banned] = [f for f in output.findings if f.rule_id == "sast/acme.no-os-system"]
    assert banned.location is not None and banned.location.start_line == 13


def test_user_rules_are_found_relative_to_the_project(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"app/views.py": VIEWS})
    (root / ".lockgate").mkdir()
    (root / ".lockgate" / "rules.yaml").write_text((USER_RULES / "acme.yaml").read_text())
    output = scan(root, options={"extra_rules": ".lockgate/rules.yaml", "engines": ["semgrep"]})
    assert "sast/acme.no-os-system" in {f.rule_id for f in output.findings}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("rules:\n  - id: acme.x\n    languages: [python]\n    severity: ERROR\n"
         "    message: m\n    patern: eval(...)\n", "InvalidRuleSchemaError"),
        ("rules: [\n", "Invalid YAML"),
    ],
)  # fmt: skip
def test_broken_user_rules_fail_the_control_as_configuration(
    tmp_path: Path, content: str, expected: str
) -> None:
    root = write_tree(tmp_path / "repo", {"app/views.py": VIEWS, "rules/mine.yaml": content})
    with pytest.raises(ControlFailure) as caught:
        scan(root, options={"extra_rules": ["rules"]})
    assert caught.value.kind is ErrorKind.INPUT
    assert expected in caught.value.message and "mine.yaml" in caught.value.message


def test_user_rules_may_not_reuse_pack_ids(tmp_path: Path) -> None:
    clash = "rules:\n  - id: lockgate.python.fixture.eval\n    languages: [python]\n"
    clash += "    severity: ERROR\n    message: m\n    pattern: eval(...)\n"
    root = write_tree(tmp_path / "repo", {"a.py": "eval(x)\n", "mine.yaml": clash})
    with pytest.raises(ControlFailure, match="redefine rule ids"):
        scan(root, options={"extra_rules": ["mine.yaml"]})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"engines": ["semgrep", "codeql"]}, "unknown engine 'codeql'"),
        ({"engines": []}, "at least one engine"),
        ({"jobs": 0}, "jobs: must be at least 1"),
        ({"jobs": "four"}, "jobs: expected a whole number"),
        ({"timeout_per_file": 2.5}, "expected a whole number"),
        ({"extra_rules": ["no/such/dir"]}, "no such file or directory"),
        ({"disable": "not-a-list", "bandit_config": 3}, "bandit_config: expected a path"),
    ],
)
def test_bad_options_are_configuration_errors_naming_the_key(
    tmp_path: Path, options: dict[str, object], message: str
) -> None:
    root = write_tree(tmp_path / "repo", {"a.py": "eval(x)\n"})
    with pytest.raises(ControlFailure) as caught:
        scan(root, options=options)
    assert caught.value.kind is ErrorKind.INPUT
    assert message in caught.value.message


def test_disabled_rules_of_either_engine_are_not_reported(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"app/views.py": VIEWS})
    output = scan(
        root,
        options={"disable": ["sast/lockgate.python.fixture.shell-true", "bandit/B404", "B605"]},
    )
    rules = {f.rule_id for f in output.findings}
    assert "sast/lockgate.python.fixture.shell-true" not in rules
    assert not rules & {"bandit/B404", "bandit/B605"}
    [shell] = at(list(output.findings), "app/views.py", 14)
    assert shell.rule_id == "bandit/B602"  # bandit still reports what the disabled rule did


def test_a_crashing_semgrep_fails_the_control_when_files_go_unscanned(tmp_path: Path) -> None:
    fake = stand_in(tmp_path / "bin", "semgrep", CRASHING)
    control = SastControl(rules_dir=FIXTURE_RULES, semgrep=SemgrepRunner(fake))
    root = write_tree(tmp_path / "repo", {"app/views.py": VIEWS, "web/front.ts": FRONT})
    with pytest.raises(ControlFailure) as caught:
        scan(root, control=control)
    assert caught.value.kind is ErrorKind.TOOL
    assert "semgrep" in caught.value.message and "code 3" in caught.value.message
    assert "engine exploded" in caught.value.detail


def test_with_one_engine_down_the_other_still_reports_and_the_failure_is_named(
    tmp_path: Path,
) -> None:
    fake = stand_in(tmp_path / "bin", "semgrep", CRASHING)
    control = SastControl(rules_dir=FIXTURE_RULES, semgrep=SemgrepRunner(fake))
    output = scan(write_tree(tmp_path / "repo", {"app/views.py": VIEWS}), control=control)
    assert {f.prop("engine") for f in output.findings} == {"bandit"}
    [error] = [e for e in output.errors if e.kind is ErrorKind.TOOL]
    assert not error.fatal
    assert error.message.startswith("semgrep failed")


def test_missing_bandit_with_semgrep_working_is_a_named_error(tmp_path: Path) -> None:
    control = SastControl(
        rules_dir=FIXTURE_RULES, bandit=BanditRunner(tmp_path / "nowhere" / "bandit")
    )
    output = scan(write_tree(tmp_path / "repo", {"app/views.py": VIEWS}), control=control)
    assert {f.prop("engine") for f in output.findings} == {"semgrep"}
    [error] = output.errors
    assert error.kind is ErrorKind.TOOL and not error.fatal and "bandit" in error.message


def test_both_engines_down_fails_the_control(tmp_path: Path) -> None:
    fake_semgrep = stand_in(tmp_path / "bin", "semgrep", CRASHING)
    fake_bandit = stand_in(tmp_path / "bin", "bandit", "print('not json')\n")
    control = SastControl(
        rules_dir=FIXTURE_RULES,
        semgrep=SemgrepRunner(fake_semgrep),
        bandit=BanditRunner(fake_bandit),
    )
    with pytest.raises(ControlFailure) as caught:
        scan(write_tree(tmp_path / "repo", {"app/views.py": VIEWS}), control=control)
    assert "semgrep" in caught.value.message and "bandit" in caught.value.message


def test_rules_document_the_pack_and_bandit_for_explain() -> None:
    control = SastControl(rules_dir=FIXTURE_RULES)
    registry = ControlRegistry([control])
    control_id, rule = explain(registry, "sast/lockgate.python.fixture.sql-injection")
    assert control_id == "sast"
    assert rule.title == "Request data reaches a SQL statement built as a string."
    assert rule.cwe == ("CWE-89",)
    assert rule.remediation.startswith("Use a parameterised query")
    _, bandit = explain(registry, "bandit/B608")
    assert "SQL" in bandit.title and "CWE-89" in bandit.cwe
    _, short = explain(registry, "lockgate.javascript.fixture.eval")
    assert short.rule_id == "sast/lockgate.javascript.fixture.eval"


def test_the_shipped_pack_is_documented_rule_by_rule() -> None:
    shipped = pack_rules(PACK_DIR)
    if not shipped:
        pytest.skip("the rule pack has no rules yet")
    documented = {r.rule_id for r in SastControl().rules()}
    assert {f"sast/{r.id}" for r in shipped} <= documented
    assert all(r.id.startswith("lockgate.") for r in shipped)


def test_the_shipped_pack_runs_on_a_vulnerable_flask_view(tmp_path: Path) -> None:
    if not any((PACK_DIR / "python").glob("*.yaml")):
        pytest.skip("the rule pack has no Python rules yet")
    root = write_tree(tmp_path / "repo", {"app/views.py": VIEWS})
    output = scan(root, control=SastControl())
    assert any(f.rule_id.startswith("sast/lockgate.python.") for f in output.findings)


def test_templates_of_a_python_app_are_read_by_semgrep_only(tmp_path: Path) -> None:
    page = "<ul>\n{% for c in comments %}\n  <li>{{ c.body|safe }}</li>\n{% endfor %}\n</ul>\n"
    root = write_tree(
        tmp_path / "repo",
        {"app/views.py": VIEWS, "app/templates/comments.html": page, "docs/x.j2": "{{ a }}\n"},
    )
    output = scan(root, control=SastControl())
    assert not output.errors
    (hit,) = at(output.findings, "app/templates/comments.html", 3)
    assert hit.rule_id == "sast/lockgate.python.xss-templates.autoescape-bypassed-in-template"
    assert dict(hit.properties)["engine"] == "semgrep" and "CWE-79" in hit.cwe
    assert not at(output.findings, "docs/x.j2", 1)
    assert SastControl().applies_to("t/page.jinja2", _info("t/page.jinja2"))


def test_vulpy_bad_has_more_sql_injections_than_vulpy_good() -> None:
    vulpy = shared_dataset("sast", "vulpy")
    bad = scan(vulpy / "bad")
    good = scan(vulpy / "good")
    assert not bad.errors and not good.errors
    assert bad.files_scanned >= 15 and good.files_scanned >= 15
    bad_sql = [f for f in bad.findings if "CWE-89" in f.cwe and f.location]
    good_sql = [f for f in good.findings if "CWE-89" in f.cwe]
    assert len(bad_sql) > len(good_sql)
    assert {f.location.path for f in bad_sql if f.location} >= {"db.py", "libuser.py"}


# -- diff-aware scans ------------------------------------------------------------------


def test_findings_off_the_changed_lines_are_marked_preexisting(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"app/views.py": VIEWS})
    output = scan(root, changed_lines={"app/views.py": frozenset({13, 14})})
    findings = list(output.findings)
    [old] = at(findings, "app/views.py", 8)
    assert (old.prop("on_changed_line"), old.prop("preexisting")) == ("false", "true")
    for finding in at(findings, "app/views.py", 14):
        assert finding.prop("on_changed_line") == "true"
        assert finding.prop("preexisting") is None
    full = scan(root)
    assert all(f.prop("on_changed_line") is None for f in full.findings)


OLD_VIEW = """\
import sqlite3
from flask import request


def old_search(cur):
    term = request.args["q"]
    cur.execute("SELECT * FROM items WHERE name = '%s'" % term)
"""

NEW_VIEW = """\

def new_lookup(cur):
    user = request.args["user"]
    cur.execute("SELECT * FROM users WHERE login = '%s'" % user)
"""


@pytest.fixture
def branch_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """main holds an old SQL injection; the feature branch moves it and adds a new one."""
    isolate_git(monkeypatch)
    repo = Repo.init(tmp_path / "repo")
    repo.write("app/views.py", OLD_VIEW)
    repo.commit("an old view")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("app/views.py", "# lines added above move the old finding\n\n" + OLD_VIEW + NEW_VIEW)
    repo.commit("a new view")
    return repo


def _scan_since(repo: Repo, tmp_path: Path, branch: str) -> tuple[ScanReport, Decision]:
    settings = load_settings(repo.root, env={})
    registry = ControlRegistry([SastControl(rules_dir=FIXTURE_RULES)])
    scanner = Scanner(settings=settings, registry=registry, env={"HOME": str(tmp_path / "home")})
    outcome = scanner.scan(ScanRequest(path=repo.root, since="main", branch=branch))
    return outcome.report, outcome.decision


def test_with_since_only_the_new_injection_blocks(branch_repo: Repo, tmp_path: Path) -> None:
    report, decision = _scan_since(branch_repo, tmp_path, "feature")
    findings = report.findings
    [old] = at(findings, "app/views.py", 9)
    [new] = at(findings, "app/views.py", 13)
    assert old.prop("preexisting") == "true" and new.prop("on_changed_line") == "true"
    old_decision = decision.for_finding(old.fingerprint)
    new_decision = decision.for_finding(new.fingerprint)
    assert old_decision is not None and new_decision is not None
    assert (old_decision.status, old_decision.action) == (FindingStatus.EXISTING, Action.TRACK)
    assert (new_decision.status, new_decision.action) == (FindingStatus.NEW, Action.BLOCK)
    assert decision.verdict is Verdict.FAIL
    blocking = [r for r in decision.all_reasons if r.verdict is Verdict.FAIL]
    assert {r.fingerprint for r in blocking} == {new.fingerprint}


def test_with_since_an_untouched_old_injection_does_not_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git(monkeypatch)
    repo = Repo.init(tmp_path / "repo")
    repo.write("app/views.py", OLD_VIEW)
    repo.commit("an old view")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("app/views.py", OLD_VIEW + "\n\ndef harmless():\n    return 42\n")
    repo.commit("a harmless change")
    report, decision = _scan_since(repo, tmp_path, "feature")
    assert report.findings
    assert decision.verdict is Verdict.PASS


def test_the_pack_reaches_semgrep_as_one_file_written_once(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    root = write_tree(tmp_path / "repo", {"app/views.py": VIEWS})
    first = scan(root, control=SastControl(), cache_dir=cache)
    (merged,) = (cache / "sast" / "engine-home" / "packs").glob("pack-*.yaml")
    stamp = merged.stat().st_mtime_ns
    again = scan(root, control=SastControl(), cache_dir=cache)
    assert merged.stat().st_mtime_ns == stamp
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in first.findings]
    assert any(f.rule_id.startswith("sast/lockgate.python.") for f in first.findings)
    assert not first.errors
