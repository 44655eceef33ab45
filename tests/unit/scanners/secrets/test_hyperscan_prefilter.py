"""The hyperscan prefilter finds exactly what the pure-``re`` fallback finds, while confirming
only the lines and rules its databases point at."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from lockgate.scanners.secrets.engines import KeywordPrefilter, build_prefilter
from lockgate.scanners.secrets.rules import RuleSet, builtin_rules, load_rules
from lockgate.scanners.secrets.scanner import SecretScanner

hyperscan = pytest.importorskip("hyperscan")
from lockgate.scanners.secrets import hyperscan_prefilter  # noqa: E402
from lockgate.scanners.secrets.hyperscan_prefilter import (  # noqa: E402
    HyperscanPrefilter,
    forget_databases,
)

TOKEN = "tkn_Zq8XbV2mN4pL7rT1wY9sK3dF"


def _found(scanner: SecretScanner, data: bytes, path: str = "f.txt") -> list[tuple[str, int, int]]:
    return [(m.rule.id, m.line, m.column) for m in scanner.scan_buffer(data, path)]


def _both(rule_set: RuleSet, cache_dir: Path) -> tuple[SecretScanner, SecretScanner]:
    fast = build_prefilter(rule_set, engine="hyperscan", cache_dir=cache_dir)
    assert isinstance(fast, HyperscanPrefilter)
    slow = KeywordPrefilter(rule_set.rules)
    return (
        SecretScanner(rules=rule_set.rules, prefilter=fast),
        SecretScanner(rules=rule_set.rules, prefilter=slow),
    )


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[SecretScanner, SecretScanner]:
    return _both(builtin_rules(), tmp_path_factory.mktemp("hs-cache"))


def _documents(seed: int, count: int) -> list[bytes]:
    """Documents made of shipped rule examples, other rules' examples, keyword assignments
    and noise, joined by various line ends (some with non-ASCII text)."""
    rng = random.Random(seed)
    rules = builtin_rules().rules
    examples = [e for r in rules for e in (*r.example_positives, *r.example_negatives)]
    keywords = [k for r in rules for k in r.keywords]
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=_-"
    docs = []
    for _ in range(count):
        lines = []
        for _ in range(rng.randint(1, 8)):
            kind = rng.random()
            if kind < 0.5:
                lines.append(rng.choice(examples))
            elif kind < 0.8:
                token = "".join(rng.choice(alphabet) for _ in range(rng.randint(4, 48)))
                sep = rng.choice([" = ", ": ", "=", " ", "\t", '": "', "='"])
                prefix = rng.choice(["", "my_", "API-", "x."])
                lines.append(f"{prefix}{rng.choice(keywords)}{sep}{token}")
            else:
                lines.append(rng.choice(["plain text", "caf\u00e9 \u20ac 5", "\u4e2d\u6587", ""]))
        docs.append(rng.choice(["\n", "\r\n", "\n\n"]).join(lines).encode())
    return docs


@pytest.mark.parametrize("seed", range(4))
def test_engines_agree_on_mixed_documents(
    shipped: tuple[SecretScanner, SecretScanner], seed: int
) -> None:
    fast, slow = shipped
    found = 0
    for doc in _documents(seed, 150):
        expected = _found(slow, doc)
        assert _found(fast, doc) == expected, doc
        found += len(expected)
    assert found > 50  # the documents do hold secrets


def test_a_line_after_a_near_miss_is_not_lost(shipped: tuple[SecretScanner, SecretScanner]) -> None:
    # vectorscan 5.4.12 missed "(?:^|[ ])-secret …" on the second line when the rule kept
    # its multi-line anchor; the prefilter pattern drops anchors.
    fast, slow = shipped
    doc = b"Client secret AIhq5Xyb1Gga9Q9\n-secret AIhq5Xyb1Gga9Q10\n"
    expected = _found(slow, doc)
    assert ("generic-cli-password", 2, 9) in expected
    assert _found(fast, doc) == expected


LINE_RULE = r"""
[[rule]]
id = "line-password"
family = "generic"
title = "Password assignment"
regex = '''(?i)\bpassword\s*[=:]\s*["']?(?P<secret>[^\s"']{8,64})["']?$'''
keywords = ["password"]
scope = "line"
priority = 10
[rule.examples]
positives = ["password = 'Vb7#kQ2!pLm9'"]
"""


def test_a_flood_of_matches_leaves_the_buffer_to_keywords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(LINE_RULE)
    fast, slow = _both(load_rules([path]), tmp_path)
    data = "".join(f"password = 'Vb7#kQ2!pLm{i}'\n" for i in range(10)).encode()
    assert fast.prefilter.select(data, "f.txt").ends  # normally: the lines to confirm
    monkeypatch.setattr(hyperscan_prefilter, "_EVENTS_PER_BUFFER", 2)
    monkeypatch.setattr(hyperscan_prefilter, "_BYTES_PER_EVENT", 1 << 30)
    assert fast.prefilter.select(data, "f.txt").ends == {}  # too many: keywords decide
    assert _found(fast, data) == _found(slow, data)
    assert len(_found(fast, data)) == 10


def test_only_lines_where_a_match_may_end_are_confirmed(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(LINE_RULE)
    fast, slow = _both(load_rules([path]), tmp_path)
    lines = [f"password = no{i} " for i in range(200)]  # keyword lines that cannot match
    lines[150] = "password = 'Vb7#kQ2!pLm9'"
    data = ("\n".join(lines) + "\n").encode()
    selection = fast.prefilter.select(data, "f.txt")
    assert [r.id for r in selection.rules] == ["line-password"]
    ends = selection.ends["line-password"]
    assert {data.count(b"\n", 0, end - 1) + 1 for end in ends} == {151}
    assert _found(fast, data) == _found(slow, data) == [("line-password", 151, 13)]


def test_rules_whose_keyword_is_absent_cost_no_second_scan(
    rule_set: RuleSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, _ = _both(rule_set, tmp_path)
    scanned: list[object] = []
    original = HyperscanPrefilter._scan

    def counting(self: HyperscanPrefilter, database: object, data: bytes) -> object:
        scanned.append(database)
        return original(self, database, data)

    monkeypatch.setattr(HyperscanPrefilter, "_scan", counting)
    assert fast.scan_buffer(b"nothing to see here\n" * 50, "f.txt") == []
    assert len(scanned) == 1  # the primary database only
    assert [m.value for m in fast.scan_buffer(f"x = {TOKEN}\n".encode(), "f.txt")] == [TOKEN]
    assert len(scanned) == 3  # primary, then the token rule's own database


def test_non_ascii_buffers_agree_and_invalid_utf8_falls_back(
    rule_set: RuleSet, tmp_path: Path
) -> None:
    fast, slow = _both(rule_set, tmp_path)
    valid = f"caf\u00e9 = 1\npassword = 'Vb7#kQ2!pLm9' \u20ac\nkey = {TOKEN}\n".encode()
    invalid = b"\xff\xfe junk\n" + valid
    for data in (valid, invalid):
        assert _found(fast, data) == _found(slow, data)
        assert len(_found(fast, data)) == 2
    assert fast.prefilter.select(invalid, "f.txt").ends == {}  # nothing vouched for


RULES_HYPERSCAN_CANNOT_COMPILE = r"""
[[rule]]
id = "named-char"
family = "test"
title = "A regex only Python understands"
regex = '''(?P<secret>nmd_\N{LATIN SMALL LETTER A}[0-9]{8})'''
keywords = ["nmd_"]
priority = {priority}
[rule.examples]
positives = ["nmd_a12345678"]

[[rule]]
id = "test-token"
family = "test"
title = "Test token"
regex = '''\b(?P<secret>tkn_[A-Za-z0-9]{24})\b'''
keywords = ["tkn_"]
[rule.examples]
positives = ["x = tkn_Zq8XbV2mN4pL7rT1wY9sK3dF"]
"""


@pytest.mark.parametrize("priority", [10, 50])  # in the primary database, or gated
def test_a_regex_hyperscan_cannot_compile_is_left_to_keywords(
    tmp_path: Path, priority: int
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(RULES_HYPERSCAN_CANNOT_COMPILE.replace("{priority}", str(priority)))
    rule_set = load_rules([path])
    fast, slow = _both(rule_set, tmp_path / "cache")
    data = f"a = nmd_a12345678\nb = {TOKEN}\n".encode()
    assert _found(fast, data) == _found(slow, data)
    assert [r for r, _, _ in _found(fast, data)] == ["named-char", "test-token"]


def test_databases_come_from_the_disk_cache_in_a_new_process(
    rule_set: RuleSet, tmp_path: Path
) -> None:
    fast, _ = _both(rule_set, tmp_path)
    assert _found(fast, f"k = {TOKEN}\n".encode()) == [("test-token", 1, 5)]
    (cached,) = (tmp_path / "secrets").glob("hs-*")
    assert (cached / "primary.db").is_file()
    # Only the rule whose keyword occurred was compiled (and cached) on its own.
    assert [p.name for p in (cached / "gated").iterdir()] == ["0000-test-token.db"]
    forget_databases()
    for path in cached.glob("**/*.db"):
        path.write_bytes(path.read_bytes()[:-10])  # truncated: rebuilt, same answers
    again, _ = _both(rule_set, tmp_path)
    assert _found(again, f"k = {TOKEN}\n".encode()) == [("test-token", 1, 5)]


def test_rule_sets_that_differ_only_by_disabled_rules_have_their_own_databases(
    rule_set: RuleSet, tmp_path: Path
) -> None:
    # The control names a narrowed rule set by the full set's digest plus what was disabled.
    narrowed = RuleSet(
        rules=tuple(r for r in rule_set.rules if r.id != "test-password"),
        digest=f"{rule_set.digest}-test-password",
    )
    data = f"password = 'Vb7#kQ2!pLm9'\nb = {TOKEN}\n".encode()
    full, _ = _both(rule_set, tmp_path)
    assert [r for r, _, _ in _found(full, data)] == ["test-password", "test-token"]
    forget_databases()  # from the disk cache now, as in the next run
    fast, slow = _both(narrowed, tmp_path)
    assert _found(fast, data) == _found(slow, data) == [("test-token", 2, 5)]
    assert len(list((tmp_path / "secrets").glob("hs-*"))) == 2


def test_a_database_that_misses_a_rules_own_examples_is_not_trusted(rule_set: RuleSet) -> None:
    layout = hyperscan_prefilter._Layout.of(rule_set.rules)
    token = next(i for i, r in enumerate(rule_set.rules) if r.id == "test-token")
    sound = hyperscan_prefilter._compile(hyperscan_prefilter._regexes(layout, [token], utf8=False))
    assert hyperscan_prefilter._failing_rules(sound, layout, [token]) == frozenset()
    # A defective engine stands in: a database that never reports the token rule.
    defective = hyperscan_prefilter._compile([(token, rb"\x00never\x00", 0)])
    assert hyperscan_prefilter._failing_rules(defective, layout, [token]) == {token}


def test_rules_the_engine_fails_are_left_to_keywords(
    rule_set: RuleSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        hyperscan_prefilter, "_failing_rules", lambda db, layout, indices: frozenset(indices)
    )
    fast, slow = _both(rule_set, tmp_path)
    data = f"k = {TOKEN}\npassword = 'Vb7#kQ2!pLm9'\n".encode()
    assert fast.prefilter.select(data, "f.txt").ends == {}
    assert _found(fast, data) == _found(slow, data)
    assert len(_found(fast, data)) == 2
