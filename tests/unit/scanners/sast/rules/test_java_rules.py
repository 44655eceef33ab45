"""The Java rule pack (Spring MVC and the Servlet API): it covers the Spring vulnerability
classes, and a scan through lockgate's SAST control turns a vulnerable Spring controller into
findings while its hardened twin stays quiet. (Fixture runs and rule structure:
test_pack_structure.py.)
"""

from __future__ import annotations

from pathlib import Path

from lockgate.model import Severity
from tests.conftest import shared_dataset
from tests.unit.scanners.sast.rules import _pack_checks as pack

LANGUAGE = "java"
RULES = pack.rules(LANGUAGE)
CONTROLLER = "src/UserController.java"


# -- the rules as written ------------------------------------------------------------------


def test_the_pack_covers_the_spring_vulnerability_classes() -> None:
    expected = {
        "command-injection", "sql-injection", "xss", "path-traversal", "open-redirect",
        "deserialization", "xxe",
    }  # fmt: skip
    assert pack.missing_topics(LANGUAGE, expected) == []
    assert 10 <= len(RULES) <= 20


# -- real third-party code without request handlers ----------------------------------------


def test_no_findings_on_third_party_java_without_request_handlers(tmp_path: Path) -> None:
    samples = sorted(shared_dataset("secrets", "credsweeper-samples").glob("*.java"))
    pack.assert_quiet_on(LANGUAGE, samples, tmp_path, fragments=True)


# -- through lockgate's SAST control -------------------------------------------------------

VULNERABLE_CONTROLLER = """\
package com.example;

import java.sql.Connection;
import java.sql.ResultSet;
import javax.sql.DataSource;
import javax.xml.parsers.DocumentBuilderFactory;
import org.springframework.web.bind.annotation.*;

@RestController
public class UserController {
    private final DataSource dataSource;

    public UserController(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @GetMapping("/users")
    public String users(@RequestParam String name) throws Exception {
        Connection conn = dataSource.getConnection();
        String sql = "SELECT * FROM users WHERE name = '" + name + "'";
        ResultSet rs = conn.createStatement().executeQuery(sql);
        return rs.next() ? "found" : "none";
    }

    @PostMapping("/import")
    public String importXml(@RequestBody byte[] body) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        return dbf.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(body)).getNodeName();
    }
}
"""

HARDENED_CONTROLLER = """\
package com.example;

import java.sql.Connection;
import java.sql.PreparedStatement;
import javax.sql.DataSource;
import javax.xml.parsers.DocumentBuilderFactory;
import org.springframework.web.bind.annotation.*;

@RestController
public class UserController {
    private final DataSource dataSource;

    public UserController(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @GetMapping("/users")
    public String users(@RequestParam String name) throws Exception {
        Connection conn = dataSource.getConnection();
        PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE name = ?");
        ps.setString(1, name);
        return ps.executeQuery().next() ? "found" : "none";
    }

    @PostMapping("/import")
    public String importXml(@RequestBody byte[] body) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return dbf.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(body)).getNodeName();
    }
}
"""


def test_a_vulnerable_spring_controller_becomes_lockgate_findings(tmp_path: Path) -> None:
    findings = pack.control_findings(tmp_path / "app", {CONTROLLER: VULNERABLE_CONTROLLER})
    by_rule = {f.rule_id: f for f in findings}
    sql = by_rule["sast/lockgate.java.sql-injection.jdbc-statement"]
    assert sql.severity is Severity.CRITICAL
    assert sql.cwe == ("CWE-89",)
    assert sql.location is not None
    assert (sql.location.path, sql.location.start_line) == ("src/UserController.java", 21)
    xxe = by_rule["sast/lockgate.java.xxe.document-builder-factory"]
    assert xxe.severity is Severity.HIGH
    assert xxe.cwe == ("CWE-611",)
    assert len(findings) == 2


def test_the_hardened_spring_controller_has_no_findings(tmp_path: Path) -> None:
    assert pack.control_findings(tmp_path / "app", {CONTROLLER: HARDENED_CONTROLLER}) == []
