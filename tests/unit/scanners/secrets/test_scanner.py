"""Windows with overlap: exact positions, linear time and bounded memory on huge files."""

from __future__ import annotations

import io
import tracemalloc

from lockgate.scanners.secrets import scanner as scanner_module
from lockgate.scanners.secrets.engines import Prefilter, Selection, build_prefilter
from lockgate.scanners.secrets.rules import RuleSet
from lockgate.scanners.secrets.scanner import SecretScanner

TOKEN = "tkn_Zq8XbV2mN4pL7rT1wY9sK3dF"


def _scanner(rule_set: RuleSet) -> SecretScanner:
    return SecretScanner(rules=rule_set.rules, prefilter=build_prefilter(rule_set))


def test_exact_line_and_column(rule_set: RuleSet) -> None:
    data = f"a\n\n  key = {TOKEN}\n".encode()
    (match,) = _scanner(rule_set).scan_buffer(data, "x.py")
    assert (match.line, match.column, match.end_line, match.end_column) == (3, 9, 3, 37)


def test_stream_windows_keep_positions_and_find_each_secret_once(
    rule_set: RuleSet, monkeypatch: object
) -> None:
    monkeypatch.setattr(scanner_module, "WINDOW", 1000)  # type: ignore[attr-defined]
    monkeypatch.setattr(scanner_module, "OVERLAP", 100)  # type: ignore[attr-defined]
    lines = [f"line {i} " + ("x" * 40) for i in range(200)]
    for n in (10, 23, 24, 25, 150):  # some land across window edges
        lines[n] = f"v{n} = {TOKEN}"
    data = ("\n".join(lines) + "\n").encode()
    found = list(_scanner(rule_set).scan_stream(io.BytesIO(data), "x.txt"))
    assert [(m.line, m.column) for m in found] == [(11, 7), (24, 7), (25, 7), (26, 7), (151, 8)]
    assert found == sorted(found, key=lambda m: m.line)


def test_single_line_columns_across_windows(rule_set: RuleSet, monkeypatch: object) -> None:
    monkeypatch.setattr(scanner_module, "WINDOW", 1000)  # type: ignore[attr-defined]
    monkeypatch.setattr(scanner_module, "OVERLAP", 100)  # type: ignore[attr-defined]
    data = ("y" * 2990 + " " + TOKEN + " " + "z" * 3000).encode()
    (match,) = _scanner(rule_set).scan_stream(io.BytesIO(data), "min.js")
    assert (match.line, match.column) == (1, 2992)


class CountingPrefilter:
    """Wraps a prefilter and counts the bytes it is shown."""

    def __init__(self, inner: Prefilter) -> None:
        self.inner = inner
        self.name = inner.name
        self.bytes_seen = 0
        self.calls = 0

    def select(self, data: bytes, path: str) -> Selection:
        self.calls += 1
        self.bytes_seen += len(data)
        return self.inner.select(data, path)


def test_a_50_mb_single_line_file_is_linear_and_bounded(rule_set: RuleSet) -> None:
    chunk = ("var a=function(b){return b+1};" * 34).encode()  # ~1 KiB, no newline
    size = 50 * 1024 * 1024
    body = chunk * (size // len(chunk))
    middle = len(body) // 2
    data = body[:middle] + f" {TOKEN} ".encode() + body[middle:]
    counting = CountingPrefilter(build_prefilter(rule_set))
    scanner = SecretScanner(rules=rule_set.rules, prefilter=counting)
    tracemalloc.start()
    found = list(scanner.scan_stream(io.BytesIO(data), "big.min.js"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [(m.line, m.value == TOKEN) for m in found] == [(1, True)]
    assert found[0].column == middle + 2
    # Memory: a few windows, not the file (the input buffer itself is not traced).
    assert peak < 40 * 1024 * 1024
    # Linear work: every byte is looked at once, plus one overlap per window.
    windows = -(-len(data) // scanner_module.WINDOW)
    assert counting.calls == windows
    assert counting.bytes_seen <= len(data) + windows * scanner_module.OVERLAP
