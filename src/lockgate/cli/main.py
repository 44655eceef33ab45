"""``lockgate`` command line. Parsing is cheap; everything else is imported per command so
that ``lockgate --version`` and ``--help`` stay within the start-up budget."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

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
        help="output format, repeatable: table, json, sarif, markdown, junit; "
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
