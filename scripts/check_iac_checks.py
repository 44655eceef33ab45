"""Validate IaC check files and run every example: each check compiles, has at least one
failing and one passing example, and every example gives the expected verdict.

Run: ``.venv/bin/python scripts/check_iac_checks.py [FILE.yaml …]`` (default: the built-in
checks). Exit status 1 when anything is wrong; each problem names the check.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lockgate.scanners.iac.checks import BUILTIN_DIR, CheckError, load_check_files
from lockgate.scanners.iac.engine import example_problems


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted(BUILTIN_DIR.glob("*.yaml"))
    try:
        check_set = load_check_files(files)
    except CheckError as exc:
        print(exc.diagnostics())
        return 1
    problems = 0
    for check in check_set.checks:
        for problem in example_problems(check):
            print(problem)
            problems += 1
    by_domain: dict[str, int] = {}
    for check in check_set.checks:
        domain = check.id.split("-")[1]
        by_domain[domain] = by_domain.get(domain, 0) + 1
    counts = ", ".join(f"{d} {n}" for d, n in sorted(by_domain.items()))
    print(f"{len(check_set.checks)} checks ({counts}), {problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
