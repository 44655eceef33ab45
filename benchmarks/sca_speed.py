"""Dependency scanning speed (issue 4 targets: import all of ../shared/datasets/osv in
< 10 s with peak RSS < 300 MB; match 10,000 components in < 1 s after import).

1. Imports every OSV record under ``../shared/datasets/osv`` (PyPI YAML, Go and crates.io
   JSON) into a fresh temporary database, in a child process so the peak RSS printed is the
   import's own (interpreter included).
2. Queries every distinct (ecosystem, package name) in that database once, as a scan would.
3. Matches 10,000 components end to end (lookup, alias merge, range evaluation with each
   ecosystem's version rules, fix computation): every package of the database at a version
   taken from its own advisories (so many are affected), topped up with packages the
   database does not know, as in a real lockfile.

Run: ``.venv/bin/python benchmarks/sca_speed.py [--dataset DIR]``; exits 1 when a target is
missed.
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
from typing import Any

DATASET = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "osv"
IMPORT_SECONDS = 10.0
IMPORT_RSS_MB = 300.0
LOOKUP_SECONDS_PER_10K = 1.0
MATCH_SECONDS = 1.0


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


def components_for(database: Path, count: int = 10_000) -> list[Any]:
    """``count`` components: each package of the database at a version from its own
    advisories' events (affected or just fixed), then unknown packages."""
    from lockgate.inventory.interface import component

    with sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True) as raw:
        rows = raw.execute("SELECT ecosystem, name, data FROM affected").fetchall()
    raw.close()
    chosen: dict[tuple[str, str], str] = {}
    for index, (ecosystem, name, data) in enumerate(rows):
        if (ecosystem, name) in chosen:
            continue
        events = [value for _type, evs in json.loads(data).get("r", ()) for _k, value in evs]
        versions = [v for v in events if v not in ("0", "0.0.0-0")] or ["1.0.0"]
        version = versions[index % len(versions)]
        if ecosystem == "Go" and not version.startswith("v"):
            version = "v" + version
        chosen[(ecosystem, name)] = version
    found = [
        component(ecosystem=e, name=n, version=v, path="lockfile", line=1)
        for (e, n), v in sorted(chosen.items())
    ][:count]
    found += [
        component(ecosystem="npm", name=f"no-such-package-{n}", version="1.0.0", path="x")
        for n in range(count - len(found))
    ]
    return found


def measure_matching(database: Path) -> tuple[int, int, float, float]:
    """(components, matches, wall seconds, CPU seconds) of matching 10,000 components."""
    from lockgate.advisories.database import AdvisoryDatabase
    from lockgate.scanners.sca.matching import match_component

    components = components_for(database)
    matches = 0
    with AdvisoryDatabase(database) as advisories:
        advisories.digest()
        started, cpu = time.perf_counter(), time.process_time()
        for comp in components:
            found, _skipped = match_component(comp, advisories.advisories_for)
            matches += len(found)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu
    return len(components), matches, seconds, cpu_seconds


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
        matched, matches, match_seconds, match_cpu = measure_matching(database)

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
    match_ok = match_seconds < MATCH_SECONDS
    print(
        f"matching             {matched:,} components ({matches:,} component-advisory matches): "
        f"{match_seconds * 1000:.0f} ms ({match_cpu * 1000:.0f} ms CPU)"
    )
    print(
        f"matching target      10,000 components < {MATCH_SECONDS:.0f} s: "
        f"{'met' if match_ok else 'NOT MET'} ({match_seconds / MATCH_SECONDS:.2f}x of the budget)"
    )
    return 0 if import_ok and lookup_ok and match_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
