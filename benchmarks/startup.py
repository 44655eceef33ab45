"""Start-up budget (ARCHITECTURE.md §8): medians over 20 runs of

- ``lockgate --version`` (budget 150 ms) and
- ``lockgate scan`` of an empty directory (budget 300 ms),

each as a fresh process, exactly as a user or a pre-commit hook starts it.
Run: ``.venv/bin/python benchmarks/startup.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGETS_MS = {"--version": 150.0, "scan (empty directory)": 300.0}


def lockgate_executable() -> str:
    candidate = Path(sys.executable).with_name("lockgate")
    return str(candidate) if candidate.exists() else "lockgate"


def median_ms(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=60
        )
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    exe = lockgate_executable()
    with tempfile.TemporaryDirectory() as empty:
        cases = {
            "--version": [exe, "--version"],
            "scan (empty directory)": [exe, "scan", empty, "--format", "json=/dev/null", "--quiet"],
        }
        baseline = median_ms([sys.executable, "-c", "pass"], args.runs)
        print(f"python -c pass (interpreter floor): {baseline:7.1f} ms")
        failed = False
        for name, argv in cases.items():
            value = median_ms(argv, args.runs)
            budget = BUDGETS_MS[name]
            verdict = "within budget" if value <= budget else "OVER BUDGET"
            failed |= value > budget
            print(
                f"lockgate {name:<24} {value:7.1f} ms  (budget {budget:.0f} ms, "
                f"{value / budget:.2f}x of budget) {verdict}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
