"""Custom Rego policy over the gate document, with conftest's conventions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lockgate.errors import ConfigError
from lockgate.rego import PolicyOutcome, RegoPolicy


def document(
    *findings: dict[str, object], branch: str = "main", protected: bool = True
) -> dict[str, object]:
    return {
        "findings": list(findings),
        "context": {
            "branch": branch,
            "protected": protected,
            "stage": "code",
            "repository": "github.com/acme/shop",
            "baseline": {"present": True},
        },
    }


def finding(
    rule_id: str, severity: str = "HIGH", status: str = "new", path: str = "src/app.py"
) -> dict[str, object]:
    return {
        "rule_id": rule_id,
        "severity": severity,
        "status": status,
        "path": path,
        "kind": "sast",
        "fingerprint": "f" * 32,
    }


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(directory: Path, **kwargs: tuple[str, ...]) -> RegoPolicy:
    policy = RegoPolicy.load(directory, **kwargs)
    assert policy is not None
    return policy


GATE = """package main

import rego.v1

deny contains msg if {
    some f in input.findings
    f.severity == "HIGH"
    f.status == "new"
    input.context.protected
    msg := sprintf("new HIGH finding %s on protected branch %s", [f.rule_id, input.context.branch])
}

violation_sql contains {"msg": "SQL built from strings", "rule": f.rule_id, "count": 1} if {
    some f in input.findings
    startswith(f.rule_id, "sast/sql")
}

warn_medium contains msg if {
    some f in input.findings
    f.severity == "MEDIUM"
    msg := sprintf("MEDIUM finding %s", [f.rule_id])
}

helper := 42
"""


def test_deny_violation_and_warn_rules_become_outcomes(tmp_path: Path) -> None:
    write(tmp_path, "gate.rego", GATE)
    policy = load(tmp_path)
    outcomes = policy.evaluate(
        document(finding("sast/sql-injection"), finding("sast/weak-hash", severity="MEDIUM"))
    )
    assert outcomes == (
        PolicyOutcome(
            verdict="fail",
            rule="deny",
            namespace="main",
            file="gate.rego",
            message="new HIGH finding sast/sql-injection on protected branch main",
        ),
        PolicyOutcome(
            verdict="fail",
            rule="violation_sql",
            namespace="main",
            file="gate.rego",
            message="SQL built from strings",
            details=(("count", "1"), ("rule", "sast/sql-injection")),
        ),
        PolicyOutcome(
            verdict="warn",
            rule="warn_medium",
            namespace="main",
            file="gate.rego",
            message="MEDIUM finding sast/weak-hash",
        ),
    )


def test_the_context_decides(tmp_path: Path) -> None:
    write(tmp_path, "gate.rego", GATE)
    policy = load(tmp_path)
    outcomes = policy.evaluate(document(finding("sast/eval"), branch="feature/x", protected=False))
    assert outcomes == ()


def test_existing_findings_pass_a_new_only_policy(tmp_path: Path) -> None:
    write(tmp_path, "gate.rego", GATE)
    assert load(tmp_path).evaluate(document(finding("sast/eval", status="existing"))) == ()


def test_exceptions_waive_failures_by_rule_suffix(tmp_path: Path) -> None:
    write(tmp_path, "gate.rego", GATE)
    write(
        tmp_path,
        "exceptions.rego",
        """package main

import rego.v1

exception contains rules if {
    input.context.branch == "main"
    rules := ["sql"]
}
""",
    )
    outcomes = load(tmp_path).evaluate(document(finding("sast/sql-injection")))
    verdicts = {(o.rule, o.verdict) for o in outcomes}
    assert verdicts == {("deny", "fail"), ("violation_sql", "waived")}
    waived = next(o for o in outcomes if o.verdict == "waived")
    assert waived.message == "SQL built from strings"
    assert waived.file == "gate.rego"


def test_an_empty_exception_name_waives_plain_deny_but_not_warnings(tmp_path: Path) -> None:
    write(tmp_path, "gate.rego", GATE + '\nexception contains [""] if true\n')
    outcomes = load(tmp_path).evaluate(
        document(finding("sast/sql-injection"), finding("sast/md5", severity="MEDIUM"))
    )
    assert {(o.rule, o.verdict) for o in outcomes} == {
        ("deny", "waived"),
        ("violation_sql", "fail"),
        ("warn_medium", "warn"),
    }


def test_boolean_and_single_message_rules(tmp_path: Path) -> None:
    write(
        tmp_path,
        "p.rego",
        """package main

import rego.v1

deny_unsigned if not input.context.signed

warn_note := "remember to rotate keys"

denylist contains "not a conftest rule name"
""",
    )
    outcomes = load(tmp_path).evaluate(document())
    assert [(o.rule, o.verdict, o.message) for o in outcomes] == [
        ("deny_unsigned", "fail", "deny_unsigned"),
        ("warn_note", "warn", "remember to rotate keys"),
    ]


def test_multiple_namespaces_and_shared_libraries(tmp_path: Path) -> None:
    write(
        tmp_path,
        "lib/severity.rego",
        """package lib.severity

import rego.v1

high(f) if f.severity in {"HIGH", "CRITICAL"}
""",
    )
    write(
        tmp_path,
        "supply/chain.rego",
        """package supply

import rego.v1
import data.lib.severity

deny contains sprintf("%s is high", [f.rule_id]) if {
    some f in input.findings
    severity.high(f)
}
""",
    )
    write(
        tmp_path,
        "release.rego",
        """package release

import rego.v1

warn contains "release from a feature branch" if not input.context.protected
""",
    )
    policy = load(tmp_path, namespaces=("supply", "release"))
    outcomes = policy.evaluate(document(finding("osv/CVE-1", severity="CRITICAL"), protected=False))
    assert [(o.namespace, o.rule, o.verdict, o.message, o.file) for o in outcomes] == [
        ("release", "warn", "warn", "release from a feature branch", "release.rego"),
        ("supply", "deny", "fail", "osv/CVE-1 is high", "supply/chain.rego"),
    ]


def test_star_evaluates_every_package(tmp_path: Path) -> None:
    write(tmp_path, "a.rego", 'package a\n\nimport rego.v1\n\ndeny contains "from a" if true\n')
    write(tmp_path, "b.rego", 'package b.c\n\nimport rego.v1\n\nwarn contains "from b" if true\n')
    policy = load(tmp_path, namespaces=("*",))
    assert policy.namespaces == ("a", "b.c")
    assert [(o.namespace, o.message) for o in policy.evaluate(document())] == [
        ("a", "from a"),
        ("b.c", "from b"),
    ]


def test_an_unknown_namespace_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, "a.rego", 'package mian\n\ndeny contains "x" if true\n')
    with pytest.raises(ConfigError) as info:
        RegoPolicy.load(tmp_path)
    assert "package main" in info.value.message
    assert info.value.hint == "did you mean 'mian'?"


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "good.rego", GATE)
    bad = write(
        tmp_path, "sub/bad.rego", "package main\n\n# héllo\ndeny contains msg if {\n  msg := \n}\n"
    )
    with pytest.raises(ConfigError) as info:
        RegoPolicy.load(tmp_path)
    assert info.value.path == str(bad)
    assert info.value.line == 5
    assert "Invalid assignment" in info.value.message


def test_rego_v0_partial_sets_are_rejected_with_a_hint(tmp_path: Path) -> None:
    old = write(tmp_path, "old.rego", 'package main\n\ndeny[msg] {\n  msg := "x"\n}\n')
    with pytest.raises(ConfigError) as info:
        RegoPolicy.load(tmp_path)
    assert info.value.path == str(old)
    assert info.value.line == 3
    assert info.value.hint is not None
    assert "deny contains msg if" in info.value.hint


def test_a_module_without_package_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "x.rego", '# just a comment: package main\ndeny contains "x" if true\n')
    with pytest.raises(ConfigError, match="no package"):
        RegoPolicy.load(tmp_path)


def test_a_failing_builtin_at_run_time_names_the_policy(tmp_path: Path) -> None:
    write(
        tmp_path,
        "div.rego",
        """package main

import rego.v1

deny contains msg if {
    ratio := count(input.findings) / input.context.budget
    ratio > 1
    msg := "over budget"
}
""",
    )
    policy = load(tmp_path)
    assert policy.evaluate({"findings": [], "context": {"budget": 4}}) == ()
    with pytest.raises(ConfigError) as info:
        policy.evaluate({"findings": [], "context": {"budget": 0}})
    assert "divide by zero" in info.value.message
    assert "div.rego" in info.value.message


def test_an_unknown_function_is_reported_not_crashed_on(tmp_path: Path) -> None:
    write(
        tmp_path,
        "u.rego",
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  msg := foo.bar(1)\n}\n",
    )
    policy = load(tmp_path)
    with pytest.raises(ConfigError) as info:
        policy.evaluate(document())
    assert "main" in info.value.message


def test_a_message_object_without_msg_is_an_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        "m.rego",
        'package main\n\nimport rego.v1\n\ndeny contains {"text": "x"} if true\n',
    )
    with pytest.raises(ConfigError) as info:
        load(tmp_path).evaluate(document())
    assert "main.deny" in info.value.message
    assert info.value.path == str(tmp_path / "m.rego")


def test_conflicting_complete_rules_are_an_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        "c.rego",
        "package main\n\nimport rego.v1\n\nwarn_x := 1 if true\n\nwarn_x := 2 if true\n",
    )
    with pytest.raises(ConfigError, match="multiple outputs"):
        load(tmp_path).evaluate(document())


def test_an_empty_directory_has_no_policy(tmp_path: Path) -> None:
    assert RegoPolicy.load(tmp_path) is None
    write(tmp_path, "README.md", "no policy here")
    write(tmp_path, "gate_test.rego", "package main\n")
    assert RegoPolicy.load(tmp_path) is None


def test_the_digest_covers_file_names_and_contents(tmp_path: Path) -> None:
    write(tmp_path, "gate.rego", GATE)
    policy = load(tmp_path)
    assert policy.files == (tmp_path / "gate.rego",)
    expected = hashlib.sha256(b"gate.rego\0" + GATE.encode() + b"\0").hexdigest()
    assert policy.digest == expected
    (tmp_path / "gate.rego").write_text(GATE.replace("HIGH", "CRITICAL"), encoding="utf-8")
    assert load(tmp_path).digest != expected
    (tmp_path / "gate.rego").rename(tmp_path / "other.rego")
    (tmp_path / "other.rego").write_text(GATE, encoding="utf-8")
    assert load(tmp_path).digest != expected


def test_evaluation_is_repeatable(tmp_path: Path) -> None:
    write(tmp_path, "gate.rego", GATE)
    policy = load(tmp_path)
    doc = document(finding("sast/sql-a"), finding("sast/sql-b"), finding("sast/x"))
    first = policy.evaluate(doc)
    assert len(first) == 5
    assert policy.evaluate(doc) == first
