"""From an engine's match to a lockgate finding: location, snippet, fingerprint, redaction
of hard-coded credentials, and inline suppressions (``nosemgrep``, ``# nosec``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lockgate.model import Confidence, Finding, FindingKind, Location, Severity, Stage, pairs
from lockgate.model.fingerprint import code_fingerprint, normalise_code
from lockgate.scanners.sast._code import (
    SourceFiles,
    SourceText,
    first_line,
    hash_literals,
    literal_values,
    nosec,
    nosemgrep,
    redact,
)

SEMGREP = "semgrep"
BANDIT = "bandit"

CREDENTIAL_CWES = frozenset({"CWE-256", "CWE-259", "CWE-260", "CWE-321", "CWE-522", "CWE-798"})
"""Findings about hard-coded credentials: literals are masked in snippets and messages and
enter fingerprints only as keyed hashes."""
CREDENTIAL_BANDIT_TESTS = frozenset({"B105", "B106", "B107"})
MAX_DESCRIPTION = 2000


@dataclass(frozen=True, kw_only=True)
class Match:
    """One result of one engine, before it becomes a finding.

    Lines are 1-based; columns are 1-based byte columns, ``end_col`` exclusive.
    """

    engine: str
    engine_rule: str
    """The engine's own id: ``lockgate.python.sqli.x`` (semgrep) or ``B608`` (bandit)."""
    rule_id: str
    """The namespaced lockgate rule id: ``sast/<semgrep id>`` or ``bandit/B608``."""
    title: str
    message: str
    severity: Severity
    confidence: Confidence
    path: str
    start_line: int
    end_line: int
    start_col: int | None = None
    end_col: int | None = None
    start_offset: int | None = None
    end_offset: int | None = None
    cwe: tuple[str, ...] = ()
    remediation: str = ""
    references: tuple[str, ...] = ()
    properties: Mapping[str, str] = field(default_factory=dict)
    test_name: str = ""
    """Bandit's test name (``hardcoded_sql_expressions``), for ``# nosec`` comments."""

    @property
    def credential(self) -> bool:
        return bool(CREDENTIAL_CWES.intersection(self.cwe)) or (
            self.engine == BANDIT and self.engine_rule in CREDENTIAL_BANDIT_TESTS
        )


@dataclass(frozen=True, kw_only=True)
class FindingFactory:
    """Builds findings for one control run."""

    control_id: str
    control_version: str
    stage: Stage
    secret_hash_key: bytes

    def build(self, matches: Sequence[Match], sources: SourceFiles) -> list[Finding]:
        """Findings in file and position order; identical slices in the same scope get
        increasing occurrence numbers so their fingerprints differ."""
        ordered = sorted(
            matches, key=lambda m: (m.path, m.start_line, m.start_col or 0, m.rule_id, m.end_line)
        )
        seen: Counter[tuple[str, str, str, str]] = Counter()
        out: list[Finding] = []
        for match in ordered:
            source = sources.get(match.path)
            code = (
                source.slice(
                    start_line=match.start_line,
                    start_col=match.start_col,
                    end_line=match.end_line,
                    end_col=match.end_col,
                    start_offset=match.start_offset,
                    end_offset=match.end_offset,
                )
                if source is not None
                else ""
            )
            scope = source.scope(match.start_line) if source is not None else ""
            identity = hash_literals(code, self.secret_hash_key) if match.credential else code
            key = (match.rule_id, match.path, normalise_code(identity), normalise_code(scope))
            occurrence = seen[key]
            seen[key] += 1
            fingerprint = code_fingerprint(
                rule_id=match.rule_id,
                path=match.path,
                snippet=identity,
                scope=scope,
                occurrence=occurrence,
            )
            out.append(self._finding(match, source, code, fingerprint))
        return out

    def _finding(
        self, match: Match, source: SourceText | None, code: str, fingerprint: str
    ) -> Finding:
        secrets = literal_values(code) if match.credential else set()

        def clean(text: str) -> str:
            return redact(text, secrets) if match.credential else text

        snippet = clean(first_line(code)) or None
        properties: dict[str, str] = {"engine": match.engine, **match.properties}
        marker = _inline_suppression(match, source)
        if marker is not None:
            properties["suppressed"] = marker
        description = clean(match.message)
        if len(description) > MAX_DESCRIPTION:
            description = description[: MAX_DESCRIPTION - 1] + "…"
        end_line = max(match.end_line, match.start_line)
        return Finding(
            kind=FindingKind.SAST,
            rule_id=match.rule_id,
            title=clean(match.title) or match.rule_id,
            severity=match.severity,
            confidence=match.confidence,
            fingerprint=fingerprint,
            control_id=self.control_id,
            control_version=self.control_version,
            stage=self.stage,
            location=Location(
                path=match.path,
                start_line=match.start_line,
                start_column=match.start_col if match.start_col and match.start_col > 0 else None,
                end_line=end_line,
                end_column=match.end_col if match.end_col and match.end_col > 0 else None,
                snippet=snippet,
            ),
            description=description,
            remediation=match.remediation,
            cwe=match.cwe,
            identifiers=(match.rule_id,),
            references=match.references,
            properties=pairs(properties),
        )


def _inline_suppression(match: Match, source: SourceText | None) -> str | None:
    if source is None:
        return None
    if match.engine == SEMGREP and nosemgrep(source, match.start_line, match.engine_rule):
        return "inline nosemgrep comment"
    lines = range(match.start_line, max(match.end_line, match.start_line) + 1)
    if match.engine == BANDIT and nosec(source, lines, match.engine_rule, match.test_name):
        return "inline # nosec comment"
    return None
