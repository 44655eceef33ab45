"""`make demo`: scan the bundled demo app as CI would on `main`, show the gate blocking and
why, and write the SARIF, markdown, JSON, JUnit and SBOM outputs under out/.

The dependency scan reads the advisory records bundled in examples/advisories (imported
into out/demo-advisories.sqlite3), so the demo needs no network.

Exits 0 when the gate blocked as it should, 1 otherwise (the demo itself is then broken).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo-app"
ADVISORIES = ROOT / "examples" / "advisories"
OUT = ROOT / "out"
DB = OUT / "demo-advisories.sqlite3"


def _show(argv: list[str]) -> None:
    print("$ lockgate " + " ".join(a.replace(str(ROOT) + "/", "") for a in argv[1:]), flush=True)


def main() -> int:
    OUT.mkdir(exist_ok=True)
    lockgate = Path(sys.executable).with_name("lockgate")
    steps = [
        [str(lockgate), "db", "import", str(ADVISORIES), "--db", str(DB)],
        [
            str(lockgate),
            "sbom",
            str(DEMO),
            "--format",
            "cyclonedx",
            "-o",
            str(OUT / "demo.cdx.json"),
        ],
    ]
    for step in steps:
        _show(step)
        done = subprocess.run(step, check=False, timeout=600)
        if done.returncode != 0:
            print(f"Unexpected exit code {done.returncode} from a setup step.")
            return 1
    argv = [
        str(lockgate),
        "scan",
        str(DEMO),
        "--branch",
        "main",
        "--no-progress",
        "--db",
        str(DB),
        "--format",
        "table",
        "--format",
        f"sarif={OUT / 'demo.sarif'}",
        "--format",
        f"markdown={OUT / 'demo.md'}",
        "--format",
        f"json={OUT / 'demo.json'}",
        "--format",
        f"junit={OUT / 'demo-junit.xml'}",
    ]
    _show(argv)
    result = subprocess.run(argv, check=False, timeout=600)
    print()
    if result.returncode == 1:
        print("The gate BLOCKED the demo app on the protected branch 'main', as it should:")
        print("the reasons above name every finding, rule and location. Outputs written:")
        for name in ("demo.sarif", "demo.md", "demo.json", "demo-junit.xml", "demo.cdx.json"):
            print(f"  out/{name}")
        return 0
    print(f"Unexpected exit code {result.returncode}: the demo should have been blocked.")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
