"""JSON helpers: located errors, key lines (fast and full scans agree), JSONC."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.javascript._jsontext import (
    entry_lines,
    key_lines,
    load_json,
    opening_key_lines,
    strip_jsonc,
)


def test_broken_json_error_names_the_line() -> None:
    with pytest.raises(ManifestError) as caught:
        load_json('{\n  "a": 1,\n  "b": \n}\n', "package-lock.json")
    assert caught.value.path == "package-lock.json"
    assert caught.value.line == 4


def test_key_lines_follow_nesting_and_escapes() -> None:
    text = '{\n "a": {\n  "b": 1,\n  "c\\u0041": [ {"d": "}"} ]\n },\n "e": 2\n}'
    lines = key_lines(text, lambda parents: True)
    assert lines[("a",)] == 2
    assert lines[("a", "b")] == 3
    assert lines[("a", "cA")] == 4
    assert lines[("a", "cA", "", "d")] == 4
    assert lines[("e",)] == 6


def test_minified_json_falls_back_to_the_full_scan() -> None:
    text = '{"packages": {"node_modules/a": {"version": "1.0.0"}}}'
    found = entry_lines(text, [("packages", "node_modules/a")], lambda p: p == ("packages",))
    assert found == {("packages", "node_modules/a"): 1}


def test_jsonc_comments_and_trailing_commas_go_lines_stay() -> None:
    text = '{\n  // a comment\n  "a": [1, 2,], /* multi\n line */\n  "url": "http://x//y",\n}\n'
    cleaned = strip_jsonc(text)
    assert json.loads(cleaned) == {"a": [1, 2], "url": "http://x//y"}
    assert cleaned.count("\n") == text.count("\n")
    assert key_lines(cleaned, lambda p: True)[("url",)] == 5


_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6))
_KEYS = st.text(alphabet='ab/@"\\{}[]:, é', min_size=1, max_size=6)
_DOC = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_KEYS, _DOC, max_size=4))
def test_fast_scan_agrees_with_full_scan_on_pretty_json(doc: dict[str, Any]) -> None:
    text = json.dumps(doc, indent=2)
    full = key_lines(text, lambda parents: "" not in parents)
    for path, line in opening_key_lines(text).items():
        if path in full:
            assert full[path] == line, path


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_KEYS, _DOC, max_size=4))
def test_jsonc_cleaning_keeps_plain_json_intact(doc: dict[str, Any]) -> None:
    text = json.dumps(doc, indent=2)
    assert json.loads(strip_jsonc(text)) == doc
