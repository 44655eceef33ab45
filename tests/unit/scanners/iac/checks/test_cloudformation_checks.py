"""The built-in CloudFormation checks (``checks/cloudformation.yaml``) as users meet them: every
check's own examples, whole templates read by the CloudFormation parser with the exact
findings they must produce (an insecure data tier and platform, their hardened equivalents
passing everything, the same template in JSON, SAM), parameters with and without defaults, and
intrinsic functions or mistyped values that must never make a check error or misfire."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from lockgate.scanners.iac.checks import BUILTIN_DIR, Check, load_check_files
from lockgate.scanners.iac.engine import CheckEngine, Verdict, evaluate_example
from lockgate.scanners.iac.parsers import cloudformation
from lockgate.scanners.iac.resources import Resource
from tests.unit.scanners.iac.checks._support import failing_of, verdicts_of

CHECK_FILE = BUILTIN_DIR / "cloudformation.yaml"
CHECKS: dict[str, Check] = load_check_files([CHECK_FILE]).by_id()
ENGINE = CheckEngine(tuple(CHECKS.values()))
verdicts = partial(verdicts_of, ENGINE)
failing = partial(failing_of, ENGINE)


def ids(*numbers: int) -> set[str]:
    return {f"LG-CFN-{n:03d}" for n in numbers}


def parse(tmp_path: Path, text: str, name: str = "template.yaml") -> dict[str, Resource]:
    """The template as the CloudFormation parser hands it to the engine, by logical id."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = cloudformation.parse(tmp_path, [name])
    assert not result.errors, result.errors
    return {r.address: r for r in result.resources}


def findings(resources: dict[str, Resource]) -> dict[str, set[str]]:
    return {address: failing(resource) for address, resource in resources.items()}


# ------------------------------------------------------------------ the check file itself


def test_file_holds_36_checks_numbered_without_gaps() -> None:
    assert sorted(CHECKS) == [f"LG-CFN-{n:03d}" for n in range(1, 37)]
    assert all(c.kind == "cloudformation" and c.types for c in CHECKS.values())


def test_every_check_documents_itself_for_migrating_users() -> None:
    titles = [c.title for c in CHECKS.values()]
    assert len(set(titles)) == len(titles), "two checks share a title"
    for check in CHECKS.values():
        assert len(check.description) > 80, check.id
        assert len(check.remediation) > 20, check.id
        assert check.references, check.id
        assert all(r.startswith("https://") for r in check.references), check.id
        assert set(check.aliases) == {"checkov", "trivy"}, check.id
        assert all(re.fullmatch(r"CKV2?_AWS_\d+", a) for a in check.aliases["checkov"]), check.id
        assert all(re.fullmatch(r"AVD-AWS-\d{4}", a) for a in check.aliases["trivy"]), check.id


def test_every_check_selects_cloudformation_resource_types() -> None:
    for check in CHECKS.values():
        assert check.types is not None
        assert all(re.fullmatch(r"AWS::\w+::\w+", t) for t in check.types), check.id


def test_each_check_has_a_terraform_twin_with_the_same_title() -> None:
    """Users who run both formats see the same rule under the same name."""
    terraform = {c.title for c in load_check_files([BUILTIN_DIR / "terraform_aws.yaml"]).checks}
    assert {c.title for c in CHECKS.values()} <= terraform


# ------------------------------------------------------------------ bucket, security group, RDS

INSECURE_DATA_TIER = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DbPassword:
    Type: String
    NoEcho: true
Resources:
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-customer-data
      AccessControl: PublicRead
      PublicAccessBlockConfiguration:
        BlockPublicAcls: false
        BlockPublicPolicy: false
        IgnorePublicAcls: false
        RestrictPublicBuckets: false
      VersioningConfiguration:
        Status: Suspended
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Statement:
          - Sid: PublicRead
            Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub "${DataBucket.Arn}/*"
  DbSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: database
      VpcId: vpc-0123
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 5432
          ToPort: 5432
          CidrIp: 0.0.0.0/0
        - IpProtocol: tcp
          FromPort: "22"
          ToPort: "22"
          CidrIpv6: ::/0
      SecurityGroupEgress:
        - IpProtocol: "-1"
          CidrIp: 0.0.0.0/0
  OpenEverything:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt DbSecurityGroup.GroupId
      IpProtocol: -1
      CidrIp: 0.0.0.0/0
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      MasterUsername: app
      MasterUserPassword: !Ref DbPassword
      PubliclyAccessible: true
      BackupRetentionPeriod: 0
      VPCSecurityGroups: [!GetAtt DbSecurityGroup.GroupId]
"""

HARDENED_DATA_TIER = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DbPassword:
    Type: String
    NoEcho: true
Resources:
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-customer-data
      OwnershipControls:
        Rules: [{ObjectOwnership: BucketOwnerEnforced}]
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !Ref DataKey
            BucketKeyEnabled: true
      VersioningConfiguration:
        Status: Enabled
      LoggingConfiguration:
        DestinationBucketName: acme-access-logs
        LogFilePrefix: customer-data/
  DataKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Statement:
          - Sid: ReaderRole
            Effect: Allow
            Principal: {AWS: arn:aws:iam::111122223333:role/reader}
            Action: s3:GetObject
            Resource: !Sub "${DataBucket.Arn}/*"
          - Sid: TlsOnly
            Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource: !Sub "${DataBucket.Arn}/*"
            Condition: {Bool: {aws:SecureTransport: "false"}}
  DbSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: database
      VpcId: vpc-0123
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 5432
          ToPort: 5432
          SourceSecurityGroupId: sg-0app
      SecurityGroupEgress:
        - IpProtocol: "-1"
          CidrIp: 10.0.0.0/16
  Database:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Snapshot
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      MasterUsername: app
      MasterUserPassword: !Ref DbPassword
      StorageEncrypted: true
      BackupRetentionPeriod: 14
      DeletionProtection: true
      EnableIAMDatabaseAuthentication: true
      VPCSecurityGroups: [!GetAtt DbSecurityGroup.GroupId]
"""


def test_insecure_data_tier_reports_exactly_the_expected_findings(tmp_path: Path) -> None:
    assert findings(parse(tmp_path, INSECURE_DATA_TIER)) == {
        # public ACL, block public access switched off, no encryption, suspended
        # versioning, no access logs
        "DataBucket": ids(1, 3, 4, 5, 6),
        "DataBucketPolicy": ids(2),
        # 5432 over IPv4 and SSH (ports written as strings) over IPv6 open to the world
        "DbSecurityGroup": ids(7, 10, 11),
        # IpProtocol -1 from anywhere: SSH, RDP, every port and every admin port
        "OpenEverything": ids(7, 8, 9, 10),
        "Database": ids(12, 13, 14, 15, 16),
    }


def test_hardened_data_tier_passes_every_check(tmp_path: Path) -> None:
    resources = parse(tmp_path, HARDENED_DATA_TIER)
    assert findings(resources) == {address: set() for address in resources}


class _LongFormLoader(yaml.SafeLoader):
    """YAML with CloudFormation short-form tags read as their JSON long form."""


def _long_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        value: object = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise AssertionError(f"unexpected node {node!r}")
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{suffix}": value}


_LongFormLoader.add_multi_constructor("!", _long_form)


def test_json_template_gives_the_same_findings(tmp_path: Path) -> None:
    as_json = json.dumps(yaml.load(INSECURE_DATA_TIER, Loader=_LongFormLoader), indent=2)  # noqa: S506
    assert '"Fn::Sub"' in as_json
    (tmp_path / "yaml").mkdir()
    (tmp_path / "json").mkdir()
    from_yaml = findings(parse(tmp_path / "yaml", INSECURE_DATA_TIER))
    from_json = findings(parse(tmp_path / "json", as_json, name="template.json"))
    assert from_json == from_yaml


# ------------------------------------------------------------------ the rest of the platform

INSECURE_PLATFORM = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  LogKey:
    Type: AWS::KMS::Key
    Properties:
      Description: logs
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: acme-trail
  WebLoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
  HttpListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref WebLoadBalancer
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: forward
          TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1
  HttpsListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref WebLoadBalancer
      Port: 443
      Protocol: HTTPS
      Certificates: [{CertificateArn: arn:aws:acm:eu-west-1:111122223333:certificate/web}]
      DefaultActions:
        - Type: forward
          TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1
  Cluster:
    Type: AWS::EKS::Cluster
    Properties:
      RoleArn: arn:aws:iam::111122223333:role/eks
      ResourcesVpcConfig:
        SubnetIds: [subnet-1, subnet-2]
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Environment:
        Variables:
          DB_HOST: db.internal
          DB_PASSWORD: S3cr3t-p4ssw0rd
  Repository:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: app
  Volume:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: eu-west-1a
      Size: 100
  Files:
    Type: AWS::EFS::FileSystem
    Properties:
      PerformanceMode: generalPurpose
  Events:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: events
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: false
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: codebuild.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: everything
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
  Operator:
    Type: AWS::IAM::User
    Properties:
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
"""

HARDENED_PLATFORM = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  LogKey:
    Type: AWS::KMS::Key
    Properties:
      Description: logs
      EnableKeyRotation: true
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: acme-trail
      IsMultiRegionTrail: true
      EnableLogFileValidation: true
      KMSKeyId: !Ref LogKey
  WebLoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes:
        - Key: routing.http.drop_invalid_header_fields.enabled
          Value: "true"
  HttpListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref WebLoadBalancer
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: redirect
          RedirectConfig: {Protocol: HTTPS, Port: "443", StatusCode: HTTP_301}
  HttpsListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref WebLoadBalancer
      Port: 443
      Protocol: HTTPS
      SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
      Certificates: [{CertificateArn: arn:aws:acm:eu-west-1:111122223333:certificate/web}]
      DefaultActions:
        - Type: forward
          TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1
  Cluster:
    Type: AWS::EKS::Cluster
    Properties:
      RoleArn: arn:aws:iam::111122223333:role/eks
      ResourcesVpcConfig:
        SubnetIds: [subnet-1, subnet-2]
        EndpointPublicAccess: false
        EndpointPrivateAccess: true
      Logging:
        ClusterLogging:
          EnabledTypes:
            - Type: api
            - Type: audit
            - Type: authenticator
            - Type: controllerManager
            - Type: scheduler
      EncryptionConfig:
        - Resources: [secrets]
          Provider: {KeyArn: !GetAtt LogKey.Arn}
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Environment:
        Variables:
          DB_HOST: db.internal
          DB_PASSWORD: "{{resolve:secretsmanager:prod/db:SecretString:password}}"
  Repository:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: app
      ImageTagMutability: IMMUTABLE
      ImageScanningConfiguration: {ScanOnPush: true}
  Volume:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: eu-west-1a
      Size: 100
      Encrypted: true
  Files:
    Type: AWS::EFS::FileSystem
    Properties:
      PerformanceMode: generalPurpose
      Encrypted: true
  Events:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: events
      KmsMasterKeyId: alias/aws/sns
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: codebuild.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: push-images
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [ecr:PutImage, ecr:UploadLayerPart, ecr:CompleteLayerUpload]
                Resource: !GetAtt Repository.Arn
  Operators:
    Type: AWS::IAM::Group
    Properties:
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  Operator:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Operators]
"""


def test_insecure_platform_reports_exactly_the_expected_findings(tmp_path: Path) -> None:
    assert findings(parse(tmp_path, INSECURE_PLATFORM)) == {
        "LogKey": ids(21),
        "Trail": ids(22, 23, 24),
        "WebLoadBalancer": ids(27),
        "HttpListener": ids(25),
        "HttpsListener": ids(26),
        "Cluster": ids(28, 29, 30, 31),
        "Api": ids(32),
        "Repository": ids(33, 34),
        "Volume": ids(17),
        "Files": ids(18),
        "Events": ids(35),
        "Jobs": ids(36),
        "DeployRole": ids(19),
        "Operator": ids(20),
    }


def test_hardened_platform_passes_every_check(tmp_path: Path) -> None:
    resources = parse(tmp_path, HARDENED_PLATFORM)
    assert findings(resources) == {address: set() for address in resources}


def test_the_corpora_exercise_every_check(tmp_path: Path) -> None:
    tripped: set[str] = set()
    for index, template in enumerate((INSECURE_DATA_TIER, INSECURE_PLATFORM)):
        (tmp_path / str(index)).mkdir()
        tripped |= set().union(*findings(parse(tmp_path / str(index), template)).values())
    assert tripped == set(CHECKS)


# ------------------------------------------------------------------ parameters and intrinsics


PARAMETERISED = """
Parameters:
  Public:
    Type: String
    AllowedValues: ["true", "false"]
    Default: "true"
  Encrypt:
    Type: String
    AllowedValues: ["true", "false"]
Conditions:
  IsProd: !Equals [!Ref AWS::AccountId, "111122223333"]
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t3.micro
      PubliclyAccessible: !Ref Public
      StorageEncrypted: !Ref Encrypt
      BackupRetentionPeriod: !If [IsProd, 35, 7]
      DeletionProtection: !If [IsProd, true, false]
      EnableIAMDatabaseAuthentication: true
"""


def test_parameter_defaults_are_judged_and_missing_values_stay_unknown(tmp_path: Path) -> None:
    found = verdicts(parse(tmp_path, PARAMETERISED)["Database"])
    assert found["LG-CFN-012"] is Verdict.FAIL  # the default "true" is used
    assert found["LG-CFN-013"] is Verdict.UNKNOWN  # a parameter without a default
    # Fn::If values are not literals: they are never reported
    assert found["LG-CFN-014"] is Verdict.PASS
    assert found["LG-CFN-015"] is Verdict.PASS


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


@pytest.mark.parametrize(
    "replacement",
    [{"Ref": "Param"}, {"Fn::If": ["Cond", "a", "b"]}, None, "text", 0, True, [], {}, [None]],
)
def test_intrinsics_or_mistyped_values_never_make_a_check_error(replacement: object) -> None:
    """Any property (or part of one) may be an intrinsic function, a null or a value of the
    wrong type; every check must still give a verdict."""
    for check in CHECKS.values():
        for outcome in ("fail", "pass"):
            for example in check.examples[outcome]:
                source = example["resource"]
                for path in _paths(source):
                    if path in {("Type",), ("Properties",)}:
                        continue
                    mutated = copy.deepcopy(source)
                    node: Any = mutated
                    for part in path[:-1]:
                        node = node[part]
                    node[path[-1]] = copy.deepcopy(replacement)
                    result = evaluate_example(check, {**example, "resource": mutated})
                    assert result.verdict in (Verdict.FAIL, Verdict.PASS), (
                        check.id,
                        path,
                        result.detail,
                    )


def test_an_intrinsic_in_place_of_a_setting_is_not_reported(tmp_path: Path) -> None:
    """Only absence or a literal bad value is a finding; a !Ref or !If the scanner cannot
    resolve is never reported as misconfigured."""
    template = """
Parameters:
  Retention: {Type: Number}
  Rotate: {Type: String}
Conditions:
  IsProd: !Equals [!Ref AWS::Region, eu-west-1]
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: !If [IsProd, true, !Ref Rotate]
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: !If [IsProd, 443, 22]
          ToPort: !If [IsProd, 443, 22]
          CidrIp: 0.0.0.0/0
"""
    resources = parse(tmp_path, template)
    assert failing(resources["Key"]) == set()
    assert failing(resources["Group"]) == set()
