"""The import use-case: another tool's report becomes a lockgate report, judged by the same
gate and rendered by the same outputs (``lockgate import FILE [--tool NAME]``)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from lockgate import __version__
from lockgate.config import Settings
from lockgate.model import ControlResult, Decision, ScanReport, Stage, TargetRef
from lockgate.model.fingerprint import DEFAULT_SECRET_HASH_KEY
from lockgate.policy.branch import BranchInfo, detect_branch
from lockgate.policy.gate import Gate
from lockgate.services.scan import SECRET_HASH_KEY_ENV, gate_context, load_baseline


def imported_report(
    paths: Sequence[Path],
    *,
    tool: str | None,
    base: Path | None,
    env: Mapping[str, str],
    now: dt.datetime | None = None,
) -> ScanReport:
    """One report holding the findings of every imported file (one control per file)."""
    from lockgate.importers.registry import load_report

    key = env.get(SECRET_HASH_KEY_ENV)
    results: list[ControlResult] = []
    tools = []
    for path in paths:
        imported = load_report(
            path,
            tool,
            base=base,
            secret_hash_key=key.encode() if key else DEFAULT_SECRET_HASH_KEY,
        )
        tools.append(imported.source_tool or imported.tool)
        results.extend(imported.control_results())
    when = (now or dt.datetime.now(tz=dt.UTC)).replace(microsecond=0)
    stages = tuple(sorted({r.stage for r in results}, key=lambda s: s.order)) or (Stage.CODE,)
    name = base.name if base else Path(os.getcwd()).name
    return ScanReport(
        run_id=str(uuid.uuid4()),
        tool_version=__version__,
        target=TargetRef(kind="import", name=f"{name} ({', '.join(dict.fromkeys(tools))})"),
        started_at=when,
        finished_at=when,
        stages=stages,
        results=tuple(results),
    )


def import_and_gate(
    paths: Sequence[Path],
    *,
    tool: str | None,
    base: Path | None,
    settings: Settings,
    env: Mapping[str, str],
    branch: str | None,
    baseline: Path | None,
) -> tuple[ScanReport, Decision, BranchInfo]:
    """Import the reports and decide on them with the configured gate."""
    report = imported_report(paths, tool=tool, base=base, env=env)
    info = detect_branch(env, override=branch, git_branch=None)
    fingerprints, label = load_baseline(baseline) if baseline else (None, None)
    context = gate_context(
        settings,
        branch=info,
        baseline=fingerprints,
        baseline_label=label,
        repository=None,
        full_scan=False,
    )
    return report, Gate(context).decide(report), info
