"""Which IaC parser reads a file: by name first, then by a look at its first bytes.

The control hands every parser the workspace root and all the paths detected for it, so
parsers that work per directory (Terraform modules, Kustomize overlays, Helm charts) can
group them.
"""

from __future__ import annotations

import fnmatch
import re

#: Parser module (under ``lockgate.scanners.iac.parsers``) per detected group.
PARSER_MODULES = {
    "terraform": "terraform",
    "terraform-plan": "terraform",
    "kubernetes": "kubernetes",
    "kustomize": "kubernetes",
    "helm": "kubernetes",
    "dockerfile": "dockerfile",
    "compose": "compose",
    "cloudformation": "cloudformation",
    "github-actions": "github_actions",
    "gitlab-ci": "gitlab_ci",
}

_DOCKERFILE = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile")
_COMPOSE = (
    "docker-compose.yml",
    "docker-compose.yaml",
    "docker-compose.*.yml",
    "docker-compose.*.yaml",
    "compose.yml",
    "compose.yaml",
    "compose.*.yml",
    "compose.*.yaml",
)
_KUSTOMIZATION = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_K8S_HEAD = re.compile(rb"(?m)^\s*apiVersion\s*:|\"apiVersion\"\s*:")
_K8S_KIND = re.compile(rb"(?m)^\s*kind\s*:|\"kind\"\s*:")
_CFN_HEAD = re.compile(
    rb"(?m)AWSTemplateFormatVersion|^\s*\"?Type\"?\s*:\s*[\"']?AWS::"
    rb"|Transform\"?\s*:\s*[\"']?AWS::Serverless"
)
_PLAN_HEAD = re.compile(rb"\"terraform_version\"|\"planned_values\"|\"resource_changes\"")
HEAD_BYTES = 16384


_BY_BASE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("terraform", ("*.tf", "*.tf.json", "*.tfvars", "*.tfvars.json")),
    ("kustomize", _KUSTOMIZATION),
    ("helm", ("Chart.yaml",)),
    ("dockerfile", _DOCKERFILE),
    ("compose", _COMPOSE),
    ("gitlab-ci", (".gitlab-ci.yml", "*.gitlab-ci.yml")),
)


def by_name(path: str) -> str | None:
    """The group a path belongs to from its name alone, or None if the content decides."""
    directory, _, base = path.rpartition("/")
    for group, patterns in _BY_BASE:
        if any(fnmatch.fnmatchcase(base, pattern) for pattern in patterns):
            return group
    workflows = directory == ".github/workflows" or directory.endswith("/.github/workflows")
    if workflows and base.endswith((".yml", ".yaml")):
        return "github-actions"
    return None


def needs_content(path: str) -> bool:
    """Whether a YAML or JSON file must be looked into (Kubernetes, CloudFormation, plans)."""
    return path.endswith((".yaml", ".yml", ".json", ".template"))


def by_content(path: str, head: bytes) -> str | None:
    """The group of a YAML/JSON file from its first bytes."""
    if path.endswith(".json") and _PLAN_HEAD.search(head):
        return "terraform-plan"
    if _CFN_HEAD.search(head):
        return "cloudformation"
    if _K8S_HEAD.search(head) and _K8S_KIND.search(head):
        return "kubernetes"
    return None


def in_helm_templates(path: str, chart_dirs: frozenset[str]) -> bool:
    """Files under a chart's ``templates/`` are rendered with the chart, never alone."""
    parts = path.split("/")
    for index, part in enumerate(parts[:-1]):
        if part == "templates" and "/".join(parts[:index]) in chart_dirs:
            return True
    return False
