"""The shared YAML loader: plain data, exact lines, bounded against hostile documents."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockgate.model import ErrorKind
from lockgate.scanners.iac.parsers._yaml import (
    MAX_ALIAS_EXPANSION,
    YamlError,
    iter_documents,
    load_documents,
)
from lockgate.scanners.iac.resources import MAX_DEPTH, MAX_YAML_ALIASES

POD = """\
# a comment above
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, on: yes}
spec:
  containers:
  - name: app
    image: nginx:1.25
    args: |
      one
      two
  - name: side
    image: redis
# trailing comment
"""


def test_documents_are_plain_python_with_their_line_range() -> None:
    (doc,) = load_documents(POD, "pod.yaml")
    assert doc.data["spec"]["containers"][1] == {"name": "side", "image": "redis"}
    assert doc.data["spec"]["containers"][0]["args"] == "one\ntwo\n"
    assert (doc.start_line, doc.end_line) == (2, 15)
    assert doc.index == 0


def test_line_of_nested_keys_and_list_items() -> None:
    (doc,) = load_documents(POD)
    assert doc.line_of(("spec",)) == 7
    assert doc.line_of(("spec", "containers")) == 8
    assert doc.line_of(("spec", "containers", 1)) == 14
    assert doc.line_of(("spec", "containers", 1, "image")) == 15
    assert doc.line_of(("spec", "containers", -1, "name")) == 14
    assert doc.line_of(("metadata", "labels", "on")) == 6
    assert doc.line_of(()) == 2


def test_span_of_covers_the_whole_value() -> None:
    (doc,) = load_documents(POD)
    assert doc.span_of(("spec", "containers", 0)) == (9, 13)
    assert doc.span_of(("spec", "containers", 0, "args")) == (11, 13)
    assert doc.span_of(("metadata", "name")) == (5, 5)
    assert doc.span_of(("spec",)) == (7, 15)


def test_missing_path_is_none_unless_nearest_is_asked() -> None:
    (doc,) = load_documents(POD)
    assert doc.line_of(("spec", "volumes")) is None
    assert doc.line_of(("spec", "containers", 7)) is None
    assert doc.line_of(("metadata", "name", "deeper")) is None
    assert doc.line_of(("spec", "volumes", 0), nearest=True) == 7
    assert doc.span_of(("nope",)) is None


def test_keys_stay_strings_as_written_while_values_resolve() -> None:
    (doc,) = load_documents(
        "on: push\n1: one\ntrue: yes\nnull: ~\n3.5: x\nport: 0x1F\nmode: 0755\n"
    )
    assert doc.data == {
        "on": "push",
        "1": "one",
        "true": True,
        "null": None,
        "3.5": "x",
        "port": 31,
        "mode": 493,
    }


def test_scalars_resolve_like_yaml_1_1_but_dates_stay_text() -> None:
    text = (
        'a: 12\nb: "12"\nc: 1.5\nd: .inf\ne: no\nf: 2010-09-09\ng: !!str 7\nh: ""\n'
        "i: 1_000\nj: -3\nk: 'on'\n"
    )
    (doc,) = load_documents(text)
    assert doc.data == {
        "a": 12,
        "b": "12",
        "c": 1.5,
        "d": float("inf"),
        "e": False,
        "f": "2010-09-09",
        "g": "7",
        "h": "",
        "i": 1000,
        "j": -3,
        "k": "on",
    }


def test_merge_keys_and_aliases_copy_values() -> None:
    text = (
        "base: &base {image: nginx, ports: [80]}\n"
        "web:\n  <<: *base\n  image: custom\n"
        "other:\n  <<: [*base, {extra: 1}]\n"
        "copy: *base\n"
    )
    (doc,) = load_documents(text)
    assert doc.data["web"] == {"image": "custom", "ports": [80]}
    assert doc.data["other"] == {"image": "nginx", "ports": [80], "extra": 1}
    doc.data["copy"]["ports"].append(443)
    assert doc.data["base"]["ports"] == [80], "aliases must not share mutable values"
    assert doc.line_of(("web", "image")) == 4


def test_application_tags_go_to_the_handler_or_are_dropped() -> None:
    text = "a: !Ref Bucket\nb: !GetAtt [Role, Arn]\nc: !Sub\n  - x\n"
    (plain,) = load_documents(text)
    assert plain.data == {"a": "Bucket", "b": ["Role", "Arn"], "c": ["x"]}
    (tagged,) = load_documents(text, tag_handler=lambda tag, value: {tag: value})
    assert tagged.data["a"] == {"!Ref": "Bucket"}
    assert tagged.data["b"] == {"!GetAtt": ["Role", "Arn"]}


def test_multi_document_streams_keep_each_range_and_empty_documents() -> None:
    text = "a: 1\n---\n---\nb: 2\nc: 3\n...\n---\n[1, 2]\n"
    docs = load_documents(text)
    assert [d.data for d in docs] == [{"a": 1}, None, {"b": 2, "c": 3}, [1, 2]]
    assert [(d.start_line, d.end_line) for d in docs if d.data is not None] == [
        (1, 1),
        (4, 5),
        (8, 8),
    ]
    assert [d.index for d in docs] == [0, 1, 2, 3]


def test_json_with_tabs_loads() -> None:
    (doc,) = load_documents('{\n\t"kind": "Pod",\n\t"spec": {"x": [1, 2]}\n}\n')
    assert doc.data == {"kind": "Pod", "spec": {"x": [1, 2]}}
    assert doc.line_of(("spec", "x")) == 3


def test_syntax_error_is_located() -> None:
    with pytest.raises(YamlError) as caught:
        load_documents("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml")
    assert caught.value.line is not None and caught.value.line >= 2
    error = caught.value.to_control_error()
    assert error.kind is ErrorKind.INPUT and error.path == "bad.yaml" and not error.fatal
    assert error.line == caught.value.line


def test_documents_before_a_broken_one_are_still_delivered() -> None:
    stream = iter_documents("a: 1\n---\nb: [\n", "x.yaml")
    assert next(stream).data == {"a": 1}
    with pytest.raises(YamlError) as caught:
        next(stream)
    assert caught.value.path == "x.yaml"


def test_billion_laughs_is_refused_quickly_with_a_line() -> None:
    lines = ['lol0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        refs = ",".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    started = time.monotonic()
    with pytest.raises(YamlError) as caught:
        load_documents("\n".join(lines) + "\n")
    assert time.monotonic() - started < 5
    assert "alias" in caught.value.message
    assert caught.value.line is not None


def test_too_many_aliases_are_refused() -> None:
    text = "a: &a x\nb: [" + ", ".join(["*a"] * (MAX_YAML_ALIASES + 1)) + "]\n"
    with pytest.raises(YamlError, match="aliases"):
        load_documents(text)


def test_large_alias_expansion_is_refused() -> None:
    big = "{" + ", ".join(f"k{i}: {i}" for i in range(2000)) + "}"
    text = f"a: &a {big}\nb: [" + ", ".join(["*a"] * (MAX_ALIAS_EXPANSION // 2000 + 1)) + "]\n"
    with pytest.raises(YamlError, match="expand"):
        load_documents(text)


def test_recursive_and_undefined_aliases_are_errors() -> None:
    with pytest.raises(YamlError, match="recursive alias"):
        load_documents("&a [1, *a]\n")
    with pytest.raises(YamlError) as caught:
        load_documents("a: *nowhere\n")
    assert caught.value.line == 1


def test_deep_nesting_is_refused() -> None:
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    with pytest.raises(YamlError, match="nesting"):
        load_documents(deep)
    block = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * 200 + "v\n"
    with pytest.raises(YamlError, match="nesting"):
        load_documents(block)
    assert load_documents("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))[0].data is not None


def test_very_deep_flow_nesting_does_not_crash_libyaml() -> None:
    with pytest.raises(YamlError):
        load_documents("[" * 100_000)


def test_complex_keys_are_errors() -> None:
    with pytest.raises(YamlError, match="keys must be scalars"):
        load_documents("? [a, b]\n: 1\n")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"\n #,?0")), max_size=60))
def test_arbitrary_text_gives_data_or_yaml_error(text: str) -> None:
    try:
        documents = load_documents(text)
    except YamlError as exc:
        error: YamlError | None = exc
        documents = []
    else:
        error = None
    assert error is None or error.message
    for document in documents:
        assert document.start_line <= document.end_line
