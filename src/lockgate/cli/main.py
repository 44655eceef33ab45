"""``lockgate`` command line. Parsing is cheap; everything else is imported per command so
that ``lockgate --version`` and ``--help`` stay within the start-up budget."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from lockgate import __version__

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
STAGES = ("plan", "code", "build", "test", "release", "deploy", "operate")


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with lockgate's error format."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"lockgate: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print nothing but errors and explicitly requested outputs",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="more detail in outputs; tracebacks on internal errors",
    )


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        "-f",
        dest="formats",
        action="append",
        metavar="NAME[=PATH]",
        help="output format, repeatable: table, json, sarif, markdown, junit, "
        "cyclonedx, spdx; "
        "'=PATH' writes to a file (default: table on stdout)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file (default: "
        "lockgate.toml or [tool.lockgate] in pyproject.toml, searched upwards)",
    )
    parser.add_argument(
        "--branch", metavar="NAME", help="branch to decide for (default: from CI variables or git)"
    )
    parser.add_argument(
        "--baseline",
        metavar="REPORT.json",
        help="previous native JSON report: only findings absent from it block",
    )
    parser.add_argument(
        "--protected-branch",
        dest="protected_branches",
        action="append",
        metavar="PATTERN",
        help="protected branch pattern, repeatable (replaces the configured list)",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour in the table output",
    )


def _add_dependency_flags(scan: argparse.ArgumentParser) -> None:
    """``scan`` flags of the dependency controls."""
    scan.add_argument(
        "--db",
        metavar="PATH",
        help="advisory database for the dependency scan (default: the user cache)",
    )
    scan.add_argument(
        "--vex",
        action="append",
        metavar="FILE",
        help="CycloneDX VEX or OpenVEX file whose not_affected statements suppress "
        "vulnerability findings (repeatable)",
    )
    scan.add_argument(
        "--sbom",
        metavar="FILE",
        help="scan the components of an existing CycloneDX or SPDX SBOM instead of a tree",
    )


def _add_dependency_commands(sub: Any) -> None:
    """``db``, ``sbom`` and ``fix``."""
    db = sub.add_parser("db", help="manage the local OSV advisory database")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", parser_class=_Parser)
    db_sub.required = True
    db_import = db_sub.add_parser(
        "import", help="import OSV advisories from a directory or zip (JSON or YAML)"
    )
    db_import.add_argument("source", help="directory (searched recursively) or .zip file")
    db_update = db_sub.add_parser(
        "update", help="download the OSV all.zip of each ecosystem (conditional, atomic)"
    )
    db_update.add_argument(
        "--ecosystem",
        dest="ecosystems",
        type=_csv,
        action="extend",
        metavar="NAME,…",
        help="ecosystems to download (default: every supported one)",
    )
    db_update.add_argument(
        "--url", metavar="URL", help="base URL of the OSV bucket (default: the public one)"
    )
    db_sub.add_parser("status", help="sources, counts, last update and digest")
    for action in (db_import, db_update, db_sub.choices["status"]):
        action.add_argument(
            "--db", metavar="PATH", help="database file (default: the user cache directory)"
        )
        _add_common(action)

    sbom = sub.add_parser("sbom", help="write a CycloneDX 1.6 or SPDX 2.3 SBOM of a directory")
    sbom.add_argument("path", nargs="?", default=".", help="directory (default: .)")
    sbom.add_argument(
        "--format",
        "-f",
        dest="sbom_format",
        choices=("cyclonedx", "spdx"),
        default="cyclonedx",
        help="SBOM standard (default: cyclonedx)",
    )
    sbom.add_argument("--output", "-o", metavar="FILE", help="write to FILE (default: stdout)")
    sbom.add_argument("--config", metavar="FILE", help="configuration file")
    _add_common(sbom)

    fix = sub.add_parser(
        "fix", help="move vulnerable pins to the smallest fixed version (prints a diff)"
    )
    fix.add_argument("path", nargs="?", default=".", help="directory (default: .)")
    fix.add_argument("--apply", action="store_true", help="write the changes instead of printing")
    fix.add_argument("--db", metavar="PATH", help="advisory database (default: the user cache)")
    fix.add_argument("--config", metavar="FILE", help="configuration file")
    _add_common(fix)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used to document the CLI)."""
    parser = _Parser(
        prog="lockgate", description="Scan every stage of a change, gate it, prove and measure it."
    )
    parser.add_argument("--version", action="version", version=f"lockgate {__version__}")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=False,
        help="print nothing but errors and explicitly requested outputs",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=False,
        help="more detail in outputs; tracebacks on internal errors",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    scan = sub.add_parser("scan", help="scan a repository or directory and apply the gate")
    scan.add_argument("path", nargs="?", default=".", help="directory or file (default: .)")
    what = scan.add_mutually_exclusive_group()
    what.add_argument(
        "--staged", action="store_true", help="scan the staged changes (the index), for pre-commit"
    )
    what.add_argument(
        "--since",
        metavar="REF",
        help="scan changes since the merge base with REF; findings that already "
        "existed there do not block",
    )
    scan.add_argument(
        "--stage",
        dest="stages",
        type=_csv,
        action="extend",
        metavar="STAGE,…",
        help=f"stages to run ({', '.join(STAGES)})",
    )
    scan.add_argument(
        "--only", type=_csv, action="extend", metavar="CONTROL,…", help="run only these controls"
    )
    scan.add_argument(
        "--skip", type=_csv, action="extend", metavar="CONTROL,…", help="do not run these controls"
    )
    scan.add_argument(
        "--fail-fast",
        action="store_true",
        default=None,
        help="stop after the first stage whose gate fails",
    )
    scan.add_argument("--workers", type=int, metavar="N", help="controls run in parallel")
    scan.add_argument("--timeout", type=float, metavar="SECONDS", help="per-control timeout")
    scan.add_argument(
        "--max-file-size",
        type=int,
        metavar="BYTES",
        help="skip (and report) files larger than this",
    )
    scan.add_argument(
        "--history",
        action="store_true",
        help="secrets: also scan every blob of the git history (each once)",
    )
    scan.add_argument(
        "--all-refs",
        action="store_true",
        help="with --history: every branch and tag, not only HEAD",
    )
    _add_dependency_flags(scan)
    scan.add_argument("--no-progress", action="store_true", help="never draw progress")
    _add_output(scan)
    _add_common(scan)

    gate = sub.add_parser(
        "gate", help="decide again on a stored report (another branch, policy or baseline)"
    )
    gate.add_argument(
        "--report",
        required=True,
        metavar="REPORT.json",
        help="native JSON report written by 'lockgate scan --format json=FILE'",
    )
    _add_output(gate)
    _add_common(gate)

    init = sub.add_parser(
        "init", help="write lockgate.toml, SECURITY.md, pre-commit and CI configuration"
    )
    init.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    _add_common(init)

    controls = sub.add_parser("controls", help="list the installed controls")
    controls.add_argument("--json", action="store_true", help="machine-readable output")
    _add_common(controls)

    _add_dependency_commands(sub)

    imp = sub.add_parser(
        "import",
        help="turn other tools' reports into lockgate findings, gate and render them",
    )
    imp.add_argument("reports", nargs="+", metavar="FILE", help="report file(s) to import")
    imp.add_argument(
        "--tool",
        metavar="NAME",
        help="the report's tool (default: detected): sarif, semgrep, bandit, gitleaks, "
        "trufflehog, trivy, grype, checkov, osv-scanner, zap, snyk, cyclonedx",
    )
    imp.add_argument(
        "--base",
        metavar="DIR",
        help="root of the scanned tree: absolute paths under it become relative "
        "(default: the current directory)",
    )
    _add_output(imp)
    _add_common(imp)

    explain = sub.add_parser("explain", help="explain a rule: what it finds and how to fix it")
    explain.add_argument("rule", help="rule id, e.g. secrets/aws-access-key-id")
    _add_common(explain)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    verbose = bool(getattr(args, "verbose", False))
    try:
        from lockgate.cli import commands

        return commands.dispatch(args)
    except KeyboardInterrupt:
        sys.stderr.write("lockgate: interrupted\n")
        return 130
    except Exception as exc:
        return _report_error(exc, verbose=verbose)


def _report_error(exc: Exception, *, verbose: bool) -> int:
    from lockgate.errors import LockgateError

    if isinstance(exc, LockgateError):
        sys.stderr.write(f"lockgate: error: {exc.diagnostics()}\n")
        code = exc.exit_code
    else:
        sys.stderr.write(f"lockgate: internal error: {type(exc).__name__}: {exc}\n")
        code = EXIT_INTERNAL
        if not verbose:
            sys.stderr.write("  run again with --verbose for the traceback, and please report it\n")
    if verbose:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
