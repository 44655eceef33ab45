"""Check secret rule files while writing them: load, compile for hyperscan, run examples.

Usage: python scripts/check_secret_rules.py src/lockgate/scanners/secrets/rules/cloud.toml …
Prints every failing example; exits 1 if any failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lockgate.scanners.secrets.matcher import match_text
from lockgate.scanners.secrets.rules import RuleError, load_rules


def _hyperscan_problem(pattern: str) -> str | None:
    try:
        import hyperscan
    except ImportError:
        return None
    db = hyperscan.Database()
    flags = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_ALLOWEMPTY
    try:
        db.compile(expressions=[pattern.encode()], ids=[0], elements=1, flags=[flags])
    except hyperscan.error as exc:  # pragma: no cover - only when a rule is broken
        return str(exc)
    return None


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv]
    try:
        rules = load_rules(paths).rules
    except RuleError as exc:
        print(f"error: {exc}")
        return 1
    failures = 0
    for rule in rules:
        problem = _hyperscan_problem(rule.regex.pattern)
        if problem:
            print(f"{rule.id}: hyperscan cannot compile the regex: {problem}")
            failures += 1
        for ex in rule.example_positives:
            if not [m for m in match_text([rule], ex, rule.example_path) if m.rule is rule]:
                print(f"{rule.id}: positive NOT matched: {ex[:80]!r}")
                failures += 1
        for ex in rule.example_negatives:
            if [m for m in match_text([rule], ex, rule.example_path) if m.rule is rule]:
                print(f"{rule.id}: negative matched: {ex[:80]!r}")
                failures += 1
    print(f"{len(rules)} rules, {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
