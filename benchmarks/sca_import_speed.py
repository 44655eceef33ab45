"""Advisory import and lookup speed (issue 4 targets: whole import < 10 s, peak RSS < 300 MB;
lookups for 10,000 components < 1 s).

1. Imports every OSV record under ``../shared/datasets/osv`` (PyPI YAML, Go and crates.io
   JSON) into a fresh temporary database, in a child process so the peak RSS printed is the
   import's own (interpreter included).
2. Queries every distinct (ecosystem, package name) in that database once, as a scan would.

Run: ``.venv/bin/python benchmarks/sca_import_speed.py [--dataset DIR]``; exits 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATASET = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "osv"
IMPORT_SECONDS = 10.0
IMPORT_RSS_MB = 300.0
LOOKUP_SECONDS_PER_10K = 1.0


def child_import(dataset: Path, database: Path) -> None:
    """The measured import; prints one JSON line for the parent."""
    from lockgate.advisories.database import AdvisoryDatabase
    from lockgate.advisories.osv import iter_records

    started = time.perf_counter()
    stats = AdvisoryDatabase(database).import_records(
        iter_records(dataset), source_name=str(dataset)
    )
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "records": stats.records,
                "errors": len(stats.errors),
                "peak_rss_mb": peak_kb / 1024,
                "digest": stats.digest,
            }
        )
    )


def measure_lookups(database: Path) -> tuple[int, int, float, float, float]:
    """(packages in the database, advisories returned, seconds to query each once, seconds
    for 10,000 lookups: every package in the database plus packages it does not know, and
    the CPU seconds of those)."""
    from lockgate.advisories.database import AdvisoryDatabase

    with sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True) as raw:
        packages = raw.execute("SELECT DISTINCT ecosystem, name FROM affected").fetchall()
    raw.close()
    misses = [("PyPI", f"no-such-package-{n}") for n in range(max(0, 10_000 - len(packages)))]
    found = 0
    with AdvisoryDatabase(database) as advisories:
        advisories.digest()  # open the file outside the timed loop
        started = time.perf_counter()
        for ecosystem, name in packages:
            found += len(advisories.advisories_for(ecosystem, name))
        hits_seconds = time.perf_counter() - started
    with AdvisoryDatabase(database) as advisories:  # a fresh answer cache
        advisories.digest()
        started, cpu = time.perf_counter(), time.process_time()
        for ecosystem, name in [*packages, *misses]:
            advisories.advisories_for(ecosystem, name)
        mixed_seconds = time.perf_counter() - started
        mixed_cpu = time.process_time() - cpu
    return len(packages), found, hits_seconds, mixed_seconds, mixed_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--child", nargs=2, metavar=("DATASET", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_import(Path(args.child[0]), Path(args.child[1]))
        return 0
    if not args.dataset.is_dir():
        print(f"skipped: OSV dataset not available at {args.dataset}")
        return 0
    files = sum(1 for p in args.dataset.rglob("*") if p.suffix in (".json", ".yaml", ".yml"))
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "advisories.sqlite3"
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(args.dataset), str(database)],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        size_mb = database.stat().st_size / 1024 / 1024
        packages, found, lookup_seconds, mixed_seconds, mixed_cpu = measure_lookups(database)

    seconds, peak = result["seconds"], result["peak_rss_mb"]
    import_ok = seconds < IMPORT_SECONDS and peak < IMPORT_RSS_MB
    all_hits_10k = lookup_seconds / max(packages, 1) * 10_000
    lookups = max(packages, 10_000)
    lookup_ok = mixed_seconds < LOOKUP_SECONDS_PER_10K * lookups / 10_000
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine              {os.cpu_count()} CPUs, load average {load:.1f} (1 min)")
    print(f"dataset              {args.dataset} ({files:,} record files)")
    print(
        f"import               {result['records']:,} records, {result['errors']} errors "
        f"in {seconds:.2f} s ({result['records'] / seconds:,.0f} records/s; "
        f"{result['cpu_seconds']:.2f} s CPU, interpreter start included)"
    )
    print(f"peak RSS (import)    {peak:.0f} MB")
    print(f"database size        {size_mb:.1f} MB, digest {result['digest']}")
    print(
        f"import target        < {IMPORT_SECONDS:.0f} s and < {IMPORT_RSS_MB:.0f} MB: "
        f"{'met' if import_ok else 'NOT MET'} ({seconds / IMPORT_SECONDS:.2f}x of the time "
        f"budget, {peak / IMPORT_RSS_MB:.2f}x of the memory budget)"
    )
    print(
        f"lookups (all hits)   {packages:,} packages once each: {lookup_seconds * 1000:.0f} ms "
        f"({lookup_seconds / max(packages, 1) * 1e6:.0f} µs each, {found:,} advisories "
        f"returned; {all_hits_10k:.2f} s per 10,000 if every component had advisories)"
    )
    print(
        f"lookups (10,000)     those {packages:,} plus {lookups - packages:,} unknown packages: "
        f"{mixed_seconds * 1000:.0f} ms ({mixed_cpu * 1000:.0f} ms CPU)"
    )
    print(
        f"lookup target        10,000 components < {LOOKUP_SECONDS_PER_10K:.0f} s: "
        f"{'met' if lookup_ok else 'NOT MET'} ({mixed_seconds / LOOKUP_SECONDS_PER_10K:.2f}x "
        "of the budget)"
    )
    return 0 if import_ok and lookup_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
