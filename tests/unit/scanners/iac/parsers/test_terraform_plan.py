"""Terraform plan JSON (``terraform show -json``): planned values, unknowns, lines, links."""

from __future__ import annotations

import json
from pathlib import Path

from lockgate.model import ErrorKind
from lockgate.scanners.iac.parsers import terraform
from lockgate.scanners.iac.resources import ParseResult, Resource

PLAN = Path(__file__).resolve().parents[4] / "fixtures" / "iac" / "terraform" / "plan"


def parse_plan() -> dict[str, Resource]:
    result = terraform.parse(PLAN, ["tfplan.json"])
    assert (result.errors, result.skipped) == ((), ())
    return {r.address: r for r in result.resources}


def test_planned_values_become_resources_with_their_addresses() -> None:
    resources = parse_plan()
    assert sorted(resources) == [
        "aws_s3_bucket.data",
        "aws_s3_bucket_public_access_block.data",
        'aws_security_group.web["public"]',
        "data.aws_caller_identity.me",
        "module.logs[0].aws_s3_bucket.this",
        "module.logs[0].aws_s3_bucket_versioning.this",
    ]
    bucket = resources["aws_s3_bucket.data"]
    assert (bucket.kind, bucket.type, bucket.path) == ("terraform", "aws_s3_bucket", "tfplan.json")
    assert bucket.data["bucket"] == "acme-prod-data"
    assert resources["data.aws_caller_identity.me"].type == "data.aws_caller_identity"


def test_lines_point_at_the_address_key_in_planned_values() -> None:
    resources = parse_plan()
    bucket = resources["aws_s3_bucket.data"]
    lines = (PLAN / "tfplan.json").read_text().splitlines()
    assert '"address": "aws_s3_bucket.data"' in lines[bucket.start_line - 1]
    assert bucket.start_line < bucket.end_line
    assert lines[bucket.end_line - 1].strip().startswith("}")
    document = resources["data.aws_caller_identity.me"]
    assert document.start_line < 80  # planned_values, not the prior_state copy further down


def test_after_unknown_paths_are_listed_as_unknown() -> None:
    resources = parse_plan()
    assert resources["aws_s3_bucket.data"].unknown == frozenset(
        {"arn", "id", "versioning", "policy"}
    )
    group = resources['aws_security_group.web["public"]']
    assert group.unknown == frozenset(
        {"arn", "ingress.0.security_groups", "ingress.0.ipv6_cidr_blocks"}
    )
    assert group.data["ingress"][0]["cidr_blocks"] == ["0.0.0.0/0"]


def test_module_resources_carry_the_module_address() -> None:
    resources = parse_plan()
    versioning = resources["module.logs[0].aws_s3_bucket_versioning.this"]
    assert versioning.module == "module.logs[0]"
    assert resources["aws_s3_bucket.data"].module is None


def test_configuration_references_link_related_resources() -> None:
    resources = parse_plan()
    bucket = resources["aws_s3_bucket.data"]
    block = resources["aws_s3_bucket_public_access_block.data"]
    assert bucket.related == {"aws_s3_bucket_public_access_block": [block.data]}
    logs = resources["module.logs[0].aws_s3_bucket.this"]
    assert list(logs.related) == ["aws_s3_bucket_versioning"]


def test_state_json_values_are_read_too(tmp_path: Path) -> None:
    state = {
        "format_version": "1.0",
        "terraform_version": "1.6.6",
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_s3_bucket.b",
                        "mode": "managed",
                        "type": "aws_s3_bucket",
                        "name": "b",
                        "values": {"bucket": "b", "acl": "public-read"},
                    }
                ]
            }
        },
    }
    (tmp_path / "state.json").write_text(json.dumps(state, indent=2))
    result = terraform.parse(tmp_path, ["state.json"])
    assert [(r.address, r.data["acl"], r.start_line) for r in result.resources] == [
        ("aws_s3_bucket.b", "public-read", 8)
    ]


def test_truncated_or_foreign_json_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "truncated.json").write_text('{\n  "planned_values": {\n    "root_module": {')
    (tmp_path / "other.json").write_text('{"terraform_version": "1.6.0"}')
    result: ParseResult = terraform.parse(tmp_path, ["other.json", "truncated.json"])
    assert result.resources == ()
    errors = {e.path: e for e in result.errors}
    assert errors["truncated.json"].kind is ErrorKind.INPUT
    assert errors["truncated.json"].line == 3
    assert "invalid plan JSON" in errors["truncated.json"].message
    assert "no planned_values" in errors["other.json"].message


def test_plans_and_configurations_parse_together(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "hcl" {\n  bucket = "x"\n}\n')
    (tmp_path / "tfplan.json").write_text((PLAN / "tfplan.json").read_text())
    result = terraform.parse(tmp_path, ["main.tf", "tfplan.json"])
    paths = {r.address: r.path for r in result.resources}
    assert paths["aws_s3_bucket.hcl"] == "main.tf"
    assert paths["aws_s3_bucket.data"] == "tfplan.json"
