"""Locating keys in TOML text so configuration errors can point at a line."""

from __future__ import annotations

import tomllib

import pytest

from lockgate.tomlsource import did_you_mean, find_line, toml_error_position

CONFIG = '''\
# lockgate configuration
title = "demo"   # gate = "not a table"

[gate]
protected = ["main", "release/*"]
baseline.kind = "report"

[gate.thresholds]
blok = "HIGH"
"quoted key" = 1
'literal.key' = 2

[controls."secrets.scan"]
enabled = true
notes = """
blok = "inside a multi-line string"
[gate]
"""
raw = \'\'\'
[not.a.header]
\'\'\'
patterns = [
  "a = b",   # enabled = comment
  { blok = 3 },
]

[report]
inline = { format = "sarif", path = "out.sarif" }
'''


@pytest.mark.parametrize(
    ("table", "key", "line"),
    [
        ((), "title", 2),
        (("gate",), "protected", 5),
        (("gate", "baseline"), "kind", 6),
        (("gate", "thresholds"), "blok", 9),
        (("gate", "thresholds"), "quoted key", 10),
        (("gate", "thresholds"), "literal.key", 11),
        (("controls", "secrets.scan"), "enabled", 14),
        (("controls", "secrets.scan"), "notes", 15),
        (("controls", "secrets.scan"), "raw", 19),
        (("controls", "secrets.scan"), "patterns", 22),
        (("report",), "inline", 28),
    ],
)
def test_finds_the_line_where_a_key_is_set(table: tuple[str, ...], key: str, line: int) -> None:
    assert tomllib.loads(CONFIG)  # the fixture itself is valid TOML
    assert find_line(CONFIG, table, key) == line


def test_finds_table_headers_when_no_key_is_given() -> None:
    assert find_line(CONFIG, ("gate",)) == 4
    assert find_line(CONFIG, ("gate", "thresholds")) == 8
    assert find_line(CONFIG, ("gate", "baseline")) == 6
    assert find_line(CONFIG, ("controls", "secrets.scan")) == 13


def test_keys_inside_strings_and_comments_are_not_keys() -> None:
    assert find_line(CONFIG, (), "gate") == 4  # the [gate] header, not the comment on line 2
    assert find_line(CONFIG, ("not", "a"), "header") is None
    assert find_line(CONFIG, ("controls", "secrets.scan"), "blok") is None


def test_a_key_inside_an_inline_table_points_at_the_enclosing_key() -> None:
    assert find_line(CONFIG, ("report", "inline"), "format") == 28
    assert find_line(CONFIG, ("report", "inline")) == 28


def test_missing_keys_and_tables_give_none() -> None:
    assert find_line(CONFIG, ("gate",), "nope") is None
    assert find_line(CONFIG, ("nope",)) is None
    assert find_line("", (), "x") is None


def test_dotted_keys_at_top_level_and_the_tables_they_create() -> None:
    text = 'version = 1\ngate.thresholds.block = "HIGH"\ngate.mode = "strict"\n'
    assert find_line(text, ("gate", "thresholds"), "block") == 2
    assert find_line(text, ("gate",), "mode") == 3
    # No [gate] header: the first dotted key that creates the table stands in for it.
    assert find_line(text, ("gate",)) == 2
    assert find_line(text, ("gate", "thresholds")) == 2


def test_whitespace_and_quotes_around_dotted_key_parts() -> None:
    text = '[ gate . "thresholds" ]\n  "blok" . \'x\'  =  1\n'
    assert find_line(text, ("gate", "thresholds", "blok"), "x") == 2
    assert find_line(text, ("gate", "thresholds")) == 1


def test_escapes_in_quoted_keys_are_decoded() -> None:
    text = '"a\\u00e9\\"b" = 1\n'
    assert tomllib.loads(text) == {'aé"b': 1}
    assert find_line(text, (), 'aé"b') == 1


def test_integers_index_arrays_of_tables() -> None:
    text = (
        '[[exception]]\nrule = "a/*"\n\n'
        '[[exception]]\nrule = "b/*"\n\n'
        '[[exception]]\nrule = "c/*"\nexpires = 2027-13-45\n'
    )
    assert find_line(text, ("exception", 0), "rule") == 2
    assert find_line(text, ("exception", 2)) == 7
    assert find_line(text, ("exception", 2), "rule") == 8
    assert find_line(text, ("exception", 1), "expires") is None
    assert find_line(text, ("exception", 3)) is None


def test_nested_arrays_of_tables_restart_per_parent_element() -> None:
    text = (
        "[[fruit]]\nname = 'apple'\n"
        "[[fruit.variety]]\nname = 'red'\n"
        "[[fruit.variety]]\nname = 'green'\n"
        "[[fruit]]\nname = 'banana'\n"
        "[[fruit.variety]]\nname = 'plantain'\n"
        "[fruit.physical]\ncolour = 'yellow'\n"
    )
    doc = tomllib.loads(text)
    assert doc["fruit"][1]["variety"][0]["name"] == "plantain"
    assert find_line(text, ("fruit", 0, "variety", 1), "name") == 6
    assert find_line(text, ("fruit", 1, "variety", 0), "name") == 10
    assert find_line(text, ("fruit", 1, "physical"), "colour") == 12


def test_arrays_of_inline_tables_point_at_the_array_key() -> None:
    text = 'exception = [\n  { rule = "a/*" },\n  { rule = "b/*" },\n]\nafter = 1\n'
    assert find_line(text, ("exception", 1), "rule") == 1
    assert find_line(text, (), "after") == 5


def test_prefix_searches_inside_pyproject_tool_tables() -> None:
    text = (
        "[project]\nname = 'app'\n\n"
        "[tool.black]\nline-length = 100\n\n"
        "[tool.lockgate.gate.thresholds]\nblok = 'HIGH'\n"
    )
    prefix = ("tool", "lockgate")
    assert find_line(text, ("gate", "thresholds"), "blok", prefix=prefix) == 8
    assert find_line(text, ("gate",), prefix=prefix) == 7
    assert find_line(text, (), "name", prefix=prefix) is None


def test_multiline_strings_with_trailing_quotes_and_escapes() -> None:
    text = 'a = """x\\"""\nb = 1"""""\nc = 2\nd = \'\'\'it\'s\'\'\'\'\'\ne = 3\n'
    assert tomllib.loads(text) == {"a": 'x"""\nb = 1""', "c": 2, "d": "it's''", "e": 3}
    assert find_line(text, (), "b") is None
    assert find_line(text, (), "c") == 3
    assert find_line(text, (), "e") == 5


def test_windows_line_endings() -> None:
    text = "[gate]\r\nmode = 1\r\n\r\n[report]\r\nformat = 2\r\n"
    assert find_line(text, ("report",), "format") == 5


def test_malformed_text_does_not_raise() -> None:
    text = '[gate\nmode = = 1\n"unterminated = 2\n[ok]\nkey = 3\n'
    assert find_line(text, ("ok",), "key") == 5


def test_did_you_mean_suggests_the_closest_choice() -> None:
    assert did_you_mean("blok", ["block", "warn", "track"]) == "block"
    assert did_you_mean("OWNER", ["owner", "reason"]) == "owner"
    assert did_you_mean("zzzzzz", ["block", "warn"]) is None
    assert did_you_mean("x", []) is None


def test_toml_error_position_moves_the_line_out_of_the_message() -> None:
    with pytest.raises(tomllib.TOMLDecodeError) as info:
        tomllib.loads('[gate]\nmode = "strict"\nblock = HIGH\n')
    message, line = toml_error_position(info.value)
    assert line == 3
    assert "line" not in message
    assert message.endswith("at column 9")


def test_toml_error_position_without_a_position() -> None:
    assert toml_error_position(tomllib.TOMLDecodeError("odd")) == ("odd", None)
