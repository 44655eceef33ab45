"""Dependency use-cases: the SBOM of a target and ``lockgate fix``.

Both read the inventory of a directory without running the whole pipeline: an SBOM needs no
advisory data, and a fix needs only the vulnerability matches of the declared manifests.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lockgate import __version__
from lockgate.config import Settings
from lockgate.errors import InputError, UsageError
from lockgate.inventory.fixer import FileFix
from lockgate.model import (
    Component,
    ControlResult,
    ControlStatus,
    ScanReport,
    Stage,
    TargetRef,
)
from lockgate.services.scan import ScanRequest, open_workspace
from lockgate.sources.interface import Workspace

SBOM_FORMATS = ("cyclonedx", "spdx")


def report_time(env: Mapping[str, str]) -> dt.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise InputError(
                f"SOURCE_DATE_EPOCH must be a number of seconds, not {epoch!r}"
            ) from None
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


@dataclass(frozen=True, kw_only=True)
class InventoryReport:
    """The inventory of a target as a report (one ``inventory`` result), with its problems."""

    report: ScanReport
    components: tuple[Component, ...]


def inventory_report(
    path: Path, *, settings: Settings, env: Mapping[str, str], sbom: Path | None = None
) -> InventoryReport:
    """Read every manifest under ``path`` (or the given SBOM) into a report."""
    from lockgate.inventory.collect import collect_inventory, sbom_inventory

    when = report_time(env)
    if sbom is not None:
        inventory = sbom_inventory(sbom)
        target = TargetRef(kind="sbom", name=sbom.name)
    else:
        with open_workspace(ScanRequest(path=path), settings) as workspace:
            inventory = collect_inventory(workspace)
            target = workspace.target
    result = ControlResult(
        control_id="inventory",
        control_version="1.0.0",
        stage=Stage.BUILD,
        status=ControlStatus.OK,
        components=inventory.components,
        skipped=inventory.skipped,
        errors=inventory.errors,
        files_scanned=inventory.files_scanned,
    )
    seed = f"{target.kind}:{target.name}:{target.commit or ''}:{when.isoformat()}"
    report = ScanReport(
        run_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "lockgate:" + seed)),
        tool_version=__version__,
        target=target,
        started_at=when,
        finished_at=when,
        stages=(Stage.BUILD,),
        results=(result,),
        config_digest=settings.digest,
    )
    return InventoryReport(report=report, components=inventory.components)


def render_sbom(report: ScanReport, fmt: str) -> str:
    """The SBOM document of ``report`` in ``fmt`` (cyclonedx or spdx)."""
    from lockgate.engine.registry import ReporterRegistry
    from lockgate.reporters.interface import RenderOptions

    if fmt not in SBOM_FORMATS:
        raise UsageError(f"unknown SBOM format {fmt!r}; choose cyclonedx or spdx")
    reporter = ReporterRegistry.from_entry_points().get(fmt)
    return reporter.render(report, None, RenderOptions(tool_version=__version__))


# -- fix -------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Upgrade:
    """One vulnerable component and the smallest version that fixes all its advisories."""

    component: Component
    advisories: tuple[str, ...]
    version: str | None


@dataclass(frozen=True, kw_only=True)
class FixPlan:
    """What ``lockgate fix`` would change, and what it cannot."""

    root: Path
    """The directory the manifest paths are relative to (the repository root in git)."""
    fixes: tuple[FileFix, ...]
    upgrades: tuple[Upgrade, ...]
    notes: tuple[str, ...]

    def diff(self) -> str:
        return "".join(f.diff() for f in self.fixes)


def plan_fixes(path: Path, *, settings: Settings, db_path: Path | None) -> FixPlan:
    """Match the inventory of ``path`` and plan the pin moves in declared manifests."""
    from lockgate.advisories.database import AdvisoryDatabase, default_database_path
    from lockgate.inventory.collect import collect_inventory
    from lockgate.inventory.fixer import fixer_kind

    database = AdvisoryDatabase(db_path or default_database_path())
    with open_workspace(ScanRequest(path=path), settings) as workspace:
        inventory = collect_inventory(workspace)
        upgrades = _upgrades(inventory.components, database.advisories_for)
        targets = sorted(info.path for info in workspace.files if fixer_kind(info.path) is not None)
        handled: set[tuple[str, str]] = set()
        fixes = [
            fix
            for manifest in targets
            if (fix := _fix_manifest(workspace, manifest, upgrades, handled)) is not None
        ]
        root = workspace.root
    return FixPlan(
        root=root,
        fixes=tuple(fixes),
        upgrades=tuple(upgrades),
        notes=_notes(upgrades, fixes, handled),
    )


def _upgrades(components: tuple[Component, ...], lookup: Any) -> list[Upgrade]:
    """For each vulnerable PyPI/npm component, the smallest version fixing all advisories."""
    from lockgate.advisories.ranges import smallest_fix
    from lockgate.model.ecosystems import NPM, PYPI
    from lockgate.scanners.sca.matching import entries_for, match_component

    upgrades = []
    for component in components:
        if component.ecosystem not in (PYPI, NPM) or not component.version:
            continue
        matches, _ = match_component(component, lookup)
        if not matches:
            continue
        entries = [
            entry
            for match in matches
            for entry in entries_for(match.advisory, component.ecosystem, component.name)
        ]
        upgrades.append(
            Upgrade(
                component=component,
                advisories=tuple(sorted(m.advisory.id for m in matches)),
                version=smallest_fix(component.ecosystem, component.version, entries),
            )
        )
    return upgrades


def _fix_manifest(
    workspace: Workspace, manifest: str, upgrades: list[Upgrade], handled: set[tuple[str, str]]
) -> FileFix | None:
    """The rewrite of one declared manifest: pins of its own components, or of the lockfile
    components of its directory."""
    from lockgate.inventory.fixer import fix_text, fixer_kind
    from lockgate.model.ecosystems import NPM, PYPI, normalize_name

    directory = manifest.rpartition("/")[0]
    ecosystem = NPM if manifest.endswith("package.json") else PYPI
    wanted: dict[str, str] = {}
    for upgrade in upgrades:
        comp = upgrade.component
        comp_path = comp.manifest.path if comp.manifest else ""
        same_dir = comp_path.rpartition("/")[0] == directory and not fixer_kind(comp_path)
        if comp.ecosystem != ecosystem or upgrade.version is None:
            continue
        if comp_path == manifest or same_dir:
            wanted[normalize_name(ecosystem, comp.name)] = upgrade.version
            handled.add((comp.purl, comp_path))
    if not wanted:
        return None
    try:
        text = workspace.read_bytes(manifest).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", path=manifest) from None
    fix = fix_text(manifest, text, wanted)
    return fix if fix.edits or fix.unfixable else None


def _notes(
    upgrades: list[Upgrade], fixes: list[FileFix], handled: set[tuple[str, str]]
) -> tuple[str, ...]:
    notes = []
    for upgrade in upgrades:
        comp = upgrade.component
        where = comp.manifest.path if comp.manifest else comp.purl
        if upgrade.version is None:
            notes.append(
                f"{comp.name} {comp.version} ({where}): no published version fixes "
                f"{', '.join(upgrade.advisories)}"
            )
        elif (comp.purl, comp.manifest.path if comp.manifest else "") not in handled:
            kind = "transitive dependency" if comp.direct is False else "dependency"
            notes.append(
                f"{comp.name} {comp.version} ({where}): {kind} not pinned in a file lockgate "
                f"rewrites; upgrade it to {upgrade.version} (or the package that pulls it in)"
            )
    for fix in fixes:
        notes.extend(f"{u.path}:{u.line}: {u.name}: {u.reason}" for u in fix.unfixable)
    return tuple(notes)


def apply_fixes(plan: FixPlan) -> list[str]:
    """Write the planned files (atomically, one by one); the paths written."""
    import os
    import tempfile

    written = []
    for fix in plan.fixes:
        if fix.old_text == fix.new_text:
            continue
        target = plan.root / fix.path
        current = target.read_text(encoding="utf-8")
        if current != fix.old_text:
            raise InputError(
                "changed while lockgate fix was running; not written", path=str(target)
            )
        handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(fix.new_text)
        os.chmod(tmp, target.stat().st_mode & 0o7777)
        os.replace(tmp, target)
        written.append(fix.path)
    return written
