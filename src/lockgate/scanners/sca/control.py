"""The build-stage vulnerability control: inventory, advisory matching, VEX, findings.

Options (``[controls.sca]``): ``db`` (advisory database path; default: the user cache),
``vex`` (CycloneDX VEX / OpenVEX files whose not_affected statements suppress findings),
``sbom`` (scan the components of an existing SBOM instead of the workspace's manifests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    Stage,
    pairs,
)
from lockgate.model.fingerprint import vulnerability_fingerprint
from lockgate.scanners.interface import BaseControl, ControlFailure, ControlOutput, ScanContext
from lockgate.scanners.sca.matching import Match, match_component
from lockgate.scanners.sca.severity import Rating, rate
from lockgate.sources.interface import FileInfo

if TYPE_CHECKING:
    from lockgate.advisories.vex import VexStatement

_OPTIONS = frozenset({"db", "vex", "sbom"})
MAX_DESCRIPTION = 4000
MAX_REFERENCES = 20


class ScaControl(BaseControl):
    """Matches every pinned component against the OSV advisory database."""

    id = "sca"
    version = "1.0.0"
    stage = Stage.BUILD
    kind = FindingKind.VULNERABILITY
    title = "Dependencies: components matched against OSV advisories"
    needs_files = False  # ``scan --sbom`` reads the SBOM named in the options
    option_names = _OPTIONS

    def applies_to(self, path: str, info: FileInfo) -> bool:  # noqa: ARG002 - protocol
        from lockgate.inventory.catalog import parser_for

        return parser_for(path) is not None

    def rules(self) -> Sequence[RuleInfo]:
        return (
            RuleInfo(
                rule_id="osv/*",
                title="A dependency is affected by a published advisory (OSV)",
                severity=Severity.UNKNOWN,
                kind=FindingKind.VULNERABILITY,
                description="One finding per component and advisory; the rule id carries the "
                "advisory's canonical id (osv/GHSA-…, osv/PYSEC-…, osv/GO-…, osv/RUSTSEC-…). "
                "Severity comes from the advisory's CVSS vector or its own rating.",
                remediation="Upgrade to the fixed version named in the finding, or record a "
                "VEX statement or an exception with a reason when the code is not affected.",
            ),
        )

    def scan(self, context: ScanContext) -> ControlOutput:
        from lockgate.inventory.collect import sbom_inventory, workspace_inventory

        options = context.options
        sbom = options.get("sbom")
        if sbom:
            inventory = sbom_inventory(_resolve(context, str(sbom)))
        elif not context.files:
            return ControlOutput()
        else:
            inventory = workspace_inventory(context.workspace)
        skipped: list[SkippedItem] = list(inventory.skipped)
        errors: list[ControlError] = list(inventory.errors)
        matchable = [c for c in inventory.components if c.version and c.ecosystem]
        if not matchable:
            return ControlOutput(
                components=inventory.components,
                skipped=skipped,
                errors=errors,
                files_scanned=inventory.files_scanned,
            )
        database = _open_database(options, context)
        vex = _load_vex(options, context)
        findings: list[Finding] = []
        for component in matchable:
            context.check_cancelled()
            matches, skip = match_component(component, database.advisories_for)
            if skip is not None:
                skipped.append(skip)
            findings.extend(self._finding(m, vex) for m in matches)
        return ControlOutput(
            findings=findings,
            components=inventory.components,
            skipped=skipped,
            errors=errors,
            files_scanned=inventory.files_scanned,
            data_versions=pairs({"advisory-db": database.digest()}),
        )

    def _finding(self, match: Match, vex: Sequence[VexStatement]) -> Finding:
        component, advisory = match.component, match.advisory
        rating = rate(_severity_pairs(match), advisory.database_severity)
        if match.informational:
            # A RustSec notice (unmaintained, unsound, notice): tracked, never a CVE-grade block.
            level = Severity.LOW if match.informational == "unsound" else Severity.INFO
            rating = Rating(level, source=f"informational:{match.informational}")
        manifest = component.manifest or Location(path=component.purl)
        version = component.version or ""
        fixed = ", ".join(match.fixed)
        if match.fix:
            remediation = f"Upgrade {component.name} from {version} to {match.fix} or later."
        elif match.fixed:
            remediation = (
                f"No single version fixes every affected range; fixed versions: {fixed}. "
                "Upgrade to the newest of them that fits."
            )
        else:
            remediation = (
                f"No fixed version of {component.name} is published. Remove or replace the "
                "dependency, or document why the vulnerable code is unreachable (VEX)."
            )
        props: dict[str, str | None] = {
            "advisory_id": advisory.id,
            "installed_version": version,
            "fixed_versions": fixed or None,
            "fix": match.fix,
            "direct": None if component.direct is None else str(component.direct).lower(),
            "dependency_path": " > ".join(component.dependency_paths[0])
            if component.dependency_paths
            else None,
            "ecosystem": component.ecosystem,
            "severity_source": rating.source,
            "cvss_score": None if rating.score is None else f"{rating.score:.1f}",
            "cvss_vector": rating.vector,
            "published": advisory.published,
            "modified": advisory.modified,
            "notes": "; ".join(match.notes) or None,
            "informational": match.informational,
        }
        statement = _vex_for(vex, match)
        if statement is not None:
            props.update(statement.finding_properties())
        description = advisory.details or advisory.summary
        if len(description) > MAX_DESCRIPTION:
            description = description[: MAX_DESCRIPTION - 1] + "…"
        identifiers = tuple(sorted({advisory.id, *advisory.aliases}))
        summary = advisory.summary or advisory.id
        if match.informational:
            summary = f"[{match.informational}] {summary}"
        return Finding(
            kind=FindingKind.VULNERABILITY,
            rule_id=f"osv/{advisory.id}",
            title=f"{component.name} {version}: {summary}",
            severity=rating.severity,
            confidence=Confidence.HIGH,
            fingerprint=vulnerability_fingerprint(
                advisory_id=advisory.id,
                purl_without_version=component.purl_without_version,
                manifest_path=manifest.path,
            ),
            control_id=self.id,
            control_version=self.version,
            stage=self.stage,
            location=manifest if component.manifest else None,
            component=component,
            description=description,
            remediation=remediation,
            cwe=tuple(sorted(set(advisory.cwes))),
            identifiers=identifiers,
            references=tuple(dict.fromkeys(advisory.references))[:MAX_REFERENCES],
            properties=pairs({k: v for k, v in props.items() if v is not None}),
        )


def _severity_pairs(match: Match) -> list[tuple[str, str]]:
    """The advisory's CVSS vectors, then those given for this package only."""
    found = list(match.advisory.severity)
    for entry in match.advisory.affected:
        found.extend(entry.severity)
    return found


def _resolve(context: ScanContext, path: str) -> Path:
    candidate = Path(path).expanduser()
    if not candidate.is_absolute():
        candidate = (context.workspace.display_root or context.workspace.root) / candidate
    return candidate


def _open_database(options: Mapping[str, Any], context: ScanContext) -> Any:
    from lockgate.advisories.database import (
        AdvisoryDatabase,
        AdvisoryDataError,
        default_database_path,
    )

    configured = options.get("db")
    path = _resolve(context, str(configured)) if configured else default_database_path()
    try:
        database = AdvisoryDatabase(path)
        database.digest()
    except AdvisoryDataError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        raise ControlFailure(
            f"advisory database {path}: {exc.message}{hint}",
            kind=ErrorKind.DATA,
            detail=exc.hint or "",
        ) from None
    return database


def _load_vex(options: Mapping[str, Any], context: ScanContext) -> Sequence[VexStatement]:
    files = options.get("vex") or []
    if isinstance(files, str):
        files = [files]
    if not files:
        return ()
    from lockgate.advisories.vex import VexError, load_vex

    statements: list[VexStatement] = []
    for name in files:
        try:
            statements.extend(load_vex(_resolve(context, str(name))))
        except VexError as exc:
            raise ControlFailure(exc.diagnostics(), kind=ErrorKind.INPUT) from None
        except OSError as exc:
            raise ControlFailure(
                f"VEX file {name}: {exc.strerror or exc}", kind=ErrorKind.INPUT
            ) from None
    return statements


def _vex_for(statements: Sequence[VexStatement], match: Match) -> VexStatement | None:
    if not statements:
        return None
    from lockgate.advisories.vex import applicable

    ids = {match.advisory.id, *match.advisory.aliases}
    statement = applicable(statements, advisory_ids=ids, purl=match.component.purl)
    if statement is None or not statement.suppresses:
        return None
    return statement
