"""Controls written for tests: a pattern finder, one that crashes, one that hangs."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from lockgate.model import (
    Confidence,
    ErrorKind,
    Finding,
    FindingKind,
    Location,
    RuleInfo,
    Severity,
    Stage,
)
from lockgate.model.fingerprint import code_fingerprint, enclosing_scope
from lockgate.scanners.interface import (
    BaseControl,
    ControlFailure,
    ControlOutput,
    ScanContext,
)
from lockgate.sources.interface import FileInfo


@dataclass
class PatternControl(BaseControl):
    """Reports every line matching ``pattern`` in files ending with ``suffix``."""

    id: str = "pattern"
    version: str = "1.0"
    stage: Stage = Stage.CODE
    kind: FindingKind = FindingKind.SAST
    pattern: str = r"eval\("
    severity: Severity = Severity.HIGH
    suffix: str = ".py"
    title: str = "Pattern finder (tests)"

    @property
    def rule_id(self) -> str:
        return f"{self.id}/match"

    def applies_to(self, path: str, info: FileInfo) -> bool:
        return path.endswith(self.suffix)

    def rules(self) -> Sequence[RuleInfo]:
        return (
            RuleInfo(
                rule_id=self.rule_id,
                title="Pattern matched",
                severity=self.severity,
                kind=self.kind,
                description="A line matched the test pattern.",
                remediation="Remove it.",
                cwe=("CWE-95",),
            ),
        )

    def scan(self, context: ScanContext) -> ControlOutput:
        findings = []
        regex = re.compile(self.pattern)
        for info in context.files:
            lines = context.workspace.read_bytes(info.path).decode("utf-8", "replace").splitlines()
            for index, line in enumerate(lines):
                m = regex.search(line)
                if not m or not context.workspace.is_changed(info.path, index + 1):
                    continue
                fp = code_fingerprint(
                    rule_id=self.rule_id,
                    path=info.path,
                    snippet=line,
                    scope=enclosing_scope(lines, index),
                )
                findings.append(
                    Finding(
                        kind=self.kind,
                        rule_id=self.rule_id,
                        title="Pattern matched",
                        severity=self.severity,
                        confidence=Confidence.HIGH,
                        fingerprint=fp,
                        control_id=self.id,
                        control_version=self.version,
                        stage=self.stage,
                        location=Location(
                            path=info.path,
                            start_line=index + 1,
                            start_column=m.start() + 1,
                            snippet=line.strip(),
                        ),
                        cwe=("CWE-95",),
                    )
                )
        return ControlOutput(findings=findings, files_scanned=len(context.files))


@dataclass
class CrashingControl(BaseControl):
    """Raises an unexpected exception."""

    id: str = "crasher"
    version: str = "0.1"
    stage: Stage = Stage.CODE
    kind: FindingKind = FindingKind.SAST
    needs_files: bool = False

    def scan(self, context: ScanContext) -> ControlOutput:
        raise RuntimeError("deliberate failure for the test")


@dataclass
class MissingToolControl(BaseControl):
    """Reports that its engine is missing."""

    id: str = "missing-tool"
    version: str = "0.1"
    stage: Stage = Stage.BUILD
    kind: FindingKind = FindingKind.VULNERABILITY
    needs_files: bool = False

    def scan(self, context: ScanContext) -> ControlOutput:
        raise ControlFailure(
            "advisory database is empty", kind=ErrorKind.DATA, detail="run 'lockgate db update'"
        )


@dataclass
class HangingControl(BaseControl):
    """Sleeps far past any timeout, checking for cancellation."""

    id: str = "hanger"
    version: str = "0.1"
    stage: Stage = Stage.CODE
    kind: FindingKind = FindingKind.SAST
    needs_files: bool = False
    seconds: float = 30.0

    def scan(self, context: ScanContext) -> ControlOutput:
        deadline = time.monotonic() + self.seconds
        while time.monotonic() < deadline:
            context.check_cancelled()
            time.sleep(0.01)
        return ControlOutput()
