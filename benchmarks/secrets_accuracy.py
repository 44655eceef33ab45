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


def reference_lines() -> dict[str, set[tuple[str, int]]]:
    by_rule: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for item in json.loads(REFERENCE.read_text()):
        for line in item["line_data_list"]:
            path = line["path"].split("tests/samples/", 1)[-1]
            if "!" in path or ":" in path.split("/")[-1]:
                continue  # inside archives: not comparable line by line
            by_rule[item["rule"]].add((path, int(line["line_num"])))
    return by_rule


def reference_values() -> dict[str, set[tuple[str, str]]]:
    """Per CredSweeper rule: (file, keyed hash of the value) pairs it reports."""
    by_rule: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for item in json.loads(REFERENCE.read_text()):
        for line in item["line_data_list"]:
            path = line["path"].split("tests/samples/", 1)[-1]
            value = line.get("value")
            if "!" in path or ":" in path.split("/")[-1] or not value:
                continue
            if item["rule"] in MULTI_LINE:
                continue  # its value is one line of a key block: compared at line level
            by_rule[item["rule"]].add((path, secret_value_hash(value, DEFAULT_SECRET_HASH_KEY)))
    return by_rule


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
    reference = reference_lines()
    ours = {
        (f.location.path, line)
        for f in findings
        if f.location and "!/" not in f.location.path
        for line in range(
            f.location.start_line or 1, (f.location.end_line or f.location.start_line or 1) + 1
        )
    }
    all_ref = set().union(*reference.values())
    both = len(all_ref & ours)
    print(
        f"   reference lines: {len(all_ref)}; lockgate lines: {len(ours)}; "
        f"both: {both} — recall vs reference {both / len(all_ref):.0%}"
    )
    print(f"   {'CredSweeper rule':<40} {'lines':>5} {'found':>6}")
    for name, lines in sorted(reference.items(), key=lambda kv: -len(kv[1])):
        hit = len(lines & ours)
        print(f"   {name:<40} {len(lines):>5} {hit / len(lines):>6.0%}")
        if args.show_missed:
            for path, line in sorted(lines - ours):
                print(f"       missed {path}:{line}")
    print(
        "\n3. Value level against CredSweeper's output (one finding per value and file; "
        "PEM blocks: see line level)"
    )
    values = reference_values()
    ours_values = {
        (f.location.path, f.prop("value_hash"))
        for f in findings
        if f.location and "!/" not in f.location.path
    }
    all_values = set().union(*values.values())
    found = len(all_values & ours_values)
    print(
        f"   reference (file, value) pairs: {len(all_values)}; found: {found} — "
        f"recall vs reference {found / len(all_values):.0%}"
    )
    print(f"   {'CredSweeper rule':<40} {'values':>6} {'found':>6}")
    for name, pairs in sorted(values.items(), key=lambda kv: -len(kv[1]))[:25]:
        print(f"   {name:<40} {len(pairs):>6} {len(pairs & ours_values) / len(pairs):>6.0%}")
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
