"""The deploy-stage misconfiguration control: parse IaC and CI files to plain data, then
evaluate built-in and custom CEL checks, and custom Rego policies (conftest conventions).

Options (``[controls.iac]``): ``disable`` (check ids), ``checks_dir`` (custom CEL checks,
default ``.lockgate/checks``), ``policy_dir`` (Rego modules evaluated per resource, default
``.lockgate/policy``), ``policy_namespaces`` (default ``["main"]``).
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockgate.errors import ConfigError
from lockgate.model import (
    Confidence,
    ControlError,
    ErrorKind,
    Finding,
    FindingKind,
    Location,
    RuleInfo,
    Severity,
    SkippedItem,
    SkipReason,
    Stage,
    pairs,
)
from lockgate.model.fingerprint import iac_fingerprint
from lockgate.scanners.iac import detect
from lockgate.scanners.iac.checks import Check, CheckError, builtin_checks, load_check_files
from lockgate.scanners.iac.engine import CheckEngine, Verdict
from lockgate.scanners.iac.resources import ParseResult, Resource
from lockgate.scanners.interface import BaseControl, ControlFailure, ControlOutput, ScanContext
from lockgate.sources.interface import FileInfo

_OPTIONS = frozenset({"disable", "checks_dir", "policy_dir", "policy_namespaces"})
_MAX_UNKNOWN_LISTED = 200


class IacControl(BaseControl):
    """Misconfigurations in Terraform, Kubernetes, Dockerfiles, Compose, CloudFormation and CI."""

    id = "iac"
    version = "1.0.0"
    stage = Stage.DEPLOY
    kind = FindingKind.MISCONFIG
    title = "IaC: Terraform, Kubernetes, Dockerfile, Compose, CloudFormation and CI checks"
    needs_files = True
    option_names = _OPTIONS

    def __init__(self, checks: Sequence[Check] | None = None) -> None:
        self._checks = tuple(checks) if checks is not None else None

    def builtin(self) -> tuple[Check, ...]:
        if self._checks is not None:
            return self._checks
        return builtin_checks().checks

    def applies_to(self, path: str, info: FileInfo) -> bool:  # noqa: ARG002 - protocol
        return detect.by_name(path) is not None or detect.needs_content(path)

    def rules(self) -> Sequence[RuleInfo]:
        return tuple(c.info() for c in self.builtin())

    def scan(self, context: ScanContext) -> ControlOutput:
        options = context.options
        root = context.workspace.root
        config_root = context.workspace.display_root or root
        checks = self._all_checks(options, config_root)
        run = _Run(control=self, context=context, engine=CheckEngine(checks))
        groups = run.group_files()
        for module, paths in sorted(groups.items()):
            context.check_cancelled()
            run.parse(module, paths)
        run.evaluate()
        run.evaluate_rego(options, config_root)
        return ControlOutput(
            findings=run.findings,
            skipped=run.skipped,
            errors=run.errors,
            files_scanned=run.files_scanned,
            data_versions=pairs(
                {
                    "iac-checks": len(checks),
                    "iac-resources": len(run.resources),
                }
            ),
        )

    def _all_checks(self, options: Mapping[str, Any], root: Path) -> tuple[Check, ...]:
        checks = list(self.builtin())
        custom_dir = root / str(options.get("checks_dir", ".lockgate/checks"))
        if custom_dir.is_dir():
            try:
                custom = load_check_files(custom_dir.glob("*.yaml")).checks
            except CheckError as exc:
                raise ControlFailure(
                    f"custom checks: {exc.diagnostics()}", kind=ErrorKind.INPUT
                ) from None
            taken = {c.id for c in checks}
            clash = sorted(c.id for c in custom if c.id in taken)
            if clash:
                raise ControlFailure(
                    f"custom checks redefine built-in ids: {', '.join(clash)}",
                    kind=ErrorKind.INPUT,
                )
            checks.extend(custom)
        disabled = {str(d).upper() for d in options.get("disable", [])}
        return tuple(
            c for c in checks if c.id not in disabled and c.rule_id.upper() not in disabled
        )


@dataclass
class _Run:
    control: IacControl
    context: ScanContext
    engine: CheckEngine
    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    errors: list[ControlError] = field(default_factory=list)
    files_scanned: int = 0

    def group_files(self) -> dict[str, list[str]]:
        """Parser module -> paths, by name, then by content for YAML/JSON."""
        workspace = self.context.workspace
        files = [f for f in self.context.files if f.archive is None]
        charts = frozenset(
            f.path.rpartition("/")[0] for f in files if detect.by_name(f.path) == "helm"
        )
        groups: dict[str, list[str]] = defaultdict(list)
        for info in files:
            if detect.in_helm_templates(info.path, charts):
                continue
            group = detect.by_name(info.path)
            if group is None and detect.needs_content(info.path):
                try:
                    with workspace.path_of(info.path).open("rb") as stream:
                        head = stream.read(detect.HEAD_BYTES)
                except OSError as exc:
                    self.errors.append(
                        ControlError(
                            kind=ErrorKind.INPUT,
                            message=f"cannot read: {exc.strerror or exc}",
                            fatal=False,
                            path=info.path,
                        )
                    )
                    continue
                group = detect.by_content(info.path, head)
            if group is not None:
                groups[detect.PARSER_MODULES[group]].append(info.path)
        return dict(groups)

    def parse(self, module: str, paths: list[str]) -> None:
        try:
            parser = importlib.import_module(f"lockgate.scanners.iac.parsers.{module}")
            result: ParseResult = parser.parse(self.context.workspace.root, sorted(paths))
        except Exception as exc:  # one parser crashing must not lose the others
            self.errors.append(
                ControlError(
                    kind=ErrorKind.CRASH,
                    message=f"the {module} parser failed: {type(exc).__name__}: {exc}",
                    fatal=False,
                    path=paths[0] if len(paths) == 1 else None,
                )
            )
            return
        self.files_scanned += len(paths)
        self.resources.extend(result.resources)
        self.errors.extend(result.errors)
        self.skipped.extend(result.skipped)

    def evaluate(self) -> None:
        unknown_listed = 0
        for resource in self.resources:
            self.context.check_cancelled()
            for outcome in self.engine.evaluate(resource):
                if outcome.verdict is Verdict.FAIL:
                    self.findings.append(self.finding(outcome.check, resource))
                elif outcome.verdict in (Verdict.UNKNOWN, Verdict.ERROR):
                    if unknown_listed >= _MAX_UNKNOWN_LISTED:
                        continue
                    unknown_listed += 1
                    what = "not evaluated" if outcome.verdict is Verdict.UNKNOWN else "failed"
                    self.skipped.append(
                        SkippedItem(
                            path=resource.source_path or resource.path,
                            reason=SkipReason.OTHER,
                            detail=f"{outcome.check.id} {what} on {resource.address}: "
                            f"{outcome.detail}",
                        )
                    )

    def finding(self, check: Check, resource: Resource) -> Finding:
        path = resource.source_path or resource.path
        properties: dict[str, str | None] = {
            "address": resource.address,
            "resource_type": resource.type,
            "iac_kind": resource.kind,
            "module": resource.module,
            "rendered_from": resource.path if resource.path != path else None,
            "standards": ", ".join(check.standards) or None,
        }
        suppression = next(
            (s for s in resource.suppressions if s.check_id in (check.id, "*")), None
        )
        if suppression is not None:
            properties["suppressed"] = "inline lockgate:ignore" + (
                f": {suppression.reason}" if suppression.reason else ""
            )
        return Finding(
            kind=FindingKind.MISCONFIG,
            rule_id=check.rule_id,
            title=f"{check.title} ({resource.address})",
            severity=check.severity,
            confidence=Confidence.HIGH,
            fingerprint=iac_fingerprint(
                rule_id=check.rule_id, path=path, resource=resource.address
            ),
            control_id=self.control.id,
            control_version=self.control.version,
            stage=self.control.stage,
            location=Location(
                path=path, start_line=resource.start_line, end_line=resource.end_line
            ),
            description=check.description,
            remediation=check.remediation,
            identifiers=tuple(
                f"{tool}:{ident}" for tool, ids in sorted(check.aliases.items()) for ident in ids
            ),
            references=check.references,
            properties=pairs({k: v for k, v in properties.items() if v is not None}),
        )

    def evaluate_rego(self, options: Mapping[str, Any], root: Path) -> None:
        """Custom Rego modules, conftest style: ``input`` is each resource's data."""
        directory = root / str(options.get("policy_dir", ".lockgate/policy"))
        if not directory.is_dir() or not self.resources:
            return
        from lockgate.rego import RegoPolicy

        namespaces = [str(n) for n in options.get("policy_namespaces", ["main"])]
        try:
            policy = RegoPolicy.load(directory, namespaces=namespaces)
        except ConfigError as exc:
            raise ControlFailure(
                f"Rego policy: {exc.diagnostics()}", kind=ErrorKind.INPUT
            ) from None
        if policy is None:
            return
        documents = (dict(r.data) for r in self.resources)
        try:
            for resource, outcomes in zip(
                self.resources, policy.evaluate_many(documents), strict=True
            ):
                self.findings.extend(_rego_findings(self.control, resource, outcomes))
        except ConfigError as exc:
            raise ControlFailure(
                f"Rego policy: {exc.diagnostics()}", kind=ErrorKind.INPUT
            ) from None


def _rego_findings(
    control: IacControl, resource: Resource, outcomes: Iterable[Any]
) -> list[Finding]:
    found = []
    path = resource.source_path or resource.path
    for outcome in outcomes:
        details = dict(outcome.details)
        level = details.get("severity", "HIGH" if outcome.verdict != "warn" else "MEDIUM")
        try:
            severity = Severity.parse(str(level))
        except ValueError:
            severity = Severity.HIGH
        rule_id = f"rego/{outcome.namespace}/{outcome.rule}"
        properties: dict[str, str] = {
            "address": resource.address,
            "resource_type": resource.type,
            "iac_kind": resource.kind,
            "policy_file": outcome.file,
            "rego_verdict": outcome.verdict,
        }
        if outcome.verdict == "waived":
            properties["suppressed"] = f"Rego exception in {outcome.namespace}"
        found.append(
            Finding(
                kind=FindingKind.MISCONFIG,
                rule_id=rule_id,
                title=f"{outcome.message} ({resource.address})",
                severity=severity,
                confidence=Confidence.MEDIUM,
                fingerprint=iac_fingerprint(
                    rule_id=f"{rule_id}:{outcome.message}", path=path, resource=resource.address
                ),
                control_id=control.id,
                control_version=control.version,
                stage=control.stage,
                location=Location(
                    path=path, start_line=resource.start_line, end_line=resource.end_line
                ),
                description=outcome.message,
                properties=pairs(properties),
            )
        )
    return found
