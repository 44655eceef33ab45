"""Loading rules: the checked-rules cache gives back exactly the rules the TOML describes,
and allowlists answer like their regexes."""

from __future__ import annotations

import random
from pathlib import Path

from lockgate.scanners.secrets.rules import AnyOf, builtin_rules, compiled, load_rules
from tests.unit.scanners.secrets.conftest import RULES_TOML


def test_the_rules_cache_gives_back_the_same_rules(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(RULES_TOML)
    fresh = load_rules([path])
    first = load_rules([path], validate=False, cache_dir=tmp_path / "cache")
    (cached,) = (tmp_path / "cache" / "secrets").glob("rules-*.json")
    path.write_text(RULES_TOML)  # same content, same digest: the cache answers
    again = load_rules([path], validate=False, cache_dir=tmp_path / "cache")
    assert fresh == first == again
    cached.write_text("[{truncated")
    assert load_rules([path], validate=False, cache_dir=tmp_path / "cache") == fresh


def test_a_changed_rule_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(RULES_TOML)
    load_rules([path], validate=False, cache_dir=tmp_path)
    path.write_text(RULES_TOML.replace('"Test token"', '"Renamed token"'))
    rules = load_rules([path], validate=False, cache_dir=tmp_path).rules
    assert rules[0].title == "Renamed token"


def test_shipped_rules_survive_the_cache(tmp_path: Path) -> None:
    shipped = builtin_rules()
    builtin_rules.cache_clear()
    try:
        builtin_rules(tmp_path, validate=False)
        builtin_rules.cache_clear()
        assert builtin_rules(tmp_path, validate=False) == shipped
    finally:
        builtin_rules.cache_clear()


def test_allowlists_answer_like_their_regexes() -> None:
    rng = random.Random(5)
    rules = builtin_rules().rules
    texts = [t for r in rules for t in (*r.example_positives, *r.example_negatives)]
    lines = rng.sample([line for t in texts for line in t.split("\n")], 600)
    lines += ["x" * rng.choice((990, 1000, 1001, 1200)) + line for line in lines[:100]]
    lines += rng.sample([t for t in texts if "\n" in t], 50)  # several lines at once
    values = [m.group("secret") for r in rules for t in texts for m in r.regex.finditer(t)]
    values = rng.sample(values, 1000)
    checked = 0
    for rule in rules:
        for patterns, candidates in (
            (rule.allow_patterns, values),
            (rule.allow_line_patterns, lines),
        ):
            if not patterns:
                continue
            any_of = AnyOf.of(patterns)
            for text in candidates:
                expected = any(compiled(p).search(text) for p in patterns)
                assert any_of.search(text) == bool(expected), (rule.id, text[:80])
                checked += 1
    assert checked > 5_000
