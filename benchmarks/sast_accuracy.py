"""SAST accuracy (issue 6).

1. Our own corpus with expected findings: the rule pack's annotated fixtures
   (``# ruleid:`` / ``# ok:``) run through ``semgrep --test``; prints passed/failed per
   language.
2. Differentially on ``../shared/datasets/sast/vulpy``: ``bad/`` is the insecure Flask app,
   ``good/`` the hardened one. The SAST control (semgrep with lockgate's pack, and bandit,
   deduplicated) scans both; per vulnerability class (CWE) it prints the findings in
   ``bad/`` versus ``good/``, split by engine (a finding both engines report counts once in
   the total and once under each engine), then the totals of distinct findings, then
   whether each vulnerability class vulpy's README documents for ``bad/`` was found. The
   aim: every documented class found in ``bad/``, only a handful of findings in ``good/``.

``--list`` also prints every finding in ``good/`` (path, line, rule), for review.

Run: ``.venv/bin/python benchmarks/sast_accuracy.py [--list]``. Exit status 1 when a
documented class that static analysis can see is not found in ``bad/``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lockgate.model import Finding
from lockgate.scanners.interface import ScanContext
from lockgate.scanners.sast._rulepack import PACK_DIR
from lockgate.scanners.sast.control import SastControl
from lockgate.sources.filesystem import FilesystemSource

ROOT = Path(__file__).resolve().parents[1]
VULPY = ROOT.parent / "shared" / "datasets" / "sast" / "vulpy"
SEMGREP = Path(sys.executable).with_name("semgrep")
NO_CWE = "(no CWE)"

CLASS_NAMES = {
    "CWE-78": "OS command injection",
    "CWE-79": "cross-site scripting",
    "CWE-89": "SQL injection",
    "CWE-155": "wildcard injection (glob)",
    "CWE-215": "debug information exposure",
    "CWE-259": "hard-coded password",
    "CWE-321": "hard-coded cryptographic key",
    "CWE-327": "broken cryptographic algorithm",
    "CWE-328": "weak hash",
    "CWE-330": "insufficiently random values",
    "CWE-338": "weak PRNG for security",
    "CWE-352": "cross-site request forgery",
    "CWE-377": "insecure temporary file",
    "CWE-400": "uncontrolled resource consumption",
    "CWE-489": "active debug code",
    "CWE-502": "deserialization of untrusted data",
    "CWE-565": "cookie trusted without integrity check",
    "CWE-614": "cookie without Secure",
    "CWE-703": "exception silently swallowed",
    "CWE-798": "hard-coded credentials",
    "CWE-915": "mass assignment",
    "CWE-1004": "cookie without HttpOnly",
    "CWE-1275": "cookie without SameSite",
}


@dataclass(frozen=True)
class DocumentedClass:
    """A vulnerability class vulpy's README lists for ``bad/``, and the CWEs that show it."""

    name: str
    cwes: tuple[str, ...]
    static: bool = True
    """False when no static analysis of the code can show it (a missing runtime control)."""
    note: str = ""


DOCUMENTED = (
    DocumentedClass("Cross-Site Scripting (XSS)", ("CWE-79",)),
    DocumentedClass("SQL Injection", ("CWE-89",)),
    DocumentedClass("Cross Site Request Forgery (CSRF)", ("CWE-352",)),
    DocumentedClass("Session Impersonation", ("CWE-565",)),
    DocumentedClass("Insecure Deserialization", ("CWE-502", "CWE-565")),
    DocumentedClass(
        "Authentication Bruteforce",
        ("CWE-307",),
        static=False,
        note="no lockout/rate limit: absent code, left to DAST and tests",
    ),
    DocumentedClass("Authentication Bypass", ("CWE-155", "CWE-915")),
)


def corpus() -> None:
    print("own corpus (semgrep --test on the rule pack fixtures):")
    for language in sorted(p.name for p in PACK_DIR.iterdir() if p.is_dir()):
        done = subprocess.run(
            [str(SEMGREP), "--test", "--metrics=off", str(PACK_DIR / language)],
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        lines = (done.stdout + done.stderr).splitlines()
        summary = [ln.strip() for ln in lines if "passed" in ln or "failed" in ln.lower()]
        print(f"  {language:<11} exit {done.returncode}: {' | '.join(summary[-3:]) or '-'}")


def scan(directory: Path) -> tuple[Finding, ...]:
    """The SAST control's findings (both engines, deduplicated) on one directory."""
    control = SastControl()
    with FilesystemSource(directory, use_gitignore=False).open() as workspace:
        files = tuple(f for f in workspace.files if control.applies_to(f.path, f))
        context = ScanContext(
            workspace=workspace, files=files, options={}, cancel=threading.Event()
        )
        out = control.scan(context)
    if out.errors:
        for error in out.errors:
            print(f"  error in {directory.name}/: {error}")
    return tuple(out.findings)


def engines_of(finding: Finding) -> set[str]:
    return set((finding.prop("engine") or "").split("+")) - {""}


@dataclass
class Tally:
    """Findings per class of one side (bad/ or good/), overall and per engine."""

    total: Counter[str]
    pack: Counter[str]
    bandit: Counter[str]
    distinct: int
    distinct_pack: int
    distinct_bandit: int

    @classmethod
    def of(cls, findings: Sequence[Finding]) -> Tally:
        total: Counter[str] = Counter()
        pack: Counter[str] = Counter()
        bandit: Counter[str] = Counter()
        for finding in findings:
            engines = engines_of(finding)
            for cwe in finding.cwe or (NO_CWE,):
                total[cwe] += 1
                pack[cwe] += "semgrep" in engines
                bandit[cwe] += "bandit" in engines
        return cls(
            total=total,
            pack=pack,
            bandit=bandit,
            distinct=len(findings),
            distinct_pack=sum("semgrep" in engines_of(f) for f in findings),
            distinct_bandit=sum("bandit" in engines_of(f) for f in findings),
        )


def _cwe_key(cwe: str) -> tuple[int, str]:
    digits = cwe.removeprefix("CWE-")
    return (int(digits), cwe) if digits.isdigit() else (10**9, cwe)


def print_table(bad: Tally, good: Tally) -> None:
    print("vulpy, findings per class in bad/ vs good/ (a finding with two CWEs counts in both):")
    header = f"  {'class':<48} {'bad':>4} {'good':>5}   {'pack bad/good':>13}   bandit bad/good"
    print(header)
    print("  " + "-" * (len(header) - 2))
    for cwe in sorted(set(bad.total) | set(good.total), key=_cwe_key):
        label = f"{cwe} {CLASS_NAMES.get(cwe, '')}".strip()
        print(
            f"  {label:<48} {bad.total[cwe]:>4} {good.total[cwe]:>5}   "
            f"{bad.pack[cwe]:>6} /{good.pack[cwe]:>3}     "
            f"{bad.bandit[cwe]:>6} /{good.bandit[cwe]:>3}"
        )
    print("  " + "-" * (len(header) - 2))
    print(
        f"  {'distinct findings':<48} {bad.distinct:>4} {good.distinct:>5}   "
        f"{bad.distinct_pack:>6} /{good.distinct_pack:>3}     "
        f"{bad.distinct_bandit:>6} /{good.distinct_bandit:>3}"
    )


def print_documented(bad: Tally, good: Tally) -> list[str]:
    """Prints whether each README class was found; returns the statically visible misses."""
    print("vulpy README classes (bad/ must show them):")
    missing: list[str] = []
    for entry in DOCUMENTED:
        found = sum(bad.total[c] for c in entry.cwes)
        left = sum(good.total[c] for c in entry.cwes)
        if found:
            status = "found"
        elif entry.static:
            status = "MISSING"
            missing.append(entry.name)
        else:
            status = "not visible to SAST"
        cwes = ", ".join(entry.cwes)
        note = f"  ({entry.note})" if entry.note else ""
        print(f"  {entry.name:<36} {cwes:<18} bad {found:>2}  good {left:>2}  {status}{note}")
    return missing


def print_findings(side: str, findings: Sequence[Finding]) -> None:
    print(f"findings in {side}/:")
    for finding in sorted(findings, key=lambda f: (f.subject, f.rule_id)):
        engines = "+".join(sorted(engines_of(finding)))
        cwes = ",".join(finding.cwe) or NO_CWE
        print(f"  {finding.subject:<32} {finding.rule_id:<60} {cwes:<18} {engines}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print every finding in good/")
    args = parser.parse_args()
    corpus()
    if not VULPY.is_dir():
        print(f"vulpy not available under {VULPY}; differential part skipped")
        return 0
    bad_findings, good_findings = scan(VULPY / "bad"), scan(VULPY / "good")
    bad, good = Tally.of(bad_findings), Tally.of(good_findings)
    print_table(bad, good)
    missing = print_documented(bad, good)
    if args.list:
        print_findings("good", good_findings)
    if missing:
        print(f"documented classes not found in bad/: {', '.join(missing)}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
