"""CloudFormation templates as checks see them: long-form functions, defaults, links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lockgate.model import ErrorKind, SkipReason
from lockgate.scanners.iac.parsers import cloudformation
from lockgate.scanners.iac.resources import Resource

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "iac" / "cloudformation"


def resources(*paths: str) -> dict[str, Resource]:
    result = cloudformation.parse(FIXTURES, list(paths))
    assert result.errors == ()
    return {r.address: r for r in result.resources}


def test_yaml_template_resources_types_and_lines() -> None:
    found = resources("storage.yaml")
    assert list(found) == ["Logs", "LogsPolicy", "Alarm", "Topic"]
    logs = found["Logs"]
    assert (logs.kind, logs.type, logs.path) == (
        "cloudformation",
        "AWS::S3::Bucket",
        "storage.yaml",
    )
    assert (logs.start_line, logs.end_line) == (15, 30)
    assert (found["LogsPolicy"].start_line, found["LogsPolicy"].end_line) == (33, 43)
    assert (found["Topic"].start_line, found["Topic"].end_line) == (61, 62)


def test_short_form_tags_become_long_form() -> None:
    alarm = resources("storage.yaml")["Alarm"].data
    props = alarm["Properties"]
    assert props["AlarmActions"] == [{"Fn::GetAtt": ["Topic", "TopicArn"]}]
    assert props["Dimensions"][0]["Value"] == {
        "Fn::Join": ["", [{"Ref": "Logs"}, {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}]]
    }
    assert props["Az"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert props["Image"] == {"Fn::FindInMap": ["Images", {"Ref": "AWS::Region"}, "Id"]}
    assert props["Data"] == {"Fn::Base64": "hello"}
    assert props["Cidrs"] == {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}
    assert props["Imported"] == {"Fn::ImportValue": "SharedVpc"}
    assert props["Enabled"] == {
        "Fn::If": [
            "IsProd",
            {"Fn::And": [{"Fn::Not": [{"Condition": "IsProd"}]}, {"Fn::Or": [True, False]}]},
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert props["Rendered"] == {
        "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://x/y.yaml"}}
    }
    assert alarm["DependsOn"] == "Logs"
    # the data is plain JSON-able data
    json.dumps(alarm)


def test_parameter_defaults_are_substituted_and_missing_ones_are_unknown() -> None:
    logs = resources("storage.yaml")["Logs"]
    props = logs.data["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    # Env has a default, AWS::AccountId is only known at deploy time
    assert props["BucketName"] == {"Fn::Sub": "prod-logs-${AWS::AccountId}"}
    assert props["Tags"][0]["Value"] == "logs-prod"
    key = "Properties.BucketEncryption.ServerSideEncryptionConfiguration.0"
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ]["KMSMasterKeyID"] == {"Ref": "KmsKeyArn"}
    assert logs.unknown == frozenset({f"{key}.ServerSideEncryptionByDefault.KMSMasterKeyID"})


def test_related_resources_reference_this_one() -> None:
    found = resources("storage.yaml")
    logs = found["Logs"]
    assert set(logs.related) == {"AWS::S3::BucketPolicy", "AWS::CloudWatch::Alarm"}
    (policy,) = logs.related["AWS::S3::BucketPolicy"]
    assert policy["Properties"]["Bucket"] == {"Ref": "Logs"}
    assert found["Topic"].related == {"AWS::CloudWatch::Alarm": [found["Alarm"].data]}
    # DependsOn alone is not a reference from the properties; nothing points at the policy
    assert found["LogsPolicy"].related == {}
    assert found["Alarm"].related == {}


def test_sub_references_link_resources() -> None:
    found = resources("storage.yaml")
    statement = found["LogsPolicy"].data["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Resource"] == {"Fn::Sub": "${Logs.Arn}/*"}


def test_suppression_comment_above_a_resource() -> None:
    found = resources("storage.yaml")
    assert [(s.check_id, s.line) for s in found["LogsPolicy"].suppressions] == [("LG-CFN-010", 32)]
    assert found["Logs"].suppressions == ()


def test_json_template_lines_defaults_and_links() -> None:
    found = resources("function.json")
    role, function = found["Role"], found["Fn"]
    assert (role.start_line, role.end_line) == (7, 12)
    assert (function.start_line, function.end_line) == (13, 20)
    assert function.data["Properties"]["Runtime"] == "python3.12"
    assert role.related == {"AWS::Lambda::Function": [function.data]}


def test_sam_resources_are_kept_as_written() -> None:
    found = resources("sam.yaml")
    api = found["Api"]
    assert api.type == "AWS::Serverless::Function"
    assert api.data["Properties"]["Events"]["Upload"]["Properties"]["Bucket"] == {"Ref": "Uploads"}
    assert found["Uploads"].related == {"AWS::Serverless::Function": [api.data]}


def test_no_resources_is_skipped_and_malformed_templates_are_located() -> None:
    result = cloudformation.parse(
        FIXTURES, ["outputs-only.yaml", "broken.yaml", "broken.json", "function.json"]
    )
    assert [r.address for r in result.resources] == ["Role", "Fn"]
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("outputs-only.yaml", SkipReason.NOT_APPLICABLE)
    ]
    errors = {e.path: e for e in result.errors}
    assert set(errors) == {"broken.yaml", "broken.json"}
    assert all(e.kind is ErrorKind.INPUT and not e.fatal for e in errors.values())
    assert errors["broken.json"].line == 4
    assert errors["broken.yaml"].line in (6, 7)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Resources:\n  A:\n    Properties: {}\n  B:\n    Type: AWS::SNS::Topic\n", 2, "'Type'"),
        ("Resources: [a]\n", None, "'Resources' must be a mapping"),
        ("- Resources\n", 1, "must be a mapping"),
        ("Resources:\n  A: {Type: X}\n---\nResources: {}\n", 4, "one YAML document"),
    ],
)
def test_invalid_templates(tmp_path: Path, text: str, line: int | None, message: str) -> None:
    (tmp_path / "t.yaml").write_text(text)
    result = cloudformation.parse(tmp_path, ["t.yaml"])
    (error,) = result.errors
    assert (error.path, error.line) == ("t.yaml", line)
    assert message in error.message
    if "'Type'" in message:  # the other resource is still read
        assert [r.address for r in result.resources] == ["B"]


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    depth = 150
    (tmp_path / "t.json").write_text(
        '{"Resources": {"A": {"Type": "X", "P": ' + "[" * depth + "]" * depth + "}}}"
    )
    (error,) = cloudformation.parse(tmp_path, ["t.json"]).errors
    assert "nest" in error.message


def test_foreach_is_skipped_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Transform: AWS::LanguageExtensions\nResources:\n"
        "  Fn::ForEach::Topics:\n    - Name\n    - [a, b]\n"
        "    - Topic${Name}: {Type: AWS::SNS::Topic}\n"
        "  Queue:\n    Type: AWS::SQS::Queue\n"
    )
    result = cloudformation.parse(tmp_path, ["t.yaml"])
    assert [r.address for r in result.resources] == ["Queue"]
    (skip,) = result.skipped
    assert skip.reason is SkipReason.UNSUPPORTED and "Fn::ForEach" in skip.detail


def test_sub_forms(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n  Env: {Type: String, Default: dev}\n  Key: {Type: String}\n"
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
        "      A: !Sub '${Env}-${!Literal}'\n"
        "      B: !Sub ['${Name}-${Env}', {Name: x}]\n"
        "      C: !Sub '${Key}-${!Literal}'\n"
        "      D: !Sub ['${Arn}', {Arn: !GetAtt Other.Arn}]\n"
    )
    (queue,) = cloudformation.parse(tmp_path, ["t.yaml"]).resources
    props = queue.data["Properties"]
    assert props["A"] == "dev-${Literal}"
    assert props["B"] == "x-dev"
    assert props["C"] == {"Fn::Sub": "${Key}-${!Literal}"}
    assert props["D"] == {"Fn::Sub": ["${Arn}", {"Arn": {"Fn::GetAtt": ["Other", "Arn"]}}]}
    assert queue.unknown == {"Properties.C"}


def test_list_and_ssm_parameters(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n"
        "  Cidrs: {Type: CommaDelimitedList, Default: '10.0.0.0/8, 192.168.0.0/16'}\n"
        "  Ami: {Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: /ami/latest}\n"
        "Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n"
        "      ImageId: !Ref Ami\n      Cidrs: !Ref Cidrs\n"
    )
    (instance,) = cloudformation.parse(tmp_path, ["t.yaml"]).resources
    assert instance.data["Properties"] == {
        "ImageId": {"Ref": "Ami"},
        "Cidrs": ["10.0.0.0/8", "192.168.0.0/16"],
    }
    assert instance.unknown == {"Properties.ImageId"}
