"""The Python rule pack: it covers the Python vulnerability classes, its fixtures are marked
for linters to ignore, its taint rules share the request sources, and on vulpy the insecure
``bad/`` app lights up where ``good/`` stays quieter. (Fixture runs and rule structure:
test_pack_structure.py.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.conftest import shared_dataset
from tests.unit.scanners.sast.rules import _pack_checks as pack

LANGUAGE = "python"
RULES = pack.rules(LANGUAGE)
# The taint rules that deliberately track a narrower source than the shared request block.
SPECIAL_SOURCE_RULES = {"lockgate.python.deserialization.cookie-state-without-integrity-check"}
REFERENCE_SOURCE_RULE = "lockgate.python.sql-injection.tainted-dbapi-query"


# -- the rules as written ------------------------------------------------------------------


def test_the_pack_covers_the_python_vulnerability_classes() -> None:
    expected = {
        "sql-injection", "command-injection", "code-injection", "deserialization",
        "path-traversal", "open-redirect", "ssrf", "xss", "xxe", "ldap-injection",
        "xpath-injection", "ssti", "header-injection", "trust-boundary", "cookies",
        "weak-hash", "insecure-random", "hardcoded-secrets", "tls", "debug-mode", "jwt",
        "weak-crypto",
    }  # fmt: skip
    assert pack.missing_topics(LANGUAGE, expected) == []
    assert len(RULES) >= 30


def test_python_fixtures_are_marked_for_linters_to_ignore() -> None:
    for fixture in sorted(pack.pack_dir(LANGUAGE).glob("*.py")):
        first = fixture.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# ruff: noqa", f"{fixture.name} must start with '# ruff: noqa'"


def test_taint_rules_share_one_definition_of_request_sources() -> None:
    reference = next(r for r in RULES if r.id == REFERENCE_SOURCE_RULE)
    shared = list(reference.body["pattern-sources"])
    assert len(shared) >= 3  # request objects, route parameters, Django view kwargs
    drifted = [
        r.id
        for r in RULES
        if r.body.get("mode") == "taint"
        and r.id not in SPECIAL_SOURCE_RULES
        and list(r.body["pattern-sources"])[: len(shared)] != shared
    ]
    assert not drifted, f"request sources differ from {REFERENCE_SOURCE_RULE}: {drifted}"


# -- vulpy: the insecure app against its hardened twin -------------------------------------


@pytest.fixture(scope="module")
def vulpy_findings(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Counter[str]]:
    vulpy = shared_dataset("sast", "vulpy")
    home = tmp_path_factory.mktemp("semgrep-home-vulpy")
    report = pack.run_semgrep(
        ["--config", str(pack.pack_dir(LANGUAGE)), "bad", "good"], home=home, cwd=vulpy
    )
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
