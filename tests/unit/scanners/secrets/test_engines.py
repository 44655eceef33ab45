"""The hyperscan prefilter and the pure-re fallback give identical results."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lockgate.scanners.secrets.engines import KeywordPrefilter, build_prefilter
from lockgate.scanners.secrets.rules import RuleSet, builtin_rules
from lockgate.scanners.secrets.scanner import SecretScanner

hyperscan = pytest.importorskip("hyperscan")
from lockgate.scanners.secrets.hyperscan_prefilter import (  # noqa: E402
    HyperscanPrefilter,
    forget_databases,
)

SAMPLES = [
    b"token = tkn_Zq8XbV2mN4pL7rT1wY9sK3dF\n",
    b"# TKN_ in upper case only\n",
    "password = 'Vb7#kQ2!pLm9' # caf\u00e9 with a non-ASCII comment\n".encode(),
    b"password: short\n",
    b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
    b"-----END PRIVATE KEY-----\n",
    b"\xff\xfe invalid utf-8 then tkn_Zq8XbV2mN4pL7rT1wY9sK3dF\n",
    b"nothing to see here\n" * 100,
]


def _results(scanner: SecretScanner, data: bytes) -> list[tuple[str, int, int, str]]:
    return [(m.rule.id, m.line, m.column, m.value) for m in scanner.scan_buffer(data, "f.txt")]


@pytest.mark.parametrize("data", SAMPLES)
def test_both_engines_agree_on_our_rules(rule_set: RuleSet, data: bytes) -> None:
    fast = SecretScanner(rules=rule_set.rules, prefilter=build_prefilter(rule_set))
    slow = SecretScanner(rules=rule_set.rules, prefilter=KeywordPrefilter(rule_set.rules))
    assert isinstance(fast.prefilter, HyperscanPrefilter)
    assert _results(fast, data) == _results(slow, data)


def test_both_engines_agree_on_every_shipped_example(tmp_path: Path) -> None:
    rule_set = builtin_rules()
    fast = SecretScanner(
        rules=rule_set.rules, prefilter=build_prefilter(rule_set, cache_dir=tmp_path)
    )
    slow = SecretScanner(rules=rule_set.rules, prefilter=KeywordPrefilter(rule_set.rules))
    corpus = "\n".join(
        e for r in rule_set.rules for e in (*r.example_positives, *r.example_negatives)
    ).encode()
    found = _results(fast, corpus)
    assert found == _results(slow, corpus)
    assert len(found) >= len(rule_set.rules) // 2


def test_the_compiled_database_is_cached_by_rule_set_digest(
    rule_set: RuleSet, tmp_path: Path
) -> None:
    build_prefilter(rule_set, cache_dir=tmp_path)
    (cached,) = (tmp_path / "secrets").glob("hs-*")
    named = hashlib.sha256(rule_set.digest.encode()).hexdigest()[:32]
    assert named in cached.name and (cached / "primary.db").is_file()
    forget_databases()  # a new process: the databases come from the disk cache
    again = SecretScanner(
        rules=rule_set.rules, prefilter=build_prefilter(rule_set, cache_dir=tmp_path)
    )
    assert _results(again, SAMPLES[0])[0][0] == "test-token"


def test_a_corrupt_cache_is_rebuilt(rule_set: RuleSet, tmp_path: Path) -> None:
    build_prefilter(rule_set, cache_dir=tmp_path)
    for cached in (tmp_path / "secrets").glob("hs-*/**/*.db"):
        cached.write_bytes(b"garbage")
    forget_databases()
    prefilter = build_prefilter(rule_set, cache_dir=tmp_path)
    assert [r.id for r in prefilter.select(SAMPLES[0], "f.txt").rules] == ["test-token"]


def test_re_engine_can_be_forced(rule_set: RuleSet) -> None:
    assert build_prefilter(rule_set, engine="re").name == "re"
