"""The Go rule pack (net/http, gorilla/mux, chi): it covers the net/http vulnerability
classes, and a scan through lockgate's SAST control turns a vulnerable handler package into
findings while its hardened twin stays quiet. (Fixture runs and rule structure:
test_pack_structure.py.)
"""

from __future__ import annotations

from pathlib import Path

from lockgate.model import Severity
from tests.conftest import shared_dataset
from tests.unit.scanners.sast.rules import _pack_checks as pack

LANGUAGE = "go"
RULES = pack.rules(LANGUAGE)


# -- the rules as written ------------------------------------------------------------------


def test_the_pack_covers_the_net_http_vulnerability_classes() -> None:
    expected = {
        "command-injection", "sql-injection", "xss", "path-traversal", "open-redirect",
        "deserialization", "tls", "crypto", "ssrf",
    }  # fmt: skip
    assert pack.missing_topics(LANGUAGE, expected) == []
    assert 10 <= len(RULES) <= 20


# -- real third-party code without request handlers ----------------------------------------


def test_no_findings_on_third_party_go_without_request_handlers(tmp_path: Path) -> None:
    samples = sorted(shared_dataset("secrets", "credsweeper-samples").glob("*.go"))
    pack.assert_quiet_on(LANGUAGE, samples, tmp_path, fragments=True)


# -- through lockgate's SAST control -------------------------------------------------------

VULNERABLE_HANDLERS = """\
package web

import (
\t"crypto/tls"
\t"database/sql"
\t"net/http"
)

type Server struct{ db *sql.DB }

func (s *Server) User(w http.ResponseWriter, r *http.Request) {
\tname := r.URL.Query().Get("name")
\trows, _ := s.db.Query("SELECT id FROM users WHERE name = '" + name + "'")
\tdefer rows.Close()
}

func Client() *http.Client {
\tcfg := &tls.Config{InsecureSkipVerify: true}
\treturn &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}
"""

HARDENED_HANDLERS = """\
package web

import (
\t"crypto/tls"
\t"database/sql"
\t"net/http"
)

type Server struct{ db *sql.DB }

func (s *Server) User(w http.ResponseWriter, r *http.Request) {
\tname := r.URL.Query().Get("name")
\trows, _ := s.db.Query("SELECT id FROM users WHERE name = $1", name)
\tdefer rows.Close()
}

func Client() *http.Client {
\tcfg := &tls.Config{MinVersion: tls.VersionTLS12}
\treturn &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}
"""


def test_vulnerable_go_handlers_become_lockgate_findings(tmp_path: Path) -> None:
    findings = pack.control_findings(tmp_path / "app", {"web/server.go": VULNERABLE_HANDLERS})
    by_rule = {f.rule_id: f for f in findings}
    sql = by_rule["sast/lockgate.go.sql-injection.string-built-query"]
    assert sql.severity is Severity.CRITICAL
    assert sql.cwe == ("CWE-89",)
    assert sql.location is not None
    assert (sql.location.path, sql.location.start_line) == ("web/server.go", 13)
    tls = by_rule["sast/lockgate.go.tls.insecure-skip-verify"]
    assert tls.severity is Severity.HIGH
    assert tls.cwe == ("CWE-295",)
    assert len(findings) == 2


def test_the_hardened_go_handlers_have_no_findings(tmp_path: Path) -> None:
    assert pack.control_findings(tmp_path / "app", {"web/server.go": HARDENED_HANDLERS}) == []
