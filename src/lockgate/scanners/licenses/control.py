"""The build-stage license control: every dependency's license against the license policy.

Licenses come from the lockfiles and package metadata (normalised to SPDX expressions);
where a package installed in the workspace (``*.dist-info``, ``node_modules/<name>``)
declares none that lockgate recognises, its LICENSE file is read instead. One finding per
package and license: denied, outside the allow list, to review, or unrecognised. The policy
is ``[controls.licenses]`` (see :mod:`lockgate.scanners.licenses.policy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lockgate.inventory.catalog import parser_for
from lockgate.inventory.licenses import (
    NormalizedLicense,
    aliases_digest,
    is_license_file,
    known_license_ids,
    license_directory,
    license_files,
    normalize_license,
)
from lockgate.model import (
    Component,
    Confidence,
    ControlError,
    ErrorKind,
    Finding,
    FindingKind,
    RuleInfo,
    Severity,
    SkippedItem,
    SkipReason,
    Stage,
    pairs,
)
from lockgate.model.ecosystems import NPM
from lockgate.model.fingerprint import license_fingerprint
from lockgate.scanners.interface import BaseControl, ControlFailure, ControlOutput, ScanContext
from lockgate.scanners.licenses.categories import (
    LicenseCategory,
    category_table,
    expression_category,
)
from lockgate.scanners.licenses.policy import (
    OPTION_NAMES,
    Judgement,
    LicensePolicy,
    Outcome,
    PolicyOptionError,
)
from lockgate.sources.interface import FileInfo

MAX_LICENSE_FILE_BYTES = 256 * 1024
"""License texts are short; only this much of a LICENSE file is read."""
MAX_PROPERTY = 200

_RULES = {
    Outcome.DENIED: RuleInfo(
        rule_id="licenses/denied",
        title="A dependency is under a license the policy denies",
        severity=Severity.HIGH,
        kind=FindingKind.LICENSE,
        description="The license (or every license the package may be used under) matches "
        "an entry of [controls.licenses] deny or a category of deny_categories.",
        remediation="Replace the dependency with one under an acceptable license, or obtain "
        "other terms from its authors. If the use has been cleared, record an exception with "
        "the approver in .lockgate/exceptions.toml.",
    ),
    Outcome.NOT_ALLOWED: RuleInfo(
        rule_id="licenses/not-allowed",
        title="A dependency is under a license outside the allow list",
        severity=Severity.HIGH,
        kind=FindingKind.LICENSE,
        description="[controls.licenses] allow is set and no license the package may be used "
        "under is on it.",
        remediation="Replace the dependency, or have the license reviewed and add its SPDX "
        "id to [controls.licenses] allow.",
    ),
    Outcome.REVIEW: RuleInfo(
        rule_id="licenses/review",
        title="A dependency is under a license that needs review",
        severity=Severity.MEDIUM,
        kind=FindingKind.LICENSE,
        description="The license matches [controls.licenses] review or a category of "
        "review_categories (by default strong copyleft, network copyleft and proprietary "
        "terms), whose obligations depend on how the product is distributed or offered.",
        remediation="Check the license's obligations against how the product ships (linking, "
        "distribution, network use). Then allow it in [controls.licenses] or record an "
        "exception with the reviewer's name, or replace the dependency.",
    ),
    Outcome.UNKNOWN: RuleInfo(
        rule_id="licenses/unknown",
        title="A dependency declares a license lockgate does not recognise",
        severity=Severity.LOW,
        kind=FindingKind.LICENSE,
        description="The declared license is neither an SPDX id nor a known name, or its "
        "category is unknown, so the policy cannot judge it. The severity is "
        "[controls.licenses] unknown.",
        remediation="Read the package's license. Add its SPDX id (or the LicenseRef-… id "
        "shown) to [controls.licenses] allow, deny or review, or record an exception.",
    ),
}
_CATEGORY_TEXT = {
    LicenseCategory.PERMISSIVE: "Permissive licenses ask for notices to be kept.",
    LicenseCategory.WEAK_COPYLEFT: "Weak-copyleft licenses require changes to the licensed "
    "files or library to be shared under the same license.",
    LicenseCategory.STRONG_COPYLEFT: "Strong-copyleft licenses require a distributed work "
    "that includes or links the code to be released under the same license as a whole.",
    LicenseCategory.NETWORK_COPYLEFT: "Network-copyleft licenses extend strong copyleft to "
    "software offered to users over a network.",
    LicenseCategory.PROPRIETARY: "Proprietary, source-available and non-commercial terms "
    "grant no open-source license; using the package needs an agreement that allows it.",
    LicenseCategory.UNKNOWN: "What the license requires is not known to lockgate.",
}


class LicenseControl(BaseControl):
    """Checks every dependency's license against the allow, deny and review policy."""

    id = "licenses"
    version = "1.0.0"
    stage = Stage.BUILD
    kind = FindingKind.LICENSE
    title = "Licenses: dependency licenses against the license policy"
    needs_files = False  # ``scan --sbom`` reads the SBOM named in the options
    option_names = OPTION_NAMES

    def applies_to(self, path: str, info: FileInfo) -> bool:  # noqa: ARG002 - protocol
        return parser_for(path) is not None or is_license_file(path)

    def rules(self) -> Sequence[RuleInfo]:
        return tuple(_RULES.values())

    def scan(self, context: ScanContext) -> ControlOutput:
        from lockgate.inventory.collect import sbom_inventory, workspace_inventory

        try:
            policy = LicensePolicy.from_options(context.options)
        except PolicyOptionError as exc:
            raise ControlFailure(str(exc), kind=ErrorKind.INPUT) from None
        sbom = context.options.get("sbom")
        if sbom:
            inventory = sbom_inventory(Path(str(sbom)))
        elif not context.files:
            return ControlOutput()
        else:
            inventory = workspace_inventory(context.workspace)
        run = _Run(control=self, context=context, policy=policy)
        for component in inventory.components:
            context.check_cancelled()
            run.add(component)
        return ControlOutput(
            findings=run.findings(),
            skipped=run.skipped(),
            errors=run.errors,
            files_scanned=inventory.files_scanned + run.license_files_read,
            data_versions=pairs(
                {
                    "license-aliases": aliases_digest()[:16],
                    "license-categories": category_table().digest[:16],
                    "license-expression": _library_version(),
                }
            ),
        )


def _library_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("license-expression")
    except metadata.PackageNotFoundError:
        return "unknown"


def installed_directories(component: Component) -> tuple[str, ...]:
    """Where an installed copy of the component keeps its files, if it is installed in
    the workspace: the ``*.dist-info``/``*.egg-info`` directory its metadata was read from,
    or ``node_modules/<name>`` beside the npm lockfile that pins it."""
    if component.manifest is None:
        return ()
    directory, _, base = component.manifest.path.rpartition("/")
    parent = directory.rpartition("/")[2]
    if (base == "METADATA" and parent.endswith(".dist-info")) or (
        base == "PKG-INFO" and parent.endswith(".egg-info")
    ):
        return (directory,)
    if component.ecosystem == NPM:
        if base == "package.json" and "node_modules/" in f"{directory}/":
            return (directory,)
        prefix = f"{directory}/" if directory else ""
        return (f"{prefix}node_modules/{component.name}",)
    return ()


@dataclass(frozen=True, slots=True)
class _Hit:
    component: Component
    license: NormalizedLicense
    judgement: Judgement
    source: str


@dataclass
class _Run:
    """Per-run state of the license control (never stored on the control itself)."""

    control: LicenseControl
    context: ScanContext
    policy: LicensePolicy
    hits: dict[str, list[_Hit]] = field(default_factory=dict)
    missing: dict[str, set[str]] = field(default_factory=dict)
    licensed: set[str] = field(default_factory=set)
    errors: list[ControlError] = field(default_factory=list)
    license_files_read: int = 0
    _by_directory: dict[str, list[str]] | None = None
    _directory_license: dict[str, str | None] = field(default_factory=dict)

    # -- licenses of installed packages ----------------------------------------------
    def _license_paths(self) -> dict[str, list[str]]:
        if self._by_directory is None:
            self._by_directory = {}
            for info in self.context.workspace.files:
                if info.archive is None and is_license_file(info.path):
                    directory = license_directory(info.path)
                    self._by_directory.setdefault(directory, []).append(info.path)
        return self._by_directory

    def _read(self, path: str) -> str | None:
        try:
            with self.context.workspace.path_of(path).open("rb") as stream:
                data = stream.read(MAX_LICENSE_FILE_BYTES)
        except OSError as exc:
            self.errors.append(
                ControlError(
                    kind=ErrorKind.INPUT,
                    fatal=False,
                    path=path,
                    message=f"cannot read license file: {exc.strerror or exc}",
                )
            )
            return None
        self.license_files_read += 1
        return data.decode("utf-8", errors="replace")

    def directory_license(self, directory: str) -> str | None:
        """The SPDX expression of the license files in ``directory``, read once."""
        if directory not in self._directory_license:
            paths = self._license_paths().get(directory, [])
            found = license_files(paths, self._read) if paths else {}
            self._directory_license[directory] = found.get(directory)
        return self._directory_license[directory]

    # -- judging ---------------------------------------------------------------------
    def add(self, component: Component) -> None:
        normal = normalize_license(component.licenses) if component.licenses else None
        source = "declared"
        if normal is None or not normal.known:
            for directory in installed_directories(component):
                found = self.directory_license(directory)
                if found is not None:
                    normal, source = normalize_license(found), f"license file in {directory}/"
                    break
        manifest = component.manifest.path if component.manifest else "(unknown manifest)"
        if normal is None or normal.tree is None:
            self.missing.setdefault(manifest, set()).add(component.purl)
            return
        self.licensed.add(component.purl)
        judgement = self.policy.judge(normal.tree)
        if judgement.outcome is Outcome.OK:
            return
        if judgement.outcome is Outcome.UNKNOWN and self.policy.unknown is None:
            return
        fingerprint = license_fingerprint(
            purl_without_version=component.purl_without_version,
            license_id=normal.expression or "",
        )
        self.hits.setdefault(fingerprint, []).append(_Hit(component, normal, judgement, source))

    def skipped(self) -> list[SkippedItem]:
        """One item per manifest whose components carry no license data at all."""
        out = []
        for manifest, purls in sorted(self.missing.items()):
            unlicensed = purls - self.licensed
            if unlicensed:
                out.append(
                    SkippedItem(
                        path=manifest,
                        reason=SkipReason.OTHER,
                        detail=f"{len(unlicensed)} component(s) without license data in this "
                        "manifest; their licenses were not checked",
                    )
                )
        return out

    def findings(self) -> list[Finding]:
        return [self._finding(fp, hits) for fp, hits in sorted(self.hits.items())]

    def _finding(self, fingerprint: str, hits: list[_Hit]) -> Finding:
        hits = sorted(
            hits,
            key=lambda h: (h.component.manifest.path if h.component.manifest else "", h.component),
        )
        first = hits[0]
        comp, normal, judgement = first.component, first.license, first.judgement
        rule = _RULES[judgement.outcome]
        expression = normal.expression or ""
        category = expression_category(normal.tree) if normal.tree else LicenseCategory.UNKNOWN
        package = f"{comp.name} {comp.version}" if comp.version else comp.name
        versions = sorted({h.component.version for h in hits if h.component.version})
        manifests = sorted(
            {h.component.manifest.path for h in hits[1:] if h.component.manifest}
            - {comp.manifest.path if comp.manifest else ""}
        )
        raw = comp.licenses or ""
        description = [f"{package} ({comp.purl}) is licensed under {expression}."]
        if normal.approximate:
            description.append(
                f"The declared name {raw!r} does not say which version or variant; "
                "lockgate read it as the most common one."
            )
        description.append(judgement.reason[0].upper() + judgement.reason[1:] + ".")
        description.append(_CATEGORY_TEXT[judgement.category])
        known = known_license_ids()
        return Finding(
            kind=FindingKind.LICENSE,
            rule_id=rule.rule_id,
            title=_title(judgement.outcome, package, normal, category),
            severity=(
                self.policy.unknown or rule.severity
                if judgement.outcome is Outcome.UNKNOWN
                else rule.severity
            ),
            confidence=(
                Confidence.MEDIUM
                if normal.approximate or normal.from_text or first.source != "declared"
                else Confidence.HIGH
            ),
            fingerprint=fingerprint,
            control_id=self.control.id,
            control_version=self.control.version,
            stage=self.control.stage,
            location=comp.manifest,
            component=comp,
            description=" ".join(description),
            remediation=rule.remediation,
            references=tuple(
                dict.fromkeys(
                    f"https://spdx.org/licenses/{t.license}.html"
                    for t in judgement.terms
                    if t.license in known
                )
            ),
            properties=pairs(
                {
                    "license": expression,
                    "category": str(category),
                    "judged_on": " AND ".join(str(t) for t in judgement.terms),
                    "reason": judgement.reason,
                    "license_source": first.source,
                    "raw_license": raw[:MAX_PROPERTY] or None,
                    "approximate": "true" if normal.approximate else None,
                    "unrecognised": "; ".join(normal.unknown)[:MAX_PROPERTY] or None,
                    "versions": ", ".join(versions) if len(versions) > 1 else None,
                    "also_in": ", ".join(manifests) or None,
                }
            ),
        )


def _title(
    outcome: Outcome, package: str, normal: NormalizedLicense, category: LicenseCategory
) -> str:
    expression = normal.expression or ""
    if outcome is Outcome.DENIED:
        return f"{package} is licensed under {expression}, which the license policy denies"
    if outcome is Outcome.NOT_ALLOWED:
        return f"{package} is licensed under {expression}, which is not on the allow list"
    if outcome is Outcome.REVIEW:
        return f"{package} is licensed under {expression} ({category}), which needs review"
    if normal.unknown:
        shown = normal.raw.strip().splitlines()[0][:80]
        return f"{package} declares a license lockgate does not recognise: {shown!r}"
    return f"{package} is licensed under {expression}, whose category lockgate does not know"
