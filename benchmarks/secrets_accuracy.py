"""Secrets accuracy on ../shared/datasets/secrets/credsweeper-samples (issue 3).

Prints:
1. file level on the labelled samples — names ending ``_p`` are positives, ``_n`` negatives:
   recall (positives with at least one finding) and false alarms (negatives with any);
2. line level against CredSweeper's own output on all samples (a reference, not ground
   truth): per CredSweeper rule, the share of its lines lockgate also reports (recall
   against the reference); per lockgate rule family, findings and the share on reference
   lines (a precision proxy — lines CredSweeper missed count against lockgate here);
3. value level: lockgate reports each secret value once per file (the first line it is
   on), so a value CredSweeper reports on many lines counts once. Share of CredSweeper's
   (file, value) pairs for which lockgate has a finding with the same value in that file
   (compared through lockgate's keyed value hash; values are never printed).

Run: ``.venv/bin/python benchmarks/secrets_accuracy.py [--show-missed]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

from lockgate.model import Finding
from lockgate.model.fingerprint import DEFAULT_SECRET_HASH_KEY, secret_value_hash
from lockgate.scanners.interface import ScanContext
from lockgate.scanners.secrets.control import SecretsControl
from lockgate.scanners.secrets.rules import builtin_rules
from lockgate.sources.filesystem import FilesystemSource

DATASET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "secrets"
SAMPLES = DATASET / "credsweeper-samples"
REFERENCE = DATASET / "credsweeper-reference-output.json"
MULTI_LINE = frozenset({"PEM Private Key"})
"""CredSweeper rules whose reported value is one line of a multi-line secret (lockgate's
value is the whole block), left out of the value-level comparison."""
LABEL = re.compile(r"_(p|n)(?:\.[^/]*)?$")


def scan(decode: bool) -> list[Finding]:
    with FilesystemSource(
        SAMPLES, use_gitignore=False, max_file_size=50 * 1024 * 1024
    ).open() as ws:
        context = ScanContext(
            workspace=ws, files=ws.files, options={"decode": decode}, cancel=threading.Event()
        )
        return list(SecretsControl().scan(context).findings)


def reference_entries() -> list[tuple[str, str, int, str]]:
    """CredSweeper's reported lines outside archives (not comparable line by line), as
    (rule, file, line, value)."""
    entries = []
    for item in json.loads(REFERENCE.read_text()):
        for line in item["line_data_list"]:
            path = line["path"].split("tests/samples/", 1)[-1]
            if "!" in path or ":" in path.split("/")[-1]:
                continue
            entries.append((item["rule"], path, int(line["line_num"]), line.get("value") or ""))
    return entries


def reference_lines(
    entries: list[tuple[str, str, int, str]],
) -> dict[str, set[tuple[str, int]]]:
    by_rule: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for rule, path, line, _ in entries:
        by_rule[rule].add((path, line))
    return by_rule


def reference_values(
    entries: list[tuple[str, str, int, str]],
) -> dict[str, set[tuple[str, str | None]]]:
    """Per CredSweeper rule: (file, keyed hash of the value) pairs it reports; a value that
    is one line of a multi-line key block is compared at line level only."""
    by_rule: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
    for rule, path, _, value in entries:
        if value and rule not in MULTI_LINE:
            by_rule[rule].add((path, secret_value_hash(value, DEFAULT_SECRET_HASH_KEY)))
    return by_rule


def compare(
    unit: str, reference: dict[str, set[Any]], ours: set[Any], *, rows: int = 60
) -> set[Any]:
    """Print the share of the reference lockgate also has, in total and per CredSweeper
    rule (the largest ``rows`` rules); returns everything in the reference."""
    everything: set[Any] = set().union(*reference.values())
    both = len(everything & ours)
    print(
        f"   reference {unit}: {len(everything)}; lockgate: {len(ours)}; both: {both} — "
        f"recall vs reference {both / len(everything):.0%}"
    )
    print(f"   {'CredSweeper rule':<40} {unit:>12} {'found':>6}")
    for name, items in sorted(reference.items(), key=lambda kv: -len(kv[1]))[:rows]:
        print(f"   {name:<40} {len(items):>12} {len(items & ours) / len(items):>6.0%}")
    return everything


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decode", action="store_true", help="enable base64/hex decoding")
    parser.add_argument("--show-missed", action="store_true")
    args = parser.parse_args()
    if not SAMPLES.is_dir():
        print(f"dataset not available: {SAMPLES}; nothing to measure")
        return 0
    findings = scan(args.decode)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        assert f.location is not None
        by_file[f.location.path.split("!/", 1)[0]].append(f)

    print("1. Labelled samples (file level)")
    labelled = sorted(p.name for p in SAMPLES.iterdir() if LABEL.search(p.name))
    pos = [n for n in labelled if LABEL.search(n).group(1) == "p"]  # type: ignore[union-attr]
    neg = [n for n in labelled if LABEL.search(n).group(1) == "n"]  # type: ignore[union-attr]
    tp = [n for n in pos if by_file.get(n)]
    fp = [n for n in neg if by_file.get(n)]
    print(f"   positives found: {len(tp)}/{len(pos)} — recall {len(tp) / len(pos):.0%}")
    print(f"   negatives with findings: {len(fp)}/{len(neg)}")
    for name in sorted(set(pos) - set(tp)):
        print(f"     missed positive: {name}")
    for name in fp:
        rules = ", ".join(sorted({f.rule_id for f in by_file[name]}))
        print(f"     finding on negative: {name}: {rules}")

    print("\n2. Line level against CredSweeper's output (reference, not ground truth)")
    entries = reference_entries()
    reference = reference_lines(entries)
    ours = {
        (f.location.path, line)
        for f in findings
        if f.location and "!/" not in f.location.path
        for line in range(
            f.location.start_line or 1, (f.location.end_line or f.location.start_line or 1) + 1
        )
    }
    all_ref = compare("lines", reference, ours)
    if args.show_missed:
        for name, lines in sorted(reference.items(), key=lambda kv: -len(kv[1])):
            for path, line in sorted(lines - ours):
                print(f"       missed ({name}) {path}:{line}")
    print(
        "\n3. Value level against CredSweeper's output (one finding per value and file; "
        "PEM blocks: see line level)"
    )
    ours_values = {
        (f.location.path, f.prop("value_hash"))
        for f in findings
        if f.location and "!/" not in f.location.path
    }
    compare("(file, value)", reference_values(entries), ours_values, rows=25)
    print(f"\n   {'lockgate family':<28} {'findings':>8} {'on reference lines':>19}")
    rule_set = builtin_rules()
    families: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        rule = rule_set.by_id(f.rule_id)
        families[rule.family if rule else "?"].append(f)
    for family, items in sorted(families.items(), key=lambda kv: -len(kv[1])):
        on_ref = sum(
            1 for f in items if f.location and (f.location.path, f.location.start_line) in all_ref
        )
        print(f"   {family:<28} {len(items):>8} {on_ref / len(items):>19.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
