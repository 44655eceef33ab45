"""One function per subcommand: build the request, call the service, render, exit code."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

from lockgate.cli.outputs import parse_formats, use_color, write_outputs
from lockgate.config import Settings, load_settings
from lockgate.engine.registry import ControlRegistry, ReporterRegistry
from lockgate.model import Decision, Verdict

_VERDICT_LINE = {
    Verdict.PASS: "lockgate: gate passed",
    Verdict.WARN: "lockgate: gate passed with warnings",
    Verdict.FAIL: "lockgate: gate BLOCKED",
}


def dispatch(args: argparse.Namespace) -> int:
    """Run the subcommand named in ``args``."""
    handler = {
        "scan": scan,
        "gate": gate,
        "init": init,
        "controls": controls,
        "explain": explain,
        "db": db,
        "sbom": sbom,
        "fix": fix,
        "import": import_reports,
    }[args.command]
    return handler(args)


def _settings(args: argparse.Namespace, start: Path, flags: dict[str, Any]) -> Settings:
    config = Path(args.config) if getattr(args, "config", None) else None
    if getattr(args, "protected_branches", None):
        flags["gate.protected_branches"] = args.protected_branches
    return load_settings(start, env=os.environ, flags=flags, config_file=config)


def _verdict_summary(decision: Decision) -> str:
    blocking = sum(1 for r in decision.all_reasons if r.verdict is Verdict.FAIL)
    warnings = sum(1 for r in decision.all_reasons if r.verdict is Verdict.WARN)
    branch = decision.branch or "unknown branch"
    kind = "protected branch" if decision.protected else "branch"
    return (
        f"{_VERDICT_LINE[decision.verdict]} on {kind} {branch} "
        f"({blocking} blocking, {warnings} warning reason(s))"
    )


def _emit(args: argparse.Namespace, settings: Settings, report: Any, decision: Decision) -> None:
    reporters = ReporterRegistry.from_entry_points()
    explicit = args.formats is not None
    specs = parse_formats(args.formats if explicit else list(settings["output.formats"]), reporters)
    quiet = bool(args.quiet)
    if quiet and not explicit and decision.verdict is not Verdict.FAIL:
        specs = [s for s in specs if s.path is not None]
    write_outputs(
        specs, reporters, report, decision, color=use_color(args.color), verbose=bool(args.verbose)
    )
    stdout_machine = any(s.path is None and s.name != "table" for s in specs)
    loud = not quiet or decision.verdict is Verdict.FAIL
    if loud and (stdout_machine or not sys.stdout.isatty()):
        sys.stderr.write(_verdict_summary(decision) + "\n")
    for spec in specs:
        if spec.path is not None and not quiet:
            sys.stderr.write(f"lockgate: wrote {spec.name} to {spec.path}\n")


def scan(args: argparse.Namespace) -> int:
    """``lockgate scan``: scan, gate, render; exit 1 when the gate blocks."""
    from lockgate.services.scan import Scanner, ScanRequest

    flags: dict[str, Any] = {
        "scan.stages": args.stages,
        "scan.only": args.only,
        "scan.skip": args.skip,
        "scan.fail_fast": args.fail_fast,
        "scan.workers": args.workers,
        "scan.timeout": args.timeout,
        "scan.max_file_size": args.max_file_size,
    }
    path = Path(args.sbom) if args.sbom else Path(args.path)
    if args.sbom and args.only is None:
        flags["scan.only"] = ["sca", "licenses"]
    settings = _settings(args, path if path.is_dir() else Path.cwd(), flags)
    dependency_options = {
        key: value
        for key, value in (
            ("db", str(Path(args.db).resolve()) if args.db else None),
            ("vex", [str(Path(v).resolve()) for v in args.vex] if args.vex else None),
            ("sbom", str(Path(args.sbom).resolve()) if args.sbom else None),
        )
        if value is not None
    }
    if dependency_options:
        controls = dict(settings.controls)
        controls["sca"] = {**controls.get("sca", {}), **dependency_options}
        if args.sbom:
            controls["licenses"] = {
                **controls.get("licenses", {}),
                "sbom": dependency_options["sbom"],
            }
        settings = dataclasses.replace(settings, controls=controls)
    if args.history or args.all_refs:
        secrets = {
            **settings.controls.get("secrets", {}),
            "history": True,
            "all_refs": bool(args.all_refs),
        }
        settings = dataclasses.replace(settings, controls={**settings.controls, "secrets": secrets})
    scanner = Scanner(settings=settings, registry=ControlRegistry.from_entry_points())
    request = ScanRequest(
        path=path,
        staged=args.staged,
        since=args.since,
        branch=args.branch,
        baseline=Path(args.baseline) if args.baseline else None,
    )
    show_progress = sys.stderr.isatty() and not args.quiet and not args.no_progress
    if show_progress:
        from lockgate.cli.progress import RichProgress

        progress: Any = RichProgress()
    else:
        progress = contextlib.nullcontext()
    with progress as observer:
        outcome = scanner.scan(request, observer=observer)
    _emit(args, settings, outcome.report, outcome.decision)
    if outcome.stopped_after is not None and not args.quiet:
        sys.stderr.write(f"lockgate: --fail-fast stopped after the {outcome.stopped_after} stage\n")
    return outcome.decision.exit_code


def gate(args: argparse.Namespace) -> int:
    """``lockgate gate``: decide again on a stored report."""
    from lockgate.services.scan import regate

    settings = _settings(args, Path.cwd(), {})
    report, decision, _ = regate(
        Path(args.report),
        settings=settings,
        env=os.environ,
        branch=args.branch,
        baseline=Path(args.baseline) if args.baseline else None,
    )
    _emit(args, settings, report, decision)
    return decision.exit_code


def init(args: argparse.Namespace) -> int:
    """``lockgate init``: write configuration, policy and CI files."""
    from lockgate.services.init import init_project

    for result in init_project(Path(args.path), force=args.force):
        if not args.quiet:
            detail = f" ({result.detail})" if result.detail else ""
            sys.stdout.write(f"{result.action:>11}  {result.path}{detail}\n")
    return 0


def controls(args: argparse.Namespace) -> int:
    """``lockgate controls``: the installed controls in pipeline order."""
    from lockgate.services.catalog import list_controls

    items = list_controls(ControlRegistry.from_entry_points())
    if args.json:
        sys.stdout.write(
            json.dumps(
                [
                    {
                        "id": c.id,
                        "version": c.version,
                        "stage": str(c.stage),
                        "kind": c.kind,
                        "title": c.title,
                        "rules": c.rules,
                    }
                    for c in items
                ],
                indent=2,
            )
            + "\n"
        )
        return 0
    if not items:
        sys.stdout.write("no controls installed\n")
        return 0
    width = max(len(c.id) for c in items)
    for c in items:
        sys.stdout.write(
            f"{c.stage!s:<8} {c.id:<{width}}  v{c.version:<8} {c.rules:>4} rules  {c.title}\n"
        )
    return 0


def explain(args: argparse.Namespace) -> int:
    """``lockgate explain RULE``: documentation of one rule."""
    from lockgate.services.catalog import explain as find

    control_id, rule = find(ControlRegistry.from_entry_points(), args.rule)
    lines = [
        f"{rule.rule_id} — {rule.title}",
        f"  severity: {rule.severity}   kind: {rule.kind}   control: {control_id}",
    ]
    if rule.cwe:
        lines.append(f"  weakness: {', '.join(rule.cwe)}")
    if rule.aliases:
        lines.append(f"  also known as: {', '.join(rule.aliases)}")
    if rule.description:
        lines += ["", rule.description]
    if rule.remediation:
        lines += ["", "How to fix:", f"  {rule.remediation}"]
    if rule.references:
        lines += ["", "References:", *(f"  {r}" for r in rule.references)]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def db(args: argparse.Namespace) -> int:
    """``lockgate db import|update|status``: the local OSV advisory database."""
    from lockgate.services import advisories

    db_path = Path(args.db) if args.db else None
    if args.db_command == "import":
        stats = advisories.import_advisories(Path(args.source), db_path)
        if not args.quiet:
            sys.stdout.write(advisories.render_import(stats) + "\n")
        return 0
    if args.db_command == "update":
        result = advisories.update_advisories(
            db_path, ecosystems=args.ecosystems or None, base_url=args.url
        )
        if not args.quiet:
            sys.stdout.write(advisories.render_update(result) + "\n")
        return 0
    status = advisories.database_status(db_path)
    sys.stdout.write(advisories.render_status(status) + "\n")
    return 0


def sbom(args: argparse.Namespace) -> int:
    """``lockgate sbom [PATH]``: a CycloneDX or SPDX SBOM of a directory."""
    from lockgate.cli.outputs import write_text
    from lockgate.services.dependencies import inventory_report, render_sbom

    path = Path(args.path)
    settings = _settings(args, path if path.is_dir() else Path.cwd(), {})
    built = inventory_report(path, settings=settings, env=os.environ)
    text = render_sbom(built.report, args.sbom_format)
    write_text(text, Path(args.output) if args.output else None)
    if args.output and not args.quiet:
        sys.stderr.write(
            f"lockgate: wrote {args.sbom_format} SBOM with {len(built.components)} "
            f"component(s) to {args.output}\n"
        )
    for result in built.report.results:
        for error in result.errors:
            where = f"{error.path}:{error.line}" if error.line else error.path
            sys.stderr.write(f"lockgate: warning: {where}: {error.message}\n")
    return 0


def fix(args: argparse.Namespace) -> int:
    """``lockgate fix [PATH]``: print (or apply) the pin upgrades that fix advisories."""
    from lockgate.services.dependencies import apply_fixes, plan_fixes

    path = Path(args.path)
    settings = _settings(args, path if path.is_dir() else Path.cwd(), {})
    plan = plan_fixes(path, settings=settings, db_path=Path(args.db) if args.db else None)
    if args.apply:
        for written in apply_fixes(plan):
            sys.stderr.write(f"lockgate: updated {written}\n")
    else:
        sys.stdout.write(plan.diff())
    for note in plan.notes:
        sys.stderr.write(f"lockgate: note: {note}\n")
    if not plan.upgrades and not args.quiet:
        sys.stderr.write("lockgate: no vulnerable dependency found\n")
    return 0


def import_reports(args: argparse.Namespace) -> int:
    """``lockgate import FILE…``: other tools' findings through lockgate's gate and outputs."""
    from lockgate.services.importing import import_and_gate

    settings = _settings(args, Path.cwd(), {})
    report, decision, _ = import_and_gate(
        [Path(p) for p in args.reports],
        tool=args.tool,
        base=Path(args.base).resolve() if args.base else Path.cwd(),
        settings=settings,
        env=os.environ,
        branch=args.branch,
        baseline=Path(args.baseline) if args.baseline else None,
    )
    _emit(args, settings, report, decision)
    return decision.exit_code
