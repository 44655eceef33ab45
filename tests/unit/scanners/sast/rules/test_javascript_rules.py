"""The JavaScript/TypeScript rule pack (Express and Node): it covers the Node vulnerability
classes, its TypeScript fixtures are matched (not just parsed), and a scan through lockgate's
SAST control turns a vulnerable Express app into findings while its hardened twin stays
quiet. (Fixture runs and rule structure: test_pack_structure.py.)
"""

from __future__ import annotations

from pathlib import Path

from lockgate.model import Severity
from tests.conftest import shared_dataset
from tests.unit.scanners.sast.rules import _pack_checks as pack
from tests.unit.scanners.sast.rules.conftest import SemgrepReports

LANGUAGE = "javascript"
RULES = pack.rules(LANGUAGE)


# -- the rules as written ------------------------------------------------------------------


def test_the_pack_covers_the_node_vulnerability_classes() -> None:
    expected = {
        "command-injection", "sql-injection", "xss", "path-traversal", "open-redirect",
        "deserialization", "code-injection", "xxe", "prototype-pollution", "ssrf",
    }  # fmt: skip
    assert pack.missing_topics(LANGUAGE, expected) == []
    assert 10 <= len(RULES) <= 20


def test_typescript_has_fixtures_of_its_own() -> None:
    typescript = sorted(p.name for p in pack.pack_dir(LANGUAGE).glob("*.ts"))
    assert len(typescript) >= 2, typescript
    for fixture in pack.pack_dir(LANGUAGE).glob("*.ts"):
        assert (fixture.parent / f"{fixture.stem}.yaml").is_file(), fixture.name


def test_typescript_fixtures_are_matched_not_just_parsed(semgrep_reports: SemgrepReports) -> None:
    reported_in_ts = {
        rule
        for rule, check in pack.fixture_verdicts(semgrep_reports(LANGUAGE)).items()
        for path, match in check.get("matches", {}).items()
        if path.endswith(".ts") and match.get("reported_lines")
    }
    assert "lockgate.javascript.sql-injection.string-built-query" in reported_in_ts
    assert "lockgate.javascript.command-injection.spawn-shell" in reported_in_ts


# -- real third-party code without request handlers ----------------------------------------


def test_no_findings_on_third_party_scripts_without_request_handlers(tmp_path: Path) -> None:
    samples = [
        *sorted(shared_dataset("sast", "vulpy").glob("*/payloads/*.js")),
        *sorted(shared_dataset("secrets", "credsweeper-samples").glob("*.js")),
    ]
    pack.assert_quiet_on(LANGUAGE, samples, tmp_path)


# -- through lockgate's SAST control -------------------------------------------------------

VULNERABLE_APP = """\
const express = require("express");
const { exec } = require("child_process");
const mysql = require("mysql");
const app = express();
const db = mysql.createConnection({});

app.get("/user", (req, res) => {
  const sql = "SELECT * FROM users WHERE name = '" + req.query.name + "'";
  db.query(sql, (e, rows) => res.json(rows));
});

app.get("/ping", (req, res) => {
  exec("ping -c 1 " + req.query.host, (e, out) => res.type("text/plain").send(out));
});

app.get("/next", (req, res) => {
  res.redirect(req.query.next);
});
"""

HARDENED_APP = """\
const express = require("express");
const { execFile } = require("child_process");
const mysql = require("mysql");
const app = express();
const db = mysql.createConnection({});
const TARGETS = new Set(["/", "/account"]);

app.get("/user", (req, res) => {
  db.query("SELECT * FROM users WHERE name = ?", [req.query.name], (e, rows) => res.json(rows));
});

app.get("/ping", (req, res) => {
  const host = String(req.query.host);
  execFile("ping", ["-c", "1", host], (e, out) => res.type("text/plain").send(out));
});

app.get("/next", (req, res) => {
  const next = req.query.next;
  if (!TARGETS.has(next)) {
    return res.redirect("/");
  }
  res.redirect(next);
});
"""


def test_a_vulnerable_express_app_becomes_lockgate_findings(tmp_path: Path) -> None:
    findings = pack.control_findings(tmp_path / "app", {"server.js": VULNERABLE_APP})
    by_rule = {f.rule_id: f for f in findings}
    sql = by_rule["sast/lockgate.javascript.sql-injection.string-built-query"]
    assert sql.severity is Severity.CRITICAL
    assert sql.cwe == ("CWE-89",)
    assert sql.location is not None
    assert (sql.location.path, sql.location.start_line) == ("server.js", 9)
    assert "?" in sql.remediation
    command = by_rule["sast/lockgate.javascript.command-injection.child-process-exec"]
    assert command.cwe == ("CWE-78",)
    redirect = by_rule["sast/lockgate.javascript.open-redirect.tainted-redirect"]
    assert redirect.severity is Severity.MEDIUM
    assert len(findings) == 3


def test_the_hardened_twin_has_no_findings(tmp_path: Path) -> None:
    assert pack.control_findings(tmp_path / "app", {"server.js": HARDENED_APP}) == []
