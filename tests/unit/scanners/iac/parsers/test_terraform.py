"""Terraform configurations as checks see them: values resolved, instances expanded,
modules followed, related resources linked, unknowns listed, bad files isolated."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.model import ErrorKind, SkipReason
from lockgate.scanners.iac.parsers import terraform
from lockgate.scanners.iac.resources import ParseResult, Resource

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "iac" / "terraform"


def terraform_paths(root: Path) -> list[str]:
    """The paths the IaC control hands this parser: Terraform files by name, plans by
    content (as detect.py assigns them)."""
    found = []
    for file in sorted(root.rglob("*")):
        path = file.relative_to(root).as_posix()
        by_name = path.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json"))
        if by_name or (path.endswith(".json") and b'"planned_values"' in file.read_bytes()):
            found.append(path)
    return found


def parse_fixture(name: str) -> ParseResult:
    root = FIXTURES / name
    return terraform.parse(root, terraform_paths(root))


def by_address(result: ParseResult) -> dict[str, Resource]:
    resources = {r.address: r for r in result.resources}
    assert len(resources) == len(result.resources), "addresses must be unique"
    return resources


def write(root: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return sorted(files)


# --- variables, tfvars, locals ------------------------------------------------------------


def test_tfvars_override_defaults_in_terraform_precedence_order() -> None:
    result = parse_fixture("variables")
    bucket = by_address(result)["aws_s3_bucket.data"]
    logs = by_address(result)["aws_cloudwatch_log_group.app"]
    # a.auto.tfvars (env) beats terraform.tfvars; b.auto.tfvars.json (region) beats both;
    # terraform.tfvars.json (owner, retention) beats terraform.tfvars; team keeps its default
    assert bucket.data["tags"] == {
        "Env": "prod",
        "Owner": "tfvars-json",
        "Region": "ap-south-1",
        "Team": "platform",
    }
    assert logs.data == {"name": "/app/prod", "retention_in_days": 30}


def test_locals_resolve_through_a_chain_written_in_any_order() -> None:
    bucket = by_address(parse_fixture("variables"))["aws_s3_bucket.data"]
    assert bucket.data["bucket"] == "acme-prod-data"
    assert bucket.unknown == frozenset()


def test_a_tfvars_file_only_loaded_with_var_file_is_reported_as_skipped() -> None:
    result = parse_fixture("variables")
    skipped = {s.path: s for s in result.skipped}
    assert skipped["other.tfvars"].reason is SkipReason.NOT_APPLICABLE
    assert "-var-file" in skipped["other.tfvars"].detail
    assert "terraform.tfvars" not in skipped


def test_resources_carry_their_block_lines_and_kind() -> None:
    bucket = by_address(parse_fixture("variables"))["aws_s3_bucket.data"]
    assert (bucket.kind, bucket.type, bucket.path) == ("terraform", "aws_s3_bucket", "main.tf")
    assert (bucket.start_line, bucket.end_line) == (13, 16)
    assert bucket.module is None
    assert bucket.source_path is None


# --- count, for_each, dynamic blocks -----------------------------------------------------


def test_count_expands_into_indexed_instances_with_count_index() -> None:
    resources = by_address(parse_fixture("expansion"))
    webs = [resources[f"aws_instance.web[{i}]"] for i in range(3)]
    assert [w.data["tags"] for w in webs] == [
        {"Name": "web-0", "Zone": "a"},
        {"Name": "web-1", "Zone": "b"},
        {"Name": "web-2", "Zone": "c"},
    ]
    assert all((w.start_line, w.end_line) == (20, 28) for w in webs)
    assert "aws_instance.web" not in resources


def test_count_zero_creates_no_instance() -> None:
    resources = by_address(parse_fixture("expansion"))
    assert not [a for a in resources if a.startswith("aws_instance.disabled")]


def test_for_each_over_a_set_and_a_map_gives_keyed_instances() -> None:
    resources = by_address(parse_fixture("expansion"))
    assert resources['aws_iam_user.u["alice"]'].data == {"name": "alice"}
    assert resources['aws_iam_user.u["bob"]'].data == {"name": "bob"}
    assert len([a for a in resources if a.startswith("aws_iam_user.u")]) == 2  # set: no dupes
    assets = resources['aws_s3_bucket.b["assets"]']
    logs = resources['aws_s3_bucket.b["logs"]']
    assert assets.data == {"bucket": "acme-assets", "versioning": [{"enabled": True}]}
    assert logs.data == {"bucket": "acme-logs", "versioning": [{"enabled": False}]}


def test_dynamic_blocks_become_nested_blocks_after_the_static_ones() -> None:
    group = by_address(parse_fixture("expansion"))["aws_security_group.web"]
    assert [(i["from_port"], i["cidr_blocks"]) for i in group.data["ingress"]] == [
        (80, ["10.0.0.0/8"]),
        (22, ["10.0.0.0/8"]),
        (443, ["0.0.0.0/0"]),
    ]
    assert "dynamic" not in group.data


# --- modules --------------------------------------------------------------------------------


def test_local_modules_are_followed_with_inputs_and_module_addresses() -> None:
    resources = by_address(parse_fixture("modules"))
    data = resources["module.data.aws_s3_bucket.this"]
    logs = resources["module.logs.aws_s3_bucket.this"]
    assert data.data == {"bucket": "acme-prod-data"}
    assert logs.data == {"bucket": "acme-prod-logs"}
    assert data.module == "module.data"
    assert data.path == data.source_path == "modules/bucket/main.tf"
    assert (data.start_line, data.end_line) == (11, 13)
    versioning = resources["module.logs.aws_s3_bucket_versioning.this"]
    assert versioning.data["versioning_configuration"] == [{"status": "Suspended"}]


def test_nested_modules_get_the_full_module_path() -> None:
    resources = by_address(parse_fixture("modules"))
    document = resources["module.data.module.policy.data.aws_iam_policy_document.deny_http"]
    assert document.module == "module.data.module.policy"
    assert document.type == "data.aws_iam_policy_document"
    assert document.path == "modules/bucket/modules/policy/main.tf"
    assert document.data["statement"][0]["resources"] == ["arn:aws:s3:::acme-prod-data/*"]


def test_module_count_expands_module_instances() -> None:
    resources = by_address(parse_fixture("modules"))
    assert resources["module.net[0].aws_vpc.this"].data == {"cidr_block": "10.0.0.0/16"}
    assert resources["module.net[1].aws_vpc.this"].data == {"cidr_block": "10.1.0.0/16"}
    assert resources["module.net[1].aws_vpc.this"].module == "module.net[1]"


def test_module_outputs_link_resources_across_modules() -> None:
    resources = by_address(parse_fixture("modules"))
    bucket = resources["module.data.aws_s3_bucket.this"]
    policies = bucket.related["aws_s3_bucket_policy"]
    assert policies == [resources["aws_s3_bucket_policy.data"].data]
    assert resources["aws_s3_bucket_policy.data"].unknown == frozenset({"bucket"})


def test_called_modules_are_not_scanned_again_as_roots() -> None:
    resources = by_address(parse_fixture("modules"))
    assert "aws_s3_bucket.this" not in resources
    assert "aws_vpc.this" not in resources


def test_remote_modules_are_skipped_with_the_reason() -> None:
    result = parse_fixture("modules")
    remote = [s for s in result.skipped if "terraform-aws-modules/vpc/aws" in s.detail]
    assert len(remote) == 1
    assert remote[0].path == "main.tf"
    assert remote[0].reason is SkipReason.UNSUPPORTED
    assert "module.vpc" in remote[0].detail
    assert result.errors == ()


def test_a_module_calling_itself_is_bounded(tmp_path: Path) -> None:
    paths = write(
        tmp_path,
        {
            "a/main.tf": 'module "b" {\n  source = "../b"\n}\nresource "x" "a" {}\n',
            "b/main.tf": 'module "a" {\n  source = "../a"\n}\nresource "x" "b" {}\n',
        },
    )
    result = terraform.parse(tmp_path, paths)
    assert {r.address for r in result.resources} == {"x.a", "module.b.x.b"}
    assert any(s.reason is SkipReason.LIMIT for s in result.skipped)


# --- related resources ----------------------------------------------------------------------


def test_s3_split_resources_are_related_to_their_bucket() -> None:
    resources = by_address(parse_fixture("linking"))
    bucket = resources["aws_s3_bucket.data"]
    assert sorted(bucket.related) == [
        "aws_s3_bucket_acl",  # linked by the literal bucket name
        "aws_s3_bucket_logging",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning",
        "data.aws_iam_policy_document",
    ]
    block = bucket.related["aws_s3_bucket_public_access_block"]
    assert block == [resources["aws_s3_bucket_public_access_block.data"].data]
    assert block[0]["block_public_acls"] is True
    assert bucket.related["aws_s3_bucket_acl"][0]["acl"] == "private"


def test_logging_target_links_the_log_bucket_too() -> None:
    logs = by_address(parse_fixture("linking"))["aws_s3_bucket.logs"]
    assert list(logs.related) == ["aws_s3_bucket_logging"]


def test_security_group_rules_and_kms_aliases_are_related() -> None:
    resources = by_address(parse_fixture("linking"))
    group = resources["aws_security_group.web"]
    assert group.related["aws_security_group_rule"][0]["cidr_blocks"] == ["0.0.0.0/0"]
    assert group.related["aws_vpc_security_group_ingress_rule"][0]["from_port"] == 443
    assert len(group.related["aws_instance"]) == 2
    key = resources["aws_kms_key.data"]
    assert key.related["aws_kms_alias"] == [{"name": "alias/data"}]
    assert "aws_s3_bucket_server_side_encryption_configuration" in key.related


def test_an_indexed_reference_links_only_that_instance() -> None:
    resources = by_address(parse_fixture("linking"))
    assert "aws_eip" in resources["aws_instance.app[0]"].related
    assert "aws_eip" not in resources["aws_instance.app[1]"].related


def test_unrelated_resources_have_an_empty_related_map() -> None:
    resources = by_address(parse_fixture("linking"))
    assert resources["aws_s3_bucket_acl.data"].related == {}


# --- unknown values -------------------------------------------------------------------------


def test_unknown_values_are_left_out_and_listed() -> None:
    database = by_address(parse_fixture("unknowns"))["aws_db_instance.db"]
    assert database.data == {
        "engine": "postgres",
        "backup_retention_period": 7,
        "tags": {"Name": "db"},
    }
    assert database.unknown == frozenset(
        {"storage_encrypted", "username", "identifier", "tags.Owner"}
    )


def test_a_list_with_an_unknown_element_is_unknown_whole() -> None:
    group = by_address(parse_fixture("unknowns"))["aws_security_group.db"]
    assert group.data["ingress"] == [{"from_port": 5432, "to_port": 5432, "protocol": "tcp"}]
    assert {"ingress.0.cidr_blocks", "egress"} <= group.unknown
    assert "egress" not in group.data


def test_unknown_count_and_for_each_give_one_unexpanded_resource() -> None:
    resources = by_address(parse_fixture("unknowns"))
    maybe = resources["aws_instance.maybe"]
    assert maybe.unknown == frozenset({"count", "ami"})
    assert resources["aws_iam_user.each"].unknown == frozenset({"for_each", "name"})


def test_data_sources_are_resources_of_type_data() -> None:
    resources = by_address(parse_fixture("unknowns"))
    me = resources["data.aws_caller_identity.me"]
    assert (me.type, me.data) == ("data.aws_caller_identity", {})
    assert "aws_db_instance" in me.related


def test_provider_terraform_and_output_blocks_are_not_resources(tmp_path: Path) -> None:
    paths = write(
        tmp_path,
        {
            "main.tf": (
                'terraform {\n  required_version = ">= 1.5"\n}\n'
                'provider "aws" {\n  region = "eu-west-1"\n}\n'
                'output "x" {\n  value = 1\n}\n'
                'resource "aws_s3_bucket" "b" {}\n'
            )
        },
    )
    result = terraform.parse(tmp_path, paths)
    assert [r.address for r in result.resources] == ["aws_s3_bucket.b"]


# --- suppressions ---------------------------------------------------------------------------


def test_suppression_markers_above_and_inside_a_resource() -> None:
    resources = by_address(parse_fixture("suppress"))
    site = resources["aws_s3_bucket.site"]
    assert [(s.check_id, s.reason, s.line) for s in site.suppressions] == [
        ("LG-TF-001", "public website bucket, reviewed by security", 1),
        ("LG-TF-002", "same review", 4),
    ]
    assert resources["aws_s3_bucket.plain"].suppressions == ()


def test_suppressions_inside_modules_and_on_the_module_call() -> None:
    resources = by_address(parse_fixture("suppress"))
    inner = resources["module.quiet.aws_s3_bucket.inner"]
    legacy = resources["module.quiet.aws_s3_bucket.legacy"]
    assert {(s.check_id, s.line) for s in inner.suppressions} == {("LG-TF-003", 6), ("*", 11)}
    assert [(s.check_id, s.line) for s in legacy.suppressions] == [("*", 11)]


# --- bad input ------------------------------------------------------------------------------


def test_a_malformed_file_is_a_located_error_and_the_others_are_read() -> None:
    result = parse_fixture("malformed")
    assert [r.address for r in result.resources] == ["aws_s3_bucket.fine"]
    errors = {e.path: e for e in result.errors}
    assert set(errors) == {"bad.tf", "bad.tf.json", "terraform.tfvars"}
    assert all(e.kind is ErrorKind.INPUT and not e.fatal for e in errors.values())
    assert errors["bad.tf"].line == 3
    assert "line 3, column 12" in errors["bad.tf"].message
    assert errors["bad.tf.json"].line == 6
    assert errors["terraform.tfvars"].line == 1


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('resource "a" "b" {\n  x = 1\n', 3),
        ('resource "a" "b" {\n  x = [1, 2\n}\n', 3),
        ("\x00\x01", 1),
    ],
)
def test_truncated_and_garbage_hcl_are_located_errors(tmp_path: Path, text: str, line: int) -> None:
    paths = write(tmp_path, {"main.tf": text})
    result = terraform.parse(tmp_path, paths)
    assert result.resources == ()
    assert [(e.path, e.line) for e in result.errors] == [("main.tf", line)]


def test_deep_nesting_and_huge_counts_are_bounded(tmp_path: Path) -> None:
    paths = write(
        tmp_path,
        {
            "deep.tf": 'resource "a" "deep" {\n  v = ' + "[" * 3000 + "]" * 3000 + "\n}\n",
            "blocks.tf": 'resource "a" "blocks" {\n' + "b {\n" * 150 + "}\n" * 150 + "}\n",
            "many.tf": 'resource "a" "many" {\n  count = 100000000\n}\n',
            "ok.tf": 'resource "a" "ok" {}\n',
        },
    )
    result = terraform.parse(tmp_path, paths)
    assert {r.address for r in result.resources} == {"a.many", "a.ok"}
    assert by_address(result)["a.many"].unknown == frozenset({"count"})
    assert {e.path for e in result.errors} == {"deep.tf", "blocks.tf"}
    assert [s.reason for s in result.skipped] == [SkipReason.LIMIT]


def test_files_outside_the_root_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "root"
    write(outside, {"secret.tf": 'resource "a" "outside" {}\n'})
    root.mkdir()
    (root / "link.tf").symlink_to(outside / "secret.tf")
    result = terraform.parse(root, ["link.tf"])
    assert result.resources == ()
    assert [s.reason for s in result.skipped] == [SkipReason.SYMLINK_OUTSIDE]


# --- JSON syntax ----------------------------------------------------------------------------


def test_tf_json_files_read_like_hcl_with_templates_and_lines() -> None:
    resources = by_address(parse_fixture("json"))
    bucket = resources["aws_s3_bucket.data"]
    assert bucket.data == {
        "bucket": "acme-prod-data",
        "tags": {"Env": "prod", "Raw": "${not_a_template}"},
    }
    assert (bucket.path, bucket.start_line, bucket.end_line) == ("main.tf.json", 9, 12)
    assert list(bucket.related) == ["aws_s3_bucket_public_access_block"]


def test_override_files_merge_into_the_blocks_they_name(tmp_path: Path) -> None:
    paths = write(
        tmp_path,
        {
            "main.tf": (
                'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  acl    = "private"\n'
                "  versioning {\n    enabled = true\n  }\n}\n"
            ),
            "override.tf": (
                'resource "aws_s3_bucket" "b" {\n  acl = "public-read"\n'
                "  versioning {\n    enabled = false\n  }\n}\n"
            ),
        },
    )
    result = terraform.parse(tmp_path, paths)
    (bucket,) = result.resources
    assert bucket.data == {"bucket": "x", "acl": "public-read", "versioning": [{"enabled": False}]}
    assert (bucket.path, bucket.start_line) == ("main.tf", 1)


def test_modules_downloaded_by_terraform_init_are_not_scanned(tmp_path: Path) -> None:
    paths = write(
        tmp_path,
        {
            "main.tf": 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n',
            ".terraform/modules/vpc/main.tf": 'resource "aws_vpc" "this" {}\n',
            ".terraform/modules/vpc/outputs.tf": 'output "id" {\n  value = 1\n}\n',
        },
    )
    result = terraform.parse(tmp_path, paths)
    assert result.resources == ()
    details = {s.path: s.detail for s in result.skipped}
    assert "terraform init" in details[".terraform"]
    assert "remote module" in details["main.tf"]
