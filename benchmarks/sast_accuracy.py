"""SAST accuracy (issue 6).

1. Our own corpus with expected findings: the rule pack's annotated fixtures
   (``# ruleid:`` / ``# ok:``) run through ``semgrep --test``; prints passed/failed per
   language.
2. Differentially on ``../shared/datasets/sast/vulpy``: ``bad/`` is the insecure Flask app,
   ``good/`` the hardened one. The SAST control (semgrep with lockgate's pack, and bandit,
   deduplicated) scans both; per vulnerability class (CWE) it prints the findings in
   ``bad/`` versus ``good/``. The aim: every documented class found in ``bad/``, only a
   handful of findings in ``good/``.

Run: ``.venv/bin/python benchmarks/sast_accuracy.py``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from lockgate.scanners.interface import ScanContext
from lockgate.scanners.sast._rulepack import PACK_DIR
from lockgate.scanners.sast.control import SastControl
from lockgate.sources.filesystem import FilesystemSource

ROOT = Path(__file__).resolve().parents[1]
VULPY = ROOT.parent / "shared" / "datasets" / "sast" / "vulpy"
SEMGREP = Path(sys.executable).with_name("semgrep")


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


def scan(directory: Path) -> Counter[str]:
    control = SastControl()
    with FilesystemSource(directory, use_gitignore=False).open() as workspace:
        files = tuple(f for f in workspace.files if control.applies_to(f.path, f))
        context = ScanContext(
            workspace=workspace, files=files, options={}, cancel=threading.Event()
        )
        out = control.scan(context)
    counts: Counter[str] = Counter()
    for finding in out.findings:
        for cwe in finding.cwe or ("(no CWE)",):
            counts[cwe] += 1
    return counts


def main() -> int:
    corpus()
    if not VULPY.is_dir():
        print(f"vulpy not available under {VULPY}; differential part skipped")
        return 0
    bad, good = scan(VULPY / "bad"), scan(VULPY / "good")
    print("vulpy, findings per class (bad/ vs good/):")
    for cwe in sorted(set(bad) | set(good)):
        print(f"  {cwe:<12} bad {bad[cwe]:>3}   good {good[cwe]:>3}")
    print(f"  total        bad {sum(bad.values()):>3}   good {sum(good.values()):>3}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
