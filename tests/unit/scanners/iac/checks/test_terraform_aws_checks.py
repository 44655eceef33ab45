"""The built-in Terraform AWS checks (``checks/terraform_aws.yaml``) as users meet them: every
check's own examples, whole configurations read by the Terraform parser with the exact
findings they must produce (an insecure bucket with its split S3 resources, security group and
database; an insecure platform of trail, load balancer, EKS, Lambda, ECR, IAM and logs; and the
hardened equivalents that pass everything), values only known at apply time, and mistyped
values that must never make a check error."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from lockgate.scanners.iac.checks import BUILTIN_DIR, Check, load_check_files
from lockgate.scanners.iac.engine import CheckEngine, Verdict, evaluate_example
from lockgate.scanners.iac.parsers import terraform
from lockgate.scanners.iac.resources import Resource
from tests.unit.scanners.iac.checks._support import failing_of, verdicts_of

CHECK_FILE = BUILTIN_DIR / "terraform_aws.yaml"
CHECKS: dict[str, Check] = load_check_files([CHECK_FILE]).by_id()
ENGINE = CheckEngine(tuple(CHECKS.values()))
verdicts = partial(verdicts_of, ENGINE)
failing = partial(failing_of, ENGINE)


def ids(*numbers: int) -> set[str]:
    return {f"LG-TF-{n:03d}" for n in numbers}


def parse(tmp_path: Path, text: str) -> dict[str, Resource]:
    """The configuration as the Terraform parser hands it to the engine, by address."""
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    result = terraform.parse(tmp_path, ["main.tf"])
    assert not result.errors, result.errors
    return {r.address: r for r in result.resources}


def findings(resources: dict[str, Resource]) -> dict[str, set[str]]:
    return {address: failing(resource) for address, resource in resources.items()}


# ------------------------------------------------------------------ the check file itself


def test_file_holds_49_checks_numbered_without_gaps() -> None:
    assert sorted(CHECKS) == [f"LG-TF-{n:03d}" for n in range(1, 50)]
    assert all(c.kind == "terraform" and c.types for c in CHECKS.values())


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


def test_every_check_selects_aws_resource_types() -> None:
    for check in CHECKS.values():
        assert check.types is not None
        assert all(re.fullmatch(r"(data\.)?aws_[a-z0-9_]+", t) for t in check.types), check.id


# ------------------------------------------------------------------ bucket, security group, RDS

INSECURE_DATA_TIER = """
variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-customer-data"
}

resource "aws_s3_bucket_acl" "data" {
  bucket = aws_s3_bucket.data.id
  acl    = "public-read"
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket            = aws_s3_bucket.data.id
  block_public_acls = true
  # the other three settings default to false
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Suspended"
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PublicRead"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::acme-customer-data/*"
    }]
  })
}

resource "aws_security_group" "db" {
  name   = "db"
  vpc_id = "vpc-0123"

  ingress {
    description = "postgres from anywhere"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description      = "ssh"
    from_port        = 22
    to_port          = 22
    protocol         = "tcp"
    ipv6_cidr_blocks = ["::/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group_rule" "everything" {
  type              = "ingress"
  security_group_id = aws_security_group.db.id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_db_instance" "main" {
  identifier              = "main"
  engine                  = "postgres"
  instance_class          = "db.t3.micro"
  allocated_storage       = 20
  username                = "app"
  password                = var.db_password
  publicly_accessible     = true
  backup_retention_period = 0
  vpc_security_group_ids  = [aws_security_group.db.id]
  skip_final_snapshot     = true
}
"""

HARDENED_DATA_TIER = """
variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-customer-data"
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:eu-west-1:111122223333:key/data"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = "acme-access-logs"
  target_prefix = "customer-data/"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ReaderRole"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/reader" }
        Action    = "s3:GetObject"
        Resource  = "arn:aws:s3:::acme-customer-data/*"
      },
      {
        Sid       = "TlsOnly"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = "arn:aws:s3:::acme-customer-data/*"
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_security_group" "db" {
  name   = "db"
  vpc_id = "vpc-0123"

  ingress {
    description = "postgres from the application subnets"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.10.0/24", "10.0.11.0/24"]
  }

  egress {
    description = "responses inside the VPC"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/16"]
  }
}

resource "aws_db_instance" "main" {
  identifier                          = "main"
  engine                              = "postgres"
  instance_class                      = "db.t3.micro"
  allocated_storage                   = 20
  username                            = "app"
  password                            = var.db_password
  storage_encrypted                   = true
  backup_retention_period             = 14
  deletion_protection                 = true
  iam_database_authentication_enabled = true
  vpc_security_group_ids              = [aws_security_group.db.id]
}
"""


def test_insecure_data_tier_reports_exactly_the_expected_findings(tmp_path: Path) -> None:
    resources = parse(tmp_path, INSECURE_DATA_TIER)
    assert findings(resources) == {
        # split S3 resources are linked to the bucket: partial public-access block, no
        # encryption, suspended versioning, no logging
        "aws_s3_bucket.data": ids(3, 5, 6, 7),
        "aws_s3_bucket_acl.data": ids(1),
        "aws_s3_bucket_public_access_block.data": set(),
        "aws_s3_bucket_versioning.data": set(),
        "aws_s3_bucket_policy.data": ids(2),
        # 5432 and SSH over IPv6 open to the world, egress to anywhere
        "aws_security_group.db": ids(8, 11, 12),
        # protocol -1 from anywhere: SSH, RDP, every port and every admin port
        "aws_security_group_rule.everything": ids(8, 9, 10, 11),
        "aws_db_instance.main": ids(13, 14, 15, 16, 17),
    }


def test_hardened_data_tier_passes_every_check(tmp_path: Path) -> None:
    resources = parse(tmp_path, HARDENED_DATA_TIER)
    assert findings(resources) == {address: set() for address in resources}
    evaluated = {o.check.id for r in resources.values() for o in ENGINE.evaluate(r)}
    assert ids(2, 3, 5, 6, 7, 8, 12, 13, 14, 15, 16, 17) <= evaluated


# ------------------------------------------------------------------ the rest of the platform

INSECURE_PLATFORM = """
resource "aws_kms_key" "logs" {
  description = "log encryption"
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = "acme-trail"
}

resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = ["subnet-1", "subnet-2"]
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1"
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-2016-08"
  certificate_arn   = "arn:aws:acm:eu-west-1:111122223333:certificate/web"
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1"
  }
}

resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::111122223333:role/eks"
  vpc_config {
    subnet_ids = ["subnet-1", "subnet-2"]
  }
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = "arn:aws:iam::111122223333:role/api"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "api.zip"
  environment {
    variables = {
      DB_HOST     = "db.internal"
      DB_PASSWORD = "S3cr3t-p4ssw0rd"
    }
  }
}

resource "aws_ecr_repository" "app" {
  name = "app"
}

resource "aws_instance" "bastion" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
}

resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_user_policy" "ci" {
  name = "ci"
  user = aws_iam_user.ci.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_cloudwatch_log_group" "api" {
  name = "/aws/lambda/api"
}
"""

HARDENED_PLATFORM = """
resource "aws_kms_key" "logs" {
  description         = "log encryption"
  enable_key_rotation = true
}

resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "acme-trail"
  is_multi_region_trail      = true
  enable_log_file_validation = true
  kms_key_id                 = "arn:aws:kms:eu-west-1:111122223333:key/trail"
}

resource "aws_lb" "web" {
  name                       = "web"
  load_balancer_type         = "application"
  subnets                    = ["subnet-1", "subnet-2"]
  drop_invalid_header_fields = true
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:eu-west-1:111122223333:certificate/web"
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1"
  }
}

resource "aws_eks_cluster" "main" {
  name                      = "main"
  role_arn                  = "arn:aws:iam::111122223333:role/eks"
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  vpc_config {
    subnet_ids              = ["subnet-1", "subnet-2"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = "arn:aws:kms:eu-west-1:111122223333:key/eks"
    }
  }
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = "arn:aws:iam::111122223333:role/api"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "api.zip"
  environment {
    variables = {
      DB_HOST            = "db.internal"
      DB_PASSWORD_SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db"
    }
  }
}

resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_instance" "bastion" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = true
  }
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_iam_group" "ci" {
  name = "ci"
}

resource "aws_iam_group_policy" "ci" {
  name  = "ci"
  group = aws_iam_group.ci.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ecr:PutImage", "ecr:UploadLayerPart"]
      Resource = "*"
    }]
  })
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/lambda/api"
  retention_in_days = 90
  kms_key_id        = "arn:aws:kms:eu-west-1:111122223333:key/logs"
}
"""


def test_insecure_platform_reports_exactly_the_expected_findings(tmp_path: Path) -> None:
    assert findings(parse(tmp_path, INSECURE_PLATFORM)) == {
        "aws_kms_key.logs": ids(25),
        "aws_cloudtrail.main": ids(26, 27, 28),
        "aws_lb.web": ids(31),
        "aws_lb_listener.http": ids(29),
        "aws_lb_listener.https": ids(30),
        "aws_eks_cluster.main": ids(32, 33, 34, 35),
        "aws_lambda_function.api": ids(36),
        "aws_ecr_repository.app": ids(37, 38),
        "aws_instance.bastion": ids(20, 21),
        "aws_iam_user.ci": set(),
        "aws_iam_user_policy.ci": ids(23, 24),
        "aws_cloudwatch_log_group.api": ids(39, 40),
    }


def test_hardened_platform_passes_every_check(tmp_path: Path) -> None:
    resources = parse(tmp_path, HARDENED_PLATFORM)
    assert findings(resources) == {address: set() for address in resources}


def test_each_insecure_corpus_finding_is_fixed_by_its_hardened_twin(tmp_path: Path) -> None:
    """Every check the insecure corpora trip is evaluated, and passes, on the hardened ones."""
    tripped: set[str] = set()
    passed: set[str] = set()
    for index, (insecure, hardened) in enumerate(
        ((INSECURE_DATA_TIER, HARDENED_DATA_TIER), (INSECURE_PLATFORM, HARDENED_PLATFORM))
    ):
        (tmp_path / f"bad{index}").mkdir()
        (tmp_path / f"good{index}").mkdir()
        tripped |= set().union(*findings(parse(tmp_path / f"bad{index}", insecure)).values())
        for resource in parse(tmp_path / f"good{index}", hardened).values():
            passed |= {k for k, v in verdicts(resource).items() if v is Verdict.PASS}
    assert len(tripped) == 36
    assert tripped - passed == ids(24)  # the hardened platform has no user policy to judge


# ------------------------------------------------------------------ values known only at apply


def test_policy_built_from_another_resource_is_unknown_not_passed(tmp_path: Path) -> None:
    resources = parse(
        tmp_path,
        """
resource "aws_s3_bucket" "site" {
  bucket = "acme-site"
}

resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.site.arn}/*"
    }]
  })
}

resource "aws_iam_policy" "from_document" {
  name   = "from-document"
  policy = data.aws_iam_policy_document.unknown.json
}
""",
    )
    assert verdicts(resources["aws_s3_bucket_policy.site"])["LG-TF-002"] is Verdict.UNKNOWN
    assert verdicts(resources["aws_iam_policy.from_document"])["LG-TF-023"] is Verdict.UNKNOWN


def test_settings_from_unset_variables_are_unknown(tmp_path: Path) -> None:
    resources = parse(
        tmp_path,
        """
variable "public" {
  type = bool
}

variable "retention" {
  type    = number
  default = 30
}

resource "aws_db_instance" "main" {
  engine                              = "postgres"
  instance_class                      = "db.t3.micro"
  publicly_accessible                 = var.public
  storage_encrypted                   = true
  backup_retention_period             = var.retention
  deletion_protection                 = true
  iam_database_authentication_enabled = true
}
""",
    )
    found = verdicts(resources["aws_db_instance.main"])
    assert found["LG-TF-013"] is Verdict.UNKNOWN
    assert found["LG-TF-015"] is Verdict.PASS  # the variable's default is used
    assert {k for k, v in found.items() if v is Verdict.FAIL} == set()


def test_a_key_reference_is_never_reported_as_missing(tmp_path: Path) -> None:
    resources = parse(
        tmp_path,
        """
resource "aws_kms_key" "trail" {
  enable_key_rotation = true
}

resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "acme-trail"
  is_multi_region_trail      = true
  enable_log_file_validation = true
  kms_key_id                 = aws_kms_key.trail.arn
}
""",
    )
    assert verdicts(resources["aws_cloudtrail.main"])["LG-TF-028"] is not Verdict.FAIL


def test_count_instances_are_judged_one_by_one(tmp_path: Path) -> None:
    resources = parse(
        tmp_path,
        """
resource "aws_ebs_volume" "disk" {
  count             = 2
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = count.index == 0
}
""",
    )
    assert findings(resources) == {
        "aws_ebs_volume.disk[0]": set(),
        "aws_ebs_volume.disk[1]": ids(18),
    }


# ------------------------------------------------------------------ mistyped values


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
    "replacement", [None, "text", 0, 2.5, True, [], {}, [None], [{}], {"Ref": "x"}]
)
def test_null_or_mistyped_values_never_make_a_check_error(replacement: object) -> None:
    """A null, a string where a block belongs or an empty list must still give a verdict."""
    for check in CHECKS.values():
        for outcome in ("fail", "pass"):
            for example in check.examples[outcome]:
                for key in ("resource", "related"):
                    source = example.get(key)
                    if not isinstance(source, dict):
                        continue
                    for path in _paths(source):
                        mutated = copy.deepcopy(source)
                        node: Any = mutated
                        for part in path[:-1]:
                            node = node[part]
                        node[path[-1]] = copy.deepcopy(replacement)
                        result = evaluate_example(check, {**example, key: mutated})
                        assert result.verdict in (Verdict.FAIL, Verdict.PASS), (
                            check.id,
                            path,
                            result.detail,
                        )
