"""Terraform expressions: what a check sees for the common ways values are written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lockgate.scanners.iac.parsers import terraform
from lockgate.scanners.iac.resources import Resource

PRELUDE = """
variable "env" {
  default = "prod"
}
variable "cfg" {
  default = { enabled = true, ports = [22, 80], name = "Web" }
}
variable "names" {
  default = ["b", "a", "b"]
}
variable "unset" {}
"""


def resource(tmp_path: Path, body: str, *, extra: str = "") -> Resource:
    """The single ``test.r`` resource with ``body`` as its block content."""
    (tmp_path / "main.tf").write_text(f'{PRELUDE}{extra}\nresource "test" "r" {{\n{body}\n}}\n')
    result = terraform.parse(tmp_path, ["main.tf"])
    assert result.errors == ()
    (found,) = [r for r in result.resources if r.address == "test.r"]
    return found


def value(tmp_path: Path, expression: str) -> Any:
    found = resource(tmp_path, f"  v = {expression}")
    if "v" not in found.data:
        assert "v" in found.unknown
        return "<unknown>"
    return found.data["v"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('"plain"', "plain"),
        ('"tab\\tquote\\"u\\u00e9"', 'tab\tquote"ué'),
        ('"${var.env}-x"', "prod-x"),
        ('"${var.cfg.enabled}"', True),  # a lone interpolation keeps its type
        ('"n=${var.cfg.ports[1]}"', "n=80"),
        ('"a $${literal} %%{x}"', "a ${literal} %{x}"),
        ("1.5", 1.5),
        ("-3", -3),
        ("null", None),
        ("(2 + 3) * 4 % 7 / 2", 3),
        ("10 / 4", 2.5),
        ('var.env == "prod" && !false', True),
        ('var.env != "prod" || var.cfg.enabled', True),
        ("1 == true", False),
        ("3 >= 2", True),
        ('var.cfg.enabled ? "on" : "off"', "on"),
        ('{ a = 1, "b" = 2, (var.env) = 3 }', {"a": 1, "b": 2, "prod": 3}),
        ("var.cfg.ports.0", 22),
        ('var.cfg["name"]', "Web"),
        ("[{ id = 1 }, { id = 2 }][*].id", [1, 2]),
        ('[for n in var.names : upper(n) if n != "a"]', ["B", "B"]),
        ("{ for i, n in var.names : n => i... }", {"a": [1], "b": [0, 2]}),
        ('{ for n in var.names : n => n if n == "a" }', {"a": "a"}),
    ],
)
def test_expressions(tmp_path: Path, expression: str, expected: Any) -> None:
    assert value(tmp_path, expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('lower("ACME")', "acme"),
        ('upper("acme")', "ACME"),
        ('title("hello world")', "Hello World"),
        ('trimspace("  x ")', "x"),
        ('format("%s-%03d-%v-%q", "a", 7, true, "q")', 'a-007-true-"q"'),
        ('formatlist("id-%s", ["a", "b"])', ["id-a", "id-b"]),
        ('join(",", ["a", "b"])', "a,b"),
        ('split(",", "a,b")', ["a", "b"]),
        ('replace("a-b-c", "-", "_")', "a_b_c"),
        ('substr("hello", 1, 3)', "ell"),
        ('concat(["a"], ["b", "c"])', ["a", "b", "c"]),
        ("merge({ a = 1, b = 1 }, { b = 2 })", {"a": 1, "b": 2}),
        ('tolist(toset(["b", "a", "b"]))', ["a", "b"]),
        ("length(var.names)", 3),
        ("keys({ b = 1, a = 2 })", ["a", "b"]),
        ("values({ b = 1, a = 2 })", [2, 1]),
        ('lookup({ a = 1 }, "b", "dflt")', "dflt"),
        ('contains(["a", "b"], "b")', True),
        ("element([1, 2, 3], 4)", 2),
        ("flatten([[1], [2, [3]]])", [1, 2, 3]),
        ("distinct([1, 1, 2])", [1, 2]),
        ('coalesce("", "x")', "x"),
        ('compact(["a", "", "b"])', ["a", "b"]),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ("range(3)", [0, 1, 2]),
        ("max(1, 5, 3)", 5),
        ("min(4, 2)", 2),
        ("abs(-2)", 2),
        ("ceil(1.2)", 2),
        ('jsonencode({ b = [1, true], a = "<&>" })', '{"a":"\\u003c\\u0026\\u003e","b":[1,true]}'),
        ('jsondecode("{\\"a\\": [1, 2]}")', {"a": [1, 2]}),
        ('base64encode("hi")', "aGk="),
        ('sha256("x")', "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"),
        ("tostring(5)", "5"),
        ('tonumber("5")', 5),
        ('tobool("true")', True),
        ('try(var.cfg.missing, "fallback")', "fallback"),
        ("can(var.cfg.missing)", False),
        ("can(var.cfg.name)", True),
        ("one([7])", 7),
        ('startswith("acme-data", "acme")', True),
        ("alltrue([true, var.cfg.enabled])", True),
        ('setunion(["b"], ["a", "b"])', ["a", "b"]),
    ],
)
def test_functions(tmp_path: Path, expression: str, expected: Any) -> None:
    assert value(tmp_path, expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "var.unset",
        '"prefix-${var.unset}"',
        "upper(var.unset)",
        "aws_s3_bucket.other.id",
        "data.aws_caller_identity.me.account_id",
        "uuid()",
        "timestamp()",
        "not_a_terraform_function(1)",
        'provider::aws::arn_parse("arn:aws:s3:::x")',
        'replace("a1", "/[0-9]/", "")',  # RE2 regular expression: not emulated
        "self.id",
        "var.unset ? 1 : 2",
        "[for n in var.unset : n]",
        "{ (var.unset) = 1 }",
        "var.cfg.missing",  # Terraform would refuse it: never a made-up value
        "var.cfg.ports[5]",
        '"a" + 1',
        "merge(var.unset, {})",
        "jsonencode({ a = var.unset })",
    ],
)
def test_what_cannot_be_known_is_unknown(tmp_path: Path, expression: str) -> None:
    assert value(tmp_path, expression) == "<unknown>"


def test_partly_known_values_keep_what_is_known(tmp_path: Path) -> None:
    found = resource(
        tmp_path,
        "  tags = merge({ Env = var.env }, { Owner = var.unset })\n"
        "  flag = false && var.unset\n"
        "  any  = true || var.unset\n"
        "  size = length([var.unset, 1])",
    )
    assert found.data == {"tags": {"Env": "prod"}, "flag": False, "any": True, "size": 2}
    assert found.unknown == frozenset({"tags.Owner"})


def test_heredocs_are_dedented_and_interpolated(tmp_path: Path) -> None:
    found = resource(
        tmp_path,
        '  policy = <<-EOT\n    {"Env": "${var.env}",\n      "n": 1}\n    EOT\n'
        "  plain = <<EOF\nraw ${var.env}\nEOF",
    )
    assert found.data["policy"] == '{"Env": "prod",\n  "n": 1}\n'
    assert found.data["plain"] == "raw prod\n"


def test_file_reads_inside_the_workspace_only(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text('{"Statement": []}')
    found = resource(
        tmp_path,
        '  inside  = file("${path.module}/policy.json")\n'
        '  outside = file("../../etc/passwd")\n'
        '  missing = file("nope.json")',
    )
    assert found.data == {"inside": '{"Statement": []}'}
    assert found.unknown == frozenset({"outside", "missing"})


def test_templatefile_renders_with_its_variables(tmp_path: Path) -> None:
    (tmp_path / "user_data.tpl").write_text("#!/bin/sh\necho ${name} ${upper(env)}\n")
    found = resource(tmp_path, '  v = templatefile("user_data.tpl", { name = "web", env = "x" })')
    assert found.data["v"] == "#!/bin/sh\necho web X\n"


def test_locals_referring_to_each_other_in_a_cycle_are_unknown(tmp_path: Path) -> None:
    found = resource(tmp_path, "  v = local.a", extra="locals {\n  a = local.b\n  b = local.a\n}\n")
    assert found.unknown == frozenset({"v"})


def test_nested_and_labelled_blocks(tmp_path: Path) -> None:
    found = resource(
        tmp_path,
        '  rule {\n    id = "a"\n    filter {\n      prefix = "x/"\n    }\n  }\n'
        '  rule {\n    id = "b"\n  }\n'
        '  provisioner "local-exec" {\n    command = "echo"\n  }\n'
        "  lifecycle {\n    prevent_destroy = true\n  }\n"
        "  depends_on = [aws_s3_bucket.x]",
    )
    assert found.data == {
        "rule": [{"id": "a", "filter": [{"prefix": "x/"}]}, {"id": "b"}],
        "provisioner": [{"local-exec": {"command": "echo"}}],
    }


def test_a_dynamic_block_over_an_empty_collection_adds_no_block(tmp_path: Path) -> None:
    found = resource(
        tmp_path,
        '  dynamic "rule" {\n    for_each = []\n    content {\n      id = rule.key\n    }\n  }\n'
        '  dynamic "tag" {\n    for_each = { a = "x" }\n    content {\n'
        "      key   = tag.key\n      value = tag.value\n    }\n  }",
    )
    assert found.data == {"tag": [{"key": "a", "value": "x"}]}
