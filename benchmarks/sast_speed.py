"""SAST speed against bandit alone (issue 6: lockgate's SAST, both engines in parallel,
takes no more than twice bandit's time on the same tree of at least 100,000 lines).

Input: a temporary tree of real Python code, copied from packages installed in this
virtual environment (rich, hypothesis, httpx, packaging, jsonschema, pygments, …) until
it holds at least ``--lines`` lines of Python. Both tools scan the same tree in the same
run; bandit is the one installed beside lockgate (``bandit -r TREE -f json -q``).

Run: ``.venv/bin/python benchmarks/sast_speed.py [--lines 100000] [--rules DIR] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lockgate.scanners.interface import ScanContext
from lockgate.scanners.sast._process import find_executable
from lockgate.scanners.sast.control import SastControl, default_jobs
from lockgate.sources.filesystem import FilesystemSource

PACKAGES = ("rich", "hypothesis", "httpx", "packaging", "jsonschema", "pygments", "yaml")


def _lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in stream)


def build_tree(target: Path, wanted: int) -> tuple[int, int]:
    """Copy installed packages' Python files into ``target`` until ``wanted`` lines."""
    lines = files = 0
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        source = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(source.rglob("*.py")):
            relative = path.relative_to(source.parent)
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            lines += _lines(path)
            files += 1
        if lines >= wanted:
            break
    if lines < wanted:
        raise SystemExit(f"only {lines} lines of Python found in {PACKAGES}; need {wanted}")
    return lines, files


def time_lockgate(
    tree: Path, rules: Path | None, engines: list[str], cache: Path
) -> tuple[float, int, int, int]:
    """Seconds for the SAST control over the tree (listing included), findings, files
    scanned, per-file errors."""
    control = SastControl(rules_dir=rules)
    start = time.perf_counter()
    workspace = FilesystemSource(tree, use_gitignore=False).list()
    files = tuple(f for f in workspace.files if control.applies_to(f.path, f))
    output = control.scan(
        ScanContext(workspace=workspace, files=files, options={"engines": engines}, cache_dir=cache)
    )
    elapsed = time.perf_counter() - start
    return elapsed, len(output.findings), output.files_scanned, len(output.errors)


def time_bandit(tree: Path) -> tuple[float, int]:
    """Seconds for ``bandit -r`` alone on the tree, and its number of results."""
    import json

    bandit = find_executable("bandit")
    if bandit is None:
        raise SystemExit("bandit not found beside this interpreter or on PATH")
    start = time.perf_counter()
    done = subprocess.run(
        [str(bandit), "-r", str(tree), "-f", "json", "-q"],
        capture_output=True,
        timeout=3600,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"bandit failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed, len(json.loads(done.stdout)["results"])


def run(wanted: int, rules: Path | None, repeat: int) -> int:
    with tempfile.TemporaryDirectory(prefix="lockgate-sast-bench-") as tmp:
        tree = Path(tmp) / "tree"
        cache = Path(tmp) / "cache"
        lines, files = build_tree(tree, wanted)
        pack = rules or Path(SastControl().rules_dir)
        print(f"tree: {files} Python files, {lines:,} lines; rules: {pack}; jobs: {default_jobs()}")
        # one untimed run of each side warms the file cache and semgrep's own start-up files
        time_bandit(tree)
        time_lockgate(tree, rules, ["semgrep", "bandit"], cache)
        ours: list[float] = []
        theirs: list[float] = []
        semgrep_only: list[float] = []
        found = scanned = errors = bandit_results = 0
        for _ in range(repeat):
            elapsed, bandit_results = time_bandit(tree)
            theirs.append(elapsed)
            elapsed, found, scanned, errors = time_lockgate(
                tree, rules, ["semgrep", "bandit"], cache
            )
            ours.append(elapsed)
            semgrep_only.append(time_lockgate(tree, rules, ["semgrep"], cache)[0])
        mine, peer = statistics.median(ours), statistics.median(theirs)
        print(f"bandit -r alone:                    {peer:7.2f} s  ({bandit_results} results)")
        print(
            f"lockgate sast (semgrep + bandit):   {mine:7.2f} s  ({found} findings after dedup, "
            f"{scanned} files, {errors} per-file errors)"
        )
        print(f"  of which semgrep alone would take {statistics.median(semgrep_only):7.2f} s")
        print(f"ratio lockgate / bandit: {mine / peer:.2f} (target: at most 2.00)")
        return 0 if mine <= 2 * peer else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rules", type=Path, default=None, help="rule pack directory")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    return run(args.lines, args.rules, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
