"""Cross-tool dedup: semgrep and bandit reporting the same weakness at the same place
become one finding that names both tools; anything else stays apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.model import Confidence, Finding, FindingKind, Location, Severity, Stage, pairs
from lockgate.scanners.sast.dedup import MERGED, dedup
from tests.unit.scanners.sast._support import at, scan, write_tree


def _finding(
    engine: str,
    rule: str,
    *,
    line: int,
    end_line: int | None = None,
    cwe: tuple[str, ...],
    path: str = "app.py",
    severity: Severity = Severity.MEDIUM,
    confidence: Confidence = Confidence.MEDIUM,
    suppressed: str | None = None,
) -> Finding:
    return Finding(
        kind=FindingKind.SAST,
        rule_id=rule,
        title=f"title of {rule}",
        severity=severity,
        confidence=confidence,
        fingerprint=f"fp-{rule}-{path}-{line}",
        control_id="sast",
        control_version="1",
        stage=Stage.CODE,
        location=Location(path=path, start_line=line, end_line=end_line or line),
        description=f"description of {rule}",
        remediation=f"fix for {rule}",
        cwe=cwe,
        identifiers=(rule,),
        references=(f"https://example.test/{rule}",),
        properties=pairs(engine=engine, suppressed=suppressed),
    )


SQLI = "sast/lockgate.python.sqli.dbapi"


def test_same_line_and_cwe_become_one_finding_listing_both_tools() -> None:
    semgrep = _finding(
        "semgrep", SQLI, line=7, cwe=("CWE-89",), severity=Severity.CRITICAL,
        confidence=Confidence.MEDIUM,
    )  # fmt: skip
    bandit = _finding(
        "bandit", "bandit/B608", line=7, cwe=("CWE-89",), severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
    )  # fmt: skip
    [merged] = dedup([semgrep, bandit])
    assert merged.prop("engine") == MERGED
    assert merged.prop("bandit_tests") == "B608"
    assert merged.rule_id == SQLI
    assert merged.fingerprint == semgrep.fingerprint
    assert merged.title == semgrep.title and merged.remediation == semgrep.remediation
    assert set(merged.identifiers) == {SQLI, "bandit/B608"}
    assert merged.severity is Severity.CRITICAL
    assert merged.confidence is Confidence.HIGH
    assert set(merged.references) == {*semgrep.references, *bandit.references}


def test_bandits_line_inside_a_multi_line_semgrep_match_is_the_same_place() -> None:
    semgrep = _finding("semgrep", SQLI, line=10, end_line=14, cwe=("CWE-89",))
    bandit = _finding("bandit", "bandit/B608", line=12, cwe=("CWE-89",), severity=Severity.HIGH)
    [merged] = dedup([semgrep, bandit])
    assert merged.severity is Severity.HIGH  # the higher of the two


@pytest.mark.parametrize(
    ("semgrep_cwe", "bandit_rule", "bandit_cwe"),
    [
        ("CWE-78", "bandit/B602", "CWE-78"),  # subprocess shell=True
        ("CWE-77", "bandit/B604", "CWE-78"),  # command injection family
        ("CWE-502", "bandit/B506", "CWE-20"),  # yaml.load: bandit says input validation
        ("CWE-502", "bandit/B301", "CWE-502"),  # pickle
        ("CWE-328", "bandit/B324", "CWE-327"),  # weak hash
        ("CWE-327", "bandit/B303", "CWE-327"),
        ("CWE-295", "bandit/B501", "CWE-295"),  # requests verify=False
        ("CWE-489", "bandit/B201", "CWE-94"),  # flask debug=True
        ("CWE-798", "bandit/B105", "CWE-259"),  # hard-coded password
        ("CWE-798", "bandit/B106", "CWE-259"),
        ("CWE-95", "bandit/B307", "CWE-78"),  # eval: bandit says command injection
        ("CWE-611", "bandit/B314", "CWE-20"),  # XXE in ElementTree
    ],
)
def test_related_cwes_of_the_same_weakness_are_merged(
    semgrep_cwe: str, bandit_rule: str, bandit_cwe: str
) -> None:
    semgrep = _finding("semgrep", "sast/lockgate.python.x.y", line=3, cwe=(semgrep_cwe,))
    bandit = _finding("bandit", bandit_rule, line=3, cwe=(bandit_cwe,))
    [merged] = dedup([semgrep, bandit])
    assert merged.prop("engine") == MERGED
    assert merged.cwe == (semgrep_cwe,)


def test_different_weaknesses_on_one_line_stay_apart() -> None:
    semgrep = _finding("semgrep", SQLI, line=5, cwe=("CWE-89",))
    timeout = _finding("bandit", "bandit/B113", line=5, cwe=("CWE-400",))
    assert len(dedup([semgrep, timeout])) == 2


def test_the_same_weakness_elsewhere_stays_apart() -> None:
    semgrep = _finding("semgrep", SQLI, line=5, cwe=("CWE-89",))
    other_line = _finding("bandit", "bandit/B608", line=9, cwe=("CWE-89",))
    other_file = _finding("bandit", "bandit/B608", line=5, cwe=("CWE-89",), path="other.py")
    out = dedup([semgrep, other_line, other_file])
    assert len(out) == 3
    assert {f.prop("engine") for f in out} == {"semgrep", "bandit"}


def test_a_bandit_finding_joins_the_closest_semgrep_finding_only() -> None:
    wide = _finding(
        "semgrep", "sast/lockgate.python.sqli.wide", line=1, end_line=20, cwe=("CWE-89",)
    )
    exact = _finding("semgrep", SQLI, line=8, cwe=("CWE-89",))
    bandit = _finding("bandit", "bandit/B608", line=8, cwe=("CWE-89",))
    out = {f.rule_id: f for f in dedup([wide, exact, bandit])}
    assert set(out) == {"sast/lockgate.python.sqli.wide", SQLI}
    assert out[SQLI].prop("engine") == MERGED
    assert out["sast/lockgate.python.sqli.wide"].prop("engine") == "semgrep"


def test_several_bandit_tests_on_one_semgrep_finding_are_all_listed() -> None:
    semgrep = _finding("semgrep", "sast/lockgate.python.hash.weak", line=4, cwe=("CWE-327",))
    b303 = _finding("bandit", "bandit/B303", line=4, cwe=("CWE-327",))
    b324 = _finding("bandit", "bandit/B324", line=4, cwe=("CWE-327",))
    [merged] = dedup([semgrep, b303, b324])
    assert merged.prop("bandit_tests") == "B303,B324"


def test_either_tools_inline_waiver_waives_the_merged_finding() -> None:
    semgrep = _finding("semgrep", SQLI, line=5, cwe=("CWE-89",))
    bandit = _finding(
        "bandit", "bandit/B608", line=5, cwe=("CWE-89",), suppressed="inline # nosec comment"
    )
    [merged] = dedup([semgrep, bandit])
    assert merged.prop("suppressed") == "inline # nosec comment"
    [plain] = dedup([semgrep, _finding("bandit", "bandit/B608", line=5, cwe=("CWE-89",))])
    assert plain.prop("suppressed") is None


REALISTIC = """\
import hashlib
import pickle
import subprocess

import requests
import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/user")
def user(cur):
    name = request.args["name"]
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
    subprocess.call("ls " + name, shell=True)
    config = yaml.load(request.data)
    obj = pickle.loads(request.data)
    digest = hashlib.md5(request.data).hexdigest()
    requests.get("https://example.com", verify=False, timeout=5)
    return config, obj, digest


password = "hunter2-s3cret"
db = connect(host="db", password="hunter2-s3cret")

if __name__ == "__main__":
    app.run(debug=True)
"""


def test_real_engines_on_realistic_pairs_give_one_finding_per_weakness(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": REALISTIC})
    findings = list(scan(root).findings)
    expected = {
        15: ("sast/lockgate.python.fixture.sql-injection", "B608"),
        16: ("sast/lockgate.python.fixture.shell-true", "B602"),
        17: ("sast/lockgate.python.fixture.yaml-load", "B506"),
        18: ("sast/lockgate.python.fixture.pickle", "B301"),
        19: ("sast/lockgate.python.fixture.weak-hash", "B324"),
        20: ("sast/lockgate.python.fixture.tls-verify-disabled", "B501"),
        24: ("sast/lockgate.python.fixture.hardcoded-password", "B105"),
        25: ("sast/lockgate.python.fixture.hardcoded-password", "B106"),
        28: ("sast/lockgate.python.fixture.debug-enabled", "B201"),
    }
    for line, (rule, test) in expected.items():
        [finding] = at(findings, "app.py", line)
        assert finding.rule_id == rule, line
        assert finding.prop("engine") == MERGED, line
        assert finding.prop("bandit_tests") == test, line
        assert f"bandit/{test}" in finding.identifiers
    # bandit-only findings (module imports) stay as they are
    assert {f.rule_id for f in at(findings, "app.py", 2)} == {"bandit/B403"}
    assert len(findings) == len(expected) + 2
