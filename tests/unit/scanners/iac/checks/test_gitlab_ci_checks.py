"""The built-in GitLab CI checks (``checks/gitlab_ci.yaml``) as users meet them: every
check's own examples, an insecure pipeline and its hardened twin read by the real parser
with their exact findings, and the places GitLab lets a setting live (top level,
``default:``, jobs, hidden templates reached through ``extends``)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest

from lockgate.scanners.iac.checks import BUILTIN_DIR, Check, load_check_files
from lockgate.scanners.iac.engine import CheckEngine, Verdict
from lockgate.scanners.iac.parsers import gitlab_ci
from lockgate.scanners.iac.resources import Resource
from tests.unit.scanners.iac.checks._support import failing_of

CHECK_FILE = BUILTIN_DIR / "gitlab_ci.yaml"
CHECKS: dict[str, Check] = load_check_files([CHECK_FILE]).by_id()
ENGINE = CheckEngine(tuple(CHECKS.values()))
failing = partial(failing_of, ENGINE)
DIGEST = "sha256:" + "01" * 32


def ids(*numbers: int) -> set[str]:
    return {f"LG-GLCI-{n:03d}" for n in numbers}


def pipeline(tmp_path: Path, text: str) -> Resource:
    (tmp_path / ".gitlab-ci.yml").write_text(text, encoding="utf-8")
    result = gitlab_ci.parse(tmp_path, [".gitlab-ci.yml"])
    assert not result.errors, result.errors
    (resource,) = result.resources
    return resource


# ------------------------------------------------------------------ the check file itself


def test_file_holds_6_checks_numbered_without_gaps() -> None:
    assert sorted(CHECKS) == [f"LG-GLCI-{n:03d}" for n in range(1, 7)]
    assert all(
        c.kind == "gitlab-ci" and c.types == frozenset({"gitlab_ci"}) for c in CHECKS.values()
    )


def test_every_check_documents_itself() -> None:
    titles = [c.title for c in CHECKS.values()]
    assert len(set(titles)) == len(titles), "two checks share a title"
    for check in CHECKS.values():
        assert len(check.description) > 80, check.id
        assert check.remediation and check.references, check.id
        assert all(r.startswith("https://") for r in check.references), check.id
        assert set(check.aliases) == {"checkov", "trivy"}, check.id


# ------------------------------------------------------------------ corpus: whole pipelines

INSECURE = """\
image: node

variables:
  DOCKER_TLS_CERTDIR: ""
  DEPLOY_TOKEN: "glpat-xxxxxxxxxxxxxxxxxxxx"
  CI_DEBUG_TRACE: "true"
  GIT_SSL_NO_VERIFY: "1"

.docker:
  image: docker:latest
  services:
    - docker:dind

build:
  extends: .docker
  stage: build
  script:
    - docker build -t app .

install:
  stage: build
  before_script:
    - curl -fsSL https://get.example.com/install.sh | bash
  script:
    - npm ci
"""

HARDENED = f"""\
image: node:20.14-alpine@{DIGEST}

variables:
  DOCKER_TLS_CERTDIR: "/certs"
  DEPLOY_TOKEN: $VAULT_DEPLOY_TOKEN

.docker:
  image: docker:27.1.1
  services:
    - name: docker:27.1.1-dind
      alias: docker
  variables:
    DOCKER_HOST: tcp://docker:2376
    DOCKER_TLS_VERIFY: "1"

build:
  extends: .docker
  stage: build
  script:
    - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .

install:
  stage: build
  script:
    - curl -fsSLo install.sh https://get.example.com/install.sh
    - echo "$INSTALLER_SHA256  install.sh" | sha256sum -c -
    - sh install.sh
"""


def test_insecure_pipeline_fails_every_check(tmp_path: Path) -> None:
    assert failing(pipeline(tmp_path, INSECURE)) == ids(*range(1, 7))


def test_hardened_pipeline_passes_every_check(tmp_path: Path) -> None:
    assert failing(pipeline(tmp_path, HARDENED)) == set()


# ------------------------------------------------------------------ where settings live


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("default:\n  image: python\ntest:\n  script: [pytest]\n", ids(1)),
        ("test:\n  image: {name: 'python:3.12', entrypoint: ['']}\n  script: [pytest]\n", set()),
        ("test:\n  services: [redis]\n  script: [pytest]\n", ids(1)),
        (".base:\n  image: ruby:latest\ntest:\n  extends: .base\n  script: [rake]\n", ids(1)),
        ("test:\n  image: $CI_REGISTRY_IMAGE/ci:$CI_COMMIT_SHA\n  script: [make]\n", set()),
    ],
)
def test_images_are_read_everywhere(tmp_path: Path, text: str, expected: set[str]) -> None:
    assert failing(pipeline(tmp_path, text)) & ids(1) == expected


@pytest.mark.parametrize(
    ("variables", "secret"),
    [
        ("DB_PASSWORD: hunter2", True),
        ("AWS_SECRET_ACCESS_KEY: {value: abc/def, description: aws}", True),
        ("MYSQL_ROOT_PASSWORD: 123456", True),
        ("DB_PASSWORD: $PROD_DB_PASSWORD", False),
        ("DB_PASSWORD: ${PROD_DB_PASSWORD}", False),
        ("CACHE_KEY: v1", False),
        ("SSH_PRIVATE_KEY_FILE: /tmp/key", False),
    ],
)
def test_secret_variables_in_jobs(tmp_path: Path, variables: str, secret: bool) -> None:
    text = f"deploy:\n  variables:\n    {variables}\n  script: [./deploy.sh]\n"
    assert ("LG-GLCI-002" in failing(pipeline(tmp_path, text))) is secret


def test_anchored_script_lists_are_searched(tmp_path: Path) -> None:
    text = (
        ".setup: &setup\n  - curl -sSL https://x.example/i.sh | sh\n"
        "test:\n  before_script:\n    - *setup\n  script: [make test]\n"
    )
    assert failing(pipeline(tmp_path, text)) == ids(3)


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ('    DOCKER_TLS_CERTDIR: ""\n', ids(4)),
        ('    DOCKER_TLS_CERTDIR: "/certs"\n', set()),
        ('    DOCKER_TLS_CERTDIR: "/certs"\n    DOCKER_HOST: tcp://docker:2375\n', ids(4)),
        ("", set()),
    ],
)
def test_docker_in_docker_tls(tmp_path: Path, variables: str, expected: set[str]) -> None:
    text = (
        "build:\n  image: docker:27.1\n  services: ['docker:27.1-dind']\n"
        + ("  variables:\n" + variables if variables else "")
        + "  script: [docker info]\n"
    )
    assert failing(pipeline(tmp_path, text)) == expected


def test_job_value_overrides_the_global_docker_tls_setting(tmp_path: Path) -> None:
    text = (
        'variables:\n  DOCKER_TLS_CERTDIR: ""\n'
        "build:\n  image: docker:27.1\n  services: ['docker:27.1-dind']\n"
        "  variables:\n    DOCKER_TLS_CERTDIR: /certs\n  script: [docker info]\n"
    )
    assert failing(pipeline(tmp_path, text)) == set()


@pytest.mark.parametrize(("value", "reported"), [("'true'", True), ("1", True), ("'false'", False)])
def test_debug_trace_values(tmp_path: Path, value: str, reported: bool) -> None:
    text = f"variables:\n  CI_DEBUG_TRACE: {value}\ntest:\n  script: [make]\n"
    assert ("LG-GLCI-006" in failing(pipeline(tmp_path, text))) is reported


@pytest.mark.parametrize(
    "data",
    [
        {"_jobs": [], "_templates": []},
        {
            "image": 3,
            "services": "docker:dind",
            "variables": ["A"],
            "default": "x",
            "_jobs": [{"name": "a", "script": 5, "variables": {"DOCKER_TLS_CERTDIR": None}}],
            "_templates": [
                {"name": ".b", "services": [{"alias": "db"}, None], "before_script": [[1]]}
            ],
        },
    ],
)
def test_unusual_shapes_never_make_a_check_error(data: dict[str, Any]) -> None:
    resource = Resource(
        kind="gitlab-ci",
        type="gitlab_ci",
        address="gitlab-ci",
        path=".gitlab-ci.yml",
        start_line=1,
        end_line=1,
        data=data,
    )
    outcomes = ENGINE.evaluate(resource)
    assert all(o.verdict in (Verdict.PASS, Verdict.FAIL) for o in outcomes), [
        (o.check.id, o.detail) for o in outcomes if o.verdict is Verdict.ERROR
    ]
